"""Verify and issue JWTs.

Exceptions::

    TokenError            the token cannot be accepted; the message says why
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import jwt

from auth.principal import Principal, Role

HMAC_ALGORITHMS = frozenset({"HS256"})
PUBLIC_KEY_ALGORITHMS = frozenset({"RS256", "ES256", "EdDSA"})
LEEWAY_SECONDS = 30


class TokenError(Exception):
    """The bearer token was missing, malformed, expired or not ours."""


@dataclass(frozen=True)
class JwtConfig:
    """How tokens are checked: the key or JWKS URL, the one algorithm, audience, issuer."""

    verify_key: str
    algorithm: str
    audience: str = "auditlog"
    issuer: str | None = None
    jwks_url: str | None = None

    @property
    def can_sign(self) -> bool:
        """Whether this service holds the key to sign tokens (a shared HMAC secret)."""
        return self.algorithm in HMAC_ALGORITHMS


def verify_token(token: str, config: JwtConfig, key: Any = None) -> Principal:
    """Return the principal a token names, or raise TokenError saying what is wrong.

    `key` overrides the configured key (a key fetched from a JWKS document).
    """
    required = ["exp", "sub", "aud"] + (["iss"] if config.issuer else [])
    try:
        claims = jwt.decode(
            token,
            config.verify_key if key is None else key,
            algorithms=[config.algorithm],
            audience=config.audience,
            issuer=config.issuer,
            leeway=LEEWAY_SECONDS,
            options={"require": required},
        )
    except jwt.ExpiredSignatureError as exc:
        raise TokenError("Token has expired; request a new one.") from exc
    except jwt.InvalidAudienceError as exc:
        raise TokenError(f'Token audience is not "{config.audience}".') from exc
    except jwt.InvalidIssuerError as exc:
        raise TokenError(f'Token issuer is not "{config.issuer}".') from exc
    except jwt.MissingRequiredClaimError as exc:
        raise TokenError(f'Token lacks the required "{exc.claim}" claim.') from exc
    except jwt.InvalidAlgorithmError as exc:
        raise TokenError(
            f"Token is not signed with {config.algorithm}, the only algorithm accepted here."
        ) from exc
    except jwt.InvalidSignatureError as exc:
        raise TokenError("Token signature does not verify.") from exc
    except jwt.InvalidTokenError as exc:
        raise TokenError(f"Token is malformed: {exc}.") from exc
    return principal_from_claims(claims)


MAX_SUBJECT = 255
MAX_NAME = 255
MAX_EMAIL = 320


def expiry_of(token: str) -> float | None:
    """The `exp` of a JWT already verified (seconds since the epoch), if it has one."""
    try:
        claims = jwt.decode(token, options={"verify_signature": False})
    except jwt.PyJWTError:
        return None
    expiry = claims.get("exp")
    return float(expiry) if isinstance(expiry, int | float) else None


def principal_from_claims(claims: Mapping[str, object]) -> Principal:
    """Build a principal from verified claims, checking their shapes."""
    subject = claims.get("sub")
    if not isinstance(subject, str) or not subject:
        raise TokenError('Token "sub" claim must be a non-empty string.')
    _check_text("sub", subject, MAX_SUBJECT)
    roles = _roles(claims.get("roles", []))
    account_id = _account_id(claims.get("account_id"))
    if account_id is None and roles - {Role.INGEST}:
        raise TokenError('Token has read roles but no "account_id" claim; add the account.')
    return Principal(
        subject=subject,
        account_id=account_id,
        roles=roles,
        name=_optional_string(claims, "name"),
        email=_optional_string(claims, "email"),
    )


def issue_token(
    config: JwtConfig,
    signing_key: str,
    *,
    subject: str,
    account_id: str | None,
    roles: Sequence[Role],
    ttl: dt.timedelta,
    name: str | None = None,
    email: str | None = None,
) -> str:
    """Return a signed token for the given identity (HMAC configurations only)."""
    if not config.can_sign:
        raise TokenError(
            f"This service verifies {config.algorithm} tokens with a public key and cannot "
            "sign them; issue tokens from the host application instead."
        )
    now = dt.datetime.now(dt.UTC)
    claims: dict[str, object] = {
        "sub": subject,
        "aud": config.audience,
        "iat": now,
        "exp": now + ttl,
        "roles": [role.value for role in roles],
    }
    optional = {"account_id": account_id, "name": name, "email": email, "iss": config.issuer}
    claims.update({key: value for key, value in optional.items() if value is not None})
    return jwt.encode(claims, signing_key, algorithm=config.algorithm)


def _roles(value: object) -> frozenset[Role]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise TokenError('Token "roles" claim must be a list of strings such as ["log_viewer"].')
    known = {role.value for role in Role}
    return frozenset(Role(item) for item in value if item in known)


def _account_id(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise TokenError('Token "account_id" claim must be a string or an integer.')
    text = str(value)
    if not text or len(text) > 64:
        raise TokenError('Token "account_id" claim must be 1 to 64 characters long.')
    _check_text("account_id", text, 64)
    return text


def _optional_string(claims: Mapping[str, object], key: str) -> str | None:
    value = claims.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise TokenError(f'Token "{key}" claim must be a string.')
    _check_text(key, value, MAX_NAME if key == "name" else MAX_EMAIL)
    return value


def _check_text(claim: str, value: str, limit: int) -> None:
    """Refuse claim text no column can store: too long, control characters, surrogates."""
    if len(value) > limit:
        raise TokenError(f'Token "{claim}" claim is {len(value)} characters; the limit is {limit}.')
    if any(ord(char) < 32 or ord(char) == 127 or 0xD800 <= ord(char) <= 0xDFFF for char in value):
        raise TokenError(
            f'Token "{claim}" claim contains a control character or a lone surrogate; '
            "send printable Unicode text."
        )
