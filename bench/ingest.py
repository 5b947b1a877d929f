"""Ingest throughput: recordAuditLogs over HTTP beside the same rows written by the driver.

Two producers send batches of 500 events concurrently, as a platform (one batch
holds events of many accounts, as the host application's outbox would). The floor
writes the same rows in the same batches, in one transaction per batch, with the
service's own statements (models.audit_log_store) on the bare driver; rows, with
their sentence and search text, are built before timing starts.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import json
import random
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

import httpx

from bench.drivers import PostgresDriver, SqliteDriver
from bench.events import EventFactory, build_row
from bench.generate import Dataset, account_weights
from bench.results import Measurement
from models.audit_log import INSERT_COLUMNS
from models.audit_log_store import (
    advance_sequence,
    find_by_idempotency_keys,
    insert_entries,
    lock_sequence,
)
from resolvers.event_validation import NewEvent

BATCH = 500
PRODUCERS = 2
TARGET = 0.5  # the service keeps at least half the floor's rate
SEQUENCE = INSERT_COLUMNS.index("sequence")
RECORDED_AT = INSERT_COLUMNS.index("recorded_at")
KEY = INSERT_COLUMNS.index("idempotency_key")
MUTATION = (
    "mutation Record($input: [AuditLogInput!]!) "
    "{ recordAuditLogs(input: $input) { results { id: entryId duplicate } } }"
)


class IngestError(Exception):
    """A batch was refused or partly stored."""


@dataclass(frozen=True)
class Batch:
    """One batch: the GraphQL body the service gets, and the rows the floor writes."""

    body: bytes
    rows: list[tuple[str, list[object]]]


def make_batches(dataset: Dataset, count: int, run: str) -> list[Batch]:
    """`count` batches of new events (the last ten minutes) spread over the accounts.

    The service and the floor get the same events under different idempotency keys,
    so neither side's rows make the other's look like repeats.
    """
    rng = random.Random(run)
    factory = EventFactory(random.Random(f"{run}:events"))
    weights = account_weights(len(dataset.accounts), dataset.spec.hot_share)
    now = dt.datetime.now(dt.UTC)
    batches = []
    for number in range(count):
        inputs, rows = [], []
        for account in rng.choices(dataset.accounts, weights, k=BATCH):
            moment = now - dt.timedelta(seconds=rng.uniform(1, 600))
            event = factory.event(account, moment, f"{run}-{number}-{len(rows)}")
            if event.idempotency_key is None:
                inputs.append(as_input(account.id, event))
                rows.append((account.id, build_row(account.id, 0, event, now, now)))
                continue
            service = dataclasses.replace(event, idempotency_key=f"svc-{event.idempotency_key}")
            floor = dataclasses.replace(event, idempotency_key=f"floor-{event.idempotency_key}")
            inputs.append(as_input(account.id, service))
            rows.append((account.id, build_row(account.id, 0, floor, now, now)))
        body = {"query": MUTATION, "variables": {"input": inputs}}
        batches.append(Batch(json.dumps(body).encode(), rows))
    return batches


def as_input(account_id: str, event: NewEvent) -> dict[str, Any]:
    """The AuditLogInput JSON of an event, for a platform token (accountId set)."""
    actor, target = event.actor, event.target
    fields: dict[str, Any] = {
        "accountId": account_id,
        "action": event.action,
        "actor": actor
        and {"type": actor.type.value, "id": actor.id, "name": actor.name, "email": actor.email},
        "target": target and {"type": target.type, "id": target.id, "name": target.name},
        "changes": [
            {"field": c.field, "before": c.before, "after": c.after} for c in event.changes
        ],
        "metadata": event.metadata,
        "outcome": event.outcome.value,
        "failureReason": event.failure_reason,
        "ipAddress": event.ip_address,
        "userAgent": event.user_agent,
        "requestId": event.request_id,
        "occurredAt": event.occurred_at.isoformat() if event.occurred_at else None,
        "idempotencyKey": event.idempotency_key,
    }
    return {key: value for key, value in fields.items() if value is not None}


async def produce(batches: Sequence[Batch], send: Callable[[Batch], Awaitable[None]]) -> float:
    """Send the batches from PRODUCERS concurrent producers; return the seconds taken."""

    async def producer(mine: Sequence[Batch]) -> None:
        for batch in mine:
            await send(batch)

    started = time.perf_counter()
    await asyncio.gather(*(producer(batches[i::PRODUCERS]) for i in range(PRODUCERS)))
    return time.perf_counter() - started


def service_sender(
    client: httpx.AsyncClient, url: str, token: str
) -> Callable[[Batch], Awaitable[None]]:
    """Send a batch to recordAuditLogs and check every event was stored."""
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}

    async def send(batch: Batch) -> None:
        response = await client.post(f"{url}/graphql", content=batch.body, headers=headers)
        answer = response.json()
        if response.status_code != 200 or answer.get("errors"):
            raise IngestError(f"HTTP {response.status_code}: {str(answer)[:500]}")
        if len(answer["data"]["recordAuditLogs"]["results"]) != BATCH:
            raise IngestError("recordAuditLogs answered with fewer results than events sent")

    return send


def floor_sender(driver: SqliteDriver | PostgresDriver) -> Callable[[Batch], Awaitable[None]]:
    """Write a batch's rows as the service's store does, in one transaction."""

    async def send(batch: Batch) -> None:
        now = dt.datetime.now(dt.UTC)
        async with driver.transaction() as tx:
            for account_id in sorted({account for account, _ in batch.rows}):
                rows = [row for account, row in batch.rows if account == account_id]
                await _store(tx, account_id, rows, now)

    return send


async def _store(tx: Any, account_id: str, rows: list[list[object]], now: dt.datetime) -> None:
    last = await lock_sequence(tx, account_id)
    keys = [str(row[KEY]) for row in rows if row[KEY]]
    stored = await find_by_idempotency_keys(tx, account_id, keys) if keys else {}
    seen: set[object] = set()
    fresh = []
    for row in rows:
        key = row[KEY]
        if key is not None and (key in stored or key in seen):
            continue
        seen.add(key)
        last += 1
        stored_row = list(row)
        stored_row[SEQUENCE], stored_row[RECORDED_AT] = last, now
        fresh.append(stored_row)
    if fresh:
        await insert_entries(tx, fresh)
        await advance_sequence(tx, account_id, last)


def throughput(database: str, service: float, floor: float, events: int) -> Measurement:
    """Events per second of the service beside the floor's."""
    return Measurement(
        "ingest",
        database,
        "events/s",
        round(events / service, 1),
        round(events / floor, 1),
        target={"ratio_min": TARGET},
        samples=events,
    )
