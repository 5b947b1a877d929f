"""Sentences: specific forms, actor labels, secrets, languages, and every catalogue action."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pytest

from catalogue import SPECS, category_of
from catalogue.de import GERMAN
from catalogue.en import ENGLISH
from catalogue.language import Language, negotiate
from models.audit_log import ActorType, Outcome
from resolvers import descriptions
from resolvers.demo import DEMO_ACCOUNT, seed_demo
from resolvers.descriptions import LANGUAGES, describe
from resolvers.entries import Actor, Change, Target
from resolvers.examples import example_for
from resolvers.redaction import REDACTED
from tests.factories import ALICE

INBOX = Target("inbox", "5", "Support")
BOB = Target("user", "2", "Bob Jones")
ALICE_AS_TARGET = Target("user", "1", "Alice Smith")


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


ENGLISH_CASES = [
    pytest.param(Sample("inbox.create", target=INBOX), "Alice Smith created inbox #5 (Support)"),
    pytest.param(
        Sample("account_user.update", target=BOB, changes=(Change("role", 0, 1),)),
        "Alice Smith changed Bob Jones's role from agent to administrator",
        id="role-change-numbers-read-as-words",
    ),
    pytest.param(
        Sample("account_user.update", target=BOB, changes=(Change("role", None, "admin"),)),
        "Alice Smith changed Bob Jones's role to administrator",
        id="role-change-without-before",
    ),
    pytest.param(
        Sample(
            "account_user.update", target=ALICE_AS_TARGET, changes=(Change("availability", 0, 2),)
        ),
        "Alice Smith set their availability to busy",
        id="self-form",
    ),
    pytest.param(
        Sample("account_user.update", target=BOB, changes=(Change("availability", 0, 2),)),
        "Alice Smith set Bob Jones's availability to busy",
        id="availability-of-another",
    ),
    pytest.param(
        Sample(
            "webhook.update",
            target=Target("webhook", "12"),
            changes=(Change("url", "a", "b"), Change("subscriptions", [], ["x"])),
        ),
        "Alice Smith updated webhook #12: URL and subscribed events",
        id="update-lists-fields",
    ),
    pytest.param(
        Sample(
            "automation_rule.update",
            target=Target("automation_rule", "3"),
            changes=tuple(Change(f"f{i}") for i in range(7)),
        ),
        "Alice Smith updated automation rule #3: f0, f1, f2, f3, f4 and 2 more",
        id="long-field-list",
    ),
    pytest.param(
        Sample(
            "inbox.delete", actor=Actor(ActorType.USER, "9", None, "gone@example.com"), target=INBOX
        ),
        "gone@example.com deleted inbox #5 (Support)",
        id="deleted-user-reads-by-stored-email",
    ),
    pytest.param(
        Sample("inbox.delete", actor=Actor(ActorType.SYSTEM), target=INBOX),
        "System deleted inbox #5 (Support)",
        id="system",
    ),
    pytest.param(
        Sample("inbox.delete", actor=Actor(ActorType.API_CLIENT, "k1", "Zapier"), target=INBOX),
        "Zapier deleted inbox #5 (Support)",
        id="api-client-by-name",
    ),
    pytest.param(
        Sample("inbox.delete", actor=Actor(ActorType.API_CLIENT, "k1"), target=INBOX),
        "API client k1 deleted inbox #5 (Support)",
        id="api-client-without-name",
    ),
    pytest.param(
        Sample("user.sign_in", outcome=Outcome.FAILURE, failure_reason="wrong password"),
        "Alice Smith failed to sign in: wrong password",
        id="failed-sign-in",
    ),
    pytest.param(
        Sample("inbox.delete", target=INBOX, outcome=Outcome.FAILURE),
        "Alice Smith failed to delete inbox #5 (Support)",
        id="generic-failure",
    ),
    pytest.param(
        Sample("custom.invoice_refund", target=Target("invoice", "77")),
        'Alice Smith performed the custom action "invoice refund" on invoice #77',
        id="custom-action",
    ),
    pytest.param(
        Sample("legacy.spin", target=Target("report", "abc")),
        'Alice Smith performed "legacy.spin" on report abc',
        id="stored-action-unknown-to-the-catalogue",
    ),
]


@pytest.mark.parametrize(("activity", "expected"), ENGLISH_CASES)
def test_english_sentence(activity: Sample, expected: str) -> None:
    assert describe(activity) == expected


def test_german_sentence_uses_german_words_and_values() -> None:
    activity = Sample("account_user.update", target=BOB, changes=(Change("role", 0, 1),))
    assert describe(activity, "de") == (
        "Alice Smith hat die Rolle von Bob Jones von Agent zu Administrator geändert"
    )


@pytest.mark.parametrize("locale", ["en", "de"])
def test_secret_values_never_reach_the_sentence(locale: str) -> None:
    activity = Sample(
        "account_user.update",
        target=BOB,
        changes=(Change("role", REDACTED, REDACTED),),
    )
    sentence = describe(activity, locale)
    assert REDACTED not in sentence and "Bob Jones" in sentence


@pytest.mark.parametrize(
    ("header", "code"),
    [
        (None, "en"),
        ("de", "de"),
        ("de-DE,de;q=0.9,en;q=0.8", "de"),
        ("fr-FR, de;q=0.5, en;q=0.4", "de"),
        ("en;q=0.9, de;q=0.2", "en"),
        ("fr", "en"),
        ("de;q=bogus", "en"),
    ],
)
def test_locale_is_negotiated_from_accept_language(header: str | None, code: str) -> None:
    assert negotiate(header, LANGUAGES) == code


def test_missing_translation_falls_back_to_english_not_to_a_key(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sparse = Language("xx", "Sparse", nouns={}, verbs={}, sentences={}, labels={}, words={})
    monkeypatch.setitem(descriptions.LANGUAGES, "xx", sparse)
    activity = Sample("inbox.create", target=INBOX)
    assert describe(activity, "xx") == "Alice Smith created inbox #5 (Support)"


PLACEHOLDER = re.compile(r"[{}]")


def _raw_enum_values(activity: object) -> list[str]:
    changes = getattr(activity, "changes", ())
    return [
        str(value)
        for change in changes
        if change.field in ENGLISH.values
        for value in (change.before, change.after)
        if isinstance(value, int)
    ]


@pytest.mark.parametrize("code", sorted(LANGUAGES))
@pytest.mark.parametrize("name", sorted(SPECS))
def test_every_action_reads_as_a_complete_sentence(name: str, code: str) -> None:
    activity = example_for(SPECS[name])
    sentence = describe(activity, code)
    assert sentence and not PLACEHOLDER.search(sentence), sentence
    assert sentence.startswith("Alice Smith "), sentence
    assert name not in sentence, f"fell back to the raw action name: {sentence}"
    assert "None" not in sentence and "  " not in sentence and not sentence.endswith(" ")
    words = set(re.findall(r"\w+", sentence))
    assert not words & set(_raw_enum_values(activity)), f"raw enum number in: {sentence}"


@pytest.mark.parametrize("part", ["sentences", "labels", "nouns", "verbs", "words", "values"])
def test_german_translates_everything_english_has(part: str) -> None:
    missing = set(getattr(ENGLISH, part)) - set(getattr(GERMAN, part))
    assert not missing


def test_every_catalogue_entity_has_a_noun_in_every_language() -> None:
    for language in LANGUAGES.values():
        assert {spec.entity for spec in SPECS.values()} <= set(language.nouns), language.code


async def test_demo_seed_fills_an_empty_account_once(db: str) -> None:
    from models.audit_log import AuditLog

    tour = len(SPECS) + 1  # one of every catalogue action and a custom one
    assert await seed_demo(count=40) == 40 + tour
    assert await seed_demo(count=40) == 0
    assert await AuditLog.filter(account_id=DEMO_ACCOUNT).count() == 40 + tour


async def test_demo_data_has_entries_in_every_category(db: str) -> None:
    from catalogue.actions import Category
    from models.audit_log import AuditLog

    await seed_demo(count=10)
    actions = await AuditLog.filter(account_id=DEMO_ACCOUNT).values_list("action", flat=True)
    assert {category_of(action) for action in actions} == set(Category)


@pytest.mark.parametrize("query", ["tag:security", "tag:integrations tag:crm", "meta.member_id:2"])
async def test_demo_data_answers_the_readme_tag_and_metadata_examples(db: str, query: str) -> None:
    from resolvers.audit_logs import Order, PageRequest, list_audit_logs
    from resolvers.selection import Selection

    await seed_demo()
    page = await list_audit_logs(
        Selection(DEMO_ACCOUNT, query=query), Order.NEWEST_FIRST, PageRequest(first=5), 100
    )
    assert page.entries
