"""Service configuration, read once from the environment at start-up.

Exceptions::

    SettingsError     a variable is missing or invalid; the message names it
"""

from __future__ import annotations

import datetime as dt
import hmac
import ipaddress
import os
import re
import secrets
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from auth.tokens import HMAC_ALGORITHMS, PUBLIC_KEY_ALGORITHMS, JwtConfig
from ratelimit.rate import Rate, RateError, parse_rate

DEFAULT_DATABASE_URL = "sqlite://auditlog.sqlite3"
DEV_KEY_FILE = Path(".auditlog-dev-key")
MIN_SECRET_BYTES = 32
HEADER_NAME = re.compile(r"[A-Za-z0-9!#$%&'*+.^_`|~-]+")
DATABASE_SCHEMES = ("sqlite", "postgres", "postgresql", "asyncpg")

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
DEFAULT_RATE_LIMIT = Rate(600, 60)
DEFAULT_INGEST_RATE_LIMIT = Rate(6000, 60)
DEFAULT_EXPORT_DIR = Path("exports")
DEFAULT_EXPORT_TTL = dt.timedelta(days=7)
DURATION = re.compile(r"^(\d+)([smhd]?)$")
DURATION_UNITS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}


class SettingsError(Exception):
    """A configuration variable is missing or invalid."""


