"""Readable sentences for entries, in any shipped language, from the action catalogue.

A sentence is the first template, among the candidates for an activity, whose
placeholders can all be filled: a specific form (self, one changed field, failure),
then the action's own template, then the generic sentence of its verb, then a
fallback. A language that lacks a template borrows the English one (never a key).
"""

from __future__ import annotations

import datetime as dt
import functools
import string
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Protocol, cast

from catalogue import CUSTOM_PREFIX, is_custom, lookup
from catalogue.de import GERMAN
from catalogue.en import ENGLISH
from catalogue.language import Language, negotiate
from models.audit_log import ActorType, Outcome
from resolvers.entries import Actor, Change, Target
from resolvers.redaction import REDACTED

LANGUAGES: dict[str, Language] = {"en": ENGLISH, "de": GERMAN}
MAX_LISTED_FIELDS = 5
PERSON_TYPES = frozenset({"user", "account_user"})
SLOTS = frozenset(
    {
        "actor",
        "target",
        "object",
        "target_type",
        "name",
        "user",
        "member",
        "role",
        "fields",
        "field",
        "from",
        "to",
        "until",
        "reason",
        "label",
        "conversation",
        "count",
        "report",
        "format",
        "merged",
        "access",
        "use",
        "custom",
        "action",
        "activity",
        "infinitive",
    }
)


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


@functools.lru_cache(maxsize=256)
def language_for(locale: str | None) -> Language:
    """Return the shipped language for a locale or Accept-Language value, English if none."""
    return LANGUAGES[negotiate(locale, LANGUAGES)]


def describe(activity: Activity, locale: str | None = "en") -> str:
    """Return the sentence for an activity in the locale's language."""
    language = language_for(locale)
    own = _Slots(activity, language)
    english = own if language is ENGLISH else _Slots(activity, ENGLISH)
    for in_english, template in _candidates(activity, language):
        try:
            return template.fill(english if in_english else own)
        except KeyError:
            continue
    return activity.action  # unreachable: the last fallback needs only the action


def actor_label(actor: Actor, language: Language = ENGLISH) -> str:
    """Name the actor as a reader knows it: name, else e-mail, else a labelled id."""
    if actor.name:
        return actor.name
    if actor.email:
        return actor.email
    if actor.type is ActorType.SYSTEM:
        return language.words["system"]
    if not actor.id:
        return language.words["unknown_actor"]
    key = "api_client" if actor.type is ActorType.API_CLIENT else "user"
    return language.words[key].format(id=actor.id)


def label_of(action: str, language: Language) -> str:
    """Return the short label of an action ("Inbox created") for filter menus."""
    if action in language.labels:
        return language.labels[action]
    spec = lookup(action)
    if spec is not None and spec.entity in language.nouns and spec.verb in language.verbs:
        return f"{language.nouns[spec.entity].label} {language.verbs[spec.verb].participle}"
    if language is not ENGLISH:
        return label_of(action, ENGLISH)
    return action


def _candidates(activity: Activity, language: Language) -> tuple[tuple[bool, Template], ...]:
    """The templates to try, in order, each with whether it is English (not `language`)."""
    single = activity.changes[0].field if len(activity.changes) == 1 else None
    failed = activity.outcome is Outcome.FAILURE
    return _candidates_of(activity.action, failed, single, _is_self(activity), language.code)


# Activities of one action, outcome and shape try the same templates: keep the list.
@functools.lru_cache(maxsize=4096)
def _candidates_of(
    action: str, failed: bool, single: str | None, self_form: bool, code: str
) -> tuple[tuple[bool, Template], ...]:
    language = LANGUAGES[code]
    found = [
        (source is not language, _compiled(template))
        for source, template in _candidate_templates(action, failed, single, self_form, language)
    ]
    return tuple(found)


def _candidate_templates(
    action: str, failed: bool, single: str | None, self_form: bool, language: Language
) -> Iterator[tuple[Language, str]]:
    spec = lookup(action)
    if failed:
        keys = [f"{action}#failure"]
        keys.append("failure#" if spec and spec.verb in language.verbs else "failure#unknown")
        keys.append("failure#unknown")
    else:
        keys = _variant_keys(action, single, self_form)
        keys.append(action)
    for key in keys:
        yield from _templates(key, language)
    if not failed:
        verb = action.rpartition(".")[2]
        for source in (language, ENGLISH):
            if spec is not None and verb in source.verbs:
                yield source, source.verbs[verb].sentence
        yield from _templates("custom#" if is_custom(action) else "unknown#", language)


