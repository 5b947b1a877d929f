"""What a language provides to render sentences, and how a request picks one."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Noun:
    """An entity's name: alone, as a sentence's object, and as a label."""

    word: str
    # Object phrase with "{ref}" for "#5 (Support)", e.g. "inbox {ref}" or "den Posteingang {ref}".
    phrase: str
    label: str


@dataclass(frozen=True)
class Verb:
    """A catalogue verb: its generic sentence, its label word, its failure form."""

    sentence: str
    participle: str
    infinitive: str


@dataclass(frozen=True)
class Language:
    """Everything needed to render sentences in one language."""

    code: str
    name: str
    nouns: Mapping[str, Noun]
    verbs: Mapping[str, Verb]
    # Templates by action, optionally with a variant: "action", "action#self",
    # "action#failure", "action#field:role", "action#self:field:availability".
    # Each key holds candidates tried in order; the first whose slots are all known wins.
    sentences: Mapping[str, tuple[str, ...]]
    labels: Mapping[str, str]
    words: Mapping[str, str]
    fields: Mapping[str, str] = field(default_factory=dict)
    values: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    date_format: str = "%Y-%m-%d"


def negotiate(accept_language: str | None, supported: Mapping[str, object]) -> str:
    """Pick the best supported language code for an Accept-Language header ("en" if none)."""
    best, best_quality = "en", 0.0
    for item in (accept_language or "").split(","):
        tag, _, params = item.strip().partition(";")
        code = tag.strip().lower().split("-")[0]
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        if code in supported and quality > best_quality:
            best, best_quality = code, quality
    return best
