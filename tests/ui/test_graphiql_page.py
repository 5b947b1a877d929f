"""The GraphiQL page's HTML: the example query, the development token, caching, its policy."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import pytest

from schema.ide import EXAMPLE_QUERY, ide_page
from security.headers import IDE_POLICY
from server import create_app
from settings import Settings
from tests.conftest import GraphQLClient, TokenFactory, settings_with
from tests.factories import event, record

DEV_TOKEN = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiI5IiwiYWNjb3VudF9pZCI6ImRlbW8ifQ.c2lnbmF0dXJl"
CONFIG = re.compile(
    r'<script id="graphiql-page-config" type="application/json">(.*?)</script>', re.DOTALL
)


@asynccontextmanager
async def page_client(
    settings: Settings, ide_token: str | None = None
) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings, manage_database=False, ide_token=ide_token)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


async def get_page(settings: Settings, ide_token: str | None = None) -> httpx.Response:
    async with page_client(settings, ide_token) as client:
        response = await client.get("/graphql", headers={"Accept": "text/html"})
    assert response.status_code == 200
    return response


def config_of(html: str) -> dict[str, object]:
    match = CONFIG.search(html)
    assert match is not None, "the page has no configuration block"
    config: dict[str, object] = json.loads(match[1])
    return config


async def test_the_development_page_carries_the_viewer_token_and_the_example_query() -> None:
    response = await get_page(settings_with(dev_mode=True), DEV_TOKEN)
    config = config_of(response.text)
    assert config == {"exampleQuery": EXAMPLE_QUERY, "developmentToken": DEV_TOKEN}


async def test_outside_development_mode_the_page_carries_no_token() -> None:
    response = await get_page(settings_with(dev_mode=False))
    assert config_of(response.text) == {"exampleQuery": EXAMPLE_QUERY, "developmentToken": None}
    assert "eyJ" not in response.text and "Bearer" not in response.text


def test_a_page_token_outside_development_mode_is_refused() -> None:
    with pytest.raises(ValueError, match="only development mode"):
        create_app(settings_with(dev_mode=False), ide_token=DEV_TOKEN)


@pytest.mark.parametrize("dev_mode", [True, False], ids=["development", "configured"])
async def test_the_page_is_never_cached(dev_mode: bool) -> None:
    response = await get_page(settings_with(dev_mode=dev_mode), DEV_TOKEN if dev_mode else None)
    assert response.headers["cache-control"] == "no-store"


async def test_the_page_runs_no_inline_script_and_its_policy_allows_only_this_origin() -> None:
    response = await get_page(settings_with(dev_mode=True), DEV_TOKEN)
    policy = response.headers["content-security-policy"]
    assert policy == IDE_POLICY
    assert "script-src 'self';" in policy and "connect-src 'self';" in policy
    assert not re.search(r"https?:|'unsafe-eval'|'sha256-|\*", policy)
    for tag in re.findall(r"<script\b[^>]*>", response.text):
        assert 'src="/graphiql-' in tag or 'type="application/json"' in tag, tag


def test_no_value_can_close_the_configuration_block() -> None:
    html = ide_page("</script><script>alert(1)</script>&")
    assert html.count("</script>") == html.count("<script")
    assert config_of(html)["developmentToken"] == "</script><script>alert(1)</script>&"


async def test_the_example_query_finds_entries_for_a_log_viewer(
    gql: GraphQLClient, make_token: TokenFactory
) -> None:
    await record("acme", event("user.sign_in", target=None))
    status, body = await gql(EXAMPLE_QUERY, token=make_token(roles=["log_viewer"]))
    assert status == 200 and "errors" not in body, body
    connection = body["data"]["auditLogs"]
    assert connection["totalCount"] == "1"
    assert connection["edges"][0]["node"]["description"] == "Alice Smith signed in"
    assert connection["edges"][0]["node"]["actor"] == {"name": "Alice Smith"}
