"""Configuration from the environment: defaults, and errors that name the variable."""

from __future__ import annotations

import datetime as dt
import ipaddress
from pathlib import Path

import pytest

import settings as settings_module
from settings import Settings, SettingsError

SECRET = "s" * 40


def test_defaults_use_a_sqlite_file_and_hs256() -> None:
    loaded = Settings.from_env({"AUDITLOG_JWT_SECRET": SECRET})
    assert loaded.database_url.startswith("sqlite://auditlog.sqlite3?")
    assert (loaded.jwt.algorithm, loaded.jwt.audience, loaded.jwt.issuer) == (
        "HS256",
        "auditlog",
        None,
    )
    assert (loaded.max_page_size, loaded.dev_mode) == (100, False)


def test_every_variable_is_read() -> None:
    loaded = Settings.from_env(
        {
            "AUDITLOG_JWT_SECRET": SECRET,
            "AUDITLOG_DATABASE_URL": "postgresql://postgres@127.0.0.1:5432/test",
            "AUDITLOG_JWT_AUDIENCE": "audit",
            "AUDITLOG_JWT_ISSUER": "https://id.example.com",
            "AUDITLOG_MAX_PAGE_SIZE": "250",
            "AUDITLOG_TRUSTED_PROXIES": "10.0.0.0/8, 127.0.0.1",
            "AUDITLOG_CORS_ORIGINS": "https://app.example.com",
            "AUDITLOG_REDACT_KEYS": "ssn,iban",
            "AUDITLOG_MAX_BODY_BYTES": "1000",
        }
    )
    assert loaded.database_url == "postgres://postgres@127.0.0.1:5432/test"
    assert (loaded.jwt.audience, loaded.jwt.issuer) == ("audit", "https://id.example.com")
    assert loaded.max_page_size == 250
    assert loaded.trusted_proxies[0] == ipaddress.ip_network("10.0.0.0/8")
    assert loaded.cors_origins == ("https://app.example.com",)
    assert loaded.redact_keys == ("ssn", "iban")
    assert loaded.max_body_bytes == 1000


BAD = [
    pytest.param({"AUDITLOG_JWT_SECRET": "short"}, "AUDITLOG_JWT_SECRET", id="short-secret"),
    pytest.param({"AUDITLOG_MAX_PAGE_SIZE": "ten"}, "AUDITLOG_MAX_PAGE_SIZE", id="page-size-text"),
    pytest.param({"AUDITLOG_MAX_PAGE_SIZE": "0"}, "AUDITLOG_MAX_PAGE_SIZE", id="page-size-zero"),
    pytest.param(
        {"AUDITLOG_DATABASE_URL": "mysql://x"}, "AUDITLOG_DATABASE_URL", id="bad-database"
    ),
    pytest.param(
        {"AUDITLOG_TRUSTED_PROXIES": "proxy.local"}, "AUDITLOG_TRUSTED_PROXIES", id="bad-proxy"
    ),
    pytest.param(
        {"AUDITLOG_CORS_ORIGINS": "app.example.com"}, "AUDITLOG_CORS_ORIGINS", id="bad-origin"
    ),
    pytest.param(
        {"AUDITLOG_CORS_ORIGINS": "https://app.example.com/dashboard"},
        "AUDITLOG_CORS_ORIGINS",
        id="origin-with-path",
    ),
    pytest.param(
        {"AUDITLOG_CORS_HEADERS": "X-Good, Bad:Header"}, "AUDITLOG_CORS_HEADERS", id="bad-header"
    ),
    pytest.param(
        {"AUDITLOG_JWT_ALGORITHM": "RS256"}, "AUDITLOG_JWT_ALGORITHM", id="rs256-without-key"
    ),
    pytest.param(
        {"AUDITLOG_JWT_PUBLIC_KEY": "/nonexistent.pem"},
        "AUDITLOG_JWT_PUBLIC_KEY",
        id="missing-key-file",
    ),
    pytest.param(
        {
            "AUDITLOG_JWT_PUBLIC_KEY": "-----BEGIN PUBLIC KEY-----",
            "AUDITLOG_JWT_ALGORITHM": "HS256",
        },
        "AUDITLOG_JWT_ALGORITHM",
        id="hs256-with-public-key",
    ),
    pytest.param(
        {"AUDITLOG_JWT_PUBLIC_KEY": "-----BEGIN PUBLIC KEY-----", "AUDITLOG_JWT_SECRET": SECRET},
        "AUDITLOG_JWT_SECRET",
        id="both-keys",
    ),
    pytest.param(
        {"AUDITLOG_JWKS_URL": "https://id.example.com/jwks.json", "AUDITLOG_JWT_SECRET": SECRET},
        "AUDITLOG_JWKS_URL",
        id="jwks-and-secret",
    ),
    pytest.param(
        {"AUDITLOG_JWKS_URL": "id.example.com/jwks"}, "AUDITLOG_JWKS_URL", id="jwks-not-url"
    ),
]


