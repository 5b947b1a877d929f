"""The per-caller quota: spent by requests, refilled over time, idle callers forgotten."""

from __future__ import annotations

from ratelimit.buckets import Buckets
from ratelimit.rate import Rate


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_caller_may_spend_its_whole_quota_at_once() -> None:
    buckets = Buckets(Rate(3, 60), clock=Clock())
    decisions = [buckets.take("a") for _ in range(4)]
    assert [d.allowed for d in decisions] == [True, True, True, False]
    assert [d.remaining for d in decisions] == [2, 1, 0, 0]


def test_a_refused_request_says_when_to_retry() -> None:
    buckets = Buckets(Rate(3, 60), clock=Clock())
    for _ in range(3):
        buckets.take("a")
    assert buckets.take("a").retry_after == 20


def test_the_quota_refills_evenly_over_the_window() -> None:
    clock = Clock()
    buckets = Buckets(Rate(3, 60), clock=clock)
    for _ in range(3):
        buckets.take("a")
    clock.now += 20
    assert [buckets.take("a").allowed for _ in range(2)] == [True, False]


def test_callers_have_separate_quotas() -> None:
    buckets = Buckets(Rate(1, 60), clock=Clock())
    assert [buckets.take("a").allowed, buckets.take("b").allowed] == [True, True]


def test_the_reset_counts_seconds_until_the_quota_is_full() -> None:
    buckets = Buckets(Rate(3, 60), clock=Clock())
    buckets.take("a")
    assert buckets.take("a").reset_seconds == 40


def test_idle_callers_are_forgotten() -> None:
    clock = Clock()
    buckets = Buckets(Rate(10, 60), clock=clock)
    for caller in ("a", "b", "c"):
        buckets.take(caller)
    clock.now += 7
    buckets.take("d")
    assert len(buckets) == 1


def test_the_table_of_callers_never_outgrows_its_bound() -> None:
    buckets = Buckets(Rate(10, 60), max_callers=100, clock=Clock())
    for number in range(1000):
        buckets.take(f"caller-{number}")
    assert len(buckets) == 100


def test_reset_is_whole_seconds_even_where_float_sums_round_up() -> None:
    clock = Clock()
    clock.now = 262118.99177436958  # (now + 30.0) - now == 30.000000000029 here
    assert (clock.now + 30.0) - clock.now > 30.0
    decision = Buckets(Rate(2, 60), clock=clock).take("a")
    assert (decision.remaining, decision.reset_seconds) == (1, 30)
