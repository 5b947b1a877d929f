"""Real HTTP receivers for the destination tests: a Starlette app under uvicorn on 127.0.0.1."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import parse_qsl

import httpx
import uvicorn
from starlette.requests import Request
from starlette.types import ASGIApp

from streams.destinations import Outgoing


@contextmanager
def serving(app: ASGIApp) -> Iterator[str]:
    """Serve `app` on a free port of 127.0.0.1 in a background thread; yield its base URL."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    config = uvicorn.Config(app, log_level="warning", lifespan="off", access_log=False)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError(f"the test receiver on port {port} did not start")
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        listener.close()


def closed_port_url() -> str:
    """A URL on 127.0.0.1 where nothing listens, for network-error tests."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{probe.getsockname()[1]}"


async def send(client: httpx.AsyncClient, outgoing: list[Outgoing]) -> list[httpx.Response]:
    """Send each request as the delivery loop would; return the answers in order."""
    return [
        await client.request(
            request.method, request.url, headers=request.headers, content=request.body
        )
        for request in outgoing
    ]


async def form_of(request: Request) -> dict[str, str]:
    """The fields of an application/x-www-form-urlencoded body (OAuth token requests)."""
    if request.headers.get("content-type", "").split(";")[0] != "application/x-www-form-urlencoded":
        return {}
    return dict(parse_qsl((await request.body()).decode(), strict_parsing=True))
