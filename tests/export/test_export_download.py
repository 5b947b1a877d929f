"""GET /exports/{id}/file: by token or signed link, for a finished and unexpired export."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import httpx
import pytest

from export.worker import ExportWorker
from models.export_job import ExportJob, JobStatus
from tests.conftest import GraphQLClient, TokenFactory, app_client, settings_with
from tests.export.conftest import bearer, fetch_export, queued, seed


async def test_expired_files_are_removed_and_no_longer_download(
    api: GraphQLClient, http: httpx.AsyncClient, worker: ExportWorker, admin: str
) -> None:
    await seed()
    export_id, job_id = await queued(api, admin)
    await worker.run_once()
    done = await ExportJob.get(id=job_id)
    assert done.expires_at is not None and done.finished_at is not None
    assert done.expires_at - done.finished_at == worker.config.ttl
    assert await worker.sweep(done.expires_at - dt.timedelta(seconds=1)) == 0
    assert await worker.sweep(done.expires_at) == 1
    assert list(worker.config.directory.iterdir()) == []
    expired = await fetch_export(api, admin, export_id)
    assert expired is not None
    assert (expired["status"], expired["downloadUrl"], expired["signedDownloadUrl"]) == (
        "EXPIRED",
        None,
        None,
    )
    assert expired["sha256"] == done.sha256  # the record of what was exported stays
    response = await http.get(f"/exports/{export_id}/file", headers=bearer(admin))
    assert response.status_code == 404
    assert "expired" in response.json()["errors"][0]["message"]


async def test_a_file_past_its_expiry_does_not_download_before_the_clean_up(
    api: GraphQLClient, http: httpx.AsyncClient, worker: ExportWorker, admin: str
) -> None:
    export_id, job_id = await queued(api, admin)
    await worker.run_once()
    past = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
    await ExportJob.filter(id=job_id).update(expires_at=past)
    response = await http.get(f"/exports/{export_id}/file", headers=bearer(admin))
    assert response.status_code == 404


async def test_an_export_without_a_file_yet_answers_409_and_a_failed_one_404(
    api: GraphQLClient, http: httpx.AsyncClient, admin: str
) -> None:
    export_id, job_id = await queued(api, admin)
    waiting = await http.get(f"/exports/{export_id}/file", headers=bearer(admin))
    assert waiting.status_code == 409
    assert waiting.json()["errors"][0]["extensions"]["code"] == "EXPORT_NOT_READY"
    await ExportJob.filter(id=job_id).update(status=JobStatus.FAILED, failure_reason="disk full")
    failed = await http.get(f"/exports/{export_id}/file", headers=bearer(admin))
    assert failed.status_code == 404
    assert "disk full" in failed.json()["errors"][0]["message"]


@pytest.mark.parametrize("kind", ["ingest", "no_account", "none"])
async def test_downloading_needs_a_token_with_the_export_permission(
    api: GraphQLClient,
    http: httpx.AsyncClient,
    worker: ExportWorker,
    admin: str,
    make_token: TokenFactory,
    kind: str,
) -> None:
    export_id, _ = await queued(api, admin)
    await worker.run_once()
    tokens = {
        "ingest": make_token(roles=["ingest"]),
        "no_account": make_token(roles=["ingest"], account_id=None),
    }
    headers = bearer(tokens[kind]) if kind in tokens else {}
    response = await http.get(f"/exports/{export_id}/file", headers=headers)
    assert response.status_code == (401 if kind == "none" else 403)


async def test_a_signed_link_downloads_without_a_token_and_only_that_file(
    api: GraphQLClient, http: httpx.AsyncClient, worker: ExportWorker, admin: str
) -> None:
    await seed()
    export_id, _ = await queued(api, admin)
    other_id, _ = await queued(api, admin)
    await worker.run_once()
    await worker.run_once()
    done = await fetch_export(api, admin, export_id)
    assert done is not None
    link = done["signedDownloadUrl"]
    assert link.startswith(f"/exports/{export_id}/file?expires=")
    file = await http.get(link)
    assert file.status_code == 200
    assert hashlib.sha256(file.content).hexdigest() == done["sha256"]
    for wrong in (link.replace(export_id, other_id), link[:-2] + "xx"):
        refused = await http.get(wrong)
        assert refused.status_code == 403
        assert refused.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_without_a_link_key_there_are_no_signed_links(
    api: GraphQLClient, worker: ExportWorker, admin: str, db: str, tmp_path: Path
) -> None:
    export_id, _ = await queued(api, admin)
    await worker.run_once()
    keyless = settings_with(signing_key=None, export_dir=worker.config.directory)
    async with app_client(keyless) as client:
        done = await fetch_export(GraphQLClient(client), admin, export_id)
    assert done is not None
    assert done["downloadUrl"] is not None and done["signedDownloadUrl"] is None
