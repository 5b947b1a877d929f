"""Top values with counts under a selection, for filter menus and "who did most" views."""

from __future__ import annotations

import enum
from collections import Counter
from dataclasses import dataclass
from typing import Any

from catalogue import category_of
from catalogue.language import Language
from models.audit_log import ActorType
from models.audit_log_query import Condition, count, group_counts, latest_actor_names
from models.ip_address import address_from_key
from resolvers.descriptions import actor_label, label_of, language_for
from resolvers.entries import Actor
from resolvers.errors import InvalidInputError
from resolvers.selection import Selection

MAX_FACET_VALUES = 100


class FacetField(enum.Enum):
    """What to count entries by."""

    ACTION = "action"
    CATEGORY = "category"
    ACTOR = "actor"
    TARGET_TYPE = "target_type"
    IP_ADDRESS = "ip_address"
    TAG = "tag"


@dataclass(frozen=True)
class FacetValue:
    """One value, how a person reads it, and how many selected entries have it."""

    value: str
    label: str
    count: int


@dataclass(frozen=True)
class Facet:
    """The top values of one field."""

    field: FacetField
    values: list[FacetValue]


async def facets(
    selection: Selection, fields: list[FacetField], limit: int, locale: str | None
) -> list[Facet]:
    """Return, for each field, its most frequent values among the selected entries."""
    if not 1 <= limit <= MAX_FACET_VALUES:
        raise InvalidInputError.single(
            "limit", f"must be between 1 and {MAX_FACET_VALUES}; got {limit}."
        )
    where = selection.condition()
    wanted = list(dict.fromkeys(fields))  # each field once, in the order asked
    # CATEGORY needs every action's count; ACTION then takes its top rows from them
    # instead of asking the database a second time.
    actions = await group_counts(where, "action", None) if FacetField.CATEGORY in wanted else None
    results = []
    for field in wanted:
        values = await _values(selection.account_id, where, field, limit, locale, actions)
        results.append(Facet(field, values))
    return results


async def total(selection: Selection) -> int:
    """The number of selected entries."""
    return await count(selection.condition())


async def _values(
    account_id: str,
    where: Condition,
    field: FacetField,
    limit: int,
    locale: str | None,
    actions: list[dict[str, Any]] | None,
) -> list[FacetValue]:
    language = language_for(locale)
    if field is FacetField.CATEGORY and actions is not None:
        tally: Counter[str] = Counter()
        for row in actions:
            category = category_of(row["action"])
            if category is not None:
                tally[category.name] += int(row["n"])
        ranked = sorted(tally.items(), key=lambda item: (-item[1], item[0]))[:limit]
        return [
            FacetValue(name, language.words[f"category:{name.lower()}"], n) for name, n in ranked
        ]
    if field is FacetField.ACTION and actions is not None:
        rows = actions[:limit]
    else:
        rows = await group_counts(where, field.value, limit)
    if field is FacetField.ACTION:
        return [FacetValue(r["action"], label_of(r["action"], language), int(r["n"])) for r in rows]
    if field is FacetField.ACTOR:
        return await _actor_values(account_id, rows, language)
    if field is FacetField.TAG:
        return [FacetValue(r["tag"], r["tag"], int(r["n"])) for r in rows]
    if field is FacetField.TARGET_TYPE:
        return [_target_type_value(r["target_type"], int(r["n"]), language) for r in rows]
    addresses = [str(address_from_key(r["ip_key"])) for r in rows]
    return [FacetValue(a, a, int(r["n"])) for a, r in zip(addresses, rows, strict=True)]


async def _actor_values(
    account_id: str, rows: list[dict[str, Any]], language: Language
) -> list[FacetValue]:
    """Actors labelled by the name and e-mail of their latest entry."""
    keys = [(str(row["actor_type"]), _text(row["actor_id"])) for row in rows]
    names = await latest_actor_names(account_id, keys)
    values = []
    for (actor_type, actor_id), row in zip(keys, rows, strict=True):
        named = names.get((actor_type, actor_id), {})
        actor = Actor(
            ActorType(actor_type),
            actor_id,
            _text(named.get("actor_name")),
            _text(named.get("actor_email")),
        )
        value = actor_id if actor_id is not None else actor_type
        values.append(FacetValue(value, actor_label(actor, language), int(row["n"])))
    return values


def _target_type_value(target_type: str, n: int, language: Language) -> FacetValue:
    noun = language.nouns.get(target_type)
    return FacetValue(target_type, noun.label if noun else target_type.replace("_", " "), n)


def _text(value: object) -> str | None:
    return str(value) if value is not None else None
