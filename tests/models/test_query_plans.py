"""Each common filter's page query is served by an index on both databases, not a scan."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator

import pytest

from models.audit_log_query import (
    COMMON_MATCHES,
    Condition,
    explain_count,
    explain_group_counts,
    explain_page,
    select_entries,
)
from models.database import connection
from resolvers.filters import AuditLogFilter
from resolvers.selection import Selection
from tests.factories import Target, event, record

NOW = dt.datetime(2026, 11, 26, tzinfo=dt.UTC)
CASES = [
    pytest.param(Selection("acme"), "audit_log_account_time", id="unfiltered"),
    pytest.param(
        Selection(
            "acme",
            AuditLogFilter(actions=("inbox.*",), occurred_after=NOW - dt.timedelta(days=7)),
        ),
        "audit_log_account_",
        id="action-prefix-and-time",
    ),
    pytest.param(
        Selection("acme", AuditLogFilter(actor_ids=("1",))), "audit_log_account_", id="actor"
    ),
    pytest.param(
        Selection("acme", AuditLogFilter(ip_addresses=("203.0.113.0/24",))),
        "audit_log_account_",
        id="ip-block",
    ),
]


BULK_POSTGRES = """
INSERT INTO audit_log (account_id, sequence, action, actor_type, actor_id, changes, metadata,
                       outcome, occurred_at, recorded_at, search_text)
SELECT 'acme', g + 1000000, 'inbox.create',
       'USER', (g % 40)::text, '[]', '{}', 'SUCCESS', now() - g * interval '1 second', now(),
       'alice smith created inbox #' || (g % 50) || ' (desk ' || (g % 997) || ')'
FROM generate_series(1, 60000) AS g
"""


@pytest.fixture
async def planner(db: str) -> AsyncIterator[str]:
    """Five hundred entries with statistics."""
    await record("acme", *[event(occurred_at=NOW - dt.timedelta(minutes=i)) for i in range(500)])
    await record("acme", *[event(target=Target("inbox", "9", "Zebra desk")) for _ in range(3)])
    await connection().execute_script("ANALYZE")
    yield db


def _no_scan(plan: str, db: str) -> None:
    if db == "sqlite":
        assert "SCAN audit_log" not in plan.replace("SCAN audit_log_fts", ""), plan
    else:
        assert "Seq Scan" not in plan, plan


@pytest.mark.parametrize(("selection", "index"), CASES)
async def test_filter_page_uses_an_index(planner: str, selection: Selection, index: str) -> None:
    plan = await explain_page(selection.condition(NOW))
    assert index in plan, plan
    _no_scan(plan, planner)


async def test_free_text_can_use_the_text_index(planner: str) -> None:
    if planner == "postgres":
        # PostgreSQL prefers a plain scan on small tables; give it a realistic size.
        await connection().execute_script(BULK_POSTGRES + "; ANALYZE audit_log")
    where: Condition = Selection("acme", query="zebra").condition(NOW)
    plan = await explain_count(where) + "\n" + await explain_page(where)
    expected = "audit_log_fts" if planner == "sqlite" else "audit_log_search_trigram"
    assert expected in plan, plan


async def test_a_common_ip_block_pages_along_the_time_index_and_a_rare_one_by_address(
    db: str,
) -> None:
    common_block = [
        event(ip_address=f"203.0.113.{i % 250}", occurred_at=NOW - dt.timedelta(seconds=i))
        for i in range(COMMON_MATCHES + 20)
    ]
    for start in range(0, len(common_block), 500):
        await record("acme", *common_block[start : start + 500])
    await record("acme", event(ip_address="198.51.100.7", occurred_at=NOW - dt.timedelta(days=1)))
    await connection().execute_script("ANALYZE")
    common = Selection("acme", AuditLogFilter(ip_addresses=("203.0.113.0/24",))).condition(NOW)
    rare = Selection("acme", AuditLogFilter(ip_addresses=("198.51.100.0/24",))).condition(NOW)
    common_plan, rare_plan = await explain_page(common), await explain_page(rare)
    if db == "sqlite":
        assert "audit_log_account_time" in common_plan and "TEMP B-TREE" not in common_plan
        assert "audit_log_account_ip" in rare_plan, rare_plan
    _no_scan(common_plan, db)
    _no_scan(rare_plan, db)
    page = await select_entries(common, descending=True, limit=51)
    assert [row["occurred_at"] for row in page] == sorted(
        (row["occurred_at"] for row in page), reverse=True
    )
    blocks = {row["ip_address"].rsplit(".", 1)[0] for row in page}
    assert len(page) == 51 and blocks == {"203.0.113"}
    assert [row["ip_address"] for row in await select_entries(rare, descending=True, limit=51)] == [
        "198.51.100.7"
    ]


SPREAD_POSTGRES = """
INSERT INTO audit_log (account_id, sequence, action, actor_type, actor_id, target_type,
                       changes, metadata, outcome, occurred_at, recorded_at, search_text,
                       ip_address, ip_key)
