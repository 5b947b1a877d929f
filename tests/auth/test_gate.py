"""The authentication gate: how it answers when a credential cannot be checked."""

from __future__ import annotations

import httpx
from starlette.responses import PlainTextResponse
from starlette.types import Receive, Scope, Send

from auth.gate import AuthenticationGate, CheckUnavailableError
from auth.principal import Principal


async def _app(scope: Scope, receive: Receive, send: Send) -> None:
    await PlainTextResponse("through")(scope, receive, send)


async def _store_down(credential: str) -> Principal:
    raise CheckUnavailableError("The token store is not answering; retry in a few seconds.", 7)


async def test_a_credential_that_cannot_be_checked_gets_503_with_retry_after() -> None:
    gate = AuthenticationGate(_app, _store_down)
    transport = httpx.ASGITransport(app=gate)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
        response = await http.post("/", headers={"Authorization": "Bearer alog_x"})
    assert (response.status_code, response.headers["retry-after"]) == (503, "7")
    assert response.json() == {
        "data": None,
        "errors": [
            {
                "message": "The token store is not answering; retry in a few seconds.",
                "extensions": {"code": "SERVICE_UNAVAILABLE"},
            }
        ],
    }
