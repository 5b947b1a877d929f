"""An export's file text, batch by batch: the one loop behind the endpoint, jobs and the CLI."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
from collections.abc import AsyncIterator

from export.database_csv import DatabaseCsv
from export.formats import Format, Layout
from export.request import audit_log_id
from models.database import SQLITE, connection, dialect_of
from resolvers.audit_logs import Order
from resolvers.exports import BATCH, FIRST_BATCH, entry_batches, row_batches
from resolvers.selection import Selection

# Rows built mostly by the database cost Python a third of what entries do, so a
# query's own cost (planning, a pool connection, a thread hop) weighs more: read more
# at a time. A batch of 5,000 is about 2.5 MB of text.
DATABASE_BATCH = 5000


async def file_batches(
    selection: Selection,
    order: Order,
    layout: Layout,
    *,
    now: dt.datetime,
    database_csv: bool = True,
    batch_size: int | None = None,
    first_batch: int = FIRST_BATCH,
) -> AsyncIterator[tuple[bytes, int]]:
    """Yield each batch of the selection as `layout`'s file text, with its number of rows.

    Not the head or tail (layout.head(), layout.tail()). CSV on PostgreSQL has the
    database build the stored cells (export/database_csv.py) unless `database_csv` is off.
    After the first, batches hold `batch_size` rows (default: BATCH, or DATABASE_BATCH
    when the database builds the cells).
    """
    if builds_cells(layout, database_csv=database_csv):
        database = DatabaseCsv(layout)
        rows_read = row_batches(
            selection,
            order,
            columns=database.columns,
            now=now,
            batch_size=batch_size or DATABASE_BATCH,
            first_batch=first_batch,
        )
        async with contextlib.aclosing(rows_read):  # stopping early stops the reads
            async for rows in rows_read:
                yield await asyncio.to_thread(database.body, rows), len(rows)
        return
    first = True
    entries_read = entry_batches(
        selection, order, now=now, batch_size=batch_size or BATCH, first_batch=first_batch
    )
    async with contextlib.aclosing(entries_read):
        async for entries in entries_read:
            yield layout.body(entries, first), len(entries)
            first = False


def builds_cells(layout: Layout, *, database_csv: bool) -> bool:
    """Whether the database builds this layout's stored cells (CSV on PostgreSQL)."""
    return (
        database_csv
        and layout.format is Format.CSV
        and layout.global_id is audit_log_id
        and dialect_of(connection()) != SQLITE
    )
