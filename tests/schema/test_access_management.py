"""Access management over HTTP: the operations x callers matrix, and its boundaries."""

from __future__ import annotations

import datetime as dt
import ipaddress
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from auth.tokens import JwtConfig
from models.access import ApiToken, ApiTokenRole, GrantableRole, RoleGrant
from models.audit_log import AuditLog
from resolvers.api_tokens import create_api_token, revoke_api_token
from resolvers.role_grants import GrantRequest, grant_role, revoke_role
from resolvers.self_audit import Acting
from schema.ids import to_global_id
from server import create_app
from settings import Settings
from tests.conftest import SECRET, GraphQLClient, TokenFactory, error_code
from tests.factories import event, record

NOW = dt.datetime.now(dt.UTC)
ACME_ADMIN = Acting("acme", "admin-1", "Alice Smith")


@dataclass
class World:
    """acme's entry, grants and tokens, and a credential for each kind of caller."""

    entry_id: str
    token_id: str
    credentials: dict[str, str | None]


@pytest.fixture
async def world(db: str, make_token: TokenFactory) -> World:
    [entry] = await record("acme", event())
    await grant_role(ACME_ADMIN, GrantRequest("granted-viewer", GrantableRole.LOG_VIEWER), NOW)
    await grant_role(ACME_ADMIN, GrantRequest("revoked-viewer", GrantableRole.LOG_VIEWER), NOW)
    await revoke_role(ACME_ADMIN, "revoked-viewer", GrantableRole.LOG_VIEWER, NOW)
    await RoleGrant.create(
        account_id="acme",
        user_id="expired-viewer",
        role="log_viewer",
        granted_by_id="admin-1",
        granted_at=NOW - dt.timedelta(days=30),
        expires_at=NOW - dt.timedelta(days=1),
    )
    _, target = await create_api_token(ACME_ADMIN, "target", ApiTokenRole.INGEST, None, NOW)
    api_viewer, _ = await create_api_token(ACME_ADMIN, "viewer", ApiTokenRole.LOG_VIEWER, None, NOW)
    api_ingest, _ = await create_api_token(ACME_ADMIN, "ingest", ApiTokenRole.INGEST, None, NOW)
    revoked, revoked_row = await create_api_token(
        ACME_ADMIN, "revoked", ApiTokenRole.LOG_VIEWER, None, NOW
    )
    await revoke_api_token(ACME_ADMIN, revoked_row.id, NOW)
    credentials: dict[str, str | None] = {
        "admin": make_token(roles=["admin"], sub="admin-1"),
        "log_viewer": make_token(roles=["log_viewer"], sub="viewer-1"),
        "ingest": make_token(roles=["ingest"], sub="producer"),
        "no_token": None,
        "other_account_admin": make_token(roles=["admin"], account_id="globex", sub="admin-9"),
        "granted_viewer": make_token(roles=[], sub="granted-viewer"),
        "revoked_grant": make_token(roles=[], sub="revoked-viewer"),
        "expired_grant": make_token(roles=[], sub="expired-viewer"),
        "api_viewer_token": api_viewer,
        "api_ingest_token": api_ingest,
        "revoked_api_token": revoked,
    }
    return World(
        to_global_id("AuditLog", entry.id), to_global_id("ApiToken", target.id), credentials
    )


OPERATIONS: dict[str, tuple[str, Any]] = {
    "auditLogs": ("{ auditLogs { edges { node { id } } } }", None),
    "auditLog": ("query($id: ID!) { auditLog(id: $id) { id } }", lambda w: {"id": w.entry_id}),
    "recordAuditLogs": (
        'mutation { recordAuditLogs(input: [{action: "custom.ping"}]) '
        "{ results { id: entryId } } }",
        None,
    ),
    "viewer": ("{ viewer { id permissions } }", None),
    "auditLogFacets": ("{ auditLogFacets(fields: [ACTION]) { values { count } } }", None),
    "auditLogHistogram": ("{ auditLogHistogram(interval: DAY) { count } }", None),
    "auditActions": ("{ auditActions { name } }", None),
    "roleGrants": ("{ roleGrants(includeInactive: true) { user { externalId } } }", None),
    "grantRole": (
        'mutation { grantRole(input: {userId: "new-user", role: LOG_VIEWER}) { grant { id } } }',
        None,
    ),
    "revokeRole": (
        'mutation { revokeRole(input: {userId: "granted-viewer", role: LOG_VIEWER}) '
        "{ grant { id } } }",
        None,
    ),
    "apiTokens": ("{ apiTokens { name } }", None),
    "createApiToken": (
        'mutation { createApiToken(input: {name: "ci", role: LOG_VIEWER}) { token } }',
        None,
    ),
    "revokeApiToken": (
        "mutation($id: ID!) { revokeApiToken(input: {id: $id}) { apiToken { id } } }",
        lambda w: {"id": w.token_id},
    ),
}

