"""Tags and metadata values: how producers set them and how filters and queries select them."""

from __future__ import annotations

import pytest

from models.database import connection
from resolvers.audit_logs import Order, PageRequest, get_audit_log, list_audit_logs
from resolvers.errors import InvalidInputError
from resolvers.filters import AuditLogFilter
from resolvers.selection import Selection
from tests.factories import event, minutes, record


async def _labels(selection: Selection) -> list[str]:
    """The `label` metadata of the selected entries, oldest first."""
    page = await list_audit_logs(selection, Order.OLDEST_FIRST, PageRequest(first=100), 100)
    return [str(entry.metadata["label"]) for entry in page.entries]


@pytest.fixture
async def tagged(db: str) -> None:
    """Entries in acme with tags and typed metadata values; one look-alike in globex."""
    await record(
        "acme",
        event(
            occurred_at=minutes(0),
            tags=("gdpr", "billing"),
            metadata={"label": "a", "plan": "pro", "seats": 5},
        ),
        event(
            occurred_at=minutes(1),
            tags=("billing",),
            metadata={"label": "b", "plan": "free", "seats": "5"},
        ),
        event(
            occurred_at=minutes(2),
            metadata={"label": "c", "plan": "pro", "seats": 5.0, "trial": True},
        ),
        event(
            occurred_at=minutes(3),
            tags=("security",),
            metadata={"label": "d", "plan": {"name": "pro"}, "trial": "true"},
        ),
        event(
            occurred_at=minutes(4),
            metadata={"label": "e", "Plan": "pro", "seats": None, "tags": ["gdpr"]},
        ),
    )
    await record("globex", event(tags=("gdpr",), metadata={"label": "x", "plan": "pro"}))


async def test_tags_are_stored_once_each_in_the_order_sent(db: str) -> None:
    [result] = await record("acme", event(tags=("gdpr", "billing-eu", "gdpr", "q3_2026")))
    entry = await get_audit_log("acme", result.id)
    assert entry is not None and entry.tags == ("gdpr", "billing-eu", "q3_2026")


async def test_an_event_without_tags_has_an_empty_list(db: str) -> None:
    [result] = await record("acme", event())
    entry = await get_audit_log("acme", result.id)
    assert entry is not None and entry.tags == ()


@pytest.mark.parametrize(
    ("tags", "field", "message"),
    [
        (("gdpr", "GDPR"), "input[0].tags[1]", '"GDPR" is not a tag; write "gdpr".'),
        (("two words",), "input[0].tags[0]", 'such as "gdpr" or "billing-eu"'),
        (("",), "input[0].tags[0]", "is not a tag"),
        (("-x",), "input[0].tags[0]", "is not a tag"),
        (("a" * 65,), "input[0].tags[0]", "up to 64 characters"),
        (tuple(f"t{i}" for i in range(21)), "input[0].tags", "has 21 tags; the limit is 20."),
    ],
    ids=["upper-case", "space", "empty", "leading-dash", "too-long", "too-many"],
)
async def test_bad_tags_are_refused_naming_the_tag(
    db: str, tags: tuple[str, ...], field: str, message: str
) -> None:
    with pytest.raises(InvalidInputError) as caught:
        await record("acme", event(tags=tags))
    [problem] = caught.value.problems
    assert problem.field == field and message in problem.message
    assert await _labels(Selection("acme")) == []


