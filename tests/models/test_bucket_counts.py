"""The histogram's bucket statement: fixed size whatever the bucket count, exact, indexed."""

from __future__ import annotations

import datetime as dt
import itertools
import random

from models.audit_log_query import bucket_counts, bucket_statement, explain_bucket_counts
from models.database import connection
from resolvers.selection import Selection
from tests.factories import event, record
from tests.models.test_query_plans import SPREAD_POSTGRES

START = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)


def hourly(count: int) -> list[dt.datetime]:
    return [START + dt.timedelta(hours=i) for i in range(count + 1)]


async def test_bucket_statement_text_and_parameters_do_not_grow_with_the_bucket_count(
    db: str,
) -> None:
    where = Selection("acme").condition(START)
    few_sql, few_params = bucket_statement(where, hourly(3))
    many_sql, many_params = bucket_statement(where, hourly(2000))
    assert many_sql == few_sql
    assert len(many_params) == len(few_params) <= 5


async def test_sqlite_seeks_each_bucket_by_its_own_bounds_first(db: str) -> None:
    where = Selection("acme").condition(START)
    sql, _ = bucket_statement(where, hourly(3))
    if db == "sqlite":  # SQLite seeks with the first range it meets on occurred_at
        assert sql.index("occurred_at >= b.lo") < sql.index("account_id")
    else:
        assert "width_bucket(occurred_at" in sql


async def test_uneven_buckets_count_exactly_the_rows_in_each(db: str) -> None:
    rng = random.Random(5)
    moments = [START + dt.timedelta(seconds=rng.randrange(30 * 3600)) for _ in range(200)]
    moments += [START + dt.timedelta(hours=7), START + dt.timedelta(hours=7, microseconds=-1)]
    await record("acme", *[event(occurred_at=m) for m in moments])
    await record("globex", event(occurred_at=START + dt.timedelta(hours=1)))
    # Uneven widths, as a day with a DST change or a month gives them.
    edges = [START + dt.timedelta(hours=h) for h in (0, 1, 7, 8, 23, 25, 30)]
    edges.insert(3, START + dt.timedelta(hours=7, microseconds=500))
    counts = await bucket_counts(Selection("acme").condition(START), edges)
    expected = [sum(lo <= m < hi for m in moments) for lo, hi in itertools.pairwise(edges)]
    assert counts == expected


async def test_bucket_counts_read_the_time_index_not_the_table(db: str) -> None:
    await record("acme", *[event(occurred_at=START + dt.timedelta(minutes=i)) for i in range(300)])
    if db == "postgres":  # 90 days of 50 accounts, as the planner would see production
        await connection().execute_script(SPREAD_POSTGRES)
        await connection().execute_script("VACUUM ANALYZE audit_log")
    plan = await explain_bucket_counts(Selection("acme").condition(START), hourly(2000))
    # The edges array is printed in the plan; keep failure messages short.
    shown = "\n".join(line[:160] for line in plan.splitlines())
    assert "audit_log_account_" in plan, shown
    assert "SCAN audit_log" not in plan and "Seq Scan" not in plan, shown
