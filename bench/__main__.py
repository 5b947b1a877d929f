"""`python -m bench`: load the data set and measure the service beside its floors."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Sequence

from bench.databases import POSTGRES_ADMIN_URL, POSTGRES_DATABASE
from bench.measure import Options
from bench.run import run


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    add = parser.add_argument
    add("--events", type=int, default=1_000_000, help="events in the data set (1,000,000)")
    add("--accounts", type=int, default=200, help="accounts; the first holds a fifth (200)")
    add("--seed", type=int, default=42, help="random seed of the data set (42)")
    add("--hot-share", type=float, default=0.2, help="the hot account's share of events (0.2)")
    add("--database", choices=("sqlite", "postgres", "both"), default="both")
    add("--requests", type=int, default=200, help="timed requests per read and side (200)")
    add("--warmup", type=int, default=20, help="untimed requests first (20)")
    add("--extension-requests", type=int, default=50, help="timed requests per extension (50)")
    add("--deep-page", type=int, default=1000, help="the deep page's number (1000)")
    add("--ingest-batches", type=int, default=40, help="batches of 500 per side (40)")
    add("--workers", type=int, default=os.cpu_count() or 1, help="processes building rows")
    add("--reuse", action="store_true", help="keep an already loaded data set of this size")
    add("--profile", action="store_true", help="py-spy and query plans for missed targets")
    add("--postgres-admin-url", default=POSTGRES_ADMIN_URL, help="where to CREATE DATABASE")
    add("--postgres-database", default=POSTGRES_DATABASE, help="the database to (re)create")
    add(
        "--only",
        choices=("load", "export", "stream"),
        help="run only this phase (on loaded/reused data)",
    )
    add("--load-seconds", type=float, default=60.0, help="mixed load, timed seconds (60; 0: skip)")
    add("--load-warmup", type=float, default=10.0, help="mixed load, untimed seconds first (10)")
    add("--load-concurrency", type=int, default=16, help="mixed load, requests in flight (16)")
    add("--load-max-requests", type=int, default=200_000, help="mixed load, request cap")
    add("--load-tracemalloc", action="store_true", help="mixed load, where server memory grew")
    add("--export-runs", type=int, default=3, help="exports, full hot account per format (3)")
    add("--export-first-rows", type=int, default=5, help="exports, first rows per filter (5)")
    add("--stream-seconds", type=float, default=30.0, help="log stream, seconds of ingest (30)")
    add("--stream-drain", type=float, default=60.0, help="log stream, drain at most (60 s)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark; return the exit status."""
    args = _parser().parse_args(argv)
    if args.events < 1 or args.accounts < 1 or args.requests < 1:
        print("bench: --events, --accounts and --requests must be at least 1", file=sys.stderr)
        return 2
    if args.load_concurrency < 1 or args.load_max_requests < 1 or args.load_seconds < 0:
        print(
            "bench: --load-concurrency and --load-max-requests must be at least 1, "
            "--load-seconds at least 0",
            file=sys.stderr,
        )
        return 2
    if not 0 < args.hot_share <= 1 or args.export_runs < 1 or args.export_first_rows < 1:
        print(
            "bench: --hot-share must be in (0, 1], --export-runs and --export-first-rows "
            "at least 1",
            file=sys.stderr,
        )
        return 2
    if args.stream_seconds <= 0 or args.stream_drain < 0:
        print("bench: --stream-seconds must be above 0, --stream-drain at least 0", file=sys.stderr)
        return 2
    if args.only == "load" and args.load_seconds == 0:
        print("bench: --only load needs --load-seconds above 0", file=sys.stderr)
        return 2
    options = Options(**{key.replace("-", "_"): value for key, value in vars(args).items()})
    asyncio.run(run(options))
    return 0


if __name__ == "__main__":
    sys.exit(main())
