"""The log-stream benchmark's receiver and floor: signatures checked, sides kept apart."""

from __future__ import annotations

import base64

import httpx
import orjson
import pytest
from standardwebhooks import Webhook

from bench.ingest import Batch, IngestError
from bench.stream_floor import replay, signed_headers
from bench.stream_ingest import hot_entry_ids
from bench.stream_receiver import create

SECRET = "whsec_" + base64.b64encode(b"0123456789abcdef0123456789abcdef").decode()
BODY = orjson.dumps(
    {
        "type": "audit_log.batch",
        "data": {
            "entries": [
                {"id": "e1", "sequence": "1", "recordedAt": "2026-12-02T04:00:00+00:00"},
                {"id": "e2", "sequence": "2", "recordedAt": "2026-12-02T04:00:01+00:00"},
            ]
        },
    }
)


@pytest.fixture
def receiver(monkeypatch: pytest.MonkeyPatch) -> httpx.AsyncClient:
    monkeypatch.setenv("BENCH_STREAM_SECRET", SECRET)
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=create()), base_url="http://r")


async def test_a_signed_batch_is_accepted_and_its_entries_recorded(
    receiver: httpx.AsyncClient,
) -> None:
    headers = signed_headers(Webhook(SECRET), "msg_1", BODY)
    answer = await receiver.post("/hook/service", content=BODY, headers=headers)
    kept = (await receiver.get("/deliveries/service")).json()
    assert (answer.status_code, [a[0] for a in kept["arrivals"]]) == (204, ["e1", "e2"])


async def test_a_batch_signed_with_another_secret_is_refused_and_counted(
    receiver: httpx.AsyncClient,
) -> None:
    other = Webhook(base64.b64encode(b"x" * 32).decode())
    answer = await receiver.post(
        "/hook/service", content=BODY, headers=signed_headers(other, "m", BODY)
    )
    kept = (await receiver.get("/deliveries/service")).json()
    assert (answer.status_code, kept["refused"], kept["arrivals"]) == (401, 1, [])


async def test_the_replay_is_kept_apart_from_the_service_and_not_replayed_again(
    receiver: httpx.AsyncClient,
) -> None:
    replayed = await replay(receiver, "/hook/replay", SECRET, [BODY, BODY])
    service = (await receiver.get("/deliveries/service")).json()
    bodies = (await receiver.get("/bodies")).json()
    replay_side = (await receiver.get("/deliveries/replay")).json()
    assert (replayed.batches, len(replay_side["arrivals"]), service["arrivals"], bodies) == (
        2,
        4,
        [],
        [],
    )


def test_only_new_entries_of_the_hot_account_are_taken_from_an_ingest_answer() -> None:
    batch = Batch(b"", [("1", []), ("2", []), ("1", []), ("1", [])])
    results = [
        {"id": "a", "duplicate": False},
        {"id": "b", "duplicate": False},
        {"id": "c", "duplicate": True},
        {"id": "d", "duplicate": False},
    ]
    answer: dict[str, object] = {"data": {"recordAuditLogs": {"results": results}}}
    assert hot_entry_ids(batch, answer, "1") == ["a", "d"]


def test_an_answer_with_fewer_results_than_events_is_an_error() -> None:
    batch = Batch(b"", [("1", []), ("1", [])])
    answer: dict[str, object] = {"data": {"recordAuditLogs": {"results": [{"id": "a"}]}}}
    with pytest.raises(IngestError, match="1 results"):
        hot_entry_ids(batch, answer, "1")
