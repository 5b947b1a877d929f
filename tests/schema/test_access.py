"""Roles x operations over HTTP, and account isolation."""

from __future__ import annotations

from typing import Any

import pytest

from schema.ids import to_global_id
from tests.conftest import GraphQLClient, TokenFactory, error_code
from tests.factories import event, record

LIST = "{ auditLogs(first: 5) { edges { node { id action } } } }"
RECORD = (
    'mutation { recordAuditLogs(input: [{action: "inbox.create", '
    'target: {type: "inbox", id: "5"}}]) { results { id: entryId duplicate } } }'
)
RECORD_FOR_GLOBEX = (
    'mutation { recordAuditLogs(input: [{action: "custom.a_b", accountId: "globex"}]) '
    "{ results { id: entryId } } }"
)
VIEWER = "{ viewer { externalId accountId roles name email } }"
ONE = "query($id: ID!) { auditLog(id: $id) { id action } }"

OPERATIONS = {"list": LIST, "get": ONE, "record": RECORD, "viewer": VIEWER}
EXPECTED = {
    # role: operations it may run (others are FORBIDDEN)
    "admin": {"list", "get", "viewer"},
    "log_viewer": {"list", "get", "viewer"},
    "ingest": {"record", "viewer"},
    "none": {"viewer"},
}
MATRIX = [
    pytest.param(role, operation, operation in allowed, id=f"{role}-{operation}")
    for role, allowed in EXPECTED.items()
    for operation in OPERATIONS
]


@pytest.mark.parametrize(("role", "operation", "allowed"), MATRIX)
async def test_role_may_run_exactly_its_operations(
    db: str, gql: GraphQLClient, make_token: TokenFactory, role: str, operation: str, allowed: bool
) -> None:
    [existing] = await record("acme", event())
    token = make_token(roles=[] if role == "none" else [role])
    status, body = await gql(
        OPERATIONS[operation], {"id": to_global_id("AuditLog", existing.id)}, token
    )
    assert status == 200
    if allowed:
        assert error_code(body) is None, body
    else:
        assert error_code(body) == "FORBIDDEN"
        assert not any((body["data"] or {}).values())


async def test_viewer_shows_the_token_identity(
    gql: GraphQLClient, make_token: TokenFactory
) -> None:
    token = make_token(roles=["log_viewer"], account_id=42, name="Ivy", email="ivy@example.com")
    _, body = await gql(VIEWER, token=token)
    assert body["data"]["viewer"] == {
        "externalId": "user-1",
        "accountId": "42",
        "roles": ["LOG_VIEWER"],
        "name": "Ivy",
        "email": "ivy@example.com",
    }


async def test_reader_sees_only_its_own_account(
    db: str, gql: GraphQLClient, make_token: TokenFactory
) -> None:
    await record("acme", event("inbox.create"))
    await record("globex", event("team.delete"))
    _, acme = await gql(LIST, token=make_token(roles=["log_viewer"], account_id="acme"))
    _, globex = await gql(LIST, token=make_token(roles=["admin"], account_id="globex"))
    assert [e["node"]["action"] for e in acme["data"]["auditLogs"]["edges"]] == ["inbox.create"]
    assert [e["node"]["action"] for e in globex["data"]["auditLogs"]["edges"]] == ["team.delete"]


async def test_id_from_another_account_reads_as_absent(
    db: str, gql: GraphQLClient, make_token: TokenFactory
) -> None:
    _, recorded = await gql(RECORD, token=make_token(roles=["ingest"], account_id="globex"))
    foreign_id = recorded["data"]["recordAuditLogs"]["results"][0]["id"]
    _, body = await gql(ONE, {"id": foreign_id}, make_token(roles=["admin"], account_id="acme"))
    assert body == {"data": {"auditLog": None}}


async def test_malformed_entry_id_is_bad_user_input(
    gql: GraphQLClient, make_token: TokenFactory
) -> None:
    _, body = await gql(ONE, {"id": "not-an-id"}, make_token())
    assert error_code(body) == "BAD_USER_INPUT"
    assert "not-an-id" in body["errors"][0]["message"]


async def test_ingest_token_naming_another_account_is_forbidden(
    db: str, gql: GraphQLClient, make_token: TokenFactory
) -> None:
    query = RECORD_FOR_GLOBEX
    _, body = await gql(query, token=make_token(roles=["ingest"], account_id="acme"))
    assert error_code(body) == "FORBIDDEN"
    _, listed = await gql(LIST, token=make_token(roles=["admin"], account_id="globex"))
    assert listed["data"]["auditLogs"]["edges"] == []


