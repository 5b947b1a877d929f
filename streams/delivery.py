"""Delivering streams: at least once, in sequence order, batched, retried with backoff.

`StreamDelivery.serve()` runs inside `auditlog serve`. Each round it claims one stream
that is due (models/stream_store.py: instances sharing PostgreSQL never deliver one
stream at once), reads the entries past its `delivered_sequence` that match its filter
and query (up to BATCH_ENTRIES, and BATCH_BYTES of JSON), sends them and, only once
the receiver accepted them, moves `delivered_sequence` past them. A crash between the
send and that update sends the batch again on restart (at least once), never skips it.

A receiver's answer decides what comes next:
- 2xx: delivered.
- a timeout, a connection error, 408, 429 or 5xx: retried after an exponential backoff
  with jitter (or the receiver's Retry-After); the stream stays ACTIVE, and once it has
  been failing for AUDITLOG_STREAM_ALERT_AFTER an `audit_log.stream_failing` entry is
  written (once per failing spell).
- any other 4xx, or a destination that cannot work as configured: the stream becomes
  FAILING with the receiver's answer, until an admin changes or resumes it.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import email.utils
import logging
import os
import random
import secrets
import socket
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import httpx
import orjson
from tortoise.transactions import in_transaction

from export.formats import api_object
from export.request import audit_log_id, filter_from_json
from live.hub import ANY, HUB, woken
from models.audit_log import ActorType
from models.audit_log_query import above, all_of, select_after_sequence
from models.database import is_outage
from models.stream import AuditLogStream, StreamAttempt, StreamStatus
from models.stream_store import claim_stream
from resolvers.entries import Entry, Target
from resolvers.selection import Selection
from resolvers.self_audit import Acting, record_access_change
from schema.ids import to_global_id
from streams.addresses import AddressError, check_host, url_host
from streams.destinations import Batch, DestinationError, Outgoing, StreamEntry
from streams.kinds import destination
from streams.secrets import SecretBox, SecretKeyError, open_secret

LOG = logging.getLogger("auditlog.streams")
BATCH_ENTRIES = 500
BATCH_BYTES = 1024 * 1024
ATTEMPTS_KEPT = 20
PRUNE_EVERY = 10  # attempts are pruned to ATTEMPTS_KEPT about every this many
ROUND_BATCHES = 20  # batches one claim may send while the receiver accepts them
BACKOFF = (1.0, 300.0)  # the first retry's wait and the longest, in seconds
ANSWER_CHARS = 500  # of a receiver's answer kept as the stream's last error


@dataclass(frozen=True)
class DeliveryConfig:
    """How this instance delivers streams."""

    box: SecretBox | None
    allow_private: bool = False
    alert_after: dt.timedelta = dt.timedelta(hours=1)
    lease: dt.timedelta = dt.timedelta(seconds=60)
    timeout: float = 10.0
    idle_poll: float = 1.0  # seconds between rounds when nothing woke the loop


@dataclass(frozen=True)
class Answer:
    """What a receiver said to a batch."""

    ok: bool
    retryable: bool
    status_code: int | None
    message: str
    retry_after: float | None = None


class StreamDelivery:
    """Claims due streams and delivers their next batch; `serve()` until cancelled."""

    def __init__(self, config: DeliveryConfig, client: httpx.AsyncClient | None = None) -> None:
        self.config = config
        self.client = client or httpx.AsyncClient(timeout=config.timeout, follow_redirects=False)
        self.name = f"{socket.gethostname()[:60]}:{os.getpid()}:{secrets.token_hex(4)}"

    async def serve(self) -> None:
        """Deliver until cancelled; sleep until entries are recorded or a retry is due."""
        while True:
            waiter = HUB.watch(ANY)  # before the round: a commit during it still wakes us
            try:
                try:
                    # A task of its own per round: a transaction that failed half-way (the
                    # database went away mid-commit) can leave Tortoise's current-connection
                    # context pointing at a released connection; it must not outlive the round.
                    delivered = await asyncio.create_task(self.run_once())
                except Exception as exc:  # e.g. the database went away: try again shortly
                    if is_outage(exc):
                        LOG.warning("stream delivery waits for the database: %r", exc)
                    else:
                        LOG.exception("stream delivery round failed")
                    delivered = False
                if not delivered:
                    await woken(waiter, self.config.idle_poll)
            finally:
                HUB.unwatch(ANY, waiter)

    async def run_once(self) -> bool:
        """Claim one due stream and deliver its next batches; False if none went out.

        A claim sends up to ROUND_BATCHES batches while they are accepted, so a stream
        behind catches up without a claim per batch; each accepted batch is booked (and
        the lease renewed) before the next is read.
        """
        now = dt.datetime.now(dt.UTC)
        stream_id = await claim_stream(self.name, now, now + self.config.lease)
        if stream_id is None:
            return False
        stream = await AuditLogStream.get(id=stream_id)
        delivered = released = False
        try:
            for _ in range(ROUND_BATCHES):
                batch = await next_batch(stream)
                if batch is None:
                    break
                started = time.monotonic()
                answer = await self.send(stream, batch)
                # The round ends after a failure or a batch that was not full: the claim is
                # given back in the same transaction as the booking (one wait less on SQLite).
                last = not answer.ok or len(batch.entries) < BATCH_ENTRIES
                seconds = time.monotonic() - started
                held = await self._settle(stream, batch, answer, seconds, release=last)
                released = last
                if last or not held:
                    delivered = delivered or (answer.ok and held)
                    break
                delivered = True
                stream.delivered_sequence = batch.last_sequence
                stream.retries, stream.failing_since = 0, None
        finally:
            if not released:
                await AuditLogStream.filter(id=stream.id, claimed_by=self.name).update(
                    claimed_by=None, lease_until=None
                )
        return delivered

    async def send(self, stream: AuditLogStream, batch: Batch) -> Answer:
        """Send a batch to the stream's receiver and judge its answer."""
        started = time.monotonic()
        try:
            secret = open_secret(stream.secret_box, self.config.box)
            module = destination(stream.kind)
            settings: Mapping[str, str] = stream.settings
            if stream.kind == "syslog":
                await check_host(
                    settings["host"],
                    int(settings.get("port") or 514),
                    allow_private=self.config.allow_private,
                )
                await module.send(batch, settings)
                return Answer(True, False, None, f"sent {len(batch.entries)} messages")
            requests: list[Outgoing] = await module.requests(
                batch, settings, secret or "", self.client
            )
            answer = Answer(True, False, None, "no request")
            for request in requests:
                answer = await self._request(request)
                if not answer.ok:
                    return answer
            return answer
        except DestinationError as exc:
            return Answer(False, exc.retryable, None, str(exc))
        except (AddressError, SecretKeyError) as exc:
            return Answer(False, False, None, str(exc))
        finally:
            LOG.debug("stream %s: batch sent in %.3fs", stream.id, time.monotonic() - started)

    async def _request(self, request: Outgoing) -> Answer:
        try:
            await check_host(*url_host(request.url), allow_private=self.config.allow_private)
            response = await self.client.request(
                request.method, request.url, headers=request.headers, content=request.body
            )
        except AddressError as exc:
            return Answer(False, False, None, str(exc))
        except httpx.TimeoutException:
            return Answer(False, True, None, f"no answer within {self.config.timeout:g}s")
        except httpx.HTTPError as exc:
            reason = str(exc) or type(exc).__name__
            return Answer(False, True, None, f"could not reach the receiver ({reason})")
        text = response.text[:ANSWER_CHARS]
        code = response.status_code
        if 200 <= code < 300:
            return Answer(True, False, code, text)
        retryable = code in (408, 429) or code >= 500
        return Answer(False, retryable, code, f"HTTP {code}: {text}", _retry_after(response))

    async def _settle(
        self,
        stream: AuditLogStream,
        batch: Batch,
        answer: Answer,
        seconds: float,
        *,
        release: bool,
    ) -> bool:
        """Book the attempt and its outcome in one transaction; False if the lease was lost.

        With `release` the claim is given back in the same transaction; otherwise a
        delivered batch renews it.
        """
        now = dt.datetime.now(dt.UTC)
        held = AuditLogStream.filter(id=stream.id, claimed_by=self.name)
        claim: dict[str, Any] = (
            {"claimed_by": None, "lease_until": None}
            if release
            else {"lease_until": now + self.config.lease}
        )
        async with in_transaction():
            await StreamAttempt.create(
                stream_id=stream.id,
                at=now,
                first_sequence=batch.first_sequence,
                last_sequence=batch.last_sequence,
                entries=len(batch.entries),
                succeeded=answer.ok,
                status_code=answer.status_code,
                message=answer.message[:ANSWER_CHARS],
                duration_ms=round(seconds * 1000),
            )
            if answer.ok:
                changed = await held.filter(delivered_sequence__lt=batch.last_sequence).update(
                    delivered_sequence=batch.last_sequence,
                    last_success_at=now,
                    retries=0,
                    next_attempt_at=None,
                    failing_since=None,
                    alerted_at=None,
                    **claim,
                )
            elif not answer.retryable:
                changed = await held.update(
                    status=StreamStatus.FAILING.value,
                    last_error=answer.message,
                    last_error_at=now,
                    failing_since=stream.failing_since or now,
                    **claim,
                )
            else:
                wait = answer.retry_after or _backoff(stream.retries)
                changed = await held.update(
                    retries=stream.retries + 1,
                    next_attempt_at=now + dt.timedelta(seconds=wait),
                    last_error=answer.message,
                    last_error_at=now,
                    failing_since=stream.failing_since or now,
                    **claim,
                )
        # Pruned one time in PRUNE_EVERY (at random: ids are shared by every stream).
        if random.random() < 1 / PRUNE_EVERY:
            await _prune_attempts(stream.id)
        failing_since = stream.failing_since or now
        if (
            not answer.ok
            and answer.retryable
            and stream.alerted_at is None
            and now - failing_since >= self.config.alert_after
        ):
            await self._alert(stream, answer, now)
        return bool(changed)

    async def _alert(self, stream: AuditLogStream, answer: Answer, now: dt.datetime) -> None:
        await AuditLogStream.filter(id=stream.id).update(alerted_at=now)
        acting = Acting(
            account_id=stream.account_id, user_id="streams", actor_type=ActorType.SYSTEM
        )
        target = Target("audit_log_stream", str(stream.id), stream.name)
        metadata: dict[str, object] = {
            "error": answer.message[:ANSWER_CHARS],
            "since": (stream.failing_since or now).isoformat(),
        }
        await record_access_change(acting, "audit_log.stream_failing", target, metadata, now=now)

    async def close(self) -> None:
        """Close the HTTP client."""
        await self.client.aclose()