@dataclass(frozen=True)
class Settings:
    """Everything the service reads from its environment."""

    jwt: JwtConfig
    database_url: str = DEFAULT_DATABASE_URL
    signing_key: str | None = None
    dev_mode: bool = False
    max_page_size: int = 100
    trusted_proxies: tuple[Network, ...] = ()
    cors_origins: tuple[str, ...] = ()
    cors_headers: tuple[str, ...] = ()
    redact_keys: tuple[str, ...] = ()
    max_body_bytes: int = 8 * 1024 * 1024
    max_query_bytes: int = 64 * 1024
    # Operations: metrics, request logs, rate limits, response headers, introspection.
    metrics_token: str | None = None
    log_format: Literal["text", "json"] = "text"
    rate_limit: Rate | None = DEFAULT_RATE_LIMIT
    ingest_rate_limit: Rate | None = DEFAULT_INGEST_RATE_LIMIT
    hsts_max_age: int = 0
    introspection: bool = True
    max_query_cost: int = 100
    request_db_concurrency: int = 2
    db_timeout: float = 5.0
    db_pool_size: int = 5
    lean_executor: bool = True
    # Export jobs: where files go, how long they stay, how this instance runs jobs.
    export_dir: Path = DEFAULT_EXPORT_DIR
    export_ttl: dt.timedelta = DEFAULT_EXPORT_TTL
    export_workers: int = 1
    export_lease: float = 30.0
    export_batch_size: int = 1000
    export_database_csv: bool = True
    # Live tails: seconds between checks that a subscriber may still read.
    live_recheck: float = 10.0
    # Log streams: the key their secrets are encrypted with, whether they may reach
    # internal addresses, when a failing one is reported, delivery loops here.
    secret_key: str | None = None
    stream_allow_private: bool = False
    stream_alert_after: dt.timedelta = dt.timedelta(hours=1)
    stream_workers: int = 1
    export_link_secret: str | None = None

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Read and check every AUDITLOG_* variable; raise SettingsError naming a bad one."""
        env = os.environ if env is None else env
        jwt_config, signing_key, dev_mode = _jwt(env)
        db_timeout = _seconds(env, "AUDITLOG_DB_TIMEOUT", 5.0, minimum=0.1, maximum=300.0)
        return cls(
            jwt=jwt_config,
            signing_key=signing_key,
            dev_mode=dev_mode,
            database_url=_database_url(
                env.get("AUDITLOG_DATABASE_URL", DEFAULT_DATABASE_URL), db_timeout
            ),
            max_page_size=_positive_int(env, "AUDITLOG_MAX_PAGE_SIZE", 100, maximum=10_000),
            trusted_proxies=_networks(env, "AUDITLOG_TRUSTED_PROXIES"),
            cors_origins=_origins(env, "AUDITLOG_CORS_ORIGINS"),
            cors_headers=_header_names(env, "AUDITLOG_CORS_HEADERS"),
            redact_keys=_words(env, "AUDITLOG_REDACT_KEYS"),
            max_body_bytes=_positive_int(
                env, "AUDITLOG_MAX_BODY_BYTES", 8 * 1024 * 1024, maximum=1 << 30
            ),
            max_query_bytes=_positive_int(
                env, "AUDITLOG_MAX_QUERY_BYTES", 64 * 1024, maximum=16 * 1024 * 1024
            ),
            metrics_token=env.get("AUDITLOG_METRICS_TOKEN") or None,
            log_format=_log_format(env),
            rate_limit=_rate(env, "AUDITLOG_RATE_LIMIT", DEFAULT_RATE_LIMIT),
            ingest_rate_limit=_rate(env, "AUDITLOG_INGEST_RATE_LIMIT", DEFAULT_INGEST_RATE_LIMIT),
            hsts_max_age=_hsts_max_age(env),
            introspection=_flag(env, "AUDITLOG_INTROSPECTION", default=True),
            max_query_cost=_positive_int(env, "AUDITLOG_MAX_QUERY_COST", 100, maximum=100_000),
            request_db_concurrency=_positive_int(
                env, "AUDITLOG_REQUEST_DB_CONCURRENCY", 2, maximum=100
            ),
            db_timeout=db_timeout,
            db_pool_size=_positive_int(env, "AUDITLOG_DB_POOL_SIZE", 5, maximum=1000),
            lean_executor=_flag(env, "AUDITLOG_LEAN_EXECUTOR", default=True),
            export_dir=_directory(env, "AUDITLOG_EXPORT_DIR", DEFAULT_EXPORT_DIR),
            export_ttl=_duration(
                env, "AUDITLOG_EXPORT_TTL", DEFAULT_EXPORT_TTL, maximum=dt.timedelta(days=3650)
            ),
            export_workers=_count(env, "AUDITLOG_EXPORT_WORKERS", 1, maximum=16),
            export_lease=_seconds(env, "AUDITLOG_EXPORT_LEASE", 30.0, minimum=1.0, maximum=3600.0),
            export_database_csv=_flag(env, "AUDITLOG_EXPORT_DATABASE_CSV", default=True),
            live_recheck=_seconds(env, "AUDITLOG_LIVE_RECHECK", 10.0, minimum=0.5, maximum=3600.0),
            secret_key=_secret_key(env),
            stream_allow_private=_flag(env, "AUDITLOG_STREAM_ALLOW_PRIVATE", default=False),
            stream_alert_after=_duration(
                env,
                "AUDITLOG_STREAM_ALERT_AFTER",
                dt.timedelta(hours=1),
                maximum=dt.timedelta(days=365),
            ),
            stream_workers=_count(env, "AUDITLOG_STREAM_WORKERS", 1, maximum=1),
            export_batch_size=_positive_int(
                env, "AUDITLOG_EXPORT_BATCH_SIZE", 1000, maximum=10_000
            ),
            export_link_secret=_link_secret(env),
        )

    @property
    def export_link_key(self) -> bytes | None:
        """The key that signs export download links, or None when there is no secret."""
        secret = self.export_link_secret or self.signing_key
        if secret is None:
            return None
        # A key of its own, so a link signature can never pass for a token signature.
        return hmac.new(secret.encode(), b"auditlog export download links", "sha256").digest()


def _jwt(env: Mapping[str, str]) -> tuple[JwtConfig, str | None, bool]:
    secret = env.get("AUDITLOG_JWT_SECRET", "")
    public_key = env.get("AUDITLOG_JWT_PUBLIC_KEY", "")
    jwks_url = env.get("AUDITLOG_JWKS_URL", "")
    audience = env.get("AUDITLOG_JWT_AUDIENCE", "auditlog") or "auditlog"
    issuer = env.get("AUDITLOG_JWT_ISSUER") or None
    if sum(map(bool, (secret, public_key, jwks_url))) > 1:
        raise SettingsError(
            "Set only one of AUDITLOG_JWT_SECRET, AUDITLOG_JWT_PUBLIC_KEY and AUDITLOG_JWKS_URL."
        )
    if jwks_url:
        if not jwks_url.startswith(("https://", "http://")):
            raise SettingsError(
                f'AUDITLOG_JWKS_URL "{jwks_url}" must be the http(s) URL of a JWKS document.'
            )
        config = JwtConfig("", _public_key_algorithm(env), audience, issuer, jwks_url=jwks_url)
        return config, None, False
    if public_key:
        config = JwtConfig(_pem(public_key), _public_key_algorithm(env), audience, issuer)
        return config, None, False
    algorithm = env.get("AUDITLOG_JWT_ALGORITHM", "HS256")
    if algorithm not in HMAC_ALGORITHMS:
        raise SettingsError(
            f'AUDITLOG_JWT_ALGORITHM "{algorithm}" needs AUDITLOG_JWT_PUBLIC_KEY or '
            "AUDITLOG_JWKS_URL; with AUDITLOG_JWT_SECRET only HS256 is used."
        )
    dev_mode = not secret
    if dev_mode:
        secret = _dev_secret()
    if len(secret.encode()) < MIN_SECRET_BYTES:
        raise SettingsError(
            f"AUDITLOG_JWT_SECRET is {len(secret.encode())} bytes; use at least "
            f"{MIN_SECRET_BYTES} random bytes (for example: openssl rand -base64 48)."
        )
    return JwtConfig(secret, algorithm, audience, issuer), secret, dev_mode


def _public_key_algorithm(env: Mapping[str, str]) -> str:
    algorithm = env.get("AUDITLOG_JWT_ALGORITHM", "RS256")
    if algorithm not in PUBLIC_KEY_ALGORITHMS:
        allowed = ", ".join(sorted(PUBLIC_KEY_ALGORITHMS))
        raise SettingsError(
            f'AUDITLOG_JWT_ALGORITHM "{algorithm}" is not supported with a public key or JWKS; '
            f"use one of {allowed}."
        )
    return algorithm


def _pem(value: str) -> str:
    if "-----BEGIN" in value:
        return value
    path = Path(value)
    if not path.is_file():
        raise SettingsError(
            f'AUDITLOG_JWT_PUBLIC_KEY "{value}" is neither PEM text nor a readable file.'
        )
    text = path.read_text()
    if "-----BEGIN" not in text:
        raise SettingsError(f'AUDITLOG_JWT_PUBLIC_KEY file "{value}" holds no PEM key.')
    return text


def _dev_secret() -> str:
    """Return the development signing key, creating it once in a git-ignored file."""
    if DEV_KEY_FILE.is_file():
        return DEV_KEY_FILE.read_text().strip()
    secret = secrets.token_urlsafe(48)
    DEV_KEY_FILE.touch(mode=0o600)
    DEV_KEY_FILE.write_text(secret + "\n")
    return secret


def _database_url(url: str, timeout: float = 5.0) -> str:
    scheme, sep, rest = url.partition("://")
    if not sep or scheme not in DATABASE_SCHEMES:
        raise SettingsError(
            f'AUDITLOG_DATABASE_URL "{url}" is not supported; use sqlite://PATH or '
            "postgres://USER@HOST:PORT/DATABASE."
        )
    if scheme == "postgresql":
        return "postgres://" + rest
    if scheme == "sqlite" and "?" not in rest and rest != ":memory:":
        # WAL with full sync: concurrent readers, and an acknowledged batch survives a crash.
        busy = round(timeout * 1000)
        return f"{url}?journal_mode=WAL&synchronous=FULL&busy_timeout={busy}"
    return url


def _positive_int(env: Mapping[str, str], name: str, default: int, *, maximum: int) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError as exc:
        raise SettingsError(f'{name} "{raw}" is not a whole number.') from exc
    if not 1 <= value <= maximum:
        raise SettingsError(f"{name} must be between 1 and {maximum}; got {value}.")
    return value


def _seconds(
    env: Mapping[str, str], name: str, default: float, *, minimum: float, maximum: float
) -> float:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = float(raw)
    except ValueError as exc:
        raise SettingsError(f'{name} "{raw}" is not a number of seconds such as 5 or 2.5.') from exc
    if not minimum <= value <= maximum:  # also refuses nan and inf
        raise SettingsError(
            f"{name} must be between {minimum:g} and {maximum:g} seconds; got {raw}."
        )
    return value


def parse_duration(text: str) -> dt.timedelta:
    """Parse "90s", "30m", "12h", "7d" or plain seconds; raise ValueError otherwise."""
    match = DURATION.match(text.strip())
    if not match or int(match.group(1)) == 0:
        raise ValueError(f'"{text}" is not a duration; write 30m, 12h or 7d.')
    return dt.timedelta(seconds=int(match.group(1)) * DURATION_UNITS[match.group(2)])


def _duration(
    env: Mapping[str, str], name: str, default: dt.timedelta, *, maximum: dt.timedelta
) -> dt.timedelta:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = parse_duration(raw)
    except (ValueError, OverflowError) as exc:
        raise SettingsError(f'{name} "{raw}" is not a duration such as 7d, 12h or 30m.') from exc
    if value > maximum:
        raise SettingsError(f"{name} must be at most {maximum.days} days; got {raw}.")
    return value


def _count(env: Mapping[str, str], name: str, default: int, *, maximum: int) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit() or int(raw) > maximum:
        raise SettingsError(f'{name} "{raw}" must be a whole number from 0 to {maximum}.')
    return int(raw)


def _directory(env: Mapping[str, str], name: str, default: Path) -> Path:
    raw = env.get(name, "")
    if not raw.strip():
        return default
    path = Path(raw)
    if path.exists() and not path.is_dir():
        raise SettingsError(
            f'{name} "{raw}" is a file; name a directory (it is created if absent).'
        )
    return path


def _secret_key(env: Mapping[str, str]) -> str | None:
    return _secret(env, "AUDITLOG_SECRET_KEY")


def _link_secret(env: Mapping[str, str]) -> str | None:
    return _secret(env, "AUDITLOG_EXPORT_LINK_SECRET")


def _secret(env: Mapping[str, str], name: str) -> str | None:
    secret = env.get(name, "")
    if not secret:
        return None
    if len(secret.encode()) < MIN_SECRET_BYTES:
        raise SettingsError(
            f"{name} is {len(secret.encode())} bytes; use at least "
            f"{MIN_SECRET_BYTES} random bytes (for example: openssl rand -base64 48)."
        )
    return secret


def _networks(env: Mapping[str, str], name: str) -> tuple[Network, ...]:
    networks = []
    for item in _words(env, name):
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError as exc:
            raise SettingsError(
                f'{name} entry "{item}" is not an IP address or CIDR block such as 10.0.0.0/8.'
            ) from exc
    return tuple(networks)


def _origins(env: Mapping[str, str], name: str) -> tuple[str, ...]:
    """Origins as browsers send them: scheme://host[:port], a trailing slash dropped."""
    origins = []
    for item in _words(env, name):
        if item == "*":
            origins.append(item)
            continue
        parts = urllib.parse.urlsplit(item)
        if (
            parts.scheme not in ("http", "https")
            or not parts.netloc
            or parts.path not in ("", "/")
            or parts.query
            or parts.fragment
        ):
            raise SettingsError(
                f'{name} entry "{item}" must be an origin: a scheme and host with an optional '
                "port and no path, such as https://app.example.com or http://localhost:3000."
            )
        origins.append(f"{parts.scheme}://{parts.netloc}")
    return tuple(origins)


