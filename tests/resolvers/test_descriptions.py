"""Sentences: templates by verb, actor labels, failures, the fallback for unknown actions."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from models.audit_log import ActorType, Outcome
from resolvers.demo import DEMO_ACCOUNT, seed_demo
from resolvers.descriptions import describe
from resolvers.entries import Actor, Change, Target
from tests.factories import ALICE

INBOX = Target("inbox", "5", "Support")


@dataclass(frozen=True)
class Sample:
    """An activity to describe."""

    action: str
    actor: Actor = ALICE
    target: Target | None = None
    changes: tuple[Change, ...] = ()
    metadata: dict[str, object] = field(default_factory=dict)
    outcome: Outcome = Outcome.SUCCESS
    failure_reason: str | None = None


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
    assert describe(Sample(action, actor, target, changes)) == expected


def test_failure_reads_as_a_failed_attempt_with_its_reason() -> None:
    sentence = describe(
        Sample("user.sign_in", outcome=Outcome.FAILURE, failure_reason="wrong password")
    )
    assert sentence == "Alice Smith failed to sign in: wrong password"


async def test_demo_seed_fills_an_empty_account_once(db: str) -> None:
    assert await seed_demo(count=40) == 40
    assert await seed_demo(count=40) == 0
    from models.audit_log import AuditLog

    assert await AuditLog.filter(account_id=DEMO_ACCOUNT).count() == 40


BOB_USER = Target("user", "2", "Bob Jones")


@pytest.mark.parametrize(
    ("action", "target", "metadata", "expected"),
    [
        (
            "audit_log.role_granted",
            BOB_USER,
            {"role": "log_viewer", "expires_at": "2026-12-10T00:00:00+00:00"},
            "Alice Smith gave Bob Jones read access to the audit log until 2026-12-10",
        ),
        (
            "audit_log.role_granted",
            Target("user", "42"),
            {"role": "admin", "expires_at": None},
            "Alice Smith made user 42 an administrator of the audit log",
        ),
        (
            "audit_log.role_revoked",
            BOB_USER,
            {"role": "log_viewer"},
            "Alice Smith removed Bob Jones's read access to the audit log",
        ),
        (
            "audit_log.api_token_created",
            Target("api_token", "3", "Nightly export"),
            {"role": "log_viewer", "expires_at": None},
            'Alice Smith created the API token "Nightly export" with read access',
        ),
        (
            "audit_log.api_token_revoked",
            Target("api_token", "3", "Nightly export"),
            {"role": "ingest"},
            'Alice Smith revoked the API token "Nightly export"',
        ),
    ],
)
def test_access_change_sentence(
    action: str, target: Target, metadata: dict[str, object], expected: str
) -> None:
    assert describe(Sample(action, target=target, metadata=metadata)) == expected
