"""Schema migrations, written per dialect and applied in order, each once.

The ORM models mirror these tables; `tests/models/test_migrations.py` checks that
every model field has its column.
"""

from __future__ import annotations

from dataclasses import dataclass

from tortoise.transactions import in_transaction

from models.database import POSTGRES, SQLITE, connection, dialect_of, fetch

MIGRATIONS_TABLE = "audit_log_migrations"
# Any constant works; it keeps two processes from migrating the same database at once.
ADVISORY_LOCK_ID = 727_211_001


@dataclass(frozen=True)
class Migration:
    """A named schema change with its statements for each dialect."""

    name: str
    sqlite: tuple[str, ...]
    postgres: tuple[str, ...]

    def statements(self, dialect: str) -> tuple[str, ...]:
        """Return the statements for `dialect`."""
        return self.sqlite if dialect == SQLITE else self.postgres


def _audit_log_table(id_column: str, json_type: str, time_type: str) -> str:
    return f"""
CREATE TABLE audit_log (
    id {id_column},
    account_id VARCHAR(64) NOT NULL,
    sequence BIGINT NOT NULL,
    action VARCHAR(100) NOT NULL,
    actor_type VARCHAR(16) NOT NULL,
    actor_id VARCHAR(255),
    actor_name VARCHAR(255),
    actor_email VARCHAR(320),
    target_type VARCHAR(64),
    target_id VARCHAR(255),
    target_name VARCHAR(500),
    changes {json_type} NOT NULL,
    metadata {json_type} NOT NULL,
    outcome VARCHAR(8) NOT NULL,
    failure_reason TEXT,
    ip_address VARCHAR(45),
    ip_key VARCHAR(32),
    user_agent TEXT,
    request_id VARCHAR(255),
    occurred_at {time_type} NOT NULL,
    recorded_at {time_type} NOT NULL,
    idempotency_key VARCHAR(255),
    search_text TEXT NOT NULL
)"""


_SEQUENCE_TABLE = """
CREATE TABLE audit_log_sequence (
    account_id VARCHAR(64) NOT NULL PRIMARY KEY,
    last_sequence BIGINT NOT NULL
)"""

# What facets group by (models.audit_log_query.GROUPABLE); spelled out, as a migration
# must not change when the code does.
_FACET_COLUMNS = "action, actor_type, actor_id, target_type, ip_key"

_INDEXES = (
    "CREATE UNIQUE INDEX audit_log_account_sequence ON audit_log (account_id, sequence)",
    "CREATE UNIQUE INDEX audit_log_account_idempotency ON audit_log (account_id, idempotency_key)",
    "CREATE INDEX audit_log_account_time ON audit_log (account_id, occurred_at, id)",
    "CREATE INDEX audit_log_account_action ON audit_log (account_id, action, occurred_at, id)",
    "CREATE INDEX audit_log_account_actor ON audit_log (account_id, actor_id, occurred_at, id)",
    "CREATE INDEX audit_log_account_target "
    "ON audit_log (account_id, target_type, target_id, occurred_at, id)",
    "CREATE INDEX audit_log_account_ip ON audit_log (account_id, ip_key)",
    "CREATE INDEX audit_log_account_request ON audit_log (account_id, request_id)",
)

_SQLITE_APPEND_ONLY = (
    "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log "
    "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only: UPDATE is refused'); END",
    "CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log "
    "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only: DELETE is refused'); END",
)

_POSTGRES_APPEND_ONLY = (
    """CREATE FUNCTION audit_log_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only: % is refused', TG_OP;
END
$$""",
    "CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log "
    "FOR EACH ROW EXECUTE FUNCTION audit_log_refuse_change()",
)


