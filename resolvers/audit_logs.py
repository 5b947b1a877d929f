"""Read an account's audit log: keyset pages in either order, and single entries."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from tortoise.expressions import Q

from models.audit_log import READ_COLUMNS, AuditLog
from resolvers.cursors import Position, binding, decode_cursor, encode_cursor
from resolvers.entries import Entry
from resolvers.errors import InvalidInputError
from resolvers.filters import AuditLogFilter, filter_conditions

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
    """One page of entries with their cursors."""

    entries: list[Entry]
    cursors: list[str]
    has_next_page: bool
    has_previous_page: bool


async def list_audit_logs(
    account_id: str,
    flt: AuditLogFilter,
    order: Order,
    request: PageRequest,
    max_page_size: int,
) -> Page:
    """Return one page of the account's entries matching `flt`, by keyset, never OFFSET."""
    size, backward = _page_size(request, max_page_size)
    bound_to = binding(account_id, flt.fingerprint())
    after = decode_cursor(request.after, bound_to, "after") if request.after else None
    before = decode_cursor(request.before, bound_to, "before") if request.before else None
    base = filter_conditions(account_id, flt)
    window = base
    if after is not None:
        window &= _beyond(after, order, forward=True)
    if before is not None:
        window &= _beyond(before, order, forward=False)
    rows = await _fetch(window, order, size + 1, reverse=backward)
    more = len(rows) > size
    rows = rows[:size]
    if backward:
        rows.reverse()
    entries = [Entry.from_row(row) for row in rows]
    cursors = [encode_cursor(Position(e.occurred_at, e.id), bound_to) for e in entries]
    if backward:
        has_previous = more
        has_next = await _exists_beyond(base, entries[-1:], before, order, forward=True)
    else:
        has_next = more
        has_previous = await _exists_beyond(base, entries[:1], after, order, forward=False)
    return Page(entries, cursors, has_next, has_previous)


async def get_audit_log(account_id: str, entry_id: int) -> Entry | None:
    """Return the entry with this id in the account, or None (also for other accounts)."""
    rows = await AuditLog.filter(account_id=account_id, id=entry_id).values(*READ_COLUMNS)
    return Entry.from_row(rows[0]) if rows else None


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


def _beyond(position: Position, order: Order, *, forward: bool) -> Q:
    """Entries strictly after `position` in reading order (`forward`) or strictly before it."""
    descending = (order is Order.NEWEST_FIRST) == forward
    t, entry_id = position.occurred_at, position.id
    if descending:
        # The redundant occurred_at bound lets PostgreSQL use an index range.
        return Q(occurred_at__lte=t) & (Q(occurred_at__lt=t) | Q(occurred_at=t, id__lt=entry_id))
    return Q(occurred_at__gte=t) & (Q(occurred_at__gt=t) | Q(occurred_at=t, id__gt=entry_id))


async def _fetch(
    condition: Q, order: Order, limit: int, *, reverse: bool
) -> list[dict[str, object]]:
    descending = (order is Order.NEWEST_FIRST) != reverse
    sign = "-" if descending else ""
    query = AuditLog.filter(condition).order_by(f"{sign}occurred_at", f"{sign}id").limit(limit)
    rows: list[dict[str, object]] = await query.values(*READ_COLUMNS)
    return rows


async def _exists_beyond(
    base: Q, edge: list[Entry], cursor: Position | None, order: Order, *, forward: bool
) -> bool:
    """Whether any matching entry lies past the page's edge (or past the cursor if empty)."""
    if edge:
        position = Position(edge[0].occurred_at, edge[0].id)
        condition = _beyond(position, order, forward=forward)
    elif cursor is not None:
        # An empty page: the cursor's own entry lies on that side too.
        condition = _beyond(cursor, order, forward=forward) | Q(id=cursor.id)
    else:
        return False
    exists: bool = await AuditLog.filter(base & condition).exists()
    return exists
