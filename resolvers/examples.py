"""A realistic example event for every catalogue action, for help texts and tests."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from catalogue import ActionSpec
from models.audit_log import ActorType, Outcome
from resolvers.entries import Actor, Change, Target

ALICE = Actor(ActorType.USER, "1", "Alice Smith", "alice@example.com")
BOB = Target("user", "2", "Bob Jones")

TARGETS = {
    "account_user": BOB,
    "user": BOB,
    "inbox": Target("inbox", "5", "Support"),
    "inbox_member": Target("inbox", "5", "Support"),
    "team": Target("team", "2", "Tier 2"),
    "team_member": Target("team", "2", "Tier 2"),
    "webhook": Target("webhook", "12", "https://hooks.example.com/crm"),
    "conversation": Target("conversation", "1024"),
    "message": Target("message", "88"),
    "contact": Target("contact", "301", "Dana Kim"),
    "integration": Target("integration", "slack", "Slack"),
    "audit_log": BOB,
}
CHANGES: dict[str, tuple[Change, ...]] = {
    "account_user.update": (Change("role", 0, 1),),
    "conversation.status_change": (Change("status", 0, 1),),
    "conversation.priority_change": (Change("priority", 1, 3),),
    "conversation.assignee_change": (Change("assignee", "Bob Jones", "Dana Kim"),),
    "conversation.team_change": (Change("team", "Tier 1", "Escalations"),),
    "webhook.update": (
        Change("url", "https://old.example.com", "https://hooks.example.com/crm"),
        Change("subscriptions", ["message_created"], ["message_created", "conversation_created"]),
    ),
}
METADATA: dict[str, dict[str, object]] = {
    "member": {"member_id": "3", "member_name": "Chidi Okafor"},
    "conversation.label_add": {"label": "billing"},
    "conversation.label_remove": {"label": "billing"},
    "message.update": {"conversation_id": "1024"},
    "message.delete": {"conversation_id": "1024"},
    "report.export": {"report": "Agent performance"},
    "contact.merge": {"merged_contact_id": "302", "merged_contact_name": "D. Kim"},
    "contact.import": {"count": 250},
    "contact.export": {"count": 1200},
    "account_user.create": {"role": "agent"},
    "audit_log.role_granted": {"role": "log_viewer", "expires_at": "2026-12-10T00:00:00+00:00"},
    "audit_log.role_revoked": {"role": "log_viewer"},
    "audit_log.api_token_created": {"role": "log_viewer", "expires_at": None},
    "audit_log.api_token_revoked": {"role": "log_viewer"},
    "audit_log.exported": {"format": "CSV", "count": 4210, "query": "actor:alice@example.com"},
}


@dataclass(frozen=True)
class Example:
    """An activity as a producer would record it."""

    action: str
    actor: Actor = ALICE
    target: Target | None = None
    changes: Sequence[Change] = ()
    metadata: Mapping[str, object] = field(default_factory=dict)
    outcome: Outcome = Outcome.SUCCESS
    failure_reason: str | None = None


def example_for(spec: ActionSpec) -> Example:
    """Return a realistic event of the action, carrying every field it requires."""
    target = None
    if any(path.startswith("target") for path in spec.requires) or spec.entity in TARGETS:
        target = TARGETS.get(spec.entity, Target(spec.entity, "7", "Example"))
    if spec.name == "audit_log.api_token_created" or spec.name == "audit_log.api_token_revoked":
        target = Target("api_token", "3", "Nightly export")
    metadata = dict(METADATA.get(spec.name, {}))
    if spec.entity.endswith("_member"):
        metadata |= METADATA["member"]
    changes = CHANGES.get(spec.name)
    if changes is None and spec.verb == "update":
        changes = (Change("name", "Old name", "New name"), Change("description", None, "Text"))
    return Example(spec.name, target=target, changes=changes or (), metadata=metadata)
