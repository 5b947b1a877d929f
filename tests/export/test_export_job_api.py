"""createAuditLogExport, auditLogExports and auditLogExport: who may, what is checked."""

from __future__ import annotations

import datetime as dt
from typing import Any

import graphql
import pytest

from models.access import ApiTokenRole, GrantableRole
from models.export_job import ExportJob
from resolvers.api_tokens import create_api_token
from resolvers.export_jobs import MAX_PENDING
from resolvers.role_grants import GrantRequest, grant_role
from resolvers.self_audit import Acting
from schema import build_schema
from schema.cost import create_cost_rule
from tests.conftest import GraphQLClient, TokenFactory, error_code
from tests.export.conftest import CREATE, create_export, fetch_export

NOW = dt.datetime.now(dt.UTC)
ACME_ADMIN = Acting("acme", "admin-1", "Alice Smith")
SDL = graphql.build_schema(build_schema().as_str())
LIST = "query($first: Int!, $after: ID) { auditLogExports(first: $first, after: $after) { id } }"


async def caller(kind: str, make_token: TokenFactory) -> str:
    """A credential of acme for each kind of caller."""
    if kind == "granted_viewer":
        await grant_role(ACME_ADMIN, GrantRequest("granted", GrantableRole.LOG_VIEWER), NOW)
        return make_token(roles=[], sub="granted")
    if kind in ("api_viewer", "api_ingest"):
        role = ApiTokenRole.LOG_VIEWER if kind == "api_viewer" else ApiTokenRole.INGEST
        secret, _ = await create_api_token(ACME_ADMIN, "script", role, None, NOW)
        return secret
    tokens = {
        "admin": make_token(roles=["admin"], sub="1", name="Alice Smith"),
        "log_viewer": make_token(roles=["log_viewer"], sub="9", name="Ivy Auditor"),
        "ingest": make_token(roles=["ingest"], sub="host"),
        "platform": make_token(roles=["ingest"], account_id=None, sub="platform"),
        "no_role": make_token(roles=[], sub="nobody"),
    }
    return tokens[kind]


@pytest.mark.parametrize("kind", ["admin", "log_viewer", "granted_viewer", "api_viewer"])
async def test_exporters_create_a_queued_export_of_their_account(
    api: GraphQLClient, make_token: TokenFactory, kind: str
) -> None:
    token = await caller(kind, make_token)
    export, body = await create_export(api, token, query="tag:gdpr")
    assert export is not None, body
    assert (export["status"], export["format"], export["query"]) == ("QUEUED", "CSV", "tag:gdpr")
    assert (export["rowsWritten"], export["progress"], export["downloadUrl"]) == ("0", 0.0, None)
    assert export["fileName"].startswith("auditlog-acme-start-to-")
    assert export["fileName"].endswith(".csv.gz")
    row = await ExportJob.get(account_id="acme")
    assert row.created_by_id == export["createdBy"]["externalId"]


@pytest.mark.parametrize("kind", ["ingest", "api_ingest", "platform", "no_role"])
async def test_callers_without_the_export_permission_are_forbidden(
    api: GraphQLClient, make_token: TokenFactory, kind: str
) -> None:
    token = await caller(kind, make_token)
    _, body = await create_export(api, token)
    assert error_code(body) == "FORBIDDEN"
    _, listed = await api(LIST, {"first": 5}, token)
    assert error_code(listed) == "FORBIDDEN"
    assert await ExportJob.all().count() == 0


async def test_the_export_names_its_creator_and_keeps_the_request(
    api: GraphQLClient, admin: str
) -> None:
    export, _ = await create_export(
        api,
        admin,
        format="NDJSON",
        filter={"actions": ["inbox.*"], "occurredAfter": "2026-11-01T00:00:00Z"},
        query="actor:alice",
        orderBy="OLDEST_FIRST",
        locale="de",
        timeZone="Europe/Berlin",
        columns=["id", "action", "description"],
    )
    assert export is not None
    assert export["createdBy"] == {
        "externalId": "1",
        "name": "Alice Smith",
        "email": "alice@example.com",
    }
    assert export["filter"] == {
        "actions": ["inbox.*"],
        "occurredAfter": "2026-11-01T00:00:00+00:00",
    }
    assert (export["orderBy"], export["locale"], export["timeZone"]) == (
        "OLDEST_FIRST",
        "de",
        "Europe/Berlin",
    )
    assert export["columns"] == ["id", "action", "description"]
    assert export["fileName"].startswith("auditlog-acme-20261101-to-")
    assert export["fileName"].endswith(".ndjson.gz")


async def test_long_request_headers_are_kept_clipped_not_refused(
    api: GraphQLClient, admin: str
) -> None:
    response = await api.http.post(
        "/graphql",
        json={"query": CREATE, "variables": {"input": {}}},
        headers={"Authorization": f"Bearer {admin}", "X-Request-Id": "r" * 1000},
    )
    assert response.json()["data"]["createAuditLogExport"]["export"]["status"] == "QUEUED"
    row = await ExportJob.get(account_id="acme")
    assert row.created_request_id == "r" * 255


