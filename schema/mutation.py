"""Write fields: recording events."""

from __future__ import annotations

from typing import cast

import strawberry
from strawberry.permission import PermissionExtension
from strawberry.types import Info

from auth.permissions import CanRecordEvents
from observability.observation import note_recorded
from resolvers.event_validation import NewEvent
from resolvers.recording import record_events
from schema.context import Context
from schema.inputs import AuditLogInput
from schema.types import RecordAuditLogsPayload, RecordResultType


@strawberry.type
class RecordingMutation:
    @strawberry.mutation(
        extensions=[PermissionExtension([CanRecordEvents()], use_directives=False)],
        description="Record 1 to 1000 events, all or nothing; repeated idempotency keys "
        "store nothing new.",
    )
    async def record_audit_logs(
        self, info: Info[Context, None], input: list[AuditLogInput]
    ) -> RecordAuditLogsPayload:
        # AuditLogInput's from_input hook hands over NewEvent values (see schema/inputs.py).
        events = cast(list[NewEvent], input)
        results = await record_events(
            info.context.principal.account_id, events, info.context.redaction
        )
        note_recorded(len(results), sum(result.duplicate for result in results))
        return RecordAuditLogsPayload(results=[RecordResultType.from_value(r) for r in results])
