"""One benchmark run: load (or reuse) the data set, measure each database, write the results."""

from __future__ import annotations

import datetime as dt
import secrets
import time
from pathlib import Path
from typing import Any

from bench.databases import BenchDatabase, bench_databases, postgres_version
from bench.exports import measure_exports
from bench.generate import Dataset, DatasetSpec
from bench.load import load, loaded_marker
from bench.log_streams import measure_stream
from bench.machine import describe_machine
from bench.measure import Context, Options, measure_database
from bench.mixed_load import measure_mixed_load
from bench.results import RESULTS, Measurement, print_table, write
from bench.verify import verify_rows


async def run(options: Options) -> Path:
    """Run the benchmark; return the results file."""
    started = dt.datetime.now(dt.UTC)
    try:
        databases = bench_databases(
            options.database, options.postgres_admin_url, options.postgres_database
        )
    except ValueError as exc:
        raise SystemExit(f"bench: {exc}") from exc
    version = await postgres_version(options.postgres_admin_url)
    if version is None and any(not database.is_sqlite for database in databases):
        raise SystemExit(f"bench: PostgreSQL does not answer at {options.postgres_admin_url}")
    machine = describe_machine(version)
    spec = DatasetSpec(options.events, options.accounts, options.seed, hot_share=options.hot_share)
    dataset, loading = await prepare(spec, databases, options)
    matched = await verify_rows(dataset, secrets.token_urlsafe(48))
    print(f"{matched} generated rows equal what recordAuditLogs stores for the same events")
    measurements: list[Measurement] = []
    diagnostics: list[dict[str, Any]] = []
    mixed_load: dict[str, Any] = {}
    exports: dict[str, Any] = {}
    streams: dict[str, Any] = {}
    for database in databases:
        context = Context(database, dataset, options, started.strftime("%Y%m%dT%H%M%SZ"))
        found: list[Measurement] = []
        if options.only is None:
            done = await measure_database(context)
            found += done.measurements
            diagnostics += done.diagnostics
        if options.only in (None, "export"):
            exported = await measure_exports(context)
            found += exported.measurements
            exports[database.name] = exported.report
        if options.only in (None, "stream"):
            streamed = await measure_stream(context)
            found += streamed.measurements
            streams[database.name] = streamed.report
        if options.only in (None, "load") and options.load_seconds > 0:
            loaded = await measure_mixed_load(context)
            found += loaded.measurements
            mixed_load[database.name] = loaded.report
        title = f"{database.name}: {options.events:,} events, hot account {dataset.hot.id}"
        print_table(found, title)
        measurements += found
    finished = describe_machine(version)
    if finished["commit"] != machine["commit"]:
        print(f"warning: the service's commit changed during the run, to {finished['commit']}")
    document = {
        "started_at": started.isoformat(),
        "finished_at": dt.datetime.now(dt.UTC).isoformat(),
        "commit_at_finish": finished["commit"],
        "machine": machine,
        "dataset": summary(dataset, loading),
        "options": options.__dict__,
        "diagnostics": diagnostics,
        "mixed_load": mixed_load,
        "exports": exports,
        "streams": streams,
    }
    path = write(document, measurements, started)
    print_table(measurements, f"All results ({path.relative_to(RESULTS.parent.parent)})")
    return path


async def prepare(
    spec: DatasetSpec, databases: list[BenchDatabase], options: Options
) -> tuple[Dataset, dict[str, Any]]:
    """Reuse the loaded data set when asked and present everywhere, else load it afresh."""
    if options.reuse:
        markers = [await loaded_marker(database) for database in databases]
        ends = {marker["end"] for marker in markers if marker and _matches(marker, spec)}
        if len(ends) == 1 and all(markers):
            end = dt.datetime.fromisoformat(ends.pop())
            print(f"reusing the loaded data set ({spec.events:,} events, ending {end})")
            return Dataset.create(spec, end), {"reused": True}
    end = dt.datetime.now(dt.UTC).replace(microsecond=0)
    began = time.perf_counter()
    dataset = Dataset.create(spec, end)
    print(f"loading {spec.events:,} events into {', '.join(d.name for d in databases)} ...")
    seconds = await load(dataset, databases, options.workers)
    total = time.perf_counter() - began
    print(f"loaded in {total:.0f}s ({', '.join(f'{k} {v:.0f}s' for k, v in seconds.items())})")
    return dataset, {"reused": False, "seconds": {**seconds, "total": round(total, 1)}}


def _matches(marker: dict[str, Any], spec: DatasetSpec) -> bool:
    wanted = {
        "events": spec.events,
        "accounts": spec.accounts,
        "seed": spec.seed,
        "hot_share": spec.hot_share,
    }
    return all(marker.get(key) == value for key, value in wanted.items())


def summary(dataset: Dataset, loading: dict[str, Any]) -> dict[str, Any]:
    """The data set's shape, as the results file records it."""
    return {
        "events": dataset.spec.events,
        "accounts": dataset.spec.accounts,
        "seed": dataset.spec.seed,
        "days": dataset.spec.days,
        "end": dataset.end.isoformat(),
        "hot_account": dataset.hot.id,
        "hot_account_events": dataset.counters().get(dataset.hot.id, 0),
        "loading": loading,
    }
