"""The mixed-load phase: minutes of mixed traffic at a fixed concurrency against the real server.

A fresh `auditlog serve` process gets `--load-warmup` seconds of the mix (caches,
pools and the allocator settle), then `--load-seconds` more, timed. Reported per
kind of request: throughput, p50/p99 and errors by code; overall: events stored, the
server's RSS (/proc/<pid>/status VmRSS) at start, after the warm-up and at the end,
and the CPU the client and the server used. Targets: no errors, RSS growth after the
warm-up within 20 MB; they are printed and stored, never asserted.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from typing import Any

from auth.principal import Role
from bench import servers
from bench.load_driver import Driven, create_api_token, drive, load_client
from bench.load_mix import KINDS, LoadMix
from bench.load_report import (
    HARDWARE_NOTE,
    Memory,
    Verdicts,
    error_codes,
    kind_table,
    measurements,
)
from bench.load_tally import KindSummary
from bench.measure import Context
from bench.process_stats import (
    MB,
    cpu_seconds,
    peak_rss_bytes,
    rss_bytes,
    scheduler_seconds,
)
from bench.results import Measurement
from bench.traced_serve import compare, snapshot

CLIENT_BOUND = 0.85  # the client used this share of a core: it may be what limits throughput


@dataclass
class LoadRun:
    """The phase's table rows and its section of the results file."""

    measurements: list[Measurement]
    report: dict[str, Any]


@dataclass(frozen=True)
class Usage:
    """CPU seconds used, and spent runnable but waiting for a CPU, by the server and the client."""

    server: float
    client: float
    server_waiting: float
    client_waiting: float

    @classmethod
    def now(cls, pid: int) -> Usage:
        """The counters of server `pid` and of this process so far."""
        server_waiting = scheduler_seconds(pid)[1]
        client_waiting = scheduler_seconds(os.getpid())[1]
        return cls(cpu_seconds(pid), time.process_time(), server_waiting, client_waiting)

    def shares_since(self, earlier: Usage, elapsed: float) -> dict[str, float]:
        """Each counter's growth since `earlier` as a share of one core over `elapsed` s."""
        return {
            name: round((getattr(self, name) - getattr(earlier, name)) / elapsed, 2)
            for name in ("client", "server", "client_waiting", "server_waiting")
        }


@dataclass(frozen=True)
class Observed:
    """The warm-up, the timed stretch, the server's memory and CPU, and traced growth."""

    warm: Driven
    timed: Driven
    memory: Memory
    shares: dict[str, float]
    growth: list[str]


async def measure_mixed_load(context: Context) -> LoadRun:
    """Run the mixed load against a fresh service on `context`'s database."""
    options, name = context.options, context.database.name
    print(
        f"{name}: mixed load, {options.load_warmup:g} s warm-up then {options.load_seconds:g} s "
        f"at concurrency {options.load_concurrency} "
        f"(at most {options.load_max_requests:,} requests) ..."
    )
    seen = await _observe(context)
    summaries = seen.timed.tally.summaries(seen.timed.elapsed)
    verdicts = Verdicts(seen.warm.tally.errors + seen.timed.tally.errors, seen.memory.growth_mb)
    _print(name, summaries, verdicts, seen)
    note = f"concurrency {options.load_concurrency}, {seen.timed.elapsed:.0f} s; hardware bound"
    rows = measurements(name, summaries, verdicts, seen.memory, note)
    return LoadRun(rows, _report(context, seen, summaries, verdicts))


