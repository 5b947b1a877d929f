"""Export jobs: a selection of the log written to a file in the background.

Unlike audit entries, a job's row changes as it runs: QUEUED, then RUNNING (claimed by
one worker under a lease), then SUCCEEDED or FAILED; a succeeded job's file is removed
at `expires_at`, which makes it EXPIRED.
"""

from __future__ import annotations

import enum
from typing import Any

from tortoise import fields
from tortoise.models import Model


class JobStatus(enum.StrEnum):
    """Where an export job stands."""

    QUEUED = "QUEUED"
    RUNNING = "RUNNING"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"
    EXPIRED = "EXPIRED"


class ExportFormat(enum.StrEnum):
    """The file formats a job can write (the values of export.formats.Format)."""

    CSV = "csv"
    NDJSON = "ndjson"
    JSON = "json"


class ExportJob(Model):
    """One export of an account's log to a file, and how far it got."""

    id = fields.BigIntField(primary_key=True)
    account_id = fields.CharField(max_length=64)
    status = fields.CharField(max_length=16)
    format = fields.CharField(max_length=8)
    # The selection and layout as POST /export takes them (GraphQL field names).
    filter_json: fields.JSONField[Any] = fields.JSONField()
    query = fields.TextField(null=True)
    options: fields.JSONField[Any] = fields.JSONField()
    file_name = fields.CharField(max_length=255)
    stored_name = fields.CharField(max_length=255, null=True)
    # Who asked, and from where: the actor of the job's audit entry.
    created_by_id = fields.CharField(max_length=255)
    created_by_name = fields.CharField(max_length=255, null=True)
    created_by_email = fields.CharField(max_length=320, null=True)
    created_ip = fields.CharField(max_length=45, null=True)
    created_user_agent = fields.TextField(null=True)
    created_request_id = fields.CharField(max_length=255, null=True)
    created_at = fields.DatetimeField()
    started_at = fields.DatetimeField(null=True)
    finished_at = fields.DatetimeField(null=True)
    expires_at = fields.DatetimeField(null=True)
    rows_written = fields.BigIntField(default=0)
    total_estimate = fields.BigIntField(null=True)
    byte_size = fields.BigIntField(null=True)
    sha256 = fields.CharField(max_length=64, null=True)
    failure_reason = fields.TextField(null=True)
    # How many times a worker started it; a run cut short is started again, a few times.
    attempts = fields.IntField(default=0)
    claimed_by = fields.CharField(max_length=100, null=True)
    lease_until = fields.DatetimeField(null=True)

    class Meta:
        table = "export_job"
