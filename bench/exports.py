"""The export phase: the hot account streamed from GET /export as CSV and NDJSON, beside its floor.

A fresh `auditlog serve` process first exports a rare actor's entries in each format
(imports and caches warm up), then the whole hot account `--export-runs` times per
format, every column, alternating with the floor (bench/export_floor.py: COPY on
PostgreSQL, the driver's rows through `csv` on SQLite). While each export streams, the
server's VmRSS is sampled every 20 ms; its peak above the value just before the
request is the export's memory growth. The server's CPU time per row is noted too: it
depends less than rows/s on what else the machine runs. Then, per dashboard filter (and
a rare actor), `--export-first-rows` requests read only up to the first row, beside the
floor's first byte. Targets (printed and stored, never asserted): CSV rows/s at least 0.25x the
floor's, the first row within 300 ms for any filter, RSS growth under 50 MB.
"""

from __future__ import annotations

import datetime as dt
import json
import statistics
from dataclasses import asdict, dataclass
from typing import Any

import httpx

from auth.principal import Role
from bench import servers
from bench.export_floor import floor_export
from bench.export_stream import Streamed, stream_export
from bench.generate import Dataset
from bench.measure import Context
from bench.process_stats import MB, RssSampler, cpu_seconds
from bench.profiling import py_spy, record
from bench.results import RESULTS, Measurement
from bench.scenarios import dashboard_scenarios
from export.request import filter_from_json

FORMATS = ("csv", "ndjson")
RATIO_TARGET = {"csv": 0.25}  # rows/s at least this share of the floor's
FIRST_ROW_MS = 300.0
RSS_GROWTH_MB = 50.0


@dataclass
class ExportRun:
    """The phase's table rows and its section of the results file."""

    measurements: list[Measurement]
    report: dict[str, Any]


@dataclass(frozen=True)
class Timed:
    """One full export of the hot account by the service, with the server's memory growth."""

    format: str
    streamed: Streamed
    rss_start: int
    rss_peak_growth: int
    cpu_seconds: float  # the server's, user and system

    @property
    def cpu_per_row(self) -> float:
        """The server's CPU microseconds per row: less bound to the machine's load than rows/s."""
        return self.cpu_seconds / max(self.streamed.rows, 1) * 1e6


def first_row_filters(dataset: Dataset) -> dict[str, dict[str, Any]]:
    """The dashboard's filters, and one rare actor, as export `filter` JSON."""
    filters = {s.name: s.variables.get("filter", {}) for s in dashboard_scenarios(dataset)}
    filters["rare_actor"] = {"actorIds": [dataset.hot.users[-1].id]}
    return filters


async def measure_exports(context: Context) -> ExportRun:
    """Run the export phase against a fresh service on `context`'s database."""
    options, name, hot = context.options, context.database.name, context.dataset.hot
    print(
        f"{name}: exports of account {hot.id}, {options.export_runs} per format and side, "
        f"then the first row of {options.export_first_rows} per filter ..."
    )
    token = context.token("bench-exporter", hot.id, Role.LOG_VIEWER)
    filters = first_row_filters(context.dataset)
    log = context.work_file("export-service.log")
    service = servers.service(context.database.url, context.secret, log)
    client = httpx.AsyncClient(timeout=httpx.Timeout(600, connect=10))
    async with service, client:
        for fmt in FORMATS:  # warm-up
            params = {"format": fmt, "filter": _json(filters["rare_actor"])}
            await stream_export(client, service.url, token, params)
        timed, floors = await _full_exports(context, client, service.url, service.pid, token)
        firsts = await _first_rows(context, client, service.url, token, filters)
        profile = await _profile(context, client, service, token) if options.profile else []
    rows = _measurements(name, timed, floors, firsts)
    return ExportRun(rows, _report(context, timed, floors, firsts, profile))


async def _full_exports(
    context: Context, client: httpx.AsyncClient, url: str, pid: int, token: str
) -> tuple[list[Timed], list[Streamed]]:
    timed: list[Timed] = []
    floors: list[Streamed] = []
    hot = context.dataset.hot.id
    for run in range(context.options.export_runs):
        sides: list[str] = [*FORMATS, "floor"]
        for side in sides[run % 3 :] + sides[: run % 3]:  # each side takes each slot in turn
            now = dt.datetime.now(dt.UTC)
            if side == "floor":
                floors.append(await floor_export(context.database, hot, filter_from_json({}), now))
                continue
            cpu = cpu_seconds(pid)
            with RssSampler(pid) as memory:
                streamed = await stream_export(client, url, token, {"format": side})
            used = cpu_seconds(pid) - cpu
            timed.append(Timed(side, streamed, memory.samples[0], memory.peak_growth, used))
    return timed, floors


