"""Claiming export jobs: the oldest claimable one, once, whoever asks at the same time."""

from __future__ import annotations

import asyncio
import datetime as dt

from models.export_job import ExportJob, JobStatus
from models.export_job_store import claim_next

NOW = dt.datetime(2026, 12, 1, 12, 0, tzinfo=dt.UTC)
LEASE = dt.timedelta(seconds=30)


async def job(minute: int, status: JobStatus = JobStatus.QUEUED, **fields: object) -> ExportJob:
    """A job of account acme created `minute` minutes after NOW."""
    return await ExportJob.create(
        account_id="acme",
        status=status,
        format="csv",
        filter_json={},
        options={},
        file_name="auditlog-acme.csv.gz",
        created_by_id="1",
        created_at=NOW + dt.timedelta(minutes=minute),
        **fields,
    )


async def test_the_oldest_queued_job_is_claimed_and_leased(db: str) -> None:
    await job(2)
    oldest = await job(1)
    claimed = await claim_next("worker-a", NOW, NOW + LEASE)
    assert claimed == oldest.id
    row = await ExportJob.get(id=oldest.id)
    assert (row.status, row.claimed_by, row.attempts) == (JobStatus.RUNNING, "worker-a", 1)
    assert (row.lease_until, row.started_at) == (NOW + LEASE, NOW)


async def test_running_jobs_under_a_live_lease_and_finished_jobs_are_not_claimed(db: str) -> None:
    await job(1, JobStatus.RUNNING, claimed_by="worker-a", lease_until=NOW + LEASE, attempts=1)
    await job(2, JobStatus.SUCCEEDED)
    await job(3, JobStatus.FAILED)
    await job(4, JobStatus.EXPIRED)
    assert await claim_next("worker-b", NOW, NOW + LEASE) is None


async def test_a_running_job_whose_lease_ran_out_is_taken_over_from_scratch(db: str) -> None:
    stale = await job(
        1,
        JobStatus.RUNNING,
        claimed_by="worker-a",
        lease_until=NOW - dt.timedelta(seconds=1),
        attempts=1,
        rows_written=500,
        total_estimate=900,
    )
    assert await claim_next("worker-b", NOW, NOW + LEASE) == stale.id
    row = await ExportJob.get(id=stale.id)
    assert (row.claimed_by, row.attempts, row.rows_written, row.total_estimate) == (
        "worker-b",
        2,
        0,
        None,
    )


async def test_concurrent_claimers_never_take_the_same_job(db: str) -> None:
    jobs = [await job(minute) for minute in range(3)]
    claims = await asyncio.gather(*(claim_next(f"worker-{n}", NOW, NOW + LEASE) for n in range(8)))
    taken = [claimed for claimed in claims if claimed is not None]
    assert sorted(taken) == sorted(j.id for j in jobs)
    owners = {row.claimed_by for row in await ExportJob.all()}
    assert len(owners) == 3
