"""Record a batch of producer events: check all, then store all or nothing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from live.hub import HUB
from models.audit_log_store import (
    advance_sequence,
    find_by_idempotency_keys,
    insert_entries,
    lock_sequence,
)
from resolvers.descriptions import describe
from resolvers.errors import ForbiddenError, InvalidInputError, Problem
from resolvers.event_validation import ACCOUNT_PATTERN, CheckedEvent, EventChecker, NewEvent
from resolvers.redaction import RedactionPolicy

MAX_BATCH = 1000


@dataclass(frozen=True)
class RecordResult:
    """What became of one input event: its entry, and whether it was already stored."""

    id: int
    duplicate: bool
    sequence: int
    recorded_at: dt.datetime


@dataclass(frozen=True)
class _Pending:
    index: int
    account_id: str
    event: CheckedEvent


async def record_events(
    token_account: str | None,
    events: Sequence[NewEvent],
    policy: RedactionPolicy,
    now: dt.datetime | None = None,
) -> list[RecordResult]:
    """Check and store `events`; return one result per event, in input order.

    `token_account` is the account the ingest token is bound to, or None for a
    platform token, whose events must each name their account.
    """
    now = now or dt.datetime.now(dt.UTC)
    if not 1 <= len(events) <= MAX_BATCH:
        raise InvalidInputError.single(
            "input", f"send between 1 and {MAX_BATCH} events per call; got {len(events)}."
        )
    pending = _check_all(token_account, events, policy, now)
    async with in_transaction() as tx:
        results = await _store(tx, pending, now)
    # Committed: wake this process's live tails (other instances hear PostgreSQL's NOTIFY).
    for account_id in {item.account_id for item in pending}:
        HUB.recorded(account_id)
    return [results[index] for index in range(len(events))]


def _check_all(
    token_account: str | None,
    events: Sequence[NewEvent],
    policy: RedactionPolicy,
    now: dt.datetime,
) -> list[_Pending]:
    problems: list[Problem] = []
    pending = []
    for index, event in enumerate(events):
        checker = EventChecker(index, now, policy)
        account = _account(index, token_account, event.account_id, checker)
        checked = checker.check(event)
        problems.extend(checker.problems)
        pending.append(_Pending(index, account, checked))
    if problems:
        raise InvalidInputError(problems)
    return pending


def _account(
    index: int, token_account: str | None, given: str | None, checker: EventChecker
) -> str:
    if token_account is not None:
        if given is not None and given != token_account:
            raise ForbiddenError(
                f'input[{index}].accountId: "{given[:80]}" is not this token\'s account '
                f'("{token_account}"); leave accountId out or use a platform ingest token.'
            )
        return token_account
    if given is None:
        checker.fail("accountId", "is required with a platform ingest token (no account_id claim).")
        return ""
    if not ACCOUNT_PATTERN.match(given):
        checker.fail(
            "accountId", f'"{given[:80]}" must be 1 to 64 letters, digits or "_.:-" characters.'
        )
    return given


async def _store(
    tx: BaseDBAsyncClient, pending: list[_Pending], now: dt.datetime
) -> dict[int, RecordResult]:
    results: dict[int, RecordResult] = {}
    by_account: dict[str, list[_Pending]] = {}
    for item in pending:
        by_account.setdefault(item.account_id, []).append(item)
    # Counters are locked in a fixed order so two multi-account batches cannot deadlock.
    for account_id in sorted(by_account):
        results.update(await _store_account(tx, account_id, by_account[account_id], now))
    return results


async def _store_account(
    tx: BaseDBAsyncClient, account_id: str, pending: list[_Pending], now: dt.datetime
) -> dict[int, RecordResult]:
    last = await lock_sequence(tx, account_id)
    keys = [item.event.idempotency_key for item in pending if item.event.idempotency_key]
    stored = await find_by_idempotency_keys(tx, account_id, keys) if keys else {}
    first_in_batch: dict[str, int] = {}
    rows, sequences, repeats = [], {}, {}
    for item in pending:
        key = item.event.idempotency_key
        if key is not None and (key in stored or key in first_in_batch):
            repeats[item.index] = key
            continue
        last += 1
        sequences[item.index] = last
        if key is not None:
            first_in_batch[key] = item.index
        rows.append(_row(account_id, last, item.event, now))
    ids = await insert_entries(tx, rows) if rows else {}
    if rows:
        await advance_sequence(tx, account_id, last)
    results = {
        index: RecordResult(ids[(account_id, sequence)], False, sequence, now)
        for index, sequence in sequences.items()
    }
    for index, key in repeats.items():
        earlier = stored.get(key)
        if earlier is None:
            first = results[first_in_batch[key]]
            results[index] = RecordResult(first.id, True, first.sequence, first.recorded_at)
        else:
            results[index] = RecordResult(earlier.id, True, earlier.sequence, earlier.recorded_at)
    return results


def _row(account_id: str, sequence: int, event: CheckedEvent, now: dt.datetime) -> list[object]:
    """The INSERT_COLUMNS values of one entry."""
    actor, target = event.actor, event.target
    sentence = describe(event)
    searchable = [sentence, actor.name, actor.email, target.name if target else None]
    return [
        account_id,
        sequence,
        event.action,
        actor.type.value,
        actor.id,
        actor.name,
        actor.email,
        target.type if target else None,
        target.id if target else None,
        target.name if target else None,
        event.changes_json,
        event.metadata_json,
        event.tags_json,
        event.outcome.value,
        event.failure_reason,
        event.ip_address,
        event.user_agent,
        event.request_id,
        event.occurred_at,
        now,
        # INTERNAL_COLUMNS follow the visible ones.
        event.ip_key,
        event.idempotency_key,
        "\n".join(part.lower() for part in searchable if part),
    ]
