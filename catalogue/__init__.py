"""The action catalogue: every known action, its category, required fields and sentences.

`ACTIONS` (actions.py) is the one list of actions; each language module (en.py,
de.py) holds the words and sentence templates for them.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass

from catalogue.actions import ACTIONS, Category

CUSTOM_PREFIX = "custom."


@dataclass(frozen=True)
class ActionSpec:
    """One catalogue action."""

    name: str
    category: Category
    requires: tuple[str, ...]

    @property
    def entity(self) -> str:
        """The entity acted upon, e.g. "inbox_member"."""
        return self.name.rpartition(".")[0]

    @property
    def verb(self) -> str:
        """The verb, e.g. "add"."""
        return self.name.rpartition(".")[2]


SPECS = {
    name: ActionSpec(name, category, requires) for name, (category, requires) in ACTIONS.items()
}


def lookup(name: str) -> ActionSpec | None:
    """Return the catalogue entry of an action, or None for custom and unknown ones."""
    return SPECS.get(name)


def is_custom(name: str) -> bool:
    """Whether the action is in the `custom.` namespace any producer may use."""
    return name.startswith(CUSTOM_PREFIX)


def category_of(name: str) -> Category | None:
    """Return the action's category (CUSTOM for custom actions), None if unknown."""
    spec = SPECS.get(name)
    if spec is not None:
        return spec.category
    return Category.CUSTOM if is_custom(name) else None


def suggestions(name: str, count: int = 3) -> list[str]:
    """Return the known action names closest to a mistyped one."""
    return difflib.get_close_matches(name, list(SPECS), n=count, cutoff=0.6)


def actions_in(categories: Iterable[Category]) -> list[str]:
    """Return the names of the known actions in any of `categories`, sorted."""
    wanted = set(categories)
    return sorted(name for name, spec in SPECS.items() if spec.category in wanted)


__all__ = [
    "ACTIONS",
    "CUSTOM_PREFIX",
    "SPECS",
    "ActionSpec",
    "Category",
    "actions_in",
    "category_of",
    "is_custom",
    "lookup",
    "suggestions",
]
