"""The reads of the mixed load: dashboard pages, searches, totals, facets and histograms.

Each call draws a fresh request for one account of the data set, so the load does not
repeat one cached statement: filters, search terms, page sizes, time ranges and time
zones vary the way a dashboard's users vary them. Times are relative to the data
set's end, so a reused data set gets the same windows.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from bench.accounts import Account
from bench.scenarios import PAGE_SELECTION
from bench.weighted import Weighted

PAGE_QUERY = (
    "query Page($filter: AuditLogFilter, $query: String, $first: Int, $after: String, "
    "$orderBy: AuditLogOrder! = NEWEST_FIRST) {\n"
    "  auditLogs(filter: $filter, query: $query, first: $first, after: $after, "
    f"orderBy: $orderBy) {{{PAGE_SELECTION}\n  }}\n}}"
)
TOTAL_QUERY = (
    "query Total($filter: AuditLogFilter, $query: String) {\n"
    "  auditLogs(filter: $filter, query: $query, first: 1) { totalCount }\n}"
)
FACETS_QUERY = (
    "query Facets($fields: [FacetField!]!, $filter: AuditLogFilter, $query: String, "
    "$limit: Int!) {\n"
    "  auditLogFacets(fields: $fields, filter: $filter, query: $query, limit: $limit) "
    "{ field values { value label count } }\n}"
)
HISTOGRAM_QUERY = (
    "query Histogram($interval: HistogramInterval!, $filter: AuditLogFilter, $query: String, "
    "$timeZone: String!) {\n"
    "  auditLogHistogram(interval: $interval, filter: $filter, query: $query, "
    "timeZone: $timeZone) { start count }\n}"
)
PAGE_SIZES = Weighted.of(((50, 8), (20, 1), (100, 1)))
ACTION_FILTERS = ("inbox.*", "conversation.*", "user.sign_in", "webhook.*", "contact.*")
FACET_FIELDS = ("ACTION", "CATEGORY", "ACTOR", "TARGET_TYPE", "IP_ADDRESS")
HISTOGRAMS = (("DAY", 30), ("HOUR", 2), ("WEEK", 90), ("DAY", 7))
TIME_ZONES = ("UTC", "Europe/Berlin", "America/New_York", "Asia/Kolkata")
Variables = dict[str, Any]


class ReadRequests:
    """Draws the variables of each kind of read for an account."""

    def __init__(self, end: dt.datetime) -> None:
        self.end = end

    def page(self, rng: random.Random, account: Account) -> Variables:
        """The newest entries, unfiltered; now and then the oldest first."""
        order = "OLDEST_FIRST" if rng.random() < 0.1 else "NEWEST_FIRST"
        return {"first": PAGE_SIZES.choose(rng), "orderBy": order}

    def page_filtered(self, rng: random.Random, account: Account) -> Variables:
        """A page with one of the dashboard's filters."""
        return {"first": PAGE_SIZES.choose(rng), "filter": self.filter(rng, account)}

    def filter(self, rng: random.Random, account: Account) -> Variables:
        """One of the dashboard's filters (an AuditLogFilter)."""
        user = account.users[min(len(account.users) - 1, int(rng.expovariate(0.3)))]
        draw = rng.randrange(7)
        if draw == 0:
            return {"actions": [rng.choice(ACTION_FILTERS)], "occurredAfter": self._ago(rng)}
        if draw == 1:
            return {"actorIds": [user.id]}
        if draw == 2:
            return {"ipAddresses": [str(account.office)]}
        if draw == 3:
            return {"outcomes": ["FAILURE"], "occurredAfter": self._ago(rng)}
        if draw == 4:
            return {"categories": [rng.choice(("SECURITY", "CONFIGURATION", "ACCESS"))]}
        if draw == 5:
            inbox_id, _ = rng.choice(account.inboxes)
            return {"targetTypes": ["inbox"], "targetIds": [inbox_id]}
        return {"actorTypes": ["API_CLIENT"], "occurredAfter": self._ago(rng)}

    def search(self, rng: random.Random, account: Account) -> Variables:
        """A page for a search: the query language mostly, the filter's words sometimes."""
        user = rng.choice(account.users[:10])
        inbox_id, inbox = rng.choice(account.inboxes)
        texts = (
            f"actor:{user.email}",
            f'actor:"{user.name}" action:conversation.*',
            f"category:security occurred:>={self._day(rng.choice((7, 30)))}",
            f"ip:{account.office} -action:user.sign_in",
            f'"{user.name}"',
            f"target:inbox:{inbox_id}",
            f"action:webhook.* occurred:{self._day(30)}..{self._day(0)}",
            f'"{inbox}" -category:conversations',
        )
        first = PAGE_SIZES.choose(rng)
        if rng.random() < 0.15:
            return {"first": first, "filter": {"search": user.name.lower()}}
        return {"first": first, "query": rng.choice(texts)}

    def total_count(self, rng: random.Random, account: Account) -> Variables:
        """totalCount of everything, of a filter, or of a search."""
        draw = rng.random()
        if draw < 0.4:
            return {}
        if draw < 0.8:
            return {"filter": self.filter(rng, account)}
        return {"query": self.search(rng, account).get("query", "category:security")}

    def facets(self, rng: random.Random, account: Account) -> Variables:
        """Facets of a few fields over the last week or month, sometimes with a query."""
        fields = rng.sample(FACET_FIELDS, rng.randint(1, len(FACET_FIELDS)))
        variables: Variables = {
            "fields": fields,
            "limit": rng.choice((5, 10, 20)),
            "filter": {"occurredAfter": self._ago(rng)},
        }
        if rng.random() < 0.3:
            variables["query"] = rng.choice(("category:security", f"ip:{account.office}"))
        return variables

    def histogram(self, rng: random.Random, account: Account) -> Variables:
        """Counts per hour, day or week over a matching range, in some time zone."""
        interval, days = rng.choice(HISTOGRAMS)
        variables: Variables = {
            "interval": interval,
            "timeZone": rng.choice(TIME_ZONES),
            "filter": {"occurredAfter": _iso(self.end - dt.timedelta(days=days))},
        }
        if rng.random() < 0.3:
            variables["query"] = rng.choice(("category:access", "action:conversation.*"))
        return variables

    def _ago(self, rng: random.Random) -> str:
        return _iso(self.end - dt.timedelta(days=rng.choice((1, 7, 30))))

    def _day(self, days_ago: int) -> str:
        return (self.end - dt.timedelta(days=days_ago)).date().isoformat()


def _iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")
