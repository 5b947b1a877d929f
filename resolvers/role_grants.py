"""Grant and revoke roles in an account; each change is itself audited."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from models.access import GrantableRole, RoleGrant
from resolvers.entries import Change, Target
from resolvers.errors import InvalidInputError, NotFoundError
from resolvers.self_audit import Acting, record_access_change

MAX_NOTE = 1000


@dataclass(frozen=True)
class GrantRequest:
    """A role to give a user, optionally until a moment."""

    user_id: str
    role: GrantableRole
    expires_at: dt.datetime | None = None
    note: str | None = None
    user_name: str | None = None
    user_email: str | None = None


def is_active(grant: RoleGrant, now: dt.datetime) -> bool:
    """Whether the grant gives its role right now."""
    return grant.revoked_at is None and (grant.expires_at is None or grant.expires_at > now)


async def granted_roles(account_id: str, user_id: str, now: dt.datetime) -> set[str]:
    """Return the roles the user's active grants give in the account."""
    roles = await RoleGrant.filter(
        Q(expires_at=None) | Q(expires_at__gt=now),
        account_id=account_id,
        user_id=user_id,
        revoked_at=None,
    ).values_list("role", flat=True)
    return {str(role) for role in roles}


async def list_role_grants(
    account_id: str, include_inactive: bool, now: dt.datetime
) -> list[RoleGrant]:
    """Return the account's grants, newest first; only active ones unless asked."""
    grants = await RoleGrant.filter(account_id=account_id).order_by("-granted_at", "-id")
    return [grant for grant in grants if include_inactive or is_active(grant, now)]


async def get_role_grant(account_id: str, grant_id: int) -> RoleGrant | None:
    """Return one grant of the account, or None."""
    return await RoleGrant.filter(id=grant_id, account_id=account_id).first()


async def grant_role(acting: Acting, request: GrantRequest, now: dt.datetime) -> RoleGrant:
    """Give the role (or renew it); granting what is already granted changes nothing."""
    _check(request, now)
    async with in_transaction():
        grant = await RoleGrant.filter(
            account_id=acting.account_id,
            user_id=request.user_id,
            role=request.role.value,
            revoked_at=None,
        ).first()
        if grant is not None and _unchanged(grant, request, now):
            return grant
        before = None if grant is None or not is_active(grant, now) else grant.expires_at
        grant = grant or RoleGrant(account_id=acting.account_id, user_id=request.user_id)
        grant.update_from_dict(
            {
                "role": request.role.value,
                "user_name": request.user_name or grant.user_name,
                "user_email": request.user_email or grant.user_email,
                "note": request.note,
                "expires_at": request.expires_at,
                "granted_by_id": acting.user_id,
                "granted_by_name": acting.user_name,
                "granted_at": now,
            }
        )
        await grant.save()
        await record_access_change(
            acting,
            "audit_log.role_granted",
            _user_target(grant),
            _grant_metadata(grant),
            [Change("expires_at", _iso(before), _iso(grant.expires_at))] if before else [],
            now,
        )
    return grant


async def revoke_role(
    acting: Acting, user_id: str, role: GrantableRole, now: dt.datetime
) -> RoleGrant:
    """End the user's active grant of the role; NotFoundError if there is none."""
    async with in_transaction():
        grant = await RoleGrant.filter(
            account_id=acting.account_id, user_id=user_id, role=role.value, revoked_at=None
        ).first()
        if grant is None or not is_active(grant, now):
            raise NotFoundError(
                f'User "{user_id}" holds no active {role.value} grant in this account; '
                "list them with roleGrants."
            )
        grant.revoked_at = now
        grant.revoked_by_id = acting.user_id
        grant.revoked_by_name = acting.user_name
        await grant.save()
        await record_access_change(
            acting, "audit_log.role_revoked", _user_target(grant), _grant_metadata(grant), (), now
        )
    return grant


def _check(request: GrantRequest, now: dt.datetime) -> None:
    if not request.user_id.strip() or len(request.user_id) > 255:
        raise InvalidInputError.single("input.userId", "must be 1 to 255 characters.")
    if request.expires_at is not None:
        if request.expires_at.tzinfo is None:
            raise InvalidInputError.single(
                "input.expiresAt", 'has no time zone; add "Z" or an offset such as "+02:00".'
            )
        if request.expires_at <= now:
            raise InvalidInputError.single(
                "input.expiresAt",
                f'"{request.expires_at.isoformat()}" is not in the future; pick a later moment '
                "or leave it out for a grant without end.",
            )
    if request.note is not None and len(request.note) > MAX_NOTE:
        raise InvalidInputError.single("input.note", f"is longer than {MAX_NOTE} characters.")


def _unchanged(grant: RoleGrant, request: GrantRequest, now: dt.datetime) -> bool:
    return (
        is_active(grant, now)
        and grant.expires_at == request.expires_at
        and grant.note == request.note
    )


def _user_target(grant: RoleGrant) -> Target:
    return Target("user", grant.user_id, grant.user_name or grant.user_email)


def _grant_metadata(grant: RoleGrant) -> dict[str, object]:
    metadata: dict[str, object] = {"role": grant.role, "expires_at": _iso(grant.expires_at)}
    if grant.note:
        metadata["note"] = grant.note
    return metadata


def _iso(moment: dt.datetime | None) -> str | None:
    return None if moment is None else moment.astimezone(dt.UTC).isoformat()
