"""Azure Monitor destination: the Logs Ingestion API, through a data collection rule.

An app registration's client secret buys a bearer token from Microsoft Entra ID (the
OAuth 2.0 client-credentials grant, scope https://monitor.azure.com//.default), cached
until shortly before it expires. Entries then go as a gzip-compressed JSON array, one
object per entry (`TimeGenerated` from occurredAt plus the document's fields), to
{endpoint}/dataCollectionRules/{rule_id}/streams/{stream_name}. A call may carry at most
1 MB, so a large batch becomes several calls.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from urllib.parse import quote

import httpx

from streams.destinations import Batch, Outgoing, StreamEntry
from streams.destinations.checks import (
    check_guid,
    check_token,
    check_url,
    join_url,
    setting,
)
from streams.destinations.payloads import encode, gzipped, json_array, split
from streams.destinations.tokens import TokenCache, cache_key, exchange

KIND = "azure_monitor"
SETTINGS: tuple[str, ...] = (
    "endpoint",
    "rule_id",
    "stream_name",
    "tenant_id",
    "client_id",
    "authority",
)
DEFAULT_AUTHORITY = "https://login.microsoftonline.com"
SCOPE = "https://monitor.azure.com//.default"
API_VERSION = "2023-01-01"
MAX_CALL_BYTES = 1_000_000
MAX_RECORDS = 10_000  # keeps one call's body well within the service's timeouts
RULE_ID = re.compile(r"dcr-[0-9a-f]{32}")
STREAM_NAME = re.compile(r"(Custom|Microsoft)-[A-Za-z0-9_-]+")
TENANT_DOMAIN = re.compile(r"[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+")

_tokens = TokenCache()


def check(settings: Mapping[str, str], secret: str | None) -> list[str]:
    """Problems with the settings and the client secret; [] when the destination is usable."""
    return [
        *check_url(
            settings,
            "endpoint",
            example="https://my-dce-abcd.westeurope-1.ingest.monitor.azure.com",
        ),
        *_rule_problems(settings),
        *_tenant_problems(settings),
        *check_guid(
            settings, "client_id", fix="use the app registration's Application (client) ID"
        ),
        *check_url(settings, "authority", default=DEFAULT_AUTHORITY, example=DEFAULT_AUTHORITY),
        *check_token(secret, what="app registration's client secret value"),
    ]


async def requests(
    batch: Batch, settings: Mapping[str, str], secret: str, client: httpx.AsyncClient
) -> list[Outgoing]:
    """The batch as one or more upload calls, each with a bearer token."""
    token = await access_token(settings, secret, client)
    url = join_url(
        setting(settings, "endpoint"),
        f"/dataCollectionRules/{quote(setting(settings, 'rule_id'), safe='')}"
        f"/streams/{quote(setting(settings, 'stream_name'), safe='')}?api-version={API_VERSION}",
    )
    headers = {
        "Authorization": f"Bearer {token}",
        "Content-Type": "application/json",
        "Content-Encoding": "gzip",
    }
    records = [encode(record(entry)) for entry in batch.entries]
    return [
        Outgoing("POST", url, dict(headers), gzipped(json_array(group)))
        for group in split(records, max_count=MAX_RECORDS, max_bytes=MAX_CALL_BYTES)
    ]


def record(entry: StreamEntry) -> dict[str, object]:
    """The stream record of one entry: TimeGenerated plus the document's fields."""
    return {"TimeGenerated": entry.occurred_at, **entry.document}


async def access_token(settings: Mapping[str, str], secret: str, client: httpx.AsyncClient) -> str:
    """A bearer token for the Logs Ingestion API: cached, or exchanged for the secret now."""
    authority = setting(settings, "authority", DEFAULT_AUTHORITY)
    tenant = setting(settings, "tenant_id")
    client_id = setting(settings, "client_id")
    key = cache_key(authority, tenant, client_id, secret)
    if (cached := _tokens.get(key)) is not None:
        return cached
    token, lifetime = await exchange(
        client,
        join_url(authority, f"/{quote(tenant, safe='')}/oauth2/v2.0/token"),
        {
            "grant_type": "client_credentials",
            "client_id": client_id,
            "client_secret": secret.strip(),
            "scope": SCOPE,
        },
        issuer="Microsoft Entra ID",
    )
    _tokens.put(key, token, lifetime)
    return token


def _rule_problems(settings: Mapping[str, str]) -> list[str]:
    problems = []
    rule_id = setting(settings, "rule_id")
    if not RULE_ID.fullmatch(rule_id):
        problems.append(
            f'rule_id: "{rule_id}" is not a DCR immutable id; copy "immutableId" '
            "(dcr- and 32 hex digits) from the data collection rule's JSON view."
        )
    stream = setting(settings, "stream_name")
    if not STREAM_NAME.fullmatch(stream):
        problems.append(
            f'stream_name: "{stream}" is not a DCR stream name; use the rule\'s input '
            'stream, e.g. "Custom-AuditLog_CL".'
        )
    return problems


def _tenant_problems(settings: Mapping[str, str]) -> list[str]:
    tenant = setting(settings, "tenant_id")
    if TENANT_DOMAIN.fullmatch(tenant):
        return []
    return check_guid(
        settings,
        "tenant_id",
        fix="use the Directory (tenant) ID of the app registration, or the tenant's domain",
    )
