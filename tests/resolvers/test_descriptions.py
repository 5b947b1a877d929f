"""Sentences: templates by verb, actor labels, failures, the fallback for unknown actions."""

from __future__ import annotations

import pytest

from models.audit_log import ActorType, Outcome
from resolvers.demo import DEMO_ACCOUNT, seed_demo
from resolvers.descriptions import describe
from resolvers.entries import Actor, Change, Target
from tests.factories import ALICE

INBOX = Target("inbox", "5", "Support")


@pytest.mark.parametrize(
    ("action", "actor", "target", "changes", "expected"),
    [
        ("inbox.create", ALICE, INBOX, (), "Alice Smith created inbox #5 (Support)"),
        ("inbox.delete", ALICE, Target("inbox", "5"), (), "Alice Smith deleted inbox #5"),
        (
            "inbox.update",
            ALICE,
            INBOX,
            (Change("name"), Change("greeting_message")),
            "Alice Smith updated inbox #5 (Support): name, greeting message",
        ),
        (
            "automation_rule.update",
            ALICE,
            Target("automation_rule", "3"),
            tuple(Change(f"f{i}") for i in range(7)),
            "Alice Smith updated automation rule #3: f0, f1, f2, f3, f4 and 2 more",
        ),
        ("user.sign_in", ALICE, None, (), "Alice Smith signed in"),
        ("inbox.create", Actor(ActorType.SYSTEM), INBOX, (), "System created inbox #5 (Support)"),
        (
            "webhook.delete",
            Actor(ActorType.API_CLIENT, "zap", "Zapier"),
            Target("webhook", "12"),
            (),
            "Zapier deleted webhook #12",
        ),
        (
            "inbox.create",
            Actor(ActorType.API_CLIENT, "k1"),
            INBOX,
            (),
            "API client k1 created inbox #5 (Support)",
        ),
        (
            "inbox.create",
            Actor(ActorType.USER, "9", email="gone@example.com"),
            INBOX,
            (),
            "gone@example.com created inbox #5 (Support)",
        ),
        (
            "report.spin",
            ALICE,
            Target("report", "abc"),
            (),
            'Alice Smith performed "report.spin" on report abc',
        ),
    ],
)
def test_sentence(
    action: str, actor: Actor, target: Target | None, changes: tuple[Change, ...], expected: str
) -> None:
    assert describe(action, actor, target, changes, Outcome.SUCCESS, None) == expected


def test_failure_reads_as_a_failed_attempt_with_its_reason() -> None:
    sentence = describe("user.sign_in", ALICE, None, (), Outcome.FAILURE, "wrong password")
    assert sentence == "Alice Smith failed to sign in: wrong password"


async def test_demo_seed_fills_an_empty_account_once(db: str) -> None:
    assert await seed_demo(count=40) == 40
    assert await seed_demo(count=40) == 0
    from models.audit_log import AuditLog

    assert await AuditLog.filter(account_id=DEMO_ACCOUNT).count() == 40
