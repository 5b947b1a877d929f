"""The hub that wakes live tails, and PostgreSQL's LISTEN that feeds it from other instances."""

from __future__ import annotations

import asyncio

import asyncpg
import pytest

import live.listener
from live.hub import ANY, CHANNEL, HUB, Hub
from live.listener import relaying
from tests.conftest import POSTGRES_URL
from tests.factories import event, record


async def woken(hub: Hub, account: str, timeout: float = 2.0) -> asyncio.Task[bool]:
    """A waiter for the account's next wake-up, already registered."""
    task = asyncio.create_task(hub.wait(account, timeout))
    await asyncio.sleep(0.01)
    return task


async def test_recording_wakes_the_accounts_tails_and_the_stream_loop_only(db: str) -> None:
    mine = await woken(HUB, "acme")
    others = await woken(HUB, "globex")
    streams = await woken(HUB, ANY)
    await record("acme", event())
    assert await asyncio.wait_for(mine, 1) is True
    assert await asyncio.wait_for(streams, 1) is True
    assert not others.done()
    assert await asyncio.wait_for(others, 3) is False  # timed out: nothing for globex
    assert HUB.subscribers() == 0


async def test_a_wait_without_news_times_out() -> None:
    hub = Hub()
    assert await hub.wait("acme", 0.05) is False
    assert hub.subscribers() == 0


async def test_sqlite_has_no_listener() -> None:
    async with relaying("sqlite:///tmp/x.sqlite3"):
        assert not [t for t in asyncio.all_tasks() if t.get_name() == "auditlog-live-listener"]


@pytest.mark.skipif(not POSTGRES_URL, reason="needs AUDITLOG_TEST_POSTGRES_URL")
async def test_notifications_from_other_instances_wake_tails_even_after_the_connection_drops(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(live.listener, "CHECK_SECONDS", 0.2)
    hub = Hub()
    other = await asyncpg.connect("postgresql://" + POSTGRES_URL.split("://", 1)[1])
    try:
        async with relaying(POSTGRES_URL, hub):
            await _listening(other)
            waiter = await woken(hub, "acme")
            await other.execute(f"SELECT pg_notify('{CHANNEL}', 'acme')")
            assert await asyncio.wait_for(waiter, 2) is True
            # The database drops the listening connection (a restart, a failover): the
            # listener reconnects, wakes every tail (notifications may have been missed)...
            waiter = await woken(hub, "acme", timeout=10)
            dropped = await other.fetchval(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                f"WHERE query LIKE 'LISTEN%{CHANNEL}%'"
            )
            assert dropped == 1
            assert await asyncio.wait_for(waiter, 10) is True
            # ...and hears notifications again.
            await _listening(other)
            waiter = await woken(hub, "acme")
            await other.execute(f"SELECT pg_notify('{CHANNEL}', 'acme')")
            assert await asyncio.wait_for(waiter, 2) is True
    finally:
        await other.close()


async def _listening(other: asyncpg.Connection, timeout: float = 10.0) -> None:
    """Wait until a connection listens on the channel."""
    for _ in range(int(timeout / 0.05)):
        count = await other.fetchval(
            "SELECT count(*) FROM pg_stat_activity WHERE query LIKE $1", f"LISTEN%{CHANNEL}%"
        )
        if count:
            return
        await asyncio.sleep(0.05)
    raise AssertionError("no connection listens on the channel")
