"""Readable sentences for entries: a template per action, a sensible fallback otherwise."""

from __future__ import annotations

from collections.abc import Sequence

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


def describe(
    action: str,
    actor: Actor,
    target: Target | None,
    changes: Sequence[Change],
    outcome: Outcome,
    failure_reason: str | None,
) -> str:
    """Return the English sentence for an activity."""
    entity, _, verb = action.rpartition(".")
    who = actor_label(actor)
    if outcome is Outcome.FAILURE:
        obj = "" if verb in INTRANSITIVE else _object(entity, target)
        sentence = f"{who} failed to {_words(verb)}{obj}"
        return f"{sentence}: {failure_reason}" if failure_reason else sentence
    if verb in INTRANSITIVE:
        return f"{who} {INTRANSITIVE[verb]}"
    if verb in PAST_TENSE:
        sentence = f"{who} {PAST_TENSE[verb]}{_object(entity, target)}"
        return sentence + _changed_fields(changes) if verb == "update" else sentence
    on = f" on{_object(target.type, target)}" if target else ""
    return f'{who} performed "{action}"{on}'


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
