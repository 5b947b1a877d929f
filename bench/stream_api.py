"""The GraphQL calls of the log-stream phase: create a webhook stream, read its status."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx

CREATE = """
mutation Create($input: CreateAuditLogStreamInput!) {
  createAuditLogStream(input: $input) { stream { id status deliveredSequence } }
}
"""
STATUS = """
query Status($id: ID!) {
  auditLogStream(id: $id) {
    status deliveredSequence lagEntries lagSeconds lastSuccessAt lastError lastErrorAt
    recentAttempts { entries succeeded statusCode message }
  }
}
"""

LIST = "query { auditLogStreams { id name } }"
DELETE = """
mutation Delete($input: AuditLogStreamIdInput!) {
  deleteAuditLogStream(input: $input) { deletedId }
}
"""
NAME = "bench webhook"


class StreamApiError(Exception):
    """The service refused a stream call; the message quotes its answer."""


async def call(
    client: httpx.AsyncClient, url: str, token: str, query: str, variables: dict[str, Any]
) -> dict[str, Any]:
    """POST a GraphQL document; its `data`, or StreamApiError quoting the answer."""
    response = await client.post(
        f"{url}/graphql",
        json={"query": query, "variables": variables},
        headers={"Authorization": f"Bearer {token}"},
    )
    answer = response.json()
    if response.status_code != 200 or answer.get("errors") or not answer.get("data"):
        raise StreamApiError(f"HTTP {response.status_code}: {str(answer)[:500]}")
    data: dict[str, Any] = answer["data"]
    return data


async def create_webhook_stream(
    client: httpx.AsyncClient, url: str, admin: str, receiver_url: str, stream_secret: str
) -> str:
    """Create an ACTIVE webhook stream of the admin's account; return its id."""
    variables = {
        "input": {
            "name": NAME,
            "kind": "WEBHOOK",
            "settings": {"url": receiver_url},
            "secret": stream_secret,
        }
    }
    data = await call(client, url, admin, CREATE, variables)
    return str(data["createAuditLogStream"]["stream"]["id"])


async def stream_status(
    client: httpx.AsyncClient, url: str, admin: str, stream_id: str
) -> dict[str, Any]:
    """The stream as `auditLogStream` answers it."""
    data = await call(client, url, admin, STATUS, {"id": stream_id})
    status: dict[str, Any] = data["auditLogStream"]
    return status


async def wait_delivered(
    client: httpx.AsyncClient, url: str, admin: str, stream_id: str, timeout: float
) -> float | None:
    """Seconds until the stream reports no entry left to deliver; None after `timeout`."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        status = await stream_status(client, url, admin, stream_id)
        if int(status["lagEntries"]) == 0:
            return time.monotonic() - started
        await asyncio.sleep(0.1)
    return None


async def delete_bench_streams(client: httpx.AsyncClient, url: str, admin: str) -> int:
    """Delete the admin's account's streams named NAME (left by earlier runs); how many."""
    data = await call(client, url, admin, LIST, {})
    found = [s["id"] for s in data["auditLogStreams"] if s["name"] == NAME]
    for stream_id in found:
        await call(client, url, admin, DELETE, {"input": {"id": stream_id}})
    return len(found)
