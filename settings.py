"""Service configuration, read once from the environment at start-up.

Exceptions::

    SettingsError     a variable is missing or invalid; the message names it
"""

from __future__ import annotations

import ipaddress
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from auth.tokens import HMAC_ALGORITHMS, PUBLIC_KEY_ALGORITHMS, JwtConfig

DEFAULT_DATABASE_URL = "sqlite://auditlog.sqlite3"
DEV_KEY_FILE = Path(".auditlog-dev-key")
MIN_SECRET_BYTES = 32
DATABASE_SCHEMES = ("sqlite", "postgres", "postgresql", "asyncpg")

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


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
    redact_keys: tuple[str, ...] = ()
    max_body_bytes: int = 8 * 1024 * 1024
    lean_executor: bool = True

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Read and check every AUDITLOG_* variable; raise SettingsError naming a bad one."""
        env = os.environ if env is None else env
        jwt_config, signing_key, dev_mode = _jwt(env)
        return cls(
            jwt=jwt_config,
            signing_key=signing_key,
            dev_mode=dev_mode,
            database_url=_database_url(env.get("AUDITLOG_DATABASE_URL", DEFAULT_DATABASE_URL)),
            max_page_size=_positive_int(env, "AUDITLOG_MAX_PAGE_SIZE", 100, maximum=10_000),
            trusted_proxies=_networks(env, "AUDITLOG_TRUSTED_PROXIES"),
            cors_origins=_origins(env, "AUDITLOG_CORS_ORIGINS"),
            redact_keys=_words(env, "AUDITLOG_REDACT_KEYS"),
            max_body_bytes=_positive_int(
                env, "AUDITLOG_MAX_BODY_BYTES", 8 * 1024 * 1024, maximum=1 << 30
            ),
            lean_executor=_switch(env, "AUDITLOG_LEAN_EXECUTOR", True),
        )


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


def _database_url(url: str) -> str:
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
        return f"{url}?journal_mode=WAL&synchronous=FULL&busy_timeout=5000"
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


_SWITCH_VALUES = {"1": True, "true": True, "on": True, "0": False, "false": False, "off": False}


def _switch(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = env.get(name, "").strip().lower()
    if raw == "":
        return default
    if raw not in _SWITCH_VALUES:
        raise SettingsError(f'{name} "{env[name]}" is not a switch; set it to 1 (on) or 0 (off).')
    return _SWITCH_VALUES[raw]


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
    origins = _words(env, name)
    for origin in origins:
        if origin != "*" and not origin.startswith(("http://", "https://")):
            raise SettingsError(
                f'{name} entry "{origin}" must be an origin such as https://app.example.com.'
            )
    return origins


def _words(env: Mapping[str, str], name: str) -> tuple[str, ...]:
    raw = env.get(name, "")
    return tuple(item.strip() for item in raw.replace(",", " ").split() if item.strip())
