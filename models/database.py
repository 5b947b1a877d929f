"""Open and close the database, run parameterised SQL on either dialect, spot outages."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, cast

import asyncpg
from tortoise import Tortoise, connections
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.backends.base.config_generator import expand_db_url
from tortoise.backends.base.executor import EXECUTOR_CACHE
from tortoise.exceptions import DBConnectionError

from models import MODEL_MODULES
from models.bounded_pool import ENGINE as BOUNDED_POSTGRES_ENGINE

SQLITE = "sqlite"
POSTGRES = "postgres"
logger = logging.getLogger("auditlog.database")


# The read path binds values whose best plan differs wildly (a rare IP versus an office
# block); after five runs PostgreSQL would switch a prepared statement to one generic
# plan, measured at 400+ ms where the custom plan takes 1 ms. Plan every execution.
POSTGRES_SETTINGS = {"plan_cache_mode": "force_custom_plan"}


# PostgreSQL errors that say the server is going away, busy or not taking connections;
# the OSError family (refused, reset, TimeoutError) covers the network side.
_POSTGRES_OUTAGES = (
    asyncpg.exceptions.PostgresConnectionError,  # class 08
    asyncpg.exceptions.CannotConnectNowError,  # starting up or shutting down
    asyncpg.exceptions.AdminShutdownError,
    asyncpg.exceptions.CrashShutdownError,
    asyncpg.exceptions.TooManyConnectionsError,
    asyncpg.exceptions.QueryCanceledError,  # statement_timeout
    asyncpg.exceptions.ConnectionDoesNotExistError,  # the connection dropped mid-query
)
_SQLITE_OUTAGES = ("database is locked", "database table is locked", "unable to open database")


@dataclass(frozen=True)
class DatabaseLimits:
    """How long to wait for the database, and how many connections to keep open.

    `timeout` bounds connecting, waiting for a pooled connection and, unless
    `bound_statements` is off (migrations may rightly run long), each statement. On
    SQLite it is the busy timeout, unless the URL sets busy_timeout (settings.py does).
    """

    timeout: float = 5.0
    pool_size: int = 5
    bound_statements: bool = True


# For migrations, tools and tests: bounded waits, but statements may run as long as they need.
UNBOUNDED_STATEMENTS = DatabaseLimits(bound_statements=False)


async def open_database(url: str, limits: DatabaseLimits = UNBOUNDED_STATEMENTS) -> None:
    """Connect the ORM to the database at `url` (no schema changes)."""
    default = expand_db_url(url)
    if default["engine"] == "tortoise.backends.asyncpg":
        _bound_postgres(default, limits)
    elif default["engine"] == "tortoise.backends.sqlite":
        _bound_sqlite(default, limits)
    await Tortoise.init(
        config={
            "connections": {"default": default},
            "apps": {"models": {"models": MODEL_MODULES, "default_connection": "default"}},
            "use_tz": True,
            "timezone": "UTC",
        },
        _enable_global_fallback=True,
    )
    if default["engine"] == "tortoise.backends.sqlite":
        await _connect_sqlite()


async def _connect_sqlite() -> None:
    # Tortoise 1.1's SQLite client opens its file on first use, holding its lock, and
    # never releases that lock when opening fails (a locked file, say): every later
    # query would wait for good. Open it now, while a failure can still be reported.
    client = connection()
    try:
        await client.create_connection(with_db=True)
    except BaseException:
        await close_database()
        raise


def _bound_postgres(default: dict[str, Any], limits: DatabaseLimits) -> None:
    credentials = default["credentials"]
    settings = dict(POSTGRES_SETTINGS)
    credentials.update(timeout=limits.timeout, acquire_timeout=limits.timeout)
    credentials["maxsize"] = limits.pool_size
    credentials["minsize"] = min(int(credentials.get("minsize", 1)), limits.pool_size)
    if limits.bound_statements:
        credentials["command_timeout"] = limits.timeout
        settings["statement_timeout"] = f"{round(limits.timeout * 1000)}ms"
    credentials["server_settings"] = settings
    default["engine"] = BOUNDED_POSTGRES_ENGINE


def _bound_sqlite(default: dict[str, Any], limits: DatabaseLimits) -> None:
    # PRAGMAs run in order when the file is opened, and setting the journal mode waits
    # for locks too: the busy timeout (the URL's, else the limit) must come first.
    credentials = default["credentials"]
    busy = credentials.pop("busy_timeout", round(limits.timeout * 1000))
    default["credentials"] = {"busy_timeout": busy, **credentials}


async def close_database() -> None:
    """Close every connection the ORM opened, and forget the SQL prepared for it."""
    await Tortoise.close_connections()
    # Tortoise caches INSERT statements per connection name, not per dialect; a process
    # that reopens "default" on another database (tests, the CLI) must not reuse them.
    EXECUTOR_CACHE.clear()


def connection() -> BaseDBAsyncClient:
    """Return the default connection (or the current transaction's)."""
    client: BaseDBAsyncClient = connections.get("default")
    return client


def dialect_of(client: BaseDBAsyncClient) -> str:
    """Return "sqlite" or "postgres" for a connection."""
    name = client.capabilities.dialect
    return SQLITE if name == "sqlite" else POSTGRES


def placeholders(dialect: str, start: int, count: int) -> str:
    """Return `count` comma-separated parameter markers, numbered from `start` on PostgreSQL."""
    if dialect == SQLITE:
        return ", ".join("?" * count)
    return ", ".join(f"${number}" for number in range(start, start + count))


async def fetch(
    client: BaseDBAsyncClient, sql: str, values: Sequence[Any] = ()
) -> list[dict[str, Any]]:
    """Run a query and return its rows as dictionaries."""
    rows: list[dict[str, Any]] = await client.execute_query_dict(sql, list(values))
    return rows


async def fetch_values(
    client: BaseDBAsyncClient, sql: str, values: Sequence[Any] = ()
) -> Sequence[Sequence[Any]]:
    """Run a query and return its rows as the driver gives them, to be read by position.

    No dictionary is built per row (SQLite's rows find a name by comparing every
    column's): for reads of thousands of rows, such as exports.
    """
    _, rows = await client.execute_query(sql, list(values))
    return cast(Sequence[Sequence[Any]], rows)


def is_outage(exc: BaseException) -> bool:
    """Whether `exc` (or an exception it was raised from) means the database is not answering.

    Such failures are worth retrying in a few seconds, unlike a bad query or a broken
    constraint.
    """
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if _is_outage_itself(current):
            return True
        current = current.__cause__ or current.__context__
    return False


def _is_outage_itself(exc: BaseException) -> bool:
    if isinstance(exc, (OSError, DBConnectionError, *_POSTGRES_OUTAGES)):
        return True  # OSError includes TimeoutError, refused and reset connections
    if isinstance(exc, asyncpg.exceptions.InterfaceError):
        return "pool is closing" in str(exc) or "connection is closed" in str(exc)
    if isinstance(exc, sqlite3.OperationalError):
        return str(exc).startswith(_SQLITE_OUTAGES)
    return False


class Readiness:
    """Answers "does the database answer?" within a deadline, whatever the database does.

    A check that overruns is left running in the background (asyncpg releases its
    connection only once the statement or connect timeout fires); later callers join
    it rather than starting another.
    """

    def __init__(self) -> None:
        self._check: asyncio.Task[None] | None = None

    async def problem(self, within: float) -> str | None:
        """None when `SELECT 1` succeeds within `within` seconds, else why it did not."""
        if self._check is None or self._check.done():
            self._check = asyncio.create_task(fetch_one())
            self._check.add_done_callback(_consume)
        check = self._check
        done, _ = await asyncio.wait({check}, timeout=within)
        if not done:
            return f"The database did not answer within {within:g} s."
        exc = check.exception()
        if exc is None:
            return None
        if is_outage(exc):
            return "The database refused or dropped the connection."
        logger.error("Readiness check failed", exc_info=exc)
        return "The database check failed; see the service log."


async def fetch_one() -> None:
    """Run `SELECT 1` on the default connection."""
    await fetch(connection(), "SELECT 1 AS ok")


def _consume(task: asyncio.Task[None]) -> None:
    # The outcome is read by whoever awaited it; a late one must not be reported as
    # "Task exception was never retrieved".
    if not task.cancelled():
        task.exception()


@dataclass(frozen=True)
class PoolUsage:
    """Connections of the PostgreSQL pool: open, idle, and the most it may open."""

    size: int
    idle: int
    maximum: int


def pool_usage() -> PoolUsage | None:
    """The default connection's pool, or None (SQLite, or not connected)."""
    try:
        client = connection()
    except Exception:  # not connected yet, or already closed
        return None
    # Tortoise keeps asyncpg's pool in a private attribute; the pool's getters are public.
    pool = getattr(client, "_pool", None)
    if pool is None or not hasattr(pool, "get_idle_size"):
        return None
    return PoolUsage(pool.get_size(), pool.get_idle_size(), pool.get_max_size())
