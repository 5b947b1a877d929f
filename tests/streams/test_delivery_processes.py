"""Stream delivery under faults: a server killed mid-batch, a receiver that goes away,
a receiver slower than the delivery timeout, a database that freezes mid-delivery.

The process tests run real `auditlog serve` instances (tests/serving.py) on a fresh
database (a SQLite file; on PostgreSQL a database of its own named after
AUDITLOG_TEST_POSTGRES_URL's with a `_stream_delivery` suffix, or a private cluster,
tests/postgres_cluster.py), with a webhook stream created over GraphQL to a slow local
receiver that checks every signature (tests/streams/webhook_receiver.py).
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import datetime as dt
import os
import re
import signal
import sqlite3
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest

from models.stream import AuditLogStream, StreamAttempt
from resolvers.self_audit import Acting
from streams.delivery import DeliveryConfig, StreamDelivery
from streams.manage import StreamRules, StreamSpec, create_stream
from streams.secrets import SecretBox
from tests.conftest import BACKENDS, POSTGRES_URL, SECRET
from tests.factories import event, record
from tests.live.service import Service, token
from tests.postgres_cluster import Cluster, require_binaries
from tests.serving import free_port, postgres_database, running, serve_command
from tests.streams.webhook_receiver import Arrival, SlowReceiver, listening, reserve_port

KEY = "k" * 40
HOOK_SECRET = "whsec_" + base64.b64encode(b"0123456789abcdef0123456789abcdef").decode()
CREATE = (
    "mutation($input: CreateAuditLogStreamInput!) "
    "{ createAuditLogStream(input: $input) { stream { id deliveredSequence } } }"
)
STREAMS = (
    "{ auditLogStreams { status deliveredSequence lastError lastErrorAt nextAttemptAt "
    "recentAttempts { succeeded message firstSequence lastSequence } } }"
)
RECORD = (
    "mutation($input: [AuditLogInput!]!) "
    "{ recordAuditLogs(input: $input) { results { sequence } } }"
)
Stream = dict[str, Any]


@pytest.fixture(params=BACKENDS)
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database; on PostgreSQL one of its own, since the tests empty the shared one."""
    if request.param == "sqlite":
        yield f"sqlite://{tmp_path}/audit.sqlite3"
        return
    name = POSTGRES_URL.rpartition("/")[2] + "_stream_delivery"
    with postgres_database(POSTGRES_URL, name) as url:
        yield url


def environment(database: str, folder: Path, **extra: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("AUDITLOG_")}
    return env | {
        "AUDITLOG_JWT_SECRET": SECRET,
        "AUDITLOG_DATABASE_URL": database,
        "AUDITLOG_RATE_LIMIT": "off",
        "AUDITLOG_EXPORT_DIR": str(folder / "exports"),
        "AUDITLOG_SECRET_KEY": KEY,
        "AUDITLOG_STREAM_ALLOW_PRIVATE": "1",
        **extra,
    }


