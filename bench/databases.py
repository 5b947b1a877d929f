"""The benchmark's own databases: a SQLite file under bench/ and `auditlog_bench` on PostgreSQL.

Never the `test` database, which the test suite empties; it only serves as the
maintenance connection that creates and drops `auditlog_bench`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import asyncpg

from models.database import close_database, open_database
from models.migrations import migrate

SQLITE_PATH = Path(__file__).resolve().parent / "auditlog_bench.sqlite3"
POSTGRES_ADMIN_URL = "postgres://postgres@127.0.0.1:5432/test"
POSTGRES_DATABASE = "auditlog_bench"


@dataclass(frozen=True)
class BenchDatabase:
    """One database the benchmark loads and serves from."""

    name: str
    url: str

    @property
    def is_sqlite(self) -> bool:
        """Whether this is the SQLite file."""
        return self.name == "sqlite"

    @property
    def sqlite_path(self) -> Path:
        """The SQLite file's path."""
        return Path(self.url.removeprefix("sqlite://"))


def bench_databases(choice: str, admin_url: str = POSTGRES_ADMIN_URL) -> list[BenchDatabase]:
    """The databases named by --database: sqlite, postgres or both."""
    server = admin_url.rsplit("/", 1)[0]
    found = {
        "sqlite": BenchDatabase("sqlite", f"sqlite://{SQLITE_PATH}"),
        "postgres": BenchDatabase("postgres", f"{server}/{POSTGRES_DATABASE}"),
    }
    return list(found.values()) if choice == "both" else [found[choice]]


def asyncpg_dsn(url: str) -> str:
    """The asyncpg form of a postgres:// URL."""
    return "postgresql://" + url.split("://", 1)[1]


async def recreate(database: BenchDatabase, admin_url: str = POSTGRES_ADMIN_URL) -> None:
    """Drop the benchmark database if it exists, create it empty and migrate it."""
    if database.is_sqlite:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{database.sqlite_path}{suffix}").unlink(missing_ok=True)
    else:
        admin = await asyncpg.connect(asyncpg_dsn(admin_url))
        try:
            await admin.execute(f"DROP DATABASE IF EXISTS {POSTGRES_DATABASE} WITH (FORCE)")
            await admin.execute(f"CREATE DATABASE {POSTGRES_DATABASE}")
        finally:
            await admin.close()
    await open_database(database.url)
    try:
        await migrate()
    finally:
        await close_database()


async def postgres_version(admin_url: str = POSTGRES_ADMIN_URL) -> str | None:
    """The PostgreSQL server version, or None when it does not answer."""
    try:
        admin = await asyncpg.connect(asyncpg_dsn(admin_url), timeout=5)
    except (OSError, asyncpg.PostgresError):
        return None
    try:
        return str(await admin.fetchval("SHOW server_version"))
    finally:
        await admin.close()
