"""A Tortoise engine for PostgreSQL whose pool gives up waiting for a connection.

Tortoise 1.1 acquires pooled connections with `pool.acquire()` and no timeout, and
asyncpg then also releases them with no time limit. When PostgreSQL stops answering
(paused, overloaded, a dead network path) every request would wait for good. This
engine builds the asyncpg pool through `AsyncpgDBClient.create_pool`, the factory
Tortoise calls, with a default acquire timeout, which asyncpg also applies to the
release. Chosen with the `engine` key of the Tortoise configuration; relies on
tortoise-orm 1.1's client calling `create_pool` (pinned in pyproject.toml and tested
in tests/models/test_database_outage.py).
"""

from __future__ import annotations

from typing import Any

import asyncpg
from tortoise.backends.asyncpg.client import AsyncpgDBClient

ENGINE = "models.bounded_pool"
# asyncpg.create_pool's own defaults, which the pool constructor needs spelled out.
_POOL_DEFAULTS = {"max_queries": 50_000, "max_inactive_connection_lifetime": 300.0}


class BoundedPool(asyncpg.Pool):  # type: ignore[misc]
    """An asyncpg pool whose `acquire()` waits at most `acquire_timeout` seconds."""

    def __init__(self, *args: Any, acquire_timeout: float | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.acquire_timeout = acquire_timeout

    def acquire(self, *, timeout: float | None = None) -> Any:
        """Acquire a connection; without an explicit timeout, the pool's applies."""
        return super().acquire(timeout=self.acquire_timeout if timeout is None else timeout)


class BoundedAsyncpgClient(AsyncpgDBClient):
    """Tortoise's asyncpg client, with a pool that bounds every acquire and release."""

    def __init__(self, *args: Any, acquire_timeout: float | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.acquire_timeout = None if acquire_timeout is None else float(acquire_timeout)

    async def create_pool(self, **kwargs: Any) -> BoundedPool:
        """Create and fill the pool, as asyncpg.create_pool would, but bounded."""
        options = {**_POOL_DEFAULTS, "record_class": asyncpg.Record, **kwargs}
        pool = BoundedPool(None, acquire_timeout=self.acquire_timeout, **options)
        await pool
        return pool


client_class = BoundedAsyncpgClient
