"""The export's path as first written, kept as the oracle for the faster one.

Rows read as dictionaries (`select_entries`), entries built field by field with the
exact JSON decoder, a dictionary of every cell per entry, and each object encoded
alone: tests/export/test_fast_path.py checks the service writes the same bytes.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

import orjson

from catalogue import category_of
from export.formats import FORMULA_STARTS, Format
from models.audit_log import ActorType, Outcome
from resolvers.descriptions import describe
from resolvers.entries import Actor, Change, Entry, Target
from resolvers.stored_json import WRAP_DEPTH, DeepJson, LargeNumber, _wrap_deep
from schema.json_encoding import encode_response

_LONG_NUMBER = re.compile(r"\d{19}")
_INT64 = range(-(2**63), 2**63)


def reference_entry(row: Mapping[str, Any]) -> Entry:
    """Entry.from_row as first written."""
    target = None
    if row["target_type"] is not None:
        target = Target(row["target_type"], row["target_id"], row["target_name"])
    changes = _decode_stored(row["changes"])
    metadata = _decode_stored(row["metadata"])
    tags = _decode_stored(row["tags"])
    return Entry(
        id=row["id"],
        account_id=row["account_id"],
        sequence=row["sequence"],
        action=row["action"],
        actor=Actor(
            ActorType(row["actor_type"]), row["actor_id"], row["actor_name"], row["actor_email"]
        ),
        target=target,
        changes=(
            [Change(c["field"], c.get("before"), c.get("after")) for c in changes]
            if isinstance(changes, list)
            else [Change("", before=None, after=changes)]
        ),
        metadata=metadata if isinstance(metadata, dict) else {},
        tags=tuple(t for t in tags if isinstance(t, str)) if isinstance(tags, list) else (),
        outcome=Outcome(row["outcome"]),
        failure_reason=row["failure_reason"],
        ip_address=row["ip_address"],
        user_agent=row["user_agent"],
        request_id=row["request_id"],
        occurred_at=_utc(row["occurred_at"]),
        recorded_at=_utc(row["recorded_at"]),
        opaque_metadata=None if isinstance(metadata, dict) else metadata,
    )


def _decode_stored(raw: Any) -> Any:
    if not isinstance(raw, str | bytes):
        return raw
    text = raw.decode() if isinstance(raw, bytes) else raw
    try:
        value = _decode(text)
    except RecursionError:
        return DeepJson(text)
    if text.count("[") + text.count("{") >= WRAP_DEPTH:
        value = _wrap_deep(value)
    return value


def _decode(text: str) -> Any:
    if not _LONG_NUMBER.search(text):
        try:
            return orjson.loads(text)
        except orjson.JSONDecodeError:
            pass
    return json.loads(text, parse_int=_integer, parse_float=_float, parse_constant=LargeNumber)


def _integer(text: str) -> int | LargeNumber:
    if len(text) > 20:
        return LargeNumber(text)
    number = int(text)
    return number if number in _INT64 else LargeNumber(text)


def _float(text: str) -> float | LargeNumber:
    number = float(text)
    return number if abs(number) != float("inf") else LargeNumber(text)


def _utc(value: Any) -> dt.datetime:
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    assert isinstance(value, dt.datetime)
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


@dataclass(frozen=True)
class ReferenceLayout:
    """export.formats.Layout as first written."""

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
        """The bytes of a batch of entries."""
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
        values = _api_object(entry, self.locale, self.global_id)
        return {name: values[name] for name in self.columns}

    def _cells(self, entry: Entry) -> list[str]:
        values = _csv_values(entry, self.locale, self.zone, self.global_id)
        return [values[name] for name in self.columns]


def _api_object(
    entry: Entry, locale: str | None, global_id: Callable[[int], str]
) -> dict[str, object]:
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


def _csv_values(
    entry: Entry, locale: str | None, zone: ZoneInfo, global_id: Callable[[int], str]
) -> dict[str, str]:
    actor, target = entry.actor, entry.target
    category = category_of(entry.action)
    changes = [{"field": c.field, "before": c.before, "after": c.after} for c in entry.changes]
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
        "changes": encode_response(changes).decode(),
        "metadata": encode_response(entry.stored_metadata).decode(),
        "tags": " ".join(entry.tags),
        "outcome": entry.outcome.value,
        "failure_reason": entry.failure_reason or "",
        "ip_address": entry.ip_address or "",
        "user_agent": entry.user_agent or "",
        "request_id": entry.request_id or "",
        "recorded_at": entry.recorded_at.isoformat(),
    }
    return {
        name: "'" + value if value.startswith(FORMULA_STARTS) else value
        for name, value in values.items()
    }


def _local(moment: dt.datetime, zone: ZoneInfo) -> str:
    try:
        return moment.astimezone(zone).isoformat()
    except OverflowError:
        return moment.isoformat()


def _csv_lines(rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue().encode()
