"""Database limits and outages: bounded waits, and which failures count as an outage."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest
from tortoise.exceptions import DBConnectionError, IntegrityError, OperationalError

from models.database import (
    DatabaseLimits,
    Readiness,
    close_database,
    connection,
    fetch,
    is_outage,
    open_database,
)
from settings import _database_url
from tests.conftest import BACKENDS, POSTGRES_URL
from tests.serving import free_port

needs_postgres = pytest.mark.skipif(not POSTGRES_URL, reason="AUDITLOG_TEST_POSTGRES_URL unset")


def _raised_from(cause: BaseException) -> Exception:
    try:
        raise OperationalError("wrapped") from cause
    except OperationalError as exc:
        return exc


@pytest.mark.parametrize(
    "exc",
    [
        pytest.param(ConnectionRefusedError(111, "Connection refused"), id="refused"),
        pytest.param(ConnectionResetError(104, "reset"), id="reset"),
        pytest.param(TimeoutError(), id="timeout"),
        pytest.param(asyncpg.exceptions.CannotConnectNowError("starting up"), id="starting"),
        pytest.param(asyncpg.exceptions.AdminShutdownError("terminating"), id="shutdown"),
        pytest.param(asyncpg.exceptions.QueryCanceledError("statement timeout"), id="canceled"),
        pytest.param(asyncpg.exceptions.TooManyConnectionsError("too many"), id="too-many"),
        pytest.param(asyncpg.exceptions.ConnectionDoesNotExistError("lost"), id="lost"),
        pytest.param(asyncpg.exceptions.InterfaceError("connection is closed"), id="closed"),
        pytest.param(DBConnectionError("cannot connect"), id="tortoise-connection"),
        pytest.param(_raised_from(sqlite3.OperationalError("database is locked")), id="locked"),
        pytest.param(_raised_from(OSError(5, "I/O error")), id="wrapped-os-error"),
    ],
)
def test_driver_failures_that_pass_with_time_are_outages(exc: BaseException) -> None:
    assert is_outage(exc)


@pytest.mark.parametrize(
    "exc",
    [
        pytest.param(ValueError("bad cursor"), id="value"),
        pytest.param(IntegrityError("duplicate key"), id="integrity"),
        pytest.param(asyncpg.exceptions.UndefinedTableError("no table"), id="undefined-table"),
        pytest.param(_raised_from(sqlite3.OperationalError("no such table: x")), id="no-table"),
        pytest.param(asyncpg.exceptions.InterfaceError("another operation"), id="misuse"),
    ],
)
def test_bugs_and_bad_queries_are_not_outages(exc: BaseException) -> None:
    assert not is_outage(exc)


@pytest.fixture
async def refused() -> AsyncIterator[None]:
    """The ORM pointed at a PostgreSQL port nothing listens on."""
    await open_database(f"postgres://postgres@127.0.0.1:{free_port()}/none", DatabaseLimits(1.0))
    yield
    await close_database()


async def test_a_refused_connection_is_an_outage(refused: None) -> None:
    with pytest.raises(Exception) as caught:
        await fetch(connection(), "SELECT 1")
    assert is_outage(caught.value)


async def test_readiness_says_why_when_the_connection_is_refused(refused: None) -> None:
    problem = await Readiness().problem(within=5)
    assert problem == "The database refused or dropped the connection."


async def test_readiness_is_none_when_the_database_answers(db: str) -> None:
    assert await Readiness().problem(within=5) is None


@pytest.fixture(params=BACKENDS)
async def one_connection(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[None]:
    """The ORM with a single connection: SQLite's own, or a pool of one on PostgreSQL."""
    if request.param == "sqlite":
        await open_database(f"sqlite://{tmp_path}/one.sqlite3")
    else:
        await open_database(POSTGRES_URL, DatabaseLimits(timeout=5, pool_size=1))
    yield
    await close_database()


async def test_readiness_gives_up_at_its_deadline_while_the_connection_is_busy(
    one_connection: None,
) -> None:
    async with connection().acquire_connection():
        problem = await Readiness().problem(within=0.2)
    assert problem == "The database did not answer within 0.2 s."


@pytest.fixture
async def one_slow_connection() -> AsyncIterator[None]:
    """The ORM on the test PostgreSQL with one pooled connection and a 0.5 s timeout."""
    await open_database(POSTGRES_URL, DatabaseLimits(timeout=0.5, pool_size=1))
    yield
    await close_database()


@needs_postgres
async def test_waiting_for_a_pooled_connection_ends_at_the_timeout(
    one_slow_connection: None,
) -> None:
    async with connection().acquire_connection():
        with pytest.raises(Exception) as caught:
            await fetch(connection(), "SELECT 1")
    assert is_outage(caught.value)


@needs_postgres
async def test_a_statement_longer_than_the_timeout_is_cut_off(one_slow_connection: None) -> None:
    with pytest.raises(Exception) as caught:
        await fetch(connection(), "SELECT pg_sleep(3)")
    assert is_outage(caught.value)


@needs_postgres
async def test_the_pool_recovers_after_a_statement_was_cut_off(one_slow_connection: None) -> None:
    with pytest.raises(Exception):  # noqa: B017 - cut off, as the previous test shows
        await fetch(connection(), "SELECT pg_sleep(3)")
    assert await fetch(connection(), "SELECT 1 AS ok") == [{"ok": 1}]


@needs_postgres
async def test_migrations_may_run_longer_than_the_statement_timeout() -> None:
    await open_database(POSTGRES_URL, DatabaseLimits(timeout=0.3, bound_statements=False))
    try:
        rows = await fetch(connection(), "SELECT 1 AS slept FROM pg_sleep(0.6)")
    finally:
        await close_database()
    assert rows == [{"slept": 1}]


async def test_a_locked_sqlite_database_is_an_outage(tmp_path: Path) -> None:
    path = tmp_path / "locked.sqlite3"
    await open_database(_database_url(f"sqlite://{path}", timeout=0.2))
    other = sqlite3.connect(path, isolation_level=None)
    try:
        await fetch(connection(), "CREATE TABLE t (x INTEGER)")
        other.execute("BEGIN EXCLUSIVE")
        with pytest.raises(Exception) as caught:
            await fetch(connection(), "INSERT INTO t VALUES (1)")
    finally:
        other.close()
        await close_database()
    assert is_outage(caught.value)