@pytest.mark.parametrize(("env", "variable"), BAD)
def test_bad_value_stops_start_up_naming_the_variable(env: dict[str, str], variable: str) -> None:
    if not {"AUDITLOG_JWT_PUBLIC_KEY", "AUDITLOG_JWKS_URL"} & set(env):
        env = {"AUDITLOG_JWT_SECRET": SECRET, **env}
    with pytest.raises(SettingsError, match=variable):
        Settings.from_env(env)


def test_public_key_may_be_given_as_a_file(tmp_path: Path) -> None:
    pem = "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA\n-----END PUBLIC KEY-----\n"
    path = tmp_path / "key.pem"
    path.write_text(pem)
    loaded = Settings.from_env(
        {"AUDITLOG_JWT_PUBLIC_KEY": str(path), "AUDITLOG_JWT_ALGORITHM": "EdDSA"}
    )
    assert (loaded.jwt.verify_key, loaded.jwt.algorithm, loaded.jwt.can_sign) == (
        pem,
        "EdDSA",
        False,
    )


def test_without_a_key_a_development_key_is_created_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(settings_module, "DEV_KEY_FILE", tmp_path / ".auditlog-dev-key")
    first = Settings.from_env({})
    second = Settings.from_env({})
    assert first.dev_mode and first.signing_key == second.signing_key
    assert (tmp_path / ".auditlog-dev-key").stat().st_mode & 0o077 == 0


def test_jwks_url_selects_public_key_verification() -> None:
    loaded = Settings.from_env(
        {"AUDITLOG_JWKS_URL": "https://id.example.com/jwks.json", "AUDITLOG_JWT_ALGORITHM": "ES256"}
    )
    assert (loaded.jwt.jwks_url, loaded.jwt.algorithm) == (
        "https://id.example.com/jwks.json",
        "ES256",
    )
    assert loaded.signing_key is None and not loaded.dev_mode


def test_query_cost_limit_and_request_concurrency_are_read() -> None:
    loaded = Settings.from_env(
        {"AUDITLOG_MAX_QUERY_COST": "250", "AUDITLOG_REQUEST_DB_CONCURRENCY": "3"}
    )
    assert (loaded.max_query_cost, loaded.request_db_concurrency) == (250, 3)


@pytest.mark.parametrize("variable", ["AUDITLOG_MAX_QUERY_COST", "AUDITLOG_REQUEST_DB_CONCURRENCY"])
def test_query_limits_must_be_positive_whole_numbers(variable: str) -> None:
    with pytest.raises(SettingsError, match=variable):
        Settings.from_env({variable: "0"})


@pytest.mark.parametrize(
    ("raw", "lean"), [("", True), ("1", True), ("0", False), ("off", False)], ids=str
)
def test_lean_executor_is_on_unless_switched_off(raw: str, lean: bool) -> None:
    loaded = Settings.from_env({"AUDITLOG_JWT_SECRET": SECRET, "AUDITLOG_LEAN_EXECUTOR": raw})
    assert loaded.lean_executor is lean


