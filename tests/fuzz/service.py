"""The real service in a child process, on a free port, over a database of its own.

Exceptions::

    ServiceError    the service did not start
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from models.database import close_database, open_database
from models.migrations import migrate
from resolvers.demo import seed_demo
from tests.serving import ServerStartError, free_port, running, serve_command


class ServiceError(Exception):
    """The service did not start."""


def seed(database_url: str) -> None:
    """Migrate the database and record the demo account's events, so reads find rows."""

    async def run() -> None:
        await open_database(database_url)
        try:
            await migrate()
            await seed_demo()
        finally:
            await close_database()

    asyncio.run(run())


@contextmanager
def running_service(env: dict[str, str], log_path: Path) -> Iterator[str]:
    """Run `auditlog serve` with `env`; yield its /graphql URL; stop it afterwards."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    try:
        with running(serve_command(port), {**os.environ, **env}, log_path, f"{base}/healthz"):
            yield f"{base}/graphql"
    except ServerStartError as exc:
        raise ServiceError(str(exc)) from exc


def tracebacks(log_text: str) -> list[str]:
    """Return the distinct tracebacks in a service log, each with the line that led it."""
    found: list[str] = []
    lines = log_text.splitlines()
    for index, line in enumerate(lines):
        if not line.startswith("Traceback"):
            continue
        end = index + 1
        while end < len(lines) and (lines[end].startswith((" ", "\t")) or not lines[end]):
            end += 1
        block = "\n".join(lines[max(index - 1, 0) : end + 1])
        if block not in found:
            found.append(block)
    return found
