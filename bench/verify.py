"""Check that the loader's rows are the rows recordAuditLogs stores, on a scratch SQLite file.

The first events of the data set are sent through the service's GraphQL API
(in-process) in commit order, then every stored column but `recorded_at` (the
service's clock) is compared with the row the loader would write, account by account
in sequence order.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import tempfile
from itertools import islice
from pathlib import Path

import httpx

from auth.principal import Role
from auth.tokens import issue_token
from bench.capture import service_settings
from bench.events import build_row
from bench.generate import Dataset, chunk_events
from bench.ingest import MUTATION, as_input
from models.audit_log import INSERT_COLUMNS
from server import create_app

COMPARED = [column for column in INSERT_COLUMNS if column != "recorded_at"]
ACCOUNT, SEQUENCE = INSERT_COLUMNS.index("account_id"), INSERT_COLUMNS.index("sequence")


class VerifyError(Exception):
    """A loaded row would differ from the row the service stores."""


async def verify_rows(dataset: Dataset, secret: str, count: int = 300) -> int:
    """Record `count` events through the service and compare; return how many matched."""
    taken = list(islice(chunk_events(dataset, 0), count))
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "verify.sqlite3"
        await _record(path, secret, [as_input(account, event) for _, account, event in taken])
        with sqlite3.connect(path) as connection:
            stored = connection.execute(
                f"SELECT {', '.join(COMPARED)} FROM audit_log ORDER BY account_id, sequence"
            ).fetchall()
    expected = sorted(
        (
            build_row(account, slot.sequence, event, dataset.end, dataset.end)
            for slot, account, event in taken
        ),
        key=lambda row: (str(row[ACCOUNT]), int(str(row[SEQUENCE]))),
    )
    if len(stored) != len(expected):
        raise VerifyError(f"the service stored {len(stored)} of {len(expected)} events")
    for number, (have, want) in enumerate(zip(stored, expected, strict=True)):
        values = dict(zip(INSERT_COLUMNS, want, strict=True))
        for column, value in zip(COMPARED, have, strict=True):
            if value != _as_stored(values[column]):
                raise VerifyError(
                    f"row {number} column {column}: service stored {value!r}, "
                    f"loader writes {_as_stored(values[column])!r}"
                )
    return len(stored)


def _as_stored(value: object) -> object:
    """A value as sqlite3's default adapters store it."""
    return value.isoformat(" ") if isinstance(value, dt.datetime) else value


async def _record(path: Path, secret: str, inputs: list[dict[str, object]]) -> None:
    settings = service_settings(f"sqlite://{path}", secret)
    app = create_app(settings)
    token = issue_token(
        settings.jwt,
        secret,
        subject="bench-verify",
        account_id=None,
        roles=[Role.INGEST],
        ttl=dt.timedelta(minutes=10),
    )
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://verify") as client:
            for start in range(0, len(inputs), 100):
                body = {"query": MUTATION, "variables": {"input": inputs[start : start + 100]}}
                response = await client.post("/graphql", content=json.dumps(body), headers=headers)
                answer = response.json()
                if answer.get("errors"):
                    raise VerifyError(f"the service refused a generated event: {answer['errors']}")
