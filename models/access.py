"""Role grants and API tokens: who may read or write an account's log beyond their token."""

from __future__ import annotations

import enum

from tortoise import fields
from tortoise.models import Model


class GrantableRole(enum.StrEnum):
    """Roles an admin can grant to a user."""

    ADMIN = "admin"
    LOG_VIEWER = "log_viewer"


class ApiTokenRole(enum.StrEnum):
    """Roles an API token can carry."""

    LOG_VIEWER = "log_viewer"
    INGEST = "ingest"


class RoleGrant(Model):
    """A role given to a user in one account, until revoked or expired."""

    id = fields.BigIntField(primary_key=True)
    account_id = fields.CharField(max_length=64)
    user_id = fields.CharField(max_length=255)
    user_name = fields.CharField(max_length=255, null=True)
    user_email = fields.CharField(max_length=320, null=True)
    role = fields.CharField(max_length=16)
    note = fields.TextField(null=True)
    granted_by_id = fields.CharField(max_length=255)
    granted_by_name = fields.CharField(max_length=255, null=True)
    granted_at = fields.DatetimeField()
    expires_at = fields.DatetimeField(null=True)
    revoked_at = fields.DatetimeField(null=True)
    revoked_by_id = fields.CharField(max_length=255, null=True)
    revoked_by_name = fields.CharField(max_length=255, null=True)

    class Meta:
        table = "role_grant"


class ApiToken(Model):
    """A secret for scripts and producers; only its SHA-256 digest is stored."""

    id = fields.BigIntField(primary_key=True)
    account_id = fields.CharField(max_length=64)
    name = fields.CharField(max_length=100)
    role = fields.CharField(max_length=16)
    token_hash = fields.CharField(max_length=64)
    prefix = fields.CharField(max_length=16)
    created_by_id = fields.CharField(max_length=255)
    created_by_name = fields.CharField(max_length=255, null=True)
    created_at = fields.DatetimeField()
    expires_at = fields.DatetimeField(null=True)
    last_used_at = fields.DatetimeField(null=True)
    revoked_at = fields.DatetimeField(null=True)
    revoked_by_id = fields.CharField(max_length=255, null=True)
    revoked_by_name = fields.CharField(max_length=255, null=True)

    class Meta:
        table = "api_token"
