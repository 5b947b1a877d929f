"""Audit-log entries as plain values, built from stored rows."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from models.audit_log import ActorType, Outcome


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
    outcome: Outcome
    failure_reason: str | None
    ip_address: str | None
    user_agent: str | None
    request_id: str | None
    occurred_at: dt.datetime
    recorded_at: dt.datetime

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> Entry:
        """Build an entry from a row of the audit_log table."""
        target = None
        if row["target_type"] is not None:
            target = Target(row["target_type"], row["target_id"], row["target_name"])
        changes = _json(row["changes"])
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
            changes=[Change(c["field"], c.get("before"), c.get("after")) for c in changes],
            metadata=_json(row["metadata"]),
            outcome=Outcome(row["outcome"]),
            failure_reason=row["failure_reason"],
            ip_address=row["ip_address"],
            user_agent=row["user_agent"],
            request_id=row["request_id"],
            occurred_at=_utc(row["occurred_at"]),
            recorded_at=_utc(row["recorded_at"]),
        )


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str | bytes) else value


def _utc(value: Any) -> dt.datetime:
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    if not isinstance(value, dt.datetime):
        raise TypeError(f"expected a datetime, got {value!r}")
    if value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC)