def _access_tables(id_column: str, time_type: str) -> tuple[str, ...]:
    return (
        f"""
CREATE TABLE role_grant (
    id {id_column},
    account_id VARCHAR(64) NOT NULL,
    user_id VARCHAR(255) NOT NULL,
    user_name VARCHAR(255),
    user_email VARCHAR(320),
    role VARCHAR(16) NOT NULL,
    note TEXT,
    granted_by_id VARCHAR(255) NOT NULL,
    granted_by_name VARCHAR(255),
    granted_at {time_type} NOT NULL,
    expires_at {time_type},
    revoked_at {time_type},
    revoked_by_id VARCHAR(255),
    revoked_by_name VARCHAR(255)
)""",
        # One live (unrevoked) grant per user and role; an expired one is renewed in place.
        "CREATE UNIQUE INDEX role_grant_live ON role_grant (account_id, user_id, role) "
        "WHERE revoked_at IS NULL",
        f"""
CREATE TABLE api_token (
    id {id_column},
    account_id VARCHAR(64) NOT NULL,
    name VARCHAR(100) NOT NULL,
    role VARCHAR(16) NOT NULL,
    token_hash VARCHAR(64) NOT NULL,
    prefix VARCHAR(16) NOT NULL,
    created_by_id VARCHAR(255) NOT NULL,
    created_by_name VARCHAR(255),
    created_at {time_type} NOT NULL,
    expires_at {time_type},
    last_used_at {time_type},
    revoked_at {time_type},
    revoked_by_id VARCHAR(255),
    revoked_by_name VARCHAR(255)
)""",
        "CREATE UNIQUE INDEX api_token_hash ON api_token (token_hash)",
        "CREATE INDEX api_token_account ON api_token (account_id, created_at)",
    )


# SQLite cannot index inside JSON, so two side tables, filled by triggers on insert,
# hold each entry's tags and its top-level scalar metadata values. A metadata value
# keeps its JSON type (text, integer, real) so 5 and 5.0 compare equal and "5" is text;
# booleans are the words true and false. Unparseable stored JSON indexes nothing.
_STORED_JSON = "CASE WHEN json_valid({0}) AND json_type({0}) = '{1}' THEN {0} ELSE '{2}' END"
_META_VALUE = "CASE j.type WHEN 'true' THEN 'true' WHEN 'false' THEN 'false' ELSE j.value END"
_META_TYPES = "j.type IN ('text', 'integer', 'real', 'true', 'false')"
_SQLITE_TAGS_AND_METADATA = (
    "ALTER TABLE audit_log ADD COLUMN tags TEXT NOT NULL DEFAULT '[]'",
    "CREATE TABLE audit_log_tag (entry_id INTEGER NOT NULL, account_id VARCHAR(64) NOT NULL, "
    "tag VARCHAR(64) NOT NULL)",
    "CREATE INDEX audit_log_tag_lookup ON audit_log_tag (account_id, tag, entry_id)",
    "CREATE TABLE audit_log_meta (entry_id INTEGER NOT NULL, account_id VARCHAR(64) NOT NULL, "
    "key TEXT NOT NULL, value)",
    "CREATE INDEX audit_log_meta_lookup ON audit_log_meta (account_id, key, value, entry_id)",
    "INSERT INTO audit_log_meta (entry_id, account_id, key, value) "
    f"SELECT a.id, a.account_id, j.key, {_META_VALUE} FROM audit_log AS a, "
    f"json_each({_STORED_JSON.format('a.metadata', 'object', '{}')}) AS j WHERE {_META_TYPES}",
    "CREATE TRIGGER audit_log_index_json AFTER INSERT ON audit_log BEGIN "
    "INSERT INTO audit_log_tag (entry_id, account_id, tag) SELECT new.id, new.account_id, "
    f"j.value FROM json_each({_STORED_JSON.format('new.tags', 'array', '[]')}) AS j "
    "WHERE j.type = 'text'; "
    "INSERT INTO audit_log_meta (entry_id, account_id, key, value) "
    f"SELECT new.id, new.account_id, j.key, {_META_VALUE} "
    f"FROM json_each({_STORED_JSON.format('new.metadata', 'object', '{}')}) AS j "
    f"WHERE {_META_TYPES}; END",
    *(
        f"CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table} "
        f"BEGIN SELECT RAISE(ABORT, '{table} is append-only: {verb} is refused'); END"
        for table in ("audit_log_tag", "audit_log_meta")
        for verb in ("UPDATE", "DELETE")
    ),
)


