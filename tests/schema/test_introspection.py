"""AUDITLOG_INTROSPECTION=0 refuses __schema and __type, and nothing else."""

from __future__ import annotations

import pytest

from tests.app_client import app_client, bearer, settings_with
from tests.conftest import GraphQLClient, TokenFactory, error_code

SCHEMA = "{ __schema { queryType { name } } }"
TYPE = '{ __type(name: "AuditLog") { name } }'


@pytest.mark.parametrize("query", [SCHEMA, TYPE], ids=["schema", "type"])
async def test_introspection_is_refused_when_disabled(
    db: str, make_token: TokenFactory, query: str
) -> None:
    async with app_client(settings_with(introspection=False)) as client:
        response = await client.post(
            "/graphql", json={"query": query}, headers=bearer(make_token())
        )
    body = response.json()
    assert error_code(body) == "GRAPHQL_VALIDATION_FAILED"
    assert "introspection has been disabled" in body["errors"][0]["message"]


async def test_typename_still_works_when_introspection_is_disabled(
    db: str, make_token: TokenFactory
) -> None:
    async with app_client(settings_with(introspection=False)) as client:
        response = await client.post(
            "/graphql", json={"query": "{ __typename }"}, headers=bearer(make_token())
        )
    assert response.json() == {"data": {"__typename": "Query"}}


async def test_introspection_is_answered_by_default(
    gql: GraphQLClient, make_token: TokenFactory
) -> None:
    status, body = await gql(SCHEMA, token=make_token())
    assert (status, body["data"]["__schema"]["queryType"]["name"]) == (200, "Query")
