"""Fuzz the real service with Schemathesis, once per role, on SQLite and PostgreSQL.

For each database: a fresh database (a temporary SQLite file; on PostgreSQL a database
of its own beside AUDITLOG_TEST_POSTGRES_URL's, created and dropped here, so pytest's is
never touched) seeded with the demo account's events; `auditlog serve` on a free port
with a fixed secret; then `schemathesis run` against /graphql as admin, log_viewer and
ingest of that account, with a fixed seed and a bounded number of examples, arguments
drawn partly from tests/fuzz/dictionaries.py. Every query and mutation field is an
operation. Only server faults fail (see tests/fuzz/hooks.py); the service's
tracebacks are printed after a failing run.

    python -m tests.fuzz [--backend sqlite|postgres] [--max-examples N] [--seed N]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from auth.principal import Role
from auth.tokens import JwtConfig, issue_token
from resolvers.demo import DEMO_ACCOUNT
from tests.fuzz.dictionaries import config_toml
from tests.fuzz.service import running_service, seed, tracebacks
from tests.serving import postgres_database

SECRET = "fuzz-secret-that-is-long-enough-for-hs256-0123456789"
SUBJECTS = {Role.ADMIN: "fuzz-admin", Role.LOG_VIEWER: "fuzz-viewer", Role.INGEST: "fuzz-ingest"}
SEED = 20261201
MAX_EXAMPLES = 50
# Per role and database: a hard stop, should a run ever hang.
TIMEOUT_SECONDS = 120


def main(argv: Sequence[str] | None = None) -> int:
    """Fuzz every role on each chosen database; return 1 when any run found a fault."""
    args = _parser().parse_args(argv)
    postgres_url = os.environ.get("AUDITLOG_TEST_POSTGRES_URL", "")
    backends = args.backend or (["sqlite", "postgres"] if postgres_url else ["sqlite"])
    failed: list[str] = []
    with tempfile.TemporaryDirectory(prefix="auditlog-fuzz-") as temporary:
        folder = args.keep or Path(temporary)
        folder.mkdir(parents=True, exist_ok=True)
        for backend in backends:
            with _database(backend, folder, postgres_url) as database_url:
                failed += _fuzz(backend, database_url, folder.resolve(), args)
    print("\nschemathesis: " + (f"faults in {', '.join(failed)}" if failed else "no faults"))
    return 1 if failed else 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m tests.fuzz", description=__doc__)
    parser.add_argument("--backend", action="append", choices=["sqlite", "postgres"])
    parser.add_argument("--max-examples", type=int, default=MAX_EXAMPLES)
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument(
        "--timeout", type=int, default=TIMEOUT_SECONDS, help="seconds per role and database"
    )
    parser.add_argument("--keep", type=Path, help="keep reports and service logs in this folder")
    return parser


@contextmanager
def _database(backend: str, folder: Path, postgres_url: str) -> Iterator[str]:
    if backend == "sqlite":
        yield f"sqlite://{folder}/fuzz.sqlite3"
        return
    if not postgres_url:
        sys.exit("--backend postgres needs AUDITLOG_TEST_POSTGRES_URL (a database on the server).")
    name = postgres_url.rpartition("/")[2] + "_fuzz"
    with postgres_database(postgres_url, name) as url:
        yield url


def _fuzz(backend: str, database_url: str, folder: Path, args: argparse.Namespace) -> list[str]:
    seed(database_url)
    env = {
        "AUDITLOG_JWT_SECRET": SECRET,
        "AUDITLOG_DATABASE_URL": database_url,
        # Generated requests come faster than any caller's limit; let them all reach the code.
        "AUDITLOG_RATE_LIMIT": "off",
        "AUDITLOG_INGEST_RATE_LIMIT": "off",
        # Generated exports run too; their files stay in the run's folder.
        "AUDITLOG_EXPORT_DIR": str(folder / f"exports-{backend}"),
        # Generated streams are stored (their secrets sealed) and checked; delivery is off,
        # so no generated address is ever sent to.
        "AUDITLOG_SECRET_KEY": SECRET,
        "AUDITLOG_STREAM_WORKERS": "0",
    }
    log_path = folder / f"service-{backend}.log"
    failed = []
    with running_service(env, log_path) as url:
        for role in SUBJECTS:
            label = f"{backend}/{role.value}"
            print(f"\n=== schemathesis {label}: {url}", flush=True)
            started = time.monotonic()
            if not _schemathesis(url, _token(role), args, folder / label.replace("/", "-")):
                failed.append(label)
            print(f"=== {label}: {time.monotonic() - started:.1f} s", flush=True)
    if failed:
        found = tracebacks(log_path.read_text(errors="replace"))
        print(f"\n=== {backend} service log: {len(found)} distinct traceback(s)")
        for block in found:
            print(block + "\n")
    return failed


def _token(role: Role) -> str:
    return issue_token(
        JwtConfig(SECRET, "HS256"),
        SECRET,
        subject=SUBJECTS[role],
        account_id=DEMO_ACCOUNT,
        roles=[role],
        ttl=dt.timedelta(hours=1),
        name=f"Fuzz {role.value}",
    )


def _schemathesis(url: str, token: str, args: argparse.Namespace, reports: Path) -> bool:
    reports.mkdir(parents=True, exist_ok=True)
    config = reports / "schemathesis.toml"
    config.write_text(config_toml())
    command = [
        str(Path(sys.executable).with_name("schemathesis")),
        f"--config-file={config}",
        "run",
        url,
        f"--header=Authorization: Bearer {token}",
        "--checks=no_internal_server_error",
        f"--seed={args.seed}",
        f"--max-examples={args.max_examples}",
        "--workers=1",
        "--generation-database=none",
        "--suppress-health-check=all",
        "--no-color",
        "--report=vcr",
        f"--report-dir={reports}",
    ]
    env = {**os.environ, "SCHEMATHESIS_HOOKS": "tests.fuzz.hooks", "PYTHONPATH": os.getcwd()}
    try:
        # Schemathesis writes its crash cache (for `st replay`) into its working directory:
        # keep it with the reports, out of the work tree.
        done = subprocess.run(command, env=env, cwd=reports, timeout=args.timeout, check=False)
    except subprocess.TimeoutExpired:
        print(f"schemathesis did not finish within {args.timeout} s; raise --timeout.")
        return False
    return done.returncode == 0


if __name__ == "__main__":
    sys.exit(main())
