"""Measurements, their targets, the printed table and the JSON file of a run."""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results"


@dataclass
class Measurement:
    """One number of a run, beside its floor; `target` bounds the ratio value/floor."""

    name: str
    database: str
    unit: str
    value: float | None
    floor: float | None = None
    ratio: float | None = None
    # {"ratio_max": 2.0} or {"ratio_min": 0.5} bound value/floor; {"max": 20} bounds the value
    target: dict[str, float] | None = None
    met: bool | None = None
    samples: int | None = None
    note: str | None = None

    def __post_init__(self) -> None:
        if self.value is not None and self.floor:
            self.ratio = round(self.value / self.floor, 3)
        if self.ratio is not None and self.target:
            low = self.target.get("ratio_min", -math.inf)
            high = self.target.get("ratio_max", math.inf)
            self.met = low <= self.ratio <= high
        if self.value is not None and self.target and "max" in self.target:
            self.met = self.value <= self.target["max"]

    @property
    def target_text(self) -> str:
        """The target as the table shows it."""
        if not self.target:
            return ""
        if "max" in self.target:
            return f"<= {self.target['max']:g} {self.unit}"
        if "ratio_max" in self.target:
            return f"<= {self.target['ratio_max']:g}x"
        return f">= {self.target['ratio_min']:g}x"


def percentile(samples: Sequence[float], fraction: float) -> float:
    """The `fraction` quantile of `samples` (nearest rank)."""
    ordered = sorted(samples)
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[rank - 1]


def latency_pair(
    name: str,
    database: str,
    samples: Sequence[float],
    floor: Sequence[float] | None,
    targets: tuple[float | None, float | None],
) -> list[Measurement]:
    """p50 and p95 in milliseconds of `samples` (seconds) beside the same of `floor`."""
    found = []
    for label, fraction, limit in (("p50", 0.5, targets[0]), ("p95", 0.95, targets[1])):
        found.append(
            Measurement(
                f"{name}.{label}",
                database,
                "ms",
                round(percentile(samples, fraction) * 1000, 3),
                round(percentile(floor, fraction) * 1000, 3) if floor else None,
                target={"ratio_max": limit} if limit is not None else None,
                samples=len(samples),
            )
        )
    return found


def print_table(measurements: Sequence[Measurement], title: str) -> None:
    """Print the measurements as an aligned table."""
    header = ("database", "measurement", "value", "floor", "ratio", "target", "met", "note")
    rows = [header] + [
        (
            m.database,
            m.name,
            _number(m.value, m.unit),
            _number(m.floor, m.unit),
            f"{m.ratio:.2f}x" if m.ratio is not None else "",
            m.target_text,
            {True: "yes", False: "NO", None: ""}[m.met],
            m.note or "",
        )
        for m in measurements
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    print(f"\n{title}")
    for index, row in enumerate(rows):
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)))
        if index == 0:
            print("  ".join("-" * width for width in widths))


def _number(value: float | None, unit: str) -> str:
    if value is None:
        return ""
    return f"{value:,.1f} {unit}" if value >= 100 else f"{value:.2f} {unit}"


def write(run: dict[str, Any], measurements: Sequence[Measurement], started: dt.datetime) -> Path:
    """Write the run's JSON file, named by its start time, and return its path."""
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"{started.strftime('%Y%m%dT%H%M%SZ')}.json"
    document = {**run, "measurements": [asdict(m) for m in measurements]}
    path.write_text(json.dumps(document, indent=2, default=str) + "\n")
    return path
