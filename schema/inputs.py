"""GraphQL input types and their conversion to resolver values."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import strawberry
from strawberry.scalars import JSON
from strawberry.types.arguments import InputContext

from resolvers.entries import Actor, Change, Target
from resolvers.event_validation import NewEvent
from resolvers.filters import AuditLogFilter as FilterValue
from schema.enums import ActorType, Category, Outcome
from schema.scalars import BigInt


@strawberry.input(description="Who performed the activity.")
class ActorInput:
    type: ActorType
    id: str | None = None
    name: str | None = None
    email: str | None = None


@strawberry.input(description="The record the activity was about.")
class TargetInput:
    type: str
    id: str | None = None
    name: str | None = None


@strawberry.input(description="One changed field; values are any JSON.")
class ChangeInput:
    field: str
    before: JSON | None = None
    after: JSON | None = None


@strawberry.input(description="One event to record.")
class AuditLogInput:
    action: str = strawberry.field(description='Dotted lower-case name, e.g. "inbox.create".')
    actor: ActorInput | None = strawberry.field(
        default=None, description="Omitted: the system acted."
    )
    target: TargetInput | None = None
    changes: list[ChangeInput] | None = None
    metadata: JSON | None = strawberry.field(default=None, description="A JSON object.")
    tags: list[str] | None = strawberry.field(
        default=None,
        description='Up to 20 lower-case words such as "gdpr" or "billing-eu"; repeats are '
        "stored once.",
    )
    outcome: Outcome = Outcome.SUCCESS
    failure_reason: str | None = None
    ip_address: str | None = None
    user_agent: str | None = None
    request_id: str | None = None
    occurred_at: dt.datetime | None = strawberry.field(
        default=None, description="When it happened, with a time zone; defaults to now."
    )
    idempotency_key: str | None = strawberry.field(
        default=None, description="Events repeating a key already stored are not stored again."
    )
    account_id: str | None = strawberry.field(
        default=None, description="Only for platform ingest tokens, which carry no account."
    )


def _event_from_input(cls: type, value: Mapping[str, Any], context: InputContext) -> NewEvent:
    """Build the resolver's event straight from graphql-core's coerced input.

    Recording takes up to 1000 events per call; building strawberry objects for every
    nested field first costs more than storing them, so the type's `from_input` hook
    makes the plain value directly (graphql-core has already checked every type).
    """
    actor, target = value.get("actor"), value.get("target")
    return NewEvent(
        action=value["action"],
        actor=(
            Actor(ActorType(actor["type"]), actor.get("id"), actor.get("name"), actor.get("email"))
            if actor
            else None
        ),
        target=Target(target["type"], target.get("id"), target.get("name")) if target else None,
        changes=tuple(
            Change(c["field"], c.get("before"), c.get("after")) for c in value.get("changes") or ()
        ),
        metadata=value.get("metadata"),
        tags=tuple(value.get("tags") or ()),
        outcome=Outcome(value.get("outcome") or Outcome.SUCCESS),
        failure_reason=value.get("failureReason"),
        ip_address=value.get("ipAddress"),
        user_agent=value.get("userAgent"),
        request_id=value.get("requestId"),
        occurred_at=value.get("occurredAt"),
        idempotency_key=value.get("idempotencyKey"),
        account_id=value.get("accountId"),
    )


AuditLogInput.__strawberry_definition__.from_input = _event_from_input  # type: ignore[attr-defined]


@strawberry.input(description="A top-level metadata key and the value it must have.")
class MetadataFilter:
    key: str
    value: str = strawberry.field(
        description='Matches a string equal to it; "42" also matches the number 42 and '
        '"true" the boolean true.'
    )


@strawberry.input(
    description="Conditions combined with AND; the values inside one list are combined with OR."
)
class AuditLogFilter:
    actions: list[str] | None = strawberry.field(
        default=None, description='Exact names, or prefixes written "inbox.*".'
    )
    categories: list[Category] | None = strawberry.field(
        default=None, description="Catalogue categories (see auditActions); CUSTOM is custom.*."
    )
    actor_ids: list[str] | None = None
    actor_types: list[ActorType] | None = None
    outcomes: list[Outcome] | None = None
    target_types: list[str] | None = None
    target_ids: list[str] | None = None
    occurred_after: dt.datetime | None = strawberry.field(
        default=None, description="Inclusive lower bound."
    )
    occurred_before: dt.datetime | None = strawberry.field(
        default=None, description="Exclusive upper bound."
    )
    ip_addresses: list[str] | None = strawberry.field(
        default=None, description="Addresses or CIDR blocks such as 203.0.113.0/24."
    )
    request_id: str | None = None
    after_sequence: BigInt | None = strawberry.field(
        default=None, description="Only entries whose sequence is greater."
    )
    search: str | None = strawberry.field(
        default=None,
        description="Words matched case-insensitively in the description, actor and target names.",
    )
    tags: list[str] | None = strawberry.field(
        default=None, description="Entries carrying any of these tags."
    )
    metadata: list[MetadataFilter] | None = strawberry.field(
        default=None,
        description="Exact values of top-level metadata keys: pairs with the same key are "
        "alternatives (OR), different keys must all match (AND).",
    )

    def to_value(self) -> FilterValue:
        """Return the resolver's form of this filter."""
        return FilterValue(
            actions=tuple(self.actions or ()),
            categories=tuple(self.categories or ()),
            actor_ids=tuple(self.actor_ids or ()),
            actor_types=tuple(self.actor_types or ()),
            outcomes=tuple(self.outcomes or ()),
            target_types=tuple(self.target_types or ()),
            target_ids=tuple(self.target_ids or ()),
            occurred_after=self.occurred_after,
            occurred_before=self.occurred_before,
            ip_addresses=tuple(self.ip_addresses or ()),
            request_id=self.request_id,
            after_sequence=self.after_sequence,
            search=self.search,
            tags=tuple(self.tags or ()),
            metadata=tuple((pair.key, pair.value) for pair in self.metadata or ()),
        )
