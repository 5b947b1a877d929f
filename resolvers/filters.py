"""The audit-log filter: its checked form and the ORM conditions it becomes."""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import asdict, dataclass
from typing import Any

from tortoise.expressions import Q

from catalogue import CUSTOM_PREFIX, Category, actions_in
from models.audit_log import ActorType, Outcome
from models.ip_address import network_key_range, parse_network
from resolvers.errors import InvalidInputError

ACTION_FILTER = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*(\.\*)?$")
MAX_VALUES = 100


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

    def fingerprint(self) -> str:
        """Return a stable text form, so a cursor can be tied to the filter it came from."""
        return json.dumps(asdict(self), sort_keys=True, default=str)


def filter_conditions(account_id: str, flt: AuditLogFilter) -> Q:
    """Return the ORM condition selecting the account's entries that match `flt`."""
    _check_sizes(flt)
    conditions = [Q(account_id=account_id)]
    if flt.actions:
        conditions.append(_any(_action_condition(action) for action in flt.actions))
    if flt.categories:
        conditions.append(_category_condition(flt.categories))
    for field, values in (
        ("actor_id", flt.actor_ids),
        ("actor_type", tuple(t.value for t in flt.actor_types)),
        ("outcome", tuple(o.value for o in flt.outcomes)),
        ("target_type", flt.target_types),
        ("target_id", flt.target_ids),
    ):
        if values:
            lookup: dict[str, Any] = {f"{field}__in": list(values)}
            conditions.append(Q(**lookup))
    conditions.extend(_time_conditions(flt))
    if flt.ip_addresses:
        conditions.append(_any(_ip_condition(ip) for ip in flt.ip_addresses))
    if flt.request_id is not None:
        conditions.append(Q(request_id=flt.request_id))
    if flt.after_sequence is not None:
        conditions.append(Q(sequence__gt=flt.after_sequence))
    conditions.extend(_search_conditions(flt.search))
    return Q(*conditions, join_type="AND")


def _check_sizes(flt: AuditLogFilter) -> None:
    for name, values in asdict(flt).items():
        if isinstance(values, tuple) and len(values) > MAX_VALUES:
            raise InvalidInputError.single(
                f"filter.{_camel(name)}", f"lists {len(values)} values; the limit is {MAX_VALUES}."
            )


def _any(conditions: object) -> Q:
    return Q(*list(conditions), join_type="OR")  # type: ignore[call-overload]


def _action_condition(action: str) -> Q:
    if not ACTION_FILTER.match(action):
        raise InvalidInputError.single(
            "filter.actions",
            f'"{action[:100]}" is not an action name or prefix; write "inbox.create" or "inbox.*".',
        )
    if action.endswith(".*"):
        # A range instead of LIKE, so the index serves it whatever plan is cached.
        prefix = action[:-1]
        return Q(action__gte=prefix, action__lt=prefix[:-1] + "/")
    return Q(action=action)


def _category_condition(categories: tuple[Category, ...]) -> Q:
    condition = Q(action__in=actions_in(categories))
    if Category.CUSTOM in categories:
        condition |= _action_condition(CUSTOM_PREFIX + "*")
    return condition


def _time_conditions(flt: AuditLogFilter) -> list[Q]:
    conditions = []
    for name, value in (
        ("occurredAfter", flt.occurred_after),
        ("occurredBefore", flt.occurred_before),
    ):
        if value is not None and value.tzinfo is None:
            raise InvalidInputError.single(
                f"filter.{name}", f'"{value.isoformat()}" has no time zone; add "Z" or an offset.'
            )
    if flt.occurred_after is not None:
        conditions.append(Q(occurred_at__gte=flt.occurred_after.astimezone(dt.UTC)))
    if flt.occurred_before is not None:
        conditions.append(Q(occurred_at__lt=flt.occurred_before.astimezone(dt.UTC)))
    return conditions


def _ip_condition(text: str) -> Q:
    try:
        network = parse_network(text)
    except ValueError as exc:
        raise InvalidInputError.single(
            "filter.ipAddresses",
            f'"{text[:60]}" is not an IP address or CIDR block; write 203.0.113.7 or '
            "203.0.113.0/24.",
        ) from exc
    low, high = network_key_range(network)
    return Q(ip_key=low) if low == high else Q(ip_key__gte=low, ip_key__lte=high)


def _search_conditions(search: str | None) -> list[Q]:
    if search is None:
        return []
    words = search.lower().split()
    if len(search) > 200:
        raise InvalidInputError.single("filter.search", "is longer than 200 characters.")
    return [Q(search_text__contains=word) for word in words]


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)
