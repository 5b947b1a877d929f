"""Query plans of the statements the service runs for a read, with their parameters bound.

PostgreSQL: EXPLAIN (ANALYZE, BUFFERS) with the custom plan a fresh prepared statement
gets, then with the generic plan asyncpg's cached statements may switch to after five
runs. SQLite: EXPLAIN QUERY PLAN and the statement's run time.
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


def _header(statement: Statement) -> str:
    head, _, rest = statement.sql.partition(" FROM ")
    sql = f"SELECT ... FROM {rest}" if rest and len(head) > 120 else statement.sql
    params = ", ".join(repr(p) for p in statement.params[:SHOWN_PARAMS])
    return f"-- {statement.role}\n{sql}\n-- params: {params}\n"


async def explain_postgres(url: str, plan: Sequence[Statement]) -> str:
    """Custom and generic plans, executed, of each statement."""
    connection = await asyncpg.connect(asyncpg_dsn(url))
    parts = []
    try:
        for statement in plan:
            if statement.role == "auth":
                continue
            parts.append(_header(statement))
            for mode in ("force_custom_plan", "force_generic_plan"):
                await connection.execute(f"SET plan_cache_mode = {mode}")
                rows = await connection.fetch(
                    f"EXPLAIN (ANALYZE, BUFFERS) {statement.sql}", *statement.params
                )
                parts.append(f"-- {mode}\n" + "\n".join(row[0] for row in rows) + "\n")
    finally:
        await connection.close()
    return "\n".join(parts)


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
