"""`GET /export` and `POST /export`: a selection of the log streamed as a file.

The request is checked whole before the first byte (a 400 names the field, as the
GraphQL API would); then the file streams batch by batch in constant memory, and when
it ends (finished, failed, or the client went away) an `audit_log.exported` entry
records who exported what.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import AsyncIterator, Callable

import anyio
import orjson
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.types import Receive, Scope, Send

from auth.client_ip import Network, client_ip
from auth.principal import PERMISSIONS, Permission, Principal
from auth.roles import EffectiveRoles
from export.answers import answer
from export.batches import file_batches
from export.formats import Layout
from export.request import ExportRequest, from_json, from_query_string
from resolvers.errors import ForbiddenError, InvalidInputError, UnavailableError
from resolvers.exports import ExportReport, record_export
from resolvers.selection import Selection
from resolvers.self_audit import Acting

LOG = logging.getLogger("auditlog.export")
EXPORT_ROLES = frozenset(
    role for role, allowed in PERMISSIONS.items() if Permission.AUDIT_LOGS_EXPORT in allowed
)
_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]+")


class ExportEndpoint:
    """The ASGI app behind /export; the authentication gate has put the principal in scope."""

    def __init__(
        self,
        roles_of: Callable[[Principal], EffectiveRoles],
        trusted_proxies: tuple[Network, ...] = (),
        database_csv: bool = True,
    ) -> None:
        self.roles_of = roles_of
        self.trusted_proxies = trusted_proxies
        self.database_csv = database_csv  # AUDITLOG_EXPORT_DATABASE_CSV

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await answer(self.respond, scope, receive, send)

    async def respond(self, request: Request) -> Response:
        """The file's streaming response, or raise the error that refuses the request."""
        principal, account_id = await self._authorised(getattr(request.state, "principal", None))
        asked = await _asked(request)
        now = dt.datetime.now(dt.UTC)
        selection = Selection(account_id, asked.filter, asked.query)
        selection.condition(now)  # refuse a bad filter or query before the first byte
        layout = asked.layout()
        acting = self._acting(request, principal, account_id)
        headers = {
            "Content-Disposition": f'attachment; filename="{file_name(account_id, asked, now)}"',
            "Cache-Control": "no-store",
        }
        batches = file_batches(
            selection, asked.order, layout, now=now, database_csv=self.database_csv
        )
        body = _stream(batches, asked, layout, acting)
        return StreamingResponse(body, media_type=asked.format.media_type, headers=headers)

    async def _authorised(self, principal: Principal | None) -> tuple[Principal, str]:
        if principal is None:
            raise ForbiddenError("Send an Authorization: Bearer <token> header to export.")
        if principal.account_id is None:
            raise ForbiddenError(
                "An export reads one account's log; use a token bound to an account."
            )
        if not await self.roles_of(principal).has_any(EXPORT_ROLES):
            raise ForbiddenError(
                "Exporting needs the audit_logs:export permission (roles admin or log_viewer)."
            )
        return principal, principal.account_id

    def _acting(self, request: Request, principal: Principal, account_id: str) -> Acting:
        peer = request.client.host if request.client else None
        return Acting(
            account_id=account_id,
            user_id=principal.subject,
            user_name=principal.name,
            user_email=principal.email,
            ip_address=client_ip(
                peer, request.headers.get("x-forwarded-for"), self.trusted_proxies
            ),
            user_agent=request.headers.get("user-agent"),
            request_id=request.headers.get("x-request-id"),
        )


async def _asked(request: Request) -> ExportRequest:
    if request.method == "GET":
        return from_query_string(request.query_params)
    try:
        body = orjson.loads(await request.body())
    except orjson.JSONDecodeError as exc:
        raise InvalidInputError.single(
            "body",
            f'is not valid UTF-8 JSON ({exc}); send an object such as {{"format": "csv", '
            '"query": "tag:gdpr"}.',
        ) from exc
    return from_json(body)


async def _stream(
    batches: AsyncIterator[tuple[bytes, int]], asked: ExportRequest, layout: Layout, acting: Acting
) -> AsyncIterator[bytes]:
    rows, failure = 0, None
    try:
        yield layout.head()
        async for text, count in batches:
            yield text
            rows += count
        yield layout.tail()
    except BaseException as exc:
        failure = _reason(exc)
        raise
    finally:
        # Recorded even when the client went away and the stream is being cancelled.
        with anyio.CancelScope(shield=True):
            report = ExportReport(
                asked.format.value, rows, asked.filter_input, asked.query, failure
            )
            try:
                await record_export(acting, report)
            except Exception:
                LOG.exception("could not record the export of account %s", acting.account_id)


def _reason(exc: BaseException) -> str:
    if isinstance(exc, (GeneratorExit, anyio.get_cancelled_exc_class())):
        return "the client closed the connection"
    if UnavailableError.caused_by(exc) is not None:
        return "the database stopped answering"
    return f"an internal error ({type(exc).__name__})"


def file_name(account_id: str, asked: ExportRequest, now: dt.datetime) -> str:
    """`auditlog-ACCOUNT-FROM-to-TO.EXT`, the range from the filter's bounds (or the start)."""
    start = asked.filter.occurred_after
    end = asked.filter.occurred_before or now
    first = start.astimezone(dt.UTC).strftime("%Y%m%d") if start else "start"
    last = end.astimezone(dt.UTC).strftime("%Y%m%d")
    account = _UNSAFE.sub("_", account_id)[:64]
    return f"auditlog-{account}-{first}-to-{last}.{asked.format.value}"
