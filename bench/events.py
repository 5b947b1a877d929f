"""One realistic event of an account, and the row the service would store for it.

Rows are built by the service's own code (EventChecker, then the recording row builder
with its description and search text), so a loaded row is the row `recordAuditLogs`
would have written.
"""

from __future__ import annotations

import datetime as dt
import random

from bench import vocabulary as words
from bench.accounts import Account
from bench.actions import Builder
from bench.activity_mix import CLIENTS, SYSTEM, USERS
from models.audit_log import ActorType
from resolvers.entries import Actor
from resolvers.event_validation import EventChecker, NewEvent
from resolvers.recording import _row as service_row
from resolvers.redaction import RedactionPolicy

POLICY = RedactionPolicy()


class GeneratorError(Exception):
    """The generator built an event the service would refuse (a bug in bench/)."""


def build_row(
    account_id: str, sequence: int, event: NewEvent, recorded_at: dt.datetime, now: dt.datetime
) -> list[object]:
    """Check `event` as the service does and return its row, in INSERT_COLUMNS order."""
    checker = EventChecker(0, now, POLICY)
    checked = checker.check(event)
    if checker.problems:
        raise GeneratorError(f"the service would refuse {event!r}: {checker.problems}")
    return service_row(account_id, sequence, checked, recorded_at)


class EventFactory:
    """Builds one realistic event of an account: actor, activity, address, device."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def event(self, account: Account, occurred_at: dt.datetime, key: str | None) -> NewEvent:
        """Return an event of `account` at `occurred_at`, keyed for idempotency most of the time."""
        rng = self.rng
        kind = rng.random()
        if kind < 0.82:
            actor, ip, agent, builder = self._user(account)
        elif kind < 0.93:
            client = rng.choice(account.clients)
            actor = Actor(ActorType.API_CLIENT, client.id, client.name)
            ip, agent, builder = rng.choice(client.ips), client.agent, CLIENTS.choose(rng)
        else:
            actor, ip, agent = Actor(ActorType.SYSTEM), None, None
            builder = SYSTEM.choose(rng)
        draft = builder(rng, account)
        return NewEvent(
            action=draft.action,
            actor=actor,
            target=draft.target,
            changes=draft.changes,
            metadata=draft.metadata,
            outcome=draft.outcome,
            failure_reason=draft.failure_reason,
            ip_address=ip,
            user_agent=agent,
            request_id=None if agent is None else f"req_{rng.getrandbits(64):016x}",
            occurred_at=occurred_at,
            idempotency_key=key if rng.random() < 0.85 else None,
        )

    def _user(self, account: Account) -> tuple[Actor, str, str, Builder]:
        rng = self.rng
        person = rng.choices(account.users, cum_weights=account.user_cumulative)[0]
        where = rng.random()
        if where < 0.45:
            ip, agent = account.office_ip(rng), rng.choice(words.BROWSER_AGENTS[:4])
        elif where < 0.85:
            ip, agent = person.home_ip, rng.choice(words.BROWSER_AGENTS[:4])
        else:
            ip, agent = person.mobile_ip, rng.choice(words.BROWSER_AGENTS[4:])
        actor = Actor(ActorType.USER, person.id, person.name, person.email)
        return actor, ip, agent, USERS.choose(rng)
