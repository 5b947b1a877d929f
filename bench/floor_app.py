"""The floor for reads: the least a server can do to answer the same request.

A plain Starlette endpoint, served by uvicorn in its own process as the service is.
For a scenario it runs the statements the service ran (recorded by bench.capture,
authorisation look-up included) with the same driver and connection settings, and
answers with the JSON the GraphQL response has: for a page the same edges and
pageInfo, built with the service's own row conversion and sentences; for other reads
the rows as they come. No GraphQL, no ORM, no token check.

Run by bench/servers.py as `python -m uvicorn bench.floor_app:create --factory`, with
BENCH_FLOOR_DATABASE_URL and BENCH_FLOOR_STATEMENTS in the environment.
"""

from __future__ import annotations

import contextlib
import gc
import json
import os
from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bench import statements
from bench.drivers import PostgresDriver, SqliteDriver, open_driver
from bench.scenarios import PAGE_SIZE
from resolvers.cursors import Position, encode_cursor
from resolvers.descriptions import describe
from resolvers.entries import Entry
from schema.ids import to_global_id

# Cursors only need the service's form here; the floor never decodes them.
BINDING = "0" * 16


def create() -> Starlette:
    """The floor application, configured from the environment."""
    url = os.environ["BENCH_FLOOR_DATABASE_URL"]
    plans = statements.load(Path(os.environ["BENCH_FLOOR_STATEMENTS"]))
    drivers: list[SqliteDriver | PostgresDriver] = []

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        drivers.append(await open_driver(url))
        try:
            yield
        finally:
            await drivers[0].close()

    async def answer(request: Request) -> Response:
        json.loads(await request.body())  # read and parse the same body the service gets
        plan = plans[request.path_params["scenario"]]
        results = [(s.role, await drivers[0].fetch(s.sql, s.params)) for s in plan]
        return JsonResponse(shape(results))

    async def healthz(request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    routes = [
        Route("/floor/{scenario}", answer, methods=["POST"]),
        Route("/healthz", healthz, methods=["GET"]),
    ]
    app = Starlette(routes=routes, lifespan=lifespan)
    gc.freeze()  # as `auditlog serve` does, so both sides collect garbage alike
    return app


class JsonResponse(JSONResponse):
    """JSON that also carries datetimes and decimals (raw rows of non-page reads)."""

    def render(self, content: Any) -> bytes:
        return json.dumps(content, ensure_ascii=False, separators=(",", ":"), default=str).encode()


def shape(results: Sequence[tuple[str, list[dict[str, Any]]]]) -> dict[str, Any]:
    """The response body: a page's edges and pageInfo, or the raw rows of each statement."""
    others = [rows for role, rows in results if role == "other"]
    pages = [rows for role, rows in results if role == "page"]
    if not pages:
        return {"data": {"rows": others}}
    entries = [Entry.from_row(row) for row in pages[0]]
    shown = entries[:PAGE_SIZE]
    cursors = [encode_cursor(Position(e.occurred_at, e.id), BINDING) for e in shown]
    connection: dict[str, Any] = {
        "edges": [
            {"cursor": cursor, "node": node(entry)}
            for entry, cursor in zip(shown, cursors, strict=True)
        ],
        "pageInfo": {
            "hasNextPage": len(entries) > PAGE_SIZE,
            "hasPreviousPage": any(rows for role, rows in results if role == "exists"),
            "startCursor": cursors[0] if cursors else None,
            "endCursor": cursors[-1] if cursors else None,
        },
    }
    if others:
        connection["other"] = others
    return {"data": {"auditLogs": connection}}


def node(entry: Entry) -> dict[str, Any]:
    """One entry as the dashboard query selects it."""
    actor, target = entry.actor, entry.target
    return {
        "id": to_global_id("AuditLog", entry.id),
        "sequence": str(entry.sequence),
        "action": entry.action,
        "description": describe(entry),
        "outcome": entry.outcome.value,
        "failureReason": entry.failure_reason,
        "actor": {
            "type": actor.type.value,
            "externalId": actor.id,
            "name": actor.name,
            "email": actor.email,
        },
        "target": (
            {"type": target.type, "externalId": target.id, "name": target.name} if target else None
        ),
        "changes": [
            {"field": c.field, "before": c.before, "after": c.after} for c in entry.changes
        ],
        "metadata": entry.metadata,
        "ipAddress": entry.ip_address,
        "userAgent": entry.user_agent,
        "requestId": entry.request_id,
        "occurredAt": entry.occurred_at.isoformat(),
        "recordedAt": entry.recorded_at.isoformat(),
    }
