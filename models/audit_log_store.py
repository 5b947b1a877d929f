"""SQL for appending entries: sequence reservation, idempotency look-up, bulk insert.

The ORM cannot express an upsert that returns the locked counter, nor a multi-row
INSERT ... RETURNING, so these few statements are written here, parameterised.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient

from models.audit_log import INSERT_COLUMNS
from models.database import POSTGRES, dialect_of, fetch, placeholders

ROWS_PER_STATEMENT = 400
# The channel new entries are announced on (live/hub.py listens to it).
NOTIFY_CHANNEL = "auditlog_recorded"
KEYS_PER_LOOKUP = 500


async def lock_sequence(tx: BaseDBAsyncClient, account_id: str) -> int:
    """Lock the account's counter row until commit and return its last sequence."""
    marks = placeholders(dialect_of(tx), 1, 1)
    rows = await fetch(
        tx,
        "INSERT INTO audit_log_sequence (account_id, last_sequence) "
        f"VALUES ({marks}, 0) ON CONFLICT (account_id) DO UPDATE "
        "SET last_sequence = audit_log_sequence.last_sequence RETURNING last_sequence",
        [account_id],
    )
    return int(rows[0]["last_sequence"])


async def advance_sequence(tx: BaseDBAsyncClient, account_id: str, last: int) -> None:
    """Store the account's new last sequence.

    On PostgreSQL this also notifies NOTIFY_CHANNEL with the account id, which
    PostgreSQL delivers to every listening instance when (and only if) the transaction
    commits: how live tails on other instances learn of new entries.
    """
    dialect = dialect_of(tx)
    marks = placeholders(dialect, 1, 2).split(", ")
    notify = f" RETURNING pg_notify('{NOTIFY_CHANNEL}', account_id)" if dialect == POSTGRES else ""
    await tx.execute_query(
        f"UPDATE audit_log_sequence SET last_sequence = {marks[0]} WHERE account_id = {marks[1]}"
        + notify,
        [last, account_id],
    )


@dataclass(frozen=True)
class StoredEntry:
    """Where an entry already stored under an idempotency key sits."""

    id: int
    sequence: int
    recorded_at: dt.datetime


def utc(value: Any) -> dt.datetime:
    """A stored timestamp (a datetime, or ISO text on SQLite) as an aware UTC datetime."""
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    if not isinstance(value, dt.datetime):
        raise TypeError(f"expected a datetime, got {value!r}")
    if value.tzinfo is dt.UTC:  # as both drivers give it: already what astimezone would return
        return value
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


async def find_by_idempotency_keys(
    tx: BaseDBAsyncClient, account_id: str, keys: Sequence[str]
) -> dict[str, StoredEntry]:
    """Return the account's entries already stored under any of `keys`."""
    found: dict[str, StoredEntry] = {}
    dialect = dialect_of(tx)
    for start in range(0, len(keys), KEYS_PER_LOOKUP):
        chunk = list(keys[start : start + KEYS_PER_LOOKUP])
        marks = placeholders(dialect, 2, len(chunk))
        first = placeholders(dialect, 1, 1)
        rows = await fetch(
            tx,
            "SELECT id, sequence, recorded_at, idempotency_key FROM audit_log "
            f"WHERE account_id = {first} AND idempotency_key IN ({marks})",
            [account_id, *chunk],
        )
        found.update(
            {
                row["idempotency_key"]: StoredEntry(
                    int(row["id"]), int(row["sequence"]), utc(row["recorded_at"])
                )
                for row in rows
            }
        )
    return found


async def insert_entries(
    tx: BaseDBAsyncClient, rows: Sequence[Sequence[Any]]
) -> dict[tuple[str, int], int]:
    """Insert rows (values in INSERT_COLUMNS order); return ids by (account_id, sequence)."""
    dialect = dialect_of(tx)
    width = len(INSERT_COLUMNS)
    columns = ", ".join(INSERT_COLUMNS)
    ids: dict[tuple[str, int], int] = {}
    for start in range(0, len(rows), ROWS_PER_STATEMENT):
        chunk = rows[start : start + ROWS_PER_STATEMENT]
        values = ", ".join(
            f"({placeholders(dialect, 1 + i * width, width)})" for i in range(len(chunk))
        )
        params = [value for row in chunk for value in row]
        returned = await fetch(
            tx,
            f"INSERT INTO audit_log ({columns}) VALUES {values} RETURNING id, account_id, sequence",
            params,
        )
        ids.update({(r["account_id"], int(r["sequence"])): int(r["id"]) for r in returned})
    return ids
