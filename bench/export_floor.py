"""The export's floor: the same rows and stored columns written as CSV by the database's own means.

PostgreSQL: `COPY (SELECT <columns> FROM audit_log WHERE <the service's condition> ORDER
BY occurred_at DESC, id DESC) TO STDOUT WITH CSV` through asyncpg's copy_from_query.
SQLite: the same SELECT on aiosqlite (the service's driver and pragmas), its rows
fetched 100 first and then 1,000 at a time (the service's batch sizes) and written by
the `csv` module. Both run in the benchmark's process, with no HTTP and nothing
derived (no sentence, category, local time or global id), and only count the bytes.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import time
from typing import Any

import asyncpg

from bench.databases import BenchDatabase, asyncpg_dsn
from bench.drivers import SqliteDriver
from bench.export_stream import Streamed
from models.audit_log import READ_COLUMNS
from models.database import POSTGRES, POSTGRES_SETTINGS, SQLITE
from resolvers.filters import AuditLogFilter
from resolvers.selection import Selection

# The stored columns behind the CSV's columns (the CSV adds category, description,
# occurred_at_local and writes the id as a global id): what the service reads, bar the
# account, which the CSV does not show.
COLUMNS = tuple(column for column in READ_COLUMNS if column != "account_id")
FIRST_BATCH, BATCH = 100, 1000


def floor_query(
    dialect: str, account_id: str, flt: AuditLogFilter, now: dt.datetime
) -> tuple[str, list[Any]]:
    """The SELECT of the export's rows, with the service's own condition for the filter."""
    where, params = Selection(account_id, flt).condition(now).render(dialect)
    sql = (
        f"SELECT {', '.join(COLUMNS)} FROM audit_log WHERE {where} "
        "ORDER BY occurred_at DESC, id DESC"
    )
    return (_numbered(sql) if dialect == POSTGRES else sql), params


def _numbered(sql: str) -> str:
    counter = iter(range(1, sql.count("?") + 1))
    return re.sub(r"\?", lambda _: f"${next(counter)}", sql)


async def floor_export(
    database: BenchDatabase, account_id: str, flt: AuditLogFilter, now: dt.datetime
) -> Streamed:
    """The floor's export of the same selection, timed from the moment it is asked for."""
    if database.is_sqlite:
        return await _sqlite_csv(database.url, *floor_query(SQLITE, account_id, flt, now))
    return await _postgres_copy(database.url, *floor_query(POSTGRES, account_id, flt, now))


async def _postgres_copy(url: str, sql: str, params: list[Any]) -> Streamed:
    connection = await asyncpg.connect(asyncpg_dsn(url), server_settings=dict(POSTGRES_SETTINGS))
    try:
        size, first = 0, None
        started = time.perf_counter()

        async def sink(chunk: bytes) -> None:
            nonlocal size, first
            if first is None:
                first = time.perf_counter() - started
            size += len(chunk)

        status = await connection.copy_from_query(sql, *params, output=sink, format="csv")
        total = time.perf_counter() - started
    finally:
        await connection.close()
    rows = int(status.split()[-1])
    return Streamed(rows, size, total, first, first if rows else None)


async def _sqlite_csv(url: str, sql: str, params: list[Any]) -> Streamed:
    driver = await SqliteDriver.open(url)
    try:
        rows = size = 0
        first = None
        started = time.perf_counter()
        async with driver.connection.execute(sql, params) as cursor:
            batch = list(await cursor.fetchmany(FIRST_BATCH))
            while batch:
                buffer = io.StringIO()
                csv.writer(buffer, lineterminator="\r\n").writerows(batch)
                size += len(buffer.getvalue().encode())
                if first is None:
                    first = time.perf_counter() - started
                rows += len(batch)
                batch = list(await cursor.fetchmany(BATCH))
        total = time.perf_counter() - started
    finally:
        await driver.close()
    return Streamed(rows, size, total, first, first)
