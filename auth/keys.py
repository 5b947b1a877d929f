"""Where verification keys come from: one configured key, or the identity provider's JWKS."""

from __future__ import annotations

import asyncio
from typing import Any, Protocol

import jwt

from auth.tokens import TokenError

# Unknown key ids trigger at most one JWKS refresh per this many seconds.
REFRESH_COOLDOWN_SECONDS = 30.0
CACHE_LIFESPAN_SECONDS = 300.0


class KeySource(Protocol):
    """Finds the key that verifies a given token."""

    async def key_for(self, token: str) -> Any:
        """Return the verification key for `token`, or raise TokenError."""
        ...


class StaticKey:
    """A single configured key (HMAC secret or PEM public key)."""

    def __init__(self, key: str) -> None:
        self.key = key

    async def key_for(self, token: str) -> Any:
        return self.key


class JwksKeys:
    """Keys from a JWKS document chosen by `kid`, cached and refreshed on unknown ids."""

    def __init__(self, url: str, cooldown: float = REFRESH_COOLDOWN_SECONDS) -> None:
        self.url = url
        self.client = jwt.PyJWKClient(
            url,
            cache_keys=False,
            lifespan=CACHE_LIFESPAN_SECONDS,
            timeout=5,
            cooldown_duration=cooldown,
        )

    async def key_for(self, token: str) -> Any:
        try:
            kid = jwt.get_unverified_header(token).get("kid")
        except jwt.InvalidTokenError as exc:
            raise TokenError(f"Token is malformed: {exc}.") from exc
        if not kid:
            raise TokenError('Token header has no "kid"; the identity provider must name its key.')
        try:
            # PyJWKClient blocks on HTTP; keep the event loop free.
            signing_key = await asyncio.to_thread(self.client.get_signing_key, kid)
        except jwt.PyJWKClientConnectionError as exc:
            raise TokenError(f"Signing keys could not be fetched from {self.url}.") from exc
        except jwt.PyJWKClientError as exc:
            raise TokenError(f'No signing key with kid "{kid}" at {self.url}.') from exc
        return signing_key.key
