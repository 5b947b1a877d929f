"""Open and close the database, and run parameterised SQL on either dialect."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from tortoise import Tortoise, connections
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.backends.base.config_generator import expand_db_url
from tortoise.backends.base.executor import EXECUTOR_CACHE

from models import MODEL_MODULES

SQLITE = "sqlite"
POSTGRES = "postgres"


# The read path binds values whose best plan differs wildly (a rare IP versus an office
# block); after five runs PostgreSQL would switch a prepared statement to one generic
# plan, measured at 400+ ms where the custom plan takes 1 ms. Plan every execution.
POSTGRES_SETTINGS = {"plan_cache_mode": "force_custom_plan"}


async def open_database(url: str) -> None:
    """Connect the ORM to the database at `url` (no schema changes)."""
    default = expand_db_url(url)
    if default["engine"] == "tortoise.backends.asyncpg":
        default["credentials"]["server_settings"] = dict(POSTGRES_SETTINGS)
    await Tortoise.init(
        config={
            "connections": {"default": default},
            "apps": {"models": {"models": MODEL_MODULES, "default_connection": "default"}},
            "use_tz": True,
            "timezone": "UTC",
        },
        _enable_global_fallback=True,
    )


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


async def is_reachable() -> bool:
    """Whether a trivial query succeeds on the default connection."""
    try:
        await fetch(connection(), "SELECT 1 AS ok")
    except Exception:  # any driver or network failure means "not ready"
        return False
    return True


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
