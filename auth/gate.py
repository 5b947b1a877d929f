"""An ASGI gate that verifies the bearer token before a GraphQL request runs."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable

from starlette.datastructures import QueryParams
from starlette.types import ASGIApp, Receive, Scope, Send

from auth.principal import Principal
from auth.tokens import TokenError

Authenticator = Callable[[str], Awaitable[Principal]]


class AuthenticationGate:
    """Answer 401 to requests without a valid token; put the principal in the scope."""

    def __init__(self, app: ASGIApp, authenticate: Authenticator) -> None:
        self.app = app
        self.authenticate = authenticate

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or _is_ide_page(scope):
            await self.app(scope, receive, send)
            return
        try:
            principal = await self.authenticate(bearer_token(_header(scope, b"authorization")))
        except TokenError as exc:
            await _unauthenticated(str(exc), send)
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
    body = json.dumps(
        {"data": None, "errors": [{"message": message, "extensions": {"code": "UNAUTHENTICATED"}}]}
    ).encode()
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        (b"www-authenticate", b'Bearer error="invalid_token"'),
    ]
    await send({"type": "http.response.start", "status": 401, "headers": headers})
    await send({"type": "http.response.body", "body": body})
