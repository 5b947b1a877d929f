"""Measure one database: start the service and the floor, time reads and ingest, profile misses."""

from __future__ import annotations

import datetime as dt
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from auth.principal import Role
from auth.tokens import issue_token
from bench import servers, statements
from bench.capture import capture, service_settings
from bench.databases import BenchDatabase
from bench.drivers import open_driver
from bench.generate import Dataset
from bench.ingest import BATCH, floor_sender, make_batches, produce, service_sender, throughput
from bench.reads import Endpoints, measure_deep_page, measure_reads
from bench.results import Measurement
from bench.scenarios import ReadScenario, dashboard_scenarios, extension_scenarios
from bench.tuning import Misses, profile_misses
from settings import Settings

WORK = Path(__file__).resolve().parent / ".work"
TOKEN_TTL = dt.timedelta(hours=6)


@dataclass(frozen=True)
class Options:
    """What to run; see `python -m bench --help`."""

    events: int
    accounts: int
    seed: int
    database: str
    requests: int
    warmup: int
    extension_requests: int
    deep_page: int
    ingest_batches: int
    workers: int
    reuse: bool
    profile: bool
    postgres_admin_url: str
    postgres_database: str = "auditlog_bench"
    only: str | None = None  # "load", "export" or "stream": only that phase
    load_seconds: float = 60.0
    load_warmup: float = 10.0
    load_concurrency: int = 16
    load_max_requests: int = 200_000
    load_tracemalloc: bool = False
    hot_share: float = 0.2
    export_runs: int = 3
    export_first_rows: int = 5
    stream_seconds: float = 30.0
    stream_drain: float = 60.0


@dataclass
class Context:
    """Everything one database's measurements need."""

    database: BenchDatabase
    dataset: Dataset
    options: Options
    stamp: str
    secret: str = field(default_factory=lambda: secrets.token_urlsafe(48))

    @property
    def settings(self) -> Settings:
        """The service's settings for this database."""
        return service_settings(self.database.url, self.secret)

    def token(self, subject: str, account: str | None, role: Role) -> str:
        """A signed token for the service."""
        jwt, key = self.settings.jwt, self.secret
        return issue_token(
            jwt, key, subject=subject, account_id=account, roles=[role], ttl=TOKEN_TTL
        )

    def work_file(self, suffix: str) -> Path:
        """A scratch file of this run (git-ignored)."""
        WORK.mkdir(exist_ok=True)
        return WORK / f"{self.stamp}-{self.database.name}-{suffix}"


@dataclass
class DatabaseRun:
    """One database's measurements and what else the results file keeps about them."""

    measurements: list[Measurement]
    diagnostics: list[dict[str, Any]]


async def measure_database(context: Context) -> DatabaseRun:
    """Every measurement of one database (and, if asked, profiles of the missed ones)."""
    load_before = os.getloadavg()
    dataset, name = context.dataset, context.database.name
    reader = context.token("bench-reader", dataset.hot.id, Role.LOG_VIEWER)
    dashboards, planned = dashboard_scenarios(dataset), extension_scenarios(dataset)
    database_url = context.settings.database_url
    plans = await capture(database_url, context.secret, reader, dashboards + planned)
    plan_file = context.work_file("statements.pickle")
    statements.save(plans, plan_file)
    service = servers.service(
        context.database.url, context.secret, context.work_file("service.log")
    )
    floor = servers.floor(database_url, plan_file, context.work_file("floor.log"))
    async with service, floor, httpx.AsyncClient(timeout=300) as client:
        endpoints = Endpoints(client, service.url, floor.url, reader)
        found, deep_body = await _reads(context, endpoints, dashboards, planned, plans)
        print(f"{name}: ingest, {context.options.ingest_batches} batches of {BATCH} per side ...")
        found.append(await measure_ingest(context, client, service.url))
        diagnostics: list[dict[str, Any]] = [
            {
                "database": name,
                "kind": "load average",
                "before": load_before,
                "after": os.getloadavg(),
            }
        ]
        if context.options.profile:
            misses = Misses(found, plans, dashboards, deep_body)
            diagnostics += await profile_misses(context, endpoints, service.pid, misses)
    return DatabaseRun(found, diagnostics)


async def _reads(
    context: Context,
    endpoints: Endpoints,
    dashboards: list[ReadScenario],
    planned: list[ReadScenario],
    plans: dict[str, list[statements.Statement]],
) -> tuple[list[Measurement], bytes]:
    """Dashboard pages, the deep page, then the extensions the schema has (no targets yet)."""
    name, options = context.database.name, context.options
    requests, warmup = options.requests, options.warmup
    print(f"{name}: reads, {requests} timed requests per scenario and side ...")
    found = await measure_reads(endpoints, name, dashboards, requests, warmup, "dashboard")
    hot_entries = context.dataset.counters()[context.dataset.hot.id]
    deep = await measure_deep_page(
        endpoints, name, dashboards[0], requests, warmup, hot_entries, options.deep_page
    )
    found += deep.measurements
    extensions = [s for s in planned if s.name in plans]
    light = options.extension_requests, min(warmup, 5)
    for measurement in await measure_reads(endpoints, name, extensions, *light, "extension"):
        measurement.target, measurement.met = None, None
        found.append(measurement)
    for scenario in planned:
        if scenario.name not in plans:
            note = f"skipped: no {scenario.requires} in the schema"
            found.append(Measurement(f"extension.{scenario.name}", name, "ms", None, note=note))
    return found, deep.body


async def measure_ingest(context: Context, client: httpx.AsyncClient, url: str) -> Measurement:
    """Events per second through recordAuditLogs beside the same rows written directly."""
    count = context.options.ingest_batches
    batches = make_batches(context.dataset, count + 2, f"{context.stamp}-{context.database.name}")
    warm, timed = batches[:2], batches[2:]
    driver = await open_driver(context.settings.database_url)
    try:
        floor_send = floor_sender(driver)
        await produce(warm[:1], floor_send)
        floor_seconds = await produce(timed, floor_send)
    finally:
        await driver.close()
    producer = context.token("bench-producer", None, Role.INGEST)
    service_send = service_sender(client, url, producer)
    await produce(warm[1:], service_send)
    service_seconds = await produce(timed, service_send)
    return throughput(context.database.name, service_seconds, floor_seconds, count * BATCH)