async def test_platform_ingest_token_records_into_the_named_account(
    db: str, gql: GraphQLClient, make_token: TokenFactory
) -> None:
    query = RECORD_FOR_GLOBEX
    _, body = await gql(query, token=make_token(roles=["ingest"], account_id=None))
    assert error_code(body) is None
    _, listed = await gql(LIST, token=make_token(roles=["admin"], account_id="globex"))
    assert [e["node"]["action"] for e in listed["data"]["auditLogs"]["edges"]] == ["custom.a_b"]


RECORD_FULL = """
mutation($input: [AuditLogInput!]!) {
  recordAuditLogs(input: $input) { results { id: entryId duplicate } }
}
"""
READ_FULL = """
query($filter: AuditLogFilter) {
  auditLogs(filter: $filter, first: 10) {
    edges { cursor node {
      id sequence action description outcome failureReason ipAddress userAgent requestId
      occurredAt recordedAt metadata
      actor { type externalId name email } target { type externalId name }
      changes { field before after }
    } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}
"""


async def test_recorded_event_reads_back_through_graphql(
    db: str, gql: GraphQLClient, make_token: TokenFactory
) -> None:
    event_input: dict[str, Any] = {
        "action": "inbox.update",
        "actor": {"type": "USER", "id": "1", "name": "Alice Smith", "email": "alice@example.com"},
        "target": {"type": "inbox", "id": "5", "name": "Support"},
        "changes": [{"field": "name", "before": "Help", "after": "Support"}],
        "metadata": {"source": "settings page"},
        "ipAddress": "203.0.113.7",
        "userAgent": "Mozilla/5.0",
        "requestId": "req-9",
        "occurredAt": "2026-11-01T10:00:00+01:00",
        "idempotencyKey": "evt-1",
    }
    _, recorded = await gql(RECORD_FULL, {"input": [event_input]}, make_token(roles=["ingest"]))
    _, body = await gql(
        READ_FULL, {"filter": {"requestId": "req-9"}}, make_token(roles=["log_viewer"])
    )
    [edge] = body["data"]["auditLogs"]["edges"]
    node = edge["node"]
    assert node["id"] == recorded["data"]["recordAuditLogs"]["results"][0]["id"]
    assert node["description"] == "Alice Smith updated inbox #5 (Support): name"
    assert node["occurredAt"] == "2026-11-01T09:00:00+00:00"
    sent = dict(event_input["actor"])
    assert node["actor"] == {"type": "USER", "externalId": sent.pop("id")} | sent
    assert node["changes"] == event_input["changes"]
    assert node["metadata"] == {"source": "settings page"}
    assert (node["outcome"], node["sequence"], node["ipAddress"]) == ("SUCCESS", "1", "203.0.113.7")
    assert body["data"]["auditLogs"]["pageInfo"]["endCursor"] == edge["cursor"]


async def test_bad_events_report_every_problem_with_its_path(
    db: str, gql: GraphQLClient, make_token: TokenFactory
) -> None:
    events = [{"action": "custom.ok_one"}, {"action": "Bad", "ipAddress": "1.2.3", "metadata": [1]}]
    _, body = await gql(RECORD_FULL, {"input": events}, make_token(roles=["ingest"]))
    [error] = body["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    fields = [p["field"] for p in error["extensions"]["problems"]]
    assert fields == ["input[1].action", "input[1].metadata", "input[1].ipAddress"]
    assert error["message"].startswith('input[1].action: "Bad" is not a dotted')


async def test_malformed_datetime_variable_is_bad_user_input(
    gql: GraphQLClient, make_token: TokenFactory
) -> None:
    _, body = await gql(
        RECORD_FULL,
        {"input": [{"action": "custom.a_b", "occurredAt": "yesterday"}]},
        make_token(roles=["ingest"]),
    )
    assert error_code(body) == "BAD_USER_INPUT"
    assert "occurredAt" in body["errors"][0]["message"]


async def test_page_size_above_maximum_is_bad_user_input(
    gql: GraphQLClient, make_token: TokenFactory
) -> None:
    _, body = await gql("{ auditLogs(first: 101) { edges { cursor } } }", token=make_token())
    assert error_code(body) == "BAD_USER_INPUT"
    assert "between 0 and 100" in body["errors"][0]["message"]
