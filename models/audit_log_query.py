"""SQL for reading audit_log: conditions that render per dialect, pages, counts, groups.

The ORM cannot express keyset row comparisons, full-text MATCH, a bucket join or a
grouped count with a portable text index, so reads of the log are written here,
always with bound parameters. Resolvers compose conditions from the constructors
below and never write SQL themselves.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import orjson

from models.audit_log import INSERT_COLUMNS, READ_COLUMNS
from models.audit_log_store import utc
from models.database import SQLITE, connection, dialect_of, fetch, fetch_values

# Columns a condition may name: the table's own; anything else is a programming error.
FILTERABLE = frozenset({"id", *INSERT_COLUMNS})
GROUPABLE = {
    "action": "action",
    "actor": "actor_type, actor_id",
    "target_type": "target_type",
    "ip_address": "ip_key",
}
# Tags live in a JSON array per row, so they are counted by unnesting, not by a column.
TAG_GROUP = "tag"
# FTS5's trigram tokenizer (and pg_trgm) index three-character sequences.
MIN_INDEXED_TERM = 3


class Condition:
    """A WHERE fragment; `render` gives its SQL with "?" markers and its parameters."""

    def render(self, dialect: str) -> tuple[str, list[Any]]:
        """Return the fragment for `dialect` and its parameters."""
        raise NotImplementedError


@dataclass(frozen=True)
class _Sql(Condition):
    sql: str
    params: tuple[Any, ...] = ()

    def render(self, dialect: str) -> tuple[str, list[Any]]:
        return self.sql, list(self.params)


@dataclass(frozen=True)
class _Contains(Condition):
    terms: tuple[str, ...]  # lower-case; every one must occur

    def render(self, dialect: str) -> tuple[str, list[Any]]:
        return _contains_sql(self.terms, dialect)


@dataclass(frozen=True)
class _KeyRange(Condition):
    """low <= column <= high on an indexed key; `unindexed` keeps SQLite off that index."""

    column: str
    low: object
    high: object
    unindexed: bool = False

    def render(self, dialect: str) -> tuple[str, list[Any]]:
        name = f"+{self.column}" if self.unindexed and dialect == SQLITE else self.column
        if self.low == self.high:
            return f"{name} = ?", [self.low]
        return f"{name} >= ? AND {name} <= ?", [self.low, self.high]


@dataclass(frozen=True)
class _Composite(Condition):
    """AND / OR of conditions, or NOT of one, rendered recursively."""

    joiner: str
    parts: tuple[Condition, ...]

    def render(self, dialect: str) -> tuple[str, list[Any]]:
        rendered = [part.render(dialect) for part in self.parts]
        params = [value for _, values in rendered for value in values]
        if self.joiner == "NOT":
            # A NULL comparison counts as not holding, so its negation holds.
            return f"NOT COALESCE(({rendered[0][0]}), FALSE)", params
        return f" {self.joiner} ".join(f"({sql})" for sql, _ in rendered), params


@dataclass(frozen=True)
class _Tagged(Condition):
    """The entry carries any of `tags`; served by each database's tag index."""

    account_id: str
    tags: tuple[str, ...]

    def render(self, dialect: str) -> tuple[str, list[Any]]:
        if dialect == SQLITE:
            marks = ", ".join("?" * len(self.tags))
            return (
                "id IN (SELECT entry_id FROM audit_log_tag WHERE account_id = ? "
                f"AND tag IN ({marks}))",
                [self.account_id, *self.tags],
            )
        # Containment (@>) is what a GIN index on jsonb answers; one arm per tag.
        return _containments("tags", [orjson.dumps([tag]).decode() for tag in self.tags])


@dataclass(frozen=True)
class _MetadataValue(Condition):
    """A top-level metadata key holds one of `values` (str, int, float or bool)."""

    account_id: str
    key: str
    values: tuple[str | int | float | bool, ...]

    def render(self, dialect: str) -> tuple[str, list[Any]]:
        if dialect == SQLITE:
            # The side table keeps booleans as the words true and false (migration 0005).
            stored = [_bool_word(v) if isinstance(v, bool) else v for v in self.values]
            marks = ", ".join("?" * len(stored))
            return (
                "id IN (SELECT entry_id FROM audit_log_meta WHERE account_id = ? AND key = ? "
                f"AND value IN ({marks}))",
                [self.account_id, self.key, *stored],
            )
        return _containments(
            "metadata", [orjson.dumps({self.key: value}).decode() for value in self.values]
        )


def _bool_word(value: bool) -> str:
    return "true" if value else "false"


