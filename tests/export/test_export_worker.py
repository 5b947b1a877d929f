"""The export worker: jobs run to a file, counted, audited, or failed with a reason."""

from __future__ import annotations

import dataclasses
import datetime as dt
import gzip
import hashlib
from pathlib import Path
from typing import Any

import httpx
import pytest
from tortoise.exceptions import DBConnectionError

from export.worker import ExportWorker, WorkerConfig
from models.export_job import ExportJob, JobStatus
from resolvers.export_jobs import record_progress
from tests.conftest import GraphQLClient
from tests.export.conftest import (
    QUERY,
    bearer,
    exported_entries,
    fetch_export,
    queued,
    seed,
)

FORMATS = {"CSV": "csv", "NDJSON": "ndjson", "JSON": "json"}


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