READ = {"auditLogs", "auditLog", "viewer", "auditLogFacets", "auditLogHistogram", "auditActions"}
RECORD = {"recordAuditLogs", "viewer", "auditActions"}
MANAGE = READ | {"roleGrants", "grantRole", "revokeRole"}
MANAGE |= {"apiTokens", "createApiToken", "revokeApiToken"}
ISOLATED = {
    # Another account's admin runs these, but sees and touches nothing of acme's.
    "auditLogs": "empty",
    "auditLog": "null",
    "auditLogHistogram": "empty",
    "roleGrants": "empty",
    "apiTokens": "empty",
    "revokeRole": "NOT_FOUND",
    "revokeApiToken": "NOT_FOUND",
}
ALLOWED = {
    "admin": MANAGE,
    "log_viewer": READ,
    "ingest": RECORD,
    "granted_viewer": READ,
    "revoked_grant": {"viewer", "auditActions"},
    "expired_grant": {"viewer", "auditActions"},
    "api_viewer_token": READ,
    "api_ingest_token": RECORD,
    "other_account_admin": MANAGE,
}


def expected(caller: str, operation: str) -> str:
    if caller in ("no_token", "revoked_api_token"):
        return "UNAUTHENTICATED"
    if operation not in ALLOWED[caller]:
        return "FORBIDDEN"
    if caller == "other_account_admin":
        return ISOLATED.get(operation, "ok")
    return "ok"


CALLERS = [*ALLOWED, "no_token", "revoked_api_token"]
MATRIX = [
    pytest.param(caller, operation, expected(caller, operation), id=f"{caller}-{operation}")
    for caller in CALLERS
    for operation in OPERATIONS
]


def outcome(status: int, body: dict[str, Any]) -> str:
    code = error_code(body)
    if code is not None:
        assert status == (401 if code == "UNAUTHENTICATED" else 200)
        return code
    [value] = body["data"].values()
    if value is None:
        return "null"
    if (isinstance(value, dict) and value.get("edges") == []) or value == []:
        return "empty"
    return "ok"


@pytest.mark.parametrize(("caller", "operation", "want"), MATRIX)
async def test_matrix(
    world: World, gql: GraphQLClient, caller: str, operation: str, want: str
) -> None:
    query, variables = OPERATIONS[operation]
    status, body = await gql(
        query, variables(world) if variables else None, world.credentials[caller]
    )
    assert outcome(status, body) == want, body


async def test_revoked_viewer_is_refused_on_its_next_request(
    db: str, gql: GraphQLClient, make_token: TokenFactory
) -> None:
    admin = make_token(roles=["admin"], sub="admin-1")
    viewer = make_token(roles=[], sub="auditor-7")
    who = '{userId: "auditor-7", role: LOG_VIEWER}'
    grant = f"mutation {{ grantRole(input: {who}) {{ grant {{ active }} }} }}"
    revoke = f"mutation {{ revokeRole(input: {who}) {{ grant {{ active }} }} }}"
    read = "{ auditLogs { edges { cursor } } }"
    assert error_code((await gql(read, token=viewer))[1]) == "FORBIDDEN"
    assert (await gql(grant, token=admin))[1]["data"]["grantRole"]["grant"]["active"] is True
    assert error_code((await gql(read, token=viewer))[1]) is None
    assert (await gql(revoke, token=admin))[1]["data"]["revokeRole"]["grant"]["active"] is False
    assert error_code((await gql(read, token=viewer))[1]) == "FORBIDDEN"


async def test_viewer_cannot_grant_itself_admin(
    db: str, gql: GraphQLClient, make_token: TokenFactory
) -> None:
    viewer = make_token(roles=["log_viewer"], sub="viewer-1")
    query = 'mutation { grantRole(input: {userId: "viewer-1", role: ADMIN}) { grant { id } } }'
    assert error_code((await gql(query, token=viewer))[1]) == "FORBIDDEN"
    assert await RoleGrant.all().count() == 0


@pytest.mark.parametrize(
    ("roles", "permissions"),
    [
        (
            ["admin"],
            [
                "AUDIT_LOGS_EXPORT",
                "AUDIT_LOGS_READ",
                "ROLES_MANAGE",
                "STREAMS_MANAGE",
                "TOKENS_MANAGE",
            ],
        ),
        (["log_viewer"], ["AUDIT_LOGS_EXPORT", "AUDIT_LOGS_READ"]),
        (["ingest"], ["EVENTS_RECORD"]),
        ([], []),
    ],
    ids=["admin", "log_viewer", "ingest", "none"],
)
async def test_viewer_lists_the_permissions_of_its_roles(
    gql: GraphQLClient, make_token: TokenFactory, roles: list[str], permissions: list[str]
) -> None:
    _, body = await gql("{ viewer { permissions } }", token=make_token(roles=roles))
    assert body["data"]["viewer"]["permissions"] == permissions


