"""The export endpoint under uvicorn: the first bytes come before the file is read, and a
client that goes away stops the work, which is recorded as a failed export."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path

import httpx
import pytest

from auth.principal import Role
from auth.tokens import JwtConfig, issue_token
from models.database import close_database, open_database
from models.migrations import migrate
from tests.conftest import BACKENDS, POSTGRES_URL
from tests.export.test_endpoint import varied_events
from tests.factories import record
from tests.serving import free_port, postgres_database, running, serve_command

SECRET = "export-streaming-secret-long-enough-for-hs256-012345"
ENTRIES = 20_000
EXPORTED = """{ auditLogs(query: "action:audit_log.exported") { edges { node {
  outcome failureReason metadata } } } }"""


def seed(database_url: str) -> None:
    async def run() -> None:
        await open_database(database_url)
        try:
            await migrate()
            events = varied_events(ENTRIES, seed=21)
            for start in range(0, ENTRIES, 1000):
                await record("acme", *events[start : start + 1000])
        finally:
            await close_database()

    asyncio.run(run())


@pytest.fixture(scope="module", params=BACKENDS)
def service(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """`auditlog serve` over 20,000 entries in acme; yields its base URL."""
    folder = tmp_path_factory.mktemp(f"export-{request.param}")
    with _database(str(request.param), folder) as database_url:
        seed(database_url)
        port = free_port()
        env = {key: value for key, value in os.environ.items() if not key.startswith("AUDITLOG_")}
        env |= {
            "AUDITLOG_JWT_SECRET": SECRET,
            "AUDITLOG_DATABASE_URL": database_url,
            "AUDITLOG_RATE_LIMIT": "off",
        }
        base = f"http://127.0.0.1:{port}"
        with running(serve_command(port), env, folder / "service.log", f"{base}/healthz"):
            yield base


def _database(backend: str, folder: Path) -> AbstractContextManager[str]:
    if backend == "sqlite":
        return nullcontext(f"sqlite://{folder}/audit.sqlite3")
    return postgres_database(POSTGRES_URL, POSTGRES_URL.rpartition("/")[2] + "_export")


def viewer_token() -> str:
    return issue_token(
        JwtConfig(SECRET, "HS256"),
        SECRET,
        subject="auditor",
        account_id="acme",
        roles=[Role.LOG_VIEWER],
        ttl=dt.timedelta(minutes=10),
    )


def exported_entries(base: str, token: str) -> list[dict[str, object]]:
    response = httpx.post(
        f"{base}/graphql", json={"query": EXPORTED}, headers={"Authorization": f"Bearer {token}"}
    )
    return [edge["node"] for edge in response.json()["data"]["auditLogs"]["edges"]]


def test_a_client_that_goes_away_stops_the_export_and_it_is_recorded_as_failed(
    service: str,
) -> None:
    token = viewer_token()
    before = len(exported_entries(service, token))
    with httpx.stream(
        "GET",
        f"{service}/export",
        params={"format": "csv"},
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    ) as response:
        assert response.status_code == 200
        first = next(response.iter_bytes())
        assert first.startswith(b"id,sequence,occurred_at")
    deadline = time.monotonic() + 20
    while len(entries := exported_entries(service, token)) == before:
        assert time.monotonic() < deadline, "the export was not recorded"
        time.sleep(0.2)
    latest = entries[0]
    assert latest["outcome"] == "FAILURE"
    assert latest["failureReason"] == "the client closed the connection"
    assert isinstance(latest["metadata"], dict)
    assert 0 <= int(str(latest["metadata"]["count"])) < ENTRIES


def test_the_whole_file_streams_and_is_recorded_as_a_success(service: str) -> None:
    token = viewer_token()
    started = time.monotonic()
    rows = 0
    with httpx.stream(
        "GET",
        f"{service}/export",
        params={"format": "ndjson", "query": "-action:audit_log.*"},
        headers={"Authorization": f"Bearer {token}"},
        timeout=60,
    ) as response:
        assert response.headers.get("content-length") is None  # streamed, not buffered
        for line in response.iter_lines():
            rows += bool(line)
    assert rows == ENTRIES, f"{rows} rows in {time.monotonic() - started:.1f} s"
    latest = exported_entries(service, token)[0]
    assert latest["outcome"] == "SUCCESS"
    assert isinstance(latest["metadata"], dict) and latest["metadata"]["count"] == ENTRIES
