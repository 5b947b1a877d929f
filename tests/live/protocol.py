"""graphql-transport-ws spoken by hand: a connection, its messages, the `auditLogAdded`
operation, and how long to wait for each.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import AsyncIterator
from typing import Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed
from websockets.typing import Subprotocol

Message = dict[str, Any]
PROTOCOL = Subprotocol("graphql-transport-ws")
SETTLE = 10.0  # a first entry may take this long (a cold subscription, a backlog)
QUIET = 1.0  # this long without a message shows that nothing more is coming
ADDED = """
subscription Live($filter: AuditLogFilter, $query: String, $afterSequence: BigInt) {
  auditLogAdded(filter: $filter, query: $query, afterSequence: $afterSequence) {
    id sequence action requestId actor { type externalId name }
  }
}
"""


def bearer(credential: str) -> dict[str, str]:
    """The connection_init payload that carries `credential`."""
    return {"Authorization": f"Bearer {credential}"}


def ids(entries: list[Message]) -> list[str]:
    return [entry["id"] for entry in entries]


def errors_of(message: Message) -> list[Message]:
    """The GraphQL errors of a message: an `error`'s payload or a `next`'s errors."""
    errors: list[Message] = []
    if message["type"] == "error":
        errors = message["payload"]
    elif message["type"] == "next":
        errors = message["payload"].get("errors") or []
    return errors


def error_text(message: Message) -> str:
    """The messages of a message's GraphQL errors, lower-cased, in one line."""
    return " ".join(error["message"] for error in errors_of(message)).lower()


def entries_in(messages: list[Message]) -> list[Message]:
    """The entries that `next` messages carried."""
    datas = [message["payload"].get("data") for message in messages if message["type"] == "next"]
    return [data["auditLogAdded"] for data in datas if data]


class Tail:
    """An acknowledged graphql-transport-ws connection with at most one operation, "1"."""

    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws

    async def subscribe(self, variables: dict[str, Any]) -> None:
        payload = {"query": ADDED, "variables": variables}
        await self.ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": payload}))

    async def poll(self, within: float) -> Message | None:
        """The next message but ping and pong; None after `within` s or once closed."""
        deadline = time.monotonic() + within
        while True:
            try:
                text = await asyncio.wait_for(self.ws.recv(), deadline - time.monotonic())
            except (TimeoutError, ConnectionClosed):
                return None
            message: Message = json.loads(text)
            if message["type"] == "ping":
                await self.ws.send(json.dumps({"type": "pong"}))
            elif message["type"] != "pong":
                return message

    async def message(self, within: float) -> Message:
        message = await self.poll(within)
        assert message is not None, f"no message within {within:g} s"
        return message

    async def entry(self, within: float) -> Message:
        """The next entry; fail on any other message."""
        message = await self.message(within)
        entries = entries_in([message])
        assert entries, f"expected an entry, got {message}"
        return entries[0]

    async def collect(self, count: int, within: float = SETTLE) -> list[Message]:
        """Entries until `count` came (each within `within` s), then any more within QUIET s."""
        entries: list[Message] = []
        while message := await self.poll(within if len(entries) < count else QUIET):
            if message["type"] == "complete":
                break
            assert entries_in([message]), f"expected an entry, got {message}"
            entries += entries_in([message])
        return entries

    async def rest(self) -> list[Message]:
        """Every message until QUIET s pass without one, or the connection closes."""
        messages = []
        while message := await self.poll(QUIET):
            messages.append(message)
        return messages


async def init(ws: ClientConnection, payload: Message | None) -> None:
    message = {"type": "connection_init"} | ({} if payload is None else {"payload": payload})
    await ws.send(json.dumps(message))


@contextlib.asynccontextmanager
async def opened(url: str) -> AsyncIterator[ClientConnection]:
    async with connect(
        url, subprotocols=[PROTOCOL], proxy=None, open_timeout=SETTLE, close_timeout=2
    ) as ws:
        yield ws


@contextlib.asynccontextmanager
async def tail(
    url: str, payload: Message, variables: dict[str, Any] | None = None
) -> AsyncIterator[Tail]:
    """A connection initialised with `payload`, subscribed with `variables`."""
    async with opened(url) as ws:
        await init(ws, payload)
        live = Tail(ws)
        ack = await live.message(SETTLE)
        assert ack["type"] == "connection_ack", ack
        await live.subscribe(variables or {})
        yield live
