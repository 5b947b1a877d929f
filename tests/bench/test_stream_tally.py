"""The log-stream benchmark's bookkeeping: arrivals, lag, missing and repeated entries."""

from __future__ import annotations

import datetime as dt

import pytest

from bench.stream_tally import (
    Arrival,
    Deliveries,
    PayloadError,
    arrived_between,
    batch_timeline,
    lag_windows,
    lags_after,
    tally,
)


def entry(number: int, recorded_at: str = "2026-12-02T04:00:00+00:00") -> dict[str, object]:
    return {"id": f"e{number}", "sequence": str(number), "recordedAt": recorded_at}


def payload(*entries: dict[str, object]) -> dict[str, object]:
    return {"type": "audit_log.batch", "data": {"entries": list(entries)}}


def arrival(number: int, recorded_at: float, arrived_at: float) -> Arrival:
    return Arrival(f"e{number}", number, recorded_at, arrived_at)


def test_a_batch_is_recorded_per_entry_with_its_arrival_and_recorded_time() -> None:
    deliveries = Deliveries()
    moment = 1_795_000_000.5
    accepted = deliveries.accept(payload(entry(7, "2026-12-02T04:00:00.250000+00:00")), moment, 120)
    assert (accepted, deliveries.batches, deliveries.bytes) == (1, 1, 120)
    assert deliveries.arrivals[0].entry_id == "e7"
    assert deliveries.arrivals[0].sequence == 7
    recorded = dt.datetime(2026, 12, 2, 4, 0, 0, 250_000, tzinfo=dt.UTC).timestamp()
    assert deliveries.arrivals[0].recorded_at == recorded


def test_lag_is_arrival_minus_recorded_at() -> None:
    assert arrival(1, recorded_at=100.0, arrived_at=101.25).lag == 1.25


def test_a_body_without_entries_is_refused_with_the_body_quoted() -> None:
    with pytest.raises(PayloadError, match=r"data\.entries"):
        Deliveries().accept({"type": "audit_log.batch"}, 1.0, 10)


def test_an_entry_without_recorded_at_is_refused_and_nothing_of_its_batch_is_kept() -> None:
    deliveries = Deliveries()
    with pytest.raises(PayloadError):
        deliveries.accept(payload(entry(1), {"id": "e2", "sequence": "2"}), 1.0, 10)
    assert (deliveries.arrivals, deliveries.batches) == ([], 0)


def test_the_bookkeeping_survives_its_json_form() -> None:
    deliveries = Deliveries([arrival(1, 10.0, 11.0)], batches=1, bytes=99, refused=2)
    assert Deliveries.from_json(deliveries.as_json()) == deliveries


def test_every_ingested_entry_that_arrived_counts_once_with_its_first_lag() -> None:
    arrivals = [arrival(1, 10.0, 11.0), arrival(2, 10.0, 12.0), arrival(1, 10.0, 15.0)]
    found = tally(arrivals, ["e1", "e2"])
    assert (found.delivered, found.duplicates, found.missing, found.lags) == (2, 1, 0, [1.0, 2.0])


def test_an_ingested_entry_that_never_arrived_is_missing() -> None:
    found = tally([arrival(1, 10.0, 11.0)], ["e1", "e2", "e3"])
    assert (found.ingested, found.delivered, found.missing) == (3, 1, 2)


def test_entries_the_run_did_not_ingest_count_as_extra_not_as_delivered() -> None:
    found = tally([arrival(5, 1.0, 2.0), arrival(5, 1.0, 3.0), arrival(6, 1.0, 2.0)], ["e6"])
    assert (found.extra, found.delivered, found.duplicates) == (1, 1, 0)


def test_a_sequence_not_above_the_one_before_is_out_of_order() -> None:
    arrivals = [arrival(1, 1.0, 2.0), arrival(3, 1.0, 2.0), arrival(2, 1.0, 3.0)]
    assert tally(arrivals, ["e1", "e2", "e3"]).out_of_order == 1


def test_only_first_arrivals_inside_the_window_count_as_delivered_during_it() -> None:
    arrivals = [arrival(1, 0.0, 5.0), arrival(2, 0.0, 11.0), arrival(1, 0.0, 9.0)]
    assert arrived_between(arrivals, ["e1", "e2"], start=4.0, end=10.0) == 1


def test_lag_windows_group_entries_by_when_they_were_recorded() -> None:
    arrivals = [arrival(1, 100.0, 100.5), arrival(2, 101.0, 102.0), arrival(3, 106.0, 110.0)]
    windows = lag_windows(arrivals, ["e1", "e2", "e3"], start=100.0, width=5.0)
    assert [(w["from_s"], w["entries"], w["p95_ms"]) for w in windows] == [
        (0.0, 2, 1000.0),
        (5.0, 1, 4000.0),
    ]


def test_batches_are_told_apart_by_their_arrival_time() -> None:
    arrivals = [arrival(1, 10.0, 12.0), arrival(2, 11.0, 12.0), arrival(3, 12.0, 13.0)]
    timeline = batch_timeline(arrivals, start=10.0)
    assert [(b["at_s"], b["entries"], b["oldest_lag_ms"]) for b in timeline] == [
        (2.0, 2, 2000.0),
        (3.0, 1, 1000.0),
    ]


def test_lag_after_the_answer_may_be_negative_when_the_webhook_came_first() -> None:
    arrivals = [arrival(1, 10.0, 10.4), arrival(2, 10.0, 11.5), arrival(1, 10.0, 12.0)]
    assert lags_after(arrivals, {"e1": 10.5, "e2": 10.5}) == pytest.approx([-0.1, 1.0])
