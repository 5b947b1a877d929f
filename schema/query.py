"""Read fields: the log, one entry, and the caller."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry.extensions.field_extension import FieldExtension
from strawberry.permission import PermissionExtension
from strawberry.types import Info

from auth.permissions import CanReadAuditLog
from resolvers.actions import list_actions
from resolvers.audit_logs import PageRequest, get_audit_log, list_audit_logs
from resolvers.facets import facets
from resolvers.filters import AuditLogFilter as FilterValue
from resolvers.histogram import histogram
from resolvers.selection import Selection
from schema.context import Context
from schema.database_slots import DatabaseSlot
from schema.enums import FacetField, Interval, Order
from schema.ids import from_global_id
from schema.inputs import AuditLogFilter
from schema.scalars import BigInt
from schema.types import (
    AuditAction,
    AuditLog,
    AuditLogConnection,
    Facet,
    HistogramBucket,
    Viewer,
)


def _readers() -> list[FieldExtension]:
    return [PermissionExtension([CanReadAuditLog()], use_directives=False)]


def _heavy_readers() -> list[FieldExtension]:
    """Readers whose work is a database scan: they share the request's database slots."""
    return [*_readers(), DatabaseSlot()]


def _selection(
    info: Info[Context, None], filter_: AuditLogFilter | None, query: str | None
) -> Selection:
    flt = filter_.to_value() if filter_ else FilterValue()
    return Selection(_account(info), flt, query)


def _account(info: Info[Context, None]) -> str:
    account_id = info.context.principal.account_id
    if account_id is None:  # CanReadAuditLog admits only account-bound tokens
        raise RuntimeError("reader without an account")
    return account_id


@strawberry.type
class AuditLogQuery:
    @strawberry.field(
        extensions=_heavy_readers(),
        description="The account's entries, newest first by default, paged by cursor.",
    )
    async def audit_logs(
        self,
        info: Info[Context, None],
        filter_: Annotated[AuditLogFilter | None, strawberry.argument(name="filter")] = None,
        query: Annotated[
            str | None,
            strawberry.argument(description="Search language, e.g. actor:alice action:inbox.*"),
        ] = None,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        order_by: Order = Order.NEWEST_FIRST,
    ) -> AuditLogConnection:
        selection = _selection(info, filter_, query)
        request = PageRequest(first=first, after=after, last=last, before=before)
        page = await list_audit_logs(selection, order_by, request, info.context.max_page_size)
        return AuditLogConnection.from_value(page, selection, info.context.locale)

    @strawberry.field(
        extensions=_heavy_readers(), description="Top values with counts for each field asked."
    )
    async def audit_log_facets(
        self,
        info: Info[Context, None],
        fields: list[FacetField],
        filter_: Annotated[AuditLogFilter | None, strawberry.argument(name="filter")] = None,
        query: str | None = None,
        limit: int = 10,
        locale: str | None = None,
    ) -> list[Facet]:
        selection = _selection(info, filter_, query)
        results = await facets(selection, fields, limit, locale or info.context.locale)
        return [Facet.from_value(result) for result in results]

    @strawberry.field(
        extensions=_heavy_readers(),
        description="Entry counts per time bucket, empty buckets included, over the filter's "
        "occurredAfter/occurredBefore or else the span of the matching entries.",
    )
    async def audit_log_histogram(
        self,
        info: Info[Context, None],
        interval: Interval,
        filter_: Annotated[AuditLogFilter | None, strawberry.argument(name="filter")] = None,
        query: str | None = None,
        time_zone: str = "UTC",
    ) -> list[HistogramBucket]:
        buckets = await histogram(_selection(info, filter_, query), interval, time_zone)
        return [HistogramBucket(start=b.start, count=BigInt(b.count)) for b in buckets]

    @strawberry.field(
        extensions=_readers(), description="One entry by id; null if absent or elsewhere."
    )
    async def audit_log(self, info: Info[Context, None], id: strawberry.ID) -> AuditLog | None:
        entry = await get_audit_log(_account(info), from_global_id("AuditLog", id))
        return AuditLog.from_value(entry, info.context.locale) if entry else None

    @strawberry.field(description="Every catalogue action, for filter menus.")
    def audit_actions(
        self, info: Info[Context, None], locale: str | None = None
    ) -> list[AuditAction]:
        return [AuditAction.from_value(a) for a in list_actions(locale or info.context.locale)]

    @strawberry.field(description="The caller, as its token names it.")
    async def viewer(self, info: Info[Context, None]) -> Viewer:
        return Viewer.from_value(await info.context.roles.principal_with_grants())
