"""The real service against a PostgreSQL cluster that is paused, crashed and restarted.

`auditlog serve` runs in a subprocess with AUDITLOG_DB_TIMEOUT=1 against a private
cluster (tests/postgres_cluster.py). While the database is paused (SIGSTOP) or down,
every request must answer 503 SERVICE_UNAVAILABLE with Retry-After before the client's
deadline (the timeout plus a margin: a bound, not a speed measurement), never a 500;
once the database is back, the same service process answers again.
"""

from __future__ import annotations

import datetime as dt
import os
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest

from tests import postgres_cluster
from tests.conftest import SECRET
from tests.postgres_cluster import Cluster, require_binaries
from tests.serving import free_port, running, serve_command

DB_TIMEOUT = 1.0
# A request may wait for the statement timeout and then for the connection's release.
DEADLINE = DB_TIMEOUT + 3
READY_DEADLINE = 2.0  # /readyz gives up after 0.8 s; the rest is slack for a busy machine
RECOVERY = 20.0
REPO = Path(__file__).resolve().parent.parent

READ = "{ auditLogs(first: 50) { edges { node { id action } } } }"
RECORD = (
    'mutation($key: String!) { recordAuditLogs(input: [{action: "inbox.create", '
    'target: {type: "inbox", id: "5"}, idempotencyKey: $key}]) '
    "{ results { id: entryId duplicate } } }"
)
GRANT = (
    'mutation { grantRole(input: {userId: "auditor-7", role: LOG_VIEWER}) { grant { active } } }'
)
CREATE_TOKEN = (
    'mutation { createApiToken(input: {name: "outage-test", role: LOG_VIEWER}) { token } }'
)


def _token(sub: str, roles: list[str]) -> str:
    now = dt.datetime.now(dt.UTC)
    claims = {"sub": sub, "aud": "auditlog", "account_id": "acme", "roles": roles}
    claims["exp"] = now + dt.timedelta(minutes=30)
    return jwt.encode(claims, SECRET, algorithm="HS256")


@dataclass
class Answer:
    """One request's outcome as the client saw it."""

    name: str
    status: int
    body: dict[str, Any]
    retry_after: str | None
    seconds: float

    @property
    def code(self) -> str | None:
        errors = self.body.get("errors") or []
        return errors[0].get("extensions", {}).get("code") if errors else None


@dataclass
class Service:
    """The running service, its database and the credentials the tests use."""

    cluster: Cluster
    base: str
    admin: str = _token("admin-1", ["admin"])
    ingest: str = _token("producer-1", ["ingest"])
    grantee: str = _token("auditor-7", [])  # may read only through a granted role
    api_token: str = ""
    statuses: list[int] = field(default_factory=list)

    def graphql(
        self, name: str, token: str, query: str, variables: dict[str, Any] | None = None
    ) -> Answer:
        """Post one operation; the client gives up after DEADLINE seconds."""
        body = {"query": query, "variables": variables or {}}
        headers = {"Authorization": f"Bearer {token}"}
        return self._send(name, "POST", "/graphql", DEADLINE, json=body, headers=headers)

    def readyz(self) -> Answer:
        """Ask whether the service is ready."""
        return self._send("readyz", "GET", "/readyz", READY_DEADLINE)

    def record(self, key: str) -> Answer:
        """Record one event with an idempotency key, as a producer would."""
        return self.graphql("ingest", self.ingest, RECORD, {"key": key})

    def requests(self) -> list[Answer]:
        """A read, an ingest, an API-token read, a read through grants and /readyz, at once."""
        calls: list[Callable[[], Answer]] = [
            lambda: self.graphql("read", self.admin, READ),
            lambda: self.record(f"during-{uuid.uuid4()}"),
            lambda: self.graphql("api-token read", self.api_token, READ),
            lambda: self.graphql("read via grant", self.grantee, READ),
            self.readyz,
        ]
        with ThreadPoolExecutor(len(calls)) as pool:
            return list(pool.map(lambda call: call(), calls))

    def wait_until_ready(self) -> None:
        """Poll /readyz until it says 200, failing after RECOVERY seconds."""
        deadline = time.monotonic() + RECOVERY
        while time.monotonic() < deadline:
            if self.readyz().status == 200:
                return
            time.sleep(0.2)
        pytest.fail(f"the service was not ready {RECOVERY:g} s after the database came back")

    def _send(self, name: str, method: str, path: str, timeout: float, **kwargs: Any) -> Answer:
        started = time.monotonic()
        try:
            response = httpx.request(method, self.base + path, timeout=timeout, **kwargs)
        except httpx.TimeoutException:
            pytest.fail(f"{name} got no answer within {timeout:g} s: the request hung")
        self.statuses.append(response.status_code)
        return Answer(
            name,
            response.status_code,
            response.json(),
            response.headers.get("retry-after"),
            time.monotonic() - started,
        )


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    """`auditlog serve` on a private cluster, with an API token and a role grant made."""
    require_binaries()
    cluster = Cluster()
    log_path = tmp_path_factory.mktemp("outage") / "service.log"
    try:
        cluster.init()
        cluster.start()
        port = free_port()
        env = {key: value for key, value in os.environ.items() if not key.startswith("AUDITLOG_")}
        env |= {
            "AUDITLOG_DATABASE_URL": cluster.url,
            "AUDITLOG_JWT_SECRET": SECRET,
            "AUDITLOG_DB_TIMEOUT": str(DB_TIMEOUT),
        }
        base = f"http://127.0.0.1:{port}"
        with running(serve_command(port), env, log_path, f"{base}/healthz"):
            served = Service(cluster, base)
            _prepare(served)
            yield served
    finally:
        cluster.destroy()


