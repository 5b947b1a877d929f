"""An ASGI gate that limits each authenticated caller's request rate.

It runs after the authentication gate and reads the caller it put in the scope.
Responses carry the RateLimit-Policy and RateLimit fields of
draft-ietf-httpapi-ratelimit-headers (-09/-10); a caller over its limit gets HTTP 429,
a GraphQL error with code RATE_LIMITED and a Retry-After field.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import orjson
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ratelimit.buckets import Buckets, Decision


@dataclass(frozen=True)
class Policy:
    """A named rate limit and the buckets of its callers."""

    name: str
    buckets: Buckets

    def policy_field(self) -> bytes:
        """The RateLimit-Policy value: quota q per window w seconds."""
        rate = self.buckets.rate
        return f'"{self.name}";q={rate.count};w={rate.seconds}'.encode()

    def limit_field(self, decision: Decision) -> bytes:
        """The RateLimit value: r requests remaining, t seconds until the quota is full."""
        return f'"{self.name}";r={decision.remaining};t={decision.reset_seconds}'.encode()


# From the scope, after authentication: (caller key, its policy), or None for no limit.
CallerOf = Callable[[Scope], tuple[str, Policy] | None]


class RateLimitGate:
    """Count each caller's requests against its policy; answer 429 when it is spent."""

    def __init__(self, app: ASGIApp, caller_of: CallerOf) -> None:
        self.app = app
        self.caller_of = caller_of

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        caller = self.caller_of(scope) if scope["type"] == "http" else None
        if caller is None:
            await self.app(scope, receive, send)
            return
        key, policy = caller
        decision = policy.buckets.take(key)
        fields = [
            (b"ratelimit-policy", policy.policy_field()),
            (b"ratelimit", policy.limit_field(decision)),
        ]
        if not decision.allowed:
            await _too_many(policy, decision, fields, send)
            return

        async def send_with_fields(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), *fields]}
            await send(message)

        await self.app(scope, receive, send_with_fields)


async def _too_many(
    policy: Policy, decision: Decision, fields: list[tuple[bytes, bytes]], send: Send
) -> None:
    message = (
        f"Rate limit of {policy.buckets.rate} reached; "
        f"retry in {decision.retry_after} s (see the Retry-After header)."
    )
    body = orjson.dumps(
        {"data": None, "errors": [{"message": message, "extensions": {"code": "RATE_LIMITED"}}]}
    )
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        (b"retry-after", str(decision.retry_after).encode()),
        *fields,
    ]
    await send({"type": "http.response.start", "status": 429, "headers": headers})
    await send({"type": "http.response.body", "body": body})
