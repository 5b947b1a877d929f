"""The migrated schema matches the models and refuses edits to entries."""

from __future__ import annotations

from pathlib import Path

import pytest

from models.access import ApiToken, RoleGrant
from models.audit_log import AccountSequence, AuditLog
from models.audit_log_query import select_entries
from models.database import close_database, connection, open_database
from models.export_job import ExportJob
from models.migrations import MIGRATIONS, migrate, pending_migrations
from resolvers.filters import AuditLogFilter
from resolvers.selection import Selection
from tests.conftest import SERVICE_TABLES
from tests.factories import event, record

TAGS = "0005_tags_and_metadata_index"


@pytest.mark.parametrize(
    "model",
    [AuditLog, AccountSequence, RoleGrant, ApiToken, ExportJob],
    ids=lambda m: m.__name__,
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


async def test_a_migrated_database_has_no_pending_migration(db: str) -> None:
    assert await pending_migrations() == []


async def test_a_database_never_migrated_has_every_migration_pending(tmp_path: Path) -> None:
    await open_database(f"sqlite://{tmp_path}/empty.sqlite3")
    try:
        assert await pending_migrations() == [migration.name for migration in MIGRATIONS]
    finally:
        await close_database()


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


OLD_ROW = (
    "INSERT INTO audit_log (account_id, sequence, action, actor_type, changes, metadata, "
    "outcome, occurred_at, recorded_at, search_text) VALUES ('acme', 1, 'custom.old', 'SYSTEM', "
    "'[]', '{\"plan\": \"pro\", \"seats\": 3}', 'SUCCESS', CURRENT_TIMESTAMP, "
    "CURRENT_TIMESTAMP, '')"
)


async def test_entries_stored_before_tags_existed_are_found_by_metadata_and_have_no_tags(
    db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if db == "sqlite":
        await close_database()
        await open_database(f"sqlite://{tmp_path}/before-tags.sqlite3")
    else:
        await connection().execute_script(
            f"DROP TABLE {', '.join(SERVICE_TABLES)} CASCADE; "
            "DROP FUNCTION audit_log_refuse_change() CASCADE"
        )
    names = [migration.name for migration in MIGRATIONS]
    monkeypatch.setattr("models.migrations.MIGRATIONS", MIGRATIONS[: names.index(TAGS)])
    await migrate()
    await connection().execute_script(OLD_ROW)
    monkeypatch.undo()
    assert await migrate() == names[names.index(TAGS) :]
    found = await select_entries(
        Selection("acme", AuditLogFilter(metadata=(("seats", "3"),))).condition(),
        descending=True,
        limit=5,
    )
    assert [(row["action"], row["tags"]) for row in found] == [("custom.old", "[]")]
