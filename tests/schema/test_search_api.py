"""Search, facets, histogram and totalCount over GraphQL, within the caller's account."""

from __future__ import annotations

import datetime as dt

from tests.conftest import GraphQLClient, TokenFactory, error_code
from tests.factories import Target, event, record

START = dt.datetime(2026, 11, 2, 9, tzinfo=dt.UTC)
SEARCH = """query($query: String, $after: String) {
  auditLogs(query: $query, first: 2, after: $after) {
    totalCount edges { node { action } } pageInfo { hasNextPage endCursor }
  }
}"""
FACETS = """query($query: String) {
  auditLogFacets(fields: [ACTION, CATEGORY, ACTOR], query: $query, limit: 5) {
    field values { value label count }
  }
}"""
HISTOGRAM = """query($zone: String!) {
  auditLogHistogram(interval: DAY, timeZone: $zone, filter: {
    occurredAfter: "2026-11-02T00:00:00Z", occurredBefore: "2026-11-05T00:00:00Z"}) {
    start count
  }
}"""


async def seed() -> None:
    await record(
        "acme",
        *[event("inbox.update", occurred_at=START + dt.timedelta(hours=h)) for h in range(3)],
        event(
            "webhook.delete",
            occurred_at=START + dt.timedelta(days=2),
            target=Target("webhook", "9"),
        ),
    )
    await record("globex", event("inbox.update", occurred_at=START))


async def test_search_pages_with_a_total(
    db: str, gql: GraphQLClient, make_token: TokenFactory
) -> None:
    await seed()
    token = make_token(roles=["log_viewer"])
    _, first = await gql(SEARCH, {"query": "action:inbox.*"}, token)
    connection = first["data"]["auditLogs"]
    assert connection["totalCount"] == "3" and connection["pageInfo"]["hasNextPage"]
    after = connection["pageInfo"]["endCursor"]
    _, second = await gql(SEARCH, {"query": "action:inbox.*", "after": after}, token)
    assert [e["node"]["action"] for e in second["data"]["auditLogs"]["edges"]] == ["inbox.update"]


async def test_query_mistake_is_bad_user_input_with_the_column(
    db: str, gql: GraphQLClient, make_token: TokenFactory
) -> None:
    _, body = await gql(SEARCH, {"query": "acton:inbox.create"}, make_token())
    assert error_code(body) == "BAD_USER_INPUT"
    assert body["errors"][0]["message"] == (
        'query: unknown qualifier "acton:" at column 1; did you mean "action:"?'
    )


async def test_facets_count_the_callers_account_only(
    db: str, gql: GraphQLClient, make_token: TokenFactory
) -> None:
    await seed()
    _, body = await gql(FACETS, {}, make_token(roles=["log_viewer"]))
    by_field = {f["field"]: f["values"] for f in body["data"]["auditLogFacets"]}
    assert by_field["ACTION"] == [
        {"value": "inbox.update", "label": "Inbox updated", "count": "3"},
        {"value": "webhook.delete", "label": "Webhook deleted", "count": "1"},
    ]
    assert by_field["CATEGORY"][0] == {
        "value": "CONFIGURATION",
        "label": "Configuration",
        "count": "3",
    }
    assert by_field["ACTOR"] == [{"value": "1", "label": "Alice Smith", "count": "4"}]
    _, other = await gql(FACETS, {}, make_token(roles=["admin"], account_id="initech"))
    assert all(f["values"] == [] for f in other["data"]["auditLogFacets"])


async def test_histogram_counts_per_day_in_the_time_zone(
    db: str, gql: GraphQLClient, make_token: TokenFactory
) -> None:
    await seed()
    _, body = await gql(HISTOGRAM, {"zone": "America/New_York"}, make_token(roles=["log_viewer"]))
    buckets = body["data"]["auditLogHistogram"]
    assert [b["start"] for b in buckets] == [
        "2026-11-01T00:00:00-04:00",
        "2026-11-02T00:00:00-05:00",
        "2026-11-03T00:00:00-05:00",
        "2026-11-04T00:00:00-05:00",
    ]
    assert [b["count"] for b in buckets] == ["0", "3", "0", "1"]


async def test_unknown_time_zone_is_bad_user_input(
    gql: GraphQLClient, make_token: TokenFactory
) -> None:
    _, body = await gql(HISTOGRAM, {"zone": "Europe/Atlantis"}, make_token())
    assert error_code(body) == "BAD_USER_INPUT"
    assert "Europe/Atlantis" in body["errors"][0]["message"]


TAGGED_RECORD = """mutation($input: [AuditLogInput!]!) {
  recordAuditLogs(input: $input) { results { entryId } }
}"""
TAGGED_READ = """query($filter: AuditLogFilter, $query: String) {
  auditLogs(filter: $filter, query: $query, first: 10) { edges { node { tags metadata } } }
  auditLogFacets(fields: [TAG], filter: $filter, query: $query) { field values { value count } }
}"""


async def test_tags_and_metadata_record_filter_and_count_over_graphql(
    db: str, gql: GraphQLClient, make_token: TokenFactory
) -> None:
    events = [
        {"action": "custom.export", "tags": ["gdpr", "billing"], "metadata": {"plan": "pro"}},
        {"action": "custom.export", "tags": ["billing"], "metadata": {"plan": "free"}},
        {"action": "custom.export", "metadata": {"plan": "pro"}},
    ]
    _, recorded = await gql(TAGGED_RECORD, {"input": events}, make_token(roles=["ingest"]))
    assert error_code(recorded) is None, recorded
    viewer = make_token(roles=["log_viewer"])
    _, body = await gql(TAGGED_READ, {"filter": {"tags": ["billing"]}}, viewer)
    assert [e["node"]["tags"] for e in body["data"]["auditLogs"]["edges"]] == [
        ["billing"],
        ["gdpr", "billing"],
    ]
    assert body["data"]["auditLogFacets"] == [
        {
            "field": "TAG",
            "values": [{"value": "billing", "count": "2"}, {"value": "gdpr", "count": "1"}],
        }
    ]
    _, body = await gql(
        TAGGED_READ,
        {"filter": {"metadata": [{"key": "plan", "value": "pro"}]}, "query": "-tag:gdpr"},
        viewer,
    )
    assert [e["node"] for e in body["data"]["auditLogs"]["edges"]] == [
        {"tags": [], "metadata": {"plan": "pro"}}
    ]


async def test_a_bad_tag_is_refused_naming_the_event_and_tag(
    db: str, gql: GraphQLClient, make_token: TokenFactory
) -> None:
    events = [{"action": "custom.export", "tags": ["ok", "Billing"]}]
    _, body = await gql(TAGGED_RECORD, {"input": events}, make_token(roles=["ingest"]))
    assert error_code(body) == "BAD_USER_INPUT"
    assert body["errors"][0]["extensions"]["problems"] == [
        {"field": "input[0].tags[1]", "message": '"Billing" is not a tag; write "billing".'}
    ]
