"""Facets, histograms and totals, checked against counts computed here independently."""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from zoneinfo import ZoneInfo

import pytest

from catalogue import category_of
from models.audit_log import ActorType
from resolvers.errors import InvalidInputError
from resolvers.event_validation import NewEvent
from resolvers.facets import FacetField, facets, total
from resolvers.filters import AuditLogFilter
from resolvers.histogram import Interval, bucket_edges, histogram
from resolvers.selection import Selection
from tests.factories import Actor, Target, event, record

START = dt.datetime(2026, 11, 2, tzinfo=dt.UTC)
ACTIONS = ["inbox.create", "inbox.update", "team.delete", "user.password_change", "custom.ping"]
ACTORS = [Actor(ActorType.USER, str(i), f"Agent {i}") for i in range(1, 6)]
ACTORS.append(Actor(ActorType.SYSTEM))
TARGETS = [Target("inbox", "5", "Support"), Target("team", "2", "Tier 2"), None]
IPS = ["203.0.113.7", "198.51.100.1", "2001:db8::1", None]
TAGS = ["gdpr", "billing", "security", "eu"]


def random_events(count: int, seed: int) -> list[NewEvent]:
    rng = random.Random(seed)
    events = []
    for _ in range(count):
        action = rng.choice(ACTIONS)
        target = TARGETS[0] if action.startswith("inbox") else rng.choice(TARGETS[1:2])
        if action.startswith(("user.", "custom.")):
            target = rng.choice([None, TARGETS[1]])
        # Skip day 3 entirely, so the histogram must show an empty bucket.
        day = rng.choice([0, 1, 2, 4, 5])
        when = START + dt.timedelta(days=day, seconds=rng.randrange(86400))
        actor = rng.choice(ACTORS)
        if action.startswith("user.") and actor.type is ActorType.SYSTEM:
            actor = ACTORS[0]
        tags = tuple(rng.sample(TAGS, k=rng.randrange(3)))
        events.append(
            event(
                action,
                actor=actor,
                target=target,
                occurred_at=when,
                ip_address=rng.choice(IPS),
                tags=tags,
            )
        )
    return events


@pytest.fixture
async def sample(db: str) -> list[NewEvent]:
    events = random_events(150, seed=11)
    await record("acme", *events)
    await record("globex", *random_events(20, seed=12))
    return events


def expected_counts(events: list[NewEvent], field: FacetField) -> Counter[str]:
    if field is FacetField.TAG:
        return Counter(tag for e in events for tag in e.tags)

    def key(e: NewEvent) -> str | None:
        if field is FacetField.ACTION:
            return e.action
        if field is FacetField.CATEGORY:
            category = category_of(e.action)
            return category.name if category else None
        if field is FacetField.ACTOR:
            assert e.actor is not None
            return e.actor.id or e.actor.type.value
        if field is FacetField.TARGET_TYPE:
            return e.target.type if e.target else None
        return e.ip_address

    return Counter(k for k in map(key, events) if k is not None)


@pytest.mark.parametrize("field", list(FacetField), ids=lambda f: f.name)
async def test_facet_counts_match_an_independent_count(
    sample: list[NewEvent], field: FacetField
) -> None:
    [facet] = await facets(Selection("acme"), [field], 100, None)
    assert {v.value: v.count for v in facet.values} == dict(expected_counts(sample, field))
    counts = [v.count for v in facet.values]
    assert counts == sorted(counts, reverse=True)


async def test_facets_respect_the_query_and_the_limit(sample: list[NewEvent]) -> None:
    inbox_only = [e for e in sample if e.action.startswith("inbox.")]
    [actors] = await facets(Selection("acme", query="action:inbox.*"), [FacetField.ACTOR], 2, None)
    expected = expected_counts(inbox_only, FacetField.ACTOR)
    assert len(actors.values) == 2
    assert [v.count for v in actors.values] == sorted(expected.values(), reverse=True)[:2]


async def test_facet_labels_are_readable_in_the_locale(sample: list[NewEvent]) -> None:
    results = await facets(
        Selection("acme"), [FacetField.ACTION, FacetField.CATEGORY, FacetField.ACTOR], 100, "de"
    )
    labels = {v.value: v.label for facet in results for v in facet.values}
    assert labels["inbox.create"] == "Posteingang erstellt"
    assert labels["CONFIGURATION"] == "Konfiguration"
    assert labels["SYSTEM"] == "System" and labels["1"] == "Agent 1"


async def test_facet_limit_outside_range_is_refused(db: str) -> None:
    with pytest.raises(InvalidInputError) as caught:
        await facets(Selection("acme"), [FacetField.ACTION], 0, None)
    assert caught.value.problems[0].field == "limit"


async def test_total_counts_the_selection(sample: list[NewEvent]) -> None:
    assert await total(Selection("acme")) == 150
    failures = [e for e in sample if e.action.startswith("team.") and e.ip_address == "203.0.113.7"]
    selection = Selection("acme", AuditLogFilter(actions=("team.*",)), "ip:203.0.113.7")
    assert await total(selection) == len(failures)


