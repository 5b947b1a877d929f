"""Relay's node(id:) and nodes(ids:): any identity of the caller's account, by role."""

from __future__ import annotations

import base64

import pytest

from tests.conftest import GraphQLClient, TokenFactory, error_code

RECORD = """
mutation { recordAuditLogs(input: [{action: "custom.ping"}, {action: "custom.pong"}])
  { results { entryId } } }
"""
GRANT = 'mutation { grantRole(input: {userId: "u-9", role: LOG_VIEWER}) { grant { id } } }'
TOKEN = 'mutation { createApiToken(input: {name: "ci", role: INGEST}) { apiToken { id } } }'
NODE = """
query($id: ID!) {
  node(id: $id) {
    __typename id
    ... on AuditLog { action }
    ... on RoleGrant { role active }
    ... on ApiToken { name }
  }
}
"""
NODES = "query($ids: [ID!]!) { nodes(ids: $ids) { id ... on AuditLog { action } } }"


def global_id(type_name: str, local: int) -> str:
    return base64.urlsafe_b64encode(f"{type_name}:{local}".encode()).decode().rstrip("=")


@pytest.fixture
async def ids(gql: GraphQLClient, make_token: TokenFactory) -> dict[str, str]:
    _, recorded = await gql(RECORD, token=make_token(roles=["ingest"]))
    _, granted = await gql(GRANT, token=make_token())
    _, created = await gql(TOKEN, token=make_token())
    entries = [r["entryId"] for r in recorded["data"]["recordAuditLogs"]["results"]]
    return {
        "ping": entries[0],
        "pong": entries[1],
        "grant": granted["data"]["grantRole"]["grant"]["id"],
        "token": created["data"]["createApiToken"]["apiToken"]["id"],
    }


async def test_node_answers_each_identity_type_for_an_admin(
    gql: GraphQLClient, make_token: TokenFactory, ids: dict[str, str]
) -> None:
    answers = {}
    for name in ("ping", "grant", "token"):
        _, body = await gql(NODE, {"id": ids[name]}, make_token())
        answers[name] = body["data"]["node"]
    assert answers == {
        "ping": {"__typename": "AuditLog", "id": ids["ping"], "action": "custom.ping"},
        "grant": {
            "__typename": "RoleGrant",
            "id": ids["grant"],
            "role": "LOG_VIEWER",
            "active": True,
        },
        "token": {"__typename": "ApiToken", "id": ids["token"], "name": "ci"},
    }


async def test_a_log_viewer_reads_entry_nodes_but_not_access_records(
    gql: GraphQLClient, make_token: TokenFactory, ids: dict[str, str]
) -> None:
    viewer = make_token(roles=["log_viewer"])
    _, entry = await gql(NODE, {"id": ids["pong"]}, viewer)
    _, grant = await gql(NODE, {"id": ids["grant"]}, viewer)
    assert entry["data"]["node"]["action"] == "custom.pong"
    assert (grant["data"], error_code(grant)) == ({"node": None}, "FORBIDDEN")


async def test_an_ingest_token_reads_no_node(
    gql: GraphQLClient, make_token: TokenFactory, ids: dict[str, str]
) -> None:
    _, body = await gql(NODE, {"id": ids["ping"]}, make_token(roles=["ingest"]))
    assert error_code(body) == "FORBIDDEN"


async def test_another_accounts_node_is_null_like_an_absent_one(
    gql: GraphQLClient, make_token: TokenFactory, ids: dict[str, str]
) -> None:
    other = make_token(account_id="globex")
    _, foreign = await gql(NODE, {"id": ids["grant"]}, other)
    _, absent = await gql(NODE, {"id": global_id("AuditLog", 999)}, make_token())
    assert foreign == absent == {"data": {"node": None}}


@pytest.mark.parametrize(
    "bad",
    ["not-an-id", global_id("Viewer", 1), global_id("Nothing", 1), global_id("AuditLog", 2**64)],
    ids=["garbage", "not-a-node-type", "unknown-type", "beyond-64-bits"],
)
async def test_ids_that_name_no_node_are_bad_user_input(
    gql: GraphQLClient, make_token: TokenFactory, bad: str
) -> None:
    _, body = await gql(NODE, {"id": bad}, make_token())
    assert error_code(body) == "BAD_USER_INPUT"
    assert body["errors"][0]["extensions"]["problems"][0]["field"] == "id"


async def test_nodes_answers_in_order_with_null_for_the_absent(
    gql: GraphQLClient, make_token: TokenFactory, ids: dict[str, str]
) -> None:
    asked = [ids["pong"], global_id("AuditLog", 999), ids["ping"]]
    _, body = await gql(NODES, {"ids": asked}, make_token(roles=["log_viewer"]))
    assert body["data"]["nodes"] == [
        {"id": ids["pong"], "action": "custom.pong"},
        None,
        {"id": ids["ping"], "action": "custom.ping"},
    ]


async def test_nodes_refuses_more_than_a_hundred_ids(
    gql: GraphQLClient, make_token: TokenFactory
) -> None:
    many = [global_id("AuditLog", n) for n in range(1, 102)]
    _, body = await gql(NODES, {"ids": many}, make_token())
    assert error_code(body) == "BAD_USER_INPUT"
    assert "100" in body["errors"][0]["message"]
