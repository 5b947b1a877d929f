"""Operations settings: metrics token, log format, rate limits, HSTS, introspection."""

from __future__ import annotations

import pytest

from ratelimit.rate import Rate
from settings import Settings, SettingsError

SECRET = "s" * 40


def load(**env: str) -> Settings:
    return Settings.from_env({"AUDITLOG_JWT_SECRET": SECRET, **env})


def test_operations_defaults() -> None:
    loaded = load()
    assert (loaded.metrics_token, loaded.log_format, loaded.hsts_max_age) == (None, "text", 0)
    assert (loaded.rate_limit, loaded.ingest_rate_limit) == (Rate(600, 60), Rate(6000, 60))
    assert loaded.introspection is True


def test_operations_variables_are_read() -> None:
    loaded = load(
        AUDITLOG_METRICS_TOKEN="scrape-secret",
        AUDITLOG_LOG_FORMAT="json",
        AUDITLOG_RATE_LIMIT="10/second",
        AUDITLOG_INGEST_RATE_LIMIT="off",
        AUDITLOG_HSTS_MAX_AGE="31536000",
        AUDITLOG_INTROSPECTION="0",
    )
    assert (loaded.metrics_token, loaded.log_format, loaded.hsts_max_age) == (
        "scrape-secret",
        "json",
        31536000,
    )
    assert (loaded.rate_limit, loaded.ingest_rate_limit) == (Rate(10, 1), None)
    assert loaded.introspection is False


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("AUDITLOG_LOG_FORMAT", "xml", "use text or json"),
        ("AUDITLOG_RATE_LIMIT", "600", "N/second, N/minute or N/hour"),
        ("AUDITLOG_INGEST_RATE_LIMIT", "5/day", "N/second, N/minute or N/hour"),
        ("AUDITLOG_HSTS_MAX_AGE", "forever", "whole number"),
        ("AUDITLOG_INTROSPECTION", "maybe", "1 (on) or 0 (off)"),
    ],
)
def test_bad_operations_values_stop_start_up_naming_the_variable(
    variable: str, value: str, message: str
) -> None:
    with pytest.raises(SettingsError, match=variable) as caught:
        load(**{variable: value})
    assert message in str(caught.value) and f'"{value}"' in str(caught.value)
