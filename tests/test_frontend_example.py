"""examples/frontend: its generated types, its strict type check, and its Apollo script
paging through a real service whose log would trip a cache that merges value objects.

Needs Node.js and `npm ci --prefix examples/frontend`: skipped without them, failed
instead when AUDITLOG_REQUIRE_TOOLS=1 (as in CI).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from auth.principal import Role
from auth.tokens import JwtConfig, issue_token
from tests.conftest import BACKENDS, POSTGRES_URL
from tests.serving import (
    REPO,
    free_port,
    postgres_database,
    require_node_project,
    running,
    serve_command,
)

FRONTEND = REPO / "examples" / "frontend"
SECRET = "frontend-example-secret-long-enough-for-hs256-0123"
ACCOUNT = "frontend"
ENTRIES = 130
PAGE_SIZE = 25
RECORD = """
mutation Record($input: [AuditLogInput!]!) {
  recordAuditLogs(input: $input) { results { entryId duplicate } }
}
"""


@pytest.fixture(scope="module", autouse=True)
def frontend_installed() -> None:
    """Skip without Node.js or the example's packages, unless the tools are required."""
    require_node_project(FRONTEND)


def run_tool(*command: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run one of the example's npm binaries in examples/frontend."""
    binary = FRONTEND / "node_modules" / ".bin" / command[0]
    return subprocess.run(
        [str(binary), *command[1:]],
        cwd=FRONTEND,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _person(kind: str, external_id: str, name: str) -> dict[str, str]:
    email = name.split()[0].lower() + "@example.com"
    return {"type": kind, "id": external_id, "name": name, "email": email}


def _event(index: int, occurred_at: dt.datetime) -> dict[str, Any]:
    """One of six kinds of event; the same ids name an inbox, a team, a user and a client."""
    late = index >= ENTRIES // 2
    alice = _person("USER", "1", "Alice Smith")
    bob = _person("USER", "2", "Robert Jones" if late else "Bob Jones")
    event: dict[str, Any] = {
        "occurredAt": occurred_at.isoformat(),
        "idempotencyKey": f"frontend-{index}",
        "requestId": f"req-{index}",
        "ipAddress": "2001:db8::7" if index % 4 else f"203.0.113.{index % 250}",
        "userAgent": "Mozilla/5.0",
    }
    kind = index % 6
    if kind == 0:
        name = "Support" if late else "Help"
        event |= {"action": "inbox.update", "actor": alice}
        event["target"] = {"type": "inbox", "id": "5", "name": name}
        event["changes"] = [{"field": "greeting", "before": None, "after": f"Hi #{index}"}]
    elif kind == 1:
        zapier = {"type": "API_CLIENT", "id": "2", "name": "Zapier"}
        event |= {"action": "inbox.update", "actor": zapier}
        event["target"] = {"type": "inbox", "id": "2", "name": "Sales"}
        event["changes"] = [{"field": "enabled", "before": False, "after": True}]
    elif kind == 2:
        event |= {"action": "team.update", "actor": bob}
        event["target"] = {"type": "team", "id": "2", "name": "Billing" if late else "Team Two"}
        event["metadata"] = {"members": ["1", "2"], "settings": {"round_robin": index % 2 == 0}}
    elif kind == 3:
        event |= {"action": "account_user.update", "actor": alice}
        event["target"] = {"type": "user", "id": "2", "name": bob["name"]}
        event["changes"] = [{"field": "role", "before": "agent", "after": "administrator"}]
    elif kind == 4:
        event |= {"action": "user.sign_in", "actor": bob}
        if index % 2:
            event |= {"outcome": "FAILURE", "failureReason": "wrong password"}
    else:
        # A JSON value that looks like an object with an identity is still only a value.
        job = {"__typename": "Target", "id": "2", "rows": index * 1000, "ok": None}
        event |= {"action": "custom.nightly_export", "metadata": {"job": job}}
    return event


def recorded_events(now: dt.datetime) -> list[dict[str, Any]]:
    """ENTRIES events over the last days, two at each moment (paging breaks such ties)."""
    start = now.replace(second=0, microsecond=0) - dt.timedelta(days=5)
    return [_event(i, start + dt.timedelta(minutes=53 * (i // 2))) for i in range(ENTRIES)]


def _token(role: Role) -> str:
    return issue_token(
        JwtConfig(SECRET, "HS256"),
        SECRET,
        subject=f"frontend-{role.value}",
        account_id=ACCOUNT,
        roles=[role],
        ttl=dt.timedelta(minutes=30),
    )


@dataclass(frozen=True)
class ServedLog:
    """A running service and a log-viewer token of the account its events went to."""

    url: str
    token: str


@contextmanager
def fresh_database(backend: str, folder: Path) -> Iterator[str]:
    """An empty database; on PostgreSQL one of its own, since the tests empty the shared one."""
    if backend == "sqlite":
        yield f"sqlite://{folder}/audit.sqlite3"
        return
    name = POSTGRES_URL.rpartition("/")[2] + "_frontend"
    with postgres_database(POSTGRES_URL, name) as url:
        yield url


@pytest.fixture(scope="module", params=BACKENDS)
def served_log(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ServedLog]:
    """`auditlog serve` on a free port over a fresh database holding the ENTRIES events."""
    folder = tmp_path_factory.mktemp(f"frontend-{request.param}")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with fresh_database(request.param, folder) as database:
        env = {key: value for key, value in os.environ.items() if not key.startswith("AUDITLOG_")}
        env |= {
            "AUDITLOG_JWT_SECRET": SECRET,
            "AUDITLOG_DATABASE_URL": database,
            "AUDITLOG_RATE_LIMIT": "off",
        }
        with running(serve_command(port), env, folder / "service.log", f"{base}/healthz"):
            events = recorded_events(dt.datetime.now(dt.UTC))
            response = httpx.post(
                f"{base}/graphql",
                json={"query": RECORD, "variables": {"input": events}},
                headers={"Authorization": f"Bearer {_token(Role.INGEST)}"},
                timeout=30,
            )
            results = response.json()["data"]["recordAuditLogs"]["results"]
            assert [result["duplicate"] for result in results] == [False] * ENTRIES
            yield ServedLog(f"{base}/graphql", _token(Role.LOG_VIEWER))


def page_through(log: ServedLog, *args: str) -> tuple[int, dict[str, Any], str]:
    """Run the example's Apollo script against `log`: exit code, JSON summary, stderr."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("AUDITLOG_")}
    env |= {"AUDITLOG_URL": log.url, "AUDITLOG_TOKEN": log.token}
    env["AUDITLOG_PAGE_SIZE"] = str(PAGE_SIZE)
    done = run_tool("tsx", "src/page-through.ts", *args, env=env)
    lines = done.stdout.strip().splitlines()
    assert lines, f"no summary; exit {done.returncode}:\n{done.stderr}"
    summary: dict[str, Any] = json.loads(lines[-1])
    return done.returncode, summary, done.stderr


def test_the_generated_client_matches_the_schema_and_documents() -> None:
    check = run_tool("graphql-codegen", "--config", "codegen.ts", "--check")
    assert check.returncode == 0, (
        f"examples/frontend/src/gql is stale; run: npm run --prefix examples/frontend codegen\n"
        f"{check.stdout}{check.stderr}"
    )


def test_the_example_type_checks_in_strict_mode() -> None:
    check = run_tool("tsc", "--noEmit", "-p", ".")
    assert check.returncode == 0, check.stdout + check.stderr


def test_a_default_apollo_cache_gives_back_every_field_the_server_sent(
    served_log: ServedLog,
) -> None:
    code, summary, errors = page_through(served_log)
    assert code == 0, errors
    assert summary["mismatches"] == 0
    assert summary["entries"] == ENTRIES
    assert summary["totalCount"] == str(ENTRIES)
    assert summary["pages"] == 6  # five pages of 25 entries, then one of 5
    # Id "2" names a user, an API client, an inbox, a team and a user target; inbox 5, team 2
    # and user 2 (as actor and as target) were renamed half way through.
    assert (summary["sharedExternalIds"], summary["renamedRecords"]) == (1, 4)
    assert summary["facetValues"] > 0 and summary["histogramBuckets"] > 0


def test_the_check_fails_when_the_cache_merges_value_objects(served_log: ServedLog) -> None:
    code, summary, errors = page_through(served_log, "--merge-value-objects")
    assert code == 1
    assert summary["mismatches"] > 0
    assert 'node.target.name: "Help", the server sent "Support"' in errors
    assert "node.target.type:" in errors
