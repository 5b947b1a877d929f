"""Endpoint protection: depth, alias, token and body limits; masked errors; the SDL file."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from schema import MAX_ALIASES, build_schema
from schema.errors import MASKED_MESSAGE
from tests.conftest import GraphQLClient, TokenFactory, error_code


async def test_query_with_too_many_aliases_is_refused(
    gql: GraphQLClient, make_token: TokenFactory
) -> None:
    aliases = "".join(f"a{i}: viewer {{ id }} " for i in range(MAX_ALIASES + 1))
    _, body = await gql("{ " + aliases + "}", token=make_token())
    assert error_code(body) == "GRAPHQL_VALIDATION_FAILED"
    assert "aliases" in body["errors"][0]["message"]


async def test_query_within_the_limits_passes_validation(
    gql: GraphQLClient, make_token: TokenFactory
) -> None:
    query = "{ viewer { id } a1: viewer { id } auditLogs { edges { node { actor { name } } } } }"
    _, body = await gql(query, token=make_token(roles=["ingest"]))
    assert error_code(body) == "FORBIDDEN"  # validated, then refused by role, not by limits


async def test_query_deeper_than_the_limit_is_refused(
    gql: GraphQLClient, make_token: TokenFactory
) -> None:
    query = "{ auditLogs { edges { node { " + "actor { " * 9 + "name" + " }" * 9 + " } } } }"
    _, body = await gql(query, token=make_token())
    assert error_code(body) == "GRAPHQL_VALIDATION_FAILED"
    assert "depth" in body["errors"][0]["message"]


async def test_too_many_tokens_are_refused(gql: GraphQLClient, make_token: TokenFactory) -> None:
    query = "{ viewer { " + " ".join(["id"] * 2500) + " } }"
    _, body = await gql(query, token=make_token())
    assert error_code(body) == "GRAPHQL_PARSE_FAILED"
    assert "token" in body["errors"][0]["message"].lower()


async def test_oversized_body_is_refused_with_413(
    client: httpx.AsyncClient, make_token: TokenFactory
) -> None:
    big = {"query": "{ viewer { id } }", "variables": {"pad": "x" * (9 * 1024 * 1024)}}
    response = await client.post(
        "/graphql", json=big, headers={"Authorization": f"Bearer {make_token()}"}
    )
    assert response.status_code == 413
    assert response.json()["errors"][0]["extensions"]["code"] == "PAYLOAD_TOO_LARGE"


async def test_unexpected_errors_are_masked_without_details(
    db: str, gql: GraphQLClient, make_token: TokenFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken(*args: object) -> None:
        raise RuntimeError('relation "audit_log" leaked SQL SELECT * FROM secrets')

    monkeypatch.setattr("schema.query.list_audit_logs", broken)
    _, body = await gql("{ auditLogs { edges { cursor } } }", token=make_token())
    [error] = body["errors"]
    assert error["message"] == MASKED_MESSAGE
    assert error["extensions"] == {"code": "INTERNAL_SERVER_ERROR"}
    assert "SQL" not in str(body)


async def test_syntax_error_has_a_code(gql: GraphQLClient, make_token: TokenFactory) -> None:
    _, body = await gql("{ viewer { id ", token=make_token())
    assert error_code(body) == "GRAPHQL_PARSE_FAILED"


def test_schema_file_matches_the_code() -> None:
    stored = (Path(__file__).parents[2] / "schema" / "schema.graphql").read_text()
    assert stored.strip() == build_schema().as_str().strip(), (
        "run `make schema` and commit the result"
    )
