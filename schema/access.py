"""Access-management fields: role grants and API tokens, for admins only."""

from __future__ import annotations

import datetime as dt

import strawberry
from strawberry.extensions.field_extension import FieldExtension
from strawberry.permission import PermissionExtension
from strawberry.types import Info

from auth.permissions import CanManageAccess
from resolvers.api_tokens import create_api_token, list_api_tokens, revoke_api_token
from resolvers.role_grants import GrantRequest, grant_role, list_role_grants, revoke_role
from schema.access_types import (
    ApiToken,
    CreateApiTokenInput,
    CreateApiTokenPayload,
    GrantRoleInput,
    GrantRolePayload,
    RevokeApiTokenInput,
    RevokeApiTokenPayload,
    RevokeRoleInput,
    RevokeRolePayload,
    RoleGrant,
)
from schema.context import Context
from schema.ids import from_global_id


def _admins() -> list[FieldExtension]:
    return [PermissionExtension([CanManageAccess()], use_directives=False)]


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _account(info: Info[Context, None]) -> str:
    return info.context.acting().account_id


@strawberry.type
class AccessQuery:
    @strawberry.field(extensions=_admins(), description="Role grants of the account.")
    async def role_grants(
        self, info: Info[Context, None], include_inactive: bool = False
    ) -> list[RoleGrant]:
        now = _now()
        grants = await list_role_grants(_account(info), include_inactive, now)
        return [RoleGrant.from_model(grant, now) for grant in grants]

    @strawberry.field(extensions=_admins(), description="API tokens of the account.")
    async def api_tokens(self, info: Info[Context, None]) -> list[ApiToken]:
        now = _now()
        return [ApiToken.from_model(token, now) for token in await list_api_tokens(_account(info))]


@strawberry.type
class AccessMutation:
    @strawberry.mutation(
        extensions=_admins(), description="Give a user a role; granting again is harmless."
    )
    async def grant_role(
        self, info: Info[Context, None], input: GrantRoleInput
    ) -> GrantRolePayload:
        now = _now()
        request = GrantRequest(
            user_id=str(input.user_id),
            role=input.role,
            expires_at=input.expires_at,
            note=input.note,
            user_name=input.user_name,
            user_email=input.user_email,
        )
        grant = await grant_role(info.context.acting(), request, now)
        return GrantRolePayload(grant=RoleGrant.from_model(grant, now))

    @strawberry.mutation(extensions=_admins(), description="End a user's active grant.")
    async def revoke_role(
        self, info: Info[Context, None], input: RevokeRoleInput
    ) -> RevokeRolePayload:
        now = _now()
        grant = await revoke_role(info.context.acting(), str(input.user_id), input.role, now)
        return RevokeRolePayload(grant=RoleGrant.from_model(grant, now))

    @strawberry.mutation(
        extensions=_admins(), description="Create a token; its secret is shown once."
    )
    async def create_api_token(
        self, info: Info[Context, None], input: CreateApiTokenInput
    ) -> CreateApiTokenPayload:
        now = _now()
        secret, token = await create_api_token(
            info.context.acting(), input.name, input.role, input.expires_at, now
        )
        return CreateApiTokenPayload(token=secret, api_token=ApiToken.from_model(token, now))

    @strawberry.mutation(extensions=_admins(), description="Revoke a token at once.")
    async def revoke_api_token(
        self, info: Info[Context, None], input: RevokeApiTokenInput
    ) -> RevokeApiTokenPayload:
        now = _now()
        token_id = from_global_id("ApiToken", input.id, "input.id")
        token = await revoke_api_token(info.context.acting(), token_id, now)
        return RevokeApiTokenPayload(api_token=ApiToken.from_model(token, now))
