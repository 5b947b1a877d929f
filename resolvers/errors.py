"""Errors the use cases raise; the schema maps each to a stable `extensions.code`.

Exceptions::

    AuditLogError                 base class; `code` is the client-facing code
    ├── InvalidInputError         BAD_USER_INPUT: the request can be fixed and retried
    ├── ForbiddenError            FORBIDDEN: the caller may not do this
    ├── NotFoundError             NOT_FOUND: nothing with that identity in this account
    └── UnavailableError          SERVICE_UNAVAILABLE: the database is not answering;
                                  the same request may succeed in a few seconds
"""

from __future__ import annotations

from dataclasses import dataclass

from models.database import is_outage

# Seconds a client should wait before retrying after SERVICE_UNAVAILABLE.
RETRY_AFTER_SECONDS = 5


class AuditLogError(Exception):
    """Base class of the errors clients may see."""

    code = "INTERNAL_SERVER_ERROR"

    def extensions(self) -> dict[str, object]:
        """Return the GraphQL `extensions` for this error."""
        return {"code": self.code}


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input: where (a path such as input[3].ipAddress) and what."""

    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"


class InvalidInputError(AuditLogError):
    """The input cannot be used as given; `problems` lists every field at fault."""

    code = "BAD_USER_INPUT"

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        extra = len(problems) - 1
        suffix = f" (and {extra} more problem{'s' * (extra > 1)})" if extra else ""
        super().__init__(f"{problems[0]}{suffix}")

    @classmethod
    def single(cls, field: str, message: str) -> InvalidInputError:
        """Build an error about one field."""
        return cls([Problem(field, message)])

    def extensions(self) -> dict[str, object]:
        problems = [{"field": p.field, "message": p.message} for p in self.problems]
        return {"code": self.code, "problems": problems}


class ForbiddenError(AuditLogError):
    """The caller's token does not allow this."""

    code = "FORBIDDEN"


class NotFoundError(AuditLogError):
    """Nothing with that identity exists in the caller's account."""

    code = "NOT_FOUND"


class UnavailableError(AuditLogError):
    """The database did not answer (refused, dropped, timed out); retry later."""

    code = "SERVICE_UNAVAILABLE"
    retry_after = RETRY_AFTER_SECONDS

    def __init__(self) -> None:
        super().__init__("The database is not answering; retry in a few seconds.")

    @classmethod
    def caused_by(cls, exc: BaseException) -> UnavailableError | None:
        """The error to show for `exc` when it is a database outage, else None."""
        return cls() if is_outage(exc) else None
