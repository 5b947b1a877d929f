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
from bench.load_driver import create_api_token, drive, load_client
from bench.load_mix import KINDS, LoadMix
from bench.load_report import (
    HARDWARE_NOTE,
    Memory,
    Verdicts,
    error_codes,
    kind_table,
    measurements,
)
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


async def measure_mixed_load(context: Context) -> LoadRun:
    """Run the mixed load against a fresh service on `context`'s database."""
    options, name = context.options, context.database.name
    concurrency = options.load_concurrency
    log = context.work_file("load-service.log")
    traces = context.work_file("tracemalloc") if options.load_tracemalloc else None
    service = servers.service(context.database.url, context.secret, log, traces)
    growth: list[str] = []
    print(
        f"{name}: mixed load, {options.load_warmup:g} s warm-up then {options.load_seconds:g} s "
        f"at concurrency {concurrency} (at most {options.load_max_requests:,} requests) ..."
    )
    async with service, load_client(concurrency) as client:
        pid, url = service.pid, service.url
        start_rss = rss_bytes(pid)
        hot = context.dataset.hot
        admin = context.token(hot.users[0].id, hot.id, Role.ADMIN)
        api_token = await create_api_token(client, url, admin)

        def issue(subject: str, account: str | None, role: Role) -> str:
            return context.token(subject, account, role)

        mix = LoadMix(context.dataset, issue, api_token, f"{context.stamp}-{name}", options.seed)
        limits = {"max_requests": options.load_max_requests, "concurrency": concurrency}
        warm = await drive(client, url, mix, seconds=options.load_warmup, pid=pid, **limits)
        warm_rss, load_before = rss_bytes(pid), os.getloadavg()
        if traces is not None:
            await snapshot(pid, traces, 0)
        server_cpu, client_cpu = cpu_seconds(pid), time.process_time()
        server_sched, client_sched = scheduler_seconds(pid), scheduler_seconds(os.getpid())
        timed = await drive(client, url, mix, seconds=options.load_seconds, pid=pid, **limits)
        server_cpu, client_cpu = cpu_seconds(pid) - server_cpu, time.process_time() - client_cpu
        server_wait = scheduler_seconds(pid)[1] - server_sched[1]
        client_wait = scheduler_seconds(os.getpid())[1] - client_sched[1]
        memory = Memory(start_rss, warm_rss, rss_bytes(pid), peak_rss_bytes(pid))
        if traces is not None:
            growth = compare(traces / "0.snapshot", await snapshot(pid, traces, 1))
    summaries = timed.tally.summaries(timed.elapsed)
    verdicts = Verdicts(warm.tally.errors + timed.tally.errors, memory.growth_mb)
    shares = {
        "client": round(client_cpu / timed.elapsed, 2),
        "server": round(server_cpu / timed.elapsed, 2),
        # runnable but waiting for a CPU (all threads): other processes had the cores
        "client_waiting": round(client_wait / timed.elapsed, 2),
        "server_waiting": round(server_wait / timed.elapsed, 2),
    }
    _print(name, summaries, verdicts, memory, shares, warm.tally.errors)
    if growth:
        print("  tracemalloc, where Python memory grew after the warm-up (tracing inflates RSS):")
        print("\n".join(f"    {line}" for line in growth))
    note = f"concurrency {concurrency}, {timed.elapsed:.0f} s; hardware bound"
    report = {
        "database": name,
        "dataset_events": context.dataset.spec.events,
        "concurrency": concurrency,
        "warmup_seconds": options.load_warmup,
        "seconds": round(timed.elapsed, 2),
        "max_requests": options.load_max_requests,
        "mix_weights": {kind: round(share, 3) for kind, share in KINDS.shares()},
        "kinds": [s.as_json() for s in summaries],
        "errors_by_kind": error_codes(timed.tally),
        "warmup": {
            "requests": warm.tally.requests,
            "stored": warm.tally.stored,
            "errors_by_kind": error_codes(warm.tally),
        },
        "events_stored": warm.tally.stored + timed.tally.stored,
        "rss_mb": {
            "start": round(memory.start / MB, 1),
            "after_warmup": round(memory.after_warmup / MB, 1),
            "end": round(memory.end / MB, 1),
            "peak": round(memory.peak / MB, 1),
            "growth_after_warmup": memory.growth_mb,
            "samples": [[t, round(b / MB, 1)] for t, b in timed.rss],
        },
        "cpu_share_of_one_core": shares,
        "load_average": {"before": load_before, "after": os.getloadavg()},
        "verdicts": verdicts.as_json(),
        "tracemalloc_growth": growth,  # with --load-tracemalloc: timings and RSS not comparable
        "note": HARDWARE_NOTE,
    }
    return LoadRun(measurements(name, summaries, verdicts, memory, note), report)


def _print(
    name: str,
    summaries: list[Any],
    verdicts: Verdicts,
    memory: Memory,
    shares: dict[str, float],
    warmup_errors: int,
) -> None:
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
    if warmup_errors:
        print(f"  errors during the warm-up: {warmup_errors} (counted in the verdict)")
    for line in verdicts.lines():
        print(f"  {line}")
    print(f"  {HARDWARE_NOTE}")
