"""The Azure Monitor destination, against a token endpoint and a Logs Ingestion endpoint."""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from streams.destinations import DestinationError, azure_monitor
from tests.streams.destinations.entries import make_batch
from tests.streams.destinations.receiver import closed_port_url, form_of, send, serving

TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"
CLIENT_ID = "0d2b5c1e-5b0a-4a36-8b9e-6b2f0f8a1c11"
CLIENT_SECRET = "Qx8~client.secret-value"
RULE_ID = "dcr-00000000000000000000000000000001"
STREAM = "Custom-AuditLog_CL"


class AzureReceiver:
    """Entra ID's token endpoint and a data collection endpoint, as documented."""

    def __init__(self, *, expires_in: int = 3599, token_status: int = 200) -> None:
        self.expires_in = expires_in
        self.token_status = token_status
        self.issued: list[str] = []
        self.calls: list[list[dict[str, Any]]] = []
        self.app = Starlette(
            routes=[
                Route("/{tenant}/oauth2/v2.0/token", self.token, methods=["POST"]),
                Route(
                    "/dataCollectionRules/{rule}/streams/{stream}", self.upload, methods=["POST"]
                ),
            ]
        )

    async def token(self, request: Request) -> Response:
        if self.token_status != 200:
            return JSONResponse({"error": "temporarily_unavailable"}, status_code=self.token_status)
        form = await form_of(request)
        if (
            request.path_params["tenant"] != TENANT
            or form.get("grant_type") != "client_credentials"
        ):
            return JSONResponse({"error": "invalid_request"}, status_code=400)
        if form.get("scope") != "https://monitor.azure.com//.default":
            return JSONResponse({"error": "invalid_scope"}, status_code=400)
        if (form.get("client_id"), form.get("client_secret")) != (CLIENT_ID, CLIENT_SECRET):
            return JSONResponse(
                {
                    "error": "invalid_client",
                    "error_description": "AADSTS7000215: Invalid client secret provided.",
                },
                status_code=401,
            )
        self.issued.append(f"azure-token-{len(self.issued) + 1}")
        answer = {"token_type": "Bearer", "expires_in": self.expires_in}
        return JSONResponse(answer | {"access_token": self.issued[-1]})

    async def upload(self, request: Request) -> Response:
        if request.headers.get("authorization") not in {f"Bearer {t}" for t in self.issued}:
            return JSONResponse({"error": {"code": "InvalidToken"}}, status_code=401)
        if request.query_params.get("api-version") != "2023-01-01":
            return JSONResponse({"error": {"code": "InvalidApiVersion"}}, status_code=400)
        if (request.path_params["rule"], request.path_params["stream"]) != (RULE_ID, STREAM):
            return JSONResponse({"error": {"code": "NotFound"}}, status_code=404)
        body = await request.body()
        if request.headers.get("content-encoding") == "gzip":
            body = gzip.decompress(body)
        if len(body) > 1_000_000:
            return JSONResponse({"error": {"code": "ContentLengthLimitExceeded"}}, status_code=413)
        records = json.loads(body)
        if not isinstance(records, list) or any("TimeGenerated" not in r for r in records):
            return JSONResponse({"error": {"code": "InvalidStream"}}, status_code=400)
        self.calls.append(records)
        return Response(status_code=204)


def settings_for(url: str, **overrides: str) -> dict[str, str]:
    return {
        "endpoint": url,
        "rule_id": RULE_ID,
        "stream_name": STREAM,
        "tenant_id": TENANT,
        "client_id": CLIENT_ID,
        "authority": url,
    } | overrides


@pytest.fixture
def azure() -> Iterator[tuple[AzureReceiver, dict[str, str]]]:
    receiver = AzureReceiver()
    with serving(receiver.app) as url:
        yield receiver, settings_for(url)


async def test_every_entry_arrives_as_a_record_with_time_generated(
    azure: tuple[AzureReceiver, dict[str, str]], client: httpx.AsyncClient
) -> None:
    receiver, settings = azure
    batch = make_batch(3)

    answers = await send(
        client, await azure_monitor.requests(batch, settings, CLIENT_SECRET, client)
    )

    assert [answer.status_code for answer in answers] == [204]
    assert receiver.calls == [
        [{"TimeGenerated": entry.occurred_at, **entry.document} for entry in batch.entries]
    ]