def _containments(column: str, documents: Sequence[str]) -> tuple[str, list[Any]]:
    return " OR ".join([f"{column} @> ?::jsonb"] * len(documents)), list(documents)


TRUE = _Sql("1 = 1")


def equals(column: str, value: object) -> Condition:
    """`column = value`."""
    return _Sql(f"{_column(column)} = ?", (value,))


def one_of(column: str, values: Sequence[object]) -> Condition:
    """`column IN (values)`."""
    marks = ", ".join("?" * len(values))
    return _Sql(f"{_column(column)} IN ({marks})", tuple(values))


def equals_ignoring_case(column: str, value: str) -> Condition:
    """`lower(column) = lower(value)` (ASCII folding on SQLite)."""
    return _Sql(f"lower({_column(column)}) = ?", (value.lower(),))


def key_range(column: str, low: object, high: object) -> Condition:
    """`low <= column <= high` (or `= low`) on an indexed key such as ip_key.

    Pages choose between that key's index and the time index by how many rows match.
    """
    return _KeyRange(_column(column), low, high)


def at_least(column: str, value: object) -> Condition:
    """`column >= value`."""
    return _Sql(f"{_column(column)} >= ?", (value,))


def at_most(column: str, value: object) -> Condition:
    """`column <= value`."""
    return _Sql(f"{_column(column)} <= ?", (value,))


def above(column: str, value: object) -> Condition:
    """`column > value`."""
    return _Sql(f"{_column(column)} > ?", (value,))


def below(column: str, value: object) -> Condition:
    """`column < value`."""
    return _Sql(f"{_column(column)} < ?", (value,))


def prefix(column: str, text: str) -> Condition:
    """`column` starts with `text` (ending in "."), as an index range rather than LIKE."""
    return _Sql(f"{_column(column)} >= ? AND {_column(column)} < ?", (text, text[:-1] + "/"))


def contains_text(term: str) -> Condition:
    """search_text contains `term` (lower-cased), served by each database's text index."""
    return _Contains((term.lower(),))


def has_any_tag(account_id: str, tags: Sequence[str]) -> Condition:
    """The account's entries carrying any of `tags`."""
    return _Tagged(account_id, tuple(tags))


def metadata_is(account_id: str, key: str, values: Sequence[str | int | float | bool]) -> Condition:
    """The account's entries whose top-level metadata `key` equals one of `values`.

    Values compare with their JSON type: the string "5" is not the number 5, and 5
    equals 5.0; objects, arrays and null never match.
    """
    return _MetadataValue(account_id, key, tuple(values))


def all_of(*conditions: Condition) -> Condition:
    """Every condition holds."""
    return _join("AND", conditions, TRUE)


def any_of(*conditions: Condition) -> Condition:
    """At least one condition holds."""
    return _join("OR", conditions, _Sql("1 = 0"))


def negate(condition: Condition) -> Condition:
    """The condition does not hold; a NULL comparison counts as not holding."""
    return _Composite("NOT", (condition,))


def keyset_after(occurred_at: dt.datetime, entry_id: int, *, descending: bool) -> Condition:
    """Entries strictly past (occurred_at, id) in the reading order."""
    op, bound = ("<", "<=") if descending else (">", ">=")
    # The redundant single-column bound keeps PostgreSQL on an index range.
    return _Sql(
        f"occurred_at {bound} ? AND (occurred_at, id) {op} (?, ?)",
        (occurred_at, occurred_at, entry_id),
    )


async def select_entries(where: Condition, *, descending: bool, limit: int) -> list[dict[str, Any]]:
    """Return up to `limit` rows matching `where` in (occurred_at, id) order."""
    return await _fetch(*await _page(where, descending, limit))


async def select_entry_values(
    where: Condition,
    *,
    descending: bool,
    limit: int,
    columns: Sequence[str] = READ_COLUMNS,
) -> Sequence[Sequence[Any]]:
    """The rows select_entries returns, each as its `columns` values in that order.

    `columns` are READ_COLUMNS unless told otherwise: the export's CSV asks PostgreSQL
    for expressions of them (export/database_csv.py), which hold no "?" marker.
    """
    sql, params = await _page(where, descending, limit, columns)
    client = connection()
    if dialect_of(client) != SQLITE:
        sql = _numbered(sql)
    return await fetch_values(client, sql, params)


