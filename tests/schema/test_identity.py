"""Ids a normalising client cache can trust: only identities are called `id`."""

from __future__ import annotations

from graphql import GraphQLNonNull, GraphQLObjectType, get_named_type

from schema import build_schema
from tests.conftest import GraphQLClient, TokenFactory

IDENTITIES = {"AuditLog", "RoleGrant", "ApiToken", "AuditLogExport", "AuditLogStream", "Viewer"}
RECORD = """
mutation($input: [AuditLogInput!]!) { recordAuditLogs(input: $input) { results { entryId } } }
"""


def test_only_identity_types_have_an_id_field_and_it_is_a_non_null_id() -> None:
    schema = build_schema()._schema
    with_id = {
        name: kind.fields["id"].type
        for name, kind in schema.type_map.items()
        if isinstance(kind, GraphQLObjectType) and not name.startswith("__") and "id" in kind.fields
    }
    assert set(with_id) == IDENTITIES
    for field_type in with_id.values():
        assert isinstance(field_type, GraphQLNonNull)
        assert get_named_type(field_type).name == "ID"


async def test_targets_sharing_an_external_id_keep_their_own_names(
    gql: GraphQLClient, make_token: TokenFactory
) -> None:
    events = [
        {"action": "custom.a", "target": {"type": "inbox", "id": "2", "name": "Support"}},
        {"action": "custom.b", "target": {"type": "team", "id": "2", "name": "Billing"}},
        {"action": "custom.c", "target": {"type": "inbox", "id": "2", "name": "Help"}},
    ]
    await gql(RECORD, {"input": events}, make_token(roles=["ingest"]))
    query = (
        "{ auditLogs(orderBy: OLDEST_FIRST) "
        "{ edges { node { id target { type externalId name } } } } }"
    )
    _, body = await gql(query, token=make_token())
    nodes = [edge["node"] for edge in body["data"]["auditLogs"]["edges"]]
    assert [node["target"] for node in nodes] == [
        {"type": "inbox", "externalId": "2", "name": "Support"},
        {"type": "team", "externalId": "2", "name": "Billing"},
        {"type": "inbox", "externalId": "2", "name": "Help"},
    ]
    assert len({node["id"] for node in nodes}) == 3


async def test_the_same_subject_in_two_accounts_is_two_viewers(
    gql: GraphQLClient, make_token: TokenFactory
) -> None:
    query = "{ viewer { id externalId } }"
    _, acme = await gql(query, token=make_token(account_id="acme", sub="7"))
    _, globex = await gql(query, token=make_token(account_id="globex", sub="7"))
    assert acme["data"]["viewer"]["externalId"] == globex["data"]["viewer"]["externalId"] == "7"
    assert acme["data"]["viewer"]["id"] != globex["data"]["viewer"]["id"]
