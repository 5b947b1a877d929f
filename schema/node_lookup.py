"""node(id:) and nodes(ids:): any identity of the caller's account by its global id.

Each node type keeps the permission of the field that lists it: audit-log entries need
a reader role, role grants and API tokens the admin role, exports the export
permission. An id of another account, or of nothing, answers null, as `auditLog(id:)`
does.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import strawberry
from strawberry.types import Info

from auth.permissions import (
    CanExportAuditLog,
    CanManageAccess,
    CanManageStreams,
    CanReadAuditLog,
    RolePermission,
)
from resolvers.api_tokens import get_api_token
from resolvers.audit_logs import get_audit_log
from resolvers.errors import ForbiddenError, InvalidInputError
from resolvers.role_grants import get_role_grant
from schema.access_types import ApiToken, RoleGrant
from schema.context import Context
from schema.cost import MAX_NODES
from schema.exports import load_export
from schema.ids import parse_global_id
from schema.node import Node
from schema.streams import load_stream
from schema.types import AuditLog

Loader = Callable[[Info[Context, None], str, int], Awaitable[Node | None]]


async def _audit_log(info: Info[Context, None], account_id: str, local_id: int) -> Node | None:
    entry = await get_audit_log(account_id, local_id)
    return AuditLog.from_value(entry, info.context.locale) if entry else None


async def _role_grant(info: Info[Context, None], account_id: str, local_id: int) -> Node | None:
    row = await get_role_grant(account_id, local_id)
    return RoleGrant.from_model(row, dt.datetime.now(dt.UTC)) if row else None


async def _api_token(info: Info[Context, None], account_id: str, local_id: int) -> Node | None:
    row = await get_api_token(account_id, local_id)
    return ApiToken.from_model(row, dt.datetime.now(dt.UTC)) if row else None


@dataclass(frozen=True)
class NodeKind:
    """How to authorise and load one node type."""

    permission: type[RolePermission]
    load: Loader


KINDS = {
    "AuditLog": NodeKind(CanReadAuditLog, _audit_log),
    "RoleGrant": NodeKind(CanManageAccess, _role_grant),
    "ApiToken": NodeKind(CanManageAccess, _api_token),
    "AuditLogExport": NodeKind(CanExportAuditLog, load_export),
    "AuditLogStream": NodeKind(CanManageStreams, load_stream),
}


async def fetch_node(info: Info[Context, None], global_id: str, argument: str) -> Node | None:
    """The node a global id names in the caller's account, or None."""
    type_name, local_id = parse_global_id(global_id, argument)
    kind = KINDS.get(type_name)
    if kind is None:
        raise InvalidInputError.single(
            argument, f'"{global_id[:80]}" is not the id of a node; pass the id field of an object.'
        )
    permission = kind.permission()
    account_id = info.context.principal.account_id
    if account_id is None or not await permission.has_permission(None, info):
        raise ForbiddenError(permission.message or "Not allowed.")
    return await kind.load(info, account_id, local_id)


@strawberry.type
class NodeQuery:
    @strawberry.field(description="Any object by its global id; null if absent or elsewhere.")
    async def node(self, info: Info[Context, None], id: strawberry.ID) -> Node | None:
        return await fetch_node(info, id, "id")

    @strawberry.field(
        description=f"Objects by their global ids, in order (at most {MAX_NODES}); null "
        "where absent or elsewhere."
    )
    async def nodes(self, info: Info[Context, None], ids: list[strawberry.ID]) -> list[Node | None]:
        if len(ids) > MAX_NODES:
            raise InvalidInputError.single(
                "ids", f"asks for {len(ids)} objects; the limit is {MAX_NODES} per request."
            )
        return [await fetch_node(info, node_id, f"ids[{i}]") for i, node_id in enumerate(ids)]
