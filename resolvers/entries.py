"""Audit-log entries as plain values, built from stored rows."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from models.audit_log import ActorType, Outcome
from models.audit_log_store import utc
from resolvers.stored_json import decode_stored


@dataclass(frozen=True, slots=True)
class Actor:
    """Who did it; name and e-mail are copied so the entry reads well after deletion."""

    type: ActorType
    id: str | None = None
    name: str | None = None
    email: str | None = None


@dataclass(frozen=True, slots=True)
class Target:
    """The record acted upon."""

    type: str
    id: str | None = None
    name: str | None = None


@dataclass(frozen=True, slots=True)
class Change:
    """One field's value before and after the activity."""

    field: str
    before: object = None
    after: object = None


@dataclass(frozen=True, slots=True)
class Entry:
    """A stored audit-log entry."""

    id: int
    account_id: str
    sequence: int
    action: str
    actor: Actor
    target: Target | None
    changes: list[Change]
    metadata: dict[str, object]
    tags: tuple[str, ...]
    outcome: Outcome
    failure_reason: str | None
    ip_address: str | None
    user_agent: str | None
    request_id: str | None
    occurred_at: dt.datetime
    recorded_at: dt.datetime
    # The stored metadata when it is not an object a sentence can read (see stored_json).
    opaque_metadata: object = None

    @property
    def stored_metadata(self) -> object:
        """The metadata exactly as stored, for clients."""
        return self.metadata if self.opaque_metadata is None else self.opaque_metadata

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> Entry:
        """Build an entry from a row of the audit_log table."""
        target = None
        if row["target_type"] is not None:
            target = Target(row["target_type"], row["target_id"], row["target_name"])
        changes = decode_stored(row["changes"])
        metadata = decode_stored(row["metadata"])
        return cls(
            id=row["id"],
            account_id=row["account_id"],
            sequence=row["sequence"],
            action=row["action"],
            actor=Actor(
                ActorType(row["actor_type"]),
                row["actor_id"],
                row["actor_name"],
                row["actor_email"],
            ),
            target=target,
            changes=_changes(changes),
            metadata=metadata if isinstance(metadata, dict) else {},
            tags=_tags(row["tags"]),
            outcome=Outcome(row["outcome"]),
            failure_reason=row["failure_reason"],
            ip_address=row["ip_address"],
            user_agent=row["user_agent"],
            request_id=row["request_id"],
            occurred_at=utc(row["occurred_at"]),
            recorded_at=utc(row["recorded_at"]),
            opaque_metadata=None if isinstance(metadata, dict) else metadata,
        )


def _changes(value: Any) -> list[Change]:
    if not isinstance(value, list):
        # Only a value too deep for any decoder gets here; keep it whole and readable.
        return [Change("", before=None, after=value)]
    return [Change(c["field"], c.get("before"), c.get("after")) for c in value]


def _tags(value: Any) -> tuple[str, ...]:
    tags = decode_stored(value)
    return tuple(tag for tag in tags if isinstance(tag, str)) if isinstance(tags, list) else ()
