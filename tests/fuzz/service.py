"""The real service in a child process, on a free port, over a database of its own.

Exceptions::

    ServiceError    the database could not be prepared or the service did not start
"""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import asyncpg

from models.database import close_database, open_database
from models.migrations import migrate
from resolvers.demo import seed_demo

STARTUP_SECONDS = 30


class ServiceError(Exception):
    """The database could not be prepared or the service did not start."""


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def postgres_database(base_url: str, name: str) -> Iterator[str]:
    """Create the empty database `name` on base_url's server; drop it afterwards."""
    server, _, _ = base_url.rpartition("/")
    admin = server.replace("postgres://", "postgresql://", 1) + "/postgres"
    asyncio.run(_postgres(admin, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    asyncio.run(_postgres(admin, f'CREATE DATABASE "{name}"'))
    try:
        yield f"{server}/{name}"
    finally:
        asyncio.run(_postgres(admin, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


async def _postgres(url: str, statement: str) -> None:
    try:
        connection = await asyncpg.connect(url, timeout=10)
    except (OSError, asyncpg.PostgresError) as exc:
        raise ServiceError(f"PostgreSQL at {url} refused the fuzz database: {exc}") from exc
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


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
    command = [sys.executable, "-m", "cli", "serve", "--port", str(port), "--no-demo"]
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command, env={**os.environ, **env}, stdout=log, stderr=subprocess.STDOUT
        )
        try:
            _wait_until_healthy(process, f"http://127.0.0.1:{port}/healthz", log_path)
            yield f"http://127.0.0.1:{port}/graphql"
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _wait_until_healthy(process: subprocess.Popen[bytes], url: str, log_path: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise ServiceError(f"The service exited at start-up:\n{log_path.read_text()}")
        try:
            with urllib.request.urlopen(url, timeout=1) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError):
            pass
        time.sleep(0.2)
    raise ServiceError(f"The service did not answer {url} within {STARTUP_SECONDS} s.")


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
