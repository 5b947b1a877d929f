"""Realistic demo activity for a development database."""

from __future__ import annotations

import datetime as dt
import random

from catalogue import lookup
from catalogue.actions import ACTIONS
from models.audit_log import ActorType, AuditLog, Outcome
from resolvers.entries import Actor, Change, Target
from resolvers.event_validation import NewEvent
from resolvers.examples import example_for
from resolvers.recording import record_events
from resolvers.redaction import RedactionPolicy

DEMO_ACCOUNT = "demo"
AGENTS = [
    ("1", "Alice Smith", "alice@example.com"),
    ("2", "Bob Jones", "bob@example.com"),
    ("3", "Chidi Okafor", "chidi@example.com"),
    ("4", "Dana Kim", "dana@example.com"),
    ("5", "Esther Müller", "esther@example.com"),
]
INBOXES = [("5", "Support"), ("6", "Sales"), ("7", "Billing")]
TEAMS = [("2", "Tier 2"), ("3", "Escalations")]
IPS = ["203.0.113.7", "203.0.113.24", "198.51.100.12", "2001:db8::42", "192.0.2.55"]
AGENT_UAS = [
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 Safari/605.1.15",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/131.0 Safari/537.36",
]


def _event(rng: random.Random, when: dt.datetime, number: int) -> NewEvent:
    agent_id, name, email = rng.choice(AGENTS)
    actor = Actor(ActorType.USER, agent_id, name, email)
    common = {
        "actor": actor,
        "occurred_at": when,
        "ip_address": rng.choice(IPS),
        "user_agent": rng.choice(AGENT_UAS),
        "request_id": f"req-{number:06d}",
        "idempotency_key": f"demo-{number}",
    }
    kind = rng.random()
    if kind < 0.3:
        return NewEvent(action="user.sign_in", **common)  # type: ignore[arg-type]
    if kind < 0.35:
        return NewEvent(
            action="user.sign_in",
            outcome=Outcome.FAILURE,
            failure_reason="wrong password",
            tags=("security", "sign-in-failure"),
            **common,  # type: ignore[arg-type]
        )
    if kind < 0.45:
        return NewEvent(action="user.sign_out", **common)  # type: ignore[arg-type]
    if kind < 0.7:
        inbox_id, inbox = rng.choice(INBOXES)
        return NewEvent(
            action="inbox.update",
            target=Target("inbox", inbox_id, inbox),
            changes=(Change("greeting_message", "Hi!", f"Hello from {inbox}!"),),
            **common,  # type: ignore[arg-type]
        )
    if kind < 0.8:
        team_id, team = rng.choice(TEAMS)
        member = rng.choice(AGENTS)
        return NewEvent(
            action="team_member.add",
            target=Target("team", team_id, team),
            metadata={"member_id": member[0], "member_name": member[1]},
            tags=("staffing",),
            **common,  # type: ignore[arg-type]
        )
    if kind < 0.9:
        hook = str(rng.randint(10, 30))
        return NewEvent(
            action="webhook.update",
            target=Target("webhook", hook, f"https://hooks.example.com/{hook}"),
            changes=(
                Change(
                    "url", f"https://old.example.com/{hook}", f"https://hooks.example.com/{hook}"
                ),
                Change("secret", "old-value", "new-value"),
            ),
            tags=("integrations", "crm"),
            **common,  # type: ignore[arg-type]
        )
    return NewEvent(
        action="automation_rule.create",
        target=Target("automation_rule", str(rng.randint(1, 40)), "Auto-assign VIP"),
        metadata={"conditions": 2, "actions": ["assign_team"]},
        tags=("automation", "vip"),
        **common,  # type: ignore[arg-type]
    )


def _tour(rng: random.Random, now: dt.datetime) -> list[NewEvent]:
    """One event of every catalogue action and a custom one, so every category has entries."""
    events = []
    for number, name in enumerate([*sorted(ACTIONS), "custom.demo_ping"]):
        spec = lookup(name)
        example = example_for(spec) if spec else None
        agent_id, agent, email = rng.choice(AGENTS)
        events.append(
            NewEvent(
                action=name,
                actor=Actor(ActorType.USER, agent_id, agent, email),
                target=example.target if example else None,
                changes=tuple(example.changes) if example else (),
                metadata=dict(example.metadata) if example else {},
                occurred_at=now - dt.timedelta(seconds=rng.randint(60, 30 * 86400)),
                ip_address=rng.choice(IPS),
                user_agent=rng.choice(AGENT_UAS),
                request_id=f"req-tour-{number:03d}",
                idempotency_key=f"demo-tour-{name}",
            )
        )
    return events


async def seed_demo(count: int = 300, seed: int = 7) -> int:
    """Record `count` demo events over the last 30 days, plus one of every catalogue action,
    unless the account has entries."""
    if await AuditLog.filter(account_id=DEMO_ACCOUNT).exists():
        return 0
    rng = random.Random(seed)
    now = dt.datetime.now(dt.UTC)
    moments = sorted(now - dt.timedelta(seconds=rng.randint(60, 30 * 86400)) for _ in range(count))
    events = [_event(rng, when, number) for number, when in enumerate(moments)]
    events += _tour(rng, now)
    results = await record_events(DEMO_ACCOUNT, events, RedactionPolicy())
    return len(results)
