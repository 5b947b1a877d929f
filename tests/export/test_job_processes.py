"""Export jobs across real `auditlog serve` processes: a kill -9 mid-job, two instances,
a database crash mid-job.

Each run gets a fresh database (SQLite file; on PostgreSQL a database of its own named
after AUDITLOG_TEST_POSTGRES_URL's with an `_export_jobs` suffix, or a private cluster,
tests/postgres_cluster.py) and export directory.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gzip
import os
import signal
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from auth.principal import Role
from auth.tokens import JwtConfig, issue_token
from tests.conftest import BACKENDS, POSTGRES_URL, SECRET
from tests.postgres_cluster import Cluster, require_binaries
from tests.serving import free_port, postgres_database, running, serve_command

ROWS = 2000
RECORD = (
    "mutation($input: [AuditLogInput!]!) "
    "{ recordAuditLogs(input: $input) { results { duplicate } } }"
)
CREATE = (
    "mutation($input: CreateAuditLogExportInput!) "
    "{ createAuditLogExport(input: $input) { export { id } } }"
)
STATUS = "query($id: ID!) { auditLogExport(id: $id) { status rowsWritten attempts downloadUrl } }"
AUDITED = (
    '{ auditLogs(first: 100, filter: {actions: ["audit_log.exported"]}) '
    "{ edges { node { outcome metadata } } } }"
)


def token(role: Role) -> str:
    return issue_token(
        JwtConfig(SECRET, "HS256"),
        SECRET,
        subject=f"jobs-{role.value}",
        account_id="acme",
        roles=[role],
        ttl=dt.timedelta(minutes=30),
        name="Alice Smith",
    )


@contextmanager
def fresh_database(backend: str, folder: Path) -> Iterator[str]:
    """An empty database; on PostgreSQL one of its own, since the tests empty the shared one."""
    if backend == "sqlite":
        yield f"sqlite://{folder}/audit.sqlite3"
        return
    with postgres_database(POSTGRES_URL, POSTGRES_URL.rpartition("/")[2] + "_export_jobs") as url:
        yield url


class Service:
    """Calls to one running instance."""

    def __init__(self, port: int) -> None:
        self.base = f"http://127.0.0.1:{port}"

    def graphql(
        self, query: str, variables: dict[str, Any] | None = None, role: Role = Role.ADMIN
    ) -> dict[str, Any]:
        response = httpx.post(
            f"{self.base}/graphql",
            json={"query": query, "variables": variables or {}},
            headers={"Authorization": f"Bearer {token(role)}"},
            timeout=30,
        )
        body: dict[str, Any] = response.json()
        assert "errors" not in body, body
        return body["data"]

    def status(self, export_id: str) -> dict[str, Any]:
        export: dict[str, Any] = self.graphql(STATUS, {"id": export_id})["auditLogExport"]
        return export

    def wait_for(
        self, export_id: str, *statuses: str, rows: int = 0, timeout: float = 90
    ) -> dict[str, Any]:
        """Poll the export until it has a status of `statuses` and `rows` rows written.

        Answers with errors (503 while the database is away) are polled through.
        """
        deadline, export = time.monotonic() + timeout, None
        while time.monotonic() < deadline:
            with contextlib.suppress(AssertionError, httpx.TransportError):
                export = self.status(export_id)
                if export["status"] in statuses and int(export["rowsWritten"]) >= rows:
                    return export
            time.sleep(0.05)
        raise AssertionError(f"export {export_id} never reached {statuses}: {export}")


def environment(database: str, exports: Path, **extra: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("AUDITLOG_")}
    return env | {
        "AUDITLOG_JWT_SECRET": SECRET,
        "AUDITLOG_DATABASE_URL": database,
        "AUDITLOG_RATE_LIMIT": "off",
        "AUDITLOG_EXPORT_DIR": str(exports),
        "AUDITLOG_EXPORT_LEASE": "2",
        **extra,
    }


def seed(service: Service, rows: int) -> None:
    start = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
    for offset in range(0, rows, 1000):
        events = [
            {
                "action": "custom.step",
                "actor": {"type": "USER", "id": "7", "name": "Bob Jones"},
                "metadata": {"n": n},
                "occurredAt": (start + dt.timedelta(seconds=n)).isoformat(),
            }
            for n in range(offset, min(offset + 1000, rows))
        ]
        service.graphql(RECORD, {"input": events}, Role.INGEST)


def audit_entries(service: Service) -> list[dict[str, Any]]:
    edges = service.graphql(AUDITED)["auditLogs"]["edges"]
    return [edge["node"] for edge in edges]


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_job_running_when_its_instance_is_killed_finishes_after_a_restart(
    backend: str, tmp_path: Path
) -> None:
    with fresh_database(backend, tmp_path) as database:
        env = environment(database, tmp_path / "exports", AUDITLOG_EXPORT_BATCH_SIZE="1")
        port = free_port()
        first = Service(port)
        ready = f"{first.base}/readyz"
        with running(serve_command(port), env, tmp_path / "first.log", ready) as process:
            seed(first, ROWS)
            created = first.graphql(CREATE, {"input": {"query": "action:custom.step"}})
            export_id = created["createAuditLogExport"]["export"]["id"]
            first.wait_for(export_id, "RUNNING", rows=1)
            process.send_signal(signal.SIGKILL)
            process.wait()
        assert list((tmp_path / "exports").glob("*.gz")) == []  # at most a .partial
        port = free_port()
        second = Service(port)
        ready = f"{second.base}/readyz"
        with running(serve_command(port), env, tmp_path / "second.log", ready):
            # Still the killed run's, or already taken over if start-up outlasted the lease.
            stalled = second.status(export_id)
            assert (stalled["status"], stalled["attempts"] in (1, 2)) == ("RUNNING", True)
            done = second.wait_for(export_id, "SUCCEEDED")
            assert (done["rowsWritten"], done["attempts"]) == (str(ROWS), 2)
            file = httpx.get(
                second.base + done["downloadUrl"],
                headers={"Authorization": f"Bearer {token(Role.ADMIN)}"},
                timeout=30,
            )
            lines = gzip.decompress(file.content).decode().splitlines()
            assert len(lines) == ROWS + 1  # the header and every entry, once
            [entry] = audit_entries(second)
            assert (entry["outcome"], entry["metadata"]["job"]) == ("SUCCESS", export_id)
        assert [path.name.endswith(".gz") for path in (tmp_path / "exports").iterdir()] == [True]


@pytest.mark.parametrize("backend", BACKENDS)
def test_two_instances_sharing_a_database_run_each_job_once(backend: str, tmp_path: Path) -> None:
    with fresh_database(backend, tmp_path) as database:
        env = environment(database, tmp_path / "exports", AUDITLOG_EXPORT_WORKERS="2")
        ports = [free_port(), free_port()]
        services = [Service(port) for port in ports]
        with (
            running(serve_command(ports[0]), env, tmp_path / "a.log", f"{services[0].base}/readyz"),
            running(serve_command(ports[1]), env, tmp_path / "b.log", f"{services[1].base}/readyz"),
        ):
            seed(services[0], 300)
            ids = [
                services[n % 2].graphql(CREATE, {"input": {"query": "action:custom.step"}})[
                    "createAuditLogExport"
                ]["export"]["id"]
                for n in range(8)
            ]
            finished = [services[0].wait_for(export_id, "SUCCEEDED") for export_id in ids]
            assert {export["attempts"] for export in finished} == {1}
            entries = audit_entries(services[1])
            assert sorted(entry["metadata"]["job"] for entry in entries) == sorted(ids)
            assert {entry["metadata"]["count"] for entry in entries} == {300}


def test_a_job_running_when_the_database_crashes_runs_again_once_it_is_back(
    tmp_path: Path,
) -> None:
    require_binaries()
    cluster = Cluster()
    try:
        cluster.init()
        cluster.start()
        env = environment(
            cluster.url,
            tmp_path / "exports",
            AUDITLOG_EXPORT_BATCH_SIZE="1",
            AUDITLOG_DB_TIMEOUT="1",
        )
        port = free_port()
        service = Service(port)
        with running(serve_command(port), env, tmp_path / "service.log", f"{service.base}/healthz"):
            seed(service, ROWS)
            created = service.graphql(CREATE, {"input": {"query": "action:custom.step"}})
            export_id = created["createAuditLogExport"]["export"]["id"]
            service.wait_for(export_id, "RUNNING", rows=1)
            cluster.stop()  # a crash: no clean shutdown
            time.sleep(3)
            cluster.start()
            done = service.wait_for(export_id, "SUCCEEDED", "FAILED", timeout=120)
            assert (done["status"], done["rowsWritten"], done["attempts"]) == (
                "SUCCEEDED",
                str(ROWS),
                2,
            )
            [entry] = audit_entries(service)
            assert (entry["outcome"], entry["metadata"]["job"]) == ("SUCCESS", export_id)
        log = (tmp_path / "service.log").read_text()
        assert "export job 1 of account acme interrupted: the database stopped answering" in log
        assert "Export worker error" not in log  # the outage was expected, not a fault
    finally:
        cluster.destroy()
