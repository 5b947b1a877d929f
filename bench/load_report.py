"""The mixed load's report: per-kind table, target verdicts, measurements and the JSON section."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bench.load_tally import KindSummary, Tally
from bench.process_stats import MB
from bench.results import Measurement

MAX_ERRORS = 0
MAX_RSS_GROWTH_MB = 20.0
HARDWARE_NOTE = (
    "Throughput is bound by this machine's hardware (one uvicorn process, the client and "
    "the database sharing its cores with anything else running); compare it only with runs "
    "on the same machine. Errors and memory growth are the targets."
)


@dataclass(frozen=True)
class Memory:
    """The server's resident set size (bytes) at start, after the warm-up, at the end, and peak."""

    start: int
    after_warmup: int
    end: int
    peak: int

    @property
    def growth_mb(self) -> float:
        """Growth from the end of the warm-up to the end of the run, in MB."""
        return round((self.end - self.after_warmup) / MB, 1)


@dataclass(frozen=True)
class Verdicts:
    """Whether the run met its targets: no errors, RSS growth within bounds."""

    errors: int
    rss_growth_mb: float

    @property
    def errors_met(self) -> bool:
        """No request failed."""
        return self.errors <= MAX_ERRORS

    @property
    def rss_met(self) -> bool:
        """The server grew by at most MAX_RSS_GROWTH_MB after the warm-up."""
        return self.rss_growth_mb <= MAX_RSS_GROWTH_MB

    def as_json(self) -> dict[str, Any]:
        """The verdicts as the results file keeps them."""
        return {
            "errors": {"value": self.errors, "target": f"== {MAX_ERRORS}", "met": self.errors_met},
            "rss_growth_mb": {
                "value": self.rss_growth_mb,
                "target": f"<= {MAX_RSS_GROWTH_MB:g}",
                "met": self.rss_met,
            },
        }

    def lines(self) -> list[str]:
        """Readable verdict lines."""
        return [
            f"errors: {self.errors} (target {MAX_ERRORS}): {_met(self.errors_met)}",
            f"RSS growth after warm-up: {self.rss_growth_mb:+.1f} MB "
            f"(target <= {MAX_RSS_GROWTH_MB:g} MB): {_met(self.rss_met)}",
        ]


def _met(met: bool) -> str:
    return "met" if met else "MISSED"


def kind_table(summaries: list[KindSummary]) -> list[str]:
    """The per-kind table as aligned lines."""
    header = ("kind", "requests", "req/s", "p50 ms", "p99 ms", "max ms", "errors", "stored")
    rows = [header] + [
        (
            s.kind,
            str(s.requests),
            f"{s.per_second:.1f}",
            f"{s.p50_ms:.1f}",
            f"{s.p99_ms:.1f}",
            f"{s.max_ms:.1f}",
            ", ".join(f"{code} x{n}" for code, n in s.errors.items()) or "0",
            str(s.stored) if s.stored or s.duplicates else "",
        )
        for s in summaries
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
        for row in rows
    ]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return lines


def measurements(
    database: str, summaries: list[KindSummary], verdicts: Verdicts, memory: Memory, note: str
) -> list[Measurement]:
    """The run as table rows: throughput, p50/p99 per kind, errors and RSS growth with targets."""
    found = []
    for s in summaries:
        if s.kind == "all":
            found.append(
                Measurement(
                    "load.throughput",
                    database,
                    "req/s",
                    s.per_second,
                    samples=s.requests,
                    note=note,
                )
            )
            continue
        for label, value in (("p50", s.p50_ms), ("p99", s.p99_ms)):
            found.append(
                Measurement(
                    f"load.{s.kind}.{label}",
                    database,
                    "ms",
                    value,
                    samples=s.requests,
                    note=f"{s.per_second:.1f} req/s",
                )
            )
    ingested = sum(s.stored for s in summaries if s.kind != "all")
    found.append(Measurement("load.events_stored", database, "events", ingested))
    found.append(
        Measurement("load.errors", database, "errors", verdicts.errors, target={"max": MAX_ERRORS})
    )
    found.append(
        Measurement(
            "load.rss_growth",
            database,
            "MB",
            verdicts.rss_growth_mb,
            target={"max": MAX_RSS_GROWTH_MB},
            note=(
                f"{memory.after_warmup / MB:.1f} MB after warm-up, {memory.end / MB:.1f} MB at "
                f"end (start {memory.start / MB:.1f}, peak {memory.peak / MB:.1f})"
            ),
        )
    )
    return found


def error_codes(tally: Tally) -> dict[str, dict[str, int]]:
    """Error counts by kind and code (kinds without errors left out)."""
    return {
        kind: dict(sorted(counted.errors.items()))
        for kind, counted in sorted(tally.kinds.items())
        if counted.errors
    }
