"""Export jobs: create, list and read an account's jobs; claim, advance and settle them.

A job is a deferred POST /export: its request is checked when it is created (by the
`plan` the composition root supplies, which GET /export uses too) and stored as that
endpoint's JSON body. Workers claim jobs under a lease and may only change a job they
still hold: every write after the claim checks `claimed_by` and the RUNNING status,
so a worker that lost its lease (it stalled, another took the job over) changes
nothing. A job's `audit_log.exported` entry is written in the same transaction that
settles it, so it is written exactly once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from tortoise.queryset import QuerySet
from tortoise.transactions import in_transaction

from models.audit_log_query import count
from models.export_job import ExportJob, JobStatus
from models.export_job_store import claim_next
from resolvers.errors import InvalidInputError
from resolvers.exports import ExportReport, record_export
from resolvers.selection import Selection
from resolvers.self_audit import Acting

# A run cut short (its instance stopped, the database went away) starts again from
# scratch; a job cut short this many times fails instead of looping for ever.
MAX_ATTEMPTS = 3
INTERRUPTED = (
    f"the export was interrupted {MAX_ATTEMPTS} times (the service stopped or the "
    "database stopped answering while it ran); create it again"
)
# Jobs an account may have waiting or running at once.
MAX_PENDING = 10
MAX_LIST = 100
PENDING = (JobStatus.QUEUED, JobStatus.RUNNING)


@dataclass(frozen=True)
class JobPlan:
    """A checked export request, in the form a job stores it."""

    format: str
    filter: dict[str, object]
    query: str | None
    options: dict[str, object]
    file_name: str


PlanExport = Callable[[str, Mapping[str, object], dt.datetime], JobPlan]


def _no_worker_here() -> None:
    return None


@dataclass(frozen=True)
class JobPolicy:
    """What the GraphQL fields of export jobs need from the composition root.

    `plan` checks a request (the body POST /export takes) for an account at a moment,
    raising InvalidInputError; `wake` tells this instance's workers a job is waiting;
    `link_key` signs download links (None: the service has no secret to sign with).
    """

    plan: PlanExport
    ttl: dt.timedelta
    wake: Callable[[], None] = field(default=_no_worker_here)
    link_key: bytes | None = None


@dataclass(frozen=True)
class WrittenFile:
    """What a finished run wrote."""

    stored_name: str
    rows: int
    byte_size: int
    sha256: str


async def create_export_job(acting: Acting, plan: JobPlan, now: dt.datetime) -> ExportJob:
    """Queue an export of the acting account's log; refuse when too many are pending."""
    waiting = await ExportJob.filter(account_id=acting.account_id, status__in=PENDING).count()
    if waiting >= MAX_PENDING:
        raise InvalidInputError.single(
            "input",
            f"this account already has {waiting} exports queued or running (at most "
            f"{MAX_PENDING}); wait for one to finish, then ask again.",
        )
    return await ExportJob.create(
        account_id=acting.account_id,
        status=JobStatus.QUEUED,
        format=plan.format,
        filter_json=plan.filter,
        query=plan.query,
        options=plan.options,
        file_name=plan.file_name,
        created_by_id=acting.user_id,
        created_by_name=acting.user_name,
        created_by_email=acting.user_email,
        # Request headers are kept as evidence, clipped to their columns, never refused.
        created_ip=_clipped(acting.ip_address, 45),
        created_user_agent=acting.user_agent,
        created_request_id=_clipped(acting.request_id, 255),
        created_at=now,
    )


async def list_export_jobs(account_id: str, first: int, after: int | None) -> list[ExportJob]:
    """The account's jobs, newest first: `first` of them, after the job `after` if given."""
    if not 1 <= first <= MAX_LIST:
        raise InvalidInputError.single("first", f"must be between 1 and {MAX_LIST}; got {first}.")
    jobs = ExportJob.filter(account_id=account_id)
    if after is not None:
        jobs = jobs.filter(id__lt=after)
    return await jobs.order_by("-id").limit(first)


async def get_export_job(account_id: str, job_id: int) -> ExportJob | None:
    """One job of the account, or None."""
    return await ExportJob.filter(id=job_id, account_id=account_id).first()


async def find_export_job(job_id: int) -> ExportJob | None:
    """A job by id in any account: only for a caller a signed link already authorised."""
    return await ExportJob.filter(id=job_id).first()


def request_of(job: ExportJob) -> dict[str, object]:
    """The job's request, as the body POST /export takes."""
    body: dict[str, object] = {"format": job.format, "filter": job.filter_json}
    if job.query is not None:
        body["query"] = job.query
    return {**body, **job.options}