def _variant_keys(action: str, single: str | None, self_form: bool) -> list[str]:
    keys = []
    if self_form and single:
        keys.append(f"{action}#self:field:{single}")
    if single:
        keys.append(f"{action}#field:{single}")
    if self_form:
        keys.append(f"{action}#self")
    return keys


def _templates(key: str, language: Language) -> Iterator[tuple[Language, str]]:
    source = language if key in language.sentences else ENGLISH
    for template in source.sentences.get(key, ()):
        yield source, template


def _is_self(activity: Activity) -> bool:
    actor, target = activity.actor, activity.target
    return (
        actor.type is ActorType.USER
        and actor.id is not None
        and target is not None
        and target.type in PERSON_TYPES
        and target.id == actor.id
    )


class Template:
    """A sentence template, split once into literal text and the slots that fill it.

    `fill` gives what `template.format_map(slots).strip()` gives, KeyError included
    (an unknown slot, or one without a value for this activity), without parsing the
    template or looking its slots up by name for every entry.
    """

    def __init__(
        self,
        text: str,
        parts: tuple[tuple[str, Callable[[_Slots], object]], ...] = (),
        tail: str = "",
    ) -> None:
        self.text = text
        self.parts = parts  # (literal text, then the slot after it)
        self.tail = tail

    def fill(self, slots: _Slots) -> str:
        """The sentence, or KeyError when a slot has no value for `slots`' activity."""
        pieces = []
        for literal, slot in self.parts:
            pieces.append(literal)
            value = slot(slots)
            if value is None:
                raise KeyError(self.text)
            pieces.append(str(value))
        pieces.append(self.tail)
        return "".join(pieces).strip()


class _FormatMap(Template):
    """A template with format specs or conversions: filled by str.format_map itself."""

    def fill(self, slots: _Slots) -> str:
        return self.text.format_map(slots).strip()


@functools.lru_cache(maxsize=1024)
def _compiled(text: str) -> Template:
    parts: list[tuple[str, Callable[[_Slots], object]]] = []
    pending = ""
    for literal, name, spec, conversion in string.Formatter().parse(text):
        pending += literal
        if name is None:
            continue
        if spec or conversion or not name.isidentifier():
            return _FormatMap(text)
        parts.append((pending, _slot(name)))
        pending = ""
    return Template(text, tuple(parts), pending)


def _slot(name: str) -> Callable[[_Slots], object]:
    fill = getattr(_Slots, f"_{name}", None)
    if name not in SLOTS or fill is None:
        return _unknown(name)
    return cast(Callable[[_Slots], object], fill)


def _unknown(name: str) -> Callable[[_Slots], object]:
    def missing(slots: _Slots) -> object:
        raise KeyError(name)

    return missing


