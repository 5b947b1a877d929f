"""Check one producer event field by field, collecting every problem with its path."""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from itertools import islice
from typing import Any

from catalogue import CUSTOM_PREFIX, is_custom, lookup, suggestions
from models.audit_log import ActorType, Outcome
from models.ip_address import address_key, parse_address
from resolvers.entries import Actor, Change, Target
from resolvers.errors import Problem
from resolvers.json_limits import json_problems, text_problem
from resolvers.redaction import RedactionPolicy

ACTION_PATTERN = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$")
TARGET_TYPE_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")
TAG_PATTERN = re.compile(r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$")
MAX_TAGS = 20
MAX_TAG_LENGTH = 64
ACCOUNT_PATTERN = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")
MAX_FUTURE = dt.timedelta(minutes=5)
# No activity of a SaaS account predates the Unix epoch; older stamps are broken clocks.
EARLIEST = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
MAX_CHANGES = 500
MAX_METADATA_BYTES = 64 * 1024
MAX_CHANGES_BYTES = 256 * 1024
MAX_JSON_PROBLEMS = 10
LIMITS = {
    "action": 100,
    "actor.id": 255,
    "actor.name": 255,
    "actor.email": 320,
    "target.type": 64,
    "target.id": 255,
    "target.name": 500,
    "changes.field": 255,
    "failureReason": 1000,
    "userAgent": 1024,
    "requestId": 255,
    "idempotencyKey": 255,
}


@dataclass(frozen=True)
class NewEvent:
    """An event as a producer sent it, not yet checked."""

    action: str
    actor: Actor | None = None
    target: Target | None = None
    changes: tuple[Change, ...] = ()
    metadata: object = None
    tags: tuple[str, ...] = ()
    outcome: Outcome = Outcome.SUCCESS
    failure_reason: str | None = None
    ip_address: str | None = None
    user_agent: str | None = None
    request_id: str | None = None
    occurred_at: dt.datetime | None = None
    idempotency_key: str | None = None
    account_id: str | None = None


@dataclass(frozen=True)
class CheckedEvent:
    """An event whose every field passed its checks, with secrets already redacted."""

    action: str
    actor: Actor
    target: Target | None
    changes: tuple[Change, ...]
    changes_json: str
    metadata: dict[str, Any]
    metadata_json: str
    tags: tuple[str, ...]
    tags_json: str
    outcome: Outcome
    failure_reason: str | None
    ip_address: str | None
    ip_key: str | None
    user_agent: str | None
    request_id: str | None
    occurred_at: dt.datetime
    idempotency_key: str | None


class EventChecker:
    """Validates one event; problems accumulate in `problems` with `input[i].` paths."""

    def __init__(self, index: int, now: dt.datetime, policy: RedactionPolicy) -> None:
        self.prefix = f"input[{index}]"
        self.now = now
        self.policy = policy
        self.problems: list[Problem] = []

    def fail(self, field: str, message: str) -> None:
        """Record a problem with `field` of this event."""
        self.problems.append(Problem(f"{self.prefix}.{field}", message))

    def check(self, event: NewEvent) -> CheckedEvent:
        """Return the checked event; inspect `problems` before using it."""
        action = self._action(event.action)
        self._requirements(event)
        actor = self._actor(event.actor)
        target = self._target(event.target)
        changes = self._changes(event.changes)
        changes_json = self._json(
            "changes",
            [{"field": c.field, "before": c.before, "after": c.after} for c in changes],
            MAX_CHANGES_BYTES,
        )
        metadata = self._metadata(event.metadata)
        metadata_json = self._json("metadata", metadata, MAX_METADATA_BYTES)
        ip_text, ip_key = self._ip(event.ip_address)
        tags = self._tags(event.tags)
        return CheckedEvent(
            action=action,
            actor=actor,
            target=target,
            changes=changes,
            changes_json=changes_json,
            metadata=metadata,
            metadata_json=metadata_json,
            tags=tags,
            tags_json=json.dumps(list(tags), separators=(",", ":")),
            outcome=event.outcome,
            failure_reason=self._failure_reason(event.outcome, event.failure_reason),
            ip_address=ip_text,
            ip_key=ip_key,
            user_agent=self.text("userAgent", event.user_agent),
            request_id=self.text("requestId", event.request_id),
            occurred_at=self._occurred_at(event.occurred_at),
            idempotency_key=self.text("idempotencyKey", event.idempotency_key, allow_empty=False),
        )

    def text(self, field: str, value: str | None, *, allow_empty: bool = True) -> str | None:
        """Check a free-text field's length and characters."""
        if value is None:
            return None
        limit = LIMITS[re.sub(r"\[\d+\]", "", field)]
        if not allow_empty and not value.strip():
            self.fail(field, "must not be empty; leave it out instead.")
        elif len(value) > limit:
            self.fail(field, f"is {len(value)} characters long; the limit is {limit}.")
        elif problem := text_problem(value):
            self.fail(field, problem)
        return value

    def _action(self, action: str) -> str:
        if len(action) > LIMITS["action"] or not ACTION_PATTERN.match(action):
            self.fail(
                "action",
                f'"{action[:120]}" is not a dotted lower-case action name; '
                'write it like "inbox.create" or "user.sign_in".',
            )
        elif lookup(action) is None and not is_custom(action):
            close = suggestions(action)
            hint = f"did you mean {' or '.join(map(repr, close))}? " if close else ""
            self.fail(
                "action",
                f'"{action}" is not a known action; {hint}List them with auditActions, or '
                f'record your own as "{CUSTOM_PREFIX}{action.replace(".", "_")}".',
            )
        return action

    def _requirements(self, event: NewEvent) -> None:
        """Check the fields the catalogue says this action's events must carry."""
        spec = lookup(event.action)
        if spec is None:
            return
        for path in spec.requires:
            if not _has(event, path):
                self.fail(
                    path, f'is required for action "{event.action}"; {_HOW[path.split(".")[0]]}'
                )

    def _actor(self, actor: Actor | None) -> Actor:
        if actor is None:
            return Actor(ActorType.SYSTEM)
        if actor.type is not ActorType.SYSTEM and not (actor.id and actor.id.strip()):
            self.fail("actor.id", f"is required for actor type {actor.type.value}.")
        self.text("actor.id", actor.id)
        self.text("actor.name", actor.name)
        email = self.text("actor.email", actor.email)
        if email and "@" not in email:
            self.fail("actor.email", f'"{email[:120]}" is not an e-mail address.')
        return actor

    def _target(self, target: Target | None) -> Target | None:
        if target is None:
            return None
        if not TARGET_TYPE_PATTERN.match(target.type) or len(target.type) > LIMITS["target.type"]:
            self.fail(
                "target.type",
                f'"{target.type[:120]}" must be a lower-case name such as "inbox" or "webhook".',
            )
        self.text("target.id", target.id)
        self.text("target.name", target.name)
        return target

    def _changes(self, changes: tuple[Change, ...]) -> tuple[Change, ...]:
        if len(changes) > MAX_CHANGES:
            self.fail("changes", f"has {len(changes)} entries; the limit is {MAX_CHANGES}.")
            return ()
        checked = []
        for position, change in enumerate(changes):
            field = f"changes[{position}].field"
            if not change.field.strip():
                self.fail(field, "must name the changed field.")
            self.text(field, change.field)
            if not self._is_storable(change.before, f"changes[{position}].before") or (
                not self._is_storable(change.after, f"changes[{position}].after")
            ):
                continue
            before, after = self.policy.redact_change(change.field, change.before, change.after)
            checked.append(Change(change.field, before, after))
        return tuple(checked)

    def _metadata(self, metadata: object) -> dict[str, Any]:
        if metadata is None:
            return {}
        if not isinstance(metadata, dict):
            kind = type(metadata).__name__
            self.fail("metadata", f'must be a JSON object such as {{"plan": "pro"}}; got a {kind}.')
            return {}
        if not self._is_storable(metadata, "metadata"):
            return {}
        redacted = self.policy.redact(metadata)
        return redacted if isinstance(redacted, dict) else {}

    def _tags(self, tags: tuple[str, ...]) -> tuple[str, ...]:
        """Lower-case words, each once, in the order sent."""
        if len(tags) > MAX_TAGS:
            self.fail("tags", f"has {len(tags)} tags; the limit is {MAX_TAGS}.")
            return ()
        for position, tag in enumerate(tags):
            if len(tag) <= MAX_TAG_LENGTH and TAG_PATTERN.match(tag):
                continue
            lower = tag.lower()
            hint = (
                f' write "{lower}".'
                if lower != tag and TAG_PATTERN.match(lower) and len(lower) <= MAX_TAG_LENGTH
                else ' write lower-case letters and digits, words joined by "-" or "_", '
                f'such as "gdpr" or "billing-eu" (up to {MAX_TAG_LENGTH} characters).'
            )
            self.fail(f"tags[{position}]", f'"{tag[:80]}" is not a tag;{hint}')
        return tuple(dict.fromkeys(tags))

    def _is_storable(self, value: object, field: str) -> bool:
        """Check a JSON value against the accepted JSON (json_limits); report each problem."""
        problems = list(islice(json_problems(value, field), MAX_JSON_PROBLEMS))
        for path, message in problems:
            self.fail(path, message)
        return not problems

    def _json(self, field: str, value: object, limit: int) -> str:
        try:
            text = json.dumps(value, allow_nan=False, separators=(",", ":"))
        except (TypeError, ValueError) as exc:
            self.fail(field, f"cannot be stored as JSON ({exc}).")
            return "{}"
        if len(text) > limit:
            self.fail(field, f"is {len(text)} bytes as JSON; the limit is {limit}.")
        if "\\u0000" in text:
            self.fail(field, "contains a NUL character (\\u0000); remove it.")
        return text

    def _failure_reason(self, outcome: Outcome, reason: str | None) -> str | None:
        if reason is not None and outcome is Outcome.SUCCESS:
            self.fail("failureReason", "is only allowed with outcome FAILURE.")
        return self.text("failureReason", reason)

    def _ip(self, ip: str | None) -> tuple[str | None, str | None]:
        if ip is None:
            return None, None
        try:
            address = parse_address(ip)
        except ValueError as exc:
            zoned = "zone id" in str(exc)
            self.fail(
                "ipAddress",
                str(exc)
                if zoned
                else f'"{ip[:60]}" is not an IP address; send IPv4 or IPv6, such as 203.0.113.7.',
            )
            return None, None
        return str(address), address_key(address)

    def _occurred_at(self, occurred_at: dt.datetime | None) -> dt.datetime:
        if occurred_at is None:
            return self.now
        if occurred_at.tzinfo is None:
            self.fail(
                "occurredAt",
                f'"{occurred_at.isoformat()}" has no time zone; add "Z" or an offset such '
                'as "+02:00".',
            )
            return self.now
        occurred_at = occurred_at.astimezone(dt.UTC)
        if occurred_at > self.now + MAX_FUTURE:
            self.fail(
                "occurredAt",
                f'"{occurred_at.isoformat()}" is more than 5 minutes in the future; '
                "check the producer's clock.",
            )
        elif occurred_at < EARLIEST:
            self.fail(
                "occurredAt",
                f'"{occurred_at.isoformat()}" is before {EARLIEST.date().isoformat()}; '
                "send the moment the activity really happened.",
            )
        return occurred_at


_HOW = {
    "target": "send the record acted upon as target: {type, id, name}.",
    "actor": "send the acting user as actor: {type: USER, id, name, email}.",
    "metadata": "add it to metadata.",
    "changes": "send the changed fields as changes.",
}


def _has(event: NewEvent, path: str) -> bool:
    """Whether the event carries a non-empty value at a path such as "target.id"."""
    head, _, rest = path.partition(".")
    if head == "metadata":
        value = event.metadata.get(rest) if isinstance(event.metadata, dict) else None
        return value is not None and value != ""
    value = getattr(event, head)
    if rest and value is not None:
        value = getattr(value, rest)
    return value is not None and value != "" and value != ()
