"""Reading: every filter, keyset paging both ways and in both orders, cursor errors."""

from __future__ import annotations

import datetime as dt

import pytest

from catalogue import Category
from models.audit_log import ActorType, Outcome
from resolvers.audit_logs import Order, PageRequest, get_audit_log, list_audit_logs
from resolvers.entries import Actor, Target
from resolvers.errors import InvalidInputError
from resolvers.filters import AuditLogFilter
from resolvers.selection import Selection
from tests.factories import ALICE, BOB, event, minutes, record

NO_FILTER = AuditLogFilter()


async def page(
    flt: AuditLogFilter = NO_FILTER,
    order: Order = Order.NEWEST_FIRST,
    account: str = "acme",
    **paging: object,
):  # type: ignore[no-untyped-def]
    selection = Selection(account, flt)
    return await list_audit_logs(selection, order, PageRequest(**paging), 100)  # type: ignore[arg-type]


async def actions_of(flt: AuditLogFilter, account: str = "acme") -> list[str]:
    result = await page(flt, account=account, first=100)
    return [entry.action for entry in result.entries]


@pytest.fixture
async def mixed(db: str) -> None:
    """Six entries in acme with distinct actors, targets, IPs and times; one in globex."""
    await record(
        "acme",
        event("inbox.create", occurred_at=minutes(1), ip_address="203.0.113.7", request_id="r1"),
        event("inbox.update", occurred_at=minutes(2), ip_address="203.0.113.200", actor=BOB),
        event(
            "user.sign_in",
            occurred_at=minutes(3),
            target=None,
            ip_address="198.51.100.1",
            outcome=Outcome.FAILURE,
            failure_reason="wrong password",
        ),
        event("team.create", occurred_at=minutes(4), target=Target("team", "2", "Tier 2")),
        event(
            "webhook.delete",
            occurred_at=minutes(5),
            actor=Actor(ActorType.API_CLIENT, "zapier", "Zapier"),
            target=Target("webhook", "12", "https://hooks.example.com/x"),
            ip_address="2001:db8::1",
        ),
        event("custom.inboxes_purge", occurred_at=minutes(6), actor=None, target=None),
    )
    await record("globex", event("inbox.create", occurred_at=minutes(1)))


FILTERS = [
    pytest.param(AuditLogFilter(), 6, id="no-filter"),
    pytest.param(AuditLogFilter(actions=("inbox.create",)), ["inbox.create"], id="exact-action"),
    pytest.param(
        AuditLogFilter(actions=("inbox.*",)), ["inbox.update", "inbox.create"], id="action-prefix"
    ),
    pytest.param(
        AuditLogFilter(actions=("team.create", "webhook.*")),
        ["webhook.delete", "team.create"],
        id="actions-or",
    ),
    pytest.param(
        AuditLogFilter(categories=(Category.CONFIGURATION,)),
        ["inbox.update", "inbox.create"],
        id="category",
    ),
    pytest.param(
        AuditLogFilter(categories=(Category.ACCESS, Category.CUSTOM)),
        ["custom.inboxes_purge", "user.sign_in"],
        id="categories-with-custom",
    ),
    pytest.param(AuditLogFilter(categories=(Category.SECURITY,)), [], id="empty-category"),
    pytest.param(AuditLogFilter(actor_ids=("2",)), ["inbox.update"], id="actor-id"),
    pytest.param(
        AuditLogFilter(actor_types=(ActorType.API_CLIENT, ActorType.SYSTEM)),
        ["custom.inboxes_purge", "webhook.delete"],
        id="actor-types",
    ),
    pytest.param(AuditLogFilter(outcomes=(Outcome.FAILURE,)), ["user.sign_in"], id="outcome"),
    pytest.param(AuditLogFilter(target_types=("team",)), ["team.create"], id="target-type"),
    pytest.param(AuditLogFilter(target_ids=("12",)), ["webhook.delete"], id="target-id"),
    pytest.param(
        AuditLogFilter(occurred_after=minutes(2), occurred_before=minutes(4)),
        ["user.sign_in", "inbox.update"],
        id="time-range-inclusive-exclusive",
    ),
    pytest.param(AuditLogFilter(ip_addresses=("203.0.113.7",)), ["inbox.create"], id="ip-address"),
    pytest.param(
        AuditLogFilter(ip_addresses=("203.0.113.0/24",)),
        ["inbox.update", "inbox.create"],
        id="ipv4-cidr",
    ),
    pytest.param(
        AuditLogFilter(ip_addresses=("2001:db8::/32", "198.51.100.1")),
        ["webhook.delete", "user.sign_in"],
        id="ipv6-cidr-or-address",
    ),
    pytest.param(AuditLogFilter(request_id="r1"), ["inbox.create"], id="request-id"),
    pytest.param(
        AuditLogFilter(after_sequence=4),
        ["custom.inboxes_purge", "webhook.delete"],
        id="after-sequence",
    ),
    pytest.param(AuditLogFilter(search="ZAPIER"), ["webhook.delete"], id="search-actor-name"),
    pytest.param(
        AuditLogFilter(search="bob@EXAMPLE.com"), ["inbox.update"], id="search-actor-email"
    ),
    pytest.param(AuditLogFilter(search="tier 2"), ["team.create"], id="search-target-name"),
    pytest.param(
        AuditLogFilter(search="failed sign"), ["user.sign_in"], id="search-description-words"
    ),
    # Unescaped, "_" would match the "e" of "inboxes" and "%" anything at all.
    pytest.param(AuditLogFilter(search="inbox_"), [], id="search-underscore-is-literal"),
    pytest.param(AuditLogFilter(search="in%ox"), [], id="search-percent-is-literal"),
    pytest.param(
        AuditLogFilter(actions=("inbox.*",), actor_ids=("1",)), ["inbox.create"], id="and-combined"
    ),
]


