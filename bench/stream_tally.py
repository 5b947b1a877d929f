"""What a webhook receiver got from a log stream, and how it compares with what was ingested.

`Deliveries` is the receiver's bookkeeping (bench/stream_receiver.py keeps one per
side): per entry its global id, sequence, `recordedAt` and the moment its batch
arrived. `tally()` then sets the arrivals beside the ids the benchmark's ingest got
back from recordAuditLogs: lag per entry (first arrival minus recordedAt), entries
never delivered, repeats, and entries the run did not ingest (the service's own, such
as `audit_log.stream_created`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from bench.results import percentile


class PayloadError(Exception):
    """A webhook body is not a batch of entries as streams send them."""


@dataclass(frozen=True)
class Arrival:
    """One entry as the receiver got it; times in seconds since the epoch."""

    entry_id: str
    sequence: int
    recorded_at: float
    arrived_at: float

    @property
    def lag(self) -> float:
        """Seconds from the service recording the entry to the receiver having it."""
        return self.arrived_at - self.recorded_at


@dataclass
class Deliveries:
    """Every accepted batch's entries, in arrival order, and the batches and bytes."""

    arrivals: list[Arrival] = field(default_factory=list)
    batches: int = 0
    bytes: int = 0
    refused: int = 0  # requests whose signature did not verify

    def accept(self, payload: Mapping[str, Any], arrived_at: float, size: int) -> int:
        """Record a verified batch's entries as arriving at `arrived_at`; return how many."""
        try:
            entries = payload["data"]["entries"]
            found = [
                Arrival(
                    str(entry["id"]),
                    int(entry["sequence"]),
                    dt.datetime.fromisoformat(entry["recordedAt"]).timestamp(),
                    arrived_at,
                )
                for entry in entries
            ]
        except (KeyError, TypeError, ValueError) as exc:
            raise PayloadError(
                f"batch {str(payload)[:200]!r} lacks data.entries[].id, sequence or "
                f"recordedAt ({exc!r})"
            ) from exc
        self.arrivals.extend(found)
        self.batches += 1
        self.bytes += size
        return len(found)

    def as_json(self) -> dict[str, Any]:
        """The bookkeeping as JSON (arrivals as [id, sequence, recorded_at, arrived_at])."""
        return {
            "arrivals": [
                [a.entry_id, a.sequence, a.recorded_at, a.arrived_at] for a in self.arrivals
            ],
            "batches": self.batches,
            "bytes": self.bytes,
            "refused": self.refused,
        }

    @classmethod
    def from_json(cls, document: Mapping[str, Any]) -> Deliveries:
        """The bookkeeping `as_json()` wrote."""
        arrivals = [
            Arrival(str(i), int(s), float(r), float(a)) for i, s, r, a in document["arrivals"]
        ]
        return cls(arrivals, document["batches"], document["bytes"], document["refused"])


@dataclass(frozen=True)
class StreamTally:
    """The ingested entries beside the arrivals."""

    ingested: int
    delivered: int  # distinct ingested entries that arrived
    missing: int
    duplicates: int  # arrivals of an ingested entry after its first
    extra: int  # distinct entries that arrived but were not ingested by the run
    out_of_order: int  # arrivals whose sequence is not above the one before
    lags: list[float]  # seconds, the first arrival of each delivered ingested entry


def tally(arrivals: Sequence[Arrival], ingested: Collection[str]) -> StreamTally:
    """Set `arrivals` beside the ids of the entries the run ingested."""
    wanted = set(ingested)
    first: dict[str, Arrival] = {}
    duplicates = out_of_order = 0
    extra: set[str] = set()
    previous = None
    for arrival in arrivals:
        if previous is not None and arrival.sequence <= previous:
            out_of_order += 1
        previous = arrival.sequence
        if arrival.entry_id not in wanted:
            extra.add(arrival.entry_id)
        elif arrival.entry_id in first:
            duplicates += 1
        else:
            first[arrival.entry_id] = arrival
    lags = [arrival.lag for arrival in first.values()]
    missing = len(wanted) - len(first)
    return StreamTally(len(wanted), len(first), missing, duplicates, len(extra), out_of_order, lags)


def arrived_between(
    arrivals: Sequence[Arrival], ingested: Collection[str], start: float, end: float
) -> int:
    """Ingested entries whose first arrival falls in [start, end]."""
    wanted, seen = set(ingested), set()
    for arrival in arrivals:
        if arrival.entry_id in wanted and start <= arrival.arrived_at <= end:
            seen.add(arrival.entry_id)
    return len(seen)


def lag_windows(
    arrivals: Sequence[Arrival], ingested: Collection[str], start: float, width: float
) -> list[dict[str, float]]:
    """Lag p50, p95 and max (ms) of the ingested entries by `width`-second window of
    recordedAt from `start`: a lag that climbs from window to window is not keeping up."""
    wanted, seen = set(ingested), set()
    windows: dict[int, list[float]] = {}
    for arrival in arrivals:
        if arrival.entry_id not in wanted or arrival.entry_id in seen:
            continue
        seen.add(arrival.entry_id)
        index = max(0, int((arrival.recorded_at - start) // width))
        windows.setdefault(index, []).append(arrival.lag)
    return [
        {
            "from_s": index * width,
            "entries": len(lags),
            "p50_ms": round(percentile(lags, 0.5) * 1000, 1),
            "p95_ms": round(percentile(lags, 0.95) * 1000, 1),
            "max_ms": round(max(lags) * 1000, 1),
        }
        for index, lags in sorted(windows.items())
    ]


def batch_timeline(arrivals: Sequence[Arrival], start: float) -> list[dict[str, float]]:
    """Per arriving batch (entries sharing an arrival time): seconds after `start`, its
    entries, and the lag of its oldest and newest entry in ms."""
    batches: dict[float, list[Arrival]] = {}
    for arrival in arrivals:
        batches.setdefault(arrival.arrived_at, []).append(arrival)
    return [
        {
            "at_s": round(arrived_at - start, 3),
            "entries": len(batch),
            "oldest_lag_ms": round(max(a.lag for a in batch) * 1000, 1),
            "newest_lag_ms": round(min(a.lag for a in batch) * 1000, 1),
        }
        for arrived_at, batch in sorted(batches.items())
    ]


def lags_after(arrivals: Sequence[Arrival], answered: Mapping[str, float]) -> list[float]:
    """Seconds from the ingest answer naming an entry to that entry's first arrival, for the
    entries in `answered` (id -> when recordAuditLogs answered); below 0 when the webhook
    came first. recordedAt is stamped before the batch's transaction, the answer after it."""
    seen: set[str] = set()
    lags = []
    for arrival in arrivals:
        if arrival.entry_id in answered and arrival.entry_id not in seen:
            seen.add(arrival.entry_id)
            lags.append(arrival.arrived_at - answered[arrival.entry_id])
    return lags
