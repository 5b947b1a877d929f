"""Run the service (`auditlog serve`), the read floor and the stream receiver in processes."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

import httpx

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
START_TIMEOUT = 60.0
# uvicorn with the options `auditlog serve` gives it (asyncio, h11, access log, no proxy headers).
FLOOR_ARGUMENTS = (
    "-m uvicorn bench.floor_app:create --factory --host 127.0.0.1 --port {port} "
    "--log-level info --no-proxy-headers"
)
RECEIVER_ARGUMENTS = (
    "-m uvicorn bench.stream_receiver:create --factory --host 127.0.0.1 --port {port} "
    "--log-level warning --no-access-log"
)


class ServerError(Exception):
    """A server process did not start; its log says why."""


@dataclass
class Server:
    """A uvicorn process listening on 127.0.0.1:`port`, logging to `log`."""

    name: str
    command: list[str]
    environment: dict[str, str]
    log: Path
    port: int = 0
    process: subprocess.Popen[bytes] | None = None
    start_timeout: float = START_TIMEOUT

    @property
    def url(self) -> str:
        """The base URL."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        """The process id (to attach a profiler)."""
        if self.process is None:
            raise ServerError(f"{self.name} is not running")
        return self.process.pid

    async def __aenter__(self) -> Server:
        self.port = free_port()
        command = [part.replace("{port}", str(self.port)) for part in self.command]
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                command,
                cwd=REPO,
                env={**os.environ, **self.environment},
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        try:
            await self._wait_ready()
        except BaseException:
            await self.__aexit__(None, None, None)  # never leave a half-started server behind
            raise
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    async def _wait_ready(self) -> None:
        deadline = time.monotonic() + self.start_timeout
        async with httpx.AsyncClient() as client:
            while time.monotonic() < deadline:
                if self.process is not None and self.process.poll() is not None:
                    raise ServerError(f"{self.name} exited at start; see {self.log}")
                try:
                    if (await client.get(f"{self.url}/healthz")).status_code == 200:
                        return
                except httpx.TransportError:
                    pass
                await asyncio.sleep(0.2)
        raise ServerError(
            f"{self.name} did not answer /healthz in {self.start_timeout:.0f}s; see {self.log}"
        )


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def service(
    database_url: str,
    secret: str,
    log: Path,
    tracemalloc_dir: Path | None = None,
    extra_environment: Mapping[str, str] | None = None,
) -> Server:
    """The audit-log service exactly as `auditlog serve --no-demo` runs it; with
    `tracemalloc_dir`, under bench/traced_serve.py (snapshots on SIGUSR1); with
    `extra_environment`, more settings (e.g. the log streams' AUDITLOG_SECRET_KEY)."""
    environment = {
        "AUDITLOG_DATABASE_URL": database_url,
        "AUDITLOG_JWT_SECRET": secret,
        # The load comes from a few callers far above any per-caller limit.
        "AUDITLOG_RATE_LIMIT": "off",
        "AUDITLOG_INGEST_RATE_LIMIT": "off",
        **(extra_environment or {}),
    }
    command, timeout = [str(BIN / "auditlog")], START_TIMEOUT
    if tracemalloc_dir is not None:
        # Tracing every allocation makes imports and migrations several times slower.
        command, timeout = [sys.executable, "-m", "bench.traced_serve"], 10 * START_TIMEOUT
        environment["BENCH_TRACEMALLOC_DIR"] = str(tracemalloc_dir)
    arguments = [*command, "serve", "--no-demo", "--port", "{port}"]
    return Server("service", arguments, environment, log, start_timeout=timeout)


def floor(database_url: str, statements: Path, log: Path) -> Server:
    """The read floor (bench/floor_app.py), served by uvicorn with the service's options."""
    return Server(
        "floor",
        [sys.executable, *FLOOR_ARGUMENTS.split()],
        {"BENCH_FLOOR_DATABASE_URL": database_url, "BENCH_FLOOR_STATEMENTS": str(statements)},
        log,
    )


def stream_receiver(stream_secret: str, log: Path) -> Server:
    """The log-stream benchmark's webhook receiver (bench/stream_receiver.py) under uvicorn."""
    return Server(
        "stream receiver",
        [sys.executable, *RECEIVER_ARGUMENTS.split()],
        {"BENCH_STREAM_SECRET": stream_secret},
        log,
    )
