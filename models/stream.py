"""Log streams: an account's entries delivered, in sequence order, to a receiver.

A stream's row changes as it runs: `delivered_sequence` advances after each batch the
receiver accepted; `status` is ACTIVE, PAUSED (by an admin) or FAILING (the receiver
refused a batch for a reason retrying cannot fix, or kept failing). Delivery attempts
are kept per stream, the most recent few only.
"""

from __future__ import annotations

import enum
from typing import Any

from tortoise import fields
from tortoise.models import Model


class StreamStatus(enum.StrEnum):
    """Whether a stream is delivering."""

    ACTIVE = "ACTIVE"
    PAUSED = "PAUSED"
    FAILING = "FAILING"


class AuditLogStream(Model):
    """One destination an account's entries are delivered to, and how far it got."""

    id = fields.BigIntField(primary_key=True)
    account_id = fields.CharField(max_length=64)
    name = fields.CharField(max_length=100)
    kind = fields.CharField(max_length=32)
    # The destination's non-secret settings (URL, site, index, ...), and its secret
    # encrypted with AUDITLOG_SECRET_KEY (streams/secrets.py), with a hint of its end.
    settings: fields.JSONField[Any] = fields.JSONField()
    secret_box = fields.TextField(null=True)
    secret_hint = fields.CharField(max_length=16, null=True)
    # Which entries go: the same filter (GraphQL field names) and query as auditLogs.
    filter_json: fields.JSONField[Any] = fields.JSONField()
    query = fields.TextField(null=True)
    status = fields.CharField(max_length=16)
    delivered_sequence = fields.BigIntField(default=0)
    created_by_id = fields.CharField(max_length=255)
    created_at = fields.DatetimeField()
    updated_at = fields.DatetimeField()
    last_success_at = fields.DatetimeField(null=True)
    last_error = fields.TextField(null=True)
    last_error_at = fields.DatetimeField(null=True)
    failing_since = fields.DatetimeField(null=True)
    alerted_at = fields.DatetimeField(null=True)
    # Retries wait until here; the worker delivering now holds the stream until lease_until.
    next_attempt_at = fields.DatetimeField(null=True)
    retries = fields.IntField(default=0)
    claimed_by = fields.CharField(max_length=100, null=True)
    lease_until = fields.DatetimeField(null=True)

    class Meta:
        table = "audit_log_stream"


class StreamAttempt(Model):
    """One delivery attempt of a batch: what was sent and what the receiver answered."""

    id = fields.BigIntField(primary_key=True)
    stream_id = fields.BigIntField()
    at = fields.DatetimeField()
    first_sequence = fields.BigIntField()
    last_sequence = fields.BigIntField()
    entries = fields.IntField()
    succeeded = fields.BooleanField()
    status_code = fields.IntField(null=True)
    message = fields.TextField(null=True)
    duration_ms = fields.IntField()

    class Meta:
        table = "audit_log_stream_attempt"
