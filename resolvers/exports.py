"""Exports: a selection read in keyset batches (constant memory), and its audit entry."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
from collections.abc import AsyncGenerator, Sequence
from dataclasses import dataclass
from typing import Any

import orjson

from models.audit_log import READ_COLUMNS
from models.audit_log_query import all_of, any_match, keyset_after, select_entry_values
from models.audit_log_store import utc
from resolvers.audit_logs import Order
from resolvers.entries import Entry
from resolvers.filters import AuditLogFilter, filter_conditions
from resolvers.selection import Selection
from resolvers.self_audit import Acting, record_access_change

# The first batch is small so the first rows leave quickly; later ones amortise a query.
FIRST_BATCH = 100
BATCH = 1000
EXPORTED = "audit_log.exported"
# The audit entry keeps the filter it was asked with, up to this size as JSON.
MAX_RECORDED_FILTER = 8 * 1024


async def entry_batches(
    selection: Selection,
    order: Order = Order.NEWEST_FIRST,
    *,
    now: dt.datetime | None = None,
    batch_size: int = BATCH,
    first_batch: int = FIRST_BATCH,
) -> AsyncGenerator[list[Entry], None]:
    """Yield the selected entries in order, batch by batch, each batch one keyset query.

    Relative times in the query (`now-7d`) are fixed once, at `now`, so the batches of
    one export read one consistent selection. Raises InvalidInputError before the first
    query when the filter or query is not valid. While a batch is being written, the
    next one is already being read: one batch ahead, never more.
    """
    batches = row_batches(selection, order, now=now, batch_size=batch_size, first_batch=first_batch)
    async with contextlib.aclosing(batches):  # a reader that stops early stops the reads
        async for rows in batches:
            yield [Entry.from_values(row) for row in rows]


async def row_batches(
    selection: Selection,
    order: Order = Order.NEWEST_FIRST,
    *,
    columns: Sequence[str] = READ_COLUMNS,
    now: dt.datetime | None = None,
    batch_size: int = BATCH,
    first_batch: int = FIRST_BATCH,
) -> AsyncGenerator[Sequence[Sequence[Any]], None]:
    """entry_batches' rows as the driver gives them, each row its `columns` values.

    `columns` must name the stored `id` and `occurred_at` (the keyset) among them.
    """
    where = selection.condition(now or dt.datetime.now(dt.UTC))
    descending = order is Order.NEWEST_FIRST
    at, key = columns.index("occurred_at"), columns.index("id")
    size = first_batch
    rows = await select_entry_values(where, descending=descending, limit=size, columns=columns)
    ahead: asyncio.Task[Sequence[Sequence[Any]]] | None = None
    try:
        while rows:
            if len(rows) == size:
                last, size = rows[-1], batch_size
                after = keyset_after(utc(last[at]), last[key], descending=descending)
                ahead = asyncio.create_task(
                    select_entry_values(
                        all_of(where, after), descending=descending, limit=size, columns=columns
                    )
                )
            yield rows
            rows = await ahead if ahead is not None else []
            ahead = None
    finally:
        if ahead is not None:  # the reader stopped early: the batch read ahead is not wanted
            ahead.cancel()
            ahead.add_done_callback(_retrieved)


def _retrieved(task: asyncio.Task[Any]) -> None:
    # A read that failed before it was cancelled has no one to tell; do not log it as lost.
    if not task.cancelled():
        task.exception()


async def has_entries(account_id: str) -> bool:
    """Whether the account has any entry (exporting an account without one is a typo)."""
    return await any_match(filter_conditions(account_id, AuditLogFilter()))


@dataclass(frozen=True)
class ExportReport:
    """What an export wrote, for its audit entry."""

    format: str
    rows: int
    filter: dict[str, object]
    query: str | None
    failure: str | None = None
    job: str | None = None  # the AuditLogExport id, for exports run as jobs


async def record_export(acting: Acting, report: ExportReport) -> None:
    """Append the `audit_log.exported` entry of a finished (or failed) export."""
    metadata: dict[str, object] = {
        "format": report.format.upper(),
        "count": report.rows,
        "filter": _recorded(report.filter),
        "query": report.query,
    }
    if report.job is not None:
        metadata["job"] = report.job
    await record_access_change(acting, EXPORTED, None, metadata, failure_reason=report.failure)


def _recorded(value: dict[str, object]) -> object:
    """The filter as asked, or its clipped JSON text when it is too large to keep whole."""
    text = orjson.dumps(value).decode()
    if len(text) <= MAX_RECORDED_FILTER:
        return value
    return {"clipped": True, "json": text[:MAX_RECORDED_FILTER]}
