"""The export formats: CSV with a stable column list, NDJSON and JSON in the API's shape.

NDJSON and JSON objects carry the GraphQL `AuditLog` fields under their GraphQL names,
with the same values the API answers (ids, `BigInt` strings, ISO-8601 UTC times,
stored JSON written exactly). CSV has one row per entry in the columns of
CSV_COLUMNS; text cells that a spreadsheet would run as a formula are neutralised.
"""

from __future__ import annotations

import csv
import datetime as dt
import enum
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from catalogue import category_of
from resolvers.descriptions import describe
from resolvers.entries import Entry
from schema.json_encoding import encode_response


class Format(enum.StrEnum):
    """A file format an export can be written in."""

    CSV = "csv"
    NDJSON = "ndjson"
    JSON = "json"

    @property
    def media_type(self) -> str:
        """The Content-Type of a file in this format."""
        return {
            Format.CSV: "text/csv; charset=utf-8",
            Format.NDJSON: "application/x-ndjson",
            Format.JSON: "application/json",
        }[self]


# The CSV columns, in file order. Documented in the README; only ever appended to.
CSV_COLUMNS = (
    "id",
    "sequence",
    "occurred_at",
    "occurred_at_local",
    "action",
    "category",
    "description",
    "actor_type",
    "actor_id",
    "actor_name",
    "actor_email",
    "target_type",
    "target_id",
    "target_name",
    "changes",
    "metadata",
    "tags",
    "outcome",
    "failure_reason",
    "ip_address",
    "user_agent",
    "request_id",
    "recorded_at",
)
# The NDJSON / JSON fields: the GraphQL AuditLog type's, under its names.
JSON_FIELDS = (
    "id",
    "sequence",
    "occurredAt",
    "action",
    "category",
    "description",
    "actor",
    "target",
    "changes",
    "metadata",
    "tags",
    "outcome",
    "failureReason",
    "ipAddress",
    "userAgent",
    "requestId",
    "recordedAt",
)
# A spreadsheet treats a cell starting with one of these as a formula (OWASP, "CSV
# Injection"); such cells get a leading apostrophe, which spreadsheets show as text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Layout:
    """How entries become file text: format, columns, sentence language, local zone."""

    format: Format
    columns: tuple[str, ...]
    locale: str | None
    zone: ZoneInfo
    global_id: Callable[[int], str]
    bom: bool = False

    def head(self) -> bytes:
        """The bytes before the first entry."""
        if self.format is Format.CSV:
            return ("\ufeff" if self.bom else "").encode() + _csv_lines([list(self.columns)])
        return b"[" if self.format is Format.JSON else b""

    def body(self, entries: Sequence[Entry], first: bool) -> bytes:
        """The bytes of a batch of entries; `first` when no entry was written before."""
        if self.format is Format.CSV:
            return _csv_lines([self._cells(entry) for entry in entries])
        objects = [encode_response(self._object(entry)) for entry in entries]
        if self.format is Format.NDJSON:
            return b"".join(line + b"\n" for line in objects)
        return (b"" if first else b",") + b",".join(objects)

    def tail(self) -> bytes:
        """The bytes after the last entry."""
        return b"]" if self.format is Format.JSON else b""

    def _object(self, entry: Entry) -> dict[str, object]:
        values = api_object(entry, self.locale, self.global_id)
        return {name: values[name] for name in self.columns}

    def _cells(self, entry: Entry) -> list[str]:
        values = csv_values(entry, self.locale, self.zone, self.global_id)
        return [values[name] for name in self.columns]


def api_object(
    entry: Entry, locale: str | None, global_id: Callable[[int], str]
) -> dict[str, object]:
    """The entry as the GraphQL API answers an `AuditLog` with every field selected."""
    actor, target = entry.actor, entry.target
    category = category_of(entry.action)
    return {
        "id": global_id(entry.id),
        "sequence": str(entry.sequence),
        "occurredAt": entry.occurred_at.isoformat(),
        "action": entry.action,
        "category": category.name if category else None,
        "description": describe(entry, locale),
        "actor": {
            "type": actor.type.value,
            "externalId": actor.id,
            "name": actor.name,
            "email": actor.email,
        },
        "target": (
            {"type": target.type, "externalId": target.id, "name": target.name} if target else None
        ),
        "changes": [
            {"field": c.field, "before": c.before, "after": c.after} for c in entry.changes
        ],
        "metadata": entry.stored_metadata,
        "tags": list(entry.tags),
        "outcome": entry.outcome.value,
        "failureReason": entry.failure_reason,
        "ipAddress": entry.ip_address,
        "userAgent": entry.user_agent,
        "requestId": entry.request_id,
        "recordedAt": entry.recorded_at.isoformat(),
    }


def csv_values(
    entry: Entry, locale: str | None, zone: ZoneInfo, global_id: Callable[[int], str]
) -> dict[str, str]:
    """The entry's CSV cells by column name; absent values are empty cells."""
    actor, target = entry.actor, entry.target
    category = category_of(entry.action)
    values = {
        "id": global_id(entry.id),
        "sequence": str(entry.sequence),
        "occurred_at": entry.occurred_at.isoformat(),
        "occurred_at_local": _local(entry.occurred_at, zone),
        "action": entry.action,
        "category": category.name if category else "",
        "description": describe(entry, locale),
        "actor_type": actor.type.value,
        "actor_id": actor.id or "",
        "actor_name": actor.name or "",
        "actor_email": actor.email or "",
        "target_type": target.type if target else "",
        "target_id": (target.id or "") if target else "",
        "target_name": (target.name or "") if target else "",
        "changes": encode_response(_changes(entry)).decode(),
        "metadata": encode_response(entry.stored_metadata).decode(),
        "tags": " ".join(entry.tags),
        "outcome": entry.outcome.value,
        "failure_reason": entry.failure_reason or "",
        "ip_address": entry.ip_address or "",
        "user_agent": entry.user_agent or "",
        "request_id": entry.request_id or "",
        "recorded_at": entry.recorded_at.isoformat(),
    }
    return {name: neutralised(value) for name, value in values.items()}


def _changes(entry: Entry) -> list[dict[str, object]]:
    return [{"field": c.field, "before": c.before, "after": c.after} for c in entry.changes]


def neutralised(cell: str) -> str:
    """The cell, with a leading apostrophe if a spreadsheet would take it for a formula."""
    return "'" + cell if cell.startswith(FORMULA_STARTS) else cell


def _local(moment: dt.datetime, zone: ZoneInfo) -> str:
    try:
        return moment.astimezone(zone).isoformat()
    except OverflowError:  # the first or last hours of years 1 and 9999
        return moment.isoformat()


def _csv_lines(rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue().encode()
