"""GraphQL output types, built from resolver values by `from_value` classmethods."""

from __future__ import annotations

import datetime as dt
from typing import cast

import strawberry
from strawberry.scalars import JSON

from auth.principal import Principal
from catalogue import category_of
from resolvers.actions import ActionInfo
from resolvers.audit_logs import Page
from resolvers.descriptions import describe
from resolvers.entries import Entry
from resolvers.facets import Facet as FacetResult
from resolvers.facets import total
from resolvers.recording import RecordResult
from resolvers.selection import Selection
from schema.database_slots import DatabaseSlot
from schema.enums import ActorType, Category, FacetField, Outcome, Permission, Role
from schema.ids import to_global_id
from schema.node import Node
from schema.scalars import BigInt

EXTERNAL_ID = (
    "The producer's own id of this record. Not an identity for client caches: the same "
    "record appears in many entries, each keeping the name it had then."
)


@strawberry.type(description="Who performed the activity, as recorded at the time.")
class Actor:
    type: ActorType
    external_id: str | None = strawberry.field(description=EXTERNAL_ID)
    name: str | None
    email: str | None


@strawberry.type(description="The record the activity was about, as recorded at the time.")
class Target:
    type: str
    external_id: str | None = strawberry.field(description=EXTERNAL_ID)
    name: str | None


@strawberry.type(description="One field's value before and after the activity.")
class Change:
    field: str
    before: JSON | None
    after: JSON | None


@strawberry.type(description="One recorded activity of the account.")
class AuditLog(Node):
    sequence: BigInt = strawberry.field(
        description="Per-account number, increasing in commit order without gaps."
    )
    action: str
    category: Category | None = strawberry.field(
        description="The action's catalogue category; null for actions unknown to it."
    )
    actor: Actor
    target: Target | None
    changes: list[Change]
    metadata: JSON
    tags: list[str] = strawberry.field(description="Lower-case words the producer attached.")
    outcome: Outcome
    failure_reason: str | None
    ip_address: str | None
    user_agent: str | None
    request_id: str | None
    occurred_at: dt.datetime
    recorded_at: dt.datetime
    entry: strawberry.Private[Entry]
    locale: strawberry.Private[str | None]

    @strawberry.field(
        description='The activity as a readable sentence, in `locale` (e.g. "de") or the '
        "request's Accept-Language; English when neither is shipped."
    )
    def description(self, locale: str | None = None) -> str:
        # No `info`: a pure method takes the executor's shortcut (schema/execution.py).
        return describe(self.entry, locale or self.locale)

    @classmethod
    def from_value(cls, entry: Entry, locale: str | None) -> AuditLog:
        """Build the GraphQL object of an entry, its sentence in `locale` by default."""
        actor, target = entry.actor, entry.target
        return cls(
            id=strawberry.ID(to_global_id("AuditLog", entry.id)),
            sequence=BigInt(entry.sequence),
            action=entry.action,
            category=category_of(entry.action),
            actor=Actor(type=actor.type, external_id=actor.id, name=actor.name, email=actor.email),
            target=(
                Target(type=target.type, external_id=target.id, name=target.name)
                if target
                else None
            ),
            changes=[
                Change(field=c.field, before=cast(JSON, c.before), after=cast(JSON, c.after))
                for c in entry.changes
            ],
            metadata=cast(JSON, entry.stored_metadata),
            tags=list(entry.tags),
            outcome=entry.outcome,
            failure_reason=entry.failure_reason,
            ip_address=entry.ip_address,
            user_agent=entry.user_agent,
            request_id=entry.request_id,
            occurred_at=entry.occurred_at,
            recorded_at=entry.recorded_at,
            entry=entry,
            locale=locale,
        )


@strawberry.type(description="A catalogue action, for filter menus.")
class AuditAction:
    name: str
    category: Category
    category_label: str
    label: str = strawberry.field(description='Short name, e.g. "Inbox created".')
    description: str = strawberry.field(description="An example sentence of the action.")

    @classmethod
    def from_value(cls, info: ActionInfo) -> AuditAction:
        """Build the GraphQL object of a catalogue action."""
        return cls(
            name=info.name,
            category=info.category,
            category_label=info.category_label,
            label=info.label,
            description=info.description,
        )


