"""`GET /exports/{id}/file`: a finished export job's gzip file.

Two ways in: the bearer token (the authentication gate puts the principal in scope; the
caller needs the audit_logs:export permission, and the job must be in its account), or
a signed link (`?expires=...&signature=...`, auth/download_links.py) minted by the API
for a caller who passed those checks then. Answers, each with a coded JSON error:

    404 NOT_FOUND          no such job in the account, it failed, or its file expired
    409 EXPORT_NOT_READY   the job is queued or running; poll it, then download
    403 FORBIDDEN          no export permission, or a link that is wrong or expired
"""

from __future__ import annotations

import base64
import datetime as dt
from collections.abc import Callable
from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from auth.download_links import is_valid_link
from auth.principal import Principal
from auth.roles import EffectiveRoles
from export.answers import answer
from export.endpoint import EXPORT_ROLES
from models.export_job import ExportJob, JobStatus
from resolvers.errors import AuditLogError, ForbiddenError, NotFoundError
from resolvers.export_jobs import find_export_job, get_export_job
from schema.ids import parse_global_id

MEDIA_TYPE = "application/gzip"


class NotReadyError(AuditLogError):
    """The job has no file yet; it is queued or running."""

    code = "EXPORT_NOT_READY"


class ExportDownload:
    """The ASGI app behind /exports/{id}/file, for token callers and signed links alike."""

    def __init__(
        self,
        roles_of: Callable[[Principal], EffectiveRoles],
        directory: Path,
        link_key: bytes | None,
    ) -> None:
        self.roles_of = roles_of
        self.directory = directory
        self.link_key = link_key

    def route(self, gated: Callable[[ASGIApp], ASGIApp]) -> ASGIApp:
        """The route's app: signed links come straight here, the rest through `gated(self)`."""
        return _LinkOrToken(self, gated(self))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await answer(self.respond, scope, receive, send)

    async def respond(self, request: Request) -> Response:
        """The file, or raise the error that refuses it."""
        export_id = _export_id(request.path_params.get("id", ""))
        now = dt.datetime.now(dt.UTC)
        principal = getattr(request.state, "principal", None)
        if principal is None:
            job = await self._linked(request, export_id, now)
        else:
            job = await self._owned(principal, export_id)
        return self._file(job, now)

    async def _owned(self, principal: Principal, export_id: int) -> ExportJob:
        if principal.account_id is None or not await self.roles_of(principal).has_any(EXPORT_ROLES):
            raise ForbiddenError(
                "Downloading exports needs the audit_logs:export permission (roles admin or "
                "log_viewer) in an account."
            )
        job = await get_export_job(principal.account_id, export_id)
        if job is None:
            raise _unknown()
        return job

    async def _linked(self, request: Request, export_id: int, now: dt.datetime) -> ExportJob:
        query = request.query_params
        valid = self.link_key is not None and is_valid_link(
            self.link_key,
            export_id,
            query.get("expires", ""),
            query.get("signature", ""),
            int(now.timestamp()),
        )
        if not valid:
            raise ForbiddenError(
                "This download link is wrong or has expired (links last 5 minutes); ask for "
                "the export's signedDownloadUrl again, or send an Authorization header."
            )
        job = await find_export_job(export_id)
        if job is None:
            raise _unknown()
        return job

    def _file(self, job: ExportJob, now: dt.datetime) -> Response:
        status = JobStatus(job.status)
        if status in (JobStatus.QUEUED, JobStatus.RUNNING):
            raise NotReadyError(
                f"The export is {status.value.lower()} and has no file yet; poll its status "
                "and download it once it is SUCCEEDED."
            )
        if status is JobStatus.FAILED:
            raise NotFoundError(f"The export failed ({job.failure_reason}); it has no file.")
        expires_at, stored = job.expires_at, job.stored_name
        if status is JobStatus.EXPIRED or expires_at is None or expires_at <= now or not stored:
            raise NotFoundError(
                "The export's file expired and was removed; create the export again."
            )
        path = self.directory / stored
        if not path.is_file():
            raise NotFoundError(
                "The export's file is not in this instance's AUDITLOG_EXPORT_DIR; every "
                "instance must share that directory."
            )
        headers = {"Cache-Control": "no-store"}
        if job.sha256:
            digest = base64.b64encode(bytes.fromhex(job.sha256)).decode()
            headers["Repr-Digest"] = f"sha-256=:{digest}:"
        return FileResponse(path, media_type=MEDIA_TYPE, filename=job.file_name, headers=headers)


class _LinkOrToken:
    """Send a request carrying a link signature to `linked`, any other to `gated`."""

    def __init__(self, linked: ASGIApp, gated: ASGIApp) -> None:
        self.linked = linked
        self.gated = gated

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        signed = "signature" in Request(scope).query_params
        await (self.linked if signed else self.gated)(scope, receive, send)


def _export_id(text: str) -> int:
    try:
        kind, local_id = parse_global_id(text)
    except AuditLogError:
        raise _unknown() from None
    if kind != "AuditLogExport":
        raise _unknown()
    return local_id


def _unknown() -> NotFoundError:
    return NotFoundError("No such export in this account; list them with auditLogExports.")
