"""Write a data set straight into the benchmark databases, in bulk.

SQLite gets `executemany` in large transactions, PostgreSQL gets COPY; both then hold
exactly the rows, sequences and counters the service would have written. A small
`bench_dataset` table remembers which data set is loaded, so `--reuse` can skip this.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import time
from typing import Any

import asyncpg

from bench.databases import BenchDatabase, asyncpg_dsn, recreate
from bench.generate import Dataset, DatasetSpec
from models.audit_log import INSERT_COLUMNS

MARKER_TABLE = "bench_dataset"
COLUMNS = ", ".join(INSERT_COLUMNS)


class SqliteWriter:
    """Bulk inserts through the sqlite3 module (the driver under aiosqlite).

    Indexes and triggers are dropped for the load and recreated from their own DDL
    afterwards; external-content full-text tables are then rebuilt from the rows.
    """

    def __init__(self, database: BenchDatabase) -> None:
        self.connection = sqlite3.connect(database.sqlite_path, isolation_level=None)
        # Loading only: a crash means loading again, so skip the fsyncs the service does.
        self.connection.execute("PRAGMA synchronous=OFF")
        self.connection.execute("PRAGMA cache_size=-1000000")
        marks = ", ".join("?" * len(INSERT_COLUMNS))
        self.insert = f"INSERT INTO audit_log ({COLUMNS}) VALUES ({marks})"
        self.schema = self.connection.execute(
            "SELECT type, name, sql FROM sqlite_master WHERE tbl_name = 'audit_log' "
            "AND type IN ('index', 'trigger') AND sql IS NOT NULL"
        ).fetchall()
        self.full_text = [
            name
            for (name,) in self.connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' "
                "AND sql LIKE 'CREATE VIRTUAL TABLE%content=''audit_log''%'"
            )
        ]
        for kind, name, _ in self.schema:
            self.connection.execute(f"DROP {kind.upper()} {name}")

    async def write(self, rows: list[list[object]]) -> None:
        """Insert one chunk in one transaction."""
        self.connection.execute("BEGIN")
        self.connection.executemany(self.insert, rows)
        self.connection.execute("COMMIT")

    async def finish(self, counters: dict[str, int], marker: dict[str, Any]) -> None:
        """Store the sequence counters and the marker; fold the WAL into the file."""
        connection = self.connection
        connection.execute("BEGIN")
        connection.executemany(
            "INSERT INTO audit_log_sequence (account_id, last_sequence) VALUES (?, ?)",
            list(counters.items()),
        )
        connection.execute(f"CREATE TABLE IF NOT EXISTS {MARKER_TABLE} (spec TEXT NOT NULL)")
        connection.execute(f"INSERT INTO {MARKER_TABLE} (spec) VALUES (?)", [json.dumps(marker)])
        for _, _, sql in self.schema:
            connection.execute(sql)
        for table in self.full_text:
            connection.execute(f"INSERT INTO {table}({table}) VALUES ('rebuild')")
        connection.execute("COMMIT")
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        connection.close()


class PostgresWriter:
    """COPY through asyncpg, the service's PostgreSQL driver.

    Secondary indexes are dropped for the load and recreated from their own
    definitions afterwards (the primary key stays).
    """

    def __init__(self, connection: asyncpg.Connection, indexes: list[tuple[str, str]]) -> None:
        self.connection = connection
        self.indexes = indexes

    @classmethod
    async def open(cls, database: BenchDatabase) -> PostgresWriter:
        """Connect to the benchmark database and drop the secondary indexes."""
        connection = await asyncpg.connect(asyncpg_dsn(database.url))
        rows = await connection.fetch(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'audit_log' "
            "AND indexname NOT IN (SELECT conname FROM pg_constraint "
            "WHERE conrelid = 'audit_log'::regclass)"
        )
        for row in rows:
            await connection.execute(f'DROP INDEX "{row["indexname"]}"')
        return cls(connection, [(row["indexname"], row["indexdef"]) for row in rows])

    async def write(self, rows: list[list[object]]) -> None:
        """COPY one chunk."""
        await self.connection.copy_records_to_table(
            "audit_log", records=rows, columns=list(INSERT_COLUMNS)
        )

    async def finish(self, counters: dict[str, int], marker: dict[str, Any]) -> None:
        """Store the counters and the marker, then VACUUM ANALYZE as autovacuum soon would."""
        connection = self.connection
        await connection.executemany(
            "INSERT INTO audit_log_sequence (account_id, last_sequence) VALUES ($1, $2)",
            list(counters.items()),
        )
        await connection.execute(f"CREATE TABLE IF NOT EXISTS {MARKER_TABLE} (spec TEXT NOT NULL)")
        await connection.execute(
            f"INSERT INTO {MARKER_TABLE} (spec) VALUES ($1)", json.dumps(marker)
        )
        await connection.execute("SET maintenance_work_mem = '512MB'")
        for _, definition in self.indexes:
            await connection.execute(definition)
        await connection.execute("VACUUM (ANALYZE) audit_log")
        await connection.execute("ANALYZE")
        await connection.close()


def marker_of(spec: DatasetSpec, end: dt.datetime) -> dict[str, Any]:
    """What the marker table records about a data set."""
    return {
        "events": spec.events,
        "accounts": spec.accounts,
        "seed": spec.seed,
        "days": spec.days,
        "hot_share": spec.hot_share,
        "end": end.isoformat(),
        "fingerprint": spec.fingerprint(end),
    }


async def load(dataset: Dataset, databases: list[BenchDatabase], workers: int) -> dict[str, float]:
    """Recreate each database and fill it with `dataset`; return seconds spent per database."""
    seconds: dict[str, float] = {}
    writers: list[tuple[str, SqliteWriter | PostgresWriter]] = []
    for database in databases:
        started = time.perf_counter()
        await recreate(database)
        writer = (
            SqliteWriter(database) if database.is_sqlite else await PostgresWriter.open(database)
        )
        writers.append((database.name, writer))
        seconds[database.name] = time.perf_counter() - started
    started = time.perf_counter()
    for rows in dataset.row_chunks(workers):
        for name, writer in writers:
            began = time.perf_counter()
            await writer.write(rows)
            seconds[name] += time.perf_counter() - began
    generating = time.perf_counter() - started - sum(seconds.values())
    marker = marker_of(dataset.spec, dataset.end)
    for name, writer in writers:
        began = time.perf_counter()
        await writer.finish(dataset.counters(), marker)
        seconds[name] += time.perf_counter() - began
    seconds["generate"] = max(generating, 0.0)
    return seconds


async def loaded_marker(database: BenchDatabase) -> dict[str, Any] | None:
    """The marker of the data set in `database`, or None if it holds none (or does not exist)."""
    try:
        if database.is_sqlite:
            if not database.sqlite_path.exists():
                return None
            with sqlite3.connect(database.sqlite_path) as connection:
                row = connection.execute(f"SELECT spec FROM {MARKER_TABLE}").fetchone()
            return dict(json.loads(row[0])) if row else None
        connection = await asyncpg.connect(asyncpg_dsn(database.url))
        try:
            spec = await connection.fetchval(f"SELECT spec FROM {MARKER_TABLE}")
        finally:
            await connection.close()
        return dict(json.loads(spec)) if spec else None
    except (sqlite3.Error, asyncpg.PostgresError, OSError):
        return None
