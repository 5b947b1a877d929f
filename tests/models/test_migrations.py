"""The migrated schema matches the models and refuses edits to entries."""

from __future__ import annotations

import pytest

from models.access import ApiToken, RoleGrant
from models.audit_log import AccountSequence, AuditLog
from models.database import connection
from models.migrations import migrate
from tests.factories import event, record


@pytest.mark.parametrize(
    "model", [AuditLog, AccountSequence, RoleGrant, ApiToken], ids=lambda m: m.__name__
)
async def test_every_model_field_has_its_column(db: str, model: type) -> None:
    columns = list(model._meta.fields_db_projection.values())  # type: ignore[attr-defined]
    table = model._meta.db_table  # type: ignore[attr-defined]
    rows = await connection().execute_query_dict(
        f"SELECT {', '.join(columns)} FROM {table} LIMIT 1"
    )
    assert rows == []


async def test_migrating_again_applies_nothing(db: str) -> None:
    assert await migrate() == []


@pytest.mark.parametrize(
    "statement", ["UPDATE audit_log SET action = 'x.y'", "DELETE FROM audit_log"]
)
async def test_entries_cannot_be_changed_or_deleted_in_the_database(
    db: str, statement: str
) -> None:
    await record("acme", event())
    with pytest.raises(Exception, match="append-only"):
        await connection().execute_query(statement)
    assert await AuditLog.filter(action="inbox.create").count() == 1


async def test_postgresql_plans_every_execution(db: str) -> None:
    if db != "postgres":
        pytest.skip("SQLite keeps no generic plans")
    rows = await connection().execute_query_dict("SHOW plan_cache_mode")
    assert rows == [{"plan_cache_mode": "force_custom_plan"}]
