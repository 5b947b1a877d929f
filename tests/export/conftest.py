"""Fixtures for export jobs: an app with its own export directory, a worker, callers."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from export.worker import ExportWorker
from models.audit_log import AuditLog
from schema.ids import from_global_id
from server import export_worker
from settings import Settings
from tests.conftest import GraphQLClient, TokenFactory, app_client
from tests.factories import event, minutes, record

CREATE = """
mutation Create($input: CreateAuditLogExportInput!) {
  createAuditLogExport(input: $input) { export {
    id status format filter query orderBy locale timeZone columns bom rowsWritten totalRows
    progress byteSize sha256 fileName createdBy { externalId name email } createdAt
    startedAt finishedAt expiresAt failureReason attempts downloadUrl signedDownloadUrl
  } }
}
"""
FIELDS = """
  id status rowsWritten totalRows progress byteSize sha256 fileName expiresAt failureReason
  attempts downloadUrl signedDownloadUrl createdBy { externalId name }
"""
EXPORT = f"query($id: ID!) {{ auditLogExport(id: $id) {{ {FIELDS} }} }}"


@pytest.fixture
def job_settings(settings: Settings, tmp_path: Path) -> Settings:
    """The tests' settings with an export directory of the test's own and tiny batches."""
    return dataclasses.replace(settings, export_dir=tmp_path / "exports", export_batch_size=2)


@pytest.fixture
async def http(db: str, job_settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """A client of the app (in process; its worker is not started: tests run jobs)."""
    async with app_client(job_settings) as client:
        yield client


@pytest.fixture
def api(http: httpx.AsyncClient) -> GraphQLClient:
    """Send GraphQL to the app of `http`."""
    return GraphQLClient(http)


@pytest.fixture
def worker(job_settings: Settings) -> ExportWorker:
    """A worker over the test's export directory, as the lifespan would start it."""
    made = export_worker(job_settings)
    made.prepare()
    return made


@pytest.fixture
def admin(make_token: TokenFactory) -> str:
    """An admin of acme, named, as a dashboard user's token would be."""
    return make_token(roles=["admin"], sub="1", name="Alice Smith", email="alice@example.com")


async def create_export(
    api: GraphQLClient, token: str, **fields: Any
) -> tuple[dict[str, Any] | None, dict[str, Any]]:
    """Ask for an export; return the export (or None) and the whole answer."""
    _, body = await api(CREATE, {"input": fields}, token)
    data = body.get("data") or {}
    payload = data.get("createAuditLogExport")
    return (payload["export"] if payload else None), body


async def fetch_export(api: GraphQLClient, token: str, export_id: str) -> dict[str, Any] | None:
    """The export as auditLogExport(id:) answers it."""
    _, body = await api(EXPORT, {"id": export_id}, token)
    export: dict[str, Any] | None = body["data"]["auditLogExport"]
    return export


QUERY = "-category:audit_log"  # the log without the exports' own entries


async def seed() -> None:
    """Five entries of acme (two batches and a half), and one of another account."""
    await record(
        "acme",
        *(event("inbox.create", occurred_at=minutes(n)) for n in range(3)),
        event("team_member.add", metadata={"member_id": 7}, occurred_at=minutes(3)),
        event("custom.deploy", target=None, tags=("gdpr",), occurred_at=minutes(4)),
    )
    await record("globex", event())


async def queued(api: GraphQLClient, token: str, **fields: Any) -> tuple[str, int]:
    """A new export of acme's log; its global and row ids."""
    export, body = await create_export(api, token, **{"query": QUERY, **fields})
    assert export is not None, body
    return export["id"], from_global_id("AuditLogExport", export["id"])


def bearer(token: str) -> dict[str, str]:
    """The Authorization header of `token`."""
    return {"Authorization": f"Bearer {token}"}


async def exported_entries() -> list[AuditLog]:
    """The log's audit_log.exported entries, oldest first."""
    return await AuditLog.filter(action="audit_log.exported").order_by("id")
