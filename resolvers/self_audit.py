"""Record the service's own access changes as ordinary entries of the account's log."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from models.audit_log import ActorType, Outcome
from models.ip_address import parse_address
from resolvers.entries import Actor, Change, Target
from resolvers.event_validation import LIMITS, NewEvent
from resolvers.recording import record_events
from resolvers.redaction import RedactionPolicy


@dataclass(frozen=True)
class Acting:
    """Who changes access (or exports), in which account, and from where.

    `actor_type` is USER for a caller with a token, SYSTEM for an operator at the
    command line, who acts on the platform rather than as a member of the account.
    """

    account_id: str
    user_id: str
    user_name: str | None = None
    user_email: str | None = None
    ip_address: str | None = None
    user_agent: str | None = None
    request_id: str | None = None
    actor_type: ActorType = ActorType.USER

    @property
    def actor(self) -> Actor:
        """The acting caller as the entry's actor."""
        return Actor(self.actor_type, self.user_id, self.user_name, self.user_email)


async def record_access_change(
    acting: Acting,
    action: str,
    target: Target | None,
    metadata: dict[str, object],
    changes: Sequence[Change] = (),
    now: dt.datetime | None = None,
    failure_reason: str | None = None,
) -> None:
    """Append one entry describing what `acting` did to the log or its access.

    With `failure_reason` the entry records a failed attempt (outcome FAILURE).
    """
    event = NewEvent(
        action=action,
        actor=acting.actor,
        target=target,
        changes=tuple(changes),
        metadata=metadata,
        outcome=Outcome.FAILURE if failure_reason else Outcome.SUCCESS,
        failure_reason=_clip(failure_reason, LIMITS["failureReason"]),
        ip_address=_valid_ip(acting.ip_address),
        user_agent=_clip(acting.user_agent, LIMITS["userAgent"]),
        request_id=_clip(acting.request_id, LIMITS["requestId"]),
        occurred_at=now,
    )
    await record_events(acting.account_id, [event], RedactionPolicy(), now)


def _valid_ip(text: str | None) -> str | None:
    if text is None:
        return None
    try:
        return str(parse_address(text))
    except ValueError:
        return None  # a peer that is no IP address (a test client, a unix socket)


def _clip(text: str | None, limit: int) -> str | None:
    # Request headers are the service's own evidence here: keep them, clipped, never refuse.
    return None if text is None else text.replace("\x00", "")[:limit]
