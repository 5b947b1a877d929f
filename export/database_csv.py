"""CSV rows half-written by PostgreSQL: the stored cells arrive neutralised and quoted.

Building every one of an entry's cells in Python (formats.csv_row) is most of a CSV
export's time. On PostgreSQL the export instead asks the database for each cell that is
stored text, a stored number or a UTC time (global id, sequence, times, action, actor,
target, outcome, failure reason, IP address, user agent, request id), neutralised and
quoted by the rules formats.py applies, adjacent cells already joined by commas. Python
builds only what needs the catalogue, a time zone or a JSON decoder: category,
description, local time, changes, metadata and tags. The bytes are the same as the
Python writer's (tests/export/test_database_csv.py compares them on awkward rows);
AUDITLOG_EXPORT_DATABASE_CSV=0 turns this path off.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Any

import orjson

from export.formats import Layout, category_name, csv_cell, local_time
from models.audit_log import ActorType, Outcome
from models.audit_log_store import utc
from resolvers.descriptions import describe
from resolvers.entries import Actor, Change, Target, changes_of, tags_of
from resolvers.stored_json import decode_stored
from schema.json_encoding import encode_response

# The global id of an entry, as schema.ids.to_global_id("AuditLog", id) writes it:
# URL-safe base64 without padding (40 characters at most: PostgreSQL breaks lines at 76).
GLOBAL_ID_SQL = (
    "rtrim(translate(encode(convert_to('AuditLog:' || id::text, 'UTF8'), 'base64'), "
    "'+/', '-_'), '=')"
)
# A cell whose first character has one of these codes (= + - @ tab CR) is neutralised;
# one holding a comma, a quote, LF or CR is quoted. ascii() and strpos() cost
# PostgreSQL about a third of what regular expressions do.
_FORMULA_CODES = "(61, 43, 45, 64, 9, 13)"
_SPECIALS = ("','", "'\"'", r"E'\n'", r"E'\r'")
# The columns whose cells Python builds, in CSV_COLUMNS order.
PYTHON_CELLS = ("occurred_at_local", "category", "description", "changes", "metadata", "tags")
# The stored columns each of those reads (id and occurred_at are always read: the keyset).
# A sentence reads actor and target as one JSON array each: fewer values for the driver
# to decode, and an actor seen before is found by its text.
ACTOR_SQL = "json_build_array(actor_type, actor_id, actor_name, actor_email)::text"
TARGET_SQL = (
    "CASE WHEN target_type IS NULL THEN NULL "
    "ELSE json_build_array(target_type, target_id, target_name)::text END"
)
_READS = {
    "occurred_at_local": (),
    "category": ("action",),
    "description": (
        "action", ACTOR_SQL, TARGET_SQL, "changes", "metadata", "outcome", "failure_reason",
    ),
    "changes": ("changes",),
    "metadata": ("metadata",),
    "tags": ("tags",),
}  # fmt: skip
# Actors repeat: one object each per export, up to this many.
_MEMO = 10_000
_ACTOR_TYPES = {member.value: member for member in ActorType}
_OUTCOMES = {member.value: member for member in Outcome}


def text_cell(column: str) -> str:
    """SQL for the column's CSV cell: empty for NULL, neutralised, then quoted if needed."""
    c = column
    special = "(" + " OR ".join(f"strpos({c}, {x}) > 0" for x in _SPECIALS) + ")"
    quoted = f"""'"' || replace({c}, '"', '""') || '"'"""
    neutral_quoted = f"""'"''' || replace({c}, '"', '""') || '"'"""
    return (
        f"CASE WHEN {c} IS NULL THEN '' "
        f"WHEN ascii({c}) IN {_FORMULA_CODES} THEN "
        f"CASE WHEN {special} THEN {neutral_quoted} ELSE '''' || {c} END "
        f"WHEN {special} THEN {quoted} ELSE {c} END"
    )


def time_cell(column: str) -> str:
    """SQL for a stored time as Python's isoformat() writes it in UTC."""
    t = f"({column} AT TIME ZONE 'UTC')"
    return (
        f"to_char({t}, 'YYYY-MM-DD\"T\"HH24:MI:SS') || "
        f"CASE WHEN date_trunc('second', {t}) = {t} THEN '' ELSE to_char({t}, '.US') END "
        "|| '+00:00'"
    )


# The cells PostgreSQL builds, by CSV column.
SQL_CELLS = {
    "id": GLOBAL_ID_SQL,
    # A sequence is a number: only a negative one (never written by this service) starts
    # like a formula.
    "sequence": "CASE WHEN sequence < 0 THEN '''' || sequence::text ELSE sequence::text END",
    "occurred_at": time_cell("occurred_at"),
    "action": text_cell("action"),
    **{
        name: text_cell(name)
        for name in (
            "actor_type", "actor_id", "actor_name", "actor_email", "target_type", "target_id",
            "target_name", "outcome", "failure_reason", "ip_address", "user_agent", "request_id",
        )
    },
    "recorded_at": time_cell("recorded_at"),
}  # fmt: skip


class _Activity:
    """What a sentence reads of a row (resolvers.descriptions.Activity)."""

    __slots__ = ("action", "actor", "changes", "failure_reason", "metadata", "outcome", "target")

    def __init__(
        self,
        action: str,
        actor: Actor,
        target: Target | None,
        changes: Sequence[Change],
        metadata: dict[str, object],
        outcome: Outcome,
        failure_reason: str | None,
    ) -> None:
        self.action = action
        self.actor = actor
        self.target = target
        self.changes = changes
        self.metadata = metadata
        self.outcome = outcome
        self.failure_reason = failure_reason


