"""The static query cost: expensive operations are refused before anything runs."""

from __future__ import annotations

from typing import Any

import graphql
import pytest

from schema import build_schema
from schema.cost import DEFAULT_MAX_COST, create_cost_rule
from tests.conftest import GraphQLClient, TokenFactory, error_code

HISTOGRAM = "auditLogHistogram(interval: DAY) { count }"


SDL = graphql.build_schema(build_schema().as_str())


def validation_errors(query: str, max_page_size: int = 100) -> list[dict[str, Any]]:
    rule = create_cost_rule(DEFAULT_MAX_COST, max_page_size)
    return [dict(e.formatted) for e in graphql.validate(SDL, graphql.parse(query), [rule])]


async def test_many_aliased_histograms_are_refused_with_the_cost_and_limit(
    gql: GraphQLClient, make_token: TokenFactory
) -> None:
    query = "{ " + " ".join(f"h{i}: {HISTOGRAM}" for i in range(15)) + " }"
    _, body = await gql(query, token=make_token())
    assert error_code(body) == "QUERY_TOO_EXPENSIVE"
    error = body["errors"][0]
    assert error["extensions"]["cost"] == 150 and error["extensions"]["limit"] == 100
    assert "auditLogHistogram x15 (150)" in error["message"]
    assert body["data"] is None


async def test_a_dashboard_within_the_limit_runs(
    gql: GraphQLClient, make_token: TokenFactory
) -> None:
    query = (
        "{ auditLogs(first: 50) { totalCount edges { node { action } } } "
        "auditLogFacets(fields: [ACTION, ACTOR]) { field } " + HISTOGRAM + " }"
    )
    _, body = await gql(query, token=make_token())
    assert "errors" not in body


def test_a_page_size_from_a_variable_counts_at_the_maximum_page_size() -> None:
    query = (
        "query($n: Int) { "
        + " ".join(f"a{i}: auditLogs(first: $n) {{ totalCount }}" for i in range(6))
        + " }"
    )
    # Six pages of up to 10,000 rows and six totals: 6 * (1 + 100) + 6 * 5.
    [error] = validation_errors(query, max_page_size=10_000)
    assert error["extensions"] == {"code": "QUERY_TOO_EXPENSIVE", "cost": 636, "limit": 100}


def test_a_variable_with_a_literal_default_counts_at_its_default() -> None:
    query = (
        "query($n: Int = 10) { "
        + " ".join(f"a{i}: auditLogs(first: $n) {{ totalCount }}" for i in range(6))
        + " }"
    )
    assert validation_errors(query, max_page_size=10_000) == []


def test_facet_fields_from_a_variable_count_as_every_field() -> None:
    query = (
        "query($f: [FacetField!]!) { "
        + " ".join(f"f{i}: auditLogFacets(fields: $f) {{ field }}" for i in range(5))
        + " }"
    )
    [error] = validation_errors(query)
    assert error["extensions"]["cost"] == 5 * 5 * 6  # five fields, six facet fields each


@pytest.mark.parametrize(
    "query",
    [
        "query { ...h } fragment h on Query { "
        + " ".join(f"h{i}: {HISTOGRAM}" for i in range(11))
        + " }",
        "query { ... on Query { " + " ".join(f"h{i}: {HISTOGRAM}" for i in range(11)) + " } }",
    ],
    ids=["named-fragment", "inline-fragment"],
)
def test_fields_inside_fragments_are_counted(query: str) -> None:
    [error] = validation_errors(query)
    assert error["extensions"]["cost"] == 110
