"""The catalogue as a dashboard sees it: names, categories, labels, an example sentence."""

from __future__ import annotations

from dataclasses import dataclass

from catalogue import SPECS, Category
from resolvers.descriptions import describe, label_of, language_for
from resolvers.examples import example_for


@dataclass(frozen=True)
class ActionInfo:
    """One catalogue action in a language."""

    name: str
    category: Category
    category_label: str
    label: str
    description: str


def list_actions(locale: str | None) -> list[ActionInfo]:
    """Return every catalogue action, by category then name, in the locale's language."""
    language = language_for(locale)
    infos = [
        ActionInfo(
            name=spec.name,
            category=spec.category,
            category_label=language.words[f"category:{spec.category.value}"],
            label=label_of(spec.name, language),
            description=describe(example_for(spec), language.code),
        )
        for spec in SPECS.values()
    ]
    order = list(Category)
    return sorted(infos, key=lambda info: (order.index(info.category), info.name))
