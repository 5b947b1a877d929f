"""Splunk destination: the HTTP Event Collector's event endpoint (/services/collector/event).

A request carries the batch's events as JSON objects one after another (HEC's batch
form, not a JSON array), each with `time` (epoch seconds with fraction, from
occurredAt), `sourcetype`, the optional `host`, `source` and `index`, and the entry's
document as `event`. HEC refuses a request over its `max_content_length`, which each
installation configures; requests stay under a conservative 1 MB, so a large batch
becomes several requests.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import httpx

from streams.destinations import Batch, Outgoing, StreamEntry
from streams.destinations.checks import check_token, check_url, join_url, setting
from streams.destinations.payloads import encode, epoch_seconds, split

KIND = "splunk"
SETTINGS: tuple[str, ...] = ("url", "host", "source", "sourcetype", "index")
DEFAULT_SOURCETYPE = "auditlog:entry"
PATH = "/services/collector/event"
MAX_REQUEST_BYTES = 1_000_000
INDEX_NAME = re.compile(r"[a-z0-9][a-z0-9_-]*")
MAX_EVENTS = 10_000  # keeps a request's indexing time bounded


def check(settings: Mapping[str, str], secret: str | None) -> list[str]:
    """Problems with the settings and the HEC token; [] when the destination is usable."""
    problems = check_url(settings, "url", example="https://splunk.example.com:8088")
    index = setting(settings, "index")
    if index and not INDEX_NAME.fullmatch(index):
        problems.append(
            f'index: "{index}" is not a Splunk index name (lower-case letters, digits, "_" '
            'and "-", not starting with "_" or "-"); use an index the HEC token may write to.'
        )
    return problems + check_token(
        secret, what="HEC token (Settings > Data inputs > HTTP Event Collector)"
    )


async def requests(
    batch: Batch, settings: Mapping[str, str], secret: str, client: httpx.AsyncClient
) -> list[Outgoing]:
    """The batch as one or more HEC requests of concatenated event objects."""
    events = [encode(event(entry, settings)) for entry in batch.entries]
    url = join_url(setting(settings, "url"), PATH)
    headers = {"Authorization": f"Splunk {secret.strip()}", "Content-Type": "application/json"}
    return [
        Outgoing("POST", url, dict(headers), b"\n".join(group))
        for group in split(events, max_count=MAX_EVENTS, max_bytes=MAX_REQUEST_BYTES, overhead=0)
    ]


def event(entry: StreamEntry, settings: Mapping[str, str]) -> dict[str, object]:
    """The HEC event object of one entry."""
    metadata: dict[str, object] = {
        "time": epoch_seconds(entry.occurred_at),
        "sourcetype": setting(settings, "sourcetype", DEFAULT_SOURCETYPE),
    }
    for name in ("host", "source", "index"):
        if value := setting(settings, name):
            metadata[name] = value
    return {**metadata, "event": entry.document}
