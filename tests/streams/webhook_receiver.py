"""A slow, signature-checking webhook receiver for the delivery fault tests.

It runs under uvicorn in a thread on a port the test picks (so it can stop and come back
on the same one), records every batch as it arrives (before answering, so a batch whose
sender died mid-request is still counted) and answers 204 after `delay` seconds.
"""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import uvicorn
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

HOLD_LIMIT = 20.0  # seconds a held batch waits for `release` at most


@dataclass(frozen=True)
class Arrival:
    """One signed batch as it reached the receiver."""

    webhook_id: str
    sequences: tuple[int, ...]


class SlowReceiver:
    """Verifies each batch's Standard Webhooks signature, records it, answers after `delay`."""

    def __init__(self, secret: str, delay: float = 0.3) -> None:
        self.webhook = Webhook(secret)
        self.delay = delay
        self.arrivals: list[Arrival] = []
        self.refused = 0
        self.hold_at: int | None = None  # a batch with this sequence waits for `release`
        self.held = threading.Event()
        self.release = threading.Event()

    def app(self) -> Starlette:
        """The receiver as an ASGI app: POST /hook."""
        return Starlette(routes=[Route("/hook", self.handle, methods=["POST"])])

    async def handle(self, request: Request) -> Response:
        body = await request.body()
        try:
            payload = self.webhook.verify(body, dict(request.headers))
        except WebhookVerificationError:
            self.refused += 1
            return JSONResponse({"error": "bad signature"}, status_code=401)
        entries = payload["data"]["entries"]
        sequences = tuple(int(entry["sequence"]) for entry in entries)
        self.arrivals.append(Arrival(request.headers["webhook-id"], sequences))
        if self.hold_at is not None and self.hold_at in sequences:
            self.held.set()
            deadline = time.monotonic() + HOLD_LIMIT
            while not self.release.is_set() and time.monotonic() < deadline:
                await asyncio.sleep(0.02)
        await asyncio.sleep(self.delay)
        return Response(status_code=204)

    def sequences(self) -> list[int]:
        """Every sequence received, in arrival order, repeats included."""
        return [sequence for arrival in self.arrivals for sequence in arrival.sequences]


def reserve_port() -> int:
    """A free port of 127.0.0.1 for a receiver that will come and go."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def listening(receiver: SlowReceiver, port: int) -> Iterator[str]:
    """Serve `receiver` on 127.0.0.1:`port` in a thread; yield the hook URL; close the port."""
    listener = socket.socket()
    # The port comes back after a stop while old connections may sit in TIME_WAIT.
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", port))
    config = uvicorn.Config(receiver.app(), log_level="warning", lifespan="off", access_log=False)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            listener.close()
            raise RuntimeError(f"the webhook receiver on port {port} did not start")
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}/hook"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        listener.close()
