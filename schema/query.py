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
from resolvers.filters import AuditLogFilter as FilterValue
from schema.context import Context
from schema.enums import Order
from schema.ids import from_global_id
from schema.inputs import AuditLogFilter
from schema.types import AuditAction, AuditLog, AuditLogConnection, Viewer


def _readers() -> list[FieldExtension]:
    return [PermissionExtension([CanReadAuditLog()], use_directives=False)]


def _account(info: Info[Context, None]) -> str:
    account_id = info.context.principal.account_id
    if account_id is None:  # CanReadAuditLog admits only account-bound tokens
        raise RuntimeError("reader without an account")
    return account_id


@strawberry.type
class AuditLogQuery:
    @strawberry.field(
        extensions=_readers(),
        description="The account's entries, newest first by default, paged by cursor.",
    )
    async def audit_logs(
        self,
        info: Info[Context, None],
        filter_: Annotated[AuditLogFilter | None, strawberry.argument(name="filter")] = None,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        order_by: Order = Order.NEWEST_FIRST,
    ) -> AuditLogConnection:
        page = await list_audit_logs(
            _account(info),
            filter_.to_value() if filter_ else FilterValue(),
            order_by,
            PageRequest(first=first, after=after, last=last, before=before),
            info.context.max_page_size,
        )
        return AuditLogConnection.from_value(page)

    @strawberry.field(
        extensions=_readers(), description="One entry by id; null if absent or elsewhere."
    )
    async def audit_log(self, info: Info[Context, None], id: strawberry.ID) -> AuditLog | None:
        entry = await get_audit_log(_account(info), from_global_id("AuditLog", id))
        return AuditLog.from_value(entry) if entry else None

    @strawberry.field(description="Every catalogue action, for filter menus.")
    def audit_actions(
        self, info: Info[Context, None], locale: str | None = None
    ) -> list[AuditAction]:
        return [AuditAction.from_value(a) for a in list_actions(locale or info.context.locale)]

    @strawberry.field(description="The caller, as its token names it.")
    def viewer(self, info: Info[Context, None]) -> Viewer:
        return Viewer.from_value(info.context.principal)
