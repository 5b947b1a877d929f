"""GraphQL types of export jobs: the AuditLogExport node, its input and payload."""

from __future__ import annotations

import datetime as dt
import enum
from typing import cast

import strawberry
from strawberry.scalars import JSON
from strawberry.utils.str_converters import to_camel_case

from auth.download_links import LIFETIME_SECONDS, link_query
from models.export_job import ExportFormat, ExportJob, JobStatus
from resolvers.audit_logs import Order
from resolvers.export_jobs import progress
from schema.access_types import Person
from schema.ids import to_global_id
from schema.inputs import AuditLogFilter, MetadataFilter
from schema.node import Node
from schema.scalars import BigInt

FIELD_HELP = {
    "columns": "CSV columns or NDJSON/JSON fields, in file order; default all of them.",
    "time_zone": "IANA zone of the CSV column occurred_at_local.",
    "bom": "Start a CSV file with a UTF-8 byte order mark (for Excel).",
}


def download_path(export_id: int) -> str:
    """The path that serves an export's file (GET, with the caller's Authorization header)."""
    return f"/exports/{to_global_id('AuditLogExport', export_id)}/file"


@strawberry.type(
    description="An export of the log (or a search of it) to a gzip-compressed file, run in "
    "the background; poll it until SUCCEEDED, then download it."
)
class AuditLogExport(Node):
    status: JobStatus
    format: ExportFormat
    filter: JSON = strawberry.field(
        description="The filter asked for, with AuditLogFilter's field names ({} for none)."
    )
    query: str | None = strawberry.field(description="The search-language query asked for.")
    order_by: Order
    locale: str | None = strawberry.field(description="The language of the descriptions.")
    time_zone: str = strawberry.field(description=FIELD_HELP["time_zone"])
    columns: list[str] = strawberry.field(description=FIELD_HELP["columns"])
    bom: bool
    rows_written: BigInt = strawberry.field(description="Entries written so far.")
    total_rows: BigInt | None = strawberry.field(
        description="Entries the selection held when the run started; null before, or when "
        "counting them took longer than the database allows a statement."
    )
    progress: float = strawberry.field(
        description="rowsWritten / totalRows, from 0 to 1; 1 once SUCCEEDED."
    )
    byte_size: BigInt | None = strawberry.field(description="Size of the gzip file, once written.")
    sha256: str | None = strawberry.field(
        description="SHA-256 of the gzip file's bytes (as downloaded), in hex, once written."
    )
    file_name: str = strawberry.field(
        description='The download\'s name, e.g. "auditlog-acme-20261101-to-20261130.csv.gz".'
    )
    created_by: Person
    created_at: dt.datetime
    started_at: dt.datetime | None = strawberry.field(description="When the latest run started.")
    finished_at: dt.datetime | None
    expires_at: dt.datetime | None = strawberry.field(
        description="When the file is removed (set once SUCCEEDED)."
    )
    failure_reason: str | None
    attempts: int = strawberry.field(
        description="Runs started; a run cut short by a restart or an outage starts again."
    )
    download_url: str | None = strawberry.field(
        description="Path of the file (GET it with the same Authorization header); null "
        "unless SUCCEEDED."
    )
    signed_download_url: str | None = strawberry.field(
        description=f"Path that downloads the file with no Authorization header, for "
        f"{LIFETIME_SECONDS // 60} minutes from this answer; null unless SUCCEEDED or when "
        "the service has no key to sign links."
    )

    @classmethod
    def from_model(cls, row: ExportJob, now: dt.datetime, link_key: bytes | None) -> AuditLogExport:
        """Build the GraphQL object of a job, minting a signed link if it has a file."""
        options = row.options
        status = JobStatus(row.status)
        has_file = (
            status is JobStatus.SUCCEEDED and row.expires_at is not None and row.expires_at > now
        )
        path = download_path(row.id)
        signed = (
            f"{path}?{link_query(link_key, row.id, int(now.timestamp()))}"
            if has_file and link_key is not None
            else None
        )
        return cls(
            id=strawberry.ID(to_global_id("AuditLogExport", row.id)),
            status=status,
            format=ExportFormat(row.format),
            filter=cast(JSON, row.filter_json),
            query=row.query,
            order_by=Order(options.get("order", Order.NEWEST_FIRST.value)),
            locale=options.get("locale"),
            time_zone=options.get("timeZone", "UTC"),
            columns=list(options.get("columns", [])),
            bom=bool(options.get("bom", False)),
            rows_written=BigInt(row.rows_written),
            total_rows=None if row.total_estimate is None else BigInt(row.total_estimate),
            progress=progress(row),
            byte_size=None if row.byte_size is None else BigInt(row.byte_size),
            sha256=row.sha256,
            file_name=row.file_name,
            created_by=Person(
                external_id=row.created_by_id, name=row.created_by_name, email=row.created_by_email
            ),
            created_at=row.created_at,
            started_at=row.started_at,
            finished_at=row.finished_at,
            expires_at=row.expires_at,
            failure_reason=row.failure_reason,
            attempts=row.attempts,
            download_url=path if has_file else None,
            signed_download_url=signed,
        )


@strawberry.input(description="What to export, and how to write it.")
class CreateAuditLogExportInput:
    format: ExportFormat = ExportFormat.CSV
    filter_: AuditLogFilter | None = strawberry.field(default=None, name="filter")
    query: str | None = strawberry.field(
        default=None, description="Search language, e.g. actor:alice action:inbox.*"
    )
    order_by: Order = Order.NEWEST_FIRST
    locale: str | None = strawberry.field(
        default=None, description='Language of the descriptions, e.g. "de"; default English.'
    )
    time_zone: str = strawberry.field(default="UTC", description=FIELD_HELP["time_zone"])
    columns: list[str] | None = strawberry.field(default=None, description=FIELD_HELP["columns"])
    bom: bool = strawberry.field(default=False, description=FIELD_HELP["bom"])

    def body(self) -> dict[str, object]:
        """The request as POST /export takes it (its checks then apply unchanged)."""
        body: dict[str, object] = {
            "format": self.format.value,
            "order": self.order_by.value,
            "timeZone": self.time_zone,
            "bom": self.bom,
        }
        if self.filter_ is not None:
            body["filter"] = filter_body(self.filter_)
        if self.query is not None:
            body["query"] = self.query
        if self.locale is not None:
            body["locale"] = self.locale
        if self.columns is not None:
            body["columns"] = list(self.columns)
        return body


@strawberry.type(description="What createAuditLogExport did.")
class CreateAuditLogExportPayload:
    export: AuditLogExport = strawberry.field(description="The export, QUEUED.")


def filter_body(flt: AuditLogFilter) -> dict[str, object]:
    """The filter as JSON with its GraphQL field names, as GET /export's `filter` takes it."""
    body: dict[str, object] = {}
    for field in flt.__strawberry_definition__.fields:  # type: ignore[attr-defined]
        value = getattr(flt, field.python_name)
        if value is not None:
            body[field.graphql_name or to_camel_case(field.python_name)] = _json(value)
    return body


def _json(value: object) -> object:
    if isinstance(value, list):
        return [_json(item) for item in value]
    if isinstance(value, MetadataFilter):
        return {"key": value.key, "value": value.value}
    if isinstance(value, enum.Enum):
        return value.name
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)  # afterSequence, a BigInt
    return value
