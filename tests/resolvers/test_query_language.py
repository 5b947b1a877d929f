"""The search language: a parser table, errors with columns, and the rows queries select."""

from __future__ import annotations

import datetime as dt

import pytest

from models.audit_log import ActorType, Outcome
from resolvers.audit_logs import Order, PageRequest, list_audit_logs
from resolvers.entries import Actor, Target
from resolvers.errors import InvalidInputError
from resolvers.query_language import Term, parse_query
from resolvers.selection import Selection
from tests.factories import ALICE, BOB, event, minutes, record

PARSED = [
    ("", []),
    ("alice", [Term(None, "alice", False, 1)]),
    ('"secret rotated"', [Term(None, "secret rotated", False, 1)]),
    ("actor:alice@example.com", [Term("actor", "alice@example.com", False, 1)]),
    ('actor:"Alice Smith"', [Term("actor", "Alice Smith", False, 1)]),
    ("-action:webhook.update", [Term("action", "webhook.update", True, 1)]),
    (
        "action:webhook.* -action:webhook.update",
        [Term("action", "webhook.*", False, 1), Term("action", "webhook.update", True, 18)],
    ),
    ("occurred:>=now-7d", [Term("occurred", ">=now-7d", False, 1)]),
    ("occurred:2026-01-01..2026-01-31", [Term("occurred", "2026-01-01..2026-01-31", False, 1)]),
    (
        "  target:inbox:5   ip:10.0.0.0/8",
        [Term("target", "inbox:5", False, 3), Term("ip", "10.0.0.0/8", False, 20)],
    ),
    ("-spam", [Term(None, "spam", True, 1)]),
    ("- spam", [Term(None, "-", False, 1), Term(None, "spam", False, 3)]),
    ("ACTION:inbox.create", [Term("action", "inbox.create", False, 1)]),
]


@pytest.mark.parametrize(("text", "terms"), PARSED, ids=[p[0] or "empty" for p in PARSED])
def test_query_parses_into_terms(text: str, terms: list[Term]) -> None:
    assert parse_query(text) == terms


ERRORS = [
    ("acton:inbox.create", 'unknown qualifier "acton:" at column 1; did you mean "action:"?'),
    ("alice zzz:1", 'unknown qualifier "zzz:" at column 7; use one of actor:'),
    ("actor:", 'expected a value after "actor:" at column 7'),
    ('actor:"Alice', 'unterminated quote; close it with " at column 7'),
    ('say ""', "empty quotes at column 5"),
    ("action:Inbox", '"Inbox" is not an action name or prefix such as inbox.* at column 1'),
    (
        "x ip:300.1.1.1",
        '"300.1.1.1" is not an IP address or CIDR block such as 10.0.0.0/8 at column 3',
    ),
    ("occurred:>=2026-13-01", '"2026-13-01" is not a date; write 2026-11-01'),
    ("occurred:..", 'expected a date on at least one side of ".." at column 1'),
    ("category:billing", 'unknown category "billing"; use one of access'),
    ("target::5", '":5" is not a target; write inbox or inbox:5 at column 1'),
]


@pytest.mark.parametrize(("text", "message"), ERRORS, ids=[e[0] for e in ERRORS])
async def test_bad_query_names_the_column_and_what_was_expected(
    db: str, text: str, message: str
) -> None:
    with pytest.raises(InvalidInputError) as caught:
        Selection("acme", query=text).condition()
    problem = caught.value.problems[0]
    assert problem.field == "query"
    assert message in problem.message


def test_overlong_query_is_refused() -> None:
    with pytest.raises(InvalidInputError, match="limit is 1000"):
        parse_query("a" * 1001)


ZAPIER = Actor(ActorType.API_CLIENT, "zap-1", "Zapier")


@pytest.fixture
async def log(db: str) -> None:
    """Entries over three November days, in acme, and one in globex."""
    await record(
        "acme",
        event("webhook.create", occurred_at=minutes(0), target=Target("webhook", "12", "CRM hook")),
        event(
            "webhook.update",
            occurred_at=minutes(60 * 24),
            target=Target("webhook", "12", "CRM hook"),
            ip_address="10.1.2.3",
        ),
        event(
            "webhook.delete",
            occurred_at=minutes(60 * 48),
            actor=BOB,
            target=Target("webhook", "13", "Old hook"),
            ip_address="203.0.113.9",
        ),
        event("inbox.create", occurred_at=minutes(60 * 24 + 5), request_id="req-7"),
        event(
            "user.sign_in",
            occurred_at=minutes(60 * 48 + 1),
            target=None,
            outcome=Outcome.FAILURE,
            failure_reason="wrong password",
        ),
        event("custom.secret_rotated", occurred_at=minutes(10), actor=ZAPIER, target=None),
    )
    await record("globex", event("webhook.create", occurred_at=minutes(0)))


