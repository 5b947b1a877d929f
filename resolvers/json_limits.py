"""The JSON a producer may store in `metadata` and in change values.

Limits (checked without recursion, so no input can exhaust the stack):
- nesting: at most MAX_DEPTH objects/arrays inside each other;
- numbers: finite, between -MAX_SAFE_INTEGER and MAX_SAFE_INTEGER, the integers every
  JSON reader (JavaScript included) holds exactly; larger values belong in strings;
- object keys: at most MAX_KEY_LENGTH characters;
- strings: no NUL character and no lone UTF-16 surrogate, which neither database keeps.
Total sizes are checked by the caller on the encoded text.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Iterator

MAX_DEPTH = 32
MAX_SAFE_INTEGER = 2**53 - 1
MAX_KEY_LENGTH = 255


class Part(enum.Enum):
    """What `walk` visits: an object key, a scalar, or a container past the depth limit."""

    KEY = "key"
    LEAF = "leaf"
    TOO_DEEP = "too deep"


def walk(
    value: object, root: str, max_depth: int, root_depth: int = 0
) -> Iterator[tuple[Part, str, object]]:
    """Visit a JSON value in document order without recursion, as (part, path, item).

    Containers nested `max_depth` deep are reported as TOO_DEEP and not entered.
    """
    stack: list[tuple[object, str, int]] = [(value, root, root_depth)]
    while stack:
        item, path, depth = stack.pop()
        if isinstance(item, _Key):
            yield Part.KEY, path, item.key
        elif isinstance(item, dict | list) and depth >= max_depth:
            yield Part.TOO_DEEP, path, item
        elif isinstance(item, dict):
            for key, child in reversed(item.items()):
                member = f"{path}.{_shown(key)}" if path else _shown(key)
                stack.append((child, member, depth + 1))
                stack.append((_Key(key), member, depth))
        elif isinstance(item, list):
            indexed = reversed(list(enumerate(item)))
            stack.extend((child, f"{path}[{i}]", depth + 1) for i, child in indexed)
        else:
            yield Part.LEAF, path, item


def json_problems(value: object, field: str) -> Iterator[tuple[str, str]]:
    """Yield (path, message) for each part of `value` outside the accepted JSON."""
    for part, path, item in walk(value, field, MAX_DEPTH):
        if part is Part.TOO_DEEP:
            problem: str | None = (
                f"nests deeper than {MAX_DEPTH} levels; flatten it or send it as a string."
            )
        elif part is Part.KEY:
            problem = _key_problem(item)
        else:
            problem = _scalar_problem(item)
        if problem:
            yield path, problem


class _Key:
    __slots__ = ("key",)

    def __init__(self, key: object) -> None:
        self.key = key


def _key_problem(key: object) -> str | None:
    if not isinstance(key, str):
        return f"has a key of type {type(key).__name__}; object keys must be strings."
    if len(key) > MAX_KEY_LENGTH:
        return f"is a key of {len(key)} characters; the limit is {MAX_KEY_LENGTH}."
    return text_problem(key)


def _scalar_problem(value: object) -> str | None:
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, str):
        return text_problem(value)
    if isinstance(value, int):
        if abs(value) > MAX_SAFE_INTEGER:
            return (
                f"{_digits(value)} is outside -{MAX_SAFE_INTEGER}..{MAX_SAFE_INTEGER}; "
                "send larger numbers as strings."
            )
        return None
    if isinstance(value, float):
        if not math.isfinite(value) or abs(value) > MAX_SAFE_INTEGER:
            return (
                f"{value!r} is outside -{MAX_SAFE_INTEGER}..{MAX_SAFE_INTEGER}; "
                "send larger numbers as strings."
            )
        return None
    return f"holds a {type(value).__name__}, which is not a JSON value."


def text_problem(text: str) -> str | None:
    """Say what makes a string unstorable (NUL, lone surrogate), or None when it is fine."""
    if "\x00" in text:
        return "contains a NUL character (\\u0000); remove it."
    if _has_surrogate(text):
        return "contains a lone UTF-16 surrogate (\\ud800-\\udfff); send valid Unicode text."
    return None


def _has_surrogate(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _digits(value: int) -> str:
    text = str(value) if value.bit_length() < 3000 else f"a {value.bit_length()}-bit integer"
    return text if len(text) <= 40 else text[:20] + "..." + text[-10:]


def _shown(key: object) -> str:
    text = str(key)
    return text if len(text) <= 40 else text[:37] + "..."
