"""Datadog destination: the Logs HTTP intake v2 (POST /api/v2/logs, gzip-compressed).

Each entry becomes one log: the entry's document as its attributes, its description as
`message`, and the stream's `ddsource`, `service`, `ddtags` (plus "account:<id>") and
optional `hostname`. Datadog takes at most 1000 logs and 5 MB (uncompressed) per request,
so a large batch becomes several requests. It truncates a log over 1 MB; such a log
goes in a request of its own so it cannot push others over the limit.
"""

from __future__ import annotations

from collections.abc import Mapping

import httpx

from streams.destinations import Batch, Outgoing, StreamEntry
from streams.destinations.checks import check_token, check_url, join_url, setting
from streams.destinations.payloads import encode, gzipped, json_array, split

KIND = "datadog"
SETTINGS: tuple[str, ...] = ("site", "ddsource", "service", "ddtags", "hostname")
DEFAULT_SITE = "https://http-intake.logs.datadoghq.com"
DEFAULT_SOURCE = "auditlog"
DEFAULT_SERVICE = "auditlog"
PATH = "/api/v2/logs"
MAX_LOGS = 1000
MAX_PAYLOAD_BYTES = 5_000_000
MAX_LOG_BYTES = 1_000_000


def check(settings: Mapping[str, str], secret: str | None) -> list[str]:
    """Problems with the settings and the API key; [] when the destination is usable."""
    problems = check_url(
        settings,
        "site",
        default=DEFAULT_SITE,
        example="https://http-intake.logs.datadoghq.eu (your Datadog site's logs intake)",
    )
    tags = setting(settings, "ddtags")
    if any(character.isspace() for character in tags):
        problems.append(
            f'ddtags: "{tags}" contains blanks; separate tags with commas, '
            'e.g. "env:prod,team:security".'
        )
    return problems + check_token(secret, what="Datadog API key (Organization Settings > API Keys)")


async def requests(
    batch: Batch, settings: Mapping[str, str], secret: str, client: httpx.AsyncClient
) -> list[Outgoing]:
    """The batch as one or more gzip-compressed intake requests within Datadog's limits."""
    logs = [encode(log(entry, settings)) for entry in batch.entries]
    url = join_url(setting(settings, "site", DEFAULT_SITE), PATH)
    headers = {
        "DD-API-KEY": secret.strip(),
        "Content-Type": "application/json",
        "Content-Encoding": "gzip",
    }
    return [
        Outgoing("POST", url, dict(headers), gzipped(json_array(group)))
        for group in split(
            logs, max_count=MAX_LOGS, max_bytes=MAX_PAYLOAD_BYTES, max_item_bytes=MAX_LOG_BYTES
        )
    ]


def log(entry: StreamEntry, settings: Mapping[str, str]) -> dict[str, object]:
    """The Datadog log of one entry: its document's fields plus Datadog's reserved ones."""
    tags = ",".join(
        tag for tag in (setting(settings, "ddtags"), f"account:{entry.account_id}") if tag
    )
    reserved: dict[str, object] = {
        "ddsource": setting(settings, "ddsource", DEFAULT_SOURCE),
        "service": setting(settings, "service", DEFAULT_SERVICE),
        "ddtags": tags,
        "message": _message(entry),
    }
    hostname = setting(settings, "hostname")
    if hostname:
        reserved["hostname"] = hostname
    return {**entry.document, **reserved}


def _message(entry: StreamEntry) -> str:
    description = entry.document.get("description")
    if isinstance(description, str) and description:
        return description
    return str(entry.document.get("action", ""))
