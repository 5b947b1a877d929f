"""Hostile and out-of-range input: every refusal is coded, nothing stored breaks a read."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.conftest import GraphQLClient, TokenFactory, error_code, post_escaped
from tests.factories import Change, event, record

RECORD = """
mutation($input: [AuditLogInput!]!) {
  recordAuditLogs(input: $input) { results { id: entryId duplicate } }
}
"""
READ = "{ auditLogs(first: 10) { edges { node { metadata changes { field before after } } } } }"
GRANT = """
mutation($userId: ID!, $note: String) {
  grantRole(input: {userId: $userId, role: LOG_VIEWER, note: $note}) { grant { id } }
}
"""
CREATE_TOKEN = (
    "mutation($name: String!) { createApiToken(input: {name: $name, role: LOG_VIEWER}) { secret } }"
)
ENTRY = "query($id: ID!) { auditLog(id: $id) { id } }"
PAGE_AFTER = "query($after: String) { auditLogs(first: 1, after: $after) { edges { cursor } } }"
SEARCH = "query($q: String) { auditLogs(query: $q) { edges { cursor } } }"


def nested(depth: int, leaf: object = 1) -> object:
    value = leaf
    for _ in range(depth):
        value = {"a": value}
    return value


def custom(**fields: Any) -> dict[str, Any]:
    return {"action": "custom.probe", **fields}


async def count_entries(gql: GraphQLClient, token: str) -> int:
    _, body = await gql("{ auditLogs(first: 100) { edges { cursor } } }", token=token)
    return len(body["data"]["auditLogs"]["edges"])


def big_id(type_name: str) -> str:
    raw = f"{type_name}:{2**64}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


@pytest.mark.parametrize(
    ("fields", "path"),
    [
        (custom(metadata={"x": 18446744073709551616}), "input[0].metadata.x"),
        (custom(metadata={"x": 1e308}), "input[0].metadata.x"),
        (custom(metadata=nested(40)), "input[0].metadata" + ".a" * 32),
        (custom(metadata={"k" * 300: 1}), "input[0].metadata." + "k" * 37 + "..."),
        (custom(changes=[{"field": "seats", "after": 2**60}]), "input[0].changes[0].after"),
        (custom(changes=[{"field": "plan", "before": nested(33)}]), "input[0].changes[0].before"),
        (custom(occurredAt="0001-01-01T00:30:00+01:00"), "Variable '$input'"),
        (custom(occurredAt="9999-12-31T23:59:59-14:00"), "Variable '$input'"),
        (custom(ipAddress="fe80::1%" + "e" * 80), "input[0].ipAddress"),
    ],
    ids=[
        "int-2^64",
        "float-1e308",
        "depth-40",
        "long-key",
        "change-int",
        "change-depth",
        "year-1",
        "year-9999",
        "ipv6-zone",
    ],
)
async def test_unstorable_events_are_refused_naming_the_path(
    gql: GraphQLClient, make_token: TokenFactory, fields: dict[str, Any], path: str
) -> None:
    status, body = await gql(RECORD, {"input": [fields]}, make_token(roles=["ingest"]))
    assert status == 200
    assert error_code(body) == "BAD_USER_INPUT", body
    problems = body["errors"][0]["extensions"].get("problems")
    where = problems[0]["field"] if problems else body["errors"][0]["message"]
    assert where.startswith(path)
    assert await count_entries(gql, make_token()) == 0


@pytest.mark.parametrize(
    "fields",
    [
        custom(metadata={"note": "a\ud800b"}),
        custom(metadata={"a\x00": 1}),
        custom(actor={"type": "USER", "id": "1", "name": "Al\ud800"}),
        custom(userAgent="agent\x00"),
        custom(target={"type": "inbox", "id": "\udfff"}),
    ],
    ids=["surrogate-value", "nul-key", "surrogate-name", "nul-agent", "surrogate-target"],
)
async def test_unstorable_characters_anywhere_are_bad_user_input(
    gql: GraphQLClient, client: httpx.AsyncClient, make_token: TokenFactory, fields: dict[str, Any]
) -> None:
    token = make_token(roles=["ingest"])
    status, body = await post_escaped(client, RECORD, {"input": [fields]}, token)
    assert status == 200
    assert error_code(body) == "BAD_USER_INPUT"
    assert body["errors"][0]["message"].startswith("variables.input[0].")
    assert await count_entries(gql, make_token()) == 0


async def test_metadata_nested_a_thousand_deep_is_refused(
    db: str, client: httpx.AsyncClient, make_token: TokenFactory
) -> None:
    deep = '{"a":' * 1000 + "1" + "}" * 1000
    body = (
        '{"query": '
        + f"{RECORD!r}".replace("'", '"').replace("\n", " ")
        + ', "variables": {"input": [{"action": "custom.probe", "metadata": '
        + deep
        + "}]}}"
    )
    response = await client.post(
        "/graphql",
        content=body.encode(),
        headers={
            "Authorization": f"Bearer {make_token(roles=['ingest'])}",
            "Content-Type": "application/json",
        },
    )
    assert error_code(response.json()) == "BAD_USER_INPUT", response.text[:300]
    assert "deeper than" in response.json()["errors"][0]["message"]


async def test_nul_inside_a_query_literal_is_refused(
    gql: GraphQLClient, make_token: TokenFactory
) -> None:
    query = 'mutation { createApiToken(input: {name: "a\\u0000b", role: LOG_VIEWER}) { secret } }'
    _, body = await gql(query, token=make_token())
    assert error_code(body) == "BAD_USER_INPUT"
    assert "NUL" in body["errors"][0]["message"]


@pytest.mark.parametrize(
    ("query", "variables"),
    [
        (GRANT, {"userId": "u\x001"}),
        (GRANT, {"userId": "7", "note": "\ud800"}),
        (CREATE_TOKEN, {"name": "deploy\x00bot"}),
    ],
    ids=["grant-user-nul", "grant-note-surrogate", "token-name-nul"],
)
async def test_access_changes_with_unstorable_text_are_refused(
    gql: GraphQLClient,
    client: httpx.AsyncClient,
    make_token: TokenFactory,
    query: str,
    variables: dict[str, Any],
) -> None:
    status, body = await post_escaped(client, query, variables, make_token())
    assert (status, error_code(body)) == (200, "BAD_USER_INPUT")
    _, grants = await gql(
        "{ roleGrants(includeInactive: true) { id } apiTokens { id } }", token=make_token()
    )
    assert grants["data"] == {"roleGrants": [], "apiTokens": []}


@pytest.mark.parametrize(
    "claims",
    [{"sub": "user\x00"}, {"account_id": "acme\x00"}, {"sub": "\ud800"}, {"name": "x" * 300}],
    ids=["nul-sub", "nul-account", "surrogate-sub", "long-name"],
)
async def test_tokens_with_unstorable_claims_are_unauthenticated(
    gql: GraphQLClient, make_token: TokenFactory, claims: dict[str, Any]
) -> None:
    status, body = await gql("{ viewer { id } }", token=make_token(**claims))
    assert (status, error_code(body)) == (401, "UNAUTHENTICATED")


@pytest.mark.parametrize(
    ("query", "variables"),
    [
        (ENTRY, {"id": big_id("AuditLog")}),
        (
            "mutation($id: ID!) { revokeApiToken(input: {id: $id}) { apiToken { id } } }",
            {"id": big_id("ApiToken")},
        ),
        (PAGE_AFTER, {"after": base64.urlsafe_b64encode(f"c1:0:{2**64}:x".encode()).decode()}),
        (SEARCH, {"q": "occurred:>=now-99999999w"}),
        (SEARCH, {"q": "occurred:>=now-999999999999d"}),
        (SEARCH, {"q": "occurred:9999-12-31"}),
        (SEARCH, {"q": "occurred:>0001-01-01T00:00:00+01:00"}),
        (SEARCH, {"q": "ip:fe80::1%eth0"}),
    ],
    ids=[
        "entry-id",
        "token-id",
        "cursor-id",
        "weeks",
        "days",
        "last-day",
        "before-year-1",
        "ip-zone",
    ],
)
async def test_out_of_range_read_arguments_are_bad_user_input(
    gql: GraphQLClient, make_token: TokenFactory, query: str, variables: dict[str, Any]
) -> None:
    status, body = await gql(query, variables, make_token())
    assert (status, error_code(body)) == (200, "BAD_USER_INPUT"), body


async def test_invalid_utf8_body_is_bad_user_input(
    db: str, client: httpx.AsyncClient, make_token: TokenFactory
) -> None:
    response = await client.post(
        "/graphql",
        content=b'{"query": "{ viewer { id } }", "variables": {"x": "\xff\xfe"}}',
        headers={"Authorization": f"Bearer {make_token()}", "Content-Type": "application/json"},
    )
    assert response.status_code == 400
    assert error_code(response.json()) == "BAD_USER_INPUT"
    assert "UTF-8" in response.json()["errors"][0]["message"]


async def test_a_query_document_over_the_limit_is_refused(
    db: str, client: httpx.AsyncClient, make_token: TokenFactory
) -> None:
    query = '{ auditLogs(query: "' + "x" * 70_000 + '") { edges { cursor } } }'
    response = await client.post(
        "/graphql", json={"query": query}, headers={"Authorization": f"Bearer {make_token()}"}
    )
    assert response.status_code == 413
    assert error_code(response.json()) == "QUERY_TOO_LARGE"
    assert "variables" in response.json()["errors"][0]["message"]


class TestStoredValuesFromBeforeTheLimits:
    """Values the service accepted before it had limits still read back, exactly."""

    @pytest.fixture(autouse=True)
    def without_limits(self, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
        monkeypatch.setattr("resolvers.event_validation.json_problems", lambda *_: iter(()))
        yield

    async def test_out_of_range_numbers_read_back_with_their_digits(
        self, gql: GraphQLClient, make_token: TokenFactory, client: httpx.AsyncClient
    ) -> None:
        metadata = {"big": 18446744073709551616, "huge": 1e308, "small": -(2**70)}
        change = Change("seats", before=2**64 + 1, after=1.5e300)
        await record("acme", event(metadata=metadata, changes=(change,)))
        response = await client.post(
            "/graphql", json={"query": READ}, headers={"Authorization": f"Bearer {make_token()}"}
        )
        assert response.status_code == 200
        text = response.text
        assert '"big":18446744073709551616' in text
        assert '"small":-1180591620717411303424' in text
        assert '"before":18446744073709551617' in text
        node = response.json()["data"]["auditLogs"]["edges"][0]["node"]
        # PostgreSQL keeps these as exact decimals and answers them as integers.
        assert float(node["metadata"]["huge"]) == 1e308
        assert float(node["changes"][0]["after"]) == 1.5e300

    async def test_deeply_nested_values_read_back_whole(
        self, gql: GraphQLClient, make_token: TokenFactory
    ) -> None:
        deep = nested(300, leaf="bottom")
        await record("acme", event(metadata={"deep": deep}, changes=(Change("f", after=deep),)))
        status, body = await gql(READ, token=make_token())
        assert status == 200
        node = body["data"]["auditLogs"]["edges"][0]["node"]
        assert node["metadata"] == {"deep": deep}
        assert node["changes"][0]["after"] == deep


async def test_a_refused_big_integer_is_quoted_as_it_was_sent(
    gql: GraphQLClient, make_token: TokenFactory
) -> None:
    event = custom(metadata={"x": 18446744073709551616})
    _, body = await gql(RECORD, {"input": [event]}, make_token(roles=["ingest"]))
    assert "18446744073709551616 is outside" in body["errors"][0]["message"]
