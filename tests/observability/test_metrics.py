"""Metrics at /metrics, counted through the in-process HTTP client."""

from __future__ import annotations

import httpx
import pytest

from observability.labels import OperationNames
from tests.app_client import app_client, bearer, metric_value, settings_with
from tests.conftest import GraphQLClient, TokenFactory

RECORD = (
    "mutation Ingest($input: [AuditLogInput!]!) "
    "{ recordAuditLogs(input: $input) { results { id: entryId duplicate } } }"
)
TARGET = {"type": "inbox", "id": "5"}
EVENTS = [
    {"action": "inbox.create", "target": TARGET, "idempotencyKey": "k-1"},
    {"action": "inbox.create", "target": TARGET, "idempotencyKey": "k-2"},
]


async def scrape(client: httpx.AsyncClient) -> str:
    response = await client.get("/metrics")
    assert response.status_code == 200
    return response.text


async def test_requests_are_counted_by_operation_name_and_outcome(
    gql: GraphQLClient, client: httpx.AsyncClient, make_token: TokenFactory
) -> None:
    token = make_token()
    for _ in range(2):
        await gql("query Viewer { viewer { id } }", token=token)
    text = await scrape(client)
    assert metric_value(text, "auditlog_http_requests_total", operation="Viewer", outcome="ok") == 2


async def test_errors_are_counted_by_code(
    gql: GraphQLClient, client: httpx.AsyncClient, make_token: TokenFactory
) -> None:
    await gql("query Listing { auditLogs(first: 5) { totalCount } }", token=make_token(["ingest"]))
    text = await scrape(client)
    assert metric_value(text, "auditlog_errors_total", code="FORBIDDEN") == 1
    assert (
        metric_value(text, "auditlog_http_requests_total", operation="Listing", outcome="FORBIDDEN")
        == 1
    )


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"query": '{ x(a: "' + "y" * 70_000 + '") }'}, "QUERY_TOO_LARGE"),
        ({"query": "{ viewer { id } }", "variables": {"a": "nul\x00"}}, "BAD_USER_INPUT"),
    ],
    ids=["large-document", "unstorable-variable"],
)
async def test_requests_refused_before_graphql_runs_are_counted_by_their_code(
    db: str, client: httpx.AsyncClient, make_token: TokenFactory, body: dict[str, object], code: str
) -> None:
    await client.post("/graphql", json=body, headers={"Authorization": f"Bearer {make_token()}"})
    text = await scrape(client)
    assert metric_value(text, "auditlog_errors_total", code=code) == 1


async def test_unauthenticated_requests_are_counted_as_anonymous(
    gql: GraphQLClient, client: httpx.AsyncClient
) -> None:
    await gql("query Viewer { viewer { id } }", token="not-a-token")
    text = await scrape(client)
    labels = {"operation": "anonymous", "outcome": "UNAUTHENTICATED"}
    assert metric_value(text, "auditlog_http_requests_total", **labels) == 1


async def test_latency_is_observed_per_operation(
    gql: GraphQLClient, client: httpx.AsyncClient, make_token: TokenFactory
) -> None:
    await gql("query Viewer { viewer { id } }", token=make_token())
    text = await scrape(client)
    count = metric_value(text, "auditlog_http_request_duration_seconds_count", operation="Viewer")
    assert count == 1


async def test_recorded_events_batches_and_duplicates_are_counted(
    gql: GraphQLClient, client: httpx.AsyncClient, make_token: TokenFactory
) -> None:
    token = make_token(["ingest"])
    await gql(RECORD, {"input": EVENTS}, token=token)
    await gql(RECORD, {"input": EVENTS[:1]}, token=token)
    text = await scrape(client)
    counted = [
        metric_value(text, name)
        for name in (
            "auditlog_events_recorded_total",
            "auditlog_batches_recorded_total",
            "auditlog_duplicate_events_total",
        )
    ]
    assert counted == [3, 2, 1]


async def test_pool_usage_is_reported_on_postgres_only(db: str, client: httpx.AsyncClient) -> None:
    text = await scrape(client)
    size = metric_value(text, "auditlog_db_pool_size")
    if db == "postgres":
        assert size is not None and size >= 1
        in_use = metric_value(text, "auditlog_db_pool_in_use")
        idle = metric_value(text, "auditlog_db_pool_idle")
        assert in_use is not None and idle is not None and in_use + idle == size
    else:
        assert size is None


@pytest.mark.parametrize(
    ("name", "label"),
    [
        pytest.param(None, "anonymous", id="none"),
        pytest.param("Dashboard", "Dashboard", id="identifier"),
        pytest.param("x" * 65, "other", id="too-long"),
        pytest.param("drop table;", "other", id="not-an-identifier"),
    ],
)
def test_operation_names_become_bounded_labels(name: str | None, label: str) -> None:
    assert OperationNames().label(name) == label


def test_operation_names_beyond_the_limit_count_as_other() -> None:
    names = OperationNames(limit=2)
    labels = [names.label(name) for name in ("A", "B", "C", "A")]
    assert labels == ["A", "B", "other", "A"]


async def test_metrics_need_the_token_when_one_is_configured(db: str) -> None:
    async with app_client(settings_with(metrics_token="scrape-secret")) as client:
        refused = await client.get("/metrics")
        wrong = await client.get("/metrics", headers=bearer("other"))
        allowed = await client.get("/metrics", headers=bearer("scrape-secret"))
    statuses = (refused.status_code, wrong.status_code, allowed.status_code)
    assert statuses == (401, 401, 200)
    assert refused.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_each_app_has_its_own_registry(db: str, make_token: TokenFactory) -> None:
    async with app_client(settings_with()) as first, app_client(settings_with()) as second:
        await first.post(
            "/graphql", json={"query": "{ viewer { id } }"}, headers=bearer(make_token())
        )
        text = (await second.get("/metrics")).text
    assert (
        metric_value(text, "auditlog_http_requests_total", operation="anonymous", outcome="ok")
        is None
    )
