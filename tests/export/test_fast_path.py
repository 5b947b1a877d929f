"""The export's faster path writes the bytes its first version wrote (tests/export/reference.py)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from catalogue import SPECS
from export.formats import CSV_COLUMNS, JSON_FIELDS, Format, Layout
from export.request import audit_log_id
from models.audit_log import ActorType, Outcome
from models.audit_log_query import select_entries
from models.database import connection
from resolvers.entries import Actor, Change, Entry, Target
from resolvers.exports import entry_batches
from resolvers.filters import filter_conditions
from resolvers.selection import Selection
from resolvers.stored_json import LargeNumber
from resolvers.time_zones import zone_named
from tests.export.reference import ReferenceLayout, reference_entry
from tests.export.varied import varied_events
from tests.factories import record

ZONES = ["UTC", "Europe/Berlin", "America/New_York", "Asia/Kolkata"]
LOCALES = [None, "en", "de", "fr, de;q=0.5"]
# Rows only an older service could have stored: numbers beyond 64 bits, JSON deeper than
# an encoder follows, tags and changes that are no lists, metadata that is no object,
# and a time at the very start of the calendar.
DEEP = "[" * 70 + "]" * 70
ODD_ROWS = [
    ("custom.old", '{"n": 123456789012345678901234, "f": 1e400}', "[]", '["a", 1]', "2026-11-02"),
    ("inbox.update", f'{{"deep": {DEEP}}}', '{"field": "name"}', '"gdpr"', "2026-11-02"),
    ("custom.old", "-5", f'[{{"field": "x", "after": {DEEP}}}]', "[]", "2026-11-03"),
    ("user.sign_in", '"=cmd|calc"', "[]", "[]", "0001-01-01"),
    ("custom.old", "[123456789012345678901]", "[]", "[]", "2026-11-04"),
]


async def insert_odd_rows() -> None:
    """Store ODD_ROWS as they would have been stored before today's limits."""
    client = connection()
    sqlite = client.capabilities.dialect == "sqlite"
    for number, (action, metadata, changes, tags, occurred) in enumerate(ODD_ROWS, 1001):
        stamp = f"'{occurred} 00:30:00+00:00'"  # as the service stores times on SQLite
        values = [f"'{text}'" for text in (metadata, changes, tags)]
        if not sqlite:
            values = [f"{value}::jsonb" for value in values]
        await client.execute_script(
            "INSERT INTO audit_log (account_id, sequence, action, actor_type, metadata, "
            "changes, tags, outcome, occurred_at, recorded_at, search_text) VALUES "
            f"('acme', {number}, '{action}', 'SYSTEM', {', '.join(values)}, 'SUCCESS', "
            f"{stamp}, {stamp}, '')"
        )


LAYOUTS = {
    "csv": (Format.CSV, CSV_COLUMNS, None, "UTC", False),
    "csv-german-berlin-bom": (Format.CSV, CSV_COLUMNS, "de", "Europe/Berlin", True),
    "csv-new-york-some-columns": (
        Format.CSV,
        ("occurred_at_local", "metadata", "id", "changes", "tags"),
        "en",
        "America/New_York",
        False,
    ),
    "csv-no-description": (Format.CSV, ("id", "action", "actor_name"), None, "UTC", False),
    "ndjson": (Format.NDJSON, JSON_FIELDS, None, "UTC", False),
    "ndjson-some-fields": (Format.NDJSON, ("metadata", "description", "id"), "de", "UTC", False),
    "json": (Format.JSON, JSON_FIELDS, "en", "UTC", False),
    "json-some-fields": (Format.JSON, ("changes", "tags", "actor"), None, "UTC", False),
}


