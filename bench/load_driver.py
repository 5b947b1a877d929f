"""Keep `concurrency` requests of the mix in flight against the server until time or count runs out.

One asyncio client with a bounded connection pool (one connection per worker); each
worker sends its next request as soon as the previous one is answered. Only
127.0.0.1 is ever sent to. The server's resident memory is sampled once a second.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import httpx

from bench.load_answers import Checked, check_answer
from bench.load_mix import LoadMix, Request
from bench.load_tally import Tally
from bench.process_stats import rss_bytes

TIMEOUT = 60.0
RSS_EVERY = 1.0


class LoadError(Exception):
    """The mixed load cannot run (a server elsewhere than 127.0.0.1, or no API token)."""


@dataclass
class Driven:
    """What one stretch of load counted, how long it took, and the RSS samples (s, bytes)."""

    tally: Tally
    elapsed: float
    rss: list[tuple[float, int]] = field(default_factory=list)


def load_client(concurrency: int) -> httpx.AsyncClient:
    """An HTTP client holding at most `concurrency` connections, ignoring proxy variables."""
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    return httpx.AsyncClient(limits=limits, timeout=TIMEOUT, trust_env=False)


def check_loopback(url: str) -> None:
    """Refuse any server but one on 127.0.0.1."""
    if urlsplit(url).hostname != "127.0.0.1":
        raise LoadError(f'the load goes only to 127.0.0.1, not to "{url}"')


async def drive(
    client: httpx.AsyncClient,
    url: str,
    mix: LoadMix,
    *,
    seconds: float,
    max_requests: int,
    concurrency: int,
    pid: int,
) -> Driven:
    """Run the mix for `seconds` or `max_requests` requests, whichever ends first."""
    check_loopback(url)
    tally = Tally()
    deadline = time.monotonic() + seconds
    sent = 0

    async def worker() -> None:
        nonlocal sent
        while time.monotonic() < deadline and sent < max_requests:
            request: Request | None = mix.next()
            while request is not None and sent < max_requests:
                sent += 1
                request = await send(client, url, request, tally, mix)

    started = time.perf_counter()
    driven = Driven(tally, 0.0)
    sampler = asyncio.create_task(_sample_rss(pid, started, driven.rss))
    try:
        await asyncio.gather(*(worker() for _ in range(concurrency)))
    finally:
        sampler.cancel()
    driven.elapsed = time.perf_counter() - started
    return driven


async def send(
    client: httpx.AsyncClient, url: str, request: Request, tally: Tally, mix: LoadMix
) -> Request | None:
    """Send one request, count it; return the next page to fetch, if the request follows."""
    headers = {"Authorization": f"Bearer {request.token}", "Content-Type": "application/json"}
    events = request.batch.events if request.batch else 0
    started = time.perf_counter()
    try:
        response = await client.post(f"{url}/graphql", content=request.body(), headers=headers)
    except httpx.HTTPError as exc:
        checked, elapsed = Checked([type(exc).__name__]), time.perf_counter() - started
    else:
        elapsed = time.perf_counter() - started
        try:
            answer = response.json()
        except ValueError:
            answer = None
        checked = check_answer(response.status_code, answer, events, request.retry)
    tally.record(request.kind, elapsed, checked.errors, checked.stored, checked.duplicates)
    if checked.errors:
        return None
    mix.acknowledge(request)
    if request.follow and checked.end_cursor:
        return request.next_page(checked.end_cursor)
    return None


async def _sample_rss(pid: int, started: float, into: list[tuple[float, int]]) -> None:
    while True:
        into.append((round(time.perf_counter() - started, 1), rss_bytes(pid)))
        await asyncio.sleep(RSS_EVERY)


async def create_api_token(client: httpx.AsyncClient, url: str, admin_token: str) -> str:
    """A log-viewer API token of the admin's account, made through createApiToken."""
    check_loopback(url)
    mutation = (
        'mutation { createApiToken(input: {name: "bench dashboard", role: LOG_VIEWER}) { token } }'
    )
    headers = {"Authorization": f"Bearer {admin_token}"}
    response = await client.post(f"{url}/graphql", json={"query": mutation}, headers=headers)
    answer = response.json()
    if response.status_code != 200 or answer.get("errors"):
        raise LoadError(f"createApiToken: HTTP {response.status_code}: {str(answer)[:300]}")
    return str(answer["data"]["createApiToken"]["token"])
