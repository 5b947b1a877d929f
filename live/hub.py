"""Wake the live tails of an account when entries are recorded for it.

One hub per process. Writers call `recorded(account_id)` after their transaction
commits; on PostgreSQL every instance also hears it through LISTEN/NOTIFY
(live/listener.py). A woken subscriber reads what is new itself (by sequence), so a
wake-up carries no entries and a lost or doubled one costs at most a query.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict

from models.audit_log_store import NOTIFY_CHANNEL

# The channel PostgreSQL notifies on (models/audit_log_store.py); the payload is the account.
CHANNEL = NOTIFY_CHANNEL
# Wait on this to be woken by entries of any account (stream delivery does).
ANY = "\x00any"


class Hub:
    """Subscribers waiting per account; a wake-up releases every waiter of the account."""

    def __init__(self) -> None:
        self._waiters: defaultdict[str, set[asyncio.Future[None]]] = defaultdict(set)

    def recorded(self, account_id: str) -> None:
        """Entries were committed for the account: wake its subscribers, and ANY's."""
        for key in (account_id, ANY):
            for waiter in self._waiters.pop(key, ()):
                _release(waiter)

    def wake_all(self) -> None:
        """Wake every subscriber (after missed notifications, e.g. a listener reconnect)."""
        waiting, self._waiters = self._waiters, defaultdict(set)
        for waiters in waiting.values():
            for waiter in waiters:
                _release(waiter)

    def watch(self, account_id: str) -> asyncio.Future[None]:
        """A future the account's next wake-up completes; register it before reading, so a
        commit between the read and the wait is not missed. Pair with `unwatch`."""
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters[account_id].add(waiter)
        return waiter

    def unwatch(self, account_id: str, waiter: asyncio.Future[None]) -> None:
        """Forget a waiter `watch` gave (woken or not)."""
        waiters = self._waiters.get(account_id)
        if waiters is not None:
            waiters.discard(waiter)
            if not waiters:
                del self._waiters[account_id]

    async def wait(self, account_id: str, timeout: float) -> bool:
        """Wait up to `timeout` seconds for the account's next wake-up; True if woken."""
        waiter = self.watch(account_id)
        try:
            return await woken(waiter, timeout)
        finally:
            self.unwatch(account_id, waiter)

    def subscribers(self) -> int:
        """How many are waiting now (for tests and metrics)."""
        return sum(len(waiters) for waiters in self._waiters.values())


async def woken(waiter: asyncio.Future[None], timeout: float) -> bool:
    """Wait up to `timeout` seconds for a watched wake-up; True if it came."""
    try:
        await asyncio.wait_for(asyncio.shield(waiter), timeout)
        return True
    except TimeoutError:
        return False


def _release(waiter: asyncio.Future[None]) -> None:
    # A waiter of another (closed) event loop, as tests leave behind, is skipped.
    loop = waiter.get_loop()
    if waiter.done() or loop.is_closed():
        return
    try:
        running = asyncio.get_running_loop()
    except RuntimeError:
        running = None
    if running is loop:
        waiter.set_result(None)
    else:
        loop.call_soon_threadsafe(_set, waiter)


def _set(waiter: asyncio.Future[None]) -> None:
    if not waiter.done():
        waiter.set_result(None)


HUB = Hub()
