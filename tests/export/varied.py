"""A fixed set of events that differ in every way an export writes them."""

from __future__ import annotations

from models.audit_log import ActorType
from resolvers.entries import Actor
from resolvers.event_validation import NewEvent
from tests.factories import ALICE, BOB, Change, Outcome, Target, event, minutes

ZAPIER = Actor(ActorType.API_CLIENT, "zap-7", "Zapier")
NIGHTLY = Actor(ActorType.SYSTEM)
NAMELESS = Actor(ActorType.USER, "42")


def varied_events() -> list[NewEvent]:
    """Sentences of many templates, formula-like and multi-line text, odd JSON, failures."""
    return [
        event(occurred_at=minutes(0), tags=("gdpr",)),
        event(
            "inbox.update",
            occurred_at=minutes(1),
            changes=(Change("name", "Support", '=HYPERLINK("http://x")'),),
            metadata={"source": "settings page", "seats": -5},
            tags=("billing", "gdpr"),
        ),
        event(
            "inbox.update",
            occurred_at=minutes(2),
            changes=(Change("name", "a", "b"), Change("greeting", None, 'Hi, "you"')),
        ),
        event(
            "user.sign_in",
            actor=BOB,
            target=None,
            occurred_at=minutes(3),
            outcome=Outcome.FAILURE,
            failure_reason="-wrong password",
            ip_address="203.0.113.7",
            user_agent='Mozilla/5.0 (X11; "quoted", comma)',
            request_id="req-9",
        ),
        event(
            "webhook.delete",
            actor=ZAPIER,
            target=Target("webhook", "wh-1", "Line one\nline two, \u00fcml\u00e4ut \U0001f600"),
            occurred_at=minutes(4),
            ip_address="2001:db8::7",
            metadata={"nested": {"list": [1, 2.5, None, True, "x"]}, "big": 9007199254740991},
        ),
        event(
            "team_member.add",
            actor=NAMELESS,
            target=Target("team", "3", "+Escalations"),
            occurred_at=minutes(5),
            metadata={"member_id": "2", "member_name": "@bob"},
        ),
        event(
            "account_user.update",
            actor=ALICE,
            target=Target("account_user", "1", "Alice Smith"),
            occurred_at=minutes(6),
            changes=(Change("role", "agent", "administrator"),),
        ),
        event(
            "contact.import",
            actor=NIGHTLY,
            target=None,
            occurred_at=minutes(7),
            metadata={"count": 1200},
        ),
        event(
            "custom.invoice_paid",
            occurred_at=minutes(8),
            target=Target("invoice", "inv-1"),
            metadata={"amount": "\t9.99", "password": "s3cret"},
        ),
        event("report.export", occurred_at=minutes(9), target=None, metadata={"report": "SLA"}),
        event(
            "conversation.status_change",
            occurred_at=minutes(9),
            target=Target("conversation", "77"),
            changes=(Change("status", "open", "resolved"),),
        ),
    ]
