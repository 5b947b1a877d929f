"""CSV cells built by PostgreSQL (export/database_csv.py) are the bytes Python builds.

Rows of every awkward kind are stored directly (text that starts like a formula or holds
quotes, commas, line breaks and other control characters; NULLs and empty strings; times
with and without microseconds at both ends of the calendar; odd JSON), then exported in
many layouts both ways. On SQLite the database path is never taken and the same
comparison checks the fallback.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

import orjson
import pytest

from export.batches import builds_cells, file_batches
from export.formats import CSV_COLUMNS, Format, Layout
from export.request import audit_log_id
from models.audit_log import ActorType, Outcome
from models.audit_log_query import select_entries
from models.database import connection
from resolvers.audit_logs import Order
from resolvers.filters import filter_conditions
from resolvers.selection import Selection
from resolvers.time_zones import zone_named
from tests.export.reference import ReferenceLayout, reference_entry
from tests.export.test_fast_path import insert_odd_rows
from tests.export.varied import varied_events
from tests.factories import record

AWKWARD = [
    "", "=SUM(A1)", "+1", "-1", "@x", "\tx", "\rx", "\nx", 'a,"b"', "l1\nl2", "l1\r\nl2",
    '"', ",", "'", "x\u0001y", "ü 😀", "\\N", "\\", "a\tb", " lead", "trail ", "-", "=",
]  # fmt: skip
SHAPES = {
    "every-column": (CSV_COLUMNS, None, "UTC"),
    "german-berlin": (CSV_COLUMNS, "de", "Europe/Berlin"),
    "kolkata-some": (
        ("occurred_at_local", "metadata", "id", "changes", "tags"), "en", "Asia/Kolkata"
    ),
    "description-first": (("description", "actor_name", "category", "occurred_at"), "en", "UTC"),
    "stored-only": (("recorded_at", "ip_address", "user_agent", "id", "sequence"), None, "UTC"),
    "local-in-utc": (("occurred_at_local", "action"), None, "UTC"),
    "one-empty-cell": (("actor_email",), None, "UTC"),
    "one-python-cell": (("tags",), None, "UTC"),
}  # fmt: skip


def _text(rng: random.Random) -> str | None:
    choice = rng.random()
    if choice < 0.15:
        return None
    if choice < 0.75:
        return rng.choice(AWKWARD) + rng.choice(["", "x", ", y", '"z"'])
    return "".join(
        chr(rng.choice([rng.randrange(1, 128), rng.randrange(128, 0x3000)]))
        for _ in range(rng.randrange(0, 8))
    )


def _moment(rng: random.Random) -> dt.datetime:
    fixed = [
        dt.datetime(1, 1, 1, 0, 30, tzinfo=dt.UTC),
        dt.datetime(9999, 12, 31, 23, 0, tzinfo=dt.UTC),
        dt.datetime(999, 3, 4, 5, 6, 7, 1, tzinfo=dt.UTC),
    ]
    if rng.random() < 0.1:
        return rng.choice(fixed)
    moment = dt.datetime(2026, 1, 1, tzinfo=dt.UTC) + dt.timedelta(seconds=rng.randrange(3 * 10**7))
    return moment.replace(microsecond=rng.choice([0, 1, 500000, rng.randrange(10**6)]))


def _json(rng: random.Random, depth: int = 0) -> Any:
    kind = rng.randrange(6 if depth < 2 else 4)
    if kind == 0:
        return _text(rng)
    if kind == 1:
        return rng.choice([0, -5, 2**63 - 1, 1.5, True])
    if kind == 2:
        return None
    if kind == 3:
        return rng.choice(AWKWARD)
    if kind == 4:
        return [_json(rng, depth + 1) for _ in range(rng.randrange(3))]
    return {rng.choice(AWKWARD) or "k": _json(rng, depth + 1) for _ in range(rng.randrange(3))}


async def _store_awkward_rows(count: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    client = connection()
    postgres = client.capabilities.dialect != "sqlite"
    marks = [f"${n}" if postgres else "?" for n in range(1, 20)]
    json_mark = "::jsonb" if postgres else ""
    sql = (
        "INSERT INTO audit_log (account_id, sequence, action, actor_type, actor_id, actor_name, "
        "actor_email, target_type, target_id, target_name, changes, metadata, tags, outcome, "
        "failure_reason, ip_address, user_agent, request_id, occurred_at, recorded_at, "
        "search_text) VALUES ('acme', "
        + ", ".join(
            mark + (json_mark if 9 <= index <= 11 else "") for index, mark in enumerate(marks)
        )
        + ", '')"
    )
    for number in range(count):
        changes = [
            {
                "field": rng.choice(["name", "role", "=x", 'a"b']),
                "before": _json(rng),
                "after": _json(rng),
            }
            for _ in range(rng.choice([0, 0, 1, 1, 2, 6]))
        ]
        metadata = {} if rng.random() < 0.4 else {
            rng.choice(["role", "member_name", "label", "count", "expires_at", "=k"]): _json(rng)
            for _ in range(rng.randrange(1, 4))
        }  # fmt: skip
        tags = [] if rng.random() < 0.5 else [rng.choice(AWKWARD) or "t" for _ in range(2)]
        has_target = rng.random() < 0.7
        occurred, recorded = _moment(rng), _moment(rng)
        values: list[Any] = [
            5000 + number,
            rng.choice(["inbox.update", "user.sign_in", "custom.=odd", "account_user.role_change",
                        "webhook.create", "widget.spin"]),
            rng.choice(list(ActorType)).value,
            _text(rng),
            _text(rng),
            _text(rng),
            rng.choice(["inbox", "user", "a,b", "=t"]) if has_target else None,
            _text(rng) if has_target else None,
            _text(rng) if has_target else None,
            orjson.dumps(changes).decode(),
            orjson.dumps(metadata).decode(),
            orjson.dumps(tags).decode(),
            rng.choice(list(Outcome)).value,
            _text(rng),
            _text(rng),
            _text(rng),
            _text(rng),
            occurred if postgres else occurred.isoformat(sep=" "),  # as the service stores them
            recorded if postgres else recorded.isoformat(sep=" "),
        ]  # fmt: skip
        for index, value in enumerate(values):  # PostgreSQL text holds no NUL
            if isinstance(value, str):
                values[index] = value.replace("\x00", "")
        await client.execute_query(sql, values)


async def _exported(layout: Layout, *, database_csv: bool) -> bytes:
    now = dt.datetime.now(dt.UTC)
    written = [layout.head()]
    batches = file_batches(
        Selection("acme"),
        Order.NEWEST_FIRST,
        layout,
        now=now,
        database_csv=database_csv,
        batch_size=7,
        first_batch=3,
    )
    async for text, _ in batches:
        written.append(text)
    written.append(layout.tail())
    return b"".join(written)


@pytest.mark.parametrize("shape", SHAPES.values(), ids=SHAPES.keys())
async def test_the_database_writes_the_cells_python_writes(db: str, shape: tuple[Any, ...]) -> None:
    columns, locale, zone = shape
    await record("acme", *varied_events())
    await insert_odd_rows()
    await _store_awkward_rows(150)
    layout = Layout(Format.CSV, columns, locale, zone_named(zone), audit_log_id, bom=True)
    assert builds_cells(layout, database_csv=True) == (db == "postgres")
    assert not builds_cells(layout, database_csv=False)

    by_database = await _exported(layout, database_csv=True)
    by_python = await _exported(layout, database_csv=False)

    rows = await select_entries(
        filter_conditions("acme", Selection("acme").filter), descending=True, limit=1000
    )
    reference = ReferenceLayout(Format.CSV, columns, locale, zone_named(zone), audit_log_id, True)
    expected = reference.head() + reference.body([reference_entry(r) for r in rows], True)
    assert len(rows) > 150
    assert by_python == expected
    assert by_database == expected


def test_a_layout_with_other_ids_is_written_by_python() -> None:
    # GLOBAL_ID_SQL writes audit_log_id's ids; a layout naming entries otherwise keeps Python's.
    assert (
        builds_cells(
            Layout(Format.CSV, CSV_COLUMNS, None, zone_named("UTC"), lambda n: str(n)),
            database_csv=True,
        )
        is False
    )
