"""Real processes for tests: `auditlog serve` or any server, started, awaited, stopped.

Exceptions::

    ServerStartError    the process exited or did not answer its ready URL in time
    DatabaseSetupError  PostgreSQL refused to create or drop a server's own database
"""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import asyncpg
import pytest

REPO = Path(__file__).resolve().parents[1]
REQUIRE_TOOLS = "AUDITLOG_REQUIRE_TOOLS"


def require_tools(missing: list[str], fix: str) -> None:
    """Skip the test when a tool is missing, or fail it when AUDITLOG_REQUIRE_TOOLS=1 (CI)."""
    if not missing:
        return
    message = f"{' and '.join(missing)} missing; {fix}."
    if os.environ.get(REQUIRE_TOOLS) == "1":
        pytest.fail(f"{message} {REQUIRE_TOOLS}=1 requires them.", pytrace=False)
    pytest.skip(message)


def require_node_project(folder: Path) -> None:
    """Require Node.js and the npm packages of `folder` (a folder of this repository)."""
    name = folder.relative_to(REPO)
    missing = [
        what
        for what, ok in (
            ("node", shutil.which("node")),
            (f"{name}/node_modules", (folder / "node_modules").is_dir()),
        )
        if not ok
    ]
    require_tools(missing, f"run npm ci --prefix {name}")


class ServerStartError(Exception):
    """A server process exited at start-up or never answered its ready URL."""


class DatabaseSetupError(Exception):
    """PostgreSQL refused to create or drop a database for a server of the tests."""


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def serve_command(port: int, *, demo: bool = False) -> list[str]:
    """The command line of `auditlog serve` on `port`; demo data only with `demo`."""
    command = [sys.executable, "-m", "cli", "serve", "--port", str(port)]
    return command if demo else [*command, "--no-demo"]


@contextmanager
def postgres_database(base_url: str, name: str) -> Iterator[str]:
    """Create the empty database `name` on base_url's server; drop it afterwards.

    A server of its own keeps a run apart from the tests, which empty base_url's tables.
    """
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
        raise DatabaseSetupError(f"PostgreSQL at {url} refused {statement!r}: {exc}") from exc
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


@contextmanager
def running(
    command: list[str],
    env: Mapping[str, str],
    log_path: Path,
    ready_url: str,
    *,
    timeout: float = 60.0,
    cwd: Path = REPO,
) -> Iterator[subprocess.Popen[bytes]]:
    """Run `command` in `cwd` (output to `log_path`) until ready_url answers 200; then stop it."""
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command, env=dict(env), cwd=cwd, stdout=log, stderr=subprocess.STDOUT
        )
    try:
        _wait_until_ready(process, ready_url, log_path, timeout)
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_until_ready(
    process: subprocess.Popen[bytes], url: str, log_path: Path, timeout: float
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise ServerStartError(
                f"{process.args!r} exited with {process.returncode}:\n"
                f"{log_path.read_text(errors='replace')[-3000:]}"
            )
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.2)
    raise ServerStartError(
        f"{url} did not answer within {timeout:g} s:\n"
        f"{log_path.read_text(errors='replace')[-3000:]}"
    )
