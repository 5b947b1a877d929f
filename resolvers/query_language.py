"""The search language: `actor:alice@example.com action:webhook.* -ip:10.0.0.0/8 "rotated"`.

Qualifiers are the names in QUALIFIERS, plus `meta.KEY:VALUE` for a top-level
metadata key (a KEY without spaces, colons or quotes).

Parsing turns the text into terms (a qualifier or free text, possibly negated, with
the column where it starts); `query_condition` turns terms into a condition:
different qualifiers AND, the same qualifier repeated OR, negated terms AND NOT,
free-text words and quoted phrases AND.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass

from catalogue import Category
from models.audit_log_query import (
    Condition,
    above,
    all_of,
    any_of,
    at_least,
    at_most,
    below,
    contains_text,
    equals,
    equals_ignoring_case,
    negate,
)
from resolvers.errors import InvalidInputError
from resolvers.filters import (
    action_condition,
    category_condition,
    ip_condition,
    metadata_condition,
    tag_condition,
)

QUALIFIERS = ("actor", "action", "category", "target", "ip", "request", "occurred", "tag")
META = "meta."
META_QUALIFIER = re.compile(r'meta\.([^\s:"]+):', re.IGNORECASE)
MAX_QUERY_LENGTH = 1000
MAX_TERMS = 50
RELATIVE = re.compile(r"^now(?:-([0-9]{1,12})([mhdw]))?$")
UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class Term:
    """One piece of a query: a qualifier and its value, or free text (qualifier None)."""

    qualifier: str | None
    value: str
    negated: bool
    column: int


def query_error(column: int, message: str) -> InvalidInputError:
    """A BAD_USER_INPUT error about the query, pointing at a 1-based column."""
    return InvalidInputError.single("query", f"{message} at column {column}")


def parse_query(text: str) -> list[Term]:
    """Split a query into terms, or raise InvalidInputError naming the column at fault."""
    if len(text) > MAX_QUERY_LENGTH:
        raise InvalidInputError.single(
            "query", f"is {len(text)} characters long; the limit is {MAX_QUERY_LENGTH}."
        )
    terms, position = [], 0
    while position < len(text):
        if text[position].isspace():
            position += 1
            continue
        term, position = _term(text, position)
        terms.append(term)
    if len(terms) > MAX_TERMS:
        raise InvalidInputError.single(
            "query", f"has {len(terms)} terms; the limit is {MAX_TERMS}."
        )
    return terms


def _term(text: str, start: int) -> tuple[Term, int]:
    negated = text[start] == "-" and start + 1 < len(text) and not text[start + 1].isspace()
    position = start + 1 if negated else start
    if text[position] == '"':
        value, end = _quoted(text, position)
        return Term(None, value, negated, start + 1), end
    if re.match(r"meta\.:", text[position:], re.IGNORECASE):
        raise query_error(
            position + 1, 'expected a metadata key after "meta."; write meta.plan:pro'
        )
    meta = META_QUALIFIER.match(text, position)
    match = meta or re.match(r"([A-Za-z_]+):", text[position:])
    if match is None:
        end = _word_end(text, position)
        return Term(None, text[position:end], negated, start + 1), end
    # A metadata key keeps its case; "meta.plan" and "meta.Plan" are different keys.
    name = META + match.group(1) if meta else match.group(1).lower()
    if not meta and name not in QUALIFIERS:
        close = difflib.get_close_matches(name, QUALIFIERS, n=1)
        hint = f'; did you mean "{close[0]}:"?' if close else f"; use one of {_names()}"
        raise InvalidInputError.single(
            "query", f'unknown qualifier "{match.group(0)}" at column {position + 1}{hint}'
        )
    value_start = position + len(match.group(0))
    if value_start < len(text) and text[value_start] == '"':
        value, end = _quoted(text, value_start)
    else:
        end = _word_end(text, value_start)
        value = text[value_start:end]
    if not value:
        raise query_error(value_start + 1, f'expected a value after "{name}:"')
    return Term(name, value, negated, start + 1), end


def _quoted(text: str, start: int) -> tuple[str, int]:
    end = text.find('"', start + 1)
    if end == -1:
        raise query_error(start + 1, 'unterminated quote; close it with "')
    if end == start + 1:
        raise query_error(start + 1, "empty quotes")
    return text[start + 1 : end], end + 1


def _word_end(text: str, start: int) -> int:
    end = start
    while end < len(text) and not text[end].isspace():
        end += 1
    return end


def _names() -> str:
    return ", ".join(f"{name}:" for name in QUALIFIERS) + ", meta.KEY:"


@dataclass(frozen=True)
class Reading:
    """What terms are read against: the moment `now-7d` counts from, and the account."""

    now: dt.datetime
    account_id: str


def query_condition(terms: list[Term], now: dt.datetime, account_id: str) -> Condition:
    """Return the condition a parsed query stands for, among the account's entries."""
    reading = Reading(now, account_id)
    groups: dict[str, list[Condition]] = {}
    conditions: list[Condition] = []
    for term in terms:
        condition = _condition(term, reading)
        if term.negated:
            conditions.append(negate(condition))
        elif term.qualifier is None:
            conditions.append(condition)
        else:
            groups.setdefault(term.qualifier, []).append(condition)
    conditions.extend(any_of(*alternatives) for alternatives in groups.values())
    return all_of(*conditions)


