"""The log-stream phase's ingest: the ingest benchmark's batches and producers, for a fixed time.

PRODUCERS concurrent producers send the ingest benchmark's batches (bench/ingest.py:
500 new events across accounts, a platform token) to recordAuditLogs, each sending its
next batch as soon as the last is answered, until the time is up. The entry ids the
service answers for the hot account's events are kept: they are what the stream must
deliver.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

import httpx

from bench.ingest import PRODUCERS, Batch, IngestError


@dataclass
class Ingested:
    """What the producers stored; times in seconds since the epoch."""

    started: float
    finished: float = 0.0
    batches: int = 0
    events: int = 0
    ran_out: bool = False  # the prepared batches ended before the time did
    hot_ids: list[str] = field(default_factory=list)
    answered: dict[str, float] = field(default_factory=dict)  # hot id -> when its batch was
    # answered

    @property
    def seconds(self) -> float:
        """How long the producers ran."""
        return self.finished - self.started


def hot_entry_ids(batch: Batch, answer: dict[str, object], hot: str) -> list[str]:
    """The ids recordAuditLogs answered for the batch's events of account `hot` (new ones)."""
    try:
        results = answer["data"]["recordAuditLogs"]["results"]  # type: ignore[index]
    except (KeyError, TypeError) as exc:
        raise IngestError(f"recordAuditLogs answered {str(answer)[:500]}") from exc
    if len(results) != len(batch.rows):
        raise IngestError(
            f"recordAuditLogs answered {len(results)} results for {len(batch.rows)} events"
        )
    return [
        str(result["id"])
        for (account, _), result in zip(batch.rows, results, strict=True)
        if account == hot and not result["duplicate"]
    ]


async def ingest_for(
    client: httpx.AsyncClient,
    url: str,
    token: str,
    batches: Sequence[Batch],
    seconds: float,
    hot: str,
) -> Ingested:
    """Send `batches` from PRODUCERS producers until `seconds` have passed (or none are left)."""
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    pending: Iterator[Batch] = iter(batches)
    ingested = Ingested(started=time.time())
    deadline = time.monotonic() + seconds

    async def producer() -> None:
        while time.monotonic() < deadline:
            batch = next(pending, None)
            if batch is None:
                ingested.ran_out = True
                return
            response = await client.post(f"{url}/graphql", content=batch.body, headers=headers)
            answered = time.time()
            answer = response.json()
            if response.status_code != 200 or answer.get("errors"):
                raise IngestError(f"HTTP {response.status_code}: {str(answer)[:500]}")
            ids = hot_entry_ids(batch, answer, hot)
            ingested.hot_ids += ids
            ingested.answered.update((entry_id, answered) for entry_id in ids)
            ingested.batches += 1
            ingested.events += len(batch.rows)

    await asyncio.gather(*(producer() for _ in range(PRODUCERS)))
    ingested.finished = time.time()
    return ingested
