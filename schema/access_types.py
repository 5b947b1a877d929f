"""GraphQL types of access management: role grants and API tokens."""

from __future__ import annotations

import datetime as dt

import strawberry

from models.access import ApiToken as ApiTokenRow
from models.access import RoleGrant as RoleGrantRow
from resolvers.role_grants import is_active
from schema.enums import ApiTokenRole, GrantableRole
from schema.ids import to_global_id
from schema.node import Node


@strawberry.type(description="A user as the access records name them.")
class Person:
    external_id: str = strawberry.field(
        description="The host application's user id (the token's `sub`). Not an identity "
        "for client caches: each record keeps the name the user had then."
    )
    name: str | None
    email: str | None = None


def _person(user_id: str | None, name: str | None, email: str | None = None) -> Person | None:
    return None if user_id is None else Person(external_id=user_id, name=name, email=email)


@strawberry.type(description="A role given to a user in this account.")
class RoleGrant(Node):
    user: Person
    role: GrantableRole
    note: str | None
    granted_by: Person
    granted_at: dt.datetime
    expires_at: dt.datetime | None
    revoked_at: dt.datetime | None
    revoked_by: Person | None
    active: bool = strawberry.field(description="Whether the grant gives its role right now.")

    @classmethod
    def from_model(cls, row: RoleGrantRow, now: dt.datetime) -> RoleGrant:
        """Build the GraphQL object of a grant."""
        return cls(
            id=strawberry.ID(to_global_id("RoleGrant", row.id)),
            user=Person(external_id=row.user_id, name=row.user_name, email=row.user_email),
            role=GrantableRole(row.role),
            note=row.note,
            granted_by=Person(external_id=row.granted_by_id, name=row.granted_by_name),
            granted_at=row.granted_at,
            expires_at=row.expires_at,
            revoked_at=row.revoked_at,
            revoked_by=_person(row.revoked_by_id, row.revoked_by_name),
            active=is_active(row, now),
        )


@strawberry.type(description="A token for scripts and producers; its secret is never shown again.")
class ApiToken(Node):
    name: str
    role: ApiTokenRole
    prefix: str = strawberry.field(description="The secret's first characters, to recognise it.")
    created_by: Person
    created_at: dt.datetime
    expires_at: dt.datetime | None
    last_used_at: dt.datetime | None
    revoked_at: dt.datetime | None
    revoked_by: Person | None
    active: bool

    @classmethod
    def from_model(cls, row: ApiTokenRow, now: dt.datetime) -> ApiToken:
        """Build the GraphQL object of a token (never its secret)."""
        expired = row.expires_at is not None and row.expires_at <= now
        return cls(
            id=strawberry.ID(to_global_id("ApiToken", row.id)),
            name=row.name,
            role=ApiTokenRole(row.role),
            prefix=row.prefix,
            created_by=Person(external_id=row.created_by_id, name=row.created_by_name),
            created_at=row.created_at,
            expires_at=row.expires_at,
            last_used_at=row.last_used_at,
            revoked_at=row.revoked_at,
            revoked_by=_person(row.revoked_by_id, row.revoked_by_name),
            active=row.revoked_at is None and not expired,
        )


@strawberry.type
class CreateApiTokenPayload:
    token: str = strawberry.field(description="The secret. It is shown this once; store it now.")
    api_token: ApiToken


@strawberry.type(description="What grantRole did.")
class GrantRolePayload:
    grant: RoleGrant = strawberry.field(description="The grant, new or renewed.")


@strawberry.type(description="What revokeRole did.")
class RevokeRolePayload:
    grant: RoleGrant = strawberry.field(description="The grant, now inactive.")


@strawberry.type(description="What revokeApiToken did.")
class RevokeApiTokenPayload:
    api_token: ApiToken = strawberry.field(description="The token, now revoked.")


@strawberry.input
class RevokeApiTokenInput:
    id: strawberry.ID = strawberry.field(description="The id of an ApiToken.")


@strawberry.input
class GrantRoleInput:
    user_id: strawberry.ID
    role: GrantableRole
    expires_at: dt.datetime | None = strawberry.field(
        default=None, description="After this moment the grant is inactive; omit for no end."
    )
    note: str | None = None
    user_name: str | None = strawberry.field(
        default=None, description="The user's display name, for readable audit entries."
    )
    user_email: str | None = None


@strawberry.input
class RevokeRoleInput:
    user_id: strawberry.ID
    role: GrantableRole


@strawberry.input
class CreateApiTokenInput:
    name: str
    role: ApiTokenRole
    expires_at: dt.datetime | None = None
