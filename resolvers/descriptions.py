"""Readable sentences for entries: a template per action, a sensible fallback otherwise."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Protocol

from models.audit_log import ActorType, Outcome
from resolvers.entries import Actor, Change, Target

# Past tense of the verbs actions end with; an action whose verb is listed reads
# "<actor> <past> <entity> <target>", e.g. "Alice Smith created inbox #5 (Support)".
PAST_TENSE = {
    "create": "created",
    "update": "updated",
    "delete": "deleted",
    "add": "added",
    "remove": "removed",
    "invite": "invited",
    "enable": "enabled",
    "disable": "disabled",
    "export": "exported",
    "import": "imported",
    "merge": "merged",
    "assign": "assigned",
    "reset": "reset",
}

# Verbs that take no object: "<actor> signed in".
INTRANSITIVE = {"sign_in": "signed in", "sign_out": "signed out", "sign_up": "signed up"}

MAX_LISTED_FIELDS = 5


class Activity(Protocol):
    """What a sentence is made from; stored entries and checked events both fit."""

    @property
    def action(self) -> str: ...
    @property
    def actor(self) -> Actor: ...
    @property
    def target(self) -> Target | None: ...
    @property
    def changes(self) -> Sequence[Change]: ...
    @property
    def metadata(self) -> Mapping[str, object]: ...
    @property
    def outcome(self) -> Outcome: ...
    @property
    def failure_reason(self) -> str | None: ...


def describe(activity: Activity) -> str:
    """Return the English sentence for an activity."""
    action, target = activity.action, activity.target
    entity, _, verb = action.rpartition(".")
    who = actor_label(activity.actor)
    if activity.outcome is Outcome.FAILURE:
        obj = "" if verb in INTRANSITIVE else _object(entity, target)
        sentence = f"{who} failed to {_words(verb)}{obj}"
        reason = activity.failure_reason
        return f"{sentence}: {reason}" if reason else sentence
    if action in SPECIAL:
        return SPECIAL[action](who, activity)
    if verb in INTRANSITIVE:
        return f"{who} {INTRANSITIVE[verb]}"
    if verb in PAST_TENSE:
        sentence = f"{who} {PAST_TENSE[verb]}{_object(entity, target)}"
        return sentence + _changed_fields(activity.changes) if verb == "update" else sentence
    on = f" on{_object(target.type, target)}" if target else ""
    return f'{who} performed "{action}"{on}'


def _role_granted(who: str, activity: Activity) -> str:
    person = _person(activity.target)
    if activity.metadata.get("role") == "admin":
        sentence = f"{who} made {person} an administrator of the audit log"
    else:
        sentence = f"{who} gave {person} read access to the audit log"
    return sentence + _until(activity.metadata)


def _role_revoked(who: str, activity: Activity) -> str:
    person = _person(activity.target)
    if activity.metadata.get("role") == "admin":
        return f"{who} removed {person} as an administrator of the audit log"
    return f"{who} removed {person}'s read access to the audit log"


def _api_token_created(who: str, activity: Activity) -> str:
    access = "read" if activity.metadata.get("role") == "log_viewer" else "ingest"
    name = activity.target.name if activity.target else None
    return f'{who} created the API token "{name}" with {access} access' + _until(activity.metadata)


def _api_token_revoked(who: str, activity: Activity) -> str:
    name = activity.target.name if activity.target else None
    return f'{who} revoked the API token "{name}"'


SPECIAL: dict[str, Callable[[str, Activity], str]] = {
    "audit_log.role_granted": _role_granted,
    "audit_log.role_revoked": _role_revoked,
    "audit_log.api_token_created": _api_token_created,
    "audit_log.api_token_revoked": _api_token_revoked,
}


def _person(target: Target | None) -> str:
    if target is None:
        return "someone"
    return target.name or f"user {target.id}"


def _until(metadata: Mapping[str, object]) -> str:
    expires = metadata.get("expires_at")
    return f" until {str(expires)[:10]}" if expires else ""


def actor_label(actor: Actor) -> str:
    """Name the actor as a reader knows it: name, else e-mail, else a labelled id."""
    if actor.name:
        return actor.name
    if actor.email:
        return actor.email
    if actor.type is ActorType.SYSTEM:
        return "System"
    kind = "API client" if actor.type is ActorType.API_CLIENT else "user"
    return f"{kind} {actor.id}" if actor.id else f"an unknown {kind}"


def target_reference(target: Target) -> str:
    """Return "#5 (Support)", "#5", "(Support)" or "" for a target."""
    parts = []
    if target.id:
        parts.append(f"#{target.id}" if target.id.isdigit() else target.id)
    if target.name:
        parts.append(f"({target.name})")
    return " ".join(parts)


def _object(entity: str, target: Target | None) -> str:
    reference = target_reference(target) if target else ""
    noun = _words(entity.rpartition(".")[2])
    return f" {noun} {reference}".rstrip()


def _changed_fields(changes: Sequence[Change]) -> str:
    names = [_words(change.field) for change in changes]
    if not names:
        return ""
    shown = names[:MAX_LISTED_FIELDS]
    rest = len(names) - len(shown)
    more = f" and {rest} more" if rest else ""
    return ": " + ", ".join(shown) + more


def _words(name: str) -> str:
    return name.replace("_", " ")