async def select_after_sequence(where: Condition, limit: int) -> Sequence[Sequence[Any]]:
    """Up to `limit` rows matching `where` in sequence order (recording order), READ_COLUMNS."""
    sql, params = _where(where)
    sql = f"SELECT {', '.join(READ_COLUMNS)} FROM audit_log WHERE {sql} ORDER BY sequence LIMIT ?"
    client = connection()
    if dialect_of(client) != SQLITE:
        sql = _numbered(sql)
    return await fetch_values(client, sql, [*params, limit])


async def recorded_after(account_id: str, sequence: int) -> dt.datetime | None:
    """When the account's first entry past `sequence` was recorded; None if there is none."""
    client = connection()
    marks = ("?", "?") if dialect_of(client) == SQLITE else ("$1", "$2")
    rows = await fetch_values(
        client,
        f"SELECT recorded_at FROM audit_log WHERE account_id = {marks[0]} "
        f"AND sequence > {marks[1]} ORDER BY sequence LIMIT 1",
        [account_id, sequence],
    )
    return utc(rows[0][0]) if rows else None


async def last_sequence(account_id: str) -> int:
    """The account's highest sequence so far (0 before its first entry)."""
    client = connection()
    mark = "?" if dialect_of(client) == SQLITE else "$1"
    rows = await fetch_values(
        client, f"SELECT MAX(sequence) FROM audit_log WHERE account_id = {mark}", [account_id]
    )
    return int(rows[0][0] or 0)


async def _page(
    where: Condition, descending: bool, limit: int, columns: Sequence[str] = READ_COLUMNS
) -> tuple[str, list[Any]]:
    direction = "DESC" if descending else "ASC"
    sql, params = _where(await _planned(where))
    return (
        f"SELECT {', '.join(columns)} FROM audit_log WHERE {sql} "
        f"ORDER BY occurred_at {direction}, id {direction} LIMIT ?",
        [*params, limit],
    )


async def explain_page(where: Condition, *, descending: bool = True, limit: int = 51) -> str:
    """The database's plan for a page query, as text (for tests and benchmarks)."""
    direction = "DESC" if descending else "ASC"
    return await _explain(
        f"ORDER BY occurred_at {direction}, id {direction} LIMIT ?", await _planned(where), [limit]
    )


# SQLite keeps no histogram of key values (no STAT4), so for `ip_key` in a range it
# always walks the key's index and sorts every match by time: fine for a rare block,
# hundreds of milliseconds for an office block behind a fifth of the account's rows.
# Counting up to COMMON_MATCHES through that index is cheap and tells the two apart;
# a common range is then checked row by row while walking the time index instead.
COMMON_MATCHES = 1000


async def _planned(where: Condition) -> Condition:
    if dialect_of(connection()) != SQLITE or not _has_key_range(where):
        return where
    sql, params = _where(where)
    rows = await _fetch(
        f"SELECT count(*) AS n FROM (SELECT 1 FROM audit_log WHERE {sql} LIMIT ?) AS m",
        [*params, COMMON_MATCHES],
    )
    return _time_ordered(where) if int(rows[0]["n"]) >= COMMON_MATCHES else where


def _has_key_range(condition: Condition) -> bool:
    if isinstance(condition, _Composite):
        return any(_has_key_range(part) for part in condition.parts)
    return isinstance(condition, _KeyRange)


def _time_ordered(condition: Condition) -> Condition:
    if isinstance(condition, _Composite):
        return _Composite(condition.joiner, tuple(_time_ordered(p) for p in condition.parts))
    if isinstance(condition, _KeyRange):
        return _KeyRange(condition.column, condition.low, condition.high, unindexed=True)
    return condition


async def explain_group_counts(where: Condition, group: str, limit: int | None = 10) -> str:
    """The database's plan for group_counts, as text (for tests and benchmarks)."""
    return await _explain_statement(*_group_counts_sql(where, group, limit))


async def explain_count(where: Condition) -> str:
    """The database's plan for counting matches, as text (for tests and benchmarks)."""
    return await _explain("", where, [], select="count(*)")


async def _explain(tail: str, where: Condition, extra: list[Any], select: str = "id") -> str:
    sql, params = _where(where)
    return await _explain_statement(
        f"SELECT {select} FROM audit_log WHERE {sql} {tail}", [*params, *extra]
    )


async def _explain_statement(sql: str, params: list[Any]) -> str:
    explain = "EXPLAIN QUERY PLAN" if dialect_of(connection()) == SQLITE else "EXPLAIN"
    rows = await _fetch(f"{explain} {sql}", params)
    return "\n".join(str(row.get("detail") or row.get("QUERY PLAN")) for row in rows)


