"""Splitting encoded items at a receiver's limits, and epoch times."""

from __future__ import annotations

import pytest

from streams.destinations.payloads import epoch_seconds, split


def test_split_keeps_every_item_in_order_within_the_count() -> None:
    items = [bytes([n]) for n in range(7)]

    groups = split(items, max_count=3, max_bytes=1000)

    assert groups == [items[0:3], items[3:6], items[6:7]]


def test_split_counts_separators_and_envelope_against_the_byte_limit() -> None:
    items = [b"aaaa", b"bbbb", b"cccc"]

    # "[aaaa,bbbb]" is 11 bytes; adding ",cccc" would make 16.
    assert split(items, max_count=10, max_bytes=11) == [[b"aaaa", b"bbbb"], [b"cccc"]]
    assert split(items, max_count=10, max_bytes=10) == [[b"aaaa"], [b"bbbb"], [b"cccc"]]


def test_split_sends_an_item_over_the_item_limit_alone() -> None:
    items = [b"a", b"big-item", b"b", b"c"]

    groups = split(items, max_count=10, max_bytes=100, max_item_bytes=4)

    assert groups == [[b"a"], [b"big-item"], [b"b", b"c"]]


def test_split_sends_an_item_too_big_for_any_group_alone_rather_than_dropping_it() -> None:
    assert split([b"a", b"x" * 50, b"b"], max_count=10, max_bytes=20) == [
        [b"a"],
        [b"x" * 50],
        [b"b"],
    ]


@pytest.mark.parametrize(
    ("timestamp", "seconds"),
    [
        ("2024-05-01T12:00:00.125000+00:00", 1714564800.125),
        ("2024-05-01T12:00:00Z", 1714564800.0),
        ("2024-05-01T14:00:00.000001+02:00", 1714564800.000001),
    ],
    ids=["millis", "zulu", "offset-micros"],
)
def test_epoch_seconds_keep_the_fraction(timestamp: str, seconds: float) -> None:
    assert epoch_seconds(timestamp) == seconds
