"""How the export routes answer: the response, or a coded JSON error with its HTTP status."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import Receive, Scope, Send

from resolvers.errors import AuditLogError, UnavailableError

STATUSES = {
    "BAD_USER_INPUT": 400,
    "FORBIDDEN": 403,
    "NOT_FOUND": 404,
    "EXPORT_NOT_READY": 409,
    "SERVICE_UNAVAILABLE": 503,
}


async def answer(
    respond: Callable[[Request], Awaitable[Response]], scope: Scope, receive: Receive, send: Send
) -> None:
    """Send what `respond` makes of the request, or the refusal of the error it raises."""
    request = Request(scope, receive)
    try:
        response = await respond(request)
    except AuditLogError as exc:
        response = refusal(exc)
    except Exception as exc:
        unavailable = UnavailableError.caused_by(exc)
        if unavailable is None:
            raise
        response = refusal(unavailable)
    await response(scope, receive, send)


def refusal(error: AuditLogError) -> JSONResponse:
    """The coded JSON answer refusing a request, shaped like a GraphQL error."""
    headers = {"Cache-Control": "no-store"}
    if isinstance(error, UnavailableError):
        headers["Retry-After"] = str(error.retry_after)
    body = {"errors": [{"message": str(error), "extensions": error.extensions()}]}
    return JSONResponse(body, status_code=STATUSES.get(error.code, 500), headers=headers)