async def select_by_id(account_id: str, entry_id: int) -> dict[str, Any] | None:
    """Return the account's row with this id, or None."""
    rows = await _fetch(
        f"SELECT {', '.join(READ_COLUMNS)} FROM audit_log WHERE account_id = ? AND id = ?",
        [account_id, entry_id],
    )
    return rows[0] if rows else None


async def any_match(where: Condition) -> bool:
    """Whether any row matches."""
    sql, params = _where(where)
    return bool(await _fetch(f"SELECT 1 AS hit FROM audit_log WHERE {sql} LIMIT 1", params))


async def count(where: Condition) -> int:
    """The number of matching rows."""
    sql, params = _where(where)
    rows = await _fetch(f"SELECT count(*) AS n FROM audit_log WHERE {sql}", params)
    return int(rows[0]["n"])


async def group_counts(where: Condition, group: str, limit: int | None) -> list[dict[str, Any]]:
    """Count matching rows per value of a GROUPABLE key, most frequent first.

    Rows without a value (no target, no IP) are left out. Rows carry the grouped
    columns and `n`; every grouped column is in the time index, so a time range is
    counted from the index alone.
    """
    return await _fetch(*_group_counts_sql(where, group, limit))


def _group_counts_sql(where: Condition, group: str, limit: int | None) -> tuple[str, list[Any]]:
    if group == TAG_GROUP:
        return _tag_counts_sql(where, limit)
    columns = GROUPABLE[group]
    present = "" if group in ("action", "actor") else f" AND {columns} IS NOT NULL"
    sql, params = _where(where)
    limit_sql = " LIMIT ?" if limit is not None else ""
    return (
        f"SELECT {columns}, count(*) AS n FROM audit_log "
        f"WHERE ({sql}){present} GROUP BY {columns} ORDER BY n DESC, {columns}{limit_sql}",
        [*params, *([limit] if limit is not None else [])],
    )


def _tag_counts_sql(where: Condition, limit: int | None) -> tuple[str, list[Any]]:
    """Count matching rows per tag: each row's tags array unnested, then grouped."""
    dialect = dialect_of(connection())
    sql, params = where.render(dialect)
    tags = (
        "json_each(m.tags) AS t"
        if dialect == SQLITE
        else "jsonb_array_elements_text(m.tags) AS t(value)"
    )
    limit_sql = " LIMIT ?" if limit is not None else ""
    return (
        f"SELECT t.value AS tag, count(*) AS n FROM (SELECT tags FROM audit_log WHERE {sql}) AS m, "
        f"{tags} GROUP BY t.value ORDER BY n DESC, t.value{limit_sql}",
        [*params, *([limit] if limit is not None else [])],
    )


async def latest_actor_names(
    account_id: str, actors: Sequence[tuple[str, str | None]]
) -> dict[tuple[str, str | None], dict[str, Any]]:
    """The name and e-mail each (actor_type, actor_id) had on its latest entry."""
    found = {}
    for actor_type, actor_id in actors:
        same_id = "actor_id = ?" if actor_id is not None else "actor_id IS NULL"
        rows = await _fetch(
            "SELECT actor_name, actor_email FROM audit_log WHERE account_id = ? "
            f"AND {same_id} AND actor_type = ? ORDER BY occurred_at DESC, id DESC LIMIT 1",
            [account_id, *([actor_id] if actor_id is not None else []), actor_type],
        )
        if rows:
            found[(actor_type, actor_id)] = rows[0]
    return found


async def first_and_last(where: Condition) -> tuple[dt.datetime, dt.datetime] | None:
    """The earliest and latest occurred_at among matching rows, or None if none match."""
    sql, params = _where(where)
    rows = []
    for direction in ("ASC", "DESC"):
        rows += await _fetch(
            f"SELECT occurred_at FROM audit_log WHERE {sql} "
            f"ORDER BY occurred_at {direction}, id {direction} LIMIT 1",
            params,
        )
    if not rows:
        return None
    first, last = (_as_utc(row["occurred_at"]) for row in rows)
    return first, last


def _as_utc(value: Any) -> dt.datetime:
    moment = dt.datetime.fromisoformat(value) if isinstance(value, str) else value
    if not isinstance(moment, dt.datetime):
        raise TypeError(f"expected a datetime, got {value!r}")
    return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment.astimezone(dt.UTC)


