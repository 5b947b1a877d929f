"""The delivery loop against real receivers: order, at least once, retries, failing streams."""

from __future__ import annotations

import asyncio
import base64
import datetime as dt
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from standardwebhooks import Webhook
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from models.audit_log import AuditLog
from models.stream import AuditLogStream, StreamAttempt, StreamStatus
from resolvers.self_audit import Acting
from streams.delivery import DeliveryConfig, StreamDelivery
from streams.manage import StreamRules, StreamSpec, create_stream, set_paused
from streams.secrets import SecretBox
from tests.conftest import GraphQLClient, TokenFactory, app_client, settings_with
from tests.factories import event, minutes, record
from tests.streams.destinations.receiver import closed_port_url, serving
from tests.streams.syslog.receiver import require_rsyslogd, rsyslogd

KEY = "k" * 40
SECRET = "whsec_" + base64.b64encode(b"0123456789abcdef0123456789abcdef").decode()
ADMIN = Acting(account_id="acme", user_id="admin-1", user_name="Ada")


@dataclass
class WebhookReceiver:
    """Verifies every delivery's signature; answers from `script`, then 204."""

    script: list[Response] = field(default_factory=list)
    batches: list[dict[str, Any]] = field(default_factory=list)
    seen_ids: list[str] = field(default_factory=list)
    refused: int = 0

    async def handle(self, request: Request) -> Response:
        body = await request.body()
        try:
            payload = Webhook(SECRET).verify(body, dict(request.headers))
        except Exception:  # a bad signature is refused as receivers do
            self.refused += 1
            return JSONResponse({"error": "bad signature"}, status_code=401)
        self.seen_ids.append(request.headers["webhook-id"])
        if self.script:
            return self.script.pop(0)
        self.batches.append(payload)
        return Response(status_code=204)

    def sequences(self) -> list[int]:
        """The sequences received, in order, over every accepted batch."""
        return [int(e["sequence"]) for batch in self.batches for e in batch["data"]["entries"]]


@pytest.fixture
def receiver() -> WebhookReceiver:
    return WebhookReceiver()


@pytest.fixture
def url(receiver: WebhookReceiver) -> Iterator[str]:
    app = Starlette(routes=[Route("/hook", receiver.handle, methods=["POST"])])
    with serving(app) as base:
        yield f"{base}/hook"


def config(**changes: Any) -> DeliveryConfig:
    values: dict[str, Any] = {"box": SecretBox(KEY), "allow_private": True, **changes}
    return DeliveryConfig(**values)


async def webhook_stream(url: str, **spec: Any) -> AuditLogStream:
    values: dict[str, Any] = {
        "name": "hook",
        "kind": "webhook",
        "settings": {"url": url},
        "secret": SECRET,
        **spec,
    }
    rules = StreamRules(SecretBox(KEY), allow_private=True)
    return await create_stream(ADMIN, StreamSpec(**values), rules, dt.datetime.now(dt.UTC))


async def drain(delivery: StreamDelivery, rounds: int = 50) -> None:
    """Run the loop until nothing is left to send (retries made due at once)."""
    for _ in range(rounds):
        await AuditLogStream.all().update(next_attempt_at=None)
        delivered = await delivery.run_once()
        retrying = await AuditLogStream.filter(status="ACTIVE", retries__gt=0).exists()
        if not delivered and not retrying:
            return


async def test_entries_arrive_in_sequence_order_signed_and_complete(
    db: str, url: str, receiver: WebhookReceiver
) -> None:
    stream = await webhook_stream(url)
    await record("acme", *[event(occurred_at=minutes(-n)) for n in range(30)])
    await record("globex", event())
    delivery = StreamDelivery(config())
    try:
        await drain(delivery)
    finally:
        await delivery.close()
    # The stream's own creation entry (sequence 1) is past its start too.
    assert receiver.sequences() == list(range(1, 32))
    first = receiver.batches[0]["data"]["entries"][0]
    assert (first["accountId"], first["action"]) == ("acme", "audit_log.stream_created")
    row = await AuditLogStream.get(id=stream.id)
    assert (row.delivered_sequence, row.status, row.last_error) == (31, "ACTIVE", None)
    assert await StreamAttempt.filter(stream_id=stream.id, succeeded=True).count() >= 1
    assert receiver.refused == 0


