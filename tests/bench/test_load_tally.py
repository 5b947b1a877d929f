"""Counting the mixed load's requests: throughput, percentiles and errors per kind."""

from __future__ import annotations

from bench.load_tally import Tally
from bench.results import Measurement, percentile


def test_percentile_is_the_nearest_rank() -> None:
    samples = [float(n) for n in range(100, 0, -1)]
    assert (percentile(samples, 0.5), percentile(samples, 0.99)) == (50.0, 99.0)


def test_percentile_of_one_sample_is_that_sample() -> None:
    assert percentile([0.25], 0.99) == 0.25


def test_each_kind_gets_its_rate_and_percentiles_in_milliseconds() -> None:
    tally = Tally()
    for ms in range(1, 101):
        tally.record("page", ms / 1000)
    page = tally.summaries(elapsed=10.0)[0]
    assert (page.requests, page.per_second, page.p50_ms, page.p99_ms) == (100, 10.0, 50.0, 99.0)


def test_errors_are_counted_by_kind_and_code_and_summed_in_all() -> None:
    tally = Tally()
    tally.record("page", 0.01, ["HTTP 500"])
    tally.record("facets", 0.02, ["BAD_USER_INPUT", "BAD_USER_INPUT"])
    summaries = {s.kind: s for s in tally.summaries(elapsed=1.0)}
    assert (summaries["facets"].errors, summaries["all"].errors, tally.errors) == (
        {"BAD_USER_INPUT": 2},
        {"BAD_USER_INPUT": 2, "HTTP 500": 1},
        3,
    )


def test_stored_events_and_repeats_are_summed_over_kinds() -> None:
    tally = Tally()
    tally.record("ingest", 0.1, stored=50)
    tally.record("ingest_retry", 0.1, duplicates=10)
    everything = tally.summaries(elapsed=1.0)[-1]
    assert (everything.kind, everything.stored, everything.duplicates) == ("all", 50, 10)


def test_an_absolute_target_is_met_up_to_its_maximum() -> None:
    within = Measurement("load.rss_growth", "sqlite", "MB", 20.0, target={"max": 20})
    beyond = Measurement("load.errors", "sqlite", "errors", 1, target={"max": 0})
    assert (within.met, beyond.met, beyond.target_text) == (True, False, "<= 0 errors")