async def bucket_counts(where: Condition, edges: Sequence[dt.datetime]) -> list[int]:
    """Count matching rows in each [edges[i], edges[i+1]) interval, empty ones included.

    `edges` are ascending UTC instants of any spacing (a day with a DST change is 23 or
    25 hours). They travel as one parameter, so the statement's text, its parameter
    count and its planning time do not grow with the number of buckets.
    """
    if len(edges) < 2:
        return []
    counts = [0] * (len(edges) - 1)
    for found in await _fetch(*bucket_statement(where, edges)):
        counts[int(found["idx"])] = int(found["n"])
    return counts


async def explain_bucket_counts(where: Condition, edges: Sequence[dt.datetime]) -> str:
    """The database's plan for bucket_counts, as text (for tests and benchmarks)."""
    return await _explain_statement(*bucket_statement(where, edges))


def bucket_statement(where: Condition, edges: Sequence[dt.datetime]) -> tuple[str, list[Any]]:
    """The statement bucket_counts runs and its parameters; rows carry a 0-based `idx` and `n`."""
    dialect = dialect_of(connection())
    sql, params = where.render(dialect)
    if dialect == SQLITE:
        # One index range count per bucket, over the buckets of a JSON array; SQLite
        # compares the stored ISO text, so the edges go in the stored text form. The
        # bucket's bounds come first: SQLite seeks with the first range it meets on a
        # column, and the selection's own occurredAfter/Before would make every bucket
        # walk the whole range (minutes instead of milliseconds at 100k rows).
        return (
            "SELECT b.idx AS idx, (SELECT count(*) FROM audit_log WHERE "
            f"occurred_at >= b.lo AND occurred_at < b.hi AND ({sql})) AS n FROM ("
            "SELECT CAST(key AS INTEGER) AS idx, value AS lo, "
            "lead(value) OVER (ORDER BY CAST(key AS INTEGER)) AS hi FROM json_each(?)"
            ") AS b WHERE b.hi IS NOT NULL",
            [*params, orjson.dumps([str(edge.astimezone(dt.UTC)) for edge in edges]).decode()],
        )
    # One pass over the time range; width_bucket finds each row's bucket by binary
    # search in the sorted array (1 for [edges[0], edges[1]) and so on).
    return (
        "SELECT width_bucket(occurred_at, ?::timestamptz[]) - 1 AS idx, count(*) AS n "
        f"FROM audit_log WHERE ({sql}) AND occurred_at >= ? AND occurred_at < ? GROUP BY 1",
        [list(edges), *params, edges[0], edges[-1]],
    )


def _column(name: str) -> str:
    if name not in FILTERABLE:
        raise ValueError(f"column {name!r} is not filterable")
    return name


def _join(joiner: str, conditions: Sequence[Condition], empty: Condition) -> Condition:
    if joiner == "AND":
        conditions = _merge_contains(conditions)
    if not conditions:
        return empty
    if len(conditions) == 1:
        return conditions[0]
    return _Composite(joiner, tuple(conditions))


def _merge_contains(conditions: Sequence[Condition]) -> list[Condition]:
    """Join AND-ed text terms into one condition: on SQLite one MATCH instead of one per word."""
    texts = [c for c in conditions if isinstance(c, _Contains)]
    if len(texts) < 2:
        return list(conditions)
    merged = _Contains(tuple(term for text in texts for term in text.terms))
    others = [c for c in conditions if not isinstance(c, _Contains)]
    return [merged, *others]


def _contains_sql(terms: Sequence[str], dialect: str) -> tuple[str, list[Any]]:
    patterns = ["%" + re.sub(r"([\\%_])", r"\\\1", term) + "%" for term in terms]
    likes = " AND ".join(["search_text LIKE ? ESCAPE '\\'"] * len(terms))
    indexed = [term for term in terms if len(term) >= MIN_INDEXED_TERM]
    if dialect == SQLITE and indexed:
        phrases = " AND ".join('"' + term.replace('"', '""') + '"' for term in indexed)
        return (
            f"id IN (SELECT rowid FROM audit_log_fts WHERE audit_log_fts MATCH ?) AND {likes}",
            [phrases, *patterns],
        )
    return likes, patterns


def _where(condition: Condition) -> tuple[str, list[Any]]:
    return condition.render(dialect_of(connection()))


async def _fetch(sql: str, params: list[Any]) -> list[dict[str, Any]]:
    client = connection()
    if dialect_of(client) != SQLITE:
        sql = _numbered(sql)
    return await fetch(client, sql, params)


def _numbered(sql: str) -> str:
    """Turn "?" markers into PostgreSQL's $1, $2, ... (no literal in our SQL holds "?")."""
    counter = iter(range(1, sql.count("?") + 1))
    return re.sub(r"\?", lambda _: f"${next(counter)}", sql)