QUERIES = [
    ("", 6),
    (
        "actor:alice@example.com",
        ["user.sign_in", "inbox.create", "webhook.update", "webhook.create"],
    ),
    ('actor:"alice smith"', ["user.sign_in", "inbox.create", "webhook.update", "webhook.create"]),
    ("actor:2", ["webhook.delete"]),
    ("actor:zap-1 actor:2", ["webhook.delete", "custom.secret_rotated"]),
    ("-actor:alice@example.com", ["webhook.delete", "custom.secret_rotated"]),
    ("action:webhook.* -action:webhook.update", ["webhook.delete", "webhook.create"]),
    ("category:security", []),
    ("category:access category:custom", ["user.sign_in", "custom.secret_rotated"]),
    ("target:webhook", ["webhook.delete", "webhook.update", "webhook.create"]),
    ("target:webhook:13", ["webhook.delete"]),
    ("ip:10.0.0.0/8", ["webhook.update"]),
    ("-ip:10.0.0.0/8 action:webhook.*", ["webhook.delete", "webhook.create"]),
    ("request:req-7", ["inbox.create"]),
    ("occurred:2026-11-02", ["inbox.create", "webhook.update"]),
    ("occurred:>2026-11-02", ["user.sign_in", "webhook.delete"]),
    ("occurred:<=2026-11-01", ["custom.secret_rotated", "webhook.create"]),
    (
        "occurred:2026-11-01..2026-11-02",
        ["inbox.create", "webhook.update", "custom.secret_rotated", "webhook.create"],
    ),
    ("occurred:>=2026-11-03T12:00:00Z", ["user.sign_in", "webhook.delete"]),
    ("occurred:<2026-11-01T12:10:00+00:00", ["webhook.create"]),
    ('"crm hook"', ["webhook.update", "webhook.create"]),
    ("hook -old", ["webhook.update", "webhook.create"]),
    ('"secret rotated"', ["custom.secret_rotated"]),
    ("wrong password", ["user.sign_in"]),
    ("zapier", ["custom.secret_rotated"]),
    ("zq", []),
]


@pytest.mark.parametrize(("query", "expected"), QUERIES, ids=[q[0] or "empty" for q in QUERIES])
async def test_query_selects_exactly_the_matching_entries(
    log: None, query: str, expected: list[str] | int
) -> None:
    page = await list_audit_logs(
        Selection("acme", query=query), Order.NEWEST_FIRST, PageRequest(first=50), 100
    )
    actions = [entry.action for entry in page.entries]
    if isinstance(expected, int):
        assert len(actions) == expected
    else:
        assert actions == expected


async def test_relative_time_counts_back_from_now(db: str) -> None:
    now = dt.datetime.now(dt.UTC)
    await record(
        "acme",
        event("inbox.create", occurred_at=now - dt.timedelta(days=8)),
        event("inbox.delete", occurred_at=now - dt.timedelta(hours=2)),
    )
    for query, expected in (
        ("occurred:>=now-7d", ["inbox.delete"]),
        ("occurred:<now-1w", ["inbox.create"]),
    ):
        page = await list_audit_logs(
            Selection("acme", query=query), Order.NEWEST_FIRST, PageRequest(), 100
        )
        assert [e.action for e in page.entries] == expected


async def test_query_and_filter_combine_and_bind_the_cursor(log: None) -> None:
    from resolvers.filters import AuditLogFilter

    selection = Selection("acme", AuditLogFilter(actor_ids=("1",)), "action:webhook.*")
    first = await list_audit_logs(selection, Order.NEWEST_FIRST, PageRequest(first=1), 100)
    assert [e.action for e in first.entries] == ["webhook.update"]
    other = Selection("acme", AuditLogFilter(actor_ids=("1",)), "action:inbox.*")
    with pytest.raises(InvalidInputError, match="not valid for this query"):
        await list_audit_logs(other, Order.NEWEST_FIRST, PageRequest(after=first.cursors[0]), 100)
    rest = await list_audit_logs(
        selection, Order.NEWEST_FIRST, PageRequest(after=first.cursors[0]), 100
    )
    assert [e.action for e in rest.entries] == ["webhook.create"]


async def test_queries_never_reach_another_account(log: None) -> None:
    page = await list_audit_logs(
        Selection("globex", query="action:webhook.* actor:1"),
        Order.NEWEST_FIRST,
        PageRequest(),
        100,
    )
    assert [e.action for e in page.entries] == ["webhook.create"]
    assert ALICE.id == "1"
