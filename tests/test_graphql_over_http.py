"""The GraphQL-over-HTTP specification: media types and status codes, and its own audit."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from auth.principal import Role
from auth.tokens import JwtConfig, issue_token
from tests.conftest import TokenFactory
from tests.serving import REPO, free_port, require_node_project, running, serve_command

AUDIT = REPO / "tests" / "http_audit"
GRAPHQL_RESPONSE = "application/graphql-response+json"
SECRET = "http-audit-secret-long-enough-for-hs256-0123456789"


async def post(
    client: httpx.AsyncClient, body: dict[str, object], accept: str, token: str
) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}", "Accept": accept}
    return await client.post("/graphql", json=body, headers=headers)


@pytest.mark.parametrize(
    "body",
    [
        {"query": "{ viewer { id "},
        {"query": "{ viewer { nope } }"},
        {
            "query": "query($n: Int) { auditLogs(first: $n) { totalCount } }",
            "variables": {"n": "x"},
        },
        {"query": "{ viewer { id } }", "variables": {"x": "nul\u0000"}},
    ],
    ids=["parse", "validation", "variable-coercion", "unstorable-variable"],
)
async def test_request_errors_are_400_without_data_for_graphql_response_json(
    gql: object, client: httpx.AsyncClient, make_token: TokenFactory, body: dict[str, object]
) -> None:
    modern = await post(client, body, GRAPHQL_RESPONSE, make_token())
    legacy = await post(client, body, "application/json", make_token())
    assert modern.status_code == 400
    assert modern.headers["content-type"].startswith(GRAPHQL_RESPONSE)
    assert "data" not in modern.json() and modern.json()["errors"]
    assert legacy.status_code == 200
    assert legacy.headers["content-type"].startswith("application/json")
    assert legacy.json()["data"] is None


async def test_an_executed_request_is_200_with_data_for_graphql_response_json(
    gql: object, client: httpx.AsyncClient, make_token: TokenFactory
) -> None:
    body = {"query": '{ viewer { externalId } auditLog(id: "QXVkaXRMb2c6MQ") { id } }'}
    response = await post(client, body, GRAPHQL_RESPONSE, make_token(roles=["ingest"]))
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(GRAPHQL_RESPONSE)
    assert response.json()["data"] == {"viewer": {"externalId": "user-1"}, "auditLog": None}
    assert response.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"


def _audit_tools() -> None:
    require_node_project(AUDIT)


@pytest.fixture
def service(tmp_path: Path) -> Iterator[str]:
    """`auditlog serve` on a free port over a fresh SQLite file; yields /graphql."""
    port = free_port()
    env = {key: value for key, value in os.environ.items() if not key.startswith("AUDITLOG_")}
    env |= {
        "AUDITLOG_JWT_SECRET": SECRET,
        "AUDITLOG_DATABASE_URL": f"sqlite://{tmp_path}/audit.sqlite3",
        "AUDITLOG_RATE_LIMIT": "off",
    }
    base = f"http://127.0.0.1:{port}"
    with running(serve_command(port), env, tmp_path / "service.log", f"{base}/healthz"):
        yield f"{base}/graphql"


def test_the_graphql_over_http_audit_passes_without_a_warning(service: str) -> None:
    _audit_tools()
    token = issue_token(
        JwtConfig(SECRET, "HS256"),
        SECRET,
        subject="auditor",
        account_id="acme",
        roles=[Role.LOG_VIEWER],
        ttl=dt.timedelta(minutes=10),
    )
    audit = subprocess.run(
        ["node", str(AUDIT / "audit.mjs"), service, token],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert audit.returncode == 0, audit.stdout + audit.stderr
    assert "0 warn, 0 error" in audit.stdout
