"""What an export asks for, read from a query string or a JSON body and checked field by field.

Every mistake is an InvalidInputError naming the field (`filter.actorTypes[1]`,
`format`, `columns`) with the fix, raised before any byte of the file is sent.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

import orjson

from catalogue import Category
from export.formats import CSV_COLUMNS, JSON_FIELDS, Format, Layout
from models.audit_log import ActorType, Outcome
from resolvers.audit_logs import Order
from resolvers.errors import InvalidInputError
from resolvers.filters import AuditLogFilter
from resolvers.json_limits import text_problem
from resolvers.time_zones import zone_named
from schema.ids import to_global_id

E = TypeVar("E", bound=enum.Enum)
MAX_TEXT = 2000
FIELDS = ("format", "filter", "query", "order", "locale", "timeZone", "columns", "bom")


@dataclass(frozen=True)
class ExportRequest:
    """A checked export request: the selection and how to write it."""

    filter: AuditLogFilter
    filter_input: dict[str, Any]
    query: str | None
    format: Format
    order: Order
    locale: str | None
    time_zone: str
    columns: tuple[str, ...]
    bom: bool

    def layout(self) -> Layout:
        """How the selected entries become this request's file."""
        zone = zone_named(self.time_zone)
        return Layout(self.format, self.columns, self.locale, zone, audit_log_id, self.bom)


def audit_log_id(entry_id: int) -> str:
    """The entry's global id, as the GraphQL API shows it."""
    return to_global_id("AuditLog", entry_id)


def from_query_string(params: Mapping[str, str]) -> ExportRequest:
    """Read `format`, `filter` (JSON text), `query`, `columns` (comma-separated) and the rest."""
    values: dict[str, Any] = dict(params)
    if "filter" in values:
        values["filter"] = _json_text(values["filter"], "filter")
    if "columns" in values:
        values["columns"] = [c.strip() for c in values["columns"].split(",") if c.strip()]
    if "bom" in values:
        values["bom"] = _flag(values["bom"])
    return from_json(values)


def from_json(body: object) -> ExportRequest:
    """Read an export request from a JSON object (a POST body)."""
    if not isinstance(body, dict):
        raise InvalidInputError.single("body", 'must be a JSON object such as {"format": "csv"}.')
    unknown = sorted(set(body) - set(FIELDS))
    if unknown:
        raise InvalidInputError.single(
            unknown[0][:60], f"is not an export setting; use {', '.join(FIELDS)}."
        )
    fmt = _enum(Format, _text(body.get("format", "csv"), "format").lower(), "format")
    raw_filter = body.get("filter") or {}
    zone = _text(body.get("timeZone", "UTC"), "timeZone")
    zone_named(zone)
    query = body.get("query")
    return ExportRequest(
        filter=filter_from_json(raw_filter),
        filter_input=raw_filter,
        query=_text(query, "query") if query is not None else None,
        format=fmt,
        order=_enum(Order, _text(body.get("order", "NEWEST_FIRST"), "order"), "order"),
        locale=_text(body["locale"], "locale") if body.get("locale") is not None else None,
        time_zone=zone,
        columns=_columns(body.get("columns"), fmt),
        bom=_bool(body.get("bom", False), "bom"),
    )


def filter_from_json(raw: object) -> AuditLogFilter:
    """The filter from its JSON form, with the GraphQL input's field names."""
    if not isinstance(raw, dict):
        raise InvalidInputError.single(
            "filter", 'must be a JSON object such as {"actorIds": ["1"]}.'
        )
    readers: dict[str, Callable[[object, str], Any]] = {
        "actions": _texts,
        "categories": lambda v, f: tuple(_enum(Category, x, f) for x in _list(v, f)),
        "actorIds": _texts,
        "actorTypes": lambda v, f: tuple(_enum(ActorType, x, f) for x in _list(v, f)),
        "outcomes": lambda v, f: tuple(_enum(Outcome, x, f) for x in _list(v, f)),
        "targetTypes": _texts,
        "targetIds": _texts,
        "occurredAfter": _moment,
        "occurredBefore": _moment,
        "ipAddresses": _texts,
        "requestId": _text,
        "afterSequence": _sequence,
        "search": _text,
        "tags": _texts,
        "metadata": _pairs,
    }
    unknown = sorted(set(raw) - set(readers))
    if unknown:
        raise InvalidInputError.single(
            f"filter.{unknown[0][:60]}",
            f"is not a filter field; use {', '.join(readers)}.",
        )
    values = {
        _snake(name): readers[name](value, f"filter.{name}")
        for name, value in raw.items()
        if value is not None
    }
    return AuditLogFilter(**values)


