"""Compiled templates and cached candidate lists give the sentences str.format_map gave."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from hypothesis import given, settings
from hypothesis import strategies as st

from catalogue import SPECS, is_custom, lookup
from catalogue.en import ENGLISH
from catalogue.language import Language
from models.audit_log import ActorType, Outcome
from resolvers.descriptions import LANGUAGES, Activity, _is_self, _Slots, describe, language_for
from resolvers.entries import Actor, Change, Target
from resolvers.redaction import REDACTED


def format_map_describe(activity: Activity, locale: str | None = "en") -> str:
    """describe() as it was before templates were compiled: the reference."""
    language = language_for(locale)
    slots = {code: _Slots(activity, LANGUAGES[code]) for code in {language.code, "en"}}
    for code, template in _reference_candidates(activity, language):
        try:
            return template.format_map(slots[code]).strip()
        except KeyError:
            continue
    return activity.action


def _reference_candidates(activity: Activity, language: Language) -> Iterator[tuple[str, str]]:
    action = activity.action
    spec = lookup(action)
    if activity.outcome is Outcome.FAILURE:
        keys = [f"{action}#failure"]
        keys.append("failure#" if spec and spec.verb in language.verbs else "failure#unknown")
        keys.append("failure#unknown")
    else:
        single = activity.changes[0].field if len(activity.changes) == 1 else None
        self_form = _is_self(activity)
        keys = []
        if self_form and single:
            keys.append(f"{action}#self:field:{single}")
        if single:
            keys.append(f"{action}#field:{single}")
        if self_form:
            keys.append(f"{action}#self")
        keys.append(action)
    for key in keys:
        source = language if key in language.sentences else ENGLISH
        for template in source.sentences.get(key, ()):
            yield source.code, template
    if activity.outcome is not Outcome.FAILURE:
        verb = action.rpartition(".")[2]
        for source in (language, ENGLISH):
            if spec is not None and verb in source.verbs:
                yield source.code, source.verbs[verb].sentence
        key = "custom#" if is_custom(action) else "unknown#"
        source = language if key in language.sentences else ENGLISH
        for template in source.sentences.get(key, ()):
            yield source.code, template


@dataclass(frozen=True)
class Sample:
    """An activity to describe."""

    action: str
    actor: Actor
    target: Target | None
    changes: tuple[Change, ...]
    metadata: dict[str, object]
    outcome: Outcome
    failure_reason: str | None


IDS = st.sampled_from(["1", "2", "42", "zap-7", "{actor}"])
TEXT = st.one_of(
    st.sampled_from(["Alice Smith", "Bob {name}", "", " padded "]), st.text(max_size=8)
)
VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-3, 3),
    st.sampled_from(["agent", "administrator", "admin", "open", "resolved", "busy", REDACTED]),
    st.sampled_from(["2026-12-01T00:00:00+00:00", "2026-13-99", "{to}", "pro"]),
    st.dictionaries(st.just("a"), st.integers(), max_size=1),
    TEXT,
)
FIELDS = ["role", "availability", "name", "status", "priority", "assignee", "greeting", "x_y"]
METADATA_KEYS = [
    "role", "member_id", "member_name", "label", "conversation_id", "count", "report", "format",
    "merged_contact_name", "merged_contact_id", "expires_at", "plan",
]  # fmt: skip
ACTIONS = [*SPECS, "custom.invoice_paid", "custom.x", "widget.frobnicate", "inbox.sparkle"]
LOCALES = [None, "en", "de", "de-DE,de;q=0.9", "fr", "en-US;q=0.5, de;q=0.8", "", "*"]

samples = st.builds(
    Sample,
    action=st.sampled_from(ACTIONS),
    actor=st.builds(
        Actor,
        st.sampled_from(list(ActorType)),
        st.one_of(st.none(), IDS),
        st.one_of(st.none(), TEXT),
        st.one_of(st.none(), st.just("a@example.com")),
    ),
    target=st.one_of(
        st.none(),
        st.builds(
            Target,
            st.sampled_from(["user", "account_user", "inbox", "team", "conversation", "widget"]),
            st.one_of(st.none(), IDS),
            st.one_of(st.none(), TEXT),
        ),
    ),
    changes=st.lists(st.builds(Change, st.sampled_from(FIELDS), VALUES, VALUES), max_size=7).map(
        tuple
    ),
    metadata=st.dictionaries(st.sampled_from(METADATA_KEYS), VALUES, max_size=4),
    outcome=st.sampled_from(list(Outcome)),
    failure_reason=st.one_of(st.none(), TEXT),
)


@settings(max_examples=1500, deadline=None)
@given(samples, st.sampled_from(LOCALES))
def test_a_compiled_sentence_equals_the_format_map_sentence(
    sample: Sample, locale: str | None
) -> None:
    assert describe(sample, locale) == format_map_describe(sample, locale)


def test_every_catalogue_action_reads_the_same_in_every_language() -> None:
    actor = Actor(ActorType.USER, "1", "Alice Smith")
    for action in ACTIONS:
        for outcome in Outcome:
            sample = Sample(action, actor, Target("user", "1", "Alice"), (), {}, outcome, "late")
            for locale in ("en", "de"):
                assert describe(sample, locale) == format_map_describe(sample, locale)