async def test_only_entries_matching_the_filter_and_query_go(
    db: str, url: str, receiver: WebhookReceiver
) -> None:
    await webhook_stream(url, query="action:inbox.delete")
    await record("acme", event("inbox.create"), event("inbox.delete"), event("inbox.create"))
    delivery = StreamDelivery(config())
    try:
        await drain(delivery)
    finally:
        await delivery.close()
    actions = [e["action"] for b in receiver.batches for e in b["data"]["entries"]]
    assert actions == ["inbox.delete"]


async def test_a_receiver_failing_for_a_while_gets_every_entry_once_it_recovers(
    db: str, url: str, receiver: WebhookReceiver
) -> None:
    receiver.script = [Response("busy", status_code=503)] * 3
    stream = await webhook_stream(url)
    await record("acme", *[event() for _ in range(5)])
    delivery = StreamDelivery(config())
    try:
        assert await delivery.run_once() is False  # 503: retried later
        row = await AuditLogStream.get(id=stream.id)
        assert row.retries == 1 and row.next_attempt_at is not None
        assert row.next_attempt_at > dt.datetime.now(dt.UTC)
        assert "HTTP 503" in (row.last_error or "")
        assert row.delivered_sequence == 0 and row.status == "ACTIVE"
        assert await delivery.run_once() is False  # not due yet: nothing is claimed
        await drain(delivery)
    finally:
        await delivery.close()
    assert receiver.sequences() == [1, 2, 3, 4, 5, 6]
    # Every retry of a batch carried the same webhook-id, so a receiver can de-duplicate.
    assert len(set(receiver.seen_ids[:4])) == 1
    row = await AuditLogStream.get(id=stream.id)
    # The last error stays on show, older than the success that followed it.
    assert (row.retries, row.failing_since, row.last_error) == (0, None, "HTTP 503: busy")
    assert row.last_success_at is not None and row.last_error_at is not None
    assert row.last_success_at > row.last_error_at


async def test_retry_after_is_honoured(db: str, url: str, receiver: WebhookReceiver) -> None:
    receiver.script = [Response("slow down", status_code=429, headers={"Retry-After": "120"})]
    stream = await webhook_stream(url)
    delivery = StreamDelivery(config())
    try:
        before = dt.datetime.now(dt.UTC)
        await delivery.run_once()
    finally:
        await delivery.close()
    row = await AuditLogStream.get(id=stream.id)
    assert row.next_attempt_at is not None
    wait = (row.next_attempt_at - before).total_seconds()
    assert 119 <= wait <= 125


async def test_a_refusal_that_retrying_cannot_fix_marks_the_stream_failing(
    db: str, url: str, receiver: WebhookReceiver
) -> None:
    receiver.script = [JSONResponse({"error": "unknown tenant"}, status_code=400)]
    stream = await webhook_stream(url)
    delivery = StreamDelivery(config())
    try:
        await delivery.run_once()
        row = await AuditLogStream.get(id=stream.id)
        assert row.status == StreamStatus.FAILING.value
        assert row.last_error is not None and "HTTP 400" in row.last_error
        assert "unknown tenant" in row.last_error
        assert await delivery.run_once() is False  # a FAILING stream waits for an admin
        await set_paused(ADMIN, stream.id, False, dt.datetime.now(dt.UTC))  # resume
        await drain(delivery)
    finally:
        await delivery.close()
    assert receiver.sequences() == [1, 2]  # created, then resumed: both entries arrive


async def test_an_unreachable_receiver_is_retried_and_reported_once_past_the_alert_time(
    db: str,
) -> None:
    stream = await webhook_stream(closed_port_url() + "/hook")
    delivery = StreamDelivery(config(alert_after=dt.timedelta(0)))
    try:
        for _ in range(3):
            await AuditLogStream.all().update(next_attempt_at=None)
            await delivery.run_once()
    finally:
        await delivery.close()
    row = await AuditLogStream.get(id=stream.id)
    assert row.retries == 3 and row.status == "ACTIVE"
    assert row.last_error is not None and "could not reach" in row.last_error
    alerts = await AuditLog.filter(account_id="acme", action="audit_log.stream_failing")
    assert len(alerts) == 1
    assert alerts[0].actor_type == "SYSTEM" and alerts[0].target_name == "hook"


