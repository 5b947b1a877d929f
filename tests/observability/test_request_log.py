"""One structured log line per request."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import httpx
import orjson
import pytest

from observability.metrics import Metrics
from observability.middleware import RequestObserver
from observability.request_log import LOGGER_NAME, JsonFormatter, TextFormatter, formatter_for
from tests.app_client import bearer
from tests.conftest import TokenFactory

VIEWER = {"query": "query Viewer { viewer { id } }", "variables": {"secret": "do-not-log"}}


@pytest.fixture
def log_lines() -> Iterator[io.StringIO]:
    """Capture the request logger's output as JSON lines."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger(LOGGER_NAME)
    logger.addHandler(handler)
    previous = logger.level
    logger.setLevel(logging.INFO)
    yield stream
    logger.removeHandler(handler)
    logger.setLevel(previous)


def entries(stream: io.StringIO) -> list[dict[str, object]]:
    return [orjson.loads(line) for line in stream.getvalue().splitlines()]


async def test_a_graphql_request_logs_one_json_line_with_its_fields(
    db: str, client: httpx.AsyncClient, make_token: TokenFactory, log_lines: io.StringIO
) -> None:
    token = make_token(sub="user-7", account_id="acme")
    headers = {**bearer(token), "X-Request-Id": "req-42"}
    await client.post("/graphql", json=VIEWER, headers=headers)
    [entry] = entries(log_lines)
    expected = {
        "request_id": "req-42",
        "operation": "Viewer",
        "account": "acme",
        "subject": "user-7",
        "status": 200,
        "outcome": "ok",
    }
    assert {key: entry[key] for key in expected} == expected
    assert isinstance(entry["duration_ms"], float)


async def test_the_log_line_carries_no_token_header_or_variables(
    db: str, client: httpx.AsyncClient, make_token: TokenFactory, log_lines: io.StringIO
) -> None:
    token = make_token()
    await client.post("/graphql", json=VIEWER, headers=bearer(token))
    text = log_lines.getvalue()
    assert text and token not in text and "Bearer" not in text and "do-not-log" not in text


async def test_a_request_id_is_made_and_echoed_when_the_client_sends_none(
    db: str, client: httpx.AsyncClient, make_token: TokenFactory, log_lines: io.StringIO
) -> None:
    response = await client.post("/graphql", json=VIEWER, headers=bearer(make_token()))
    [entry] = entries(log_lines)
    assert entry["request_id"] == response.headers["x-request-id"]
    assert len(response.headers["x-request-id"]) == 32


async def test_a_forged_request_id_is_replaced(
    db: str, client: httpx.AsyncClient, make_token: TokenFactory, log_lines: io.StringIO
) -> None:
    headers = {**bearer(make_token()), "X-Request-Id": "a b\tinjected=1"}
    await client.post("/graphql", json=VIEWER, headers=headers)
    [entry] = entries(log_lines)
    assert entry["request_id"] != "a b\tinjected=1"


async def test_an_unauthenticated_request_logs_its_status_and_outcome(
    client: httpx.AsyncClient, log_lines: io.StringIO
) -> None:
    await client.post("/graphql", json=VIEWER, headers=bearer("forged"))
    [entry] = entries(log_lines)
    assert (entry["status"], entry["outcome"], entry["subject"]) == (401, "UNAUTHENTICATED", None)


async def test_probes_log_at_debug_level_only(
    client: httpx.AsyncClient, log_lines: io.StringIO
) -> None:
    await client.get("/healthz")
    assert log_lines.getvalue() == ""


def test_text_lines_quote_values_that_are_not_plain() -> None:
    record = logging.LogRecord(LOGGER_NAME, logging.INFO, "", 0, "request", None, None)
    record.request_fields = {"subject": 'a "b"\nc', "account": None, "status": 200}
    line = TextFormatter("%(message)s").format(record)
    assert line == 'request subject="a \\"b\\"\\nc" account=- status=200'


def test_json_is_chosen_by_the_log_format() -> None:
    assert isinstance(formatter_for("json"), JsonFormatter)


async def test_a_request_that_fails_unexpectedly_is_still_logged_as_500(
    log_lines: io.StringIO,
) -> None:
    async def broken(scope: object, receive: object, send: object) -> None:
        raise RuntimeError("boom")

    app = RequestObserver(broken, Metrics())
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
        await http.get("/graphql")
    [entry] = entries(log_lines)
    assert (entry["status"], entry["outcome"]) == (500, "INTERNAL_SERVER_ERROR")
