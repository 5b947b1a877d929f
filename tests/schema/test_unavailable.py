"""A database outage reaches clients as SERVICE_UNAVAILABLE, HTTP 503 with Retry-After.

Three outages, made for real: PostgreSQL refusing connections, a PostgreSQL pool whose
only connection is taken (the wait for it times out), and a SQLite file another process
holds locked. Every path that reads the database answers the same way: a read, an
ingest, a read through a granted role (the grant is read in the permission check) and an
API-token call (the token is looked up before the gate lets the request in).
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from models.database import DatabaseLimits, close_database, connection, open_database
from models.migrations import migrate
from schema.errors import unavailable_retry_after
from server import create_app
from settings import Settings, _database_url
from tests.conftest import POSTGRES_URL, SECRET, TokenFactory
from tests.serving import free_port

MESSAGE = "The database is not answering; retry in a few seconds."
READ = "{ auditLogs(first: 5) { edges { node { id } } } }"
RECORD = (
    'mutation { recordAuditLogs(input: [{action: "inbox.create", target: {type: "inbox", '
    'id: "5"}}]) { results { id: entryId } } }'
)
CALLS = {
    "read": (READ, {"roles": ["admin"]}),
    "ingest": (RECORD, {"roles": ["ingest"]}),
    "read-via-grant": (READ, {"roles": [], "sub": "auditor-7"}),
    "api-token": (READ, None),
}
# SQLite readers never wait for a writer (WAL): there, a held write lock stops only writes.
OUTAGES = {
    "postgres-refused": list(CALLS),
    "sqlite-write-locked": ["ingest"],
    **({"postgres-pool-taken": list(CALLS)} if POSTGRES_URL else {}),
}
MATRIX = [
    pytest.param(outage, call, id=f"{outage}-{call}")
    for outage, calls in OUTAGES.items()
    for call in calls
]


@contextlib.asynccontextmanager
async def failing_database(outage: str, tmp_path: Path) -> AsyncIterator[None]:
    """A database that does not answer, in the way `outage` names."""
    if outage == "sqlite-write-locked":
        await open_database(_database_url(f"sqlite://{tmp_path}/locked.sqlite3", timeout=0.2))
        await migrate()
        other = sqlite3.connect(tmp_path / "locked.sqlite3", isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
    elif outage == "postgres-refused":
        url = f"postgres://postgres@127.0.0.1:{free_port()}/none"
        await open_database(url, DatabaseLimits(timeout=1))
    else:
        await open_database(POSTGRES_URL, DatabaseLimits(timeout=0.5, pool_size=1))
    try:
        if outage == "postgres-pool-taken":
            async with connection().acquire_connection():
                yield
        else:
            yield
    finally:
        if outage == "sqlite-write-locked":
            other.close()
        await close_database()


@pytest.fixture
async def app_client() -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client to the app (the test opens the database)."""
    app = create_app(Settings.from_env({"AUDITLOG_JWT_SECRET": SECRET}), manage_database=False)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        yield client


@pytest.mark.parametrize(("outage", "call"), MATRIX)
async def test_every_database_path_answers_503_service_unavailable_during_an_outage(
    app_client: httpx.AsyncClient,
    make_token: TokenFactory,
    tmp_path: Path,
    outage: str,
    call: str,
) -> None:
    query, claims = CALLS[call]
    token = make_token(**claims) if claims is not None else "alog_" + "x" * 43
    headers = {"Authorization": f"Bearer {token}"}
    async with failing_database(outage, tmp_path):
        response = await app_client.post("/graphql", json={"query": query}, headers=headers)
    body = response.json()
    assert (response.status_code, response.headers.get("retry-after")) == (503, "5"), body
    assert body["errors"][0]["extensions"] == {"code": "SERVICE_UNAVAILABLE"}
    assert body["errors"][0]["message"] == MESSAGE


@pytest.mark.parametrize(
    "outage", ["postgres-refused"] + ["postgres-pool-taken"] * bool(POSTGRES_URL)
)
async def test_readyz_gives_the_reason_the_database_is_not_ready(
    app_client: httpx.AsyncClient, tmp_path: Path, outage: str
) -> None:
    async with failing_database(outage, tmp_path):
        response = await app_client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["reason"].startswith("The database ")


def _result(*codes: str) -> dict[str, Any]:
    return {"data": None, "errors": [{"message": "m", "extensions": {"code": c}} for c in codes]}


@pytest.mark.parametrize(
    ("response", "retry_after"),
    [
        pytest.param({"data": {"viewer": None}}, None, id="no-error"),
        pytest.param(_result("FORBIDDEN"), None, id="other-error"),
        pytest.param(_result("FORBIDDEN", "SERVICE_UNAVAILABLE"), 5, id="one-of-several"),
        pytest.param([_result("NOT_FOUND"), _result("SERVICE_UNAVAILABLE")], 5, id="in-a-batch"),
    ],
)
def test_retry_after_is_given_when_any_error_is_service_unavailable(
    response: object, retry_after: int | None
) -> None:
    assert unavailable_retry_after(response) == retry_after