async def _first_rows(
    context: Context,
    client: httpx.AsyncClient,
    url: str,
    token: str,
    filters: dict[str, dict[str, Any]],
) -> dict[str, tuple[list[Streamed], list[Streamed]]]:
    found = {}
    for label, flt in filters.items():
        ours: list[Streamed] = []
        theirs: list[Streamed] = []
        for _ in range(context.options.export_first_rows):
            params = {"format": "csv", "filter": _json(flt)}
            ours.append(await stream_export(client, url, token, params, until_first_row=True))
            now = dt.datetime.now(dt.UTC)
            hot = context.dataset.hot.id
            theirs.append(await floor_export(context.database, hot, filter_from_json(flt), now))
        found[label] = (ours, theirs)
    return found


async def _profile(
    context: Context, client: httpx.AsyncClient, service: servers.Server, token: str
) -> list[dict[str, Any]]:
    """py-spy samples of the server during one CSV export of the hot account."""
    if py_spy() is None:
        print("py-spy is not installed; no export profile (.venv/bin/pip install py-spy)")
        return []
    folder = RESULTS / context.stamp
    folder.mkdir(parents=True, exist_ok=True)
    name = context.database.name
    raw = folder / f"{name}-export.csv.raw.txt"

    async def workload() -> object:
        return await stream_export(client, service.url, token, {"format": "csv"})

    profile = await record(service.pid, raw, workload)
    text_file = folder / f"{name}-export.csv.profile.txt"
    text_file.write_text(profile.text(f"{name} export.csv"))
    return [
        {
            "database": name,
            "kind": "profile",
            "measurement": "export.csv",
            "file": str(text_file),
            "samples": profile.samples,
            "by_package": profile.by_package[:10],
            "service_functions": profile.service_functions[:12],
            "hottest": profile.hottest[:12],
        }
    ]


def _measurements(
    name: str,
    timed: list[Timed],
    floors: list[Streamed],
    firsts: dict[str, tuple[list[Streamed], list[Streamed]]],
) -> list[Measurement]:
    found = []
    floor_rate = statistics.median(f.rows_per_second for f in floors)
    for fmt in FORMATS:
        runs = [t for t in timed if t.format == fmt]
        rows = runs[0].streamed.rows
        ratio = RATIO_TARGET.get(fmt)
        found.append(
            Measurement(
                f"export.{fmt}.rows_per_s",
                name,
                "rows/s",
                round(statistics.median(t.streamed.rows_per_second for t in runs)),
                round(floor_rate),
                target={"ratio_min": ratio} if ratio else None,
                samples=len(runs),
                note=f"{rows:,} rows, every column; floor: stored columns as CSV",
            )
        )
        found.append(
            Measurement(
                f"export.{fmt}.server_cpu",
                name,
                "us/row",
                round(statistics.median(t.cpu_per_row for t in runs), 1),
                samples=len(runs),
                note="the service's CPU time per row (user and system)",
            )
        )
        growth = max(t.rss_peak_growth for t in runs) / MB
        found.append(
            Measurement(
                f"export.{fmt}.rss_growth",
                name,
                "MB",
                round(growth, 1),
                target={"max": RSS_GROWTH_MB},
                samples=len(runs),
                note=f"peak VmRSS above the start, {rows:,} rows (target for 1,000,000)",
            )
        )
    for label, (ours, theirs) in firsts.items():
        times = [s.first_row for s in ours if s.first_row is not None]
        floor_times = [s.first_byte for s in theirs if s.first_byte is not None]
        found.append(
            Measurement(
                f"export.first_row.{label}",
                name,
                "ms",
                round(statistics.median(times) * 1000, 1) if times else None,
                round(statistics.median(floor_times) * 1000, 1) if floor_times else None,
                target={"max": FIRST_ROW_MS},
                samples=len(times),
                note=None if times else "no row matched",
            )
        )
    return found


def _report(
    context: Context,
    timed: list[Timed],
    floors: list[Streamed],
    firsts: dict[str, tuple[list[Streamed], list[Streamed]]],
    profile: list[dict[str, Any]],
) -> dict[str, Any]:
    return {
        "database": context.database.name,
        "account": context.dataset.hot.id,
        "service": [
            {
                "format": t.format,
                **asdict(t.streamed),
                "server_cpu_seconds": round(t.cpu_seconds, 2),
                "rss_start_mb": round(t.rss_start / MB, 1),
                "rss_peak_growth_mb": round(t.rss_peak_growth / MB, 1),
            }
            for t in timed
        ],
        "floor": [asdict(f) for f in floors],
        "first_rows": {
            label: {"service": [asdict(s) for s in ours], "floor": [asdict(s) for s in theirs]}
            for label, (ours, theirs) in firsts.items()
        },
        "profile": profile,
    }


def _json(value: object) -> str:
    return json.dumps(value)
