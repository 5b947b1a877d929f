"""The ingest of the mixed load: fresh batches of new events, and retries of acknowledged ones.

Every event carries an idempotency key unique to the run, so a retried batch (the
same body, as a producer resends it after a lost answer) must come back with every
result marked `duplicate` and store nothing.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import random
from collections import deque
from dataclasses import dataclass

from bench.accounts import Account
from bench.events import EventFactory
from bench.ingest import MUTATION, as_input
from bench.weighted import Weighted

BATCH_SIZES = Weighted.of(((10, 4), (50, 4), (200, 1)))
RETRY_HISTORY = 64  # acknowledged batches a retry may repeat


@dataclass(frozen=True)
class IngestBatch:
    """One recordAuditLogs request: its body, its size, and for which account (None: many)."""

    body: bytes
    events: int
    account: Account | None


class IngestBatches:
    """Builds fresh batches and remembers acknowledged ones for retries."""

    def __init__(self, run: str, seed: int) -> None:
        self.run = run
        self.factory = EventFactory(random.Random(f"{run}:{seed}:events"))
        self.count = 0
        self.acknowledged: deque[tuple[str, IngestBatch]] = deque(maxlen=RETRY_HISTORY)

    def fresh(
        self,
        rng: random.Random,
        accounts: list[Account],
        cumulative: list[float],
        account: Account | None,
    ) -> IngestBatch:
        """New events of `account` (an account-bound token), or of `accounts` drawn by
        cumulative weights (a platform token, which names each event's account)."""
        self.count += 1
        now = dt.datetime.now(dt.UTC)
        inputs = []
        for number in range(BATCH_SIZES.choose(rng)):
            owner = account or rng.choices(accounts, cum_weights=cumulative)[0]
            key = f"load-{self.run}-{self.count}-{number}"
            moment = now - dt.timedelta(seconds=rng.uniform(0.05, 120))
            event = dataclasses.replace(self.factory.event(owner, moment, key), idempotency_key=key)
            fields = as_input(owner.id, event)
            if account is not None:
                del fields["accountId"]  # the token names the account
            inputs.append(fields)
        body = json.dumps({"query": MUTATION, "variables": {"input": inputs}}).encode()
        return IngestBatch(body, len(inputs), account)

    def acknowledge(self, token: str, batch: IngestBatch) -> None:
        """Keep a batch the service stored, so a later retry can resend it."""
        self.acknowledged.append((token, batch))

    def retry(self, rng: random.Random) -> tuple[str, IngestBatch] | None:
        """A stored batch with the token that sent it, or None before any was stored."""
        return rng.choice(self.acknowledged) if self.acknowledged else None
