"""The live tail: `auditLogAdded`, a subscription over graphql-transport-ws at /graphql.

The caller's token comes in the connection_init payload (`{"Authorization": "Bearer
..."}` or `{"token": "..."}`) and is verified before the connection is acknowledged
(server.py). A subscription sends the account's new entries that match its filter and
query, in sequence (recording) order: it reads what is past the last sequence it sent
whenever the hub wakes it (live/hub.py: a write in this process, or PostgreSQL's NOTIFY
from another) and at least every POLL_SECONDS, so a missed wake-up delays an entry but
never loses it. `afterSequence` resumes after a disconnect. The caller is checked again
every AUDITLOG_LIVE_RECHECK seconds (a revoked grant or API token ends the tail) and the
tail ends when the token expires.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import AsyncGenerator, Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated

import strawberry
from strawberry.types import Info

from auth.principal import READ_ROLES
from live.hub import HUB, woken
from models.audit_log_query import above, all_of, last_sequence, select_after_sequence
from resolvers.entries import Entry
from resolvers.errors import ForbiddenError, InvalidInputError
from resolvers.filters import AuditLogFilter as FilterValue
from resolvers.selection import Selection
from schema.context import Context
from schema.inputs import AuditLogFilter
from schema.scalars import BigInt
from schema.types import AuditLog

# A subscriber reads again after this long without a wake-up (a missed NOTIFY).
POLL_SECONDS = 5.0
# Entries read per query; a subscriber far behind (afterSequence) catches up in these.
BATCH = 200


@dataclass(frozen=True)
class LiveCaller:
    """How a WebSocket's caller is checked again while its subscriptions run."""

    # None while the caller may still read the account's log; else why not.
    recheck: Callable[[], Awaitable[str | None]]
    # When the token expires (seconds since the epoch), if it says.
    expires_at: float | None
    # Seconds between rechecks (AUDITLOG_LIVE_RECHECK).
    interval: float


@strawberry.type
class Subscription:
    @strawberry.subscription(
        description="New entries of the account as they are recorded, in sequence order, "
        "matching the filter and query. With afterSequence, the entries after it first "
        "(to resume after a disconnect). Needs the admin or log_viewer role; ends when the "
        "token expires or the caller's access is revoked."
    )
    async def audit_log_added(
        self,
        info: Info[Context, None],
        filter_: Annotated[AuditLogFilter | None, strawberry.argument(name="filter")] = None,
        query: str | None = None,
        after_sequence: BigInt | None = None,
    ) -> AsyncGenerator[AuditLog, None]:
        context = info.context
        account_id = context.principal.account_id
        if account_id is None or not await context.roles.has_any(READ_ROLES):
            raise ForbiddenError("Reading the audit log needs the admin or log_viewer role.")
        if after_sequence is not None and int(after_sequence) < 0:
            raise InvalidInputError.single(
                "afterSequence", f"must be 0 or more; got {int(after_sequence)}."
            )
        selection = Selection(account_id, filter_.to_value() if filter_ else FilterValue(), query)
        selection.condition(dt.datetime.now(dt.UTC))  # refuse a bad filter or query now
        last = (
            int(after_sequence) if after_sequence is not None else await last_sequence(account_id)
        )
        watch = _Watch(context.live)
        while True:
            await watch.check()
            # Watched before reading: an entry committed after the read still wakes us.
            waiter = HUB.watch(account_id)
            try:
                now = dt.datetime.now(dt.UTC)
                where = all_of(selection.condition(now), above("sequence", last))
                rows = await select_after_sequence(where, BATCH)
                for row in rows:
                    entry = Entry.from_values(row)
                    last = entry.sequence
                    yield AuditLog.from_value(entry, context.locale)
                if len(rows) < BATCH:
                    await woken(waiter, watch.seconds_left(POLL_SECONDS))
            finally:
                HUB.unwatch(account_id, waiter)


class _Watch:
    """When to check the caller again, and whether the token has expired."""

    def __init__(self, caller: LiveCaller | None) -> None:
        self.caller = caller
        self.next_check = time.monotonic() + (caller.interval if caller else 0.0)

    async def check(self) -> None:
        caller = self.caller
        if caller is None:
            return
        if caller.expires_at is not None and time.time() >= caller.expires_at:
            raise ForbiddenError("The token has expired; subscribe again with a new token.")
        if time.monotonic() >= self.next_check:
            reason = await caller.recheck()
            if reason is not None:
                raise ForbiddenError(reason)
            self.next_check = time.monotonic() + caller.interval

    def seconds_left(self, longest: float) -> float:
        """How long to wait for a wake-up before the next check is due."""
        wait = longest
        caller = self.caller
        if caller is not None:
            wait = min(wait, self.next_check - time.monotonic())
            if caller.expires_at is not None:
                wait = min(wait, caller.expires_at - time.time())
        return max(wait, 0.01)