@contextmanager
def started(
    env: dict[str, str], log: Path, ready: str = "readyz"
) -> Iterator[tuple[Service, subprocess.Popen[bytes]]]:
    """A running `auditlog serve` on a free port, and its process."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with running(serve_command(port), env, log, f"{base}/{ready}") as process:
        yield Service(base, env), process


async def create_webhook_stream(service: Service, url: str) -> None:
    spec = {"name": "hook", "kind": "WEBHOOK", "settings": {"url": url}, "secret": HOOK_SECRET}
    await service.graphql(CREATE, {"input": spec}, token("acme", "admin", sub="admin-1"))


async def record_entries(service: Service, count: int, per_call: int = 10) -> int:
    """Record `count` entries in calls of `per_call`; return the last sequence."""
    last = 0
    for start in range(0, count, per_call):
        events = [
            {"action": "custom.step", "actor": {"type": "USER", "id": "7"}, "metadata": {"n": n}}
            for n in range(start, min(start + per_call, count))
        ]
        data = await service.graphql(RECORD, {"input": events}, token("acme", "ingest"))
        last = max(int(result["sequence"]) for result in data["recordAuditLogs"]["results"])
    return last


async def wait_for_stream(
    service: Service, check: Callable[[Stream], bool], what: str, timeout: float = 30
) -> Stream:
    """Poll auditLogStreams until its one stream passes `check` (errors, e.g. 503, polled over)."""
    deadline, stream = time.monotonic() + timeout, None
    while time.monotonic() < deadline:
        with contextlib.suppress(AssertionError, ValueError, httpx.TransportError):
            data = await service.graphql(STREAMS, {}, token("acme", "admin", sub="admin-1"))
            [stream] = data["auditLogStreams"]
            if check(stream):
                return stream
        await asyncio.sleep(0.1)
    raise AssertionError(f"the stream never {what} within {timeout:g} s; last seen: {stream}")


def delivered(sequence: int) -> Callable[[Stream], bool]:
    return lambda stream: int(stream["deliveredSequence"]) >= sequence


def moment(value: str) -> dt.datetime:
    return dt.datetime.fromisoformat(value)


def failed_attempts(stream: Stream) -> int:
    return sum(not attempt["succeeded"] for attempt in stream["recentAttempts"])


def first_arrivals(arrivals: list[Arrival]) -> list[int]:
    """Each sequence received, in the order of its first arrival."""
    return list(dict.fromkeys(s for arrival in arrivals for s in arrival.sequences))


def repeats_are_whole_batches(arrivals: list[Arrival]) -> bool:
    """Whether every entry that came again came in a whole batch re-sent under its webhook-id."""
    batches: dict[str, tuple[int, ...]] = {}
    seen: set[int] = set()
    for arrival in arrivals:
        if arrival.webhook_id in batches:
            if batches[arrival.webhook_id] != arrival.sequences:
                return False
        elif not seen.isdisjoint(arrival.sequences):
            return False  # an entry already received, under another webhook-id
        batches[arrival.webhook_id] = arrival.sequences
        seen.update(arrival.sequences)
    return True


async def end_lease(database: str) -> str | None:
    """End the stream's lease as its 60 s running out would; return who held it."""
    if database.startswith("sqlite://"):
        with contextlib.closing(sqlite3.connect(database.removeprefix("sqlite://"))) as db:
            [(holder,)] = db.execute("SELECT claimed_by FROM audit_log_stream").fetchall()
            db.execute("UPDATE audit_log_stream SET lease_until = NULL")
            db.commit()
            return str(holder) if holder is not None else None
    connection = await asyncpg.connect(database.replace("postgres://", "postgresql://", 1))
    try:
        holder = await connection.fetchval("SELECT claimed_by FROM audit_log_stream")
        await connection.execute("UPDATE audit_log_stream SET lease_until = NULL")
        return str(holder) if holder is not None else None
    finally:
        await connection.close()


async def test_a_batch_in_flight_when_the_server_is_killed_is_sent_again_whole_after_a_restart(
    database: str, tmp_path: Path
) -> None:
    receiver = SlowReceiver(HOOK_SECRET, delay=0.3)
    with listening(receiver, reserve_port()) as url:
        env = environment(database, tmp_path)
        with started(env, tmp_path / "first.log") as (first, process):
            await create_webhook_stream(first, url)
            last = await record_entries(first, 300)
            # The batch with the last entry is cut once every entry exists, so a restart
            # cuts the same one again; it is held at the receiver until the kill.
            receiver.hold_at = last
            held = await asyncio.to_thread(receiver.held.wait, 15)
            assert held, f"no batch with entry {last} within 15 s; got {receiver.arrivals}"
            killed = receiver.arrivals[-1]
            process.send_signal(signal.SIGKILL)
            process.wait(timeout=10)
        # The killed instance held the stream: it died in the middle of a delivery round.
        assert await end_lease(database) is not None
        receiver.release.set()
        with started(env, tmp_path / "second.log") as (second, _):
            done = await wait_for_stream(second, delivered(last), f"delivered {last}")
    assert (done["status"], int(done["deliveredSequence"]), receiver.refused) == ("ACTIVE", last, 0)
    assert first_arrivals(receiver.arrivals) == list(range(1, last + 1))
    assert repeats_are_whole_batches(receiver.arrivals), receiver.arrivals
    assert receiver.arrivals.count(killed) == 2  # the killed batch, once more after the restart
    assert len(receiver.arrivals) > 3  # several batches went before the kill


async def test_a_receiver_that_goes_away_is_retried_and_gets_every_entry_in_order_once_back(
    database: str, tmp_path: Path
) -> None:
    receiver = SlowReceiver(HOOK_SECRET, delay=0.0)
    port = reserve_port()
    env = environment(database, tmp_path)
    with started(env, tmp_path / "service.log") as (service, _):
        with listening(receiver, port) as url:
            await create_webhook_stream(service, url)
            await wait_for_stream(service, delivered(1), "delivered its creation entry", 15)
        last = await record_entries(service, 40)
        down = await wait_for_stream(
            service, lambda s: failed_attempts(s) >= 3, "failed 3 times", timeout=15
        )
        sent_while_down = len(receiver.arrivals)
        with listening(receiver, port):
            up = await wait_for_stream(service, delivered(last), f"delivered {last}")
    assert (down["status"], int(down["deliveredSequence"])) == ("ACTIVE", 1)
    assert "could not reach the receiver" in down["lastError"]
    # A retry is scheduled after the last error, not given up.
    assert moment(down["nextAttemptAt"]) > moment(down["lastErrorAt"])
    assert sent_while_down == 1  # only the creation entry, before the receiver went away
    assert (up["status"], up["lastError"]) == ("ACTIVE", down["lastError"])  # still on show
    assert first_arrivals(receiver.arrivals) == list(range(1, last + 1))
    assert repeats_are_whole_batches(receiver.arrivals), receiver.arrivals


