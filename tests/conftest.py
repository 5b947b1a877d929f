"""Shared fixtures: a migrated database per test on each backend, tokens, an HTTP client.

Every database test runs on SQLite and, when AUDITLOG_TEST_POSTGRES_URL is set, again
on PostgreSQL (test ids end in [sqlite] or [postgres]). Every test that uses the
`settings` fixture (so every HTTP API test) runs under the lean executor and again
under Strawberry's default one (ids [lean] and [plain]); AUDITLOG_TEST_LEAN_EXECUTOR=1
or 0 keeps only one of them.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import json
import os
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import jwt
import pytest

from auth.tokens import JwtConfig
from models.database import close_database, connection, open_database
from models.migrations import migrate
from server import create_app
from settings import Settings

SECRET = "test-secret-that-is-long-enough-for-hs256-0123456789"
POSTGRES_URL = os.environ.get("AUDITLOG_TEST_POSTGRES_URL", "")
BACKENDS = ["sqlite"] + (["postgres"] if POSTGRES_URL else [])
EXECUTORS = {"1": ["lean"], "0": ["plain"]}.get(
    os.environ.get("AUDITLOG_TEST_LEAN_EXECUTOR", ""), ["lean", "plain"]
)
_postgres_prepared = False


# Every table the migrations create (a test that rebuilds the schema drops them all).
SERVICE_TABLES = (
    "audit_log",
    "audit_log_sequence",
    "audit_log_migrations",
    "role_grant",
    "api_token",
    "export_job",
    "audit_log_stream",
    "audit_log_stream_attempt",
)


async def _prepare_postgres() -> None:
    """Rebuild the schema once per session, then empty the tables for each test."""
    global _postgres_prepared
    client = connection()
    if not _postgres_prepared:
        await client.execute_script(
            f"DROP TABLE IF EXISTS {', '.join(SERVICE_TABLES)} CASCADE;"
            "DROP FUNCTION IF EXISTS audit_log_refuse_change() CASCADE;"
        )
        await migrate()
        _postgres_prepared = True
    await client.execute_script(
        "TRUNCATE audit_log, audit_log_sequence, role_grant, api_token, export_job, "
        "audit_log_stream, audit_log_stream_attempt RESTART IDENTITY"
    )


@pytest.fixture(params=BACKENDS)
async def db(request: pytest.FixtureRequest, tmp_path: Any) -> AsyncIterator[str]:
    """An empty, migrated database; yields the backend's name."""
    if request.param == "sqlite":
        await open_database(f"sqlite://{tmp_path}/test.sqlite3")
        await migrate()
    else:
        await open_database(POSTGRES_URL)
        await _prepare_postgres()
    yield str(request.param)
    await close_database()


def settings_with(**changes: Any) -> Settings:
    """Settings for tests (a fixed HMAC secret, default limits) with some fields changed."""
    base = Settings(jwt=JwtConfig(SECRET, "HS256"), signing_key=SECRET, max_page_size=100)
    return dataclasses.replace(base, **changes)


@pytest.fixture(params=EXECUTORS)
def settings(request: pytest.FixtureRequest) -> Settings:
    """The tests' settings, on the lean or the plain executor."""
    return settings_with(lean_executor=request.param == "lean")


TokenFactory = Callable[..., str]


@pytest.fixture
def make_token() -> TokenFactory:
    """Return a function that signs a token; keyword arguments override claims."""

    def make(roles: list[str] | None = None, account_id: object = "acme", **claims: Any) -> str:
        now = dt.datetime.now(dt.UTC)
        payload: dict[str, Any] = {
            "sub": "user-1",
            "aud": "auditlog",
            "exp": now + dt.timedelta(minutes=5),
            "roles": roles if roles is not None else ["admin"],
        }
        if account_id is not None:
            payload["account_id"] = account_id
        payload.update(claims)
        payload = {key: value for key, value in payload.items() if value is not None}
        return jwt.encode(payload, SECRET, algorithm="HS256")

    return make


@contextlib.asynccontextmanager
async def app_client(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """A client of an app built from `settings` (a `db` fixture opens the database)."""
    app = create_app(settings, manage_database=False)
    transport = httpx.ASGITransport(app=app, client=("198.51.100.7", 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


@pytest.fixture
async def client(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client talking to the app in process (the `db` fixture opens the database)."""
    async with app_client(settings) as http:
        yield http


class GraphQLClient:
    """Posts GraphQL operations with a bearer token."""

    def __init__(self, http: httpx.AsyncClient) -> None:
        self.http = http

    async def __call__(
        self, query: str, variables: dict[str, Any] | None = None, token: str | None = None
    ) -> tuple[int, dict[str, Any]]:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        response = await self.http.post(
            "/graphql", json={"query": query, "variables": variables or {}}, headers=headers
        )
        return response.status_code, response.json()


@pytest.fixture
def gql(db: str, client: httpx.AsyncClient) -> GraphQLClient:
    """Send a GraphQL operation: `status, body = await gql(query, variables, token)`.

    Authentication reads role grants, so a database is always there.
    """
    return GraphQLClient(client)


async def post_escaped(
    client: httpx.AsyncClient, query: str, variables: dict[str, Any], token: str
) -> tuple[int, dict[str, Any]]:
    """Post with every non-ASCII character escaped, as JSON.stringify sends a lone surrogate."""
    response = await client.post(
        "/graphql",
        content=json.dumps({"query": query, "variables": variables}).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    return response.status_code, response.json()


def error_code(body: dict[str, Any]) -> str | None:
    """Return the first error's extensions.code, or None when there is no error."""
    errors = body.get("errors") or []
    return errors[0]["extensions"]["code"] if errors else None
