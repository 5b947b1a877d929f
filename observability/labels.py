"""Bounded label values: a metric never gets a series per client-chosen string."""

from __future__ import annotations

import re

ANONYMOUS = "anonymous"
OTHER = "other"
_IDENTIFIER = re.compile(r"[_A-Za-z][_0-9A-Za-z]{0,63}")
_CODE = re.compile(r"[A-Z][A-Z_]{0,39}")


class OperationNames:
    """Admit at most `limit` distinct operation names; later new names count as "other"."""

    def __init__(self, limit: int = 200) -> None:
        self.limit = limit
        self.seen: set[str] = set()

    def label(self, name: str | None) -> str:
        """The label for an operation name: itself, "anonymous" or "other"."""
        name = operation_label(name)
        if name in (ANONYMOUS, OTHER):
            return name
        if name not in self.seen:
            if len(self.seen) >= self.limit:
                return OTHER
            self.seen.add(name)
        return name


def operation_label(name: str | None) -> str:
    """An operation name when it is a GraphQL name of at most 64 characters."""
    if not name:
        return ANONYMOUS
    return name if _IDENTIFIER.fullmatch(name) else OTHER


def code_label(code: str) -> str:
    """An error code as a label: our codes are short upper-case words; others are "OTHER"."""
    return code if _CODE.fullmatch(code) else "OTHER"
