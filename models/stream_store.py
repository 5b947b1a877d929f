"""The one statement the ORM cannot express for streams: claiming the next one due.

A delivery loop claims the ACTIVE stream whose retry time has come and whose lease is
free (or ran out: its instance died) and which was served longest ago, in a single
UPDATE: on PostgreSQL the candidate row is locked with FOR UPDATE SKIP LOCKED, so
instances sharing the database take different streams; the outer WHERE checks again
that it is still claimable, so two loops never deliver one stream at the same time.
"""

from __future__ import annotations

import datetime as dt

from models.database import POSTGRES, connection, dialect_of, fetch
from models.stream import StreamStatus

_CLAIMABLE = (
    f"status = '{StreamStatus.ACTIVE}' AND (next_attempt_at IS NULL OR next_attempt_at <= {{now}}) "
    "AND (lease_until IS NULL OR lease_until < {now})"
)


def claim_statement(dialect: str) -> str:
    """The claiming UPDATE; parameters: loop name, lease end, then now four times."""
    if dialect == POSTGRES:
        marks, lock = [f"${n}" for n in range(1, 7)], " FOR UPDATE SKIP LOCKED"
    else:
        marks, lock = ["?"] * 6, ""
    inner = _CLAIMABLE.replace("{now}", marks[2], 1).replace("{now}", marks[3], 1)
    outer = _CLAIMABLE.replace("{now}", marks[4], 1).replace("{now}", marks[5], 1)
    return (
        f"UPDATE audit_log_stream SET claimed_by = {marks[0]}, lease_until = {marks[1]} "
        f"WHERE id = (SELECT id FROM audit_log_stream WHERE {inner} "
        f"ORDER BY last_success_at NULLS FIRST, id LIMIT 1{lock}) AND {outer} RETURNING id"
    )


async def claim_stream(worker: str, now: dt.datetime, lease_until: dt.datetime) -> int | None:
    """Claim the next stream due for `worker` until `lease_until`; its id, or None."""
    client = connection()
    rows = await fetch(
        client, claim_statement(dialect_of(client)), [worker, lease_until, *[now] * 4]
    )
    return int(rows[0]["id"]) if rows else None
