"""OAuth 2.0 access tokens for receivers that want one (Azure Monitor, Google Cloud Logging).

A token is exchanged over the delivery loop's client and cached, per credentials, until
shortly before it expires. A refused or failed exchange raises `DestinationError`:
retryable for network errors and 408/429/5xx answers, not for other answers (400, 401,
403, ...), which mean the settings or the secret are wrong.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import httpx

from streams.destinations import DestinationError

REFRESH_MARGIN = 120.0  # seconds before expiry from which a cached token is not used
DEFAULT_LIFETIME = 300.0  # for an answer without expires_in
RETRYABLE_STATUSES = frozenset({408, 429})
QUOTE_LIMIT = 200  # characters of a refusal quoted in the error


@dataclass(frozen=True)
class AccessToken:
    """A bearer token and the clock reading at which it stops being used."""

    value: str
    use_until: float


class TokenCache:
    """Access tokens by credentials key, each dropped `margin` seconds before its expiry."""

    def __init__(
        self, *, margin: float = REFRESH_MARGIN, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._tokens: dict[str, AccessToken] = {}
        self._margin = margin
        self._clock = clock

    def get(self, key: str) -> str | None:
        """The cached token for `key`, or None when there is none still fresh."""
        token = self._tokens.get(key)
        if token is None or token.use_until <= self._clock():
            return None
        return token.value

    def put(self, key: str, value: str, expires_in: float) -> None:
        """Remember `value` for `key` for `expires_in` seconds less the margin."""
        now = self._clock()
        self._tokens = {k: t for k, t in self._tokens.items() if t.use_until > now}
        self._tokens[key] = AccessToken(value, now + expires_in - self._margin)


def cache_key(*parts: str) -> str:
    """A digest of the credentials `parts`, so the cache holds no secret in clear."""
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()


async def exchange(
    client: httpx.AsyncClient, url: str, form: Mapping[str, str], *, issuer: str
) -> tuple[str, float]:
    """POST the token request `form` to `url`; return the access token and its lifetime."""
    try:
        response = await client.post(url, data=dict(form), headers={"Accept": "application/json"})
    except httpx.HTTPError as exc:
        raise DestinationError(
            f"{issuer} token request to {url} failed: {exc!r}; it is retried later.",
            retryable=True,
        ) from exc
    if response.status_code != 200:
        retryable = response.status_code >= 500 or response.status_code in RETRYABLE_STATUSES
        fix = "it is retried later" if retryable else "check the stream's settings and secret"
        raise DestinationError(
            f"{issuer} refused the token request to {url} with {response.status_code} "
            f"{_quote(response)}; {fix}.",
            retryable=retryable,
        )
    return _token_from(response, issuer)


def _token_from(response: httpx.Response, issuer: str) -> tuple[str, float]:
    try:
        answer = response.json()
    except ValueError as exc:
        raise DestinationError(
            f"{issuer} answered the token request with no JSON: {_quote(response)}",
            retryable=True,
        ) from exc
    token = answer.get("access_token") if isinstance(answer, dict) else None
    if not isinstance(token, str) or not token:
        raise DestinationError(
            f"{issuer} answered the token request without an access_token: {_quote(response)}",
            retryable=True,
        )
    expires_in = answer.get("expires_in", DEFAULT_LIFETIME)
    try:
        lifetime = float(expires_in)
    except (TypeError, ValueError):
        lifetime = DEFAULT_LIFETIME
    return token, lifetime


def _quote(response: httpx.Response) -> str:
    """The answer in brief: OAuth's error and error_description when given, else its text."""
    try:
        answer = response.json()
    except ValueError:
        answer = None
    if isinstance(answer, dict) and "error" in answer:
        text = f"{answer['error']}: {answer.get('error_description', '')}".rstrip(": ")
    else:
        text = response.text
    text = " ".join(text.split())
    return repr(text[:QUOTE_LIMIT] + ("..." if len(text) > QUOTE_LIMIT else ""))
