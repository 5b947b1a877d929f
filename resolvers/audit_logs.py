"""Read an account's audit log: keyset pages in either order, and single entries."""

from __future__ import annotations

import enum
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from models.audit_log_query import (
    Condition,
    all_of,
    any_match,
    any_of,
    equals,
    keyset_after,
    select_by_id,
    select_entries,
)
from resolvers.cursors import Position, binding, decode_cursor, encode_cursor
from resolvers.entries import Entry
from resolvers.errors import InvalidInputError
from resolvers.selection import Selection

DEFAULT_PAGE_SIZE = 50


class Order(enum.Enum):
    """The order entries are listed in."""

    NEWEST_FIRST = "NEWEST_FIRST"
    OLDEST_FIRST = "OLDEST_FIRST"


@dataclass(frozen=True)
class PageRequest:
    """Relay paging arguments."""

    first: int | None = None
    after: str | None = None
    last: int | None = None
    before: str | None = None


@dataclass(frozen=True)
class Page:
    """One page of entries with their cursors.

    Whether entries lie beyond the page on the side it was fetched towards is known
    from the fetch; the other side costs a query, made only when asked for.
    """

    entries: list[Entry]
    cursors: list[str]
    more_ahead: bool
    backward: bool
    behind: Callable[[], Awaitable[bool]]

    async def has_next_page(self) -> bool:
        """Whether matching entries follow this page."""
        return await self.behind() if self.backward else self.more_ahead

    async def has_previous_page(self) -> bool:
        """Whether matching entries precede this page."""
        return self.more_ahead if self.backward else await self.behind()


async def list_audit_logs(
    selection: Selection, order: Order, request: PageRequest, max_page_size: int
) -> Page:
    """Return one page of the selected entries, by keyset, never OFFSET."""
    size, backward = _page_size(request, max_page_size)
    where = selection.condition()
    bound_to = binding(selection.account_id, selection.fingerprint())
    after = decode_cursor(request.after, bound_to, "after") if request.after else None
    before = decode_cursor(request.before, bound_to, "before") if request.before else None
    newest_first = order is Order.NEWEST_FIRST
    window = [where]
    if after is not None:
        window.append(keyset_after(after.occurred_at, after.id, descending=newest_first))
    if before is not None:
        window.append(keyset_after(before.occurred_at, before.id, descending=not newest_first))
    rows = await select_entries(
        all_of(*window), descending=newest_first != backward, limit=size + 1
    )
    more = len(rows) > size
    rows = rows[:size]
    if backward:
        rows.reverse()
    entries = [Entry.from_row(row) for row in rows]
    cursors = [encode_cursor(Position(e.occurred_at, e.id), bound_to) for e in entries]
    # Behind a backward page lie the entries after it; behind a forward one, those before.
    edge = entries[-1:] if backward else entries[:1]
    cursor = before if backward else after

    async def behind() -> bool:
        if cursor is None:
            return False  # an unbounded end: nothing matching lies beyond it
        return await _exists_beyond(where, edge, cursor, newest_first, forward=backward)

    return Page(entries, cursors, more, backward, behind)


async def get_audit_log(account_id: str, entry_id: int) -> Entry | None:
    """Return the entry with this id in the account, or None (also for other accounts)."""
    row = await select_by_id(account_id, entry_id)
    return Entry.from_row(row) if row else None


def _page_size(request: PageRequest, max_page_size: int) -> tuple[int, bool]:
    if request.first is not None and request.last is not None:
        raise InvalidInputError.single("last", "pass either first or last, not both.")
    backward = request.last is not None
    name, size = ("last", request.last) if backward else ("first", request.first)
    if size is None:
        return min(DEFAULT_PAGE_SIZE, max_page_size), False
    if not 0 <= size <= max_page_size:
        raise InvalidInputError.single(
            name, f"must be between 0 and {max_page_size}; got {size}. Page with cursors instead."
        )
    return size, backward


async def _exists_beyond(
    where: Condition,
    edge: list[Entry],
    cursor: Position | None,
    newest_first: bool,
    *,
    forward: bool,
) -> bool:
    """Whether any matching entry lies past the page's edge (or the cursor, if empty)."""
    descending = newest_first == forward
    if edge:
        beyond = keyset_after(edge[0].occurred_at, edge[0].id, descending=descending)
    elif cursor is not None:
        # An empty page: the cursor's own entry lies on that side too.
        beyond = any_of(
            keyset_after(cursor.occurred_at, cursor.id, descending=descending),
            equals("id", cursor.id),
        )
    else:
        return False
    return await any_match(all_of(where, beyond))
