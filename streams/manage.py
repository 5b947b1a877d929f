"""Configuring streams: create, change, pause, resume, delete, replay; each one audited.

Every change is checked whole before anything is stored (kind, settings, secret,
filter, query, and where the stream would send) and recorded as an
`audit_log.stream_*` entry of the account, with the changed fields (never a secret).

Exceptions: InvalidInputError (resolvers.errors) names the field at fault;
NotFoundError when the stream is not the caller's account's.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from models.audit_log_query import last_sequence, recorded_after
from models.stream import AuditLogStream, StreamAttempt, StreamStatus
from resolvers.entries import Change, Target
from resolvers.errors import InvalidInputError, NotFoundError, Problem
from resolvers.selection import Selection
from resolvers.self_audit import Acting, record_access_change
from streams.addresses import AddressError, check_host, url_host
from streams.kinds import KINDS, destination, url_settings
from streams.secrets import SecretBox, SecretKeyError, hint, open_secret

MAX_STREAMS = 20  # per account
MAX_NAME = 100
TARGET_TYPE = "audit_log_stream"


@dataclass(frozen=True)
class StreamRules:
    """What the deployment allows: the secret key, and internal addresses or not."""

    box: SecretBox | None
    allow_private: bool


@dataclass(frozen=True)
class StreamSpec:
    """A stream as asked (fields left None are unchanged on update)."""

    name: str | None = None
    kind: str | None = None
    settings: dict[str, str] | None = None
    secret: str | None = None
    filter: dict[str, object] | None = None  # GraphQL field names, as POST /export takes it
    query: str | None = None


async def create_stream(
    acting: Acting, spec: StreamSpec, rules: StreamRules, now: dt.datetime
) -> AuditLogStream:
    """Store a new ACTIVE stream that starts with the entries recorded from now on."""
    box = _box(rules)
    kind = _kind(spec.kind)
    name = _name(spec.name)
    settings = spec.settings or {}
    await _check_destination(kind, settings, spec.secret, rules, "input")
    flt = _filter(acting.account_id, spec.filter or {}, spec.query, now)
    if await AuditLogStream.filter(account_id=acting.account_id).count() >= MAX_STREAMS:
        raise InvalidInputError.single(
            "input", f"an account may have {MAX_STREAMS} streams; delete one first."
        )
    stream = await AuditLogStream.create(
        account_id=acting.account_id,
        name=name,
        kind=kind,
        settings=settings,
        secret_box=box.seal(spec.secret) if spec.secret else None,
        secret_hint=hint(spec.secret) if spec.secret else None,
        filter_json=flt,
        query=spec.query,
        status=StreamStatus.ACTIVE.value,
        delivered_sequence=await last_sequence(acting.account_id),
        created_by_id=acting.user_id,
        created_at=now,
        updated_at=now,
    )
    await _record(acting, "audit_log.stream_created", stream, {"kind": kind}, now=now)
    return stream


async def update_stream(
    acting: Acting, stream_id: int, spec: StreamSpec, rules: StreamRules, now: dt.datetime
) -> AuditLogStream:
    """Change a stream's name, settings, secret, filter or query."""
    stream = await get_stream(acting.account_id, stream_id)
    changes: list[Change] = []
    settings = stream.settings if spec.settings is None else spec.settings
    if spec.settings is not None or spec.secret is not None:
        secret = spec.secret
        if secret is None:
            try:
                secret = open_secret(stream.secret_box, rules.box)
            except SecretKeyError as exc:
                raise InvalidInputError.single(
                    "input.secret", f"{exc} Send the secret again."
                ) from exc
        await _check_destination(stream.kind, settings, secret, rules, "input")
    if spec.name is not None and spec.name != stream.name:
        changes.append(Change("name", stream.name, _name(spec.name)))
        stream.name = _name(spec.name)
    if spec.settings is not None and spec.settings != stream.settings:
        changes.append(Change("settings", stream.settings, spec.settings))
        stream.settings = spec.settings
    if spec.secret is not None:
        changes.append(Change("secret", stream.secret_hint, hint(spec.secret)))
        stream.secret_box, stream.secret_hint = _box(rules).seal(spec.secret), hint(spec.secret)
    if spec.filter is not None or spec.query is not None:
        flt = spec.filter if spec.filter is not None else stream.filter_json
        query = spec.query if spec.query is not None else stream.query
        flt = _filter(acting.account_id, flt, query, now)
        if (flt, query) != (stream.filter_json, stream.query):
            changes.append(Change("filter", stream.filter_json, flt))
            changes.append(Change("query", stream.query, query))
            stream.filter_json, stream.query = flt, query
    stream.updated_at = now
    await stream.save()
    await _record(acting, "audit_log.stream_updated", stream, {}, changes, now)
    return stream


async def set_paused(
    acting: Acting, stream_id: int, paused: bool, now: dt.datetime
) -> AuditLogStream:
    """Pause a stream, or resume it (a FAILING one too: it retries at once)."""
    stream = await get_stream(acting.account_id, stream_id)
    before = stream.status
    stream.status = (StreamStatus.PAUSED if paused else StreamStatus.ACTIVE).value
    if not paused:
        stream.retries, stream.next_attempt_at = 0, None
        stream.failing_since = stream.alerted_at = None
    stream.updated_at = now
    await stream.save()
    action = "audit_log.stream_paused" if paused else "audit_log.stream_resumed"
    await _record(acting, action, stream, {}, [Change("status", before, stream.status)], now)
    return stream


