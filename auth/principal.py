"""The verified caller: who it is, which account it acts in, which roles it holds."""

from __future__ import annotations

import enum
from dataclasses import dataclass, replace


class Role(enum.StrEnum):
    """A role a token can carry."""

    ADMIN = "admin"
    LOG_VIEWER = "log_viewer"
    INGEST = "ingest"


READ_ROLES = frozenset({Role.ADMIN, Role.LOG_VIEWER})


class Permission(enum.StrEnum):
    """Something a caller may do, as a frontend checks it."""

    AUDIT_LOGS_READ = "audit_logs:read"
    AUDIT_LOGS_EXPORT = "audit_logs:export"
    ROLES_MANAGE = "roles:manage"
    TOKENS_MANAGE = "tokens:manage"
    EVENTS_RECORD = "events:record"
    STREAMS_MANAGE = "streams:manage"


# What each role lets a caller do.
PERMISSIONS = {
    Role.ADMIN: (
        Permission.AUDIT_LOGS_READ,
        Permission.AUDIT_LOGS_EXPORT,
        Permission.ROLES_MANAGE,
        Permission.TOKENS_MANAGE,
        Permission.STREAMS_MANAGE,
    ),
    Role.LOG_VIEWER: (Permission.AUDIT_LOGS_READ, Permission.AUDIT_LOGS_EXPORT),
    Role.INGEST: (Permission.EVENTS_RECORD,),
}


@dataclass(frozen=True)
class Principal:
    """The identity established by a verified token."""

    subject: str
    account_id: str | None
    roles: frozenset[Role]
    name: str | None = None
    email: str | None = None
    # API tokens carry exactly their own role; grants belong to users.
    via_api_token: bool = False

    @property
    def permissions(self) -> list[Permission]:
        """The sorted permission names the caller's roles give."""
        return sorted({name for role in self.roles for name in PERMISSIONS[role]})

    def with_roles(self, extra: frozenset[Role]) -> Principal:
        """Return this principal holding `extra` roles too."""
        return replace(self, roles=self.roles | extra)

    @property
    def is_platform(self) -> bool:
        """Whether this is a platform ingest token, bound to no single account."""
        return self.account_id is None
