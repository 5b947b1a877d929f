"""Builders of events for tests."""

from __future__ import annotations

import datetime as dt
from typing import Any

from models.audit_log import ActorType, Outcome
from resolvers.entries import Actor, Change, Target
from resolvers.event_validation import NewEvent
from resolvers.recording import RecordResult, record_events
from resolvers.redaction import RedactionPolicy

ALICE = Actor(ActorType.USER, "1", "Alice Smith", "alice@example.com")
BOB = Actor(ActorType.USER, "2", "Bob Jones", "bob@example.com")
BASE_TIME = dt.datetime(2026, 11, 1, 12, 0, tzinfo=dt.UTC)


def event(action: str = "inbox.create", **fields: Any) -> NewEvent:
    """An inbox.create by Alice unless fields say otherwise."""
    defaults: dict[str, Any] = {
        "actor": ALICE,
        "target": Target("inbox", "5", "Support"),
        "occurred_at": BASE_TIME,
    }
    defaults.update(fields)
    return NewEvent(action=action, **defaults)


async def record(account: str | None, *events: NewEvent) -> list[RecordResult]:
    """Record events with the default redaction policy."""
    return await record_events(account, list(events), RedactionPolicy())


def minutes(n: float) -> dt.datetime:
    """BASE_TIME plus n minutes."""
    return BASE_TIME + dt.timedelta(minutes=n)


__all__ = ["ALICE", "BASE_TIME", "BOB", "Change", "Outcome", "Target", "event", "minutes", "record"]
