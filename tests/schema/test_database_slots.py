"""One request's database-heavy fields run at most a few at a time; others are served."""

from __future__ import annotations

import asyncio
import datetime as dt

import httpx
import pytest

import resolvers.histogram
from tests.conftest import GraphQLClient, TokenFactory, error_code

SLOTS = 2  # the default of AUDITLOG_REQUEST_DB_CONCURRENCY


class Gate:
    """Stands in for the bucket count: records how many run at once and waits to be opened."""

    def __init__(self) -> None:
        self.running = 0
        self.most = 0
        self.calls = 0
        self.full = asyncio.Event()
        self.open = asyncio.Event()

    async def reaches(self, running: int) -> None:
        """Return once `running` counts are in progress at the same time."""
        while self.running < running:
            await asyncio.sleep(0.001)

    async def bucket_counts(self, where: object, edges: list[dt.datetime]) -> list[int]:
        self.running += 1
        self.calls += 1
        self.most = max(self.most, self.running)
        if self.running == SLOTS:
            self.full.set()
        await self.open.wait()
        self.running -= 1
        return [0] * (len(edges) - 1)


@pytest.fixture
def gate(monkeypatch: pytest.MonkeyPatch) -> Gate:
    gate = Gate()
    monkeypatch.setattr(resolvers.histogram, "bucket_counts", gate.bucket_counts)
    return gate


HISTOGRAM = (
    'auditLogHistogram(interval: DAY, filter: {occurredAfter: "2026-11-01T00:00:00Z", '
    'occurredBefore: "2026-11-03T00:00:00Z"}) { count }'
)


async def test_aliased_histograms_of_one_request_run_at_most_two_at_once_while_others_are_served(
    gql: GraphQLClient, client: httpx.AsyncClient, make_token: TokenFactory, gate: Gate
) -> None:
    query = "{ " + " ".join(f"h{i}: {HISTOGRAM}" for i in range(8)) + " }"
    request = asyncio.create_task(gql(query, token=make_token()))
    await asyncio.wait_for(gate.full.wait(), timeout=10)
    # Two histograms hold their slots; the service still answers other requests.
    ready = await client.get("/readyz")
    _, other = await gql("{ viewer { externalId } }", token=make_token())
    assert ready.status_code == 200 and other["data"]["viewer"]["externalId"] == "user-1"
    assert gate.running == SLOTS and not request.done()
    gate.open.set()
    _, body = await asyncio.wait_for(request, timeout=10)
    assert error_code(body) is None and len(body["data"]) == 8
    assert gate.calls == 8 and gate.most == SLOTS


async def test_each_request_has_its_own_slots(
    gql: GraphQLClient, make_token: TokenFactory, gate: Gate
) -> None:
    two = "{ " + HISTOGRAM + " a: " + HISTOGRAM + " }"
    first = asyncio.create_task(gql(two, token=make_token()))
    await asyncio.wait_for(gate.full.wait(), timeout=10)
    gate.full.clear()
    # A second request is not queued behind the first one's full slots.
    second = asyncio.create_task(gql("{ " + HISTOGRAM + " }", token=make_token()))
    await asyncio.wait_for(gate.reaches(SLOTS + 1), timeout=10)
    gate.open.set()
    for task in (first, second):
        _, body = await asyncio.wait_for(task, timeout=10)
        assert error_code(body) is None
    assert gate.most == SLOTS + 1
