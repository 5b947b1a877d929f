"""The read requests the benchmark times: dashboard pages, and the extensions beside them.

A scenario is one GraphQL request body. Dashboard pages are `auditLogs(first: 50)` on the
hot account with one common filter each. Extensions (totalCount, facets, histogram)
are measured the same way when the schema has the field they name in `requires`, and
reported as skipped otherwise; add a new read to the benchmark by appending a
`ReadScenario` to `extension_scenarios`.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any

from bench.generate import Dataset

PAGE_SIZE = 50
PAGE_SELECTION = """
    edges { cursor node {
      id sequence action description outcome failureReason
      actor { type externalId name email } target { type externalId name }
      changes { field before after } metadata
      ipAddress userAgent requestId occurredAt recordedAt
    } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }"""
PAGE_QUERY = (
    "query Page($filter: AuditLogFilter, $after: String) {\n"
    f"  auditLogs(filter: $filter, first: {PAGE_SIZE}, after: $after, orderBy: NEWEST_FIRST) {{"
    f"{{extra}}{PAGE_SELECTION}\n  }}\n}}"
)


@dataclass(frozen=True)
class ReadScenario:
    """One read request: its GraphQL document and variables."""

    name: str
    query: str
    variables: dict[str, Any] = field(default_factory=dict)
    requires: str | None = None  # "Type.field" the schema must have, else skipped
    is_page: bool = True  # answers with an auditLogs page (its floor builds the same JSON)

    def body(self, after: str | None = None) -> bytes:
        """The request body, optionally for the page after a cursor."""
        variables = dict(self.variables)
        if after is not None:
            variables["after"] = after
        return json.dumps({"query": self.query, "variables": variables}).encode()


def page(name: str, flt: dict[str, Any] | None = None, extra: str = "") -> ReadScenario:
    """A dashboard page: newest 50 entries matching `flt` (GraphQL AuditLogFilter fields)."""
    requires = "AuditLogConnection." + extra if extra else None
    query = PAGE_QUERY.replace("{extra}", f"\n    {extra}" if extra else "")
    return ReadScenario(name, query, {"filter": flt} if flt else {}, requires)


def _iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def dashboard_scenarios(dataset: Dataset) -> list[ReadScenario]:
    """The dashboard's first page, unfiltered and with each common filter, on the hot account."""
    hot, end = dataset.hot, dataset.end
    actor = hot.users[5]  # a regular, not the busiest, user
    first, last = actor.name.lower().split(" ", 1)
    return [
        page("unfiltered"),
        page(
            "action_prefix_time_range",
            {
                "actions": ["inbox.*"],
                "occurredAfter": _iso(end - dt.timedelta(days=30)),
                "occurredBefore": _iso(end - dt.timedelta(days=7)),
            },
        ),
        page("actor", {"actorIds": [actor.id]}),
        page("ip_cidr", {"ipAddresses": [str(hot.office)]}),
        page("search", {"search": f"{first} {last}"}),
    ]


def extension_scenarios(dataset: Dataset) -> list[ReadScenario]:
    """Reads beyond the page: totalCount, facets and the histogram of the last 30 days."""
    since = {"occurredAfter": _iso(dataset.end - dt.timedelta(days=30))}
    return [
        page("total_count", extra="totalCount"),
        page("total_count_search", {"search": dataset.hot.users[5].name}, extra="totalCount"),
        ReadScenario(
            "facets",
            "query Facets($filter: AuditLogFilter) {\n"
            "  auditLogFacets(fields: [ACTION, CATEGORY, ACTOR, TARGET_TYPE, IP_ADDRESS], "
            "filter: $filter, limit: 10) { field values { value label count } }\n}",
            {"filter": since},
            requires="Query.auditLogFacets",
            is_page=False,
        ),
        ReadScenario(
            "histogram",
            "query Histogram($filter: AuditLogFilter) {\n"
            "  auditLogHistogram(interval: DAY, filter: $filter) { start count }\n}",
            {"filter": since},
            requires="Query.auditLogHistogram",
            is_page=False,
        ),
    ]


SCHEMA_FIELDS_QUERY = json.dumps(
    {"query": "{ __schema { types { name fields { name } } } }"}
).encode()


def schema_fields(introspection: dict[str, Any]) -> set[str]:
    """The "Type.field" names of an introspection answer."""
    return {
        f"{kind['name']}.{item['name']}"
        for kind in introspection["data"]["__schema"]["types"]
        for item in kind.get("fields") or ()
    }
