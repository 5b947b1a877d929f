"""The mixed load's requests: who sends them, and how retries repeat stored batches."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

from auth.principal import Role
from bench.generate import Dataset, DatasetSpec
from bench.load_mix import LoadMix, Request

END = dt.datetime(2026, 11, 30, 12, tzinfo=dt.UTC)


def _issue(subject: str, account: str | None, role: Role) -> str:
    return f"{role.value}:{account}:{subject}"


@pytest.fixture(scope="module")
def dataset() -> Dataset:
    return Dataset.create(DatasetSpec(events=200, accounts=6), END)


def _draw(mix: LoadMix, kind: str, retry: bool = False) -> Request:
    for _ in range(10_000):
        request = mix.next()
        if request.kind == kind and request.retry == retry:
            return request
    raise AssertionError(f"no {kind} request in 10,000 draws")


def _inputs(request: Request) -> list[dict[str, Any]]:
    return list(json.loads(request.body())["variables"]["input"])


def test_a_retry_resends_an_acknowledged_batch_with_the_token_that_sent_it(
    dataset: Dataset,
) -> None:
    mix = LoadMix(dataset, _issue, "api-token", "run", 1)
    sent = _draw(mix, "ingest")
    mix.acknowledge(sent)
    retried = _draw(mix, "ingest_retry", retry=True)
    assert (retried.body(), retried.token) == (sent.body(), sent.token)


def test_without_an_acknowledged_batch_a_retry_becomes_a_fresh_batch(dataset: Dataset) -> None:
    mix = LoadMix(dataset, _issue, "api-token", "run", 2)
    assert not any(mix.next().retry for _ in range(500))


def test_every_event_of_a_run_has_its_own_idempotency_key(dataset: Dataset) -> None:
    mix = LoadMix(dataset, _issue, "api-token", "run", 3)
    keys = [e["idempotencyKey"] for _ in range(5) for e in _inputs(_draw(mix, "ingest"))]
    assert len(keys) == len(set(keys))


def test_only_the_platform_token_names_each_events_account(dataset: Dataset) -> None:
    mix = LoadMix(dataset, _issue, "api-token", "run", 4)
    batches = [_draw(mix, "ingest") for _ in range(20)]
    naming = {
        (request.token.startswith("ingest:None:"), "accountId" in event)
        for request in batches
        for event in _inputs(request)
    }
    assert naming == {(True, True), (False, False)}


def test_reads_go_out_with_reader_tokens_only(dataset: Dataset) -> None:
    mix = LoadMix(dataset, _issue, "api-token", "run", 5)
    reads = [r for r in (mix.next() for _ in range(500)) if r.batch is None]
    roles = {request.token.split(":")[0] for request in reads}
    assert roles == {"admin", "log_viewer", "api-token"}


def test_a_followed_page_asks_for_the_entries_after_the_cursor(dataset: Dataset) -> None:
    mix = LoadMix(dataset, _issue, "api-token", "run", 6)
    page = _draw(mix, "page")
    following = page.next_page("cursor-50")
    assert (following.variables or {})["after"] == "cursor-50" and not following.follow
