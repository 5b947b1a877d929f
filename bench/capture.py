"""Record the SQL the service runs for each read scenario, by serving each request in-process once.

The service is built with its own `create_app` and lifespan; its database client is
wrapped so every statement (with its bound parameters) is kept. The floor then runs
exactly these statements, so a change to the service's SQL changes the floor too.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import httpx

from bench.scenarios import SCHEMA_FIELDS_QUERY, ReadScenario, schema_fields
from bench.statements import Statement, role_of
from models.database import connection
from server import create_app
from settings import Settings


class CaptureError(Exception):
    """The service answered a scenario with errors while its SQL was being recorded."""


def service_settings(database_url: str, secret: str) -> Settings:
    """The settings the benchmark's service runs with."""
    return Settings.from_env(
        {
            "AUDITLOG_DATABASE_URL": database_url,
            "AUDITLOG_JWT_SECRET": secret,
            # The load comes from a few callers far above any per-caller limit.
            "AUDITLOG_RATE_LIMIT": "off",
            "AUDITLOG_INGEST_RATE_LIMIT": "off",
        }
    )


async def capture(
    database_url: str, secret: str, token: str, scenarios: Sequence[ReadScenario]
) -> dict[str, list[Statement]]:
    """The statements the service runs for each scenario the schema supports, by name.

    A scenario whose `requires` field is not in the schema is left out.
    """
    app = create_app(service_settings(database_url, secret))
    recorded: list[Statement] = []
    plans: dict[str, list[Statement]] = {}
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    async with app.router.lifespan_context(app):
        _record(connection(), recorded)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            response = await client.post("/graphql", content=SCHEMA_FIELDS_QUERY, headers=headers)
            fields = schema_fields(response.json())
            for scenario in scenarios:
                if scenario.requires is not None and scenario.requires not in fields:
                    continue
                recorded.clear()
                response = await client.post("/graphql", content=scenario.body(), headers=headers)
                answer = response.json()
                if response.status_code != 200 or answer.get("errors"):
                    raise CaptureError(f"{scenario.name}: {response.status_code} {answer}")
                plans[scenario.name] = list(recorded)
    return plans


def _record(client: Any, into: list[Statement]) -> None:
    """Wrap the client's query methods so each statement is appended to `into`."""
    for method in ("execute_query_dict", "execute_query"):
        setattr(client, method, _recording(getattr(client, method), into))


def _recording(
    original: Callable[[str, list[Any] | None], Awaitable[Any]], into: list[Statement]
) -> Callable[[str, list[Any] | None], Awaitable[Any]]:
    async def run(sql: str, values: list[Any] | None = None) -> Any:
        into.append(Statement(role_of(sql), sql, tuple(values or ())))
        return await original(sql, values)

    return run