async def test_an_internal_address_is_refused_at_delivery_too(
    db: str, url: str, receiver: WebhookReceiver
) -> None:
    stream = await webhook_stream(url)
    delivery = StreamDelivery(config(allow_private=False))
    try:
        await delivery.run_once()
    finally:
        await delivery.close()
    row = await AuditLogStream.get(id=stream.id)
    assert row.status == "FAILING" and "internal address" in (row.last_error or "")
    assert receiver.batches == [] and receiver.seen_ids == []


async def test_two_loops_never_deliver_one_stream_at_once(
    db: str, url: str, receiver: WebhookReceiver
) -> None:
    await webhook_stream(url)
    await record("acme", *[event() for _ in range(40)])
    loops = [StreamDelivery(config()) for _ in range(2)]
    try:
        for _ in range(10):
            await asyncio.gather(*(loop.run_once() for loop in loops))
    finally:
        for loop in loops:
            await loop.close()
    assert receiver.sequences() == list(range(1, 42))


async def test_a_syslog_stream_reaches_a_real_rsyslogd_in_order(db: str, tmp_path: Path) -> None:
    require_rsyslogd()
    with rsyslogd(tmp_path / "rsyslog") as server:
        spec = StreamSpec(
            name="siem",
            kind="syslog",
            settings={"host": "127.0.0.1", "port": str(server.port), "tls": "0"},
        )
        rules = StreamRules(SecretBox(KEY), allow_private=True)
        await create_stream(ADMIN, spec, rules, dt.datetime.now(dt.UTC))
        await record("acme", *[event(target=None, action="user.sign_out") for _ in range(3)])
        delivery = StreamDelivery(config())
        try:
            await drain(delivery)
        finally:
            await delivery.close()
        messages = await server.received(4)
    documents = [json.loads(m["msg"][m["msg"].index("{") :]) for m in messages]
    assert [int(d["sequence"]) for d in documents] == [1, 2, 3, 4]
    assert [m["msgid"] for m in messages][1:] == ["user.sign_out"] * 3


async def test_a_webhook_stream_made_through_graphql_keeps_its_secret_and_can_be_tested(
    db: str, url: str, receiver: WebhookReceiver, make_token: TokenFactory
) -> None:
    settings = settings_with(secret_key=KEY, stream_allow_private=True)
    create = """mutation($i: CreateAuditLogStreamInput!) {
      createAuditLogStream(input: $i) { stream { id secretHint settings } } }"""
    test = """mutation($i: AuditLogStreamIdInput!) {
      testAuditLogStream(input: $i) { succeeded statusCode message } }"""
    streamed = {"name": "hook", "kind": "WEBHOOK", "settings": {"url": url}, "secret": SECRET}
    async with app_client(settings) as http:
        api = GraphQLClient(http)
        _, body = await api(create, {"i": streamed}, make_token())
        stream = body["data"]["createAuditLogStream"]["stream"]
        _, answered = await api(test, {"i": {"id": stream["id"]}}, make_token())
        receiver.script = [JSONResponse({"error": "no"}, status_code=403)]
        _, refused = await api(test, {"i": {"id": stream["id"]}}, make_token())
        _, listed = await api("{ auditLogStreams { secretHint } }", None, make_token())
    assert stream["secretHint"] == "…" + SECRET[-4:]
    assert SECRET not in str(body) + str(listed) and SECRET[6:] not in str(listed)
    assert answered["data"]["testAuditLogStream"] == {
        "succeeded": True,
        "statusCode": 204,
        "message": "",
    }
    [batch] = receiver.batches
    assert [e["action"] for e in batch["data"]["entries"]] == ["audit_log.stream_tested"]
    assert refused["data"]["testAuditLogStream"]["succeeded"] is False
    assert refused["data"]["testAuditLogStream"]["statusCode"] == 403
    # A test entry is never stored, and does not move the stream.
    assert await AuditLog.filter(action="audit_log.stream_tested").count() == 0
    assert (await AuditLogStream.get()).delivered_sequence == 0
