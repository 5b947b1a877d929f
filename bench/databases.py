"""The benchmark's own databases: a SQLite file under bench/ and `auditlog_bench` on PostgreSQL.

Never the `test` database, which the test suite empties; it only serves as the
maintenance connection that creates and drops `auditlog_bench` (or the database named
by `--postgres-database`).
"""

from __future__ import annotations

import re
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
    admin_url: str = POSTGRES_ADMIN_URL  # PostgreSQL: where to drop and create it

    @property
    def postgres_name(self) -> str:
        """The PostgreSQL database's name (the URL's last part)."""
        return self.url.rsplit("/", 1)[1].split("?", 1)[0]

    @property
    def is_sqlite(self) -> bool:
        """Whether this is the SQLite file."""
        return self.name == "sqlite"

    @property
    def sqlite_path(self) -> Path:
        """The SQLite file's path."""
        return Path(self.url.removeprefix("sqlite://"))


def bench_databases(
    choice: str, admin_url: str = POSTGRES_ADMIN_URL, postgres_name: str = POSTGRES_DATABASE
) -> list[BenchDatabase]:
    """The databases named by --database: sqlite, postgres or both."""
    server, admin_name = admin_url.rsplit("/", 1)
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", postgres_name) or postgres_name == admin_name:
        raise ValueError(
            f'--postgres-database "{postgres_name}" must be a lower-case identifier other than '
            f'the admin database "{admin_name}" (it is dropped and created)'
        )
    found = {
        "sqlite": BenchDatabase("sqlite", f"sqlite://{SQLITE_PATH}"),
        "postgres": BenchDatabase("postgres", f"{server}/{postgres_name}", admin_url),
    }
    return list(found.values()) if choice == "both" else [found[choice]]


def asyncpg_dsn(url: str) -> str:
    """The asyncpg form of a postgres:// URL."""
    return "postgresql://" + url.split("://", 1)[1]


async def recreate(database: BenchDatabase) -> None:
    """Drop the benchmark database if it exists, create it empty and migrate it."""
    if database.is_sqlite:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{database.sqlite_path}{suffix}").unlink(missing_ok=True)
    else:
        admin = await asyncpg.connect(asyncpg_dsn(database.admin_url))
        name = database.postgres_name
        try:
            await admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            await admin.execute(f"CREATE DATABASE {name}")
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