@pytest.mark.parametrize(("flt", "expected"), FILTERS)
async def test_filter_selects_exactly_the_matching_entries(
    mixed: None, flt: AuditLogFilter, expected: list[str] | int
) -> None:
    found = await actions_of(flt)
    if isinstance(expected, int):
        assert len(found) == expected
    else:
        assert found == expected


async def test_entries_of_other_accounts_are_never_listed(mixed: None) -> None:
    assert await actions_of(AuditLogFilter(), account="globex") == ["inbox.create"]
    assert await actions_of(AuditLogFilter(), account="initech") == []


async def test_get_audit_log_is_scoped_to_the_account(mixed: None) -> None:
    listed = await page(account="globex", first=1)
    entry_id = listed.entries[0].id
    assert (await get_audit_log("globex", entry_id)) is not None
    assert await get_audit_log("acme", entry_id) is None


BAD_FILTERS = [
    pytest.param(AuditLogFilter(actions=("inbox*",)), "filter.actions", id="bad-wildcard"),
    pytest.param(AuditLogFilter(actions=("*",)), "filter.actions", id="bare-star"),
    pytest.param(
        AuditLogFilter(ip_addresses=("10.0.0.0/33",)), "filter.ipAddresses", id="bad-cidr"
    ),
    pytest.param(
        AuditLogFilter(actor_ids=tuple(map(str, range(101)))), "filter.actorIds", id="too-many"
    ),
    pytest.param(
        AuditLogFilter(occurred_after=dt.datetime(2026, 1, 1)), "filter.occurredAfter", id="naive"
    ),
    pytest.param(AuditLogFilter(search="x" * 201), "filter.search", id="long-search"),
]


@pytest.mark.parametrize(("flt", "field"), BAD_FILTERS)
async def test_bad_filter_is_refused_naming_the_field(
    db: str, flt: AuditLogFilter, field: str
) -> None:
    with pytest.raises(InvalidInputError) as caught:
        await page(flt)
    assert caught.value.problems[0].field == field


