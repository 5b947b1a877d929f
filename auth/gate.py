"""An ASGI gate that verifies the bearer token before a GraphQL request runs.

Exceptions an authenticator raises::

    TokenError (auth.tokens)      401 UNAUTHENTICATED: the credential is not valid
    CheckUnavailableError         503 SERVICE_UNAVAILABLE: the credential could not be
                                  checked now (its store is not answering); retry later
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable

from starlette.datastructures import QueryParams
from starlette.types import ASGIApp, Receive, Scope, Send

from auth.principal import Principal
from auth.tokens import TokenError

Authenticator = Callable[[str], Awaitable[Principal]]


class CheckUnavailableError(Exception):
    """The credential cannot be checked right now; the client should retry later."""

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class AuthenticationGate:
    """Answer 401 to requests without a valid token; put the principal in the scope."""

    def __init__(
        self, app: ASGIApp, authenticate: Authenticator, *, ide_page: bool = False
    ) -> None:
        """`ide_page`: let a browser's plain GET through, for the GraphiQL page."""
        self.app = app
        self.authenticate = authenticate
        self.ide_page = ide_page

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or (self.ide_page and _is_ide_page(scope)):
            await self.app(scope, receive, send)
            return
        try:
            principal = await self.authenticate(bearer_token(_header(scope, b"authorization")))
        except TokenError as exc:
            await _unauthenticated(str(exc), send)
            return
        except CheckUnavailableError as exc:
            await _unavailable(exc, send)
            return
        scope.setdefault("state", {})["principal"] = principal
        await self.app(scope, receive, send)


def bearer_token(header: str | None) -> str:
    """Return the token of an `Authorization: Bearer <token>` header."""
    if not header:
        raise TokenError("No token given; send an Authorization: Bearer <token> header.")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise TokenError('Authorization header must read "Bearer <token>".')
    return token.strip()


def _is_ide_page(scope: Scope) -> bool:
    """A browser GET for HTML without a query only loads GraphiQL, which holds no data.

    The query string is parsed exactly as the GraphQL view will parse it, so no spelling
    of the `query` parameter (percent-encoded, empty, repeated) slips past.
    """
    if scope["method"] != "GET" or "text/html" not in (_header(scope, b"accept") or ""):
        return False
    params = QueryParams(scope.get("query_string", b"").decode("latin-1"))
    return not any(key in params for key in ("query", "variables", "operationName"))


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope["headers"]:
        if key == name:
            return str(value.decode("latin-1"))
    return None


async def _unauthenticated(message: str, send: Send) -> None:
    header = (b"www-authenticate", b'Bearer error="invalid_token"')
    await _error(401, message, "UNAUTHENTICATED", header, send)


async def _unavailable(exc: CheckUnavailableError, send: Send) -> None:
    header = (b"retry-after", str(exc.retry_after).encode())
    await _error(503, str(exc), "SERVICE_UNAVAILABLE", header, send)


async def _error(
    status: int, message: str, code: str, header: tuple[bytes, bytes], send: Send
) -> None:
    body = json.dumps(
        {"data": None, "errors": [{"message": message, "extensions": {"code": code}}]}
    ).encode()
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        header,
    ]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
