"""The audit-log filter: its checked form and the ORM conditions it becomes."""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import asdict, dataclass

from catalogue import CUSTOM_PREFIX, Category, actions_in
from models.audit_log import ActorType, Outcome
from models.audit_log_query import (
    Condition,
    above,
    all_of,
    any_of,
    at_least,
    below,
    contains_text,
    equals,
    has_any_tag,
    key_range,
    metadata_is,
    one_of,
    prefix,
)
from models.ip_address import network_key_range, parse_network
from resolvers.errors import InvalidInputError
from resolvers.json_limits import MAX_SAFE_INTEGER, text_problem

ACTION_FILTER = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*(\.\*)?$")
MAX_VALUES = 100
TAG_FILTER = re.compile(r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$")
MAX_METADATA_KEY = 255
MAX_METADATA_VALUE = 1000
JSON_NUMBER = re.compile(r"^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?$")


@dataclass(frozen=True)
class AuditLogFilter:
    """Conditions combined with AND; the values inside one list are combined with OR."""

    actions: tuple[str, ...] = ()
    categories: tuple[Category, ...] = ()
    actor_ids: tuple[str, ...] = ()
    actor_types: tuple[ActorType, ...] = ()
    outcomes: tuple[Outcome, ...] = ()
    target_types: tuple[str, ...] = ()
    target_ids: tuple[str, ...] = ()
    occurred_after: dt.datetime | None = None
    occurred_before: dt.datetime | None = None
    ip_addresses: tuple[str, ...] = ()
    request_id: str | None = None
    after_sequence: int | None = None
    search: str | None = None
    tags: tuple[str, ...] = ()
    metadata: tuple[tuple[str, str], ...] = ()

    def fingerprint(self) -> str:
        """Return a stable text form, so a cursor can be tied to the filter it came from."""
        return json.dumps(asdict(self), sort_keys=True, default=str)


def filter_conditions(account_id: str, flt: AuditLogFilter) -> Condition:
    """Return the condition selecting the account's entries that match `flt`."""
    _check_sizes(flt)
    conditions = [equals("account_id", account_id)]
    if flt.actions:
        conditions.append(any_of(*(action_condition(a, "filter.actions") for a in flt.actions)))
    if flt.categories:
        conditions.append(category_condition(flt.categories))
    for column, values in (
        ("actor_id", flt.actor_ids),
        ("actor_type", tuple(t.value for t in flt.actor_types)),
        ("outcome", tuple(o.value for o in flt.outcomes)),
        ("target_type", flt.target_types),
        ("target_id", flt.target_ids),
    ):
        if values:
            conditions.append(one_of(column, list(values)))
    conditions.extend(_time_conditions(flt))
    if flt.ip_addresses:
        conditions.append(
            any_of(*(ip_condition(ip, "filter.ipAddresses") for ip in flt.ip_addresses))
        )
    if flt.request_id is not None:
        conditions.append(equals("request_id", flt.request_id))
    if flt.after_sequence is not None:
        conditions.append(above("sequence", flt.after_sequence))
    conditions.extend(_search_conditions(flt.search))
    if flt.tags:
        conditions.append(tag_condition(account_id, flt.tags, "filter.tags"))
    conditions.extend(_metadata_conditions(account_id, flt.metadata))
    return all_of(*conditions)


def tag_condition(account_id: str, tags: tuple[str, ...], field: str) -> Condition:
    """Entries carrying any of `tags` (lower-case words, as producers must send them)."""
    for tag in tags:
        if not TAG_FILTER.match(tag) or len(tag) > 64:
            lower = tag.lower()
            hint = f'write "{lower}"' if TAG_FILTER.match(lower) else 'write it like "gdpr"'
            raise InvalidInputError.single(
                field, f'"{tag[:80]}" is not a tag; tags are lower-case words: {hint}.'
            )
    return has_any_tag(account_id, tags)


def metadata_condition(account_id: str, key: str, value: str, field: str) -> Condition:
    """Entries whose top-level metadata `key` holds `value` as a string, number or boolean."""
    if not key or len(key) > MAX_METADATA_KEY:
        raise InvalidInputError.single(
            field, f"key must be 1 to {MAX_METADATA_KEY} characters; got {len(key)}."
        )
    if len(value) > MAX_METADATA_VALUE:
        raise InvalidInputError.single(
            field, f"value is {len(value)} characters long; the limit is {MAX_METADATA_VALUE}."
        )
    for part, text in (("key", key), ("value", value)):
        if problem := text_problem(text):
            raise InvalidInputError.single(field, f"{part} {problem}")
    return metadata_is(account_id, key, metadata_candidates(value))


def metadata_candidates(value: str) -> list[str | int | float | bool]:
    """The stored values `value` stands for: itself, and the number or boolean it spells."""
    candidates: list[str | int | float | bool] = [value]
    if value in ("true", "false"):
        candidates.append(value == "true")
    elif JSON_NUMBER.match(value):
        number = float(value)
        # Stored numbers lie within this bound, so a larger one can only match as text.
        if abs(number) <= MAX_SAFE_INTEGER:
            candidates.append(int(number) if number.is_integer() else number)
    return candidates


def _metadata_conditions(account_id: str, pairs: tuple[tuple[str, str], ...]) -> list[Condition]:
    """One condition per key: values of the same key OR, different keys AND."""
    by_key: dict[str, list[Condition]] = {}
    for position, (key, value) in enumerate(pairs):
        condition = metadata_condition(account_id, key, value, f"filter.metadata[{position}]")
        by_key.setdefault(key, []).append(condition)
    return [any_of(*alternatives) for alternatives in by_key.values()]


def action_condition(action: str, field: str) -> Condition:
    """An exact action name, or a prefix written "inbox.*"."""
    if not ACTION_FILTER.match(action):
        raise InvalidInputError.single(
            field,
            f'"{action[:100]}" is not an action name or prefix; write "inbox.create" or "inbox.*".',
        )
    if action.endswith(".*"):
        return prefix("action", action[:-1])
    return equals("action", action)


def category_condition(categories: tuple[Category, ...]) -> Condition:
    """Actions in any of the catalogue categories; CUSTOM means the custom.* namespace."""
    names = actions_in(categories)
    parts = [one_of("action", names)] if names else []
    if Category.CUSTOM in categories:
        parts.append(prefix("action", CUSTOM_PREFIX))
    return any_of(*parts)


def ip_condition(text: str, field: str) -> Condition:
    """An address or a CIDR block, as a range of the sortable address key."""
    try:
        network = parse_network(text)
    except ValueError as exc:
        raise InvalidInputError.single(
            field,
            f'"{text[:60]}" is not an IP address or CIDR block; write 203.0.113.7 or '
            "203.0.113.0/24.",
        ) from exc
    low, high = network_key_range(network)
    return key_range("ip_key", low, high)


def _check_sizes(flt: AuditLogFilter) -> None:
    for name, values in asdict(flt).items():
        if isinstance(values, tuple) and len(values) > MAX_VALUES:
            raise InvalidInputError.single(
                f"filter.{_camel(name)}", f"lists {len(values)} values; the limit is {MAX_VALUES}."
            )


def _time_conditions(flt: AuditLogFilter) -> list[Condition]:
    conditions = []
    for name, value in (
        ("occurredAfter", flt.occurred_after),
        ("occurredBefore", flt.occurred_before),
    ):
        if value is not None and value.tzinfo is None:
            raise InvalidInputError.single(
                f"filter.{name}", f'"{value.isoformat()}" has no time zone; add "Z" or an offset.'
            )
        if value is not None and not _has_utc_form(value):
            raise InvalidInputError.single(
                f"filter.{name}",
                f'"{value.isoformat()}" is outside the years 1-9999 in UTC; pass a later '
                "or earlier moment.",
            )
    if flt.occurred_after is not None:
        conditions.append(at_least("occurred_at", flt.occurred_after.astimezone(dt.UTC)))
    if flt.occurred_before is not None:
        conditions.append(below("occurred_at", flt.occurred_before.astimezone(dt.UTC)))
    return conditions


def _has_utc_form(value: dt.datetime) -> bool:
    """Whether the moment can be written in UTC (year 1 at +05:00 cannot)."""
    try:
        value.astimezone(dt.UTC)
    except OverflowError:
        return False
    return True


def _search_conditions(search: str | None) -> list[Condition]:
    if search is None:
        return []
    if len(search) > 200:
        raise InvalidInputError.single("filter.search", "is longer than 200 characters.")
    return [contains_text(word) for word in search.lower().split()]


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)