async def replay_stream(
    acting: Acting, stream_id: int, from_sequence: int, now: dt.datetime
) -> AuditLogStream:
    """Deliver again from entry `from_sequence` on (entries already sent go once more)."""
    if from_sequence < 1:
        raise InvalidInputError.single(
            "input.fromSequence",
            f"must be 1 or more (the first entry's sequence); got {from_sequence}.",
        )
    stream = await get_stream(acting.account_id, stream_id)
    before = stream.delivered_sequence
    stream.delivered_sequence = from_sequence - 1
    stream.retries, stream.next_attempt_at, stream.updated_at = 0, None, now
    await stream.save()
    metadata = {"count": from_sequence}
    changes = [Change("delivered_sequence", before, stream.delivered_sequence)]
    await _record(acting, "audit_log.stream_replayed", stream, metadata, changes, now)
    return stream


async def delete_stream(acting: Acting, stream_id: int, now: dt.datetime) -> None:
    """Remove a stream and its attempts."""
    stream = await get_stream(acting.account_id, stream_id)
    await _record(acting, "audit_log.stream_deleted", stream, {"kind": stream.kind}, now=now)
    await StreamAttempt.filter(stream_id=stream.id).delete()
    await stream.delete()


async def get_stream(account_id: str, stream_id: int) -> AuditLogStream:
    """The account's stream; NotFoundError when it has none of that id."""
    stream = await AuditLogStream.get_or_none(id=stream_id, account_id=account_id)
    if stream is None:
        raise NotFoundError("No such stream in this account; list them with auditLogStreams.")
    return stream


async def stream_lag(stream: AuditLogStream, now: dt.datetime) -> tuple[int, float]:
    """Entries recorded past the stream's position, and the age of the oldest, in seconds."""
    behind = max(await last_sequence(stream.account_id) - stream.delivered_sequence, 0)
    oldest = await recorded_after(stream.account_id, stream.delivered_sequence) if behind else None
    return behind, max((now - oldest).total_seconds(), 0.0) if oldest else 0.0


async def recent_attempts(stream: AuditLogStream, limit: int = 10) -> list[StreamAttempt]:
    """The stream's latest delivery attempts, newest first."""
    return await StreamAttempt.filter(stream_id=stream.id).order_by("-id").limit(limit)


async def list_streams(account_id: str) -> list[AuditLogStream]:
    """The account's streams, oldest first."""
    return await AuditLogStream.filter(account_id=account_id).order_by("id")


def _box(rules: StreamRules) -> SecretBox:
    if rules.box is None:
        raise InvalidInputError.single(
            "input",
            "streams need AUDITLOG_SECRET_KEY set on the service (32 bytes or more) to "
            "store their secrets encrypted; ask the operator to set it.",
        )
    return rules.box


def _kind(kind: str | None) -> str:
    if kind not in KINDS:
        raise InvalidInputError.single(
            "input.kind", f'"{kind}" is not a destination; use one of {", ".join(KINDS)}.'
        )
    return kind


def _name(name: str | None) -> str:
    text = (name or "").strip()
    if not 1 <= len(text) <= MAX_NAME:
        raise InvalidInputError.single(
            "input.name", f"must be 1 to {MAX_NAME} characters; got {len(text)}."
        )
    return text


async def _check_destination(
    kind: str, settings: dict[str, str], secret: str | None, rules: StreamRules, at: str
) -> None:
    module = destination(kind)
    problems = []
    for problem in module.check(settings, secret):
        field, _, message = str(problem).partition(": ")
        where = f"{at}.settings.{field}" if message else f"{at}.settings"
        problems.append(Problem(where, message or field))
    # Unknown names, unless the destination's own check already named them.
    named = {problem.field for problem in problems}
    known = ", ".join(module.SETTINGS)
    problems += [
        Problem(f"{at}.settings.{name}", f"is not a {kind} setting; use {known}.")
        for name in sorted(set(settings) - set(module.SETTINGS))
        if f"{at}.settings.{name}" not in named
    ]
    if problems:
        raise InvalidInputError(problems)
    try:
        for url in url_settings(settings):
            await check_host(*url_host(url), allow_private=rules.allow_private)
        if kind == "syslog":
            await check_host(
                settings["host"],
                int(settings.get("port") or 514),
                allow_private=rules.allow_private,
            )
    except AddressError as exc:
        raise InvalidInputError.single(f"{at}.settings", str(exc)) from exc


def _filter(
    account_id: str, raw: dict[str, object], query: str | None, now: dt.datetime
) -> dict[str, object]:
    # Imported here: export.formats -> schema -> schema.streams -> this module would loop.
    from export.request import filter_from_json

    try:
        Selection(account_id, filter_from_json(raw), query).condition(now)
    except InvalidInputError as exc:
        raise InvalidInputError(
            [Problem(f"input.{p.field}", p.message) for p in exc.problems]
        ) from exc
    return raw


async def _record(
    acting: Acting,
    action: str,
    stream: AuditLogStream,
    metadata: dict[str, Any],
    changes: list[Change] | None = None,
    now: dt.datetime | None = None,
) -> None:
    target = Target(TARGET_TYPE, str(stream.id), stream.name)
    await record_access_change(acting, action, target, metadata, changes or [], now)
