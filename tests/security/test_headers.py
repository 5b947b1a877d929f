"""Security headers on every response, and a working policy for the GraphiQL page."""

from __future__ import annotations

import re

import httpx
import pytest

from ratelimit.rate import Rate
from tests.app_client import app_client, bearer, settings_with
from tests.conftest import TokenFactory

COMMON = {
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
}


def common_headers(response: httpx.Response) -> dict[str, str | None]:
    return {name: response.headers.get(name) for name in COMMON}


async def test_graphql_responses_carry_the_security_headers(
    db: str, client: httpx.AsyncClient, make_token: TokenFactory
) -> None:
    response = await client.post(
        "/graphql", json={"query": "{ viewer { id } }"}, headers=bearer(make_token())
    )
    assert common_headers(response) == COMMON
    assert response.headers["cache-control"] == "no-store"
    assert (
        response.headers["content-security-policy"] == "default-src 'none'; frame-ancestors 'none'"
    )


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        pytest.param({}, 401, id="unauthenticated"),
        pytest.param({"Content-Length": "999999999"}, 413, id="too-large"),
    ],
)
async def test_refusals_carry_the_security_headers(
    client: httpx.AsyncClient, headers: dict[str, str], status: int
) -> None:
    response = await client.post("/graphql", content=b"{}", headers=headers)
    assert response.status_code == status
    assert common_headers(response) == COMMON
    assert response.headers["cache-control"] == "no-store"


async def test_rate_limited_responses_carry_the_security_headers(
    db: str, make_token: TokenFactory
) -> None:
    async with app_client(settings_with(rate_limit=Rate(1, 60))) as client:
        token = make_token()
        for _ in range(2):
            response = await client.post(
                "/graphql", json={"query": "{ viewer { id } }"}, headers=bearer(token)
            )
    assert response.status_code == 429
    assert common_headers(response) == COMMON


async def test_hsts_is_sent_only_when_configured(db: str) -> None:
    async with app_client(settings_with()) as plain:
        without = await plain.get("/healthz")
    async with app_client(settings_with(hsts_max_age=31536000)) as strict:
        with_hsts = await strict.get("/healthz")
    assert "strict-transport-security" not in without.headers
    assert with_hsts.headers["strict-transport-security"] == "max-age=31536000"


async def test_the_graphiql_page_gets_a_policy_that_allows_what_it_loads(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get("/graphql", headers={"Accept": "text/html"})
    policy = response.headers["content-security-policy"]
    assert response.status_code == 200 and common_headers(response) == COMMON
    script_src = re.search(r"script-src ([^;]*)", policy)
    assert script_src is not None
    # Scripts from this origin only: the page runs no inline script, so no hash either.
    assert script_src[1] == "'self'" and "https:" not in policy
    for url in re.findall(r'<script[^>]*src="([^"]+)"', response.text):
        assert url.startswith(("/graphiql-assets/", "/graphiql-page/"))
    assert not re.findall(r"<script>", response.text)
    assert "frame-ancestors 'none'" in policy and "connect-src 'self'" in policy
