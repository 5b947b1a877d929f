"""Where a stream delivers: each destination speaks its receiver's documented intake format.

A destination turns a batch of entries into what its receiver takes. HTTP destinations
(webhook, datadog, splunk, azure_monitor, google_cloud_logging) build `Outgoing`
requests; the stream's delivery loop (streams/delivery.py) sends them with its own
httpx client, after its address checks, and judges the answer. Syslog sends over its
own TCP/TLS connection (streams/destinations/syslog.py).

Every destination module exposes:

    KIND: str                      # the stream's `kind` value, e.g. "datadog"
    SETTINGS: tuple[str, ...]      # the non-secret setting names it reads
    def check(settings: Mapping[str, str], secret: str | None) -> list[str]
        # problems as "field: message naming the value and the fix", [] when usable
    async def requests(batch: Batch, settings: Mapping[str, str], secret: str,
                       client: httpx.AsyncClient) -> list[Outgoing]
        # HTTP destinations only; `client` is for token exchanges (Azure, Google)

Exceptions::

    DestinationError        a batch cannot be delivered as configured (e.g. a token
                            exchange refused the credentials); `retryable` tells whether
                            trying again later may help
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class StreamEntry:
    """One entry as streams send it: the GraphQL AuditLog object plus its account."""

    account_id: str
    sequence: int
    id: str  # the entry's global id, as the API shows it
    occurred_at: str  # ISO-8601 UTC
    document: dict[str, object]  # the AuditLog fields under their GraphQL names, plus accountId


@dataclass(frozen=True)
class Batch:
    """Entries of one stream in sequence order, sent together."""

    stream_id: str  # the stream's global id
    account_id: str
    entries: tuple[StreamEntry, ...]

    @property
    def first_sequence(self) -> int:
        """The sequence of the batch's first entry."""
        return self.entries[0].sequence

    @property
    def last_sequence(self) -> int:
        """The sequence of the batch's last entry."""
        return self.entries[-1].sequence


@dataclass(frozen=True)
class Outgoing:
    """One HTTP request to a receiver."""

    method: str
    url: str
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""


class DestinationError(Exception):
    """A batch cannot be delivered as configured; `retryable` if a later try may succeed."""

    def __init__(self, message: str, *, retryable: bool) -> None:
        super().__init__(message)
        self.retryable = retryable