BAD_INPUT = [
    pytest.param({"filter": {"actions": ["Inbox Create"]}}, "input.filter.actions", id="filter"),
    pytest.param({"filter": {"ipAddresses": ["10.0.0.0/33"]}}, "input.filter", id="address"),
    pytest.param({"query": "acton:inbox.create"}, "input.query", id="query"),
    pytest.param({"query": "occurred:>=now-99999999w"}, "input.query", id="relative-time"),
    pytest.param({"timeZone": "Mars/Olympus_Mons"}, "input.timeZone", id="time-zone"),
    pytest.param({"columns": ["id", "password"]}, "input.columns", id="unknown-column"),
    pytest.param({"format": "NDJSON", "columns": ["actor_name"]}, "input.columns", id="csv-column"),
    pytest.param({"columns": []}, "input.columns", id="no-columns"),
]


@pytest.mark.parametrize(("fields", "path"), BAD_INPUT)
async def test_a_bad_request_is_refused_at_creation_and_queues_nothing(
    api: GraphQLClient, admin: str, fields: dict[str, Any], path: str
) -> None:
    export, body = await create_export(api, admin, **fields)
    assert export is None
    assert error_code(body) == "BAD_USER_INPUT", body
    problems = body["errors"][0]["extensions"]["problems"]
    assert problems[0]["field"].startswith(path), problems
    assert await ExportJob.all().count() == 0


async def test_an_unknown_format_is_refused_by_the_schema(api: GraphQLClient, admin: str) -> None:
    export, body = await create_export(api, admin, format="XLSX")
    assert export is None and error_code(body) == "BAD_USER_INPUT"


async def test_an_account_may_have_only_so_many_exports_waiting(
    api: GraphQLClient, admin: str
) -> None:
    for _ in range(MAX_PENDING):
        export, _ = await create_export(api, admin)
        assert export is not None
    export, body = await create_export(api, admin)
    assert export is None and error_code(body) == "BAD_USER_INPUT"
    assert "wait for one to finish" in body["errors"][0]["message"]


async def test_exports_are_listed_newest_first_in_pages(api: GraphQLClient, admin: str) -> None:
    created = [(await create_export(api, admin))[0] for _ in range(3)]
    ids = [export["id"] for export in created if export]
    _, first = await api(LIST, {"first": 2}, admin)
    page = [export["id"] for export in first["data"]["auditLogExports"]]
    assert page == ids[::-1][:2]
    _, second = await api(LIST, {"first": 2, "after": page[-1]}, admin)
    assert [export["id"] for export in second["data"]["auditLogExports"]] == ids[:1]


@pytest.mark.parametrize("first", [0, 101])
async def test_a_page_size_out_of_range_is_refused(
    api: GraphQLClient, admin: str, first: int
) -> None:
    _, body = await api(LIST, {"first": first}, admin)
    assert error_code(body) == "BAD_USER_INPUT"


async def test_another_accounts_export_is_not_listed_found_or_downloaded(
    api: GraphQLClient, admin: str, make_token: TokenFactory
) -> None:
    export, _ = await create_export(api, admin)
    assert export is not None
    other = make_token(roles=["admin"], account_id="globex", sub="1")
    _, listed = await api(LIST, {"first": 10}, other)
    assert listed["data"]["auditLogExports"] == []
    assert await fetch_export(api, other, export["id"]) is None
    _, node = await api("query($id: ID!) { node(id: $id) { id } }", {"id": export["id"]}, other)
    assert node["data"]["node"] is None
    response = await api.http.get(
        f"/exports/{export['id']}/file", headers={"Authorization": f"Bearer {other}"}
    )
    assert response.status_code == 404
    assert response.json()["errors"][0]["extensions"]["code"] == "NOT_FOUND"


async def test_node_finds_an_export_for_exporters_only(
    api: GraphQLClient, admin: str, make_token: TokenFactory
) -> None:
    export, _ = await create_export(api, admin)
    assert export is not None
    query = "query($id: ID!) { node(id: $id) { id ... on AuditLogExport { status } } }"
    viewer = make_token(roles=["log_viewer"], sub="9")
    _, found = await api(query, {"id": export["id"]}, viewer)
    assert found["data"]["node"] == {"id": export["id"], "status": "QUEUED"}
    _, refused = await api(query, {"id": export["id"]}, make_token(roles=["ingest"]))
    assert error_code(refused) == "FORBIDDEN"


async def test_an_id_of_another_type_is_bad_input(api: GraphQLClient, admin: str) -> None:
    _, body = await api('{ auditLogExport(id: "QXVkaXRMb2c6MQ") { id } }', token=admin)
    assert error_code(body) == "BAD_USER_INPUT"


def test_export_reads_cost_one_each_and_their_fields_nothing() -> None:
    query = (
        "{ auditLogExports { id status progress createdBy { name } } "
        'auditLogExport(id: "x") { id sha256 downloadUrl } }'
    )
    rule = create_cost_rule(2, 100)
    assert graphql.validate(SDL, graphql.parse(query), [rule]) == []
    over = create_cost_rule(1, 100)
    [error] = graphql.validate(SDL, graphql.parse(query), [over])
    assert error.extensions == {"code": "QUERY_TOO_EXPENSIVE", "cost": 2, "limit": 1}
