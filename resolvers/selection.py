"""What a reader asked for: an account, a filter and a query, as one condition."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from models.audit_log_query import Condition, all_of
from resolvers.filters import AuditLogFilter, filter_conditions
from resolvers.query_language import parse_query, query_condition


@dataclass(frozen=True)
class Selection:
    """The entries of one account matching a filter AND a query."""

    account_id: str
    filter: AuditLogFilter = field(default_factory=AuditLogFilter)
    query: str | None = None

    def condition(self, now: dt.datetime | None = None) -> Condition:
        """Return the condition selecting these entries."""
        base = filter_conditions(self.account_id, self.filter)
        if not self.query:
            return base
        terms = parse_query(self.query)
        return all_of(base, query_condition(terms, now or dt.datetime.now(dt.UTC), self.account_id))

    def fingerprint(self) -> str:
        """A stable text form, so cursors can be tied to the selection they came from."""
        return f"{self.filter.fingerprint()}\x00{self.query or ''}"
