"""The mixed load's traffic: which kind of request comes next, from whom, with what body.

Readers are admins and log viewers (JWTs) of the busiest accounts, weighted by their
share of events, plus one API token (log viewer) of the hot account. Producers are a
platform ingest token (events of many accounts per batch) and account-bound ingest
tokens. Weights count requests, not server time.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from dataclasses import dataclass, replace
from itertools import accumulate
from typing import Any

from auth.principal import Role
from bench.accounts import Account
from bench.generate import Dataset, account_weights
from bench.load_ingest import IngestBatch, IngestBatches
from bench.load_reads import FACETS_QUERY, HISTOGRAM_QUERY, PAGE_QUERY, TOTAL_QUERY, ReadRequests
from bench.weighted import Weighted

KINDS = Weighted.of(
    (
        ("page", 24),
        ("page_filtered", 18),
        ("search", 14),
        ("total_count", 8),
        ("facets", 8),
        ("histogram", 8),
        ("ingest", 16),
        ("ingest_retry", 4),
    )
)
READ_QUERIES = {
    "page": PAGE_QUERY,
    "page_filtered": PAGE_QUERY,
    "search": PAGE_QUERY,
    "total_count": TOTAL_QUERY,
    "facets": FACETS_QUERY,
    "histogram": HISTOGRAM_QUERY,
}
READ_ACCOUNTS = 12  # the busiest accounts have readers
NEXT_PAGE = 0.2  # share of pages followed by the next page (by endCursor)
PLATFORM_SHARE = 0.5  # share of fresh batches sent by the platform token
# issue(subject, account id or None, role) -> a signed token
Issue = Callable[[str, str | None, Role], str]


@dataclass(frozen=True)
class Request:
    """One request of the load: its kind, bearer token and GraphQL body."""

    kind: str
    token: str
    query: str = ""
    variables: dict[str, Any] | None = None
    batch: IngestBatch | None = None  # ingest: the batch (its body is sent as is)
    retry: bool = False  # ingest: every event repeats a stored idempotency key
    follow: bool = False  # page: fetch the next page too

    def body(self) -> bytes:
        """The JSON body to POST to /graphql."""
        if self.batch is not None:
            return self.batch.body
        return json.dumps({"query": self.query, "variables": self.variables or {}}).encode()

    def next_page(self, cursor: str) -> Request:
        """The same page request after `cursor`, not followed further."""
        return replace(self, variables={**(self.variables or {}), "after": cursor}, follow=False)


class LoadMix:
    """Draws the load's requests; one instance per client, with its own random stream."""

    def __init__(self, dataset: Dataset, issue: Issue, api_token: str, run: str, seed: int):
        self.rng = random.Random(f"{run}:{seed}:mix")
        self.accounts = dataset.accounts
        self.weights = account_weights(len(self.accounts), dataset.spec.hot_share)
        self.cumulative = list(accumulate(self.weights))
        self.reads = ReadRequests(dataset.end)
        self.batches = IngestBatches(run, seed)
        self.issue = issue
        readers = self._readers(api_token, dataset.hot)
        self.readers = Weighted.of(readers)
        self.platform = issue("bench-platform", None, Role.INGEST)
        self._producers: dict[str, str] = {}

    def _readers(self, api_token: str, hot: Account) -> list[tuple[tuple[Account, str], float]]:
        readers = []
        for account, weight in list(zip(self.accounts, self.weights, strict=True))[:READ_ACCOUNTS]:
            admin = self.issue(account.users[0].id, account.id, Role.ADMIN)
            viewer = self.issue(account.users[-1].id, account.id, Role.LOG_VIEWER)
            readers += [((account, admin), weight * 0.3), ((account, viewer), weight * 0.7)]
        readers.append(((hot, api_token), self.weights[0] * 0.3))
        return readers

    def next(self) -> Request:
        """The next request."""
        rng = self.rng
        kind = KINDS.choose(rng)
        if kind == "ingest_retry":
            repeated = self.batches.retry(rng)
            if repeated is not None:
                token, batch = repeated
                return Request(kind, token, batch=batch, retry=True)
            kind = "ingest"
        if kind == "ingest":
            return self._fresh_batch()
        account, token = self.readers.choose(rng)
        variables = getattr(self.reads, kind)(rng, account)
        follow = kind in ("page", "page_filtered", "search") and rng.random() < NEXT_PAGE
        return Request(kind, token, READ_QUERIES[kind], variables, follow=follow)

    def acknowledge(self, request: Request) -> None:
        """Note that the service stored a fresh batch, so it may be retried later."""
        if request.batch is not None and not request.retry:
            self.batches.acknowledge(request.token, request.batch)

    def _fresh_batch(self) -> Request:
        rng = self.rng
        if rng.random() < PLATFORM_SHARE:
            return Request("ingest", self.platform, batch=self._batch(None))
        account = rng.choices(self.accounts, cum_weights=self.cumulative)[0]
        token = self._producers.get(account.id)
        if token is None:
            token = self.issue(f"host-app-{account.id}", account.id, Role.INGEST)
            self._producers[account.id] = token
        return Request("ingest", token, batch=self._batch(account))

    def _batch(self, account: Account | None) -> IngestBatch:
        return self.batches.fresh(self.rng, self.accounts, self.cumulative, account)
