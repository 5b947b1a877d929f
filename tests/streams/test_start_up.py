"""A service whose database holds streams needs the key their secrets were sealed with."""

from __future__ import annotations

import datetime as dt

import pytest

from models.stream import AuditLogStream
from server import delivering_streams
from tests.conftest import settings_with


async def _a_stream() -> None:
    now = dt.datetime.now(dt.UTC)
    await AuditLogStream.create(
        account_id="acme",
        name="SIEM",
        kind="webhook",
        settings={"url": "https://siem.example.com/in"},
        filter_json={},
        status="ACTIVE",
        created_by_id="admin-1",
        created_at=now,
        updated_at=now,
    )


async def test_start_up_is_refused_without_the_secret_key_once_streams_exist(db: str) -> None:
    async with delivering_streams(settings_with(secret_key=None, stream_workers=0)):
        pass  # no stream yet: nothing to open
    await _a_stream()
    with pytest.raises(RuntimeError, match="AUDITLOG_SECRET_KEY"):
        async with delivering_streams(settings_with(secret_key=None, stream_workers=0)):
            pass
    async with delivering_streams(settings_with(secret_key="k" * 40, stream_workers=0)):
        pass
