"""For measurements that miss their target: where the service's time goes, and the query plans.

Files land in bench/results/<run>/: `<database>-plans.txt` (every captured read) and
`<database>-<measurement>.profile.txt` (py-spy summary; raw stacks beside it).
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from auth.principal import Role
from bench.explain import explain_postgres, explain_sqlite
from bench.ingest import make_batches, produce, service_sender
from bench.profiling import py_spy, record
from bench.reads import Endpoints
from bench.results import RESULTS, Measurement
from bench.scenarios import ReadScenario
from bench.statements import Statement

if TYPE_CHECKING:
    from bench.measure import Context

PROFILE_REQUESTS = 300
PROFILE_SECONDS = 20.0  # whichever comes first


@dataclass(frozen=True)
class Misses:
    """What the profiler needs to replay each measurement."""

    measurements: list[Measurement]
    plans: dict[str, list[Statement]]
    dashboards: list[ReadScenario]
    deep_body: bytes

    def missed(self, prefix: str) -> bool:
        """Whether a measurement named `prefix`... missed its target."""
        return any(m.met is False and m.name.startswith(prefix) for m in self.measurements)


async def profile_misses(
    context: Context, endpoints: Endpoints, pid: int, misses: Misses
) -> list[dict[str, Any]]:
    """Write query plans of every read, and a profile of each missed measurement."""
    folder = RESULTS / context.stamp
    folder.mkdir(parents=True, exist_ok=True)
    name = context.database.name
    plans_file = folder / f"{name}-plans.txt"
    plans_file.write_text(await _plans(context, misses.plans))
    notes: list[dict[str, Any]] = [
        {"database": name, "kind": "query plans", "file": str(plans_file)}
    ]
    if py_spy() is None:
        print("py-spy is not installed; skipping profiles (.venv/bin/pip install py-spy)")
        return notes
    workloads: list[tuple[str, Callable[[], Awaitable[object]]]] = []
    for scenario in misses.dashboards:
        if misses.missed(f"dashboard.{scenario.name}."):
            workloads.append((f"dashboard.{scenario.name}", _repeat(endpoints, scenario.body())))
    if misses.missed("deep_page."):
        workloads.append(("deep_page", _repeat(endpoints, misses.deep_body)))
    if misses.missed("ingest"):
        workloads.append(("ingest", _ingest(context, endpoints)))
    for measurement, workload in workloads:
        print(f"{name}: profiling {measurement} ...")
        raw = folder / f"{name}-{measurement}.raw.txt"
        profile = await record(pid, raw, workload)
        text_file = folder / f"{name}-{measurement}.profile.txt"
        text_file.write_text(profile.text(f"{name} {measurement}"))
        notes.append(
            {
                "database": name,
                "kind": "profile",
                "measurement": measurement,
                "file": str(text_file),
                "samples": profile.samples,
                "by_package": profile.by_package[:10],
                "service_functions": profile.service_functions[:12],
                "hottest": profile.hottest[:12],
            }
        )
    return notes


async def _plans(context: Context, plans: dict[str, list[Statement]]) -> str:
    parts = []
    for scenario, statements in plans.items():
        if context.database.is_sqlite:
            text = explain_sqlite(context.database.sqlite_path, statements)
        else:
            text = await explain_postgres(context.database.url, statements)
        parts.append(f"==== {scenario} ====\n{text}")
    return "\n".join(parts)


def _repeat(endpoints: Endpoints, body: bytes) -> Callable[[], Awaitable[object]]:
    """Send `body` to the service PROFILE_REQUESTS times or for PROFILE_SECONDS."""

    async def run() -> object:
        deadline = time.monotonic() + PROFILE_SECONDS
        for _ in range(PROFILE_REQUESTS):
            await endpoints.ask_service(body)
            if time.monotonic() > deadline:
                break
        return None

    return run


def _ingest(context: Context, endpoints: Endpoints) -> Callable[[], Awaitable[object]]:
    batches = make_batches(
        context.dataset,
        context.options.ingest_batches,
        f"{context.stamp}-profile-{context.database.name}",
    )
    token = context.token("bench-producer", None, Role.INGEST)

    async def run() -> object:
        return await produce(batches, service_sender(endpoints.client, endpoints.service, token))

    return run