@pytest.mark.parametrize("shape", LAYOUTS.values(), ids=LAYOUTS.keys())
async def test_stored_entries_export_as_they_did_before(db: str, shape: tuple[Any, ...]) -> None:
    fmt, columns, locale, zone, bom = shape
    await record("acme", *varied_events())
    await insert_odd_rows()
    layout = Layout(fmt, columns, locale, zone_named(zone), audit_log_id, bom)
    written, first = [layout.head()], True
    now = dt.datetime.now(dt.UTC)
    async for batch in entry_batches(Selection("acme"), now=now, batch_size=4, first_batch=3):
        written.append(layout.body(batch, first))
        first = False
    written.append(layout.tail())
    rows = await select_entries(
        filter_conditions("acme", Selection("acme").filter), descending=True, limit=100
    )
    reference = ReferenceLayout(fmt, columns, locale, zone_named(zone), audit_log_id, bom)
    entries = [reference_entry(row) for row in rows]
    expected = reference.head() + reference.body(entries, True) + reference.tail()
    assert len(entries) == len(varied_events()) + len(ODD_ROWS)
    assert b"".join(written) == expected


TEXT = st.one_of(
    st.sampled_from(["", "=SUM(A1)", "+1", "-1", "@x", "\tx", "\rx", 'a,"b"', "l1\nl2", "ü 😀"]),
    st.text(max_size=12),
)
OPTIONAL = st.one_of(st.none(), TEXT)
JSONISH = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(-(2**63), 2**63 - 1),
        st.floats(allow_nan=False, allow_infinity=False),
        TEXT,
        st.just(LargeNumber("123456789012345678901234")),
    ),
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(TEXT, inner, max_size=3)),
    max_leaves=8,
)
MOMENTS = st.one_of(
    st.datetimes(timezones=st.just(dt.UTC)),
    st.sampled_from(
        [dt.datetime(1, 1, 1, 0, 30, tzinfo=dt.UTC), dt.datetime(9999, 12, 31, 23, tzinfo=dt.UTC)]
    ),
)
entries = st.builds(
    Entry,
    id=st.integers(1, 2**63 - 1),
    account_id=st.just("acme"),
    sequence=st.integers(1, 2**63 - 1),
    action=st.sampled_from([*SPECS, "custom.invoice_paid", "widget.spin"]),
    actor=st.builds(Actor, st.sampled_from(list(ActorType)), OPTIONAL, OPTIONAL, OPTIONAL),
    target=st.one_of(
        st.none(), st.builds(Target, st.sampled_from(["inbox", "user"]), OPTIONAL, OPTIONAL)
    ),
    changes=st.lists(st.builds(Change, TEXT, JSONISH, JSONISH), max_size=3),
    metadata=st.dictionaries(TEXT, JSONISH, max_size=3),
    tags=st.lists(TEXT, max_size=3).map(tuple),
    outcome=st.sampled_from(list(Outcome)),
    failure_reason=OPTIONAL,
    ip_address=OPTIONAL,
    user_agent=OPTIONAL,
    request_id=OPTIONAL,
    occurred_at=MOMENTS,
    recorded_at=MOMENTS,
    opaque_metadata=st.one_of(st.none(), st.just(-5), st.just("=x"), st.lists(JSONISH, max_size=2)),
)


@st.composite
def shapes(draw: st.DrawFn) -> tuple[Format, tuple[str, ...], str | None, str, bool]:
    fmt = draw(st.sampled_from(list(Format)))
    known = CSV_COLUMNS if fmt is Format.CSV else JSON_FIELDS
    every = draw(st.booleans())
    columns = (
        known if every else tuple(draw(st.lists(st.sampled_from(known), min_size=1, unique=True)))
    )
    return (
        fmt,
        columns,
        draw(st.sampled_from(LOCALES)),
        draw(st.sampled_from(ZONES)),
        draw(st.booleans()),
    )


@settings(max_examples=400, deadline=None)
@given(st.lists(entries, min_size=1, max_size=4), shapes())
def test_any_entries_export_as_they_did_before(
    batch: list[Entry], shape: tuple[Format, tuple[str, ...], str | None, str, bool]
) -> None:
    fmt, columns, locale, zone, bom = shape
    layout = Layout(fmt, columns, locale, zone_named(zone), audit_log_id, bom)
    reference = ReferenceLayout(fmt, columns, locale, zone_named(zone), audit_log_id, bom)
    for first in (True, False):
        assert layout.body(batch, first) == reference.body(batch, first)
    assert layout.head() + layout.tail() == reference.head() + reference.tail()
