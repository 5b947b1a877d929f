"""API tokens for scripts and producers: create once, authenticate by digest, revoke."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from tortoise.transactions import in_transaction

from models.access import ApiToken, ApiTokenRole
from resolvers.entries import Target
from resolvers.errors import InvalidInputError, NotFoundError
from resolvers.self_audit import Acting, record_access_change

SECRET_PREFIX = "alog_"
MAX_NAME = 100
# Writing last_used_at on every request would make each read a write; once a minute is enough.
LAST_USED_PRECISION = dt.timedelta(minutes=1)


@dataclass(frozen=True)
class TokenCheck:
    """The outcome of presenting a secret: the token, or why it is refused."""

    token: ApiToken | None
    problem: str | None = None


def is_api_token(secret: str) -> bool:
    """Whether a bearer credential is one of our API tokens rather than a JWT."""
    return secret.startswith(SECRET_PREFIX)


def digest(secret: str) -> str:
    """The stored form of a secret: its SHA-256, which cannot be replayed."""
    return hashlib.sha256(secret.encode()).hexdigest()


async def create_api_token(
    acting: Acting, name: str, role: ApiTokenRole, expires_at: dt.datetime | None, now: dt.datetime
) -> tuple[str, ApiToken]:
    """Create a token; return its secret (shown this once) and its record."""
    _check(name, expires_at, now)
    secret = SECRET_PREFIX + secrets.token_urlsafe(32)
    async with in_transaction():
        token = await ApiToken.create(
            account_id=acting.account_id,
            name=name.strip(),
            role=role.value,
            token_hash=digest(secret),
            prefix=secret[:12],
            created_by_id=acting.user_id,
            created_by_name=acting.user_name,
            created_at=now,
            expires_at=expires_at,
        )
        await record_access_change(
            acting, "audit_log.api_token_created", _target(token), _metadata(token), (), now
        )
    return secret, token


async def list_api_tokens(account_id: str) -> list[ApiToken]:
    """Return the account's tokens, newest first, revoked ones included."""
    return await ApiToken.filter(account_id=account_id).order_by("-created_at", "-id")


async def get_api_token(account_id: str, token_id: int) -> ApiToken | None:
    """Return one token of the account, or None."""
    return await ApiToken.filter(id=token_id, account_id=account_id).first()


async def revoke_api_token(acting: Acting, token_id: int, now: dt.datetime) -> ApiToken:
    """Revoke a token of the acting account; revoking it again changes nothing."""
    async with in_transaction():
        token = await ApiToken.filter(id=token_id, account_id=acting.account_id).first()
        if token is None:
            raise NotFoundError("No such API token in this account; list them with apiTokens.")
        if token.revoked_at is not None:
            return token
        token.revoked_at = now
        token.revoked_by_id = acting.user_id
        token.revoked_by_name = acting.user_name
        await token.save()
        await record_access_change(
            acting, "audit_log.api_token_revoked", _target(token), _metadata(token), (), now
        )
    return token


async def check_api_token(secret: str, now: dt.datetime) -> TokenCheck:
    """Look a presented secret up by digest and say whether it may be used now."""
    token = await ApiToken.filter(token_hash=digest(secret)).first()
    if token is None:
        return TokenCheck(None, "API token is not valid; create a new one with createApiToken.")
    if token.revoked_at is not None:
        return TokenCheck(None, "API token has been revoked.")
    if token.expires_at is not None and token.expires_at <= now:
        return TokenCheck(None, "API token has expired; create a new one.")
    if token.last_used_at is None or token.last_used_at < now - LAST_USED_PRECISION:
        await ApiToken.filter(id=token.id).update(last_used_at=now)
        token.last_used_at = now
    return TokenCheck(token)


def _check(name: str, expires_at: dt.datetime | None, now: dt.datetime) -> None:
    if not name.strip() or len(name) > MAX_NAME:
        raise InvalidInputError.single("input.name", f"must be 1 to {MAX_NAME} characters.")
    if expires_at is not None and (expires_at.tzinfo is None or expires_at <= now):
        raise InvalidInputError.single(
            "input.expiresAt", "must be a future moment with a time zone, or left out."
        )


def _target(token: ApiToken) -> Target:
    return Target("api_token", str(token.id), token.name)


def _metadata(token: ApiToken) -> dict[str, object]:
    expires = token.expires_at.astimezone(dt.UTC).isoformat() if token.expires_at else None
    return {"role": token.role, "expires_at": expires}
