"""Fixtures of the destination tests: an httpx client and a way to send what a destination built."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    """The client a delivery loop would hand to a destination."""
    async with httpx.AsyncClient(timeout=30) as http:
        yield http