async def test_an_answer_slower_than_the_timeout_is_retried_and_nothing_is_lost(
    db: str,
) -> None:
    receiver = SlowReceiver(HOOK_SECRET, delay=2.0)
    rules = StreamRules(SecretBox(KEY), allow_private=True)
    admin = Acting(account_id="acme", user_id="admin-1", user_name="Ada")
    delivery = StreamDelivery(DeliveryConfig(SecretBox(KEY), allow_private=True, timeout=0.5))
    with listening(receiver, reserve_port()) as url:
        spec = StreamSpec(name="hook", kind="webhook", settings={"url": url}, secret=HOOK_SECRET)
        stream = await create_stream(admin, spec, rules, dt.datetime.now(dt.UTC))
        await record("acme", *[event() for _ in range(5)])
        try:
            assert await asyncio.wait_for(delivery.run_once(), 10) is False
            timed_out = await AuditLogStream.get(id=stream.id)
            [attempt] = await StreamAttempt.filter(stream_id=stream.id)
            receiver.delay = 0.0
            for _ in range(5):  # the retry made due at once, instead of after its backoff
                await AuditLogStream.all().update(next_attempt_at=None)
                if await asyncio.wait_for(delivery.run_once(), 10):
                    break
        finally:
            await delivery.close()
    assert (attempt.succeeded, attempt.message) == (False, "no answer within 0.5s")
    assert (attempt.first_sequence, attempt.last_sequence) == (1, 6)
    assert (timed_out.status, timed_out.retries, timed_out.delivered_sequence) == ("ACTIVE", 1, 0)
    assert timed_out.last_error == "no answer within 0.5s"
    assert timed_out.next_attempt_at is not None and timed_out.last_error_at is not None
    assert timed_out.next_attempt_at > timed_out.last_error_at
    after = await AuditLogStream.get(id=stream.id)
    assert (after.status, after.retries, after.delivered_sequence) == ("ACTIVE", 0, 6)
    # The receiver got the batch the first time too: the retry repeats it under its webhook-id.
    assert [arrival.sequences for arrival in receiver.arrivals] == [(1, 2, 3, 4, 5, 6)] * 2
    assert repeats_are_whole_batches(receiver.arrivals)


async def test_delivery_resumes_without_loss_once_a_frozen_database_answers_again(
    tmp_path: Path,
) -> None:
    require_binaries()
    receiver = SlowReceiver(HOOK_SECRET, delay=0.3)
    cluster = Cluster()
    try:
        cluster.init()
        cluster.start()
        env = environment(cluster.url, tmp_path, AUDITLOG_DB_TIMEOUT="1")
        with (
            listening(receiver, reserve_port()) as url,
            started(env, tmp_path / "service.log", "healthz") as (service, _),
        ):
            await create_webhook_stream(service, url)
            last = await record_entries(service, 200)
            receiver.hold_at = last
            held = await asyncio.to_thread(receiver.held.wait, 15)
            assert held, f"no batch with entry {last} within 15 s; got {receiver.arrivals}"
            frozen = receiver.arrivals[-1]
            cluster.pause()  # while the last batch is in flight: its success cannot be saved
            try:
                receiver.release.set()
                await asyncio.sleep(3)  # three statement timeouts (AUDITLOG_DB_TIMEOUT)
            finally:
                cluster.resume()
            done = await wait_for_stream(service, delivered(last), f"delivered {last}", 90)
        log = (tmp_path / "service.log").read_text()
    finally:
        cluster.destroy()
    # The freeze was seen (an outage or a failed round), and the batch whose success it kept
    # from being saved came again, whole.
    assert re.search(r"stream delivery (waits for the database|round failed)", log), log[-3000:]
    assert receiver.arrivals.count(frozen) == 2
    assert (done["status"], int(done["deliveredSequence"])) == ("ACTIVE", last)
    assert first_arrivals(receiver.arrivals) == list(range(1, last + 1))
    assert repeats_are_whole_batches(receiver.arrivals), receiver.arrivals