def _export_job_tables(id_column: str, json_type: str, time_type: str) -> tuple[str, ...]:
    return (
        f"""
CREATE TABLE export_job (
    id {id_column},
    account_id VARCHAR(64) NOT NULL,
    status VARCHAR(16) NOT NULL,
    format VARCHAR(8) NOT NULL,
    filter_json {json_type} NOT NULL,
    query TEXT,
    options {json_type} NOT NULL,
    file_name VARCHAR(255) NOT NULL,
    stored_name VARCHAR(255),
    created_by_id VARCHAR(255) NOT NULL,
    created_by_name VARCHAR(255),
    created_by_email VARCHAR(320),
    created_ip VARCHAR(45),
    created_user_agent TEXT,
    created_request_id VARCHAR(255),
    created_at {time_type} NOT NULL,
    started_at {time_type},
    finished_at {time_type},
    expires_at {time_type},
    rows_written BIGINT NOT NULL DEFAULT 0,
    total_estimate BIGINT,
    byte_size BIGINT,
    sha256 VARCHAR(64),
    failure_reason TEXT,
    attempts INTEGER NOT NULL DEFAULT 0,
    claimed_by VARCHAR(100),
    lease_until {time_type}
)""",
        # An account's jobs, newest first.
        "CREATE INDEX export_job_account ON export_job (account_id, id)",
        # What workers claim: waiting jobs, and running ones whose lease may run out.
        "CREATE INDEX export_job_pending ON export_job (created_at, id) "
        "WHERE status IN ('QUEUED', 'RUNNING')",
        # What the clean-up removes: files past their expiry.
        "CREATE INDEX export_job_expiry ON export_job (expires_at) WHERE status = 'SUCCEEDED'",
    )


def _stream_tables(id_column: str, json_type: str, time_type: str) -> tuple[str, ...]:
    return (
        f"""
CREATE TABLE audit_log_stream (
    id {id_column},
    account_id VARCHAR(64) NOT NULL,
    name VARCHAR(100) NOT NULL,
    kind VARCHAR(32) NOT NULL,
    settings {json_type} NOT NULL,
    secret_box TEXT,
    secret_hint VARCHAR(16),
    filter_json {json_type} NOT NULL,
    query TEXT,
    status VARCHAR(16) NOT NULL,
    delivered_sequence BIGINT NOT NULL DEFAULT 0,
    created_by_id VARCHAR(255) NOT NULL,
    created_at {time_type} NOT NULL,
    updated_at {time_type} NOT NULL,
    last_success_at {time_type},
    last_error TEXT,
    last_error_at {time_type},
    failing_since {time_type},
    alerted_at {time_type},
    next_attempt_at {time_type},
    retries INTEGER NOT NULL DEFAULT 0,
    claimed_by VARCHAR(100),
    lease_until {time_type}
)""",
        "CREATE INDEX audit_log_stream_account ON audit_log_stream (account_id, id)",
        f"""
CREATE TABLE audit_log_stream_attempt (
    id {id_column},
    stream_id BIGINT NOT NULL,
    at {time_type} NOT NULL,
    first_sequence BIGINT NOT NULL,
    last_sequence BIGINT NOT NULL,
    entries INTEGER NOT NULL,
    succeeded BOOLEAN NOT NULL,
    status_code INTEGER,
    message TEXT,
    duration_ms INTEGER NOT NULL
)""",
        "CREATE INDEX audit_log_stream_attempt_stream ON audit_log_stream_attempt (stream_id, id)",
    )


MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        name="0001_audit_log",
        sqlite=(
            _audit_log_table("INTEGER PRIMARY KEY AUTOINCREMENT", "TEXT", "TIMESTAMP"),
            _SEQUENCE_TABLE,
            *_INDEXES,
            *_SQLITE_APPEND_ONLY,
        ),
        postgres=(
            _audit_log_table("BIGSERIAL PRIMARY KEY", "JSONB", "TIMESTAMPTZ"),
            _SEQUENCE_TABLE,
            *_INDEXES,
            *_POSTGRES_APPEND_ONLY,
        ),
    ),
    Migration(
        name="0002_access",
        sqlite=_access_tables("INTEGER PRIMARY KEY AUTOINCREMENT", "TIMESTAMP"),
        postgres=_access_tables("BIGSERIAL PRIMARY KEY", "TIMESTAMPTZ"),
    ),
    Migration(
        name="0003_text_search",
        sqlite=(
            # An external-content FTS5 table over search_text; trigrams serve substrings.
            "CREATE VIRTUAL TABLE audit_log_fts USING fts5(search_text, content='audit_log', "
            "content_rowid='id', tokenize='trigram')",
            "INSERT INTO audit_log_fts(audit_log_fts) VALUES ('rebuild')",
            "CREATE TRIGGER audit_log_fts_insert AFTER INSERT ON audit_log BEGIN "
            "INSERT INTO audit_log_fts(rowid, search_text) VALUES (new.id, new.search_text); END",
        ),
        postgres=(
            "CREATE EXTENSION IF NOT EXISTS pg_trgm",
            "CREATE EXTENSION IF NOT EXISTS btree_gin",
            # One index answers "this account AND this substring" (btree_gin adds the
            # account column to the trigram GIN index).
            "CREATE INDEX audit_log_search_trigram ON audit_log "
            "USING gin (account_id, search_text gin_trgm_ops)",
        ),
    ),
    Migration(
        # The time index also carries what facets group by, so counting a time range
        # by actor, IP, action or target type reads the index alone, not the rows.
        name="0004_time_index_covers_facets",
        sqlite=(
            "DROP INDEX audit_log_account_time",
            "CREATE INDEX audit_log_account_time ON audit_log "
            f"(account_id, occurred_at, id, {_FACET_COLUMNS})",
        ),
        postgres=(
            "DROP INDEX audit_log_account_time",
            "CREATE INDEX audit_log_account_time ON audit_log (account_id, occurred_at, id) "
            f"INCLUDE ({_FACET_COLUMNS})",
        ),
    ),
    Migration(
        # Tags, and an index over tags and top-level metadata values (issue 11).
        name="0005_tags_and_metadata_index",
        sqlite=_SQLITE_TAGS_AND_METADATA,
        postgres=(
            "ALTER TABLE audit_log ADD COLUMN tags JSONB NOT NULL DEFAULT '[]'",
            # btree_gin (0003) lets the account column share each GIN index.
            "CREATE INDEX audit_log_account_tags ON audit_log USING gin (account_id, tags)",
            "CREATE INDEX audit_log_account_metadata ON audit_log "
            "USING gin (account_id, metadata jsonb_path_ops)",
        ),
    ),
    Migration(
        # Export jobs (issue 12): rows that change state, unlike entries.
        name="0006_export_jobs",
        sqlite=_export_job_tables("INTEGER PRIMARY KEY AUTOINCREMENT", "TEXT", "TIMESTAMP"),
        postgres=_export_job_tables("BIGSERIAL PRIMARY KEY", "JSONB", "TIMESTAMPTZ"),
    ),
    Migration(
        # Log streams (issue 13): destinations, how far each got, its recent attempts.
        name="0007_streams",
        sqlite=_stream_tables("INTEGER PRIMARY KEY AUTOINCREMENT", "TEXT", "TIMESTAMP"),
        postgres=_stream_tables("BIGSERIAL PRIMARY KEY", "JSONB", "TIMESTAMPTZ"),
    ),
)


async def migrate() -> list[str]:
    """Apply every pending migration; return the names applied."""
    client = connection()
    dialect = dialect_of(client)
    applied: list[str] = []
    async with in_transaction() as tx:
        if dialect == POSTGRES:
            await tx.execute_query("SELECT pg_advisory_xact_lock($1)", [ADVISORY_LOCK_ID])
        await tx.execute_script(
            f"CREATE TABLE IF NOT EXISTS {MIGRATIONS_TABLE} "
            "(name VARCHAR(100) NOT NULL PRIMARY KEY, applied_at VARCHAR(40) NOT NULL)"
        )
        done = {row["name"] for row in await fetch(tx, f"SELECT name FROM {MIGRATIONS_TABLE}")}
        for migration in MIGRATIONS:
            if migration.name in done:
                continue
            for statement in migration.statements(dialect):
                await tx.execute_script(statement)
            marker = "?, CURRENT_TIMESTAMP" if dialect == SQLITE else "$1, now()::text"
            await tx.execute_query(
                f"INSERT INTO {MIGRATIONS_TABLE} (name, applied_at) VALUES ({marker})",
                [migration.name],
            )
            applied.append(migration.name)
    return applied


async def pending_migrations() -> list[str]:
    """The names of the migrations not applied yet; every one on a database never migrated."""
    client = connection()
    if dialect_of(client) == SQLITE:
        sql = "SELECT name FROM sqlite_master WHERE type = 'table' AND name = ?"
    else:
        sql = "SELECT relname AS name FROM pg_class WHERE relname = $1 AND relkind = 'r'"
    if not await fetch(client, sql, [MIGRATIONS_TABLE]):
        return [migration.name for migration in MIGRATIONS]
    done = {row["name"] for row in await fetch(client, f"SELECT name FROM {MIGRATIONS_TABLE}")}
    return [migration.name for migration in MIGRATIONS if migration.name not in done]