@pytest.mark.parametrize(
    ("flt", "expected"),
    [
        (AuditLogFilter(tags=("gdpr",)), ["a"]),
        (AuditLogFilter(tags=("gdpr", "security")), ["a", "d"]),
        (AuditLogFilter(tags=("billing",)), ["a", "b"]),
        (AuditLogFilter(tags=("unused",)), []),
        (AuditLogFilter(metadata=(("plan", "pro"),)), ["a", "c"]),
        (AuditLogFilter(metadata=(("Plan", "pro"),)), ["e"]),
        (AuditLogFilter(metadata=(("plan", "pro"), ("plan", "free"))), ["a", "b", "c"]),
        (AuditLogFilter(metadata=(("plan", "pro"), ("seats", "5"))), ["a", "c"]),
        (AuditLogFilter(metadata=(("seats", "5"),)), ["a", "b", "c"]),
        (AuditLogFilter(metadata=(("seats", "5.0"),)), ["a", "c"]),
        (AuditLogFilter(metadata=(("trial", "true"),)), ["c", "d"]),
        (AuditLogFilter(metadata=(("seats", "null"),)), []),
        (AuditLogFilter(metadata=(("tags", "gdpr"),)), []),
        (AuditLogFilter(tags=("billing",), metadata=(("plan", "free"),)), ["b"]),
    ],
    ids=[
        "one-tag",
        "any-of-tags",
        "shared-tag",
        "unused-tag",
        "string",
        "key-case",
        "same-key-or",
        "keys-and",
        "number-and-its-string",
        "decimal-number",
        "boolean-and-its-string",
        "null-never",
        "array-never",
        "tags-and-metadata",
    ],
)
async def test_filter_selects_tags_and_metadata_values(
    tagged: None, flt: AuditLogFilter, expected: list[str]
) -> None:
    assert await _labels(Selection("acme", flt)) == expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("tag:gdpr", ["a"]),
        ("tag:gdpr tag:security", ["a", "d"]),
        ("-tag:billing", ["c", "d", "e"]),
        ("meta.plan:pro", ["a", "c"]),
        ("-meta.plan:pro", ["b", "d", "e"]),
        ("meta.plan:pro meta.plan:free", ["a", "b", "c"]),
        ("meta.plan:pro meta.seats:5", ["a", "c"]),
        ('meta.label:"a"', ["a"]),
        ("meta.Plan:pro", ["e"]),
        ("tag:billing -meta.plan:free", ["a"]),
    ],
)
async def test_query_selects_tags_and_metadata_values(
    tagged: None, query: str, expected: list[str]
) -> None:
    assert await _labels(Selection("acme", query=query)) == expected


async def test_tags_and_metadata_never_reach_another_account(tagged: None) -> None:
    assert await _labels(Selection("globex", AuditLogFilter(tags=("gdpr",)))) == ["x"]
    assert await _labels(Selection("globex", query="meta.plan:pro tag:gdpr")) == ["x"]


@pytest.mark.parametrize(
    ("selection", "field", "message"),
    [
        (Selection("acme", AuditLogFilter(tags=("GDPR",))), "filter.tags", 'write "gdpr"'),
        (
            Selection("acme", AuditLogFilter(metadata=(("", "x"),))),
            "filter.metadata[0]",
            "key must be 1 to 255 characters",
        ),
        (
            Selection("acme", AuditLogFilter(metadata=(("plan", "x" * 1001),))),
            "filter.metadata[0]",
            "the limit is 1000",
        ),
        (
            Selection("acme", AuditLogFilter(metadata=(("plan", "a\x00b"),))),
            "filter.metadata[0]",
            "value contains a NUL character",
        ),
        (Selection("acme", query="x tag:GDPR"), "query", 'write "gdpr" at column 3'),
        (
            Selection("acme", query="meta." + "k" * 256 + ":x"),
            "query",
            "key must be 1 to 255 characters; got 256 at column 1",
        ),
        (Selection("acme", query="meta.plan:"), "query", 'expected a value after "meta.plan:"'),
        (
            Selection("acme", query="x meta.:pro"),
            "query",
            'metadata key after "meta."; write meta.plan:pro at column 3',
        ),
    ],
    ids=[
        "filter-tag",
        "empty-key",
        "long-value",
        "nul-value",
        "query-tag",
        "query-long-key",
        "query-no-value",
        "query-no-key",
    ],
)
async def test_bad_tag_and_metadata_selections_name_the_field(
    db: str, selection: Selection, field: str, message: str
) -> None:
    with pytest.raises(InvalidInputError) as caught:
        await list_audit_logs(selection, Order.NEWEST_FIRST, PageRequest(), 100)
    [problem] = caught.value.problems
    assert problem.field == field and message in problem.message, problem


async def test_sqlite_indexes_tags_and_scalar_metadata_of_each_entry(tagged: None) -> None:
    if connection().capabilities.dialect != "sqlite":
        pytest.skip("PostgreSQL indexes the JSON columns themselves")
    tags = await connection().execute_query_dict(
        "SELECT account_id, tag FROM audit_log_tag ORDER BY entry_id, tag"
    )
    assert [(row["account_id"], row["tag"]) for row in tags] == [
        ("acme", "billing"),
        ("acme", "gdpr"),
        ("acme", "billing"),
        ("acme", "security"),
        ("globex", "gdpr"),
    ]
    values = await connection().execute_query_dict(
        "SELECT key, value FROM audit_log_meta WHERE key IN ('plan', 'seats', 'trial') "
        "ORDER BY entry_id, key"
    )
    assert [(row["key"], row["value"]) for row in values] == [
        ("plan", "pro"),
        ("seats", 5),
        ("plan", "free"),
        ("seats", "5"),
        ("plan", "pro"),
        ("seats", 5.0),
        ("trial", "true"),
        ("trial", "true"),
        ("plan", "pro"),
    ]
