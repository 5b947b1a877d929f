"""The GraphQL context: the verified caller plus the service's request policy."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from auth.context import RequestContext
from resolvers.export_jobs import JobPolicy
from resolvers.redaction import RedactionPolicy
from resolvers.self_audit import Acting
from schema.database_slots import DEFAULT_SLOTS

if TYPE_CHECKING:
    from schema.live import LiveCaller
    from streams.delivery import DeliveryConfig


@dataclass
class Context(RequestContext):
    """Everything a root field needs besides its arguments."""

    max_page_size: int = 100
    redaction: RedactionPolicy = field(default_factory=RedactionPolicy)
    # One per request: its database-heavy fields share these slots (schema/database_slots.py).
    database_slots: asyncio.Semaphore = field(
        default_factory=lambda: asyncio.Semaphore(DEFAULT_SLOTS)
    )
    # How export jobs are checked, woken and linked to (server.py supplies it).
    export_jobs: JobPolicy | None = None
    # A WebSocket's connection_init payload (Strawberry sets it), and how its verified
    # caller is checked again while a live tail runs (schema/live.py).
    connection_params: dict[str, object] | None = None
    live: LiveCaller | None = None
    # How log streams keep secrets and where they may send (server.py supplies it).
    streams: DeliveryConfig | None = None

    def acting(self) -> Acting:
        """The caller as the actor of an entry the service records about what it did."""
        principal = self.principal
        if principal.account_id is None:
            raise RuntimeError("recorded actions need an account-bound caller")
        return Acting(
            account_id=principal.account_id,
            user_id=principal.subject,
            user_name=principal.name,
            user_email=principal.email,
            ip_address=self.client_ip,
            user_agent=self.user_agent,
            request_id=self.request_id,
        )
