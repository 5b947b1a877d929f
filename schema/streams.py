"""Log-stream fields: list, create, change, pause, resume, delete, replay and test streams.

Everything here needs the streams:manage permission (admins) and stays in the
caller's account; every change is an audited entry (streams/manage.py). Secrets go in
and are never returned: a stream shows only the hint of its secret.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import strawberry
from strawberry.extensions.field_extension import FieldExtension
from strawberry.permission import PermissionExtension
from strawberry.types import Info

from auth.permissions import CanManageStreams
from models.stream import AuditLogStream as StreamRow
from schema.context import Context
from schema.ids import from_global_id, to_global_id
from schema.stream_types import (
    AuditLogStream,
    AuditLogStreamIdInput,
    AuditLogStreamPayload,
    CreateAuditLogStreamInput,
    DeleteAuditLogStreamPayload,
    ReplayAuditLogStreamInput,
    TestAuditLogStreamPayload,
    UpdateAuditLogStreamInput,
)
from streams import manage
from streams.manage import StreamRules

if TYPE_CHECKING:
    from streams.delivery import DeliveryConfig


def _managers() -> list[FieldExtension]:
    return [PermissionExtension([CanManageStreams()], use_directives=False)]


def _config(info: Info[Context, None]) -> DeliveryConfig:
    config = info.context.streams
    if config is None:
        raise RuntimeError("streams are not configured in this context")
    return config


def _rules(info: Info[Context, None]) -> StreamRules:
    config = _config(info)
    return StreamRules(config.box, config.allow_private)


def _id(value: strawberry.ID, field: str = "input.id") -> int:
    return from_global_id("AuditLogStream", value, field)


async def load_stream(
    info: Info[Context, None], account_id: str, local_id: int
) -> AuditLogStream | None:
    """A stream of the account as its GraphQL object, or None."""
    row = await StreamRow.get_or_none(id=local_id, account_id=account_id)
    return await _shown(row) if row else None


async def _shown(row: StreamRow) -> AuditLogStream:
    now = dt.datetime.now(dt.UTC)
    return AuditLogStream.from_model(
        row, await manage.recent_attempts(row), await manage.stream_lag(row, now)
    )


async def _payload(row: StreamRow) -> AuditLogStreamPayload:
    return AuditLogStreamPayload(stream=await _shown(row))


@strawberry.type
class StreamQuery:
    @strawberry.field(extensions=_managers(), description="The account's log streams.")
    async def audit_log_streams(self, info: Info[Context, None]) -> list[AuditLogStream]:
        rows = await manage.list_streams(info.context.acting().account_id)
        return [await _shown(row) for row in rows]

    @strawberry.field(
        extensions=_managers(), description="One stream by id; null if absent or elsewhere."
    )
    async def audit_log_stream(
        self, info: Info[Context, None], id: strawberry.ID
    ) -> AuditLogStream | None:
        return await load_stream(info, info.context.acting().account_id, _id(id, "id"))


@strawberry.type
class StreamMutation:
    @strawberry.mutation(
        extensions=_managers(),
        description="Start streaming the account's new entries (matching filter and query) "
        "to a receiver.",
    )
    async def create_audit_log_stream(
        self, info: Info[Context, None], input: CreateAuditLogStreamInput
    ) -> AuditLogStreamPayload:
        now = dt.datetime.now(dt.UTC)
        row = await manage.create_stream(info.context.acting(), input.spec(), _rules(info), now)
        return await _payload(row)

    @strawberry.mutation(extensions=_managers(), description="Change a stream.")
    async def update_audit_log_stream(
        self, info: Info[Context, None], input: UpdateAuditLogStreamInput
    ) -> AuditLogStreamPayload:
        now = dt.datetime.now(dt.UTC)
        acting = info.context.acting()
        row = await manage.update_stream(acting, _id(input.id), input.spec(), _rules(info), now)
        return await _payload(row)

    @strawberry.mutation(extensions=_managers(), description="Stop delivering, keeping the place.")
    async def pause_audit_log_stream(
        self, info: Info[Context, None], input: AuditLogStreamIdInput
    ) -> AuditLogStreamPayload:
        now = dt.datetime.now(dt.UTC)
        row = await manage.set_paused(info.context.acting(), _id(input.id), True, now)
        return await _payload(row)

    @strawberry.mutation(
        extensions=_managers(),
        description="Deliver again from where the stream stopped (a FAILING one retries now).",
    )
    async def resume_audit_log_stream(
        self, info: Info[Context, None], input: AuditLogStreamIdInput
    ) -> AuditLogStreamPayload:
        now = dt.datetime.now(dt.UTC)
        row = await manage.set_paused(info.context.acting(), _id(input.id), False, now)
        return await _payload(row)

    @strawberry.mutation(extensions=_managers(), description="Remove a stream.")
    async def delete_audit_log_stream(
        self, info: Info[Context, None], input: AuditLogStreamIdInput
    ) -> DeleteAuditLogStreamPayload:
        local_id = _id(input.id)
        await manage.delete_stream(info.context.acting(), local_id, dt.datetime.now(dt.UTC))
        return DeleteAuditLogStreamPayload(
            deleted_id=strawberry.ID(to_global_id("AuditLogStream", local_id))
        )

    @strawberry.mutation(
        extensions=_managers(),
        description="Deliver again from entry fromSequence on (receivers see those twice).",
    )
    async def replay_audit_log_stream(
        self, info: Info[Context, None], input: ReplayAuditLogStreamInput
    ) -> AuditLogStreamPayload:
        now = dt.datetime.now(dt.UTC)
        acting = info.context.acting()
        row = await manage.replay_stream(acting, _id(input.id), int(input.from_sequence), now)
        return await _payload(row)

    @strawberry.mutation(
        extensions=_managers(),
        description="Send the receiver one test entry (not stored) and return its answer.",
    )
    async def test_audit_log_stream(
        self, info: Info[Context, None], input: AuditLogStreamIdInput
    ) -> TestAuditLogStreamPayload:
        # Imported here: streams.delivery -> export.formats -> schema would loop at start-up.
        from streams.delivery import StreamDelivery, stream_entry_for_test

        acting = info.context.acting()
        row = await manage.get_stream(acting.account_id, _id(input.id))
        delivery = StreamDelivery(_config(info))
        try:
            answer = await delivery.send(row, stream_entry_for_test(row, acting.user_id))
        finally:
            await delivery.close()
        return TestAuditLogStreamPayload(
            succeeded=answer.ok, status_code=answer.status_code, message=answer.message
        )
