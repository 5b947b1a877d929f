"""Managing log streams through GraphQL: admins only, checked input, secrets kept, audited."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from models.stream import AuditLogStream
from settings import Settings
from streams.secrets import SecretBox
from tests.conftest import GraphQLClient, TokenFactory, app_client, error_code, settings_with
from tests.factories import event, record

KEY = "k" * 40
FIELDS = """
  id name kind settings secretHint filter query status deliveredSequence lagEntries lagSeconds
  lastSuccessAt lastError recentAttempts { succeeded statusCode message }
"""
CREATE = f"""
mutation($input: CreateAuditLogStreamInput!) {{
  createAuditLogStream(input: $input) {{ stream {{ {FIELDS} }} }}
}}"""
SYSLOG = {"host": "127.0.0.1", "port": "6514", "tls": "0"}


def stream_settings(**changes: Any) -> Settings:
    """Settings with a secret key and loopback allowed (the receivers are local)."""
    values: dict[str, Any] = {"secret_key": KEY, "stream_allow_private": True}
    return settings_with(**{**values, **changes})


@pytest.fixture
async def api(db: str) -> AsyncIterator[GraphQLClient]:
    async with app_client(stream_settings()) as http:
        yield GraphQLClient(http)


def syslog_input(**changes: Any) -> dict[str, Any]:
    return {"name": "SIEM", "kind": "SYSLOG", "settings": SYSLOG, **changes}


async def created(api: GraphQLClient, token: str, **changes: Any) -> dict[str, Any]:
    status, body = await api(CREATE, {"input": syslog_input(**changes)}, token)
    assert status == 200 and "errors" not in body, body
    stream: dict[str, Any] = body["data"]["createAuditLogStream"]["stream"]
    return stream


async def test_an_admin_creates_a_stream_that_starts_after_the_last_entry(
    api: GraphQLClient, make_token: TokenFactory
) -> None:
    await record("acme", event(), event())
    stream = await created(api, make_token(), query="action:inbox.*")
    assert (stream["name"], stream["kind"], stream["status"]) == ("SIEM", "SYSLOG", "ACTIVE")
    assert stream["deliveredSequence"] == "2"
    # Its own audit entry (sequence 3) comes after its start; lag counts every entry.
    assert (stream["lagEntries"], stream["query"], stream["settings"]) == (
        "1",
        "action:inbox.*",
        SYSLOG,
    )


async def test_only_admins_manage_streams(api: GraphQLClient, make_token: TokenFactory) -> None:
    for roles in (["log_viewer"], ["ingest"]):
        _, body = await api(CREATE, {"input": syslog_input()}, make_token(roles=roles))
        assert error_code(body) == "FORBIDDEN", (roles, body)
    _, body = await api("{ auditLogStreams { id } }", None, make_token(roles=["log_viewer"]))
    assert error_code(body) == "FORBIDDEN"
    assert await AuditLogStream.all().count() == 0


async def test_another_accounts_stream_is_not_found(
    api: GraphQLClient, make_token: TokenFactory
) -> None:
    stream = await created(api, make_token())
    other = make_token(account_id="globex")
    _, body = await api("{ auditLogStreams { id } }", None, other)
    assert body["data"]["auditLogStreams"] == []
    mutation = (
        "mutation($i: AuditLogStreamIdInput!) { pauseAuditLogStream(input: $i) { stream { id } } }"
    )
    _, body = await api(mutation, {"i": {"id": stream["id"]}}, other)
    assert error_code(body) == "NOT_FOUND"
    _, body = await api("query($id: ID!) { node(id: $id) { id } }", {"id": stream["id"]}, other)
    assert body["data"]["node"] is None


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"name": " "}, "input.name", "1 to 100"),
        ({"settings": {"host": "127.0.0.1", "port": "99999"}}, "input.settings.port", "99999"),
        (
            {"settings": {**SYSLOG, "colour": "red"}},
            "input.settings.colour",
            "not a syslog setting",
        ),
        ({"settings": ["no"]}, "input.settings", "JSON object"),
        ({"query": "actor:"}, "input.query", ""),
        ({"filter": {"ipAddresses": ["300.1.1.1"]}}, "input.filter", ""),
    ],
)
async def test_bad_input_is_refused_naming_the_field(
    api: GraphQLClient, make_token: TokenFactory, changes: dict[str, Any], field: str, words: str
) -> None:
    _, body = await api(CREATE, {"input": syslog_input(**changes)}, make_token())
    assert error_code(body) == "BAD_USER_INPUT", body
    problems = body["errors"][0]["extensions"]["problems"]
    assert any(p["field"].startswith(field) and words in p["message"] for p in problems), problems
    assert await AuditLogStream.all().count() == 0


async def test_internal_addresses_are_refused_unless_allowed(
    db: str, make_token: TokenFactory
) -> None:
    async with app_client(stream_settings(stream_allow_private=False)) as http:
        _, body = await GraphQLClient(http)(CREATE, {"input": syslog_input()}, make_token())
    assert error_code(body) == "BAD_USER_INPUT"
    message = body["errors"][0]["extensions"]["problems"][0]["message"]
    assert "127.0.0.1" in message and "AUDITLOG_STREAM_ALLOW_PRIVATE" in message


async def test_streams_need_the_secret_key(db: str, make_token: TokenFactory) -> None:
    async with app_client(stream_settings(secret_key=None)) as http:
        _, body = await GraphQLClient(http)(CREATE, {"input": syslog_input()}, make_token())
    assert error_code(body) == "BAD_USER_INPUT"
    assert "AUDITLOG_SECRET_KEY" in body["errors"][0]["message"]


async def test_a_secret_is_sealed_and_only_its_hint_is_shown(
    api: GraphQLClient, make_token: TokenFactory
) -> None:
    stream = await created(api, make_token())
    secret = "s3cr3t-value-for-the-receiver"
    mutation = f"""mutation($i: UpdateAuditLogStreamInput!) {{
      updateAuditLogStream(input: $i) {{ stream {{ {FIELDS} }} }} }}"""
    # Syslog takes no secret: the destination says so.
    _, body = await api(mutation, {"i": {"id": stream["id"], "secret": secret}}, make_token())
    assert error_code(body) == "BAD_USER_INPUT"
    row = await AuditLogStream.get()
    assert row.secret_box is None
    row.secret_box, row.secret_hint = SecretBox(KEY).seal(secret), "…iver"
    await row.save()
    _, body = await api("{ auditLogStreams { secretHint settings } }", None, make_token())
    assert body["data"]["auditLogStreams"] == [{"secretHint": "…iver", "settings": SYSLOG}]
    assert secret not in str(body) and secret not in (await AuditLogStream.get()).secret_box


async def test_every_change_is_an_audited_entry(
    api: GraphQLClient, make_token: TokenFactory
) -> None:
    token = make_token()
    stream = await created(api, token)
    ident = {"id": stream["id"]}
    for name in ("pause", "resume"):
        mutation = (
            f"mutation($i: AuditLogStreamIdInput!) "
            f"{{ {name}AuditLogStream(input: $i) {{ stream {{ status }} }} }}"
        )
        _, body = await api(mutation, {"i": ident}, token)
        assert "errors" not in body, body
    replay = (
        "mutation($i: ReplayAuditLogStreamInput!) "
        "{ replayAuditLogStream(input: $i) { stream { deliveredSequence } } }"
    )
    _, body = await api(replay, {"i": {**ident, "fromSequence": "1"}}, token)
    assert body["data"]["replayAuditLogStream"]["stream"]["deliveredSequence"] == "0"
    _, body = await api(replay, {"i": {**ident, "fromSequence": "0"}}, token)
    assert error_code(body) == "BAD_USER_INPUT"
    delete = (
        "mutation($i: AuditLogStreamIdInput!) { deleteAuditLogStream(input: $i) { deletedId } }"
    )
    _, body = await api(delete, {"i": ident}, token)
    assert body["data"]["deleteAuditLogStream"]["deletedId"] == stream["id"]
    _, body = await api(
        '{ auditLogs(query: "action:audit_log.*", orderBy: OLDEST_FIRST) '
        "{ edges { node { action description target { name } } } } }",
        None,
        token,
    )
    nodes = [edge["node"] for edge in body["data"]["auditLogs"]["edges"]]
    assert [node["action"] for node in nodes] == [
        "audit_log.stream_created",
        "audit_log.stream_paused",
        "audit_log.stream_resumed",
        "audit_log.stream_replayed",
        "audit_log.stream_deleted",
    ]
    assert (
        nodes[0]["description"] == 'user-1 created the log stream "SIEM"'
        or "SIEM" in nodes[0]["description"]
    )
    assert {node["target"]["name"] for node in nodes} == {"SIEM"}