SELECT CASE WHEN g % 5 = 0 THEN 'acme' ELSE 'other-' || (g % 50) END, g + 1000000,
       'inbox.update', 'USER', (g % 40)::text, 'inbox', '[]', '{}', 'SUCCESS',
       TIMESTAMPTZ '2026-11-26' - (g % 90) * interval '1 day' - (g % 86400) * interval '1 s',
       now(), 'updated inbox', '203.0.113.' || (g % 200), lpad(to_hex(g % 200), 32, '0')
FROM generate_series(1, 100000) AS g
"""


async def test_facets_over_a_time_range_are_counted_from_an_index_alone(db: str) -> None:
    # No ANALYZE on SQLite: the service never runs it, so this is the plan it gets.
    await record("acme", *[event(occurred_at=NOW - dt.timedelta(minutes=i)) for i in range(300)])
    if db == "postgres":  # 90 days of 50 accounts, as the planner would see production
        await connection().execute_script(SPREAD_POSTGRES)
        await connection().execute_script("VACUUM ANALYZE audit_log")  # as autovacuum would
    where = Selection("acme", AuditLogFilter(occurred_after=NOW - dt.timedelta(days=7)))
    for group in ("action", "actor", "target_type", "ip_address"):
        plan = await explain_group_counts(where.condition(NOW), group)
        assert ("COVERING INDEX" if db == "sqlite" else "Index Only Scan") in plan, (group, plan)
        _no_scan(plan, db)


TAGGED = [
    pytest.param(
        Selection("acme", AuditLogFilter(tags=("gdpr", "billing"))),
        ("audit_log_tag_lookup", "audit_log_account_tags"),
        2,
        id="tags-filter",
    ),
    pytest.param(
        Selection("acme", query="tag:gdpr"),
        ("audit_log_tag_lookup", "audit_log_account_tags"),
        1,
        id="tag-query",
    ),
    pytest.param(
        Selection("acme", AuditLogFilter(metadata=(("plan", "enterprise"),))),
        ("audit_log_meta_lookup", "audit_log_account_metadata"),
        1,
        id="metadata-filter",
    ),
    pytest.param(
        Selection("acme", query="meta.seats:12"),
        ("audit_log_meta_lookup", "audit_log_account_metadata"),
        1,
        id="metadata-query",
    ),
]


@pytest.mark.parametrize(("selection", "indexes", "matches"), TAGGED)
async def test_tag_and_metadata_selections_use_their_index(
    db: str, selection: Selection, indexes: tuple[str, str], matches: int
) -> None:
    if db == "postgres":
        await connection().execute_script(BULK_POSTGRES)
    else:
        filler = [event(tags=("ops", f"t{i % 30}"), metadata={"plan": "free"}) for i in range(300)]
        await record("acme", *filler)
    await record(
        "acme",
        event(tags=("gdpr",), metadata={"plan": "enterprise", "seats": 12}),
        event(tags=("billing",), metadata={"plan": "free", "seats": 3}),
    )
    # VACUUM moves GIN's pending entries into the index proper, as autovacuum does on a
    # table that grows; the planner prices a long pending list as a scan.
    await connection().execute_script("ANALYZE" if db == "sqlite" else "VACUUM ANALYZE audit_log")
    where = selection.condition(NOW)
    plan = await explain_count(where) + "\n" + await explain_page(where)
    assert indexes[0 if db == "sqlite" else 1] in plan, plan
    _no_scan(plan, db)
    assert len(await select_entries(where, descending=True, limit=51)) == matches