class _Slots(Mapping[str, str]):
    """The placeholder values of one activity in one language; unknown ones raise KeyError."""

    def __init__(self, activity: Activity, language: Language) -> None:
        self.activity = activity
        self.language = language

    def __getitem__(self, key: str) -> str:
        fill = getattr(self, f"_{key}", None)
        if key not in SLOTS or fill is None:
            raise KeyError(key)
        value = fill()
        if value is None:
            raise KeyError(key)
        return str(value)

    def __iter__(self) -> Iterator[str]:
        return iter(())

    def __len__(self) -> int:
        return 0

    # Each _name method fills {name}; None means "not known for this activity", so the
    # template is skipped. Optional tails ({fields}, {until}, {reason}) may be "".

    def _actor(self) -> str:
        return actor_label(self.activity.actor, self.language)

    def _target(self) -> str | None:
        target = self.activity.target
        if target is None:
            return None
        parts = []
        if target.id:
            parts.append(f"#{target.id}" if target.id.isdigit() else target.id)
        if target.name:
            parts.append(f"({target.name})")
        return " ".join(parts) or None

    def _object(self) -> str | None:
        entity = self.activity.action.rpartition(".")[0]
        noun = self.language.nouns.get(entity)
        reference = self._target() or ""
        return noun.phrase.format(ref=reference).strip() if noun else None

    def _target_type(self) -> str | None:
        target = self.activity.target
        if target is None:
            return None
        noun = self.language.nouns.get(target.type)
        return noun.word if noun else target.type.replace("_", " ")

    def _name(self) -> str | None:
        target = self.activity.target
        return (target.name or target.id or None) if target else None

    def _user(self) -> str | None:
        target = self.activity.target
        if target is None:
            return None
        if target.name:
            return target.name
        return self.language.words["user"].format(id=target.id) if target.id else None

    def _member(self) -> str | None:
        metadata = self.activity.metadata
        name, member_id = metadata.get("member_name"), metadata.get("member_id")
        if name:
            return str(name)
        return self.language.words["user"].format(id=member_id) if member_id else None

    def _role(self) -> str | None:
        role = self.activity.metadata.get("role")
        if role is None:
            change = self._change("role")
            role = change.after if change else None
        return self._value("role", role)

    def _fields(self) -> str:
        names = [self._field_label(change.field) for change in self.activity.changes]
        if not names:
            return ""
        shown = names[:MAX_LISTED_FIELDS]
        if len(names) > MAX_LISTED_FIELDS:
            shown.append(self.language.words["more"].format(count=len(names) - len(shown)))
        if len(shown) == 1:
            return f": {shown[0]}"
        return ": " + ", ".join(shown[:-1]) + self.language.words["and"] + shown[-1]

    def _field(self) -> str | None:
        changes = self.activity.changes
        return self._field_label(changes[0].field) if len(changes) == 1 else None

    def _from(self) -> str | None:
        changes = self.activity.changes
        return self._value(changes[0].field, changes[0].before) if len(changes) == 1 else None

    def _to(self) -> str | None:
        changes = self.activity.changes
        return self._value(changes[0].field, changes[0].after) if len(changes) == 1 else None

    def _until(self) -> str:
        expires = self.activity.metadata.get("expires_at")
        if not isinstance(expires, str):
            return ""
        try:
            moment = dt.datetime.fromisoformat(expires)
        except ValueError:
            return ""
        date = moment.strftime(self.language.date_format)
        return self.language.words["until"].format(date=date)

    def _reason(self) -> str:
        reason = self.activity.failure_reason
        return self.language.words["reason"].format(reason=reason) if reason else ""

    def _label(self) -> str | None:
        return self._text("label")

    def _conversation(self) -> str | None:
        conversation = self._text("conversation_id")
        return f"#{conversation}" if conversation else None

    def _count(self) -> str | None:
        count = self.activity.metadata.get("count")
        return str(count) if isinstance(count, int) and not isinstance(count, bool) else None

    def _report(self) -> str | None:
        return self._text("report")

    def _format(self) -> str | None:
        return self._text("format")

    def _merged(self) -> str | None:
        name, merged_id = self._text("merged_contact_name"), self._text("merged_contact_id")
        if name and merged_id:
            return f"#{merged_id} ({name})"
        return name or (f"#{merged_id}" if merged_id else None)

    def _access(self) -> str | None:
        return self.language.words.get(f"access:{self.activity.metadata.get('role')}")

    def _use(self) -> str | None:
        return self.language.words.get(f"use:{self.activity.metadata.get('role')}")

    def _custom(self) -> str | None:
        action = self.activity.action
        return action[len(CUSTOM_PREFIX) :].replace("_", " ") if is_custom(action) else None

    def _action(self) -> str:
        return self.activity.action

    def _activity(self) -> str:
        return label_of(self.activity.action, self.language).lower()

    def _infinitive(self) -> str | None:
        verb = self.language.verbs.get(self.activity.action.rpartition(".")[2])
        return verb.infinitive if verb else None

    def _text(self, key: str) -> str | None:
        value = self.activity.metadata.get(key)
        return str(value) if isinstance(value, str | int) and value != "" else None

    def _change(self, field: str) -> Change | None:
        return next((c for c in self.activity.changes if c.field == field), None)

    def _field_label(self, field: str) -> str:
        for source in (self.language, ENGLISH):
            if field in source.fields:
                return source.fields[field]
        return field.replace("_", " ")

    def _value(self, field: str, value: object) -> str | None:
        """A changed value as words; None when absent, secret, structured or unmapped."""
        if value in (None, "", REDACTED) or isinstance(value, dict | list | bool):
            return None
        enumeration = self.language.values.get(field)
        if enumeration is not None:
            return enumeration.get(str(value).lower())
        return str(value)
