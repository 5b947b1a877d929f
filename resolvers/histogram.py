"""Entry counts per hour, day, week or month in a time zone, empty buckets included."""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from models.audit_log_query import Condition, bucket_counts, first_and_last
from resolvers.errors import InvalidInputError
from resolvers.selection import Selection
from resolvers.time_zones import zone_named

MAX_BUCKETS = 2000


class Interval(enum.Enum):
    """The width of a histogram bucket, in the chosen time zone's calendar."""

    HOUR = "hour"
    DAY = "day"
    WEEK = "week"
    MONTH = "month"


@dataclass(frozen=True)
class Bucket:
    """One bucket: where it starts (in the time zone) and how many entries fall in it."""

    start: dt.datetime
    count: int


async def histogram(
    selection: Selection, interval: Interval, time_zone: str, now: dt.datetime | None = None
) -> list[Bucket]:
    """Count the selected entries per bucket, from the filter's bounds or the data's span."""
    zone = zone_named(time_zone)
    where = selection.condition(now)
    span = await _span(selection, where, now or dt.datetime.now(dt.UTC))
    if span is None:
        return []
    try:
        edges = bucket_edges(span[0], span[1], interval, zone)
        starts = [edge.astimezone(zone) for edge in edges[:-1]]
    # Calendar arithmetic past year 1 or 9999 in the zone (year 1 in America/Los_Angeles).
    except (OverflowError, ValueError) as exc:
        raise _out_of_range(span, zone) from exc
    if len(starts) > MAX_BUCKETS:
        raise InvalidInputError.single(
            "interval",
            f"{interval.name} buckets over this range would be {len(starts)}; the limit is "
            f"{MAX_BUCKETS}. Pick a wider interval or narrow occurredAfter/occurredBefore.",
        )
    counts = await bucket_counts(where, edges)
    return [Bucket(start, n) for start, n in zip(starts, counts, strict=True)]


def bucket_edges(
    start: dt.datetime, end: dt.datetime, interval: Interval, zone: ZoneInfo
) -> list[dt.datetime]:
    """Bucket boundaries in UTC covering [start, end): aligned to the zone's calendar.

    Raises OverflowError or ValueError when a boundary falls outside years 1-9999.
    """
    edge = _floor(start.astimezone(zone), interval)
    edges = [edge.astimezone(dt.UTC)]
    while edges[-1] <= end and len(edges) <= MAX_BUCKETS + 1:
        edges.append(_next(edges[-1], interval, zone))
    return edges


def _out_of_range(span: tuple[dt.datetime, dt.datetime], zone: ZoneInfo) -> InvalidInputError:
    # The early end overflows below year 1, the late end above year 9999.
    early = span[0].year <= 1
    name, moment = ("occurredAfter", span[0]) if early else ("occurredBefore", span[1])
    return InvalidInputError.single(
        f"filter.{name}",
        f'buckets around "{moment.isoformat()}" fall outside the years 1-9999 in {zone.key}; '
        f"pass a moment {'after year 1' if early else 'before year 9999'}.",
    )


async def _span(
    selection: Selection, where: Condition, now: dt.datetime
) -> tuple[dt.datetime, dt.datetime] | None:
    after, before = selection.filter.occurred_after, selection.filter.occurred_before
    if after is not None and before is not None:
        return after.astimezone(dt.UTC), _just_before(before)
    found = await first_and_last(where)
    if found is None:
        return None
    first, last = found
    return (after or first).astimezone(dt.UTC), _just_before(before) if before else last


def _just_before(before: dt.datetime) -> dt.datetime:
    """The last moment the histogram covers: occurredBefore is exclusive."""
    moment = before.astimezone(dt.UTC)  # the filter has checked that it has a UTC form
    if moment == dt.datetime.min.replace(tzinfo=dt.UTC):
        raise InvalidInputError.single(
            "filter.occurredBefore",
            f'"{before.isoformat()}" is the earliest moment there is; pass a later one.',
        )
    return moment - dt.timedelta(microseconds=1)


def _floor(local: dt.datetime, interval: Interval) -> dt.datetime:
    if interval is Interval.HOUR:
        return local.replace(minute=0, second=0, microsecond=0)
    # Wall-clock arithmetic: zoneinfo works out the offset valid at the resulting time.
    day = local.replace(hour=0, minute=0, second=0, microsecond=0)
    if interval is Interval.DAY:
        return day
    if interval is Interval.WEEK:
        return day - dt.timedelta(days=day.weekday())
    return day.replace(day=1)


def _next(edge_utc: dt.datetime, interval: Interval, zone: ZoneInfo) -> dt.datetime:
    if interval is Interval.HOUR:
        # Absolute hours: a day with a DST change has 23 or 25 of them.
        return edge_utc + dt.timedelta(hours=1)
    local = edge_utc.astimezone(zone)
    if interval is Interval.DAY:
        following = local.date() + dt.timedelta(days=1)
    elif interval is Interval.WEEK:
        following = local.date() + dt.timedelta(days=7)
    else:
        year, month = (local.year + 1, 1) if local.month == 12 else (local.year, local.month + 1)
        following = dt.date(year, month, 1)
    return dt.datetime.combine(following, dt.time(0), tzinfo=zone).astimezone(dt.UTC)
