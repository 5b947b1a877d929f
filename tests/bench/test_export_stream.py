"""Counting an export's rows as its chunks arrive, and the floor's rows being the export's."""

from __future__ import annotations

import datetime as dt

import pytest

from bench.export_floor import floor_query
from bench.export_stream import RowCounter
from models.database import connection
from resolvers.exports import entry_batches
from resolvers.filters import AuditLogFilter
from resolvers.selection import Selection
from tests.export.varied import varied_events
from tests.factories import record


def test_csv_rows_are_counted_without_the_header_across_chunk_boundaries() -> None:
    counter = RowCounter("csv")
    chunks = [b"id,action\r", b"\n1,inbox.create\r\n2,inb", b"ox.update\r\n"]
    completes_first = [counter.add(chunk) for chunk in chunks]
    assert (counter.rows, counter.size, completes_first) == (2, 43, [False, True, False])


def test_ndjson_rows_are_lines_and_the_first_completes_with_its_newline() -> None:
    counter = RowCounter("ndjson")
    assert [counter.add(chunk) for chunk in (b'{"id"', b':"1"}\n{"id":"2"}\n')] == [False, True]
    assert counter.rows == 2


@pytest.mark.parametrize(
    "flt",
    [AuditLogFilter(), AuditLogFilter(actions=("inbox.*",)), AuditLogFilter(search="alice")],
    ids=["unfiltered", "action-prefix", "search"],
)
async def test_the_floor_selects_the_exports_rows_in_its_order(
    db: str, flt: AuditLogFilter
) -> None:
    await record("acme", *varied_events())
    await record("globex", *varied_events()[:3])
    now = dt.datetime.now(dt.UTC)
    exported = [
        e.id async for batch in entry_batches(Selection("acme", flt), now=now) for e in batch
    ]
    sql, params = floor_query(db, "acme", flt, now)
    floor = [row["id"] for row in await connection().execute_query_dict(sql, params)]
    assert floor == exported and exported
