"""The export worker: jobs run to a file, settle once, survive restarts and outages."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import gzip
import hashlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from tortoise.exceptions import DBConnectionError

from export.worker import ExportWorker, WorkerConfig
from models.audit_log import AuditLog
from models.export_job import ExportJob, JobStatus
from resolvers.export_jobs import INTERRUPTED, MAX_ATTEMPTS, claim_export_job, record_progress
from resolvers.exports import entry_batches
from schema.ids import from_global_id
from tests.conftest import GraphQLClient, TokenFactory
from tests.export.conftest import create_export, fetch_export
from tests.factories import event, minutes, record

QUERY = "-category:audit_log"  # the log without the exports' own entries
FORMATS = {"CSV": "csv", "NDJSON": "ndjson", "JSON": "json"}


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
    return {"Authorization": f"Bearer {token}"}


async def exported_entries() -> list[AuditLog]:
    return await AuditLog.filter(action="audit_log.exported").order_by("id")


@pytest.mark.parametrize("fmt", FORMATS)
async def test_a_job_writes_gzip_of_exactly_what_get_export_streams(
    api: GraphQLClient, http: httpx.AsyncClient, worker: ExportWorker, admin: str, fmt: str
) -> None:
    await seed()
    export_id, _ = await queued(api, admin, format=fmt, timeZone="Europe/Berlin")
    assert await worker.run_once() is not None
    done = await fetch_export(api, admin, export_id)
    assert done is not None
    assert (done["status"], done["rowsWritten"], done["totalRows"], done["progress"]) == (
        "SUCCEEDED",
        "5",
        "5",
        1.0,
    )
    file = await http.get(done["downloadUrl"], headers=bearer(admin))
    assert file.status_code == 200
    assert file.headers["content-type"] == "application/gzip"
    assert file.headers["content-disposition"] == f'attachment; filename="{done["fileName"]}"'
    streamed = await http.get(
        "/export",
        params={"format": FORMATS[fmt], "query": QUERY, "timeZone": "Europe/Berlin"},
        headers=bearer(admin),
    )
    assert gzip.decompress(file.content) == streamed.content


async def test_sha256_and_byte_size_are_those_of_the_downloaded_gzip_file(
    api: GraphQLClient, http: httpx.AsyncClient, worker: ExportWorker, admin: str
) -> None:
    await seed()
    export_id, _ = await queued(api, admin)
    await worker.run_once()
    done = await fetch_export(api, admin, export_id)
    assert done is not None
    content = (await http.get(done["downloadUrl"], headers=bearer(admin))).content
    assert done["sha256"] == hashlib.sha256(content).hexdigest()
    assert done["byteSize"] == str(len(content))


async def test_progress_is_written_after_every_batch_against_the_count_at_start(
    api: GraphQLClient, worker: ExportWorker, admin: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    await seed()
    _, job_id = await queued(api, admin)
    seen: list[tuple[int, int | None]] = []

    async def noting(job: ExportJob, *args: Any) -> bool:
        stored = await ExportJob.get(id=job.id)
        seen.append((args[1], stored.total_estimate))
        return await record_progress(job, *args)

    monkeypatch.setattr("export.worker.record_progress", noting)
    await worker.run_once()
    assert seen == [(2, 5), (4, 5), (5, 5)]
    assert (await ExportJob.get(id=job_id)).rows_written == 5


async def test_a_finished_job_records_one_audit_entry_as_its_creator(
    api: GraphQLClient, worker: ExportWorker, admin: str
) -> None:
    await seed()
    export_id, _ = await queued(api, admin, filter={"actions": ["inbox.*"]})
    await worker.run_once()
    [entry] = await exported_entries()
    assert (entry.account_id, entry.actor_id, entry.actor_name, entry.outcome) == (
        "acme",
        "1",
        "Alice Smith",
        "SUCCESS",
    )
    assert entry.ip_address == "198.51.100.7"  # the creating request's, not the worker's
    assert entry.metadata == {
        "format": "CSV",
        "count": 3,
        "filter": {"actions": ["inbox.*"]},
        "query": QUERY,
        "job": export_id,
    }
    assert await worker.run_once() is None
    assert len(await exported_entries()) == 1


async def test_a_count_past_the_statement_timeout_leaves_the_total_unknown_not_the_file(
    api: GraphQLClient, worker: ExportWorker, admin: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    await seed()
    export_id, _ = await queued(api, admin)

    async def too_slow(*args: Any) -> int:
        raise DBConnectionError("canceling statement due to statement timeout")

    monkeypatch.setattr("export.worker.selection_size", too_slow)
    await worker.run_once()
    done = await fetch_export(api, admin, export_id)
    assert done is not None
    assert (done["status"], done["rowsWritten"], done["totalRows"], done["progress"]) == (
        "SUCCEEDED",
        "5",
        None,
        1.0,
    )


async def test_a_file_the_disk_refuses_fails_the_job_with_the_reason_and_its_entry(
    api: GraphQLClient, worker: ExportWorker, admin: str, tmp_path: Path
) -> None:
    await seed()
    export_id, _ = await queued(api, admin)
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("")
    broken = ExportWorker(dataclasses.replace(worker.config, directory=blocker / "exports"))
    await broken.run_once()
    failed = await fetch_export(api, admin, export_id)
    assert failed is not None
    assert failed["status"] == "FAILED"
    assert failed["failureReason"].startswith("the file could not be written (Not a directory")
    [entry] = await exported_entries()
    assert (entry.outcome, entry.failure_reason) == ("FAILURE", failed["failureReason"])
    assert entry.metadata["job"] == export_id


async def test_a_job_whose_stored_request_no_longer_holds_fails_with_the_reason(
    api: GraphQLClient, worker: ExportWorker, admin: str
) -> None:
    _, job_id = await queued(api, admin)
    job = await ExportJob.get(id=job_id)
    await ExportJob.filter(id=job_id).update(options={**job.options, "timeZone": "Mars/Base"})
    await worker.run_once()
    failed = await ExportJob.get(id=job_id)
    assert failed.status == JobStatus.FAILED
    assert "its request is no longer valid (timeZone:" in (failed.failure_reason or "")


async def test_an_unexpected_error_fails_the_job_without_its_details(
    api: GraphQLClient, worker: ExportWorker, admin: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    await seed()
    _, job_id = await queued(api, admin)

    def broken(*args: Any) -> None:
        raise RuntimeError("secret detail")

    monkeypatch.setattr("export.worker.layout_of", broken)
    await worker.run_once()
    failed = await ExportJob.get(id=job_id)
    assert (failed.status, failed.failure_reason) == (
        JobStatus.FAILED,
        "an internal error (RuntimeError)",
    )
    assert list(worker.config.directory.iterdir()) == []


async def test_a_job_whose_worker_died_is_taken_over_from_scratch_after_its_lease(
    api: GraphQLClient, worker: ExportWorker, admin: str
) -> None:
    await seed()
    export_id, job_id = await queued(api, admin)
    now = dt.datetime.now(dt.UTC)
    lease = worker.config.lease
    dead = await claim_export_job("dead-instance", now, lease)
    assert dead is not None and dead.id == job_id
    assert await worker.run_once(now) is None  # its lease still runs
    assert await worker.run_once(now + lease + dt.timedelta(seconds=1)) is not None
    done = await ExportJob.get(id=job_id)
    assert (done.status, done.attempts, done.claimed_by) == (
        JobStatus.SUCCEEDED,
        2,
        worker.name,
    )
    # The dead run, were it only stalled, may change nothing any more.
    assert not await record_progress(dead, "dead-instance", 1, now, lease)
    [entry] = await exported_entries()
    assert (entry.outcome, entry.metadata["job"], entry.metadata["count"]) == (
        "SUCCESS",
        export_id,
        5,
    )


async def test_a_stalled_run_whose_job_was_taken_over_stops_and_spares_the_new_run(
    api: GraphQLClient, worker: ExportWorker, admin: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    await seed()
    _, job_id = await queued(api, admin)
    stalled, resume = asyncio.Event(), asyncio.Event()

    async def stalling(job: ExportJob, *args: Any) -> bool:
        if not stalled.is_set():
            stalled.set()
            await resume.wait()  # an instance frozen past its lease
        return await record_progress(job, *args)

    monkeypatch.setattr("export.worker.record_progress", stalling)
    changes: list[str] = []
    frozen = ExportWorker(worker.config, changes.append)
    frozen_run = asyncio.create_task(frozen.run_once())
    await stalled.wait()
    later = dt.datetime.now(dt.UTC) + worker.config.lease + dt.timedelta(seconds=1)
    assert await worker.run_once(later) is not None
    resume.set()
    await frozen_run
    done = await ExportJob.get(id=job_id)
    assert (done.status, done.attempts, done.claimed_by) == (
        JobStatus.SUCCEEDED,
        2,
        worker.name,
    )
    assert changes == ["started", "lost"]
    assert [path.name for path in worker.config.directory.iterdir()] == [done.stored_name]
    assert len(await exported_entries()) == 1


async def test_a_job_interrupted_too_often_fails_with_the_reason_and_its_entry(
    api: GraphQLClient, worker: ExportWorker, admin: str
) -> None:
    _, job_id = await queued(api, admin)
    past = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)
    await ExportJob.filter(id=job_id).update(
        status=JobStatus.RUNNING, claimed_by="gone", lease_until=past, attempts=MAX_ATTEMPTS
    )
    await worker.run_once()
    failed = await ExportJob.get(id=job_id)
    assert (failed.status, failed.failure_reason, failed.attempts) == (
        JobStatus.FAILED,
        INTERRUPTED,
        MAX_ATTEMPTS + 1,
    )
    [entry] = await exported_entries()
    assert (entry.outcome, entry.failure_reason) == ("FAILURE", INTERRUPTED)


async def _one_batch_then_outage(*args: Any, **kwargs: Any) -> AsyncIterator[list[Any]]:
    async for batch in entry_batches(*args, **kwargs):
        yield batch
        raise DBConnectionError("connection refused")


async def test_a_database_outage_puts_the_job_back_and_it_runs_again(
    api: GraphQLClient, worker: ExportWorker, admin: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    await seed()
    _, job_id = await queued(api, admin)
    monkeypatch.setattr("export.worker.entry_batches", _one_batch_then_outage)
    with pytest.raises(DBConnectionError):
        await worker.run_once()
    waiting = await ExportJob.get(id=job_id)
    assert (waiting.status, waiting.attempts, waiting.claimed_by) == (JobStatus.QUEUED, 1, None)
    assert list(worker.config.directory.iterdir()) == []
    assert await exported_entries() == []
    monkeypatch.undo()
    await worker.run_once()
    done = await ExportJob.get(id=job_id)
    assert (done.status, done.attempts, done.rows_written) == (JobStatus.SUCCEEDED, 2, 5)


async def test_a_job_is_taken_over_when_the_database_stayed_away_past_its_lease(
    api: GraphQLClient, worker: ExportWorker, admin: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    await seed()
    _, job_id = await queued(api, admin)

    async def unreachable(*args: Any, **kwargs: Any) -> bool:
        raise DBConnectionError("connection refused")

    monkeypatch.setattr("export.worker.entry_batches", _one_batch_then_outage)
    monkeypatch.setattr("export.worker.release_export_job", unreachable)
    with pytest.raises(DBConnectionError):
        await worker.run_once()
    assert (await ExportJob.get(id=job_id)).status == JobStatus.RUNNING
    monkeypatch.undo()
    later = dt.datetime.now(dt.UTC) + worker.config.lease + dt.timedelta(seconds=1)
    other = ExportWorker(worker.config)
    await other.run_once(later)
    done = await ExportJob.get(id=job_id)
    assert (done.status, done.attempts, done.claimed_by) == (JobStatus.SUCCEEDED, 2, other.name)


async def test_stopping_the_service_puts_a_running_job_back_uncounted(
    api: GraphQLClient, worker: ExportWorker, admin: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    await seed()
    _, job_id = await queued(api, admin)
    writing = asyncio.Event()

    async def stuck(*args: Any) -> bool:
        writing.set()
        await asyncio.Event().wait()
        return True

    monkeypatch.setattr("export.worker.record_progress", stuck)
    run = asyncio.create_task(worker.run_once())
    await writing.wait()
    run.cancel()
    with pytest.raises(asyncio.CancelledError):
        await run
    waiting = await ExportJob.get(id=job_id)
    assert (waiting.status, waiting.attempts, waiting.claimed_by) == (JobStatus.QUEUED, 0, None)
    assert list(worker.config.directory.iterdir()) == []
    assert await exported_entries() == []


async def test_two_workers_racing_for_one_job_run_it_once(
    api: GraphQLClient, worker: ExportWorker, admin: str
) -> None:
    await seed()
    _, job_id = await queued(api, admin)
    other = ExportWorker(worker.config)
    runs = await asyncio.gather(worker.run_once(), other.run_once())
    assert sorted(run is None for run in runs) == [False, True]
    done = await ExportJob.get(id=job_id)
    assert (done.status, done.attempts) == (JobStatus.SUCCEEDED, 1)
    assert len(await exported_entries()) == 1


async def test_two_serving_workers_run_every_job_exactly_once(
    api: GraphQLClient, worker: ExportWorker, admin: str
) -> None:
    await seed()
    ids = {(await queued(api, admin))[0] for _ in range(6)}
    config = dataclasses.replace(worker.config, loops=2)
    instances = [ExportWorker(config), ExportWorker(config)]
    serving = [asyncio.create_task(instance.serve()) for instance in instances]
    try:
        async with asyncio.timeout(30):
            while await ExportJob.filter(status=JobStatus.SUCCEEDED).count() < len(ids):
                await asyncio.sleep(0.05)
    finally:
        for task in serving:
            task.cancel()
        await asyncio.gather(*serving, return_exceptions=True)
    assert {job.attempts for job in await ExportJob.all()} == {1}
    assert sorted(e.metadata["job"] for e in await exported_entries()) == sorted(ids)


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
    from tests.conftest import app_client, settings_with

    export_id, _ = await queued(api, admin)
    await worker.run_once()
    keyless = settings_with(signing_key=None, export_dir=worker.config.directory)
    async with app_client(keyless) as client:
        done = await fetch_export(GraphQLClient(client), admin, export_id)
    assert done is not None
    assert done["downloadUrl"] is not None and done["signedDownloadUrl"] is None


def test_the_export_directory_is_created_at_start_or_start_up_fails_naming_it(
    tmp_path: Path,
) -> None:
    config = WorkerConfig(tmp_path / "a" / "b", dt.timedelta(days=7), dt.timedelta(seconds=30))
    ExportWorker(config).prepare()
    assert (tmp_path / "a" / "b").is_dir()
    (tmp_path / "file").write_text("")
    blocked = dataclasses.replace(config, directory=tmp_path / "file" / "exports")
    with pytest.raises(OSError, match="AUDITLOG_EXPORT_DIR"):
        ExportWorker(blocked).prepare()


async def test_each_change_of_state_is_reported(
    api: GraphQLClient, worker: ExportWorker, admin: str
) -> None:
    changes: list[str] = []
    _, _ = await queued(api, admin)
    noted = ExportWorker(worker.config, changes.append)
    await noted.run_once()
    await noted.sweep(dt.datetime.now(dt.UTC) + worker.config.ttl)
    assert changes == ["started", "succeeded", "expired"]
