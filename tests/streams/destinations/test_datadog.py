"""The Datadog destination, against a receiver that applies the Logs intake v2 checks."""

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

from streams.destinations import datadog
from tests.streams.destinations.entries import ACCOUNT_ID, make_batch
from tests.streams.destinations.receiver import send, serving

API_KEY = "0123456789abcdef0123456789abcdef"


class LogsIntake:
    """POST /api/v2/logs as Datadog documents it: API key, gzip, a JSON array, the limits."""

    def __init__(self) -> None:
        self.requests: list[list[dict[str, Any]]] = []
        self.app = Starlette(routes=[Route("/api/v2/logs", self.receive, methods=["POST"])])

    async def receive(self, request: Request) -> Response:
        if request.headers.get("dd-api-key") != API_KEY:
            return JSONResponse({"errors": ["Forbidden"]}, status_code=403)
        if request.headers.get("content-encoding") != "gzip":
            return JSONResponse({"errors": ["expected gzip"]}, status_code=400)
        body = gzip.decompress(await request.body())
        if len(body) > 5_000_000:
            return JSONResponse({"errors": ["Payload too large"]}, status_code=413)
        logs = json.loads(body)
        if not isinstance(logs, list) or not 1 <= len(logs) <= 1000:
            return JSONResponse({"errors": ["expected 1 to 1000 logs"]}, status_code=400)
        if any(not isinstance(log.get("message"), str) for log in logs):
            return JSONResponse({"errors": ["log without message"]}, status_code=400)
        self.requests.append(logs)
        return JSONResponse({}, status_code=202)


@pytest.fixture
def intake() -> Iterator[tuple[LogsIntake, dict[str, str]]]:
    receiver = LogsIntake()
    with serving(receiver.app) as url:
        yield receiver, {"site": url}


async def test_every_entry_arrives_as_a_log_with_its_document_as_attributes(
    intake: tuple[LogsIntake, dict[str, str]], client: httpx.AsyncClient
) -> None:
    receiver, settings = intake
    settings |= {"ddtags": "env:prod,team:security", "hostname": "audit-1"}
    batch = make_batch(3)

    answers = await send(client, await datadog.requests(batch, settings, API_KEY, client))

    assert [answer.status_code for answer in answers] == [202]
    [logs] = receiver.requests
    for log, entry in zip(logs, batch.entries, strict=True):
        assert log == {
            **entry.document,
            "ddsource": "auditlog",
            "service": "auditlog",
            "ddtags": f"env:prod,team:security,account:{ACCOUNT_ID}",
            "hostname": "audit-1",
            "message": entry.document["description"],
        }


async def test_source_and_service_come_from_the_settings(client: httpx.AsyncClient) -> None:
    settings = {"ddsource": "acme-audit", "service": "billing"}

    [request] = await datadog.requests(make_batch(1), settings, API_KEY, client)

    [log] = json.loads(gzip.decompress(request.body))
    assert (log["ddsource"], log["service"], log["ddtags"]) == (
        "acme-audit",
        "billing",
        f"account:{ACCOUNT_ID}",
    )
    assert "hostname" not in log
    assert request.url == "https://http-intake.logs.datadoghq.com/api/v2/logs"


async def test_a_batch_over_1000_entries_is_split_into_requests_of_at_most_1000(
    intake: tuple[LogsIntake, dict[str, str]], client: httpx.AsyncClient
) -> None:
    receiver, settings = intake
    batch = make_batch(2500)

    answers = await send(client, await datadog.requests(batch, settings, API_KEY, client))

    assert {answer.status_code for answer in answers} == {202}
    assert [len(logs) for logs in receiver.requests] == [1000, 1000, 500]
    received = [log["sequence"] for logs in receiver.requests for log in logs]
    assert received == [entry.sequence for entry in batch.entries]


async def test_a_batch_over_5_mb_is_split_into_requests_under_5_mb(
    intake: tuple[LogsIntake, dict[str, str]], client: httpx.AsyncClient
) -> None:
    receiver, settings = intake
    batch = make_batch(24, padding=600_000)

    outgoing = await datadog.requests(batch, settings, API_KEY, client)
    answers = await send(client, outgoing)

    assert len(outgoing) == 3
    assert {answer.status_code for answer in answers} == {202}
    assert all(len(gzip.decompress(request.body)) <= 5_000_000 for request in outgoing)
    assert sum(len(logs) for logs in receiver.requests) == 24


async def test_a_log_over_1_mb_is_sent_in_a_request_of_its_own(
    intake: tuple[LogsIntake, dict[str, str]], client: httpx.AsyncClient
) -> None:
    receiver, settings = intake
    small, big = make_batch(2), make_batch(1, first=3, padding=1_100_000)
    batch = type(small)(small.stream_id, small.account_id, small.entries + big.entries)

    answers = await send(client, await datadog.requests(batch, settings, API_KEY, client))

    assert {answer.status_code for answer in answers} == {202}
    assert [[log["sequence"] for log in logs] for logs in receiver.requests] == [[1, 2], [3]]


async def test_the_intake_refuses_another_api_key(
    intake: tuple[LogsIntake, dict[str, str]], client: httpx.AsyncClient
) -> None:
    receiver, settings = intake

    outgoing = await datadog.requests(make_batch(1), settings, "f" * 32, client)
    answers = await send(client, outgoing)

    assert [answer.status_code for answer in answers] == [403]
    assert receiver.requests == []


def test_check_accepts_the_defaults_and_an_api_key() -> None:
    assert datadog.check({}, API_KEY) == []


@pytest.mark.parametrize(
    ("settings", "secret", "field"),
    [
        ({"site": "http-intake.logs.datadoghq.eu"}, API_KEY, "site"),
        ({"site": "https://http-intake.logs.datadoghq.eu?x=1"}, API_KEY, "site"),
        ({"ddtags": "env:prod, team:security"}, API_KEY, "ddtags"),
        ({}, None, "secret"),
        ({}, "abc def", "secret"),
    ],
    ids=["no-scheme", "query", "blank-in-tags", "no-key", "blank-in-key"],
)
def test_check_refuses_bad_settings_naming_the_field(
    settings: dict[str, str], secret: str | None, field: str
) -> None:
    [problem] = datadog.check(settings, secret)

    assert problem.startswith(f"{field}: ")
