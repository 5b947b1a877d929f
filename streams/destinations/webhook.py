"""Webhook destination: one JSON POST per batch, signed per the Standard Webhooks spec.

Receivers verify it with any Standard Webhooks library (e.g. the `standardwebhooks`
package): the `webhook-signature` header carries "v1,<base64 HMAC-SHA256>" of
"<webhook-id>.<webhook-timestamp>.<body>" under the key inside the "whsec_" secret.
`webhook-id` names the batch (stream and sequence range), so a retried batch keeps it
and a receiver can drop what it has already processed.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import time
from collections.abc import Mapping

import httpx

from streams.destinations import Batch, DestinationError, Outgoing
from streams.destinations.checks import check_url, setting
from streams.destinations.payloads import encode

KIND = "webhook"
SETTINGS: tuple[str, ...] = ("url",)
EVENT_TYPE = "audit_log.batch"
SECRET_PREFIX = "whsec_"
KEY_BYTES = (24, 64)  # the key length the spec asks for
MAKE_SECRET = "make one with: echo whsec_$(openssl rand -base64 32)"


def check(settings: Mapping[str, str], secret: str | None) -> list[str]:
    """Problems with the settings and the signing secret; [] when the webhook is usable."""
    problems = check_url(
        settings, "url", example="https://example.com/audit-hook", allow_query=True
    )
    return problems + _secret_problems(secret)


async def requests(
    batch: Batch, settings: Mapping[str, str], secret: str, client: httpx.AsyncClient
) -> list[Outgoing]:
    """The batch as one signed POST to the webhook URL."""
    body = encode(
        {
            "type": EVENT_TYPE,
            # The batch's latest entry time, so a retried batch carries the same body.
            "timestamp": batch.entries[-1].occurred_at,
            "data": {
                "account_id": batch.account_id,
                "stream_id": batch.stream_id,
                "entries": [entry.document for entry in batch.entries],
            },
        }
    )
    message_id = webhook_id(batch)
    timestamp = str(int(time.time()))
    headers = {
        "Content-Type": "application/json",
        "webhook-id": message_id,
        "webhook-timestamp": timestamp,
        "webhook-signature": sign(_key_or_error(secret), message_id, timestamp, body),
    }
    return [Outgoing("POST", setting(settings, "url"), headers, body)]


def webhook_id(batch: Batch) -> str:
    """The batch's message id: the same for every try of the same entries of one stream."""
    name = f"{batch.stream_id}\0{batch.first_sequence}\0{batch.last_sequence}"
    return "msg_" + hashlib.sha256(name.encode()).hexdigest()[:32]


def sign(key: bytes, message_id: str, timestamp: str, body: bytes) -> str:
    """The `webhook-signature` value of `body` sent as `message_id` at `timestamp`."""
    signed = f"{message_id}.{timestamp}.".encode() + body
    digest = hmac.new(key, signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def signing_key(secret: str) -> bytes:
    """The HMAC key inside a "whsec_<base64>" secret."""
    encoded = secret.strip().removeprefix(SECRET_PREFIX)
    return base64.b64decode(encoded + "=" * (-len(encoded) % 4), validate=True)


def _key_or_error(secret: str) -> bytes:
    problems = _secret_problems(secret)
    if problems:
        raise DestinationError(problems[0], retryable=False)
    return signing_key(secret)


def _secret_problems(secret: str | None) -> list[str]:
    if secret is None or not secret.strip():
        return [f"secret: missing; {MAKE_SECRET}."]
    if not secret.strip().startswith(SECRET_PREFIX):
        return [f'secret: does not start with "{SECRET_PREFIX}"; {MAKE_SECRET}.']
    try:
        key = signing_key(secret)
    except (binascii.Error, ValueError):
        return [f'secret: the part after "{SECRET_PREFIX}" is not base64; {MAKE_SECRET}.']
    low, high = KEY_BYTES
    if not low <= len(key) <= high:
        return [f"secret: holds a {len(key)}-byte key, not {low} to {high} bytes; {MAKE_SECRET}."]
    return []