def _condition(term: Term, reading: Reading) -> Condition:
    if term.qualifier is None:
        return contains_text(term.value)
    # Every meta.KEY qualifier is read by one function; the key is in the qualifier.
    name = META if term.qualifier.startswith(META) else term.qualifier
    return QUALIFIER_CONDITIONS[name](term, reading)


def _tag(term: Term, reading: Reading) -> Condition:
    try:
        return tag_condition(reading.account_id, (term.value,), "query")
    except InvalidInputError as exc:
        raise query_error(term.column, exc.problems[0].message.rstrip(".")) from exc


def _meta(term: Term, reading: Reading) -> Condition:
    key = term.qualifier[len(META) :] if term.qualifier else ""
    try:
        return metadata_condition(reading.account_id, key, term.value, "query")
    except InvalidInputError as exc:
        message = exc.problems[0].message.rstrip(".")
        raise query_error(term.column, f"{META}{key[:60]}: {message}") from exc


def _actor(term: Term, reading: Reading) -> Condition:
    return any_of(
        equals("actor_id", term.value),
        equals_ignoring_case("actor_email", term.value),
        equals_ignoring_case("actor_name", term.value),
    )


def _action(term: Term, reading: Reading) -> Condition:
    try:
        return action_condition(term.value, "query")
    except InvalidInputError as exc:
        raise query_error(
            term.column, f'"{term.value}" is not an action name or prefix such as inbox.*'
        ) from exc


def _category(term: Term, reading: Reading) -> Condition:
    normal = term.value.lower().replace("-", "_")
    try:
        return category_condition((Category(normal),))
    except ValueError as exc:
        known = ", ".join(category.value for category in Category)
        raise query_error(
            term.column, f'unknown category "{term.value}"; use one of {known}'
        ) from exc


def _target(term: Term, reading: Reading) -> Condition:
    target_type, _, target_id = term.value.partition(":")
    if not target_type:
        raise query_error(term.column, f'"{term.value}" is not a target; write inbox or inbox:5')
    condition = equals("target_type", target_type)
    return all_of(condition, equals("target_id", target_id)) if target_id else condition


def _ip(term: Term, reading: Reading) -> Condition:
    try:
        return ip_condition(term.value, "query")
    except InvalidInputError as exc:
        raise query_error(
            term.column, f'"{term.value}" is not an IP address or CIDR block such as 10.0.0.0/8'
        ) from exc


def _request(term: Term, reading: Reading) -> Condition:
    return equals("request_id", term.value)


def _occurred(term: Term, reading: Reading) -> Condition:
    now = reading.now
    value = term.value
    if ".." in value:
        low, _, high = value.partition("..")
        parts = []
        if low:
            parts.append(at_least("occurred_at", _moment(low, term, now)[0]))
        if high:
            start, end = _moment(high, term, now)
            parts.append(below("occurred_at", end) if end else at_most("occurred_at", start))
        if not parts:
            raise query_error(term.column, 'expected a date on at least one side of ".."')
        return all_of(*parts)
    operator = re.match(r"^(>=|<=|>|<|=)?", value)
    op = operator.group(1) if operator and operator.group(1) else "="
    start, end = _moment(value[len(operator.group(0)) if operator else 0 :], term, now)
    if end is None:  # an instant
        return {
            ">=": lambda: at_least("occurred_at", start),
            ">": lambda: above("occurred_at", start),
            "<": lambda: below("occurred_at", start),
            "<=": lambda: at_most("occurred_at", start),
            "=": lambda: equals("occurred_at", start),
        }[op]()
    return {  # a whole day
        ">=": lambda: at_least("occurred_at", start),
        ">": lambda: at_least("occurred_at", end),
        "<": lambda: below("occurred_at", start),
        "<=": lambda: below("occurred_at", end),
        "=": lambda: all_of(at_least("occurred_at", start), below("occurred_at", end)),
    }[op]()


def _moment(text: str, term: Term, now: dt.datetime) -> tuple[dt.datetime, dt.datetime | None]:
    """A day as (start, end), or an instant as (moment, None); all in UTC."""
    try:
        relative = RELATIVE.match(text)
        if relative:
            amount, unit = relative.groups()
            delta = dt.timedelta(**{UNITS[unit]: int(amount)}) if amount else dt.timedelta()
            return now - delta, None
        if DATE.match(text):
            day = dt.datetime.fromisoformat(text).replace(tzinfo=dt.UTC)
            return day, day + dt.timedelta(days=1)
        moment = dt.datetime.fromisoformat(text)
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=dt.UTC)
        return moment.astimezone(dt.UTC), None
    except OverflowError as exc:
        raise query_error(
            term.column,
            f'"{text}" lies outside the years 1 to 9999; pick a nearer date or a smaller '
            "offset such as now-52w",
        ) from exc
    except ValueError as exc:
        raise query_error(
            term.column,
            f'"{text}" is not a date; write 2026-11-01, 2026-11-01T10:00:00Z or now-7d',
        ) from exc


QUALIFIER_CONDITIONS: dict[str, Callable[[Term, Reading], Condition]] = {
    "actor": _actor,
    "action": _action,
    "category": _category,
    "target": _target,
    "ip": _ip,
    "request": _request,
    "occurred": _occurred,
    "tag": _tag,
    META: _meta,
}
