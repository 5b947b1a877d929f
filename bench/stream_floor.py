"""The log-stream floor: the service's own webhook bodies POSTed again, straight to the receiver.

The benchmark process signs each body the receiver accepted from the stream afresh
with the `standardwebhooks` package and POSTs it to the receiver's replay side, one at
a time and as fast as the receiver answers, as the delivery loop sends one batch at a
time. No service code runs: what is left is the receiver's own cost (HTTP, signature,
JSON) and the client's, which no delivery loop can avoid. Its rate is the receiver's
ceiling; its time per POST is the part of the stream's lag that is not the service's.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Sequence
from dataclasses import dataclass

import httpx
from standardwebhooks import Webhook


class ReplayError(Exception):
    """The receiver refused a replayed body."""


@dataclass(frozen=True)
class Replayed:
    """The replay: bodies sent, seconds in all, and each POST's seconds."""

    batches: int
    seconds: float
    post_seconds: list[float]


def signed_headers(webhook: Webhook, message_id: str, body: bytes) -> dict[str, str]:
    """Standard Webhooks headers for `body` sent now as `message_id`."""
    now = dt.datetime.now(dt.UTC)
    return {
        "Content-Type": "application/json",
        "webhook-id": message_id,
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": webhook.sign(message_id, now, body.decode()),
    }


async def replay(
    client: httpx.AsyncClient, url: str, stream_secret: str, bodies: Sequence[bytes]
) -> Replayed:
    """POST `bodies` to `url`, one after another, each signed afresh."""
    webhook = Webhook(stream_secret)
    posts = []
    started = time.perf_counter()
    for number, body in enumerate(bodies):
        headers = signed_headers(webhook, f"msg_replay_{number}", body)
        sent = time.perf_counter()
        response = await client.post(url, content=body, headers=headers)
        posts.append(time.perf_counter() - sent)
        if response.status_code != 204:
            raise ReplayError(
                f"the receiver answered HTTP {response.status_code}: {response.text[:300]}"
            )
    return Replayed(len(bodies), time.perf_counter() - started, posts)
