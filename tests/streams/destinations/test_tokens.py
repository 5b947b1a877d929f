"""The token cache's expiry margin and the token exchange's judgement of answers."""

from __future__ import annotations

import httpx
import pytest

from streams.destinations import DestinationError
from streams.destinations.tokens import TokenCache, exchange


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_cached_token_is_dropped_a_margin_before_it_expires() -> None:
    clock = Clock()
    cache = TokenCache(margin=120, clock=clock)
    cache.put("key", "token", expires_in=3600)

    clock.now += 3479
    assert cache.get("key") == "token"
    clock.now += 1
    assert cache.get("key") is None


def test_tokens_are_kept_apart_by_key() -> None:
    cache = TokenCache()
    cache.put("one", "token-1", expires_in=3600)

    assert (cache.get("one"), cache.get("two")) == ("token-1", None)


def answering(status: int, body: bytes) -> httpx.AsyncClient:
    """A client whose every request gets this answer."""
    transport = httpx.MockTransport(lambda request: httpx.Response(status, content=body))
    return httpx.AsyncClient(transport=transport)


@pytest.mark.parametrize(
    ("status", "retryable"),
    [(400, False), (401, False), (403, False), (408, True), (429, True), (500, True), (503, True)],
)
async def test_a_refused_exchange_is_retryable_only_for_busy_answers(
    status: int, retryable: bool
) -> None:
    async with answering(status, b'{"error": "some_error"}') as client:
        with pytest.raises(DestinationError) as raised:
            await exchange(client, "https://idp.example/token", {}, issuer="IdP")

    assert raised.value.retryable is retryable
    assert f"{status} 'some_error'" in str(raised.value)


async def test_a_long_refusal_is_quoted_briefly() -> None:
    async with answering(400, b"x" * 5000) as client:
        with pytest.raises(DestinationError) as raised:
            await exchange(client, "https://idp.example/token", {}, issuer="IdP")

    assert len(str(raised.value)) < 400


async def test_an_answer_without_an_access_token_is_retryable() -> None:
    async with answering(200, b'{"token_type": "Bearer"}') as client:
        with pytest.raises(DestinationError) as raised:
            await exchange(client, "https://idp.example/token", {}, issuer="IdP")

    assert raised.value.retryable is True


async def test_an_answer_gives_the_token_and_its_lifetime() -> None:
    answer = b'{"access_token": "abc", "expires_in": "3599", "token_type": "Bearer"}'
    async with answering(200, answer) as client:
        assert await exchange(client, "https://idp.example/token", {}, issuer="IdP") == (
            "abc",
            3599.0,
        )
