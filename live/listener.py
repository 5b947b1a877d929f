"""Hear other instances' new entries: PostgreSQL LISTEN on the channel writers NOTIFY.

`relaying(url)` runs, for the life of the app, one connection of its own (outside the
ORM's pool) listening on CHANNEL and waking the hub's subscribers of each notified
account. When the connection drops it reconnects with backoff and wakes every
subscriber, since notifications sent meanwhile are lost; subscribers also read at
least every few seconds on their own (schema/live.py). On SQLite there is one process,
and writers wake the hub directly.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

import asyncpg

from live.hub import CHANNEL, HUB, Hub

LOG = logging.getLogger("auditlog.live")
# How often an idle listening connection is checked (asyncpg notices a drop on use).
CHECK_SECONDS = 5.0
RETRY_SECONDS = (0.5, 30.0)  # first and longest wait before reconnecting


@contextlib.asynccontextmanager
async def relaying(url: str, hub: Hub = HUB) -> AsyncIterator[None]:
    """Listen for the life of the context when `url` is PostgreSQL's; otherwise do nothing."""
    if not url.startswith(("postgres://", "postgresql://")):
        yield
        return
    task = asyncio.create_task(listen(url, hub), name="auditlog-live-listener")
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def listen(url: str, hub: Hub) -> None:
    """Relay notifications to `hub` until cancelled, reconnecting when the connection drops."""
    # The ORM's URL may carry pool options asyncpg does not take: connect without them.
    dsn = "postgresql://" + url.split("://", 1)[1].split("?", 1)[0]
    delay = RETRY_SECONDS[0]
    while True:
        try:
            connection = await asyncpg.connect(dsn, timeout=10)
        except (OSError, TimeoutError, asyncpg.PostgresError) as exc:
            LOG.warning(
                "live tail: cannot listen for new entries (%s); retrying in %.1fs", exc, delay
            )
            await asyncio.sleep(delay)
            delay = min(delay * 2, RETRY_SECONDS[1])
            continue
        delay = RETRY_SECONDS[0]
        try:
            await _listened(connection, hub)
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
            LOG.warning("live tail: the listening connection dropped (%s); reconnecting", exc)
        finally:
            with contextlib.suppress(Exception):
                await connection.close(timeout=2)
            hub.wake_all()  # notifications may have been missed


async def _listened(connection: asyncpg.Connection, hub: Hub) -> None:
    def notified(_: object, __: int, ___: str, account_id: str) -> None:
        hub.recorded(account_id)

    await connection.add_listener(CHANNEL, notified)
    hub.wake_all()  # anything recorded before this connection listened is read now
    while True:
        await asyncio.sleep(CHECK_SECONDS)
        await connection.fetchval("SELECT 1")
