"""Export jobs interrupted: a worker dies, stalls, loses its database or stops; two race."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
from collections.abc import AsyncIterator
from typing import Any

import pytest
from tortoise.exceptions import DBConnectionError

from export.batches import file_batches
from export.worker import ExportWorker
from models.export_job import ExportJob, JobStatus
from resolvers.export_jobs import INTERRUPTED, MAX_ATTEMPTS, claim_export_job, record_progress
from tests.conftest import GraphQLClient
from tests.export.conftest import exported_entries, queued, seed


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


async def _one_batch_then_outage(*args: Any, **kwargs: Any) -> AsyncIterator[Any]:
    async for batch in file_batches(*args, **kwargs):
        yield batch
        raise DBConnectionError("connection refused")


async def test_a_database_outage_puts_the_job_back_and_it_runs_again(
    api: GraphQLClient, worker: ExportWorker, admin: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    await seed()
    _, job_id = await queued(api, admin)
    monkeypatch.setattr("export.worker.file_batches", _one_batch_then_outage)
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

    monkeypatch.setattr("export.worker.file_batches", _one_batch_then_outage)
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