async def test_one_token_serves_several_batches(
    azure: tuple[AzureReceiver, dict[str, str]], client: httpx.AsyncClient
) -> None:
    receiver, settings = azure

    for first in (1, 4, 7):
        batch = make_batch(3, first=first)
        await send(client, await azure_monitor.requests(batch, settings, CLIENT_SECRET, client))

    assert receiver.issued == ["azure-token-1"]
    assert len(receiver.calls) == 3


async def test_a_token_about_to_expire_is_exchanged_again(client: httpx.AsyncClient) -> None:
    receiver = AzureReceiver(expires_in=60)
    with serving(receiver.app) as url:
        for first in (1, 2):
            batch = make_batch(1, first=first)
            await azure_monitor.requests(batch, settings_for(url), CLIENT_SECRET, client)

    assert receiver.issued == ["azure-token-1", "azure-token-2"]


async def test_a_refused_client_secret_is_not_retryable_and_quotes_entra(
    azure: tuple[AzureReceiver, dict[str, str]], client: httpx.AsyncClient
) -> None:
    _, settings = azure

    with pytest.raises(DestinationError) as raised:
        await azure_monitor.requests(make_batch(1), settings, "wrong-secret", client)

    assert raised.value.retryable is False
    assert "401" in str(raised.value) and "AADSTS7000215" in str(raised.value)
    assert "wrong-secret" not in str(raised.value)


@pytest.mark.parametrize("status", [429, 503])
async def test_a_busy_token_endpoint_is_retryable(status: int, client: httpx.AsyncClient) -> None:
    receiver = AzureReceiver(token_status=status)
    with serving(receiver.app) as url, pytest.raises(DestinationError) as raised:
        await azure_monitor.requests(make_batch(1), settings_for(url), CLIENT_SECRET, client)

    assert raised.value.retryable is True


async def test_an_unreachable_token_endpoint_is_retryable(client: httpx.AsyncClient) -> None:
    settings = settings_for(closed_port_url())

    with pytest.raises(DestinationError) as raised:
        await azure_monitor.requests(make_batch(1), settings, CLIENT_SECRET, client)

    assert raised.value.retryable is True


async def test_a_batch_over_1_mb_is_split_into_calls_under_1_mb(
    azure: tuple[AzureReceiver, dict[str, str]], client: httpx.AsyncClient
) -> None:
    receiver, settings = azure
    batch = make_batch(8, padding=300_000)

    outgoing = await azure_monitor.requests(batch, settings, CLIENT_SECRET, client)
    answers = await send(client, outgoing)

    assert len(outgoing) == 3
    assert {answer.status_code for answer in answers} == {204}
    assert [record["sequence"] for call in receiver.calls for record in call] == list(range(1, 9))


def test_check_accepts_complete_settings() -> None:
    settings = settings_for("https://dce-1.westeurope-1.ingest.monitor.azure.com")
    settings.pop("authority")

    assert azure_monitor.check(settings, CLIENT_SECRET) == []
    assert azure_monitor.check(settings | {"tenant_id": "contoso.onmicrosoft.com"}, "s") == []


@pytest.mark.parametrize(
    ("overrides", "secret", "field"),
    [
        ({"endpoint": ""}, CLIENT_SECRET, "endpoint"),
        ({"rule_id": "my-rule"}, CLIENT_SECRET, "rule_id"),
        ({"stream_name": "AuditLog_CL"}, CLIENT_SECRET, "stream_name"),
        ({"tenant_id": "not a tenant"}, CLIENT_SECRET, "tenant_id"),
        ({"client_id": "12345"}, CLIENT_SECRET, "client_id"),
        ({"authority": "login.microsoftonline.com"}, CLIENT_SECRET, "authority"),
        ({}, None, "secret"),
    ],
    ids=["no-endpoint", "rule-name", "no-prefix", "tenant", "client", "authority", "no-secret"],
)
def test_check_refuses_bad_settings_naming_the_field(
    overrides: dict[str, str], secret: str | None, field: str
) -> None:
    settings = settings_for("https://dce-1.westeurope-1.ingest.monitor.azure.com") | overrides

    [problem] = azure_monitor.check(settings, secret)

    assert problem.startswith(f"{field}: ")
