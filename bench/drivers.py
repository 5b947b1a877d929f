"""The service's database drivers used directly (aiosqlite, asyncpg), configured as Tortoise does.

The floors run on these: the same driver, connection settings and statements as the
service, without the ORM, GraphQL or HTTP layers above them.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from types import SimpleNamespace
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import aiosqlite
import asyncpg

from models.database import POSTGRES, POSTGRES_SETTINGS, SQLITE

# Tortoise's SQLite client sets these before the URL's own parameters.
TORTOISE_SQLITE_PRAGMAS = {
    "journal_mode": "WAL",
    "journal_size_limit": "16384",
    "foreign_keys": "ON",
}
# Tortoise's asyncpg pool size when the URL sets none.
POOL_MIN, POOL_MAX = 1, 5


class RawClient:
    """The part of Tortoise's client that models.audit_log_store uses, over a raw connection."""

    def __init__(self, dialect: str, run: Any) -> None:
        self.capabilities = SimpleNamespace(dialect=dialect)
        self._run = run

    async def execute_query_dict(
        self, sql: str, values: list[Any] | None = None
    ) -> list[dict[str, Any]]:
        """Run a statement; return its rows as dictionaries."""
        rows: list[dict[str, Any]] = await self._run(sql, values or [])
        return rows

    async def execute_query(
        self, sql: str, values: list[Any] | None = None
    ) -> tuple[int, list[dict[str, Any]]]:
        """Run a statement; return the row count and rows."""
        rows = await self.execute_query_dict(sql, values)
        return len(rows), rows


class SqliteDriver:
    """One aiosqlite connection behind a lock, as Tortoise keeps it."""

    dialect = SQLITE

    def __init__(self, connection: aiosqlite.Connection) -> None:
        self.connection = connection
        self.lock = asyncio.Lock()

    @classmethod
    async def open(cls, url: str) -> SqliteDriver:
        """Connect to a `sqlite://PATH?pragma=value` URL."""
        parts = urlsplit(url)
        path = url.removeprefix("sqlite://").split("?", 1)[0]
        connection = await aiosqlite.connect(path, isolation_level=None)
        connection._conn.row_factory = sqlite3.Row  # as Tortoise does
        for pragma, value in {**TORTOISE_SQLITE_PRAGMAS, **dict(parse_qsl(parts.query))}.items():
            await connection.execute(f"PRAGMA {pragma}={value}")
        return cls(connection)

    async def fetch(self, sql: str, params: Sequence[Any]) -> list[dict[str, Any]]:
        """Run a query and return its rows."""
        async with self.lock:
            return await self._fetch(sql, params)

    async def _fetch(self, sql: str, params: Sequence[Any]) -> list[dict[str, Any]]:
        return [dict(row) for row in await self.connection.execute_fetchall(sql, list(params))]

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[RawClient]:
        """Hold the connection for one BEGIN ... COMMIT, as Tortoise's in_transaction does."""
        async with self.lock:
            await self.connection.execute("BEGIN")
            try:
                yield RawClient(SQLITE, self._fetch)
            except BaseException:
                await self.connection.rollback()
                raise
            await self.connection.commit()

    async def close(self) -> None:
        """Close the connection."""
        await self.connection.close()


class PostgresDriver:
    """An asyncpg pool sized as Tortoise sizes it, with the service's session settings."""

    dialect = POSTGRES

    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool

    @classmethod
    async def open(cls, url: str) -> PostgresDriver:
        """Connect to a `postgres://` URL."""
        dsn = "postgresql://" + url.split("://", 1)[1]
        settings = dict(POSTGRES_SETTINGS)  # e.g. plan_cache_mode, as models.database sets it
        pool = await asyncpg.create_pool(
            dsn, min_size=POOL_MIN, max_size=POOL_MAX, server_settings=settings
        )
        return cls(pool)

    async def fetch(self, sql: str, params: Sequence[Any]) -> list[dict[str, Any]]:
        """Run a query and return its rows."""
        async with self.pool.acquire() as connection:
            return [dict(row) for row in await connection.fetch(sql, *params)]

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[RawClient]:
        """One pooled connection inside one transaction."""
        async with self.pool.acquire() as connection, connection.transaction():

            async def run(sql: str, params: Sequence[Any]) -> list[dict[str, Any]]:
                return [dict(row) for row in await connection.fetch(sql, *params)]

            yield RawClient(POSTGRES, run)

    async def close(self) -> None:
        """Close the pool."""
        await self.pool.close()


async def open_driver(url: str) -> SqliteDriver | PostgresDriver:
    """Open the driver the service would use for `url`."""
    if url.startswith("sqlite://"):
        return await SqliteDriver.open(url)
    return await PostgresDriver.open(url)
