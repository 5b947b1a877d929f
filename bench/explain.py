"""Query plans of the statements the service runs for a read, with their parameters bound.

PostgreSQL: the statement is prepared as asyncpg prepares it, then explained (ANALYZE,
BUFFERS) with the custom plan of its first five runs and with the generic plan the
server may switch to from the sixth; the run times of eight consecutive executions
show which one the service gets. SQLite: EXPLAIN QUERY PLAN and the best of three runs.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Sequence
from pathlib import Path

import asyncpg

from bench.databases import asyncpg_dsn
from bench.statements import Statement

SHOWN_PARAMS = 12
RUNS = 8


def _header(statement: Statement) -> str:
    head, _, rest = statement.sql.partition(" FROM ")
    sql = f"SELECT ... FROM {rest}" if rest and len(head) > 120 else statement.sql
    params = ", ".join(repr(p) for p in statement.params[:SHOWN_PARAMS])
    return f"-- {statement.role}\n{sql}\n-- params: {params}\n"


async def explain_postgres(url: str, plan: Sequence[Statement]) -> str:
    """Custom and generic plans, executed, and consecutive run times of each statement."""
    connection = await asyncpg.connect(asyncpg_dsn(url))
    parts = []
    try:
        for statement in plan:
            if statement.role != "auth":
                parts.append(_header(statement) + await _postgres_plans(connection, statement))
    finally:
        await connection.close()
    return "\n".join(parts)


async def _postgres_plans(connection: asyncpg.Connection, statement: Statement) -> str:
    prepared = await connection.prepare(statement.sql)
    times = []
    for _ in range(RUNS):
        started = time.perf_counter()
        await prepared.fetch(*statement.params)
        times.append(f"{(time.perf_counter() - started) * 1000:.1f}")
    runs = ", ".join(times)
    text = [f"-- {RUNS} runs of one prepared statement, plan_cache_mode auto (ms): {runs}"]
    await connection.execute(f"PREPARE bench_explained AS {statement.sql}")
    try:
        # EXECUTE takes no bind parameters: pass them as literals, cast by the statement.
        literals = [
            await connection.fetchval("SELECT quote_nullable($1::text)", _text(value))
            for value in statement.params
        ]
        execute = "EXECUTE bench_explained" + (f"({', '.join(literals)})" if literals else "")
        for mode in ("force_custom_plan", "force_generic_plan"):
            await connection.execute(f"SET plan_cache_mode = {mode}")
            rows = await connection.fetch(f"EXPLAIN (ANALYZE, BUFFERS) {execute}")
            text.append(f"-- {mode}\n" + "\n".join(row[0] for row in rows))
    finally:
        await connection.execute("RESET plan_cache_mode")
        await connection.execute("DEALLOCATE bench_explained")
    return "\n".join(text) + "\n"


def _text(value: object) -> str | None:
    return None if value is None else str(value)


def explain_sqlite(path: Path, plan: Sequence[Statement]) -> str:
    """The query plan and best-of-three run time of each statement."""
    connection = sqlite3.connect(path)
    parts = []
    try:
        for statement in plan:
            if statement.role == "auth":
                continue
            rows = connection.execute(f"EXPLAIN QUERY PLAN {statement.sql}", statement.params)
            steps = "\n".join(f"  {row[3]}" for row in rows.fetchall())
            timings = []
            for _ in range(3):
                started = time.perf_counter()
                connection.execute(statement.sql, statement.params).fetchall()
                timings.append(time.perf_counter() - started)
            parts.append(f"{_header(statement)}{steps}\n-- run time {min(timings) * 1000:.2f} ms\n")
    finally:
        connection.close()
    return "\n".join(parts)
