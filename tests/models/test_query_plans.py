"""Each common filter's page query is served by an index on both databases, not a scan."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator

import pytest

from models.audit_log_query import Condition, explain_count, explain_page
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