async def test_daily_histogram_includes_empty_days(sample: list[NewEvent]) -> None:
    buckets = await histogram(Selection("acme"), Interval.DAY, "UTC")
    per_day = Counter(e.occurred_at.date() for e in sample if e.occurred_at)  # type: ignore[union-attr]
    assert [b.start.date() for b in buckets] == [
        (START + dt.timedelta(days=d)).date() for d in range(6)
    ]
    assert [b.count for b in buckets] == [per_day.get(b.start.date(), 0) for b in buckets]
    assert buckets[3].count == 0


async def test_histogram_respects_filter_bounds_and_query(sample: list[NewEvent]) -> None:
    flt = AuditLogFilter(occurred_after=START, occurred_before=START + dt.timedelta(days=2))
    buckets = await histogram(Selection("acme", flt, "action:inbox.*"), Interval.HOUR, "UTC")
    assert len(buckets) == 48
    expected = sum(
        1
        for e in sample
        if e.action.startswith("inbox.") and START <= e.occurred_at < START + dt.timedelta(days=2)  # type: ignore[operator]
    )
    assert sum(b.count for b in buckets) == expected


BERLIN = ZoneInfo("Europe/Berlin")


async def test_daily_buckets_follow_a_daylight_saving_change(db: str) -> None:
    # 2026-03-29: Berlin moves from +01:00 to +02:00 at 02:00 local time.
    await record(
        "acme",
        event(occurred_at=dt.datetime(2026, 3, 29, 21, 30, tzinfo=dt.UTC)),  # 23:30 on the 29th
        event(occurred_at=dt.datetime(2026, 3, 29, 22, 30, tzinfo=dt.UTC)),  # 00:30 on the 30th
        event(occurred_at=dt.datetime(2026, 3, 28, 23, 30, tzinfo=dt.UTC)),  # 00:30 on the 29th
    )
    flt = AuditLogFilter(
        occurred_after=dt.datetime(2026, 3, 28, tzinfo=BERLIN),
        occurred_before=dt.datetime(2026, 3, 31, tzinfo=BERLIN),
    )
    buckets = await histogram(Selection("acme", flt), Interval.DAY, "Europe/Berlin")
    assert [b.start.isoformat() for b in buckets] == [
        "2026-03-28T00:00:00+01:00",
        "2026-03-29T00:00:00+01:00",
        "2026-03-30T00:00:00+02:00",
    ]
    assert [b.count for b in buckets] == [0, 2, 1]


@pytest.mark.parametrize(
    ("day", "hours"), [(dt.date(2026, 3, 29), 23), (dt.date(2026, 10, 25), 25)]
)
def test_a_daylight_saving_day_has_23_or_25_hourly_buckets(day: dt.date, hours: int) -> None:
    start = dt.datetime.combine(day, dt.time(0), tzinfo=BERLIN)
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), tzinfo=BERLIN)
    edges = bucket_edges(start, end - dt.timedelta(microseconds=1), Interval.HOUR, BERLIN)
    assert len(edges) - 1 == hours


def test_weeks_start_on_monday_and_months_on_the_first() -> None:
    moment = dt.datetime(2026, 11, 26, 15, tzinfo=dt.UTC)  # a Thursday
    week = bucket_edges(moment, moment, Interval.WEEK, ZoneInfo("UTC"))
    month = bucket_edges(moment, moment, Interval.MONTH, BERLIN)
    assert week[0] == dt.datetime(2026, 11, 23, tzinfo=dt.UTC)
    assert month[0].astimezone(BERLIN).isoformat() == "2026-11-01T00:00:00+01:00"
    assert month[1].astimezone(BERLIN).isoformat() == "2026-12-01T00:00:00+01:00"


async def test_unknown_time_zone_is_refused(db: str) -> None:
    with pytest.raises(InvalidInputError) as caught:
        await histogram(Selection("acme"), Interval.DAY, "Mars/Olympus")
    assert caught.value.problems[0].field == "timeZone"


async def test_too_many_buckets_are_refused(db: str) -> None:
    flt = AuditLogFilter(occurred_after=START - dt.timedelta(days=400), occurred_before=START)
    with pytest.raises(InvalidInputError) as caught:
        await histogram(Selection("acme", flt), Interval.HOUR, "UTC")
    assert caught.value.problems[0].field == "interval"


async def test_histogram_of_nothing_is_empty(db: str) -> None:
    assert await histogram(Selection("acme"), Interval.DAY, "UTC") == []


async def test_actor_facet_labels_an_actor_by_its_latest_name(db: str) -> None:
    renamed = [
        event(actor=Actor(ActorType.USER, "7", "Old Name", "old@example.com"), occurred_at=START),
        event(
            actor=Actor(ActorType.USER, "7", "New Name", "new@example.com"),
            occurred_at=START + dt.timedelta(days=1),
        ),
        event(
            actor=Actor(ActorType.USER, "7", "Zed Old"), occurred_at=START - dt.timedelta(days=1)
        ),
    ]
    await record("acme", *renamed)
    await record(
        "globex",
        event(
            actor=Actor(ActorType.USER, "7", "Other Account"),
            occurred_at=START + dt.timedelta(days=2),
        ),
    )
    [actors] = await facets(Selection("acme"), [FacetField.ACTOR], 10, None)
    assert [(v.value, v.label, v.count) for v in actors.values] == [("7", "New Name", 3)]