def test_lean_executor_refuses_a_value_that_is_not_a_switch() -> None:
    with pytest.raises(SettingsError, match=r'AUDITLOG_LEAN_EXECUTOR "maybe".*1 \(on\) or 0'):
        Settings.from_env({"AUDITLOG_JWT_SECRET": SECRET, "AUDITLOG_LEAN_EXECUTOR": "maybe"})


def test_a_cors_origin_with_a_trailing_slash_is_normalised() -> None:
    loaded = Settings.from_env(
        {
            "AUDITLOG_JWT_SECRET": SECRET,
            "AUDITLOG_CORS_ORIGINS": "https://app.example.com/ http://localhost:3000",
            "AUDITLOG_CORS_HEADERS": "X-Tenant-Hint",
        }
    )
    assert loaded.cors_origins == ("https://app.example.com", "http://localhost:3000")
    assert loaded.cors_headers == ("X-Tenant-Hint",)


def test_export_jobs_have_defaults() -> None:
    loaded = Settings.from_env({"AUDITLOG_JWT_SECRET": SECRET})
    assert (loaded.export_dir, loaded.export_ttl, loaded.export_workers) == (
        Path("exports"),
        dt.timedelta(days=7),
        1,
    )
    assert (loaded.export_lease, loaded.export_batch_size) == (30.0, 1000)
    assert loaded.export_database_csv is True


def test_export_settings_are_read(tmp_path: Path) -> None:
    loaded = Settings.from_env(
        {
            "AUDITLOG_JWT_SECRET": SECRET,
            "AUDITLOG_EXPORT_DIR": str(tmp_path / "files"),
            "AUDITLOG_EXPORT_TTL": "36h",
            "AUDITLOG_EXPORT_WORKERS": "0",
            "AUDITLOG_EXPORT_LEASE": "2.5",
            "AUDITLOG_EXPORT_BATCH_SIZE": "50",
            "AUDITLOG_EXPORT_DATABASE_CSV": "0",
        }
    )
    assert loaded.export_database_csv is False
    assert loaded.export_dir == tmp_path / "files"
    assert loaded.export_ttl == dt.timedelta(hours=36)
    assert (loaded.export_workers, loaded.export_lease, loaded.export_batch_size) == (0, 2.5, 50)


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("AUDITLOG_EXPORT_TTL", "1w"),
        ("AUDITLOG_EXPORT_TTL", "0d"),
        ("AUDITLOG_EXPORT_TTL", "99999999999999d"),
        ("AUDITLOG_EXPORT_WORKERS", "-1"),
        ("AUDITLOG_EXPORT_WORKERS", "17"),
        ("AUDITLOG_EXPORT_LEASE", "0.5"),
        ("AUDITLOG_EXPORT_BATCH_SIZE", "0"),
        ("AUDITLOG_EXPORT_DATABASE_CSV", "sometimes"),
        ("AUDITLOG_EXPORT_LINK_SECRET", "short"),
    ],
    ids=lambda value: str(value),
)
def test_bad_export_setting_stops_start_up_naming_it(variable: str, value: str) -> None:
    with pytest.raises(SettingsError, match=variable):
        Settings.from_env({"AUDITLOG_JWT_SECRET": SECRET, variable: value})


def test_export_dir_may_not_be_a_file(tmp_path: Path) -> None:
    file = tmp_path / "exports"
    file.write_text("")
    with pytest.raises(SettingsError, match="AUDITLOG_EXPORT_DIR"):
        Settings.from_env({"AUDITLOG_JWT_SECRET": SECRET, "AUDITLOG_EXPORT_DIR": str(file)})


def test_download_links_are_signed_with_a_key_of_their_own() -> None:
    with_secret = Settings.from_env({"AUDITLOG_JWT_SECRET": SECRET})
    assert with_secret.export_link_key not in (None, SECRET.encode())
    public_key = Settings.from_env({"AUDITLOG_JWKS_URL": "https://id.example.com/jwks.json"})
    assert public_key.export_link_key is None
    linked = Settings.from_env(
        {
            "AUDITLOG_JWKS_URL": "https://id.example.com/jwks.json",
            "AUDITLOG_EXPORT_LINK_SECRET": "l" * 40,
        }
    )
    assert linked.export_link_key is not None
