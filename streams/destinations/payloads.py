"""Request bodies: compact JSON, gzip, and splitting entries at a receiver's size limits."""

from __future__ import annotations

import calendar
import datetime as dt
import gzip
from collections.abc import Sequence

import orjson


def encode(value: object) -> bytes:
    """`value` as compact UTF-8 JSON."""
    return orjson.dumps(value)


def json_array(items: Sequence[bytes]) -> bytes:
    """Encoded JSON values joined into one JSON array."""
    return b"[" + b",".join(items) + b"]"


def gzipped(body: bytes) -> bytes:
    """`body` gzip-compressed (mtime 0, so equal bodies compress to equal bytes)."""
    return gzip.compress(body, compresslevel=6, mtime=0)


def epoch_seconds(timestamp: str) -> float:
    """The ISO-8601 `timestamp` as seconds since the epoch, with its fraction."""
    moment = dt.datetime.fromisoformat(timestamp)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    whole = calendar.timegm(moment.astimezone(dt.UTC).timetuple())
    return round(whole + moment.microsecond / 1_000_000, 6)


def split(
    items: Sequence[bytes],
    *,
    max_count: int,
    max_bytes: int,
    max_item_bytes: int | None = None,
    overhead: int = 2,
    separator: int = 1,
) -> list[list[bytes]]:
    """Consecutive groups of `items`, each within `max_count` items and `max_bytes` bytes.

    A group's size counts its items, a `separator` between two items and the `overhead`
    of the envelope around them. An item over `max_item_bytes`, or too big for any
    group, goes in a group of its own: nothing is dropped, and the receiver's judgement
    of that one item cannot hold back the others.
    """
    groups: list[list[bytes]] = []
    current: list[bytes] = []
    size = overhead
    for item in items:
        if max_item_bytes is not None and len(item) > max_item_bytes:
            groups.extend(group for group in (current, [item]) if group)
            current, size = [], overhead
            continue
        grown = size + len(item) + (separator if current else 0)
        if current and (len(current) >= max_count or grown > max_bytes):
            groups.append(current)
            current, grown = [], overhead + len(item)
        current.append(item)
        size = grown
    if current:
        groups.append(current)
    return groups
