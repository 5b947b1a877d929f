"""Test batches built from StreamEntry values whose documents use the GraphQL field names."""

from __future__ import annotations

import datetime as dt

from streams.destinations import Batch, StreamEntry

ACCOUNT_ID = "acct_7f3a"
STREAM_ID = "TG9nU3RyZWFtOjE="
START = dt.datetime(2024, 5, 1, 12, 0, 0, 125000, tzinfo=dt.UTC)


def make_entry(
    sequence: int, *, account_id: str = ACCOUNT_ID, outcome: str = "SUCCESS", padding: int = 0
) -> StreamEntry:
    """Entry `sequence` of the account; `padding` characters of metadata make it bigger."""
    occurred_at = (START + dt.timedelta(seconds=sequence)).isoformat()
    entry_id = f"QXVkaXRMb2c6{sequence}"
    document: dict[str, object] = {
        "id": entry_id,
        "sequence": sequence,
        "occurredAt": occurred_at,
        "recordedAt": occurred_at,
        "action": "user.login",
        "category": "AUTHENTICATION",
        "description": f"Ada Lovelace signed in ({sequence}).",
        "actor": {
            "type": "USER",
            "externalId": "u_42",
            "name": "Ada Lovelace",
            "email": "ada@example.com",
        },
        "target": None,
        "changes": [],
        "metadata": {"padding": "x" * padding} if padding else {},
        "tags": ["sso"],
        "outcome": outcome,
        "failureReason": "bad password" if outcome == "FAILURE" else None,
        "ipAddress": "203.0.113.9",
        "userAgent": "Mozilla/5.0",
        "requestId": f"req-{sequence}",
        "accountId": account_id,
    }
    return StreamEntry(account_id, sequence, entry_id, occurred_at, document)


def make_batch(
    count: int, *, first: int = 1, padding: int = 0, stream_id: str = STREAM_ID
) -> Batch:
    """A batch of `count` entries from sequence `first` on."""
    entries = tuple(make_entry(first + n, padding=padding) for n in range(count))
    return Batch(stream_id, ACCOUNT_ID, entries)