@strawberry.type
class AuditLogEdge:
    cursor: str
    node: AuditLog


@strawberry.type
class PageInfo:
    start_cursor: str | None
    end_cursor: str | None
    page: strawberry.Private[Page]

    @strawberry.field
    async def has_next_page(self) -> bool:
        return await self.page.has_next_page()

    @strawberry.field
    async def has_previous_page(self) -> bool:
        return await self.page.has_previous_page()


@strawberry.type(description="A page of audit-log entries, Relay style.")
class AuditLogConnection:
    edges: list[AuditLogEdge]
    page_info: PageInfo
    selection: strawberry.Private[Selection]

    @strawberry.field(
        description="How many entries match the filter and query (all pages).",
        extensions=[DatabaseSlot()],
    )
    async def total_count(self) -> BigInt:
        return BigInt(await total(self.selection))

    @classmethod
    def from_value(cls, page: Page, selection: Selection, locale: str | None) -> AuditLogConnection:
        """Build the connection of a page."""
        edges = [
            AuditLogEdge(cursor=cursor, node=AuditLog.from_value(entry, locale))
            for entry, cursor in zip(page.entries, page.cursors, strict=True)
        ]
        return cls(
            edges=edges,
            page_info=PageInfo(
                start_cursor=page.cursors[0] if page.cursors else None,
                end_cursor=page.cursors[-1] if page.cursors else None,
                page=page,
            ),
            selection=selection,
        )


@strawberry.type
class FacetValue:
    value: str = strawberry.field(description="Pass this back in a filter or query.")
    label: str
    count: BigInt


@strawberry.type(description="The most frequent values of one field.")
class Facet:
    field: FacetField
    values: list[FacetValue]

    @classmethod
    def from_value(cls, facet: FacetResult) -> Facet:
        """Build the GraphQL object of a facet."""
        values = [
            FacetValue(value=v.value, label=v.label, count=BigInt(v.count)) for v in facet.values
        ]
        return cls(field=facet.field, values=values)


@strawberry.type(description="How many entries fall in one time bucket.")
class HistogramBucket:
    start: dt.datetime = strawberry.field(description="Bucket start, in the requested time zone.")
    count: BigInt


@strawberry.type(description="The caller, as its token names it.")
class Viewer:
    id: strawberry.ID = strawberry.field(
        description="Unique among viewers: the account and the token's subject, opaque."
    )
    external_id: str = strawberry.field(description="The token's subject (`sub` claim).")
    name: str | None
    email: str | None
    account_id: str | None
    roles: list[Role] = strawberry.field(description="Token roles plus active grants.")
    permissions: list[Permission] = strawberry.field(
        description="What the caller may do, e.g. AUDIT_LOGS_READ, ROLES_MANAGE."
    )

    @classmethod
    def from_value(cls, principal: Principal) -> Viewer:
        """Build the viewer of a principal."""
        return cls(
            id=strawberry.ID(
                to_global_id("Viewer", f"{principal.account_id or ''}:{principal.subject}")
            ),
            external_id=principal.subject,
            name=principal.name,
            email=principal.email,
            account_id=principal.account_id,
            roles=sorted(principal.roles),
            permissions=principal.permissions,
        )


@strawberry.type(name="RecordResult", description="What became of one input event.")
class RecordResultType:
    entry_id: strawberry.ID = strawberry.field(
        description="The stored entry's id (an AuditLog id). Not named `id`: two results of "
        "one batch can name the same entry, and a client cache must not merge them."
    )
    duplicate: bool = strawberry.field(
        description="True when the idempotencyKey was seen before; entryId is the first entry's."
    )
    sequence: BigInt = strawberry.field(description="The entry's per-account sequence.")
    recorded_at: dt.datetime = strawberry.field(description="When the entry was stored.")

    @classmethod
    def from_value(cls, result: RecordResult) -> RecordResultType:
        """Build the result of one recorded event."""
        return cls(
            entry_id=strawberry.ID(to_global_id("AuditLog", result.id)),
            duplicate=result.duplicate,
            sequence=BigInt(result.sequence),
            recorded_at=result.recorded_at,
        )


@strawberry.type
class RecordAuditLogsPayload:
    results: list[RecordResultType]
