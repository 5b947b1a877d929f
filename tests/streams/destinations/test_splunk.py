"""The Splunk destination, against a receiver that parses HEC's batched event format."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from streams.destinations import splunk
from tests.streams.destinations.entries import make_batch
from tests.streams.destinations.receiver import send, serving

TOKEN = "12345678-1234-1234-1234-1234567890ab"


def parse_events(body: str) -> list[dict[str, Any]]:
    """HEC's batch form: JSON objects one after another, with optional whitespace between."""
    decoder, events, position = json.JSONDecoder(), [], 0
    while position < len(body):
        if body[position].isspace():
            position += 1
            continue
        event, position = decoder.raw_decode(body, position)
        events.append(event)
    return events


class EventCollector:
    """POST /services/collector/event as HEC answers it: token, 1 MB, objects with "event"."""

    def __init__(self) -> None:
        self.requests: list[list[dict[str, Any]]] = []
        route = Route("/services/collector/event", self.receive, methods=["POST"])
        self.app = Starlette(routes=[route])

    async def receive(self, request: Request) -> Response:
        if request.headers.get("authorization") != f"Splunk {TOKEN}":
            return JSONResponse({"text": "Invalid token", "code": 4}, status_code=403)
        body = await request.body()
        if len(body) > 1_000_000:
            return JSONResponse({"text": "Content too large", "code": 27}, status_code=413)
        try:
            events = parse_events(body.decode())
        except ValueError:
            return JSONResponse({"text": "Invalid data format", "code": 6}, status_code=400)
        if not events or any(not isinstance(e, dict) or "event" not in e for e in events):
            return JSONResponse({"text": "Event field is required", "code": 12}, status_code=400)
        self.requests.append(events)
        return JSONResponse({"text": "Success", "code": 0})


@pytest.fixture
def collector() -> Iterator[tuple[EventCollector, dict[str, str]]]:
    receiver = EventCollector()
    with serving(receiver.app) as url:
        yield receiver, {"url": url}


async def test_every_entry_arrives_as_an_event_with_its_time_and_metadata(
    collector: tuple[EventCollector, dict[str, str]], client: httpx.AsyncClient
) -> None:
    receiver, settings = collector
    settings |= {"host": "audit-1", "source": "auditlog", "index": "security"}
    batch = make_batch(3)

    answers = await send(client, await splunk.requests(batch, settings, TOKEN, client))

    assert [answer.json() for answer in answers] == [{"text": "Success", "code": 0}]
    [events] = receiver.requests
    assert events == [
        {
            "time": 1714564800.125 + entry.sequence,
            "sourcetype": "auditlog:entry",
            "host": "audit-1",
            "source": "auditlog",
            "index": "security",
            "event": entry.document,
        }
        for entry in batch.entries
    ]


async def test_events_are_concatenated_objects_not_an_array(client: httpx.AsyncClient) -> None:
    settings = {"url": "https://splunk.example.com:8088", "sourcetype": "acme:audit"}

    [request] = await splunk.requests(make_batch(2), settings, TOKEN, client)

    assert request.body.startswith(b"{")
    assert [event["sourcetype"] for event in parse_events(request.body.decode())] == [
        "acme:audit",
        "acme:audit",
    ]
    assert "index" not in parse_events(request.body.decode())[0]
    assert request.url == "https://splunk.example.com:8088/services/collector/event"


async def test_a_batch_over_1_mb_is_split_into_requests_under_1_mb(
    collector: tuple[EventCollector, dict[str, str]], client: httpx.AsyncClient
) -> None:
    receiver, settings = collector
    batch = make_batch(10, padding=300_000)

    outgoing = await splunk.requests(batch, settings, TOKEN, client)
    answers = await send(client, outgoing)

    assert len(outgoing) == 4
    assert {answer.status_code for answer in answers} == {200}
    received = [event["event"]["sequence"] for events in receiver.requests for event in events]
    assert received == list(range(1, 11))


async def test_the_collector_refuses_another_token(
    collector: tuple[EventCollector, dict[str, str]], client: httpx.AsyncClient
) -> None:
    receiver, settings = collector

    outgoing = await splunk.requests(make_batch(1), settings, "not-the-token", client)
    answers = await send(client, outgoing)

    assert [answer.status_code for answer in answers] == [403]
    assert receiver.requests == []


def test_check_accepts_a_url_and_a_token() -> None:
    assert splunk.check({"url": "https://splunk.example.com:8088", "index": "main"}, TOKEN) == []


@pytest.mark.parametrize(
    ("settings", "secret", "field"),
    [
        ({}, TOKEN, "url"),
        ({"url": "splunk.example.com:8088"}, TOKEN, "url"),
        ({"url": "https://splunk.example.com", "index": "_internal"}, TOKEN, "index"),
        ({"url": "https://splunk.example.com", "index": "Security"}, TOKEN, "index"),
        ({"url": "https://splunk.example.com"}, "", "secret"),
    ],
    ids=["no-url", "no-scheme", "internal-index", "upper-case-index", "no-token"],
)
def test_check_refuses_bad_settings_naming_the_field(
    settings: dict[str, str], secret: str | None, field: str
) -> None:
    [problem] = splunk.check(settings, secret)

    assert problem.startswith(f"{field}: ")
