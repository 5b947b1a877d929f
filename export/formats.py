"""The export formats: CSV with a stable column list, NDJSON and JSON in the API's shape.

NDJSON and JSON objects carry the GraphQL `AuditLog` fields under their GraphQL names,
with the same values the API answers (ids, `BigInt` strings, ISO-8601 UTC times,
stored JSON written exactly). CSV has one row per entry in the columns of
CSV_COLUMNS; text cells that a spreadsheet would run as a formula are neutralised.
"""

from __future__ import annotations

import datetime as dt
import enum
import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
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
_FORMULA_CHARACTERS = frozenset(FORMULA_STARTS)  # holds no "" (an empty cell's first character)


@dataclass(frozen=True)
class Layout:
    """How entries become file text: format, columns, sentence language, local zone."""

    format: Format
    columns: tuple[str, ...]
    locale: str | None
    zone: ZoneInfo
    global_id: Callable[[int], str]
    bom: bool = False
    # Where each chosen column sits in a full CSV row or API object (None: all, in order),
    # and whether the sentence is chosen at all: computed once, not per entry.
    _picks: tuple[int, ...] | None = field(init=False, repr=False, compare=False)
    _sentences: bool = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        known = CSV_COLUMNS if self.format is Format.CSV else JSON_FIELDS
        picks = None if self.columns == known else tuple(known.index(c) for c in self.columns)
        object.__setattr__(self, "_picks", picks)
        object.__setattr__(self, "_sentences", "description" in self.columns)

    def head(self) -> bytes:
        """The bytes before the first entry."""
        if self.format is Format.CSV:
            return ("\ufeff" if self.bom else "").encode() + _csv_lines([list(self.columns)])
        return b"[" if self.format is Format.JSON else b""

    def body(self, entries: Sequence[Entry], first: bool) -> bytes:
        """The bytes of a batch of entries; `first` when no entry was written before."""
        if self.format is Format.CSV:
            return _csv_lines([self._cells(entry) for entry in entries])
        objects = [self._object(entry) for entry in entries]
        if self.format is Format.NDJSON:
            return b"".join([encode_response(item) + b"\n" for item in objects])
        # orjson writes a list as its items joined by commas, exactly as item by item.
        return (b"" if first else b",") + encode_response(objects)[1:-1]

    def tail(self) -> bytes:
        """The bytes after the last entry."""
        return b"]" if self.format is Format.JSON else b""

    def _object(self, entry: Entry) -> dict[str, object]:
        values = api_object(entry, self.locale, self.global_id, sentences=self._sentences)
        if self._picks is None:
            return values
        return {name: values[name] for name in self.columns}

    def _cells(self, entry: Entry) -> list[str]:
        cells = csv_row(entry, self.locale, self.zone, self.global_id, sentences=self._sentences)
        if self._picks is None:
            return cells
        return [cells[index] for index in self._picks]


def api_object(
    entry: Entry, locale: str | None, global_id: Callable[[int], str], *, sentences: bool = True
) -> dict[str, object]:
    """The entry as the GraphQL API answers an `AuditLog` with every field selected.

    Without `sentences` the description is left empty (for a file that does not show it).
    """
    actor, target = entry.actor, entry.target
    return {
        "id": global_id(entry.id),
        "sequence": str(entry.sequence),
        "occurredAt": entry.occurred_at.isoformat(),
        "action": entry.action,
        "category": category_name(entry.action),
        "description": describe(entry, locale) if sentences else "",
        "actor": {
            "type": actor.type.value,
            "externalId": actor.id,
            "name": actor.name,
            "email": actor.email,
        },
        "target": (
            {"type": target.type, "externalId": target.id, "name": target.name} if target else None
        ),
        "changes": _changes(entry),
        "metadata": entry.stored_metadata,
        "tags": list(entry.tags),
        "outcome": entry.outcome.value,
        "failureReason": entry.failure_reason,
        "ipAddress": entry.ip_address,
        "userAgent": entry.user_agent,
        "requestId": entry.request_id,
        "recordedAt": entry.recorded_at.isoformat(),
    }


def csv_row(
    entry: Entry,
    locale: str | None,
    zone: ZoneInfo,
    global_id: Callable[[int], str],
    *,
    sentences: bool = True,
) -> list[str]:
    """The entry's CSV cells in CSV_COLUMNS order, neutralised; absent values are empty cells.

    Without `sentences` the description cell is left empty (for a file that does not show it).
    """
    actor, target = entry.actor, entry.target
    occurred_at = entry.occurred_at.isoformat()
    cells = [
        global_id(entry.id),
        str(entry.sequence),
        occurred_at,
        # occurred_at is in UTC already, so in UTC it reads the same.
        occurred_at if zone.key == "UTC" else local_time(entry.occurred_at, zone),
        entry.action,
        category_name(entry.action) or "",
        describe(entry, locale) if sentences else "",
        actor.type.value,
        actor.id or "",
        actor.name or "",
        actor.email or "",
        target.type if target else "",
        (target.id or "") if target else "",
        (target.name or "") if target else "",
        # orjson writes a Change dataclass as {"field", "before", "after"}, in that order.
        encode_response(entry.changes).decode() if entry.changes else "[]",
        encode_response(entry.stored_metadata).decode(),
        " ".join(entry.tags),
        entry.outcome.value,
        entry.failure_reason or "",
        entry.ip_address or "",
        entry.user_agent or "",
        entry.request_id or "",
        entry.recorded_at.isoformat(),
    ]
    return [("'" + cell) if cell[:1] in _FORMULA_CHARACTERS else cell for cell in cells]


@functools.lru_cache(maxsize=1024)
def category_name(action: str) -> str | None:
    """The name of the action's category (CUSTOM for custom actions), None if unknown."""
    category = category_of(action)
    return category.name if category else None


def _changes(entry: Entry) -> list[dict[str, object]]:
    return [{"field": c.field, "before": c.before, "after": c.after} for c in entry.changes]


def local_time(moment: dt.datetime, zone: ZoneInfo) -> str:
    """The moment in the zone, as isoformat() writes it (in UTC where the zone cannot)."""
    try:
        return moment.astimezone(zone).isoformat()
    except OverflowError:  # the first or last hours of years 1 and 9999
        return moment.isoformat()


def csv_cell(cell: str) -> str:
    """One cell as csv_row and _csv_line write it: neutralised, then quoted if needed."""
    if cell[:1] in _FORMULA_CHARACTERS:
        cell = "'" + cell
    if "," in cell or '"' in cell or "\n" in cell or "\r" in cell:
        return '"' + cell.replace('"', '""') + '"'
    return cell


def _csv_lines(rows: list[list[str]]) -> bytes:
    """The rows as csv.writer writes them (minimal quoting, CRLF), at a third of its cost."""
    lines = [_csv_line(cells) for cells in rows]
    lines.append("")
    return "\r\n".join(lines).encode()


def _csv_line(cells: list[str]) -> str:
    # csv.writer quotes a cell holding the delimiter, the quote or a line-break character
    # (doubling its quotes), and writes a row of one empty cell as "".
    if len(cells) == 1 and not cells[0]:
        return '""'
    return ",".join(
        [
            '"' + cell.replace('"', '""') + '"'
            if "," in cell or '"' in cell or "\n" in cell or "\r" in cell
            else cell
            for cell in cells
        ]
    )
