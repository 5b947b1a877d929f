"""The one statement the ORM cannot express for export jobs: claiming the next one.

A worker claims the oldest job that is QUEUED, or RUNNING under a lease that ran out
(its worker died), in a single UPDATE: on PostgreSQL the candidate row is locked with
FOR UPDATE SKIP LOCKED, so concurrent claimers take different jobs without waiting; on
SQLite the statement holds the write lock from its start. Either way the outer WHERE
checks again that the row is still claimable, so two workers never hold the same job.
"""

from __future__ import annotations

import datetime as dt

from models.database import POSTGRES, connection, dialect_of, fetch
from models.export_job import JobStatus

_CLAIMABLE = (
    f"(status = '{JobStatus.QUEUED}' OR (status = '{JobStatus.RUNNING}' AND lease_until < {{now}}))"
)


def claim_statement(dialect: str) -> str:
    """The claiming UPDATE for `dialect`; parameters: worker, lease end, now (three times)."""
    if dialect == POSTGRES:
        marks, lock = ["$1", "$2", "$3", "$4", "$5"], " FOR UPDATE SKIP LOCKED"
    else:
        marks, lock = ["?"] * 5, ""
    return (
        f"UPDATE export_job SET status = '{JobStatus.RUNNING}', claimed_by = {marks[0]}, "
        f"lease_until = {marks[1]}, started_at = {marks[2]}, attempts = attempts + 1, "
        "rows_written = 0, total_estimate = NULL "
        "WHERE id = (SELECT id FROM export_job "
        f"WHERE {_CLAIMABLE.format(now=marks[3])} ORDER BY created_at, id LIMIT 1{lock}) "
        f"AND {_CLAIMABLE.format(now=marks[4])} RETURNING id"
    )


async def claim_next(worker: str, now: dt.datetime, lease_until: dt.datetime) -> int | None:
    """Claim the oldest claimable job for `worker` until `lease_until`; return its id, or None."""
    client = connection()
    rows = await fetch(
        client, claim_statement(dialect_of(client)), [worker, lease_until, now, now, now]
    )
    return int(rows[0]["id"]) if rows else None