async def next_batch(stream: AuditLogStream) -> Batch | None:
    """The stream's next entries in sequence order (at most BATCH_ENTRIES / BATCH_BYTES)."""
    now = dt.datetime.now(dt.UTC)
    selection = Selection(stream.account_id, filter_from_json(stream.filter_json), stream.query)
    where = all_of(selection.condition(now), above("sequence", stream.delivered_sequence))
    rows = await select_after_sequence(where, BATCH_ENTRIES)
    entries: list[StreamEntry] = []
    size = 0
    for row in rows:
        item = stream_entry(Entry.from_values(row))
        size += len(orjson.dumps(item.document))
        if entries and size > BATCH_BYTES:
            break
        entries.append(item)
    if not entries:
        return None
    return Batch(to_global_id("AuditLogStream", stream.id), stream.account_id, tuple(entries))


def stream_entry(entry: Entry) -> StreamEntry:
    """An entry as streams send it: the API's AuditLog object plus its account."""
    document = api_object(entry, None, audit_log_id)
    document["accountId"] = entry.account_id
    return StreamEntry(
        account_id=entry.account_id,
        sequence=entry.sequence,
        id=audit_log_id(entry.id),
        occurred_at=entry.occurred_at.isoformat(),
        document=document,
    )


def stream_entry_for_test(stream: AuditLogStream, requested_by: str) -> Batch:
    """A batch of one test entry (never stored): sequence 0, action audit_log.stream_tested."""
    now = dt.datetime.now(dt.UTC).isoformat()
    document: dict[str, object] = {
        "id": "test",
        "sequence": "0",
        "occurredAt": now,
        "action": "audit_log.stream_tested",
        "category": "AUDIT_LOG",
        "description": f'Test entry for the log stream "{stream.name}", sent by {requested_by}',
        "actor": {"type": "SYSTEM", "externalId": None, "name": None, "email": None},
        "target": {"type": "audit_log_stream", "externalId": str(stream.id), "name": stream.name},
        "changes": [],
        "metadata": {"test": True},
        "tags": [],
        "outcome": "SUCCESS",
        "failureReason": None,
        "ipAddress": None,
        "userAgent": None,
        "requestId": None,
        "recordedAt": now,
        "accountId": stream.account_id,
    }
    entry = StreamEntry(stream.account_id, 0, "test", now, document)
    return Batch(to_global_id("AuditLogStream", stream.id), stream.account_id, (entry,))


async def _prune_attempts(stream_id: int) -> None:
    keep = (
        await StreamAttempt.filter(stream_id=stream_id)
        .order_by("-id")
        .offset(ATTEMPTS_KEPT)
        .first()
    )
    if keep is not None:
        await StreamAttempt.filter(stream_id=stream_id, id__lte=keep.id).delete()


def _backoff(retries: int) -> float:
    """Exponential backoff with full jitter: up to 1, 2, 4, ... seconds, at most BACKOFF[1]."""
    ceiling = min(BACKOFF[0] * (2**retries), BACKOFF[1])
    return random.uniform(ceiling / 2, ceiling)


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("retry-after")
    if not value:
        return None
    if value.strip().isdigit():
        return min(float(value.strip()), BACKOFF[1])
    try:
        moment = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, min((moment - dt.datetime.now(dt.UTC)).total_seconds(), BACKOFF[1]))


async def run_delivery(config: DeliveryConfig) -> None:
    """Deliver streams until cancelled (the app's lifespan runs this)."""
    delivery = StreamDelivery(config)
    try:
        await delivery.serve()
    finally:
        await asyncio.shield(delivery.close())
