"""Audit-log entries as plain values, built from stored rows."""

from __future__ import annotations

import datetime as dt
import operator
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from models.audit_log import READ_COLUMNS, ActorType, Outcome
from models.audit_log_store import utc
from resolvers.stored_json import decode_stored

# A row's values in READ_COLUMNS order, which from_values unpacks.
_READ_VALUES = operator.itemgetter(*READ_COLUMNS)
# Stored values to members by a dict look-up, cheaper than calling the enum per row;
# a value not found still goes through the enum, which refuses it.
_ACTOR_TYPES = {member.value: member for member in ActorType}
_OUTCOMES = {member.value: member for member in Outcome}


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
        return cls.from_values(_READ_VALUES(row))

    @classmethod
    def from_values(cls, values: Sequence[Any]) -> Entry:
        """Build an entry from a row's values in READ_COLUMNS order."""
        (
            entry_id, account_id, sequence, action, actor_type, actor_id, actor_name,
            actor_email, target_type, target_id, target_name, changes, metadata, tags,
            outcome, failure_reason, ip_address, user_agent, request_id, occurred_at,
            recorded_at,
        ) = values  # fmt: skip
        target = None
        if target_type is not None:
            target = Target(target_type, target_id, target_name)
        # Most entries change nothing and carry no metadata: skip the decoder for those.
        decoded_changes = [] if changes == "[]" else decode_stored(changes)
        decoded_metadata = {} if metadata == "{}" else decode_stored(metadata)
        return cls(
            id=entry_id,
            account_id=account_id,
            sequence=sequence,
            action=action,
            actor=Actor(
                _ACTOR_TYPES.get(actor_type) or ActorType(actor_type),
                actor_id,
                actor_name,
                actor_email,
            ),
            target=target,
            changes=changes_of(decoded_changes),
            metadata=decoded_metadata if isinstance(decoded_metadata, dict) else {},
            tags=tags_of(tags),
            outcome=_OUTCOMES.get(outcome) or Outcome(outcome),
            failure_reason=failure_reason,
            ip_address=ip_address,
            user_agent=user_agent,
            request_id=request_id,
            occurred_at=utc(occurred_at),
            recorded_at=utc(recorded_at),
            opaque_metadata=None if isinstance(decoded_metadata, dict) else decoded_metadata,
        )


def changes_of(value: Any) -> list[Change]:
    """The changes of a decoded stored `changes` column."""
    if not isinstance(value, list):
        # Only a value too deep for any decoder gets here; keep it whole and readable.
        return [Change("", before=None, after=value)]
    return [Change(c["field"], c.get("before"), c.get("after")) for c in value]


def tags_of(value: Any) -> tuple[str, ...]:
    """The tags of a stored `tags` column's JSON text (its strings, in order)."""
    if value == "[]":
        return ()
    tags = decode_stored(value)
    return tuple(tag for tag in tags if isinstance(tag, str)) if isinstance(tags, list) else ()
