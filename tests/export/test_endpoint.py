"""GET/POST /export: every format equals the GraphQL answer; roles, accounts and bad input."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import json
import random
from typing import Any

import httpx
import pytest

from models.audit_log import ActorType, Outcome
from resolvers.entries import Actor, Change, Target
from resolvers.event_validation import NewEvent
from settings import Settings
from tests.conftest import GraphQLClient, TokenFactory, app_client
from tests.factories import record

START = dt.datetime(2026, 7, 1, tzinfo=dt.UTC)
NAMES = ["Alice Smith", '=HYPERLINK("http://x")', "+49 30 1234", "-1", "@admin", "\tTab", "Zoë"]
ACTIONS = ["inbox.update", "team.delete", "user.sign_in", "custom.rotate_key", "webhook.create"]
NODE = """
id sequence occurredAt action category description outcome failureReason ipAddress userAgent
requestId recordedAt metadata tags actor { type externalId name email }
target { type externalId name } changes { field before after }
"""
PAGE = (
    "query($after: String, $filter: AuditLogFilter, $query: String) { auditLogs(first: 100, "
    f"after: $after, filter: $filter, query: $query) {{ edges {{ node {{ {NODE} }} }} "
    "pageInfo { hasNextPage endCursor } } }"
)
EXPORTED_FIRST = "-action:audit_log.*"


def varied_events(count: int, seed: int) -> list[NewEvent]:
    """Events with every kind of value a file must carry exactly, some sharing a moment."""
    rng = random.Random(seed)
    events = []
    for n in range(count):
        action = rng.choice(ACTIONS)
        failed = action == "user.sign_in" and rng.random() < 0.3
        person = Actor(ActorType.USER, str(rng.randint(1, 9)), rng.choice(NAMES), "a@example.com")
        others = [Actor(ActorType.API_CLIENT, "zap", "Zapier, Inc."), Actor(ActorType.SYSTEM)]
        events.append(
            NewEvent(
                action=action,
                actor=person if action == "user.sign_in" else rng.choice([person, *others]),
                target=None
                if action.startswith(("user.", "custom."))
                else Target(action.split(".")[0], str(rng.randint(1, 99)), f'Desk "{n}"\nnext'),
                changes=(Change("name", 'Old, "quoted"', {"deep": [1, 2.5, None, "ü"]}),)
                if action.endswith("update")
                else (),
                metadata={"n": n, "note": rng.choice(["", "a,b", "line\nbreak", "=1+1"])},
                tags=tuple(rng.sample(["gdpr", "billing", "ops"], k=rng.randint(0, 2))),
                outcome=Outcome.FAILURE if failed else Outcome.SUCCESS,
                failure_reason="wrong password" if failed else None,
                ip_address=rng.choice([None, "203.0.113.7", "2001:db8::1"]),
                user_agent=rng.choice([None, "Mozilla/5.0 (X11; Linux)", 'curl/8, "custom"']),
                request_id=f"req-{n}",
                occurred_at=START + dt.timedelta(seconds=rng.randrange(0, 90 * 86400, 60)),
            )
        )
    return events


async def graphql_nodes(
    gql: GraphQLClient, token: str, filter_: dict[str, Any] | None, query: str | None
) -> list[dict[str, Any]]:
    """Every matching entry as the API answers it, page after page."""
    nodes: list[dict[str, Any]] = []
    after = None
    while True:
        variables = {"after": after, "filter": filter_, "query": query}
        status, body = await gql(PAGE, variables, token)
        assert status == 200 and "errors" not in body, body
        connection = body["data"]["auditLogs"]
        nodes += [edge["node"] for edge in connection["edges"]]
        if not connection["pageInfo"]["hasNextPage"]:
            return nodes
        after = connection["pageInfo"]["endCursor"]


def as_csv_row(node: dict[str, Any], zone: str = "UTC") -> dict[str, str]:
    """What the CSV row of an API node must say (written here independently of the export)."""
    from zoneinfo import ZoneInfo

    actor, target = node["actor"], node["target"] or {}
    occurred = dt.datetime.fromisoformat(node["occurredAt"])
    row = {
        "id": node["id"],
        "sequence": node["sequence"],
        "occurred_at": node["occurredAt"],
        "occurred_at_local": occurred.astimezone(ZoneInfo(zone)).isoformat(),
        "action": node["action"],
        "category": node["category"] or "",
        "description": node["description"],
        "actor_type": actor["type"],
        "actor_id": actor["externalId"] or "",
        "actor_name": actor["name"] or "",
        "actor_email": actor["email"] or "",
        "target_type": target.get("type") or "",
        "target_id": target.get("externalId") or "",
        "target_name": target.get("name") or "",
        "tags": " ".join(node["tags"]),
        "outcome": node["outcome"],
        "failure_reason": node["failureReason"] or "",
        "ip_address": node["ipAddress"] or "",
        "user_agent": node["userAgent"] or "",
        "request_id": node["requestId"] or "",
        "recorded_at": node["recordedAt"],
    }
    return {k: "'" + v if v[:1] in ("=", "+", "-", "@", "\t", "\r") else v for k, v in row.items()}


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
async def log(db: str) -> list[NewEvent]:
    """Five thousand varied entries in acme, and a few in globex."""
    events = varied_events(5000, seed=5)
    for start in range(0, len(events), 1000):
        await record("acme", *events[start : start + 1000])
    await record("globex", *varied_events(20, seed=6))
    return events


async def test_every_format_equals_the_graphql_answer(
    log: list[NewEvent], gql: GraphQLClient, client: httpx.AsyncClient, make_token: TokenFactory
) -> None:
    token = make_token(roles=["log_viewer"])
    nodes = await graphql_nodes(gql, token, None, EXPORTED_FIRST)
    assert len(nodes) == 5000
    params = {"query": EXPORTED_FIRST}
    ndjson = await client.get("/export", params={**params, "format": "ndjson"}, headers=auth(token))
    assert ndjson.status_code == 200, ndjson.text
    assert ndjson.headers["content-type"] == "application/x-ndjson"
    assert [json.loads(line) for line in ndjson.text.splitlines()] == nodes
    whole = await client.get("/export", params={**params, "format": "json"}, headers=auth(token))
    assert whole.json() == nodes
    table = await client.get("/export", params={**params, "format": "csv"}, headers=auth(token))
    assert table.headers["content-type"] == "text/csv; charset=utf-8"
    rows = list(csv.DictReader(io.StringIO(table.text, newline="")))
    assert len(rows) == 5000
    for row, node in zip(rows, nodes, strict=True):
        assert json.loads(row.pop("changes")) == node["changes"]
        assert json.loads(row.pop("metadata")) == node["metadata"]
        assert row == as_csv_row(node)


async def test_a_filter_and_query_select_the_same_entries_as_the_api(
    log: list[NewEvent], gql: GraphQLClient, client: httpx.AsyncClient, make_token: TokenFactory
) -> None:
    token = make_token(roles=["admin"])
    filter_ = {"tags": ["gdpr"], "occurredAfter": "2026-08-01T00:00:00Z"}
    query = "action:inbox.* -actor:zap"
    nodes = await graphql_nodes(gql, token, filter_, query)
    assert 0 < len(nodes) < 5000
    response = await client.post(
        "/export",
        json={"format": "ndjson", "filter": filter_, "query": query, "order": "OLDEST_FIRST"},
        headers=auth(token),
    )
    assert [json.loads(line) for line in response.text.splitlines()] == nodes[::-1]
    disposition = response.headers["content-disposition"]
    assert disposition.startswith('attachment; filename="auditlog-acme-20260801-to-2')
    assert disposition.endswith('.ndjson"')


async def test_formula_cells_are_neutralised_and_everything_else_is_kept(
    db: str, client: httpx.AsyncClient, make_token: TokenFactory
) -> None:
    await record(
        "acme",
        NewEvent(
            action="custom.note",
            actor=Actor(ActorType.USER, "-7", "=cmd|' /C calc'!A0", "@evil.example"),
            user_agent="+SUM(1,2)",
            request_id="\rreq",
            occurred_at=START,
        ),
    )
    response = await client.get(
        "/export",
        params={"format": "csv", "columns": "actor_id,actor_name,user_agent,request_id"},
        headers=auth(make_token(roles=["log_viewer"])),
    )
    rows = list(csv.reader(io.StringIO(response.text, newline="")))
    assert rows == [
        ["actor_id", "actor_name", "user_agent", "request_id"],
        ["'-7", "'=cmd|' /C calc'!A0", "'+SUM(1,2)", "'\rreq"],
    ]


async def test_columns_choose_and_order_the_fields_and_bom_serves_spreadsheets(
    log: list[NewEvent], client: httpx.AsyncClient, make_token: TokenFactory
) -> None:
    token = make_token(roles=["log_viewer"])
    table = await client.get(
        "/export",
        params={"format": "csv", "columns": "sequence,action", "bom": "true", "query": "tag:ops"},
        headers=auth(token),
    )
    assert table.content.startswith("\ufeffsequence,action\r\n".encode())
    lines = await client.get(
        "/export",
        params={"format": "ndjson", "columns": "tags,sequence", "query": "tag:ops"},
        headers=auth(token),
    )
    first = json.loads(lines.text.splitlines()[0])
    assert list(first) == ["tags", "sequence"] and "ops" in first["tags"]


async def test_local_time_column_follows_the_asked_zone(
    db: str, client: httpx.AsyncClient, make_token: TokenFactory
) -> None:
    await record("acme", NewEvent(action="custom.note", occurred_at=START))
    response = await client.get(
        "/export",
        params={"columns": "occurred_at,occurred_at_local", "timeZone": "America/New_York"},
        headers=auth(make_token(roles=["log_viewer"])),
    )
    assert response.text.splitlines()[1] == ("2026-07-01T00:00:00+00:00,2026-06-30T20:00:00-04:00")


async def test_an_export_never_shows_another_accounts_entries(
    log: list[NewEvent], client: httpx.AsyncClient, make_token: TokenFactory
) -> None:
    token = make_token(roles=["admin"], account_id="globex")
    response = await client.get("/export", params={"format": "ndjson"}, headers=auth(token))
    lines = [json.loads(line) for line in response.text.splitlines()]
    assert len(lines) == 20
    assert {line["requestId"] for line in lines} == {f"req-{n}" for n in range(20)}


@pytest.mark.parametrize(
    ("claims", "status", "code"),
    [
        ({"roles": ["ingest"]}, 403, "FORBIDDEN"),
        ({"roles": ["ingest"], "account_id": None}, 403, "FORBIDDEN"),
        ({"roles": []}, 403, "FORBIDDEN"),
    ],
    ids=["ingest", "platform-ingest", "no-role"],
)
async def test_only_callers_with_the_export_permission_may_export(
    db: str,
    client: httpx.AsyncClient,
    make_token: TokenFactory,
    claims: dict[str, Any],
    status: int,
    code: str,
) -> None:
    response = await client.get("/export", headers=auth(make_token(**claims)))
    assert response.status_code == status
    assert response.json()["errors"][0]["extensions"]["code"] == code


async def test_an_export_without_a_token_is_unauthenticated_even_from_a_browser(
    db: str, client: httpx.AsyncClient
) -> None:
    response = await client.get("/export", headers={"Accept": "text/html"})
    assert response.status_code == 401


async def test_a_granted_log_viewer_may_export(
    db: str, gql: GraphQLClient, client: httpx.AsyncClient, make_token: TokenFactory
) -> None:
    grant = "mutation($i: GrantRoleInput!) { grantRole(input: $i) { grant { id } } }"
    _, body = await gql(
        grant, {"i": {"userId": "u-9", "role": "LOG_VIEWER"}}, make_token(roles=["admin"])
    )
    assert "errors" not in body, body
    response = await client.get("/export", headers=auth(make_token(roles=[], sub="u-9")))
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"format": "xlsx"}, "format", '"xlsx" is not one of CSV, NDJSON, JSON.'),
        ({"query": "acton:x"}, "query", 'unknown qualifier "acton:" at column 1'),
        ({"filter": "{nope"}, "filter", "is not JSON"),
        ({"filter": '{"actorTypes": ["ROBOT"]}'}, "filter.actorTypes", '"ROBOT" is not one of'),
        ({"filter": '{"colour": 1}'}, "filter.colour", "is not a filter field"),
        ({"filter": '{"tags": ["GDPR"]}'}, "filter.tags", 'write "gdpr"'),
        (
            {"filter": '{"occurredAfter": "2026-07-01T00:00:00"}'},
            "filter.occurredAfter",
            "has no time zone",
        ),
        ({"timeZone": "Mars/Olympus"}, "timeZone", "is not an IANA time zone"),
        ({"columns": "id,colour"}, "columns", '"colour" is not a column of CSV'),
        ({"order": "RANDOM"}, "order", "is not one of NEWEST_FIRST, OLDEST_FIRST"),
        ({"bom": "maybe"}, "bom", "is not a switch"),
        ({"colour": "red"}, "colour", "is not an export setting"),
        ({"query": "a\x00b"}, "query", "NUL"),
    ],
    ids=lambda value: str(value)[:30] if not isinstance(value, dict) else None,
)
async def test_bad_input_is_refused_before_any_byte_naming_the_field(
    db: str,
    client: httpx.AsyncClient,
    make_token: TokenFactory,
    params: dict[str, str],
    field: str,
    message: str,
) -> None:
    response = await client.get("/export", params=params, headers=auth(make_token()))
    assert response.status_code == 400, response.text
    [problem] = response.json()["errors"][0]["extensions"]["problems"]
    assert problem["field"] == field and message in problem["message"], problem


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (b"{not json", "body"),
        (b"[1, 2]", "body"),
        (b'{"filter": {"metadata": [{"key": "plan"}]}}', "filter.metadata[0]"),
        (b'{"filter": {"afterSequence": 1e99}}', "filter.afterSequence"),
        (b'{"columns": "id"}', "columns"),
        (b'{"bom": "yes"}', "bom"),
    ],
    ids=["not-json", "not-object", "pair", "sequence", "columns-text", "bom-text"],
)
async def test_bad_post_bodies_are_refused_naming_the_field(
    db: str, client: httpx.AsyncClient, make_token: TokenFactory, body: bytes, field: str
) -> None:
    response = await client.post("/export", content=body, headers=auth(make_token()))
    assert response.status_code == 400, response.text
    assert response.json()["errors"][0]["extensions"]["problems"][0]["field"] == field


async def test_each_export_is_recorded_with_who_what_and_how_many(
    db: str, gql: GraphQLClient, client: httpx.AsyncClient, make_token: TokenFactory
) -> None:
    await record("acme", *varied_events(30, seed=9))
    token = make_token(roles=["log_viewer"], sub="u-5", name="Ivy Auditor")
    response = await client.get(
        "/export",
        params={"format": "ndjson", "query": "tag:gdpr", "filter": '{"actorTypes": ["USER"]}'},
        headers={**auth(token), "User-Agent": "auditor-script/1", "X-Request-Id": "exp-1"},
    )
    exported = len(response.text.splitlines())
    query = """{ auditLogs(query: "action:audit_log.exported") { edges { node {
      description outcome metadata userAgent requestId ipAddress actor { externalId name }
    } } } }"""
    _, body = await gql(query, token=token)
    [entry] = [edge["node"] for edge in body["data"]["auditLogs"]["edges"]]
    assert entry == {
        "description": f"Ivy Auditor exported {exported} audit-log entries as NDJSON",
        "outcome": "SUCCESS",
        "metadata": {
            "format": "NDJSON",
            "count": exported,
            "filter": {"actorTypes": ["USER"]},
            "query": "tag:gdpr",
        },
        "userAgent": "auditor-script/1",
        "requestId": "exp-1",
        "ipAddress": "198.51.100.7",
        "actor": {"externalId": "u-5", "name": "Ivy Auditor"},
    }


async def test_a_refused_export_records_nothing(
    db: str, client: httpx.AsyncClient, gql: GraphQLClient, make_token: TokenFactory
) -> None:
    token = make_token(roles=["admin"])
    await client.get("/export", params={"query": "acton:x"}, headers=auth(token))
    _, body = await gql("{ auditLogs { totalCount } }", token=token)
    assert body["data"]["auditLogs"]["totalCount"] == "0"


async def test_the_csv_is_the_same_whoever_builds_the_cells(
    log: list[NewEvent], settings: Settings, make_token: TokenFactory
) -> None:
    # On PostgreSQL the database builds the stored cells unless AUDITLOG_EXPORT_DATABASE_CSV=0.
    token = make_token(roles=["admin"])
    params = {"format": "csv", "timeZone": "Europe/Berlin", "locale": "de", "query": EXPORTED_FIRST}
    files = []
    for database_csv in (True, False):
        changed = dataclasses.replace(settings, export_database_csv=database_csv)
        async with app_client(changed) as http:
            response = await http.get("/export", params=params, headers=auth(token))
        assert response.status_code == 200, response.text
        files.append(response.content)
    assert files[0] == files[1]
    assert files[0].count(b"\r\n") == 5001
