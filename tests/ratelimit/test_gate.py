"""Rate limits over HTTP: after authentication, per caller, with RateLimit fields."""

from __future__ import annotations

import httpx

from ratelimit.rate import Rate
from tests.app_client import app_client, bearer, settings_with
from tests.conftest import TokenFactory

VIEWER = {"query": "{ viewer { id } }"}
TWO_PER_MINUTE = settings_with(rate_limit=Rate(2, 60), ingest_rate_limit=Rate(5, 60))


async def post_times(client: httpx.AsyncClient, token: str, times: int) -> list[httpx.Response]:
    return [await client.post("/graphql", json=VIEWER, headers=bearer(token)) for _ in range(times)]


async def test_a_caller_over_its_limit_gets_429_rate_limited_with_retry_after(
    db: str, make_token: TokenFactory
) -> None:
    async with app_client(TWO_PER_MINUTE) as client:
        *_, refused = await post_times(client, make_token(), 3)
    assert refused.status_code == 429
    assert refused.json()["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
    assert refused.headers["retry-after"] == "30"


async def test_responses_carry_the_ratelimit_policy_and_ratelimit_fields(
    db: str, make_token: TokenFactory
) -> None:
    async with app_client(TWO_PER_MINUTE) as client:
        [response] = await post_times(client, make_token(), 1)
    fields = (response.headers["ratelimit-policy"], response.headers["ratelimit"])
    assert fields == ('"caller";q=2;w=60', '"caller";r=1;t=30')


async def test_callers_are_limited_separately(db: str, make_token: TokenFactory) -> None:
    async with app_client(TWO_PER_MINUTE) as client:
        await post_times(client, make_token(sub="user-1"), 2)
        [other] = await post_times(client, make_token(sub="user-2"), 1)
    assert other.status_code == 200


async def test_the_same_subject_in_another_account_is_another_caller(
    db: str, make_token: TokenFactory
) -> None:
    async with app_client(TWO_PER_MINUTE) as client:
        await post_times(client, make_token(account_id="acme"), 2)
        [other] = await post_times(client, make_token(account_id="globex"), 1)
    assert other.status_code == 200


async def test_ingest_only_callers_have_their_own_limit(db: str, make_token: TokenFactory) -> None:
    async with app_client(TWO_PER_MINUTE) as client:
        responses = await post_times(client, make_token(["ingest"]), 5)
    assert [r.status_code for r in responses] == [200] * 5
    assert responses[0].headers["ratelimit-policy"] == '"ingest";q=5;w=60'


async def test_unauthenticated_requests_are_not_counted(db: str, make_token: TokenFactory) -> None:
    async with app_client(settings_with(rate_limit=Rate(1, 60))) as client:
        rejected = await post_times(client, "forged", 3)
        [first] = await post_times(client, make_token(), 1)
    assert [r.status_code for r in rejected] == [401] * 3
    assert "ratelimit" not in rejected[0].headers
    assert first.status_code == 200


async def test_a_disabled_limit_sends_no_fields(db: str, make_token: TokenFactory) -> None:
    async with app_client(settings_with(rate_limit=None)) as client:
        responses = await post_times(client, make_token(), 3)
    assert [r.status_code for r in responses] == [200] * 3
    assert "ratelimit" not in responses[0].headers
