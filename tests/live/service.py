"""`auditlog serve` for the live-tail tests: started on a fresh database, called over HTTP."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import jwt

from tests.conftest import POSTGRES_URL, SECRET
from tests.live.protocol import Message
from tests.serving import free_port, postgres_database, require_tools, running, serve_command

RECORD = "mutation($in: [AuditLogInput!]!) { recordAuditLogs(input: $in) { results { entryId } } }"


def token(account: str, *roles: str, sub: str = "viewer-1", **claims: Any) -> str:
    """A JWT of `account` with `roles`, valid for ten minutes unless `claims` say otherwise."""
    secret = claims.pop("secret", SECRET)
    payload = {"sub": sub, "aud": "auditlog", "exp": int(time.time()) + 600}
    payload |= {"roles": list(roles), "account_id": account}
    return jwt.encode(payload | claims, secret, algorithm="HS256")


@dataclass(frozen=True)
class Service:
    """A running `auditlog serve`, and the environment that starts another like it."""

    base: str
    env: dict[str, str]

    @property
    def ws_url(self) -> str:
        return "ws" + self.base.removeprefix("http") + "/graphql"

    async def graphql(self, query: str, variables: dict[str, Any], credential: str) -> Message:
        async with httpx.AsyncClient(timeout=30) as http:
            response = await http.post(
                f"{self.base}/graphql",
                json={"query": query, "variables": variables},
                headers={"Authorization": f"Bearer {credential}"},
            )
        body: Message = response.json()
        assert "errors" not in body, body
        data: Message = body["data"]
        return data

    async def record(self, account: str, *events: dict[str, Any]) -> list[str]:
        """Record `events` in `account` with an ingest token; return the entries' ids."""
        credential = token(account, "ingest", sub="producer")
        data = await self.graphql(RECORD, {"in": list(events)}, credential)
        return [result["entryId"] for result in data["recordAuditLogs"]["results"]]


@contextlib.contextmanager
def serving(env: dict[str, str], log: Path) -> Iterator[Service]:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with running(serve_command(port), env, log, f"{base}/readyz"):
        yield Service(base, env)


@contextlib.contextmanager
def fresh_database(backend: str, folder: Path) -> Iterator[str]:
    """An empty database; on PostgreSQL one of its own, since other tests empty theirs."""
    if backend == "sqlite":
        yield f"sqlite://{folder}/audit.sqlite3"
        return
    missing = [] if POSTGRES_URL else ["AUDITLOG_TEST_POSTGRES_URL"]
    require_tools(missing, "set it to the URL of a PostgreSQL database")
    with postgres_database(POSTGRES_URL, POSTGRES_URL.rpartition("/")[2] + "_live") as url:
        yield url
