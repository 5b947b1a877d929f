"""Permission classes declared on the schema's root fields."""

from __future__ import annotations

from typing import Any

from strawberry.permission import BasePermission
from strawberry.types import Info

from auth.context import RequestContext
from auth.principal import PERMISSIONS, READ_ROLES, Permission, Role

FORBIDDEN = {"code": "FORBIDDEN"}


def _context(info: Info[Any, Any]) -> RequestContext:
    context = info.context
    if not isinstance(context, RequestContext):
        raise TypeError("GraphQL context must be a RequestContext")
    return context


class RolePermission(BasePermission):
    """Allows callers holding any of `roles` (by token or grant), in an account if asked."""

    roles: frozenset[Role] = frozenset()
    needs_account = True
    error_extensions = FORBIDDEN

    async def has_permission(self, source: Any, info: Info[Any, Any], **kwargs: Any) -> bool:
        context = _context(info)
        if self.needs_account and context.principal.account_id is None:
            return False
        return await context.roles.has_any(self.roles)


class CanReadAuditLog(RolePermission):
    """Admins and log viewers of an account may read its audit log."""

    message = "Reading the audit log needs the admin or log_viewer role."
    roles = READ_ROLES


class CanRecordEvents(RolePermission):
    """Ingest tokens may record events, platform tokens for any account."""

    message = "Recording events needs the ingest role."
    roles = frozenset({Role.INGEST})
    needs_account = False


class CanManageAccess(RolePermission):
    """Admins of an account may grant roles and manage its API tokens."""

    message = "Managing access needs the admin role."
    roles = frozenset({Role.ADMIN})


class CanExportAuditLog(RolePermission):
    """Callers with the audit_logs:export permission (admins, log viewers) may export."""

    message = "Exporting needs the audit_logs:export permission (roles admin or log_viewer)."
    roles = frozenset(
        role for role, allowed in PERMISSIONS.items() if Permission.AUDIT_LOGS_EXPORT in allowed
    )


class CanManageStreams(RolePermission):
    """Callers with the streams:manage permission (admins) may configure log streams."""

    message = "Managing log streams needs the streams:manage permission (role admin)."
    roles = frozenset(
        role for role, allowed in PERMISSIONS.items() if Permission.STREAMS_MANAGE in allowed
    )