class DatabaseCsv:
    """The select list of a CSV layout's rows, and the file text of a batch of them."""

    def __init__(self, layout: Layout) -> None:
        self.layout = layout
        utc_zone = layout.zone.key == "UTC"
        in_sql = {
            **SQL_CELLS,
            **({"occurred_at_local": SQL_CELLS["occurred_at"]} if utc_zone else {}),
        }
        python = [c for c in PYTHON_CELLS if c in layout.columns and c not in in_sql]
        reads = ["id", "occurred_at"]
        for name in python:
            reads.extend(c for c in _READS[name] if c not in reads)
        # Adjacent cells PostgreSQL builds are joined there; a template puts the runs and
        # Python's cells in column order: "{2},{0},{3}" reads arguments (runs, python).
        runs: list[list[str]] = []
        slots: list[str | int] = []
        for column in layout.columns:
            if column in python:
                slots.append(column)
            elif slots and isinstance(slots[-1], int) and slots[-1] == len(runs) - 1:
                runs[-1].append(in_sql[column])
            else:
                runs.append([in_sql[column]])
                slots.append(len(runs) - 1)
        # Arguments: the runs (from the row), then Python's cells in PYTHON_CELLS order.
        self.template = ",".join(
            f"{{{slot if isinstance(slot, int) else len(runs) + python.index(slot)}}}"
            for slot in slots
        )
        self.columns: tuple[str, ...] = (
            *reads,
            *(" || ',' || ".join(run) for run in runs),
        )
        self._first_run = len(reads)
        self._at = {name: reads.index(name) for name in reads}
        self._python = tuple(python)
        self._single = len(layout.columns) == 1
        self._actors: dict[str, Actor] = {}

    def body(self, rows: Sequence[Sequence[Any]]) -> bytes:
        """The file text of a batch of rows read with `columns`."""
        fill, first_run, single = self.template.format, self._first_run, self._single
        lines = []
        cells = self._cells()
        for row in rows:
            line = fill(*row[first_run:], *cells(row))
            lines.append('""' if single and not line else line)
        lines.append("")
        return "\r\n".join(lines).encode()

    def _cells(self) -> Callable[[Sequence[Any]], list[str]]:
        """The function giving a row's Python-built cells, in PYTHON_CELLS order."""
        at, python, layout = self._at, self._python, self.layout
        want_local, want_category = "occurred_at_local" in python, "category" in python
        want_description, want_changes = "description" in python, "changes" in python
        want_metadata, want_tags = "metadata" in python, "tags" in python
        occurred = at["occurred_at"]
        action, changes_at, metadata_at, tags_at = (
            at.get(name, -1) for name in ("action", "changes", "metadata", "tags")
        )
        zone, locale = layout.zone, layout.locale
        activity = self._activities()

        def cells(row: Sequence[Any]) -> list[str]:
            found = []
            if want_local:
                found.append(csv_cell(local_time(utc(row[occurred]), zone)))
            if want_category:
                found.append(_category_cell(row[action]))
            changes: list[Change] = []
            metadata: object = None
            if want_description or want_changes:
                text = row[changes_at]
                changes = [] if text == "[]" else changes_of(decode_stored(text))
            if want_description or want_metadata:
                text = row[metadata_at]
                metadata = {} if text == "{}" else decode_stored(text)
            if want_description:
                found.append(csv_cell(describe(activity(row, changes, metadata), locale)))
            if want_changes:
                found.append(csv_cell(encode_response(changes).decode()) if changes else "[]")
            if want_metadata:
                found.append(csv_cell(encode_response(metadata).decode()))
            if want_tags:
                text = row[tags_at]
                found.append("" if text == "[]" else csv_cell(" ".join(tags_of(text))))
            return found

        return cells

    def _activities(self) -> Callable[[Sequence[Any], list[Change], object], _Activity]:
        """The function giving a row's activity (for its sentence), given its decoded JSON."""
        if "description" not in self._python:
            return _no_activity
        at, actors = self._at, self._actors
        action, outcome, reason = at["action"], at["outcome"], at["failure_reason"]
        actor_at, target_at = at[ACTOR_SQL], at[TARGET_SQL]
        loads = orjson.loads

        def activity(row: Sequence[Any], changes: list[Change], metadata: object) -> _Activity:
            actor_text = row[actor_at]
            actor = actors.get(actor_text)
            if actor is None:
                if len(actors) >= _MEMO:
                    actors.clear()
                kind, *names = loads(actor_text)
                actor = actors[actor_text] = Actor(
                    _ACTOR_TYPES.get(kind) or ActorType(kind), *names
                )
            target_text = row[target_at]
            stored = row[outcome]
            return _Activity(
                row[action],
                actor,
                None if target_text is None else Target(*loads(target_text)),
                changes,
                metadata if isinstance(metadata, dict) else {},
                _OUTCOMES.get(stored) or Outcome(stored),
                row[reason],
            )

        return activity


def _no_activity(row: Sequence[Any], changes: list[Change], metadata: object) -> _Activity:
    raise AssertionError("no sentence is written, so no activity is read")


@functools.lru_cache(maxsize=1024)
def _category_cell(action: str) -> str:
    return csv_cell(category_name(action) or "")
