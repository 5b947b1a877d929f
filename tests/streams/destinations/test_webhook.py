"""The webhook destination, against a receiver that verifies with the standardwebhooks package."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from streams.destinations import DestinationError, webhook
from tests.streams.destinations.entries import ACCOUNT_ID, STREAM_ID, make_batch
from tests.streams.destinations.receiver import send, serving

SECRET = "whsec_" + base64.b64encode(bytes(range(32))).decode()
OTHER_SECRET = "whsec_" + base64.b64encode(bytes(range(1, 33))).decode()


class HookReceiver:
    """A webhook endpoint that accepts only deliveries signed with its secret."""

    def __init__(self, secret: str) -> None:
        self.verifier = Webhook(secret)
        self.deliveries: list[tuple[dict[str, str], Any]] = []
        self.app = Starlette(routes=[Route("/hook", self.receive, methods=["POST"])])

    async def receive(self, request: Request) -> Response:
        body = await request.body()
        headers = dict(request.headers)
        try:
            payload = self.verifier.verify(body, headers)
        except WebhookVerificationError as exc:
            return Response(str(exc), status_code=401)
        self.deliveries.append((headers, payload))
        return Response(status_code=204)


@pytest.fixture
def hook() -> Iterator[tuple[HookReceiver, dict[str, str]]]:
    receiver = HookReceiver(SECRET)
    with serving(receiver.app) as url:
        yield receiver, {"url": f"{url}/hook"}


async def test_receiver_verifies_the_batch_and_gets_every_entry(
    hook: tuple[HookReceiver, dict[str, str]], client: httpx.AsyncClient
) -> None:
    receiver, settings = hook
    batch = make_batch(3, first=10)

    answers = await send(client, await webhook.requests(batch, settings, SECRET, client))

    assert [answer.status_code for answer in answers] == [204]
    [(_, payload)] = receiver.deliveries
    assert payload == {
        "type": "audit_log.batch",
        "timestamp": batch.entries[-1].occurred_at,
        "data": {
            "account_id": ACCOUNT_ID,
            "stream_id": STREAM_ID,
            "entries": [entry.document for entry in batch.entries],
        },
    }


async def test_receiver_with_another_secret_refuses_the_signature(
    client: httpx.AsyncClient,
) -> None:
    receiver = HookReceiver(OTHER_SECRET)
    with serving(receiver.app) as url:
        outgoing = await webhook.requests(make_batch(1), {"url": f"{url}/hook"}, SECRET, client)
        answers = await send(client, outgoing)

    assert [answer.status_code for answer in answers] == [401]
    assert receiver.deliveries == []


async def test_webhook_id_is_the_same_for_a_retry_of_the_same_batch(
    client: httpx.AsyncClient,
) -> None:
    settings = {"url": "https://example.com/hook"}

    first = await webhook.requests(make_batch(5, first=1), settings, SECRET, client)
    retry = await webhook.requests(make_batch(5, first=1), settings, SECRET, client)
    later = await webhook.requests(make_batch(5, first=6), settings, SECRET, client)
    other_stream = await webhook.requests(
        make_batch(5, first=1, stream_id="TG9nU3RyZWFtOjI="), settings, SECRET, client
    )

    assert first[0].headers["webhook-id"] == retry[0].headers["webhook-id"]
    assert first[0].headers["webhook-id"] != later[0].headers["webhook-id"]
    assert first[0].headers["webhook-id"] != other_stream[0].headers["webhook-id"]


async def test_signature_header_has_the_v1_form_and_timestamp_is_unix_seconds(
    client: httpx.AsyncClient,
) -> None:
    [request] = await webhook.requests(
        make_batch(1), {"url": "https://example.com/hook"}, SECRET, client
    )

    version, _, signature = request.headers["webhook-signature"].partition(",")
    assert version == "v1"
    assert len(base64.b64decode(signature, validate=True)) == 32
    assert request.headers["webhook-timestamp"].isdigit()


def test_check_accepts_a_url_and_a_whsec_secret() -> None:
    assert webhook.check({"url": "https://example.com/hook?source=audit"}, SECRET) == []


@pytest.mark.parametrize(
    ("settings", "secret", "field"),
    [
        ({}, SECRET, "url"),
        ({"url": "ftp://example.com/hook"}, SECRET, "url"),
        ({"url": "https://example.com/hook"}, None, "secret"),
        ({"url": "https://example.com/hook"}, base64.b64encode(bytes(32)).decode(), "secret"),
        ({"url": "https://example.com/hook"}, "whsec_not*base64!", "secret"),
        (
            {"url": "https://example.com/hook"},
            "whsec_" + base64.b64encode(bytes(8)).decode(),
            "secret",
        ),
    ],
    ids=["no-url", "ftp-url", "no-secret", "no-prefix", "not-base64", "short-key"],
)
def test_check_refuses_bad_settings_naming_the_field(
    settings: dict[str, str], secret: str | None, field: str
) -> None:
    [problem] = webhook.check(settings, secret)

    assert problem.startswith(f"{field}: ")
    if field == "secret":
        assert "openssl rand -base64 32" in problem


async def test_requests_refuse_a_secret_that_check_would_refuse(client: httpx.AsyncClient) -> None:
    with pytest.raises(DestinationError) as raised:
        await webhook.requests(make_batch(1), {"url": "https://example.com/h"}, "hunter2", client)

    assert raised.value.retryable is False
