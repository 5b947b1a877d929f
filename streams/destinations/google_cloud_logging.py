"""Google Cloud Logging destination: entries.write with a service account's access token.

The secret is a service-account JSON key. A JWT signed with its private key (RS256) is
exchanged at its token_uri for an access token (scope logging.write), cached until
shortly before it expires. Entries go to projects/<project_id>/logs/<log_id> on the
"global" resource, one LogEntry per entry: the document as `jsonPayload`, occurredAt as
`timestamp`, severity NOTICE (WARNING for a FAILURE outcome), and the entry's id as
`insertId`, so Cloud Logging drops the copies a retried batch sends again. A request
may carry at most 10 MB and an entry about 256 KB; larger batches become several
requests, and an oversized entry goes alone so that its refusal holds back no other.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import quote

import httpx
import jwt
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey
from cryptography.hazmat.primitives.serialization import load_pem_private_key

from streams.destinations import Batch, DestinationError, Outgoing, StreamEntry
from streams.destinations.checks import check_url, join_url, setting
from streams.destinations.payloads import encode, split
from streams.destinations.tokens import TokenCache, cache_key, exchange

KIND = "google_cloud_logging"
SETTINGS: tuple[str, ...] = ("project_id", "log_id", "base_url", "token_uri")
DEFAULT_BASE_URL = "https://logging.googleapis.com"
DEFAULT_LOG_ID = "auditlog"
SCOPE = "https://www.googleapis.com/auth/logging.write"
GRANT_TYPE = "urn:ietf:params:oauth:grant-type:jwt-bearer"
ASSERTION_LIFETIME = 3600  # seconds; Google's maximum
PATH = "/v2/entries:write"
MAX_REQUEST_BYTES = 10_000_000
MAX_ENTRY_BYTES = 256_000
MAX_ENTRIES = 1000
PROJECT_ID = re.compile(r"[a-z][a-z0-9-]{4,28}[a-z0-9]")
LOG_ID = re.compile(r"[A-Za-z0-9/_.-]{1,512}")
KEY_FIELDS = ("client_email", "private_key", "token_uri")
# A key's own token_uri is used only when it is Google's; any other token endpoint must be
# the token_uri setting, which the stream's address checks cover as they cover base URLs.
GOOGLE_TOKEN_URIS = frozenset(
    {"https://oauth2.googleapis.com/token", "https://accounts.google.com/o/oauth2/token"}
)
GET_KEY = "create a JSON key for the service account (IAM > Service accounts > Keys) and paste it"

_tokens = TokenCache()


@dataclass(frozen=True)
class ServiceAccountKey:
    """The parts of a service-account JSON key that a token exchange needs."""

    client_email: str
    private_key: str
    token_uri: str
    private_key_id: str | None = None


def check(settings: Mapping[str, str], secret: str | None) -> list[str]:
    """Problems with the settings and the service-account key; [] when usable."""
    problems = _name_problems(settings)
    problems += check_url(settings, "base_url", default=DEFAULT_BASE_URL, example=DEFAULT_BASE_URL)
    if setting(settings, "token_uri"):
        problems += check_url(
            settings, "token_uri", example="https://oauth2.googleapis.com/token", allow_query=True
        )
    try:
        key = service_account_key(secret or "")
    except ValueError as exc:
        return [*problems, f"secret: {exc}"]
    if not setting(settings, "token_uri") and key.token_uri not in GOOGLE_TOKEN_URIS:
        problems.append(_foreign_token_uri(key))
    return problems


async def requests(
    batch: Batch, settings: Mapping[str, str], secret: str, client: httpx.AsyncClient
) -> list[Outgoing]:
    """The batch as one or more entries.write requests, each with a bearer token."""
    token = await access_token(settings, secret, client)
    project = setting(settings, "project_id")
    log_id = quote(setting(settings, "log_id", DEFAULT_LOG_ID), safe="")
    envelope = encode(
        {
            "logName": f"projects/{project}/logs/{log_id}",
            "resource": {"type": "global", "labels": {"project_id": project}},
        }
    )
    prefix, suffix = envelope[:-1] + b',"entries":[', b"]}"
    url = join_url(setting(settings, "base_url", DEFAULT_BASE_URL), PATH)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    entries = [encode(log_entry(entry)) for entry in batch.entries]
    groups = split(
        entries,
        max_count=MAX_ENTRIES,
        max_bytes=MAX_REQUEST_BYTES,
        max_item_bytes=MAX_ENTRY_BYTES,
        overhead=len(prefix) + len(suffix),
    )
    return [
        Outgoing("POST", url, dict(headers), prefix + b",".join(group) + suffix) for group in groups
    ]


def log_entry(entry: StreamEntry) -> dict[str, object]:
    """The LogEntry of one entry."""
    failed = entry.document.get("outcome") == "FAILURE"
    return {
        "jsonPayload": entry.document,
        "timestamp": entry.occurred_at,
        "severity": "WARNING" if failed else "NOTICE",
        "insertId": entry.id,
        "labels": {"account_id": entry.account_id},
    }


async def access_token(settings: Mapping[str, str], secret: str, client: httpx.AsyncClient) -> str:
    """An access token for logging.write: cached, or exchanged for a signed JWT now."""
    try:
        key = service_account_key(secret)
    except ValueError as exc:
        raise DestinationError(f"The service-account key: {exc}", retryable=False) from exc
    token_uri = setting(settings, "token_uri", key.token_uri)
    if token_uri not in GOOGLE_TOKEN_URIS and not setting(settings, "token_uri"):
        raise DestinationError(_foreign_token_uri(key), retryable=False)
    cache = cache_key(token_uri, key.client_email, key.private_key)
    if (cached := _tokens.get(cache)) is not None:
        return cached
    token, lifetime = await exchange(
        client,
        token_uri,
        {"grant_type": GRANT_TYPE, "assertion": assertion(key, token_uri)},
        issuer="Google OAuth",
    )
    _tokens.put(cache, token, lifetime)
    return token


def assertion(key: ServiceAccountKey, audience: str) -> str:
    """The JWT that asks `audience` (the token endpoint) for a logging.write token."""
    now = int(time.time())
    claims = {
        "iss": key.client_email,
        "scope": SCOPE,
        "aud": audience,
        "iat": now,
        "exp": now + ASSERTION_LIFETIME,
    }
    headers = {"kid": key.private_key_id} if key.private_key_id else None
    return jwt.encode(claims, key.private_key, algorithm="RS256", headers=headers)


def service_account_key(secret: str) -> ServiceAccountKey:
    """The service-account key in `secret`; ValueError saying what is wrong (never the key)."""
    try:
        fields = json.loads(secret)
    except ValueError:
        raise ValueError(f"is not JSON; {GET_KEY}.") from None
    if not isinstance(fields, dict):
        raise ValueError(f"is not a JSON object; {GET_KEY}.")
    missing = [
        name for name in KEY_FIELDS if not isinstance(fields.get(name), str) or not fields[name]
    ]
    if missing:
        raise ValueError(f"lacks {', '.join(missing)}; {GET_KEY}.")
    try:
        private_key = load_pem_private_key(fields["private_key"].encode(), password=None)
    except (ValueError, TypeError):
        raise ValueError(f"its private_key is not an unencrypted PEM key; {GET_KEY}.") from None
    if not isinstance(private_key, RSAPrivateKey):
        raise ValueError(f"its private_key is not an RSA key; {GET_KEY}.")
    key_id = fields.get("private_key_id")
    return ServiceAccountKey(
        client_email=fields["client_email"],
        private_key=fields["private_key"],
        token_uri=fields["token_uri"],
        private_key_id=key_id if isinstance(key_id, str) and key_id else None,
    )


def _foreign_token_uri(key: ServiceAccountKey) -> str:
    return (
        f"secret: the key's token_uri \"{key.token_uri}\" is not Google's token endpoint; "
        "set the token_uri setting to that URL if you mean to use it."
    )


def _name_problems(settings: Mapping[str, str]) -> list[str]:
    problems = []
    project = setting(settings, "project_id")
    if not PROJECT_ID.fullmatch(project):
        problems.append(
            f'project_id: "{project}" is not a Google Cloud project id (6 to 30 lower-case '
            "letters, digits and hyphens); copy the ID from the console's project picker."
        )
    log_id = setting(settings, "log_id", DEFAULT_LOG_ID)
    if not LOG_ID.fullmatch(log_id):
        problems.append(
            f'log_id: "{log_id}" is not a log id (up to 512 letters, digits and "/_-."); '
            f'use e.g. "{DEFAULT_LOG_ID}".'
        )
    return problems