def _prepare(running: Service) -> None:
    created = running.graphql("create token", running.admin, CREATE_TOKEN)
    running.api_token = created.body["data"]["createApiToken"]["token"]
    granted = running.graphql("grant", running.admin, GRANT)
    assert granted.body["data"]["grantRole"]["grant"]["active"] is True


def _assert_unavailable(answers: list[Answer]) -> None:
    for answer in answers:
        assert answer.status == 503, (answer.name, answer.status, answer.body)
        if answer.name == "readyz":
            assert answer.body["status"] == "database unreachable"
            continue
        assert answer.code == "SERVICE_UNAVAILABLE", (answer.name, answer.body)
        assert answer.retry_after is not None and int(answer.retry_after) > 0, answer.name
        message = answer.body["errors"][0]["message"]
        assert message == "The database is not answering; retry in a few seconds.", answer.name


def _assert_answered(answers: list[Answer]) -> None:
    for answer in answers:
        assert answer.status == 200, (answer.name, answer.status, answer.body)
        assert answer.code is None, (answer.name, answer.body)


def _entry_ids(running: Service) -> set[str]:
    answer = running.graphql("read", running.admin, READ)
    assert answer.status == 200, answer.body
    return {edge["node"]["id"] for edge in answer.body["data"]["auditLogs"]["edges"]}


def test_every_request_is_answered_while_the_database_answers(service: Service) -> None:
    _assert_answered(service.requests())


def test_a_paused_database_gets_503_service_unavailable_before_the_deadline(
    service: Service,
) -> None:
    service.cluster.pause()
    try:
        first = service.requests()  # on pooled connections that stop answering
        again = service.requests()  # on fresh connections the server never accepts
    finally:
        service.cluster.resume()
    _assert_unavailable(first + again)


def test_the_service_answers_again_once_a_paused_database_resumes(service: Service) -> None:
    service.cluster.pause()
    try:
        paused = service.readyz()
    finally:
        service.cluster.resume()
    service.wait_until_ready()
    assert paused.status == 503
    _assert_answered(service.requests())


def test_a_stopped_database_gets_503_service_unavailable(service: Service) -> None:
    service.cluster.stop()
    try:
        answers = service.requests()
    finally:
        service.cluster.start()
    _assert_unavailable(answers)


def test_the_service_reconnects_after_the_database_restarts(service: Service) -> None:
    acknowledged = service.record(f"before-{uuid.uuid4()}")
    recorded_id = acknowledged.body["data"]["recordAuditLogs"]["results"][0]["id"]
    service.cluster.stop()
    try:
        down = service.readyz()
    finally:
        service.cluster.start()
    service.wait_until_ready()
    assert down.status == 503
    _assert_answered(service.requests())
    assert recorded_id in _entry_ids(service)


def test_no_request_got_an_internal_server_error(service: Service) -> None:
    service.requests()
    assert set(service.statuses) <= {200, 503}, sorted(set(service.statuses))


def test_missing_postgres_binaries_skip_the_fault_test(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(postgres_cluster, "BIN", tmp_path)
    monkeypatch.delenv(postgres_cluster.REQUIRE_TOOLS, raising=False)
    with pytest.raises(pytest.skip.Exception, match="pg_ctl missing; apt-get install"):
        require_binaries()


def test_missing_postgres_binaries_fail_the_fault_test_when_tools_are_required(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(postgres_cluster, "BIN", tmp_path)
    monkeypatch.setenv(postgres_cluster.REQUIRE_TOOLS, "1")
    with pytest.raises(pytest.fail.Exception, match="AUDITLOG_REQUIRE_TOOLS=1 requires them"):
        require_binaries()
