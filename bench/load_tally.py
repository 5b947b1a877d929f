"""What the mixed load counted: latencies, errors and stored events per kind of request."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from bench.results import percentile


@dataclass
class KindTally:
    """The requests of one kind: seconds each took, error codes, events stored or repeated."""

    seconds: list[float] = field(default_factory=list)
    errors: Counter[str] = field(default_factory=Counter)
    stored: int = 0
    duplicates: int = 0


@dataclass(frozen=True)
class KindSummary:
    """One kind's throughput, latency percentiles and errors over a run of `elapsed` seconds."""

    kind: str
    requests: int
    per_second: float
    p50_ms: float
    p99_ms: float
    max_ms: float
    errors: dict[str, int]
    stored: int
    duplicates: int

    def as_json(self) -> dict[str, Any]:
        """The summary as the results file keeps it."""
        return dict(self.__dict__)


@dataclass
class Tally:
    """Every answered request of a run, by kind."""

    kinds: dict[str, KindTally] = field(default_factory=dict)

    def record(
        self,
        kind: str,
        seconds: float,
        errors: Sequence[str] = (),
        stored: int = 0,
        duplicates: int = 0,
    ) -> None:
        """Count one request of `kind` (errored ones too: their time and their error codes)."""
        tally = self.kinds.setdefault(kind, KindTally())
        tally.seconds.append(seconds)
        tally.errors.update(errors)
        tally.stored += stored
        tally.duplicates += duplicates

    @property
    def requests(self) -> int:
        """Requests counted, of every kind."""
        return sum(len(tally.seconds) for tally in self.kinds.values())

    @property
    def errors(self) -> int:
        """Errors counted, of every kind and code."""
        return sum(sum(tally.errors.values()) for tally in self.kinds.values())

    @property
    def stored(self) -> int:
        """Events the service stored (not repeats)."""
        return sum(tally.stored for tally in self.kinds.values())

    def summaries(self, elapsed: float) -> list[KindSummary]:
        """Each kind's summary (sorted by kind), then "all" over every request."""
        everything = KindTally()
        found = []
        for kind in sorted(self.kinds):
            tally = self.kinds[kind]
            found.append(_summary(kind, tally, elapsed))
            everything.seconds += tally.seconds
            everything.errors.update(tally.errors)
            everything.stored += tally.stored
            everything.duplicates += tally.duplicates
        if everything.seconds:
            found.append(_summary("all", everything, elapsed))
        return found


def _summary(kind: str, tally: KindTally, elapsed: float) -> KindSummary:
    samples = tally.seconds
    return KindSummary(
        kind=kind,
        requests=len(samples),
        per_second=round(len(samples) / elapsed, 2) if elapsed > 0 else 0.0,
        p50_ms=round(percentile(samples, 0.5) * 1000, 2),
        p99_ms=round(percentile(samples, 0.99) * 1000, 2),
        max_ms=round(max(samples) * 1000, 2),
        errors=dict(sorted(tally.errors.items())),
        stored=tally.stored,
        duplicates=tally.duplicates,
    )
