"""GraphQL types of log streams: the stream, its recent attempts, inputs and payloads."""

from __future__ import annotations

import datetime as dt
import enum

import strawberry
from strawberry.scalars import JSON

from models.stream import AuditLogStream as StreamRow
from models.stream import StreamAttempt as AttemptRow
from resolvers.errors import InvalidInputError
from schema.export_types import filter_body
from schema.ids import to_global_id
from schema.inputs import AuditLogFilter
from schema.node import Node
from schema.scalars import BigInt
from streams.manage import StreamSpec


@strawberry.enum(description="Where a stream delivers.")
class StreamKind(enum.Enum):
    WEBHOOK = "webhook"
    DATADOG = "datadog"
    SPLUNK = "splunk"
    AZURE_MONITOR = "azure_monitor"
    GOOGLE_CLOUD_LOGGING = "google_cloud_logging"
    SYSLOG = "syslog"


@strawberry.enum(description="Whether a stream delivers.")
class StreamStatus(enum.Enum):
    ACTIVE = "ACTIVE"
    PAUSED = "PAUSED"
    FAILING = "FAILING"


@strawberry.type(description="One delivery attempt of a batch, and the receiver's answer.")
class StreamAttempt:
    at: dt.datetime
    first_sequence: BigInt
    last_sequence: BigInt
    entries: int
    succeeded: bool
    status_code: int | None = strawberry.field(description="The receiver's HTTP status, if any.")
    message: str | None = strawberry.field(description="The receiver's answer, or the error.")

    @classmethod
    def from_model(cls, row: AttemptRow) -> StreamAttempt:
        """Build the GraphQL object of an attempt."""
        return cls(
            at=row.at,
            first_sequence=BigInt(row.first_sequence),
            last_sequence=BigInt(row.last_sequence),
            entries=row.entries,
            succeeded=row.succeeded,
            status_code=row.status_code,
            message=row.message,
        )


@strawberry.type(
    description="A log stream: every entry of the account matching its filter and query, "
    "delivered in sequence order to a receiver, at least once."
)
class AuditLogStream(Node):
    name: str
    kind: StreamKind
    settings: JSON = strawberry.field(description="The destination's settings (no secret).")
    secret_hint: str | None = strawberry.field(
        description="The last characters of the secret, to tell which one is stored."
    )
    filter: JSON = strawberry.field(description="Which entries go, as AuditLogFilter fields.")
    query: str | None
    status: StreamStatus
    delivered_sequence: BigInt = strawberry.field(
        description="Every matching entry up to this sequence was accepted by the receiver."
    )
    lag_entries: BigInt = strawberry.field(
        description="Entries recorded after deliveredSequence (matching or not): an upper bound."
    )
    lag_seconds: float = strawberry.field(
        description="Age of the oldest entry recorded after deliveredSequence; 0 if none."
    )
    last_success_at: dt.datetime | None
    last_error: str | None
    last_error_at: dt.datetime | None
    next_attempt_at: dt.datetime | None = strawberry.field(description="When a retry is due.")
    created_at: dt.datetime
    updated_at: dt.datetime
    recent_attempts: list[StreamAttempt] = strawberry.field(
        description="The latest delivery attempts, newest first."
    )

    @classmethod
    def from_model(
        cls,
        row: StreamRow,
        attempts: list[AttemptRow],
        lag: tuple[int, float],
    ) -> AuditLogStream:
        """Build the GraphQL object of a stream, with its attempts and lag."""
        return cls(
            id=strawberry.ID(to_global_id("AuditLogStream", row.id)),
            name=row.name,
            kind=StreamKind(row.kind),
            settings=row.settings,
            secret_hint=row.secret_hint,
            filter=row.filter_json,
            query=row.query,
            status=StreamStatus(row.status),
            delivered_sequence=BigInt(row.delivered_sequence),
            lag_entries=BigInt(lag[0]),
            lag_seconds=lag[1],
            last_success_at=row.last_success_at,
            last_error=row.last_error,
            last_error_at=row.last_error_at,
            next_attempt_at=row.next_attempt_at,
            created_at=row.created_at,
            updated_at=row.updated_at,
            recent_attempts=[StreamAttempt.from_model(a) for a in attempts],
        )


@strawberry.input(description="A new stream; it starts with the entries recorded from now on.")
class CreateAuditLogStreamInput:
    name: str
    kind: StreamKind
    settings: JSON = strawberry.field(
        description="The destination's settings, e.g. {url} for a webhook (see the README)."
    )
    secret: str | None = strawberry.field(
        default=None, description="API key, token or signing secret; never returned."
    )
    filter_: AuditLogFilter | None = strawberry.field(default=None, name="filter")
    query: str | None = None

    def spec(self) -> StreamSpec:
        """The stream as streams.manage takes it."""
        return StreamSpec(
            name=self.name,
            kind=self.kind.value,
            settings=_settings(self.settings),
            secret=self.secret,
            filter=filter_body(self.filter_) if self.filter_ else {},
            query=self.query,
        )


@strawberry.input(description="Changes to a stream; fields left out stay as they are.")
class UpdateAuditLogStreamInput:
    id: strawberry.ID
    name: str | None = None
    settings: JSON | None = None
    secret: str | None = None
    filter_: AuditLogFilter | None = strawberry.field(default=None, name="filter")
    query: str | None = None

    def spec(self) -> StreamSpec:
        """The changes as streams.manage takes them."""
        return StreamSpec(
            name=self.name,
            settings=None if self.settings is None else _settings(self.settings),
            secret=self.secret,
            filter=filter_body(self.filter_) if self.filter_ else None,
            query=self.query,
        )


@strawberry.input(description="Which stream.")
class AuditLogStreamIdInput:
    id: strawberry.ID


@strawberry.input(description="Deliver again from an entry on.")
class ReplayAuditLogStreamInput:
    id: strawberry.ID
    from_sequence: BigInt = strawberry.field(description="The first entry to send again.")


@strawberry.type(description="The stream after the change.")
class AuditLogStreamPayload:
    stream: AuditLogStream


@strawberry.type(description="What deleteAuditLogStream removed.")
class DeleteAuditLogStreamPayload:
    deleted_id: strawberry.ID


@strawberry.type(description="What the receiver answered to one test entry.")
class TestAuditLogStreamPayload:
    succeeded: bool
    status_code: int | None
    message: str


def _settings(value: object) -> dict[str, str]:
    """Settings are a JSON object of strings (numbers and booleans are written as text)."""
    if not isinstance(value, dict):
        raise InvalidInputError.single(
            "input.settings", 'must be a JSON object such as {"url": "https://..."}.'
        )
    settings: dict[str, str] = {}
    for key, item in value.items():
        if isinstance(item, bool):
            settings[str(key)] = "1" if item else "0"
        elif isinstance(item, str | int | float):
            settings[str(key)] = str(item)
        else:
            raise InvalidInputError.single(
                f"input.settings.{key}", "must be a string, number or boolean."
            )
    return settings