@pytest.fixture
async def thirty(db: str) -> list[int]:
    """Thirty entries, with pairs sharing a timestamp so ties are broken by id."""
    results = await record("acme", *[event(occurred_at=minutes(i // 2)) for i in range(30)])
    return [r.id for r in results]


async def walk_forward(order: Order, size: int) -> list[int]:
    seen: list[int] = []
    after = None
    while True:
        result = await page(order=order, first=size, after=after)
        seen.extend(entry.id for entry in result.entries)
        if not await result.has_next_page():
            return seen
        assert result.cursors, "a page that promises more must have cursors"
        after = result.cursors[-1]


async def walk_backward(order: Order, size: int) -> list[int]:
    seen: list[int] = []
    before = None
    while True:
        result = await page(order=order, last=size, before=before)
        seen[:0] = [entry.id for entry in result.entries]
        if not await result.has_previous_page():
            return seen
        before = result.cursors[0]


@pytest.mark.parametrize("order", list(Order), ids=lambda o: o.value)
@pytest.mark.parametrize("size", [1, 7, 30, 50])
async def test_forward_paging_visits_every_entry_once_in_order(
    thirty: list[int], order: Order, size: int
) -> None:
    expected = thirty if order is Order.OLDEST_FIRST else thirty[::-1]
    assert await walk_forward(order, size) == expected


@pytest.mark.parametrize("order", list(Order), ids=lambda o: o.value)
@pytest.mark.parametrize("size", [1, 7, 30])
async def test_backward_paging_visits_every_entry_once_in_order(
    thirty: list[int], order: Order, size: int
) -> None:
    expected = thirty if order is Order.OLDEST_FIRST else thirty[::-1]
    assert await walk_backward(order, size) == expected


async def test_page_info_reports_neighbours_on_both_sides(thirty: list[int]) -> None:
    first = await page(first=10)
    middle = await page(first=10, after=first.cursors[-1])
    back = await page(last=10, before=middle.cursors[0])
    assert (await first.has_previous_page(), await first.has_next_page()) == (False, True)
    assert (await middle.has_previous_page(), await middle.has_next_page()) == (True, True)
    assert [e.id for e in back.entries] == [e.id for e in first.entries]
    assert (await back.has_previous_page(), await back.has_next_page()) == (False, True)


async def test_paging_while_entries_arrive_skips_none_and_repeats_none(thirty: list[int]) -> None:
    seen: list[int] = []
    after = None
    arrivals = 0
    while True:
        result = await page(first=4, after=after)
        seen.extend(entry.id for entry in result.entries)
        # New events land both at the head and, late-arriving, in the middle of the range.
        await record("acme", event(occurred_at=minutes(100 + arrivals)))
        await record("acme", event(occurred_at=minutes(3.5 + arrivals / 100)))
        arrivals += 1
        if not await result.has_next_page():
            break
        after = result.cursors[-1]
    assert len(seen) == len(set(seen))
    assert set(thirty) <= set(seen)


async def test_default_page_holds_fifty_entries(db: str) -> None:
    await record("acme", *[event() for _ in range(60)])
    result = await page()
    assert len(result.entries) == 50 and await result.has_next_page()


BAD_PAGING = [
    pytest.param({"first": 101}, "first", id="first-above-max"),
    pytest.param({"last": 101}, "last", id="last-above-max"),
    pytest.param({"first": -1}, "first", id="negative-first"),
    pytest.param({"first": 1, "last": 1}, "last", id="first-and-last"),
    pytest.param({"after": "garbage"}, "after", id="malformed-after"),
    pytest.param({"before": "YzE6MTox"}, "before", id="truncated-before"),
]


@pytest.mark.parametrize(("paging", "field"), BAD_PAGING)
async def test_bad_paging_argument_is_refused_naming_it(
    db: str, paging: dict[str, object], field: str
) -> None:
    with pytest.raises(InvalidInputError) as caught:
        await page(**paging)
    assert caught.value.problems[0].field == field


async def test_cursor_from_another_filter_is_refused(thirty: list[int]) -> None:
    cursor = (await page(first=5)).cursors[-1]
    with pytest.raises(InvalidInputError, match="not valid for this query"):
        await page(AuditLogFilter(actions=("inbox.*",)), first=5, after=cursor)


async def test_cursor_from_another_account_is_refused_like_a_malformed_one(
    thirty: list[int],
) -> None:
    cursor = (await page(first=5)).cursors[-1]
    with pytest.raises(InvalidInputError) as other_account:
        await page(account="globex", first=5, after=cursor)
    with pytest.raises(InvalidInputError) as malformed:
        await page(account="globex", first=5, after="bm9wZQ")
    assert str(other_account.value).replace(cursor, "X") == str(malformed.value).replace(
        "bm9wZQ", "X"
    )


async def test_entry_reads_back_with_every_field(db: str) -> None:
    [result] = await record(
        "acme",
        event(
            "inbox.update",
            ip_address="2001:db8::7",
            user_agent="curl/8",
            request_id="req-1",
            metadata={"plan": "pro"},
        ),
    )
    entry = await get_audit_log("acme", result.id)
    assert entry is not None
    assert entry.actor == ALICE
    assert entry.target == Target("inbox", "5", "Support")
    assert (entry.ip_address, entry.user_agent, entry.request_id) == (
        "2001:db8::7",
        "curl/8",
        "req-1",
    )
    assert entry.metadata == {"plan": "pro"}
    assert entry.occurred_at == minutes(0) and entry.occurred_at.tzinfo is not None
    assert entry.recorded_at.tzinfo is not None and entry.sequence == 1