def acting_of(job: ExportJob) -> Acting:
    """Whoever created the job: the actor of its audit entry."""
    return Acting(
        account_id=job.account_id,
        user_id=job.created_by_id,
        user_name=job.created_by_name,
        user_email=job.created_by_email,
        ip_address=job.created_ip,
        user_agent=job.created_user_agent,
        request_id=job.created_request_id,
    )


def progress(job: ExportJob) -> float:
    """How far the job got, from 0 to 1: rows written over the rows counted at its start."""
    if job.status in (JobStatus.SUCCEEDED, JobStatus.EXPIRED):
        return 1.0
    if not job.total_estimate:
        return 0.0
    return min(int(job.rows_written) / int(job.total_estimate), 1.0)


async def claim_export_job(worker: str, now: dt.datetime, lease: dt.timedelta) -> ExportJob | None:
    """Claim the oldest waiting job (or one whose worker died) for `worker`, or None."""
    job_id = await claim_next(worker, now, now + lease)
    return None if job_id is None else await ExportJob.get(id=job_id)


async def selection_size(selection: Selection, now: dt.datetime) -> int:
    """How many entries the selection holds, its relative times (now-7d) read at `now`."""
    return await count(selection.condition(now))


def _held(job: ExportJob, worker: str) -> QuerySet[ExportJob]:
    return ExportJob.filter(id=job.id, claimed_by=worker, status=JobStatus.RUNNING)


async def record_start(
    job: ExportJob, worker: str, total: int | None, now: dt.datetime, lease: dt.timedelta
) -> bool:
    """Store the row count the progress is measured against; False if the lease is lost."""
    return bool(await _held(job, worker).update(total_estimate=total, lease_until=now + lease))


async def record_progress(
    job: ExportJob, worker: str, rows: int, now: dt.datetime, lease: dt.timedelta
) -> bool:
    """Store the rows written so far and renew the lease; False if the lease is lost."""
    return bool(await _held(job, worker).update(rows_written=rows, lease_until=now + lease))


async def renew_lease(job: ExportJob, worker: str, now: dt.datetime, lease: dt.timedelta) -> bool:
    """Extend the worker's lease on the job; False if the lease is lost."""
    return bool(await _held(job, worker).update(lease_until=now + lease))


async def finish_export_job(
    job: ExportJob,
    worker: str,
    written: WrittenFile,
    reference: str,
    now: dt.datetime,
    ttl: dt.timedelta,
) -> bool:
    """Mark the job SUCCEEDED with its file and record its audit entry; False if not held."""
    async with in_transaction():
        changed = await _held(job, worker).update(
            status=JobStatus.SUCCEEDED,
            stored_name=written.stored_name,
            rows_written=written.rows,
            byte_size=written.byte_size,
            sha256=written.sha256,
            finished_at=now,
            expires_at=now + ttl,
            lease_until=None,
        )
        if changed:
            await record_export(acting_of(job), _report(job, written.rows, reference, None))
    return bool(changed)


async def fail_export_job(
    job: ExportJob, worker: str, reason: str, reference: str, now: dt.datetime
) -> bool:
    """Mark the job FAILED with `reason` and record its audit entry; False if not held.

    The entry counts the rows the run had written when it last reported progress.
    """
    async with in_transaction():
        changed = await _held(job, worker).update(
            status=JobStatus.FAILED, failure_reason=reason, finished_at=now, lease_until=None
        )
        if changed:
            rows = int((await ExportJob.get(id=job.id)).rows_written)
            await record_export(acting_of(job), _report(job, rows, reference, reason))
    return bool(changed)


async def release_export_job(job: ExportJob, worker: str, *, counted: bool) -> bool:
    """Put a held job back in the queue; unless `counted`, this run is not an attempt."""
    attempts = job.attempts if counted else max(job.attempts - 1, 0)
    changed = await _held(job, worker).update(
        status=JobStatus.QUEUED,
        claimed_by=None,
        lease_until=None,
        rows_written=0,
        attempts=attempts,
    )
    return bool(changed)


async def jobs_past_expiry(now: dt.datetime, limit: int = 100) -> list[ExportJob]:
    """Succeeded jobs whose file should be gone by `now`, the longest expired first."""
    return await (
        ExportJob.filter(status=JobStatus.SUCCEEDED, expires_at__lte=now)
        .order_by("expires_at", "id")
        .limit(limit)
    )


async def mark_expired(job: ExportJob) -> bool:
    """Mark a succeeded job EXPIRED once its file is removed; False if another did first."""
    changed = await ExportJob.filter(id=job.id, status=JobStatus.SUCCEEDED).update(
        status=JobStatus.EXPIRED, stored_name=None
    )
    return bool(changed)


def _clipped(text: str | None, limit: int) -> str | None:
    return None if text is None else text[:limit]


def _report(job: ExportJob, rows: int, reference: str, failure: str | None) -> ExportReport:
    return ExportReport(job.format, rows, job.filter_json, job.query, failure, job=reference)
