"""Bound how many database-heavy fields of one request run at once.

A request with many aliased histograms, facets or totals would otherwise run them all
concurrently and hold one pooled connection each, leaving none for other requests. Each
request gets its own semaphore (`Context.database_slots`); fields declared with
`DatabaseSlot()` wait for a slot, so the rest of that request queues behind its own work.
"""

from __future__ import annotations

from typing import Any

from strawberry.extensions.field_extension import AsyncExtensionResolver, FieldExtension
from strawberry.types import Info

DEFAULT_SLOTS = 2


class DatabaseSlot(FieldExtension):
    """Run the field's resolver only while holding one of its request's database slots."""

    async def resolve_async(
        self, next_: AsyncExtensionResolver, source: Any, info: Info[Any, Any], **kwargs: Any
    ) -> Any:
        async with info.context.database_slots:
            return await next_(source, info, **kwargs)
