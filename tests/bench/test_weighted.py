"""The weighted choice behind the mixed load's kinds of request."""

from __future__ import annotations

import random
from collections import Counter

import pytest

from bench.load_mix import KINDS
from bench.weighted import Weighted


def test_shares_are_the_weights_normalised() -> None:
    mix = Weighted.of((("a", 3), ("b", 1)))
    assert mix.shares() == [("a", 0.75), ("b", 0.25)]


def test_draws_follow_the_shares() -> None:
    mix = Weighted.of((("a", 6), ("b", 3), ("c", 1)))
    rng = random.Random(7)
    drawn = Counter(mix.choose(rng) for _ in range(20_000))
    assert [drawn[item] / 20_000 for item in "abc"] == pytest.approx([0.6, 0.3, 0.1], abs=0.02)


def test_an_item_of_weight_zero_is_never_drawn() -> None:
    mix = Weighted.of((("never", 0), ("always", 1)))
    rng = random.Random(1)
    assert {mix.choose(rng) for _ in range(1000)} == {"always"}


@pytest.mark.parametrize(
    "weighted", [(), (("a", -1), ("b", 2)), (("a", 0),)], ids=["empty", "negative", "all-zero"]
)
def test_weights_without_a_positive_sum_are_refused(
    weighted: tuple[tuple[str, float], ...],
) -> None:
    with pytest.raises(ValueError, match="non-negative with a positive sum"):
        Weighted.of(weighted)


def test_the_load_mix_reads_four_times_as_often_as_it_ingests() -> None:
    shares = dict(KINDS.shares())
    ingest = shares["ingest"] + shares["ingest_retry"]
    assert (round(ingest, 2), round(1 - ingest, 2)) == (0.2, 0.8)
