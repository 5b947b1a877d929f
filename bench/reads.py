"""Read timings over HTTP: dashboard pages beside their floor, and the deep page beside page 1.

Requests are sequential (latency, not throughput) and the two sides alternate, so a
slow moment of the machine hits both alike.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import httpx

from bench.results import Measurement, latency_pair
from bench.scenarios import PAGE_SIZE, ReadScenario

DASHBOARD_TARGETS = (2.0, 3.0)  # p50, p95 at most this many times the floor
DEEP_PAGE_TARGET = 1.2  # p50 of the deep page at most this many times page 1
DEEP_PAGE = 1000


class ReadError(Exception):
    """A read answered with an HTTP error or GraphQL errors."""


@dataclass
class Endpoints:
    """Where the service and the floor listen, and the reader's credentials."""

    client: httpx.AsyncClient
    service: str
    floor: str
    token: str

    def headers(self) -> dict[str, str]:
        """Request headers for the service (the floor ignores them)."""
        return {"Authorization": f"Bearer {self.token}", "Content-Type": "application/json"}

    async def ask_service(self, body: bytes) -> tuple[float, dict[str, Any]]:
        """Post a GraphQL body to the service; return seconds taken and the answer."""
        return await self._post(f"{self.service}/graphql", body)

    async def ask_floor(self, scenario: str, body: bytes) -> tuple[float, dict[str, Any]]:
        """Post the same body to the floor's endpoint for `scenario`."""
        return await self._post(f"{self.floor}/floor/{scenario}", body)

    async def _post(self, url: str, body: bytes) -> tuple[float, dict[str, Any]]:
        started = time.perf_counter()
        response = await self.client.post(url, content=body, headers=self.headers())
        elapsed = time.perf_counter() - started
        answer: dict[str, Any] = response.json()
        if response.status_code != 200 or answer.get("errors"):
            raise ReadError(f"{url}: HTTP {response.status_code}: {str(answer)[:500]}")
        return elapsed, answer


async def compare_with_floor(endpoints: Endpoints, scenario: ReadScenario) -> str | None:
    """None when the floor answers a page with the service's JSON (cursors aside), else why not."""
    _, service = await endpoints.ask_service(scenario.body())
    _, floor = await endpoints.ask_floor(scenario.name, scenario.body())
    ours, theirs = _without_cursors(service), _without_cursors(floor)
    theirs.pop("other", None)
    ours = {key: value for key, value in ours.items() if key in ("edges", "pageInfo")}
    if ours == theirs:
        return None
    return f"floor JSON differs from the service's for {scenario.name}"


def _without_cursors(answer: dict[str, Any]) -> dict[str, Any]:
    page = dict(answer["data"]["auditLogs"])
    page["edges"] = [edge["node"] for edge in page["edges"]]
    page["pageInfo"] = {k: v for k, v in page["pageInfo"].items() if not k.endswith("Cursor")}
    return page


async def time_scenario(
    endpoints: Endpoints, scenario: ReadScenario, requests: int, warmup: int, *, floor: bool
) -> tuple[list[float], list[float]]:
    """Seconds per request for the service and (if `floor`) the floor, alternating."""
    body = scenario.body()
    service_times: list[float] = []
    floor_times: list[float] = []
    for index in range(warmup + requests):
        keep = index >= warmup
        sides = [True, False] if index % 2 == 0 else [False, True]
        for is_service in sides:
            if is_service:
                elapsed, _ = await endpoints.ask_service(body)
                if keep:
                    service_times.append(elapsed)
            elif floor:
                elapsed, _ = await endpoints.ask_floor(scenario.name, body)
                if keep:
                    floor_times.append(elapsed)
    return service_times, floor_times


async def measure_reads(
    endpoints: Endpoints,
    database: str,
    scenarios: Sequence[ReadScenario],
    requests: int,
    warmup: int,
    prefix: str,
) -> list[Measurement]:
    """p50 and p95 of each scenario beside its floor."""
    measurements = []
    for scenario in scenarios:
        mismatch = await compare_with_floor(endpoints, scenario) if scenario.is_page else None
        service, floor = await time_scenario(endpoints, scenario, requests, warmup, floor=True)
        pair = latency_pair(
            f"{prefix}.{scenario.name}", database, service, floor, DASHBOARD_TARGETS
        )
        for measurement in pair:
            measurement.note = mismatch
        measurements.extend(pair)
    return measurements


async def walk_to_page(
    endpoints: Endpoints, scenario: ReadScenario, depth: int
) -> tuple[str | None, int, float]:
    """Follow endCursor from page 1; return the cursor that opens page `depth` (or the last
    page), that page's number and the seconds the walk took."""
    cursor: str | None = None
    started = time.perf_counter()
    number = 1
    while number < depth:
        _, answer = await endpoints.ask_service(scenario.body(cursor))
        info = answer["data"]["auditLogs"]["pageInfo"]
        if not info["hasNextPage"]:
            break
        cursor = info["endCursor"]
        number += 1
    return cursor, number, time.perf_counter() - started


@dataclass(frozen=True)
class DeepPage:
    """The deep page's measurements and the request body that fetches it."""

    measurements: list[Measurement]
    body: bytes


async def measure_deep_page(
    endpoints: Endpoints,
    database: str,
    scenario: ReadScenario,
    requests: int,
    warmup: int,
    entries: int,
    depth: int = DEEP_PAGE,
) -> DeepPage:
    """Page `depth` (or the deepest full page of `entries`) reached by cursors, beside page 1."""
    depth = max(1, min(depth, entries // PAGE_SIZE))
    cursor, number, walked = await walk_to_page(endpoints, scenario, depth)
    first, deep = scenario.body(), scenario.body(cursor)
    first_times: list[float] = []
    deep_times: list[float] = []
    for index in range(warmup + requests):
        order = [(first, first_times), (deep, deep_times)]
        for body, times in order if index % 2 == 0 else reversed(order):
            elapsed, answer = await endpoints.ask_service(body)
            if len(answer["data"]["auditLogs"]["edges"]) != PAGE_SIZE:
                raise ReadError(f"page {number} is not a full page")
            if index >= warmup:
                times.append(elapsed)
    note = f"page {number} ({(number - 1) * PAGE_SIZE:,} entries in)"
    found = latency_pair("deep_page", database, deep_times, first_times, (DEEP_PAGE_TARGET, None))
    for measurement in found:
        measurement.note = None if number == DEEP_PAGE else note
    walk = Measurement("deep_page.walk", database, "s", round(walked, 2), samples=number - 1)
    walk.note = f"{number - 1} pages followed by cursor"
    return DeepPage([*found, walk], deep)
