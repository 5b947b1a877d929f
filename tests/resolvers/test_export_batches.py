"""entry_batches: the selection in keyset batches, the next one read while one is written."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from resolvers import exports
from resolvers.exports import entry_batches
from resolvers.selection import Selection
from tests.export.varied import varied_events
from tests.factories import record


async def test_batches_cover_the_selection_newest_first_with_a_small_first_batch(db: str) -> None:
    await record("acme", *varied_events())
    batches = [b async for b in entry_batches(Selection("acme"), batch_size=4, first_batch=2)]
    ids = [entry.id for batch in batches for entry in batch]
    assert [len(batch) for batch in batches] == [2, 4, 4, 1]
    assert ids == sorted(ids, reverse=True) and len(set(ids)) == len(varied_events())


async def test_a_reader_that_stops_early_cancels_the_read_ahead(
    db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    await record("acme", *varied_events())
    real = exports.select_entry_values
    calls: list[str] = []

    async def first_real_then_slow(*args: Any, **kwargs: Any) -> Any:
        if not calls:
            calls.append("read")
            return await real(*args, **kwargs)
        calls.append("ahead")
        try:
            await asyncio.Event().wait()  # a read that takes as long as it takes
        except asyncio.CancelledError:
            calls.append("cancelled")
            raise

    monkeypatch.setattr(exports, "select_entry_values", first_real_then_slow)
    batches = exports.entry_batches(Selection("acme"), batch_size=4, first_batch=2)
    assert len(await anext(batches)) == 2
    await asyncio.sleep(0)  # the read ahead starts while the batch is being written
    await batches.aclose()
    await asyncio.sleep(0)
    assert calls == ["read", "ahead", "cancelled"]
