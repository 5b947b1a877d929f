"""AUDITLOG_DB_TIMEOUT and AUDITLOG_DB_POOL_SIZE: defaults, parsing, errors naming them."""

from __future__ import annotations

import pytest

from settings import Settings, SettingsError

SECRET = "s" * 40


def test_database_timeout_and_pool_size_default_to_5() -> None:
    loaded = Settings.from_env({"AUDITLOG_JWT_SECRET": SECRET})
    assert (loaded.db_timeout, loaded.db_pool_size) == (5.0, 5)


def test_database_timeout_takes_fractions_of_a_second() -> None:
    loaded = Settings.from_env({"AUDITLOG_JWT_SECRET": SECRET, "AUDITLOG_DB_TIMEOUT": "2.5"})
    assert loaded.db_timeout == 2.5


def test_pool_size_is_read() -> None:
    loaded = Settings.from_env({"AUDITLOG_JWT_SECRET": SECRET, "AUDITLOG_DB_POOL_SIZE": "20"})
    assert loaded.db_pool_size == 20


def test_sqlite_busy_timeout_follows_the_database_timeout() -> None:
    loaded = Settings.from_env(
        {
            "AUDITLOG_JWT_SECRET": SECRET,
            "AUDITLOG_DATABASE_URL": "sqlite://data/log.sqlite3",
            "AUDITLOG_DB_TIMEOUT": "1.5",
        }
    )
    assert loaded.database_url.endswith("&busy_timeout=1500")


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        pytest.param("AUDITLOG_DB_TIMEOUT", "soon", '"soon" is not a number', id="timeout-text"),
        pytest.param("AUDITLOG_DB_TIMEOUT", "0", "between 0.1 and 300", id="timeout-zero"),
        pytest.param("AUDITLOG_DB_TIMEOUT", "nan", "between 0.1 and 300", id="timeout-nan"),
        pytest.param("AUDITLOG_DB_TIMEOUT", "1e9", "between 0.1 and 300", id="timeout-huge"),
        pytest.param("AUDITLOG_DB_POOL_SIZE", "0", "between 1 and 1000", id="pool-zero"),
        pytest.param("AUDITLOG_DB_POOL_SIZE", "2.5", "not a whole number", id="pool-fraction"),
    ],
)
def test_bad_database_limit_stops_start_up_naming_the_variable(
    name: str, value: str, message: str
) -> None:
    with pytest.raises(SettingsError, match=f"{name}.*{message}|{message}.*{name}"):
        Settings.from_env({"AUDITLOG_JWT_SECRET": SECRET, name: value})
