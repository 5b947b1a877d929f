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

# Its own claim a loop may take again at once: it delivers one stream at a time, so a
# claim it still holds when it claims again is one whose release failed (an outage).
_CLAIMABLE = (
    f"status = '{StreamStatus.ACTIVE}' AND (next_attempt_at IS NULL OR next_attempt_at <= {{now}}) "
    "AND (lease_until IS NULL OR lease_until < {now} OR claimed_by = {me})"
)


def claim_statement(dialect: str) -> str:
    """The claiming UPDATE; parameters by number: 1 loop name, 2 lease end, 3 now."""
    mark = "$" if dialect == POSTGRES else "?"  # SQLite takes ?NNN as PostgreSQL takes $N
    lock = " FOR UPDATE SKIP LOCKED" if dialect == POSTGRES else ""
    claimable = _CLAIMABLE.format(now=f"{mark}3", me=f"{mark}1")
    return (
        f"UPDATE audit_log_stream SET claimed_by = {mark}1, lease_until = {mark}2 "
        f"WHERE id = (SELECT id FROM audit_log_stream WHERE {claimable} "
        f"ORDER BY last_success_at NULLS FIRST, id LIMIT 1{lock}) AND {claimable} RETURNING id"
    )


async def claim_stream(worker: str, now: dt.datetime, lease_until: dt.datetime) -> int | None:
    """Claim the next stream due for `worker` until `lease_until`; its id, or None."""
    client = connection()
    rows = await fetch(client, claim_statement(dialect_of(client)), [worker, lease_until, now])
    return int(rows[0]["id"]) if rows else None
