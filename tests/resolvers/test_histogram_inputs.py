"""Histogram arguments from clients: any time zone string and any moments give buckets or
BAD_USER_INPUT, never another error."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from resolvers.errors import InvalidInputError
from resolvers.filters import AuditLogFilter
from resolvers.histogram import Interval, histogram
from resolvers.selection import Selection
from resolvers.time_zones import zone_named
from tests.factories import event, record

START = dt.datetime(2026, 3, 27, tzinfo=dt.UTC)
MOMENTS = [START + dt.timedelta(hours=7 * i, minutes=i) for i in range(40)]
UTC = dt.UTC


@pytest.mark.parametrize(
    "name",
    [
        "\u0301" * 50,
        "../../etc/passwd",
        "/etc/passwd",
        "",
        "x" * 10_000,
        "Europe/Ber\x00lin",
        "America",
        "Europe/Atlantis",
        "zone.tab",
        "UTC/",
        " UTC",
    ],
    ids=[
        "combining",
        "traversal",
        "absolute",
        "empty",
        "10k",
        "nul",
        "directory",
        "unknown",
        "data-file",
        "trailing-slash",
        "space",
    ],
)
def test_a_name_that_is_not_an_iana_zone_is_refused_with_an_example(name: str) -> None:
    with pytest.raises(InvalidInputError) as caught:
        zone_named(name)
    assert caught.value.problems[0].field == "timeZone"
    assert "Europe/Berlin" in caught.value.problems[0].message
    assert len(str(caught.value)) < 300


@pytest.mark.parametrize(
    "name",
    [
        "UTC",
        "Europe/Berlin",
        "America/Argentina/Buenos_Aires",
        "Etc/GMT+5",
        "America/Port-au-Prince",
    ],
)
def test_iana_names_are_accepted(name: str) -> None:
    assert zone_named(name).key == name


@pytest.mark.parametrize(
    ("after", "before", "zone", "field"),
    [
        (
            dt.datetime(1, 1, 1, tzinfo=UTC),
            dt.datetime(1, 1, 3, tzinfo=UTC),
            "America/Los_Angeles",
            "filter.occurredAfter",
        ),
        (
            dt.datetime(9999, 12, 30, tzinfo=UTC),
            dt.datetime(9999, 12, 31, 23, tzinfo=UTC),
            "Pacific/Kiritimati",
            "filter.occurredBefore",
        ),
        (
            dt.datetime(1, 1, 1, tzinfo=dt.timezone(dt.timedelta(hours=5))),
            dt.datetime(1, 1, 3, tzinfo=UTC),
            "UTC",
            "filter.occurredAfter",
        ),
        (
            dt.datetime(1, 1, 1, tzinfo=UTC),
            dt.datetime(1, 1, 1, tzinfo=UTC),
            "UTC",
            "filter.occurredBefore",
        ),
    ],
    ids=["year-1-los-angeles", "year-9999-kiritimati", "year-1-at-plus-5", "earliest-before"],
)
@pytest.mark.parametrize("interval", list(Interval), ids=lambda i: i.name)
async def test_a_range_past_the_calendar_is_refused_naming_the_bound(
    db: str, after: dt.datetime, before: dt.datetime, zone: str, field: str, interval: Interval
) -> None:
    selection = Selection("acme", AuditLogFilter(occurred_after=after, occurred_before=before))
    with pytest.raises(InvalidInputError) as caught:
        await histogram(selection, interval, zone)
    assert caught.value.problems[0].field == field


ZONES = st.one_of(
    st.sampled_from(
        [
            "UTC",
            "Europe/Berlin",
            "America/Los_Angeles",
            "Pacific/Kiritimati",
            "Asia/Kolkata",
            "Australia/Lord_Howe",
            "America",
        ]
    ),
    st.text(max_size=40),
)
OFFSETS = st.sampled_from(
    [UTC, dt.timezone(dt.timedelta(hours=14)), dt.timezone(dt.timedelta(hours=-12, minutes=-30))]
)
NEAR = st.datetimes(
    min_value=dt.datetime(2026, 3, 20), max_value=dt.datetime(2026, 4, 20), timezones=OFFSETS
)
ANY = st.datetimes(timezones=OFFSETS)
BOUNDS = st.one_of(st.none(), NEAR, ANY)


@pytest.fixture
async def spread(db: str) -> list[dt.datetime]:
    """Entries every seven hours across a daylight saving change, and one in another account."""
    await record("acme", *[event(occurred_at=m) for m in MOMENTS])
    await record("globex", event(occurred_at=START))
    return MOMENTS


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],  # the rows are only read
)
@given(zone=ZONES, after=BOUNDS, before=BOUNDS, interval=st.sampled_from(list(Interval)))
async def test_buckets_sum_to_the_selected_entries_or_the_input_is_refused(
    spread: list[dt.datetime],
    zone: str,
    after: dt.datetime | None,
    before: dt.datetime | None,
    interval: Interval,
) -> None:
    selection = Selection("acme", AuditLogFilter(occurred_after=after, occurred_before=before))
    try:
        buckets = await histogram(selection, interval, zone)
    except InvalidInputError:
        return
    selected = [
        m for m in spread if (after is None or m >= after) and (before is None or m < before)
    ]
    assert sum(b.count for b in buckets) == len(selected)
    starts = [b.start for b in buckets]
    assert starts == sorted(starts)
