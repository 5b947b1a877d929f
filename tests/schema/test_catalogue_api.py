"""The catalogue over GraphQL: auditActions, localized descriptions, categories."""

from __future__ import annotations

import httpx

from catalogue import SPECS
from tests.conftest import GraphQLClient, TokenFactory, error_code
from tests.factories import Change, Target, event, record

ACTIONS = (
    "query($locale: String) { auditActions(locale: $locale) { name category label description } }"
)
ENTRIES = """query($locale: String, $filter: AuditLogFilter) {
  auditLogs(filter: $filter) { edges { node { action category description(locale: $locale) } } }
}"""


async def test_audit_actions_lists_the_whole_catalogue(
    gql: GraphQLClient, make_token: TokenFactory
) -> None:
    _, body = await gql(ACTIONS, token=make_token(roles=["log_viewer"]))
    actions = body["data"]["auditActions"]
    assert {a["name"] for a in actions} == set(SPECS)
    inbox = next(a for a in actions if a["name"] == "inbox.create")
    assert inbox == {
        "name": "inbox.create",
        "category": "CONFIGURATION",
        "label": "Inbox created",
        "description": "Alice Smith created inbox #5 (Support)",
    }


async def test_audit_actions_follow_accept_language(
    db: str, client: httpx.AsyncClient, make_token: TokenFactory
) -> None:
    response = await client.post(
        "/graphql",
        json={"query": ACTIONS},
        headers={"Authorization": f"Bearer {make_token()}", "Accept-Language": "de-DE,de;q=0.9"},
    )
    labels = {a["name"]: a["label"] for a in response.json()["data"]["auditActions"]}
    assert labels["inbox.create"] == "Posteingang erstellt"


async def test_description_takes_a_locale_argument(
    db: str, gql: GraphQLClient, make_token: TokenFactory
) -> None:
    await record(
        "acme",
        event(
            "account_user.update",
            target=Target("user", "2", "Bob Jones"),
            changes=(Change("role", 0, 1),),
        ),
    )
    token = make_token(roles=["log_viewer"])
    _, english = await gql(ENTRIES, token=token)
    _, german = await gql(ENTRIES, {"locale": "de"}, token)
    assert english["data"]["auditLogs"]["edges"][0]["node"] == {
        "action": "account_user.update",
        "category": "AGENTS_AND_TEAMS",
        "description": "Alice Smith changed Bob Jones's role from agent to administrator",
    }
    assert german["data"]["auditLogs"]["edges"][0]["node"]["description"] == (
        "Alice Smith hat die Rolle von Bob Jones von Agent zu Administrator geändert"
    )


async def test_categories_filter_selects_their_actions(
    db: str, gql: GraphQLClient, make_token: TokenFactory
) -> None:
    await record(
        "acme",
        event("inbox.create"),
        event("user.password_change", target=None),
        event("custom.refund", target=Target("invoice", "7")),
    )
    token = make_token(roles=["log_viewer"])
    _, security = await gql(ENTRIES, {"filter": {"categories": ["SECURITY", "CUSTOM"]}}, token)
    nodes = [e["node"] for e in security["data"]["auditLogs"]["edges"]]
    assert sorted(n["action"] for n in nodes) == ["custom.refund", "user.password_change"]
    assert sorted(n["category"] for n in nodes) == ["CUSTOM", "SECURITY"]


async def test_unknown_action_is_refused_with_a_suggestion(
    gql: GraphQLClient, make_token: TokenFactory
) -> None:
    query = (
        'mutation { recordAuditLogs(input: [{action: "inbox.crate", '
        'target: {type: "inbox", id: "5"}}]) { results { id: entryId } } }'
    )
    _, body = await gql(query, token=make_token(roles=["ingest"]))
    assert error_code(body) == "BAD_USER_INPUT"
    assert "did you mean 'inbox.create'" in body["errors"][0]["message"]