async def _observe(context: Context) -> Observed:
    options, name = context.options, context.database.name
    log = context.work_file("load-service.log")
    traces = context.work_file("tracemalloc") if options.load_tracemalloc else None
    service = servers.service(context.database.url, context.secret, log, traces)
    async with service, load_client(options.load_concurrency) as client:
        pid, url = service.pid, service.url
        start_rss = rss_bytes(pid)
        hot = context.dataset.hot
        admin = context.token(hot.users[0].id, hot.id, Role.ADMIN)
        api_token = await create_api_token(client, url, admin)
        mix = LoadMix(
            context.dataset, context.token, api_token, f"{context.stamp}-{name}", options.seed
        )
        limits = {
            "max_requests": options.load_max_requests,
            "concurrency": options.load_concurrency,
        }
        warm = await drive(client, url, mix, seconds=options.load_warmup, pid=pid, **limits)
        warm_rss = rss_bytes(pid)
        if traces is not None:
            await snapshot(pid, traces, 0)
        before = Usage.now(pid)
        timed = await drive(client, url, mix, seconds=options.load_seconds, pid=pid, **limits)
        shares = Usage.now(pid).shares_since(before, timed.elapsed)
        memory = Memory(start_rss, warm_rss, rss_bytes(pid), peak_rss_bytes(pid))
        growth = []
        if traces is not None:
            growth = compare(traces / "0.json", await snapshot(pid, traces, 1))
    return Observed(warm, timed, memory, shares, growth)


def _report(
    context: Context, seen: Observed, summaries: list[KindSummary], verdicts: Verdicts
) -> dict[str, Any]:
    options, memory = context.options, seen.memory
    return {
        "database": context.database.name,
        "dataset_events": context.dataset.spec.events,
        "concurrency": options.load_concurrency,
        "warmup_seconds": options.load_warmup,
        "seconds": round(seen.timed.elapsed, 2),
        "max_requests": options.load_max_requests,
        "mix_weights": {kind: round(share, 3) for kind, share in KINDS.shares()},
        "kinds": [s.as_json() for s in summaries],
        "errors_by_kind": error_codes(seen.timed.tally),
        "warmup": {
            "requests": seen.warm.tally.requests,
            "stored": seen.warm.tally.stored,
            "errors_by_kind": error_codes(seen.warm.tally),
        },
        "events_stored": seen.warm.tally.stored + seen.timed.tally.stored,
        "rss_mb": {
            "start": round(memory.start / MB, 1),
            "after_warmup": round(memory.after_warmup / MB, 1),
            "end": round(memory.end / MB, 1),
            "peak": round(memory.peak / MB, 1),
            "growth_after_warmup": memory.growth_mb,
            "samples": [[t, round(b / MB, 1)] for t, b in seen.timed.rss],
        },
        # share of one core; "waiting": runnable, but other processes had the cores
        "cpu_share_of_one_core": seen.shares,
        "load_average": os.getloadavg(),
        "verdicts": verdicts.as_json(),
        "tracemalloc_growth": seen.growth,  # --load-tracemalloc: timings and RSS not comparable
        "environment": {  # what changes the server's allocator or the probes
            key: value
            for key, value in os.environ.items()
            if key.startswith(("MALLOC_", "PYTHONMALLOC", "BENCH_"))
        },
        "note": HARDWARE_NOTE,
    }


def _print(name: str, summaries: list[KindSummary], verdicts: Verdicts, seen: Observed) -> None:
    memory, shares = seen.memory, seen.shares
    print(f"\n{name}: mixed load")
    for line in kind_table(summaries):
        print(f"  {line}")
    print(
        f"  server RSS: {memory.start / MB:.1f} MB at start, {memory.after_warmup / MB:.1f} MB "
        f"after warm-up, {memory.end / MB:.1f} MB at end, peak {memory.peak / MB:.1f} MB"
    )
    print(
        f"  CPU, share of one core: client {shares['client']:.2f}, server {shares['server']:.2f}; "
        f"runnable but waiting for a CPU: client {shares['client_waiting']:.2f}, "
        f"server {shares['server_waiting']:.2f}"
    )
    if shares["client"] >= CLIENT_BOUND:
        print("  warning: the client was nearly saturated; throughput may be client bound")
    if seen.warm.tally.errors:
        print(f"  errors during the warm-up: {seen.warm.tally.errors} (counted in the verdict)")
    for line in verdicts.lines():
        print(f"  {line}")
    print(f"  {HARDWARE_NOTE}")
    if seen.growth:
        print("  memory probes, what grew after the warm-up (tracing, if on, inflates RSS):")
        print("\n".join(f"    {line}" for line in seen.growth))
