"""The audit-log entry, the per-account sequence counter, and their small values."""

from __future__ import annotations

import enum
from typing import Any

from tortoise import fields
from tortoise.models import Model


class ActorType(enum.StrEnum):
    """Who performed an activity."""

    USER = "USER"
    API_CLIENT = "API_CLIENT"
    SYSTEM = "SYSTEM"


class Outcome(enum.StrEnum):
    """Whether the activity succeeded; refused attempts are evidence too."""

    SUCCESS = "SUCCESS"
    FAILURE = "FAILURE"


class AuditLog(Model):
    """One recorded activity of an account. Rows are append-only."""

    id = fields.BigIntField(primary_key=True)
    account_id = fields.CharField(max_length=64)
    sequence = fields.BigIntField()
    action = fields.CharField(max_length=100)
    actor_type = fields.CharField(max_length=16)
    actor_id = fields.CharField(max_length=255, null=True)
    actor_name = fields.CharField(max_length=255, null=True)
    actor_email = fields.CharField(max_length=320, null=True)
    target_type = fields.CharField(max_length=64, null=True)
    target_id = fields.CharField(max_length=255, null=True)
    target_name = fields.CharField(max_length=500, null=True)
    changes: fields.JSONField[Any] = fields.JSONField()
    metadata: fields.JSONField[Any] = fields.JSONField()
    tags: fields.JSONField[Any] = fields.JSONField(default=list)
    outcome = fields.CharField(max_length=8)
    failure_reason = fields.TextField(null=True)
    ip_address = fields.CharField(max_length=45, null=True)
    ip_key = fields.CharField(max_length=32, null=True)
    user_agent = fields.TextField(null=True)
    request_id = fields.CharField(max_length=255, null=True)
    occurred_at = fields.DatetimeField()
    recorded_at = fields.DatetimeField()
    idempotency_key = fields.CharField(max_length=255, null=True)
    search_text = fields.TextField()

    class Meta:
        table = "audit_log"


# The columns a reader sees, in table order; writers also fill the internal ones.
VISIBLE_COLUMNS = (
    "account_id",
    "sequence",
    "action",
    "actor_type",
    "actor_id",
    "actor_name",
    "actor_email",
    "target_type",
    "target_id",
    "target_name",
    "changes",
    "metadata",
    "tags",
    "outcome",
    "failure_reason",
    "ip_address",
    "user_agent",
    "request_id",
    "occurred_at",
    "recorded_at",
)
INTERNAL_COLUMNS = ("ip_key", "idempotency_key", "search_text")
READ_COLUMNS = ("id", *VISIBLE_COLUMNS)
INSERT_COLUMNS = (*VISIBLE_COLUMNS, *INTERNAL_COLUMNS)


class AccountSequence(Model):
    """The last sequence number handed out in an account; its row lock orders commits."""

    account_id = fields.CharField(max_length=64, primary_key=True)
    last_sequence = fields.BigIntField()

    class Meta:
        table = "audit_log_sequence"