def _columns(value: object, fmt: Format) -> tuple[str, ...]:
    known = CSV_COLUMNS if fmt is Format.CSV else JSON_FIELDS
    if value is None:
        return known
    names = _texts(value, "columns")
    wrong = [name for name in names if name not in known]
    if wrong or not names:
        shown = f'"{wrong[0][:60]}" is not a column' if wrong else "names no column"
        raise InvalidInputError.single(
            "columns", f"{shown} of {fmt.value.upper()}; choose from {', '.join(known)}."
        )
    return tuple(dict.fromkeys(names))


def _json_text(text: str, field: str) -> object:
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError as exc:
        raise InvalidInputError.single(
            field,
            f"is not JSON ({exc}); send it URL-encoded, e.g. "
            "filter=%7B%22tags%22%3A%5B%22gdpr%22%5D%7D.",
        ) from exc


def _flag(text: str) -> bool:
    if text.lower() in ("1", "true", "yes"):
        return True
    if text.lower() in ("0", "false", "no", ""):
        return False
    raise InvalidInputError.single("bom", f'"{text[:20]}" is not a switch; write true or false.')


def _bool(value: object, field: str) -> bool:
    if not isinstance(value, bool):
        raise InvalidInputError.single(field, "must be true or false.")
    return value


def _text(value: object, field: str) -> str:
    if not isinstance(value, str):
        raise InvalidInputError.single(field, f"must be a string; got {_kind(value)}.")
    if len(value) > MAX_TEXT:
        raise InvalidInputError.single(
            field, f"is {len(value)} characters; the limit is {MAX_TEXT}."
        )
    if problem := text_problem(value):
        raise InvalidInputError.single(field, problem)
    return value


def _list(value: object, field: str) -> list[object]:
    if not isinstance(value, list):
        raise InvalidInputError.single(field, f"must be a list; got {_kind(value)}.")
    return value


def _texts(value: object, field: str) -> tuple[str, ...]:
    return tuple(_text(item, f"{field}[{i}]") for i, item in enumerate(_list(value, field)))


def _pairs(value: object, field: str) -> tuple[tuple[str, str], ...]:
    pairs = []
    for i, item in enumerate(_list(value, field)):
        if not isinstance(item, dict) or set(item) != {"key", "value"}:
            raise InvalidInputError.single(
                f"{field}[{i}]", 'must be {"key": "...", "value": "..."}.'
            )
        pairs.append(
            (_text(item["key"], f"{field}[{i}].key"), _text(item["value"], f"{field}[{i}].value"))
        )
    return tuple(pairs)


def _enum(kind: type[E], value: object, field: str) -> E:
    names = [member.name for member in kind]
    if isinstance(value, str):
        for member in kind:
            if value in (member.name, member.value):
                return member
    raise InvalidInputError.single(field, f'"{str(value)[:60]}" is not one of {", ".join(names)}.')


def _moment(value: object, field: str) -> dt.datetime:
    text = _text(value, field)
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError as exc:
        raise InvalidInputError.single(
            field, f'"{text[:60]}" is not a date-time; write 2026-11-01T00:00:00Z.'
        ) from exc
    return moment


def _sequence(value: object, field: str) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, str) and value.lstrip("-").isdigit() and len(value) <= 20:
        number = int(value)
    else:
        raise InvalidInputError.single(field, f"must be a whole number; got {str(value)[:40]!r}.")
    if not -(2**63) <= number < 2**63:
        raise InvalidInputError.single(field, "is outside the 64-bit range.")
    return number


def _snake(name: str) -> str:
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in name)


def _kind(value: object) -> str:
    return "null" if value is None else type(value).__name__