async def test_granted_role_shows_in_viewer_roles(
    db: str, gql: GraphQLClient, make_token: TokenFactory
) -> None:
    await grant_role(ACME_ADMIN, GrantRequest("user-1", GrantableRole.ADMIN), NOW)
    _, body = await gql("{ viewer { roles } }", token=make_token(roles=["log_viewer"]))
    assert body["data"]["viewer"]["roles"] == ["ADMIN", "LOG_VIEWER"]


async def test_created_token_secret_is_shown_once_and_works(
    db: str, gql: GraphQLClient, make_token: TokenFactory
) -> None:
    admin = make_token(roles=["admin"], sub="admin-1", name="Alice Smith")
    query = """mutation { createApiToken(input: {name: "Nightly export", role: LOG_VIEWER}) {
        token apiToken { id name role prefix createdBy { externalId name } active
        lastUsedAt } } }"""
    _, created = await gql(query, token=admin)
    payload = created["data"]["createApiToken"]
    assert payload["token"].startswith(payload["apiToken"]["prefix"])
    assert payload["apiToken"]["createdBy"] == {"externalId": "admin-1", "name": "Alice Smith"}
    _, read = await gql("{ viewer { id roles } }", token=payload["token"])
    assert read["data"]["viewer"]["roles"] == ["LOG_VIEWER"]
    _, listed = await gql("{ apiTokens { name lastUsedAt } }", token=admin)
    assert listed["data"]["apiTokens"][0]["lastUsedAt"] is not None
    assert payload["token"] not in str(listed)


async def test_access_changes_are_ordinary_entries_visible_to_viewers(
    db: str, gql: GraphQLClient, make_token: TokenFactory, client: Any
) -> None:
    admin = make_token(roles=["admin"], sub="admin-1", name="Alice Smith")
    grant = """mutation { grantRole(input: {userId: "2", userName: "Bob Jones", role: LOG_VIEWER,
        expiresAt: "2099-12-10T00:00:00Z"}) { grant { id } } }"""
    response = await client.post(
        "/graphql",
        json={"query": grant},
        headers={
            "Authorization": f"Bearer {admin}",
            "User-Agent": "admin-console/1.0",
            "X-Request-Id": "req-42",
        },
    )
    assert error_code(response.json()) is None
    query = """{ auditLogs(filter: {actions: ["audit_log.*"]}) { edges { node {
        action description ipAddress userAgent requestId actor { externalId name } } } } }"""
    _, body = await gql(query, token=make_token(roles=["log_viewer"], sub="viewer-1"))
    [edge] = body["data"]["auditLogs"]["edges"]
    assert edge["node"] == {
        "action": "audit_log.role_granted",
        "description": "Alice Smith gave Bob Jones read access to the audit log until 2099-12-10",
        "ipAddress": "198.51.100.7",
        "userAgent": "admin-console/1.0",
        "requestId": "req-42",
        "actor": {"externalId": "admin-1", "name": "Alice Smith"},
    }


async def test_grant_with_past_expiry_is_bad_user_input(
    db: str, gql: GraphQLClient, make_token: TokenFactory
) -> None:
    query = """mutation { grantRole(input: {userId: "2", role: LOG_VIEWER,
        expiresAt: "2020-01-01T00:00:00Z"}) { grant { id } } }"""
    _, body = await gql(query, token=make_token(roles=["admin"]))
    assert error_code(body) == "BAD_USER_INPUT"
    assert body["errors"][0]["extensions"]["problems"][0]["field"] == "input.expiresAt"
    assert await AuditLog.all().count() == 0


async def test_revoking_with_a_malformed_token_id_is_bad_user_input(
    gql: GraphQLClient, make_token: TokenFactory
) -> None:
    query = 'mutation { revokeApiToken(input: {id: "bogus"}) { apiToken { id } } }'
    _, body = await gql(query, token=make_token(roles=["admin"]))
    assert error_code(body) == "BAD_USER_INPUT"
    assert await ApiToken.all().count() == 0


@pytest.mark.parametrize(
    ("trusted", "recorded_ip"),
    [((), "198.51.100.7"), (("198.51.100.0/24",), "203.0.113.50")],
    ids=["untrusted-peer", "trusted-proxy"],
)
async def test_forwarded_for_is_believed_only_from_trusted_proxies(
    db: str, make_token: TokenFactory, trusted: tuple[str, ...], recorded_ip: str
) -> None:
    settings = Settings(
        jwt=JwtConfig(SECRET, "HS256"),
        trusted_proxies=tuple(ipaddress.ip_network(t) for t in trusted),
    )
    app = create_app(settings, manage_database=False)
    transport = httpx.ASGITransport(app=app, client=("198.51.100.7", 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
        await http.post(
            "/graphql",
            json={
                "query": 'mutation { grantRole(input: {userId: "2", role: LOG_VIEWER}) '
                "{ grant { id } } }"
            },
            headers={
                "Authorization": f"Bearer {make_token(roles=['admin'])}",
                "X-Forwarded-For": "203.0.113.50",
            },
        )
    entry = await AuditLog.get(action="audit_log.role_granted")
    assert entry.ip_address == recorded_ip
