"""Export-job fields: create an export, list and read the account's exports.

Everything here needs the audit_logs:export permission and stays in the caller's
account. A request is checked whole when the export is created (by the same checks as
GET /export), so a bad filter, query, format, time zone or column list is a
BAD_USER_INPUT answer, never a FAILED export.
"""

from __future__ import annotations

import datetime as dt

import strawberry
from strawberry.extensions.field_extension import FieldExtension
from strawberry.permission import PermissionExtension
from strawberry.types import Info

from auth.permissions import CanExportAuditLog
from resolvers.errors import InvalidInputError, Problem
from resolvers.export_jobs import (
    MAX_LIST,
    JobPolicy,
    create_export_job,
    get_export_job,
    list_export_jobs,
)
from schema.context import Context
from schema.export_types import (
    AuditLogExport,
    CreateAuditLogExportInput,
    CreateAuditLogExportPayload,
)
from schema.ids import from_global_id


def _exporters() -> list[FieldExtension]:
    return [PermissionExtension([CanExportAuditLog()], use_directives=False)]


def policy_of(info: Info[Context, None]) -> JobPolicy:
    """The export-job policy the composition root put in the context."""
    policy = info.context.export_jobs
    if policy is None:
        raise RuntimeError("export jobs are not configured in this context")
    return policy


def _account(info: Info[Context, None]) -> str:
    return info.context.acting().account_id


async def load_export(
    info: Info[Context, None], account_id: str, local_id: int
) -> AuditLogExport | None:
    """An export of the account as its GraphQL object, or None."""
    row = await get_export_job(account_id, local_id)
    now = dt.datetime.now(dt.UTC)
    return AuditLogExport.from_model(row, now, policy_of(info).link_key) if row else None


@strawberry.type
class ExportQuery:
    @strawberry.field(
        extensions=_exporters(),
        description=f"The account's exports, newest first: `first` (1 to {MAX_LIST}) after "
        "the export `after`.",
    )
    async def audit_log_exports(
        self, info: Info[Context, None], first: int = 20, after: strawberry.ID | None = None
    ) -> list[AuditLogExport]:
        after_id = from_global_id("AuditLogExport", after, "after") if after else None
        rows = await list_export_jobs(_account(info), first, after_id)
        now, key = dt.datetime.now(dt.UTC), policy_of(info).link_key
        return [AuditLogExport.from_model(row, now, key) for row in rows]

    @strawberry.field(
        extensions=_exporters(), description="One export by id; null if absent or elsewhere."
    )
    async def audit_log_export(
        self, info: Info[Context, None], id: strawberry.ID
    ) -> AuditLogExport | None:
        return await load_export(info, _account(info), from_global_id("AuditLogExport", id))


@strawberry.type
class ExportMutation:
    @strawberry.mutation(
        extensions=_exporters(),
        description="Export the log, or a search of it, to a gzip-compressed file in the "
        "background; poll the export until SUCCEEDED, then download it.",
    )
    async def create_audit_log_export(
        self, info: Info[Context, None], input: CreateAuditLogExportInput
    ) -> CreateAuditLogExportPayload:
        policy = policy_of(info)
        acting = info.context.acting()
        now = dt.datetime.now(dt.UTC)
        try:
            plan = policy.plan(acting.account_id, input.body(), now)
        except InvalidInputError as exc:
            problems = [Problem(f"input.{p.field}", p.message) for p in exc.problems]
            raise InvalidInputError(problems) from exc
        job = await create_export_job(acting, plan, now)
        policy.wake()
        return CreateAuditLogExportPayload(
            export=AuditLogExport.from_model(job, now, policy.link_key)
        )
