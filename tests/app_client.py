"""An in-process client over an app built from given settings, and metric look-ups."""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import AsyncIterator
from typing import Any

import httpx
from prometheus_client.parser import text_string_to_metric_families

from auth.tokens import JwtConfig
from server import create_app
from settings import Settings
from tests.conftest import SECRET


def settings_with(**changes: Any) -> Settings:
    """The tests' settings with some fields changed."""
    base = Settings(jwt=JwtConfig(SECRET, "HS256"), signing_key=SECRET, max_page_size=100)
    return dataclasses.replace(base, **changes)


@contextlib.asynccontextmanager
async def app_client(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """A client of an app built from `settings` (a `db` fixture opens the database)."""
    app = create_app(settings, manage_database=False)
    transport = httpx.ASGITransport(app=app, client=("198.51.100.7", 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


def bearer(token: str) -> dict[str, str]:
    """The Authorization header of `token`."""
    return {"Authorization": f"Bearer {token}"}


def metric_value(exposition: str, name: str, **labels: str) -> float | None:
    """The value of the sample `name` with exactly `labels` in a /metrics text, or None."""
    for family in text_string_to_metric_families(exposition):
        for sample in family.samples:
            if sample.name == name and sample.labels == labels:
                return float(sample.value)
    return None
