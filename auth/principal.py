"""The verified caller: who it is, which account it acts in, which roles it holds."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Role(enum.StrEnum):
    """A role a token can carry."""

    ADMIN = "admin"
    LOG_VIEWER = "log_viewer"
    INGEST = "ingest"


READ_ROLES = frozenset({Role.ADMIN, Role.LOG_VIEWER})


@dataclass(frozen=True)
class Principal:
    """The identity established by a verified token."""

    subject: str
    account_id: str | None
    roles: frozenset[Role]
    name: str | None = None
    email: str | None = None

    @property
    def can_read(self) -> bool:
        """Whether this caller may read its account's audit log."""
        return self.account_id is not None and bool(self.roles & READ_ROLES)

    @property
    def can_record(self) -> bool:
        """Whether this caller may record events."""
        return Role.INGEST in self.roles

    @property
    def is_platform(self) -> bool:
        """Whether this is a platform ingest token, bound to no single account."""
        return self.account_id is None