def _header_names(env: Mapping[str, str], name: str) -> tuple[str, ...]:
    names = _words(env, name)
    for header in names:
        if not HEADER_NAME.fullmatch(header):
            raise SettingsError(
                f'{name} entry "{header}" is not an HTTP header name such as X-Tenant-Hint.'
            )
    return names


def _words(env: Mapping[str, str], name: str) -> tuple[str, ...]:
    raw = env.get(name, "")
    return tuple(item.strip() for item in raw.replace(",", " ").split() if item.strip())


def _log_format(env: Mapping[str, str]) -> Literal["text", "json"]:
    raw = env.get("AUDITLOG_LOG_FORMAT", "") or "text"
    if raw == "json":
        return "json"
    if raw == "text":
        return "text"
    raise SettingsError(f'AUDITLOG_LOG_FORMAT "{raw}" is not supported; use text or json.')


def _rate(env: Mapping[str, str], name: str, default: Rate | None) -> Rate | None:
    raw = env.get(name, "")
    if not raw.strip():
        return default
    try:
        return parse_rate(raw)
    except RateError as exc:
        raise SettingsError(f"{name} {exc}") from exc


def _hsts_max_age(env: Mapping[str, str]) -> int:
    if env.get("AUDITLOG_HSTS_MAX_AGE", "").strip() in ("", "0"):
        return 0
    return _positive_int(env, "AUDITLOG_HSTS_MAX_AGE", 0, maximum=2 * 365 * 24 * 3600)


_TRUE = ("1", "true", "yes", "on")
_FALSE = ("0", "false", "no", "off")


def _flag(env: Mapping[str, str], name: str, *, default: bool) -> bool:
    raw = env.get(name, "").strip().lower()
    if not raw:
        return default
    if raw in _TRUE:
        return True
    if raw in _FALSE:
        return False
    raise SettingsError(f'{name} "{env[name]}" is not a switch; set it to 1 (on) or 0 (off).')
