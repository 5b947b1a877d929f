"""Decode stored JSON columns so that any stored value can be sent back as it is.

Most values decode with orjson. Two kinds could not be sent that way: integers beyond
64 bits (PostgreSQL keeps `1e308` as a 309-digit integer) and values nested deeper than
a response encoder follows. Both come back as small wrappers holding their exact JSON
text (`LargeNumber`, `DeepJson`), which the response encoder writes out verbatim. Such
values can only exist from before the limits in `json_limits`; new ones are refused.
"""

from __future__ import annotations

import json
import re
from typing import Any

import orjson

# Below this many opening brackets a value cannot be deeper than it.
WRAP_DEPTH = 64
# orjson reads integers outside the 64-bit range as (rounded) floats; long digit runs
# send a value through the exact decoder instead.
_LONG_DIGITS = 19
_LONG_NUMBER = re.compile(rf"\d{{{_LONG_DIGITS}}}")
_INT64 = range(-(2**63), 2**63)


class VerbatimJson:
    """A stored JSON value kept as its exact text, to be written out as it is."""

    __slots__ = ("json_text",)

    def __init__(self, text: str) -> None:
        self.json_text = text

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.json_text[:40]})"

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, VerbatimJson)
            and type(other) is type(self)
            and (other.json_text == self.json_text)
        )

    def __hash__(self) -> int:
        return hash(self.json_text)


class LargeNumber(VerbatimJson):
    """A JSON number no 64-bit type holds."""

    __slots__ = ()

    def __str__(self) -> str:
        return self.json_text


class DeepJson(VerbatimJson):
    """A JSON value nested too deeply to re-encode."""

    __slots__ = ()


def decode_stored(raw: Any) -> Any:
    """Return the value of a stored JSON column (text, or already decoded by the driver)."""
    if not isinstance(raw, str | bytes):
        return raw
    text = raw.decode() if isinstance(raw, bytes) else raw
    try:
        value = _decode(text)
    except RecursionError:
        return DeepJson(text)
    # Fewer characters than WRAP_DEPTH cannot hold that many brackets: skip the count.
    if len(text) >= WRAP_DEPTH and text.count("[") + text.count("{") >= WRAP_DEPTH:
        value = _wrap_deep(value)
    return value


def _decode(text: str) -> Any:
    # Text shorter than a 19-digit run cannot hold one: skip the search.
    if len(text) < _LONG_DIGITS or not _LONG_NUMBER.search(text):
        try:
            return orjson.loads(text)
        except orjson.JSONDecodeError:
            pass  # out-of-range floats and the like: the exact decoder below keeps them
    return json.loads(text, parse_int=_integer, parse_float=_float, parse_constant=LargeNumber)


def _integer(text: str) -> int | LargeNumber:
    if len(text) > 20:
        return LargeNumber(text)
    number = int(text)
    return number if number in _INT64 else LargeNumber(text)


def _float(text: str) -> float | LargeNumber:
    number = float(text)
    return number if abs(number) != float("inf") else LargeNumber(text)


def _wrap_deep(value: Any) -> Any:
    """Replace each container found at WRAP_DEPTH with a DeepJson of its exact text."""
    root = [value]
    stack: list[tuple[Any, int]] = [(root, 0)]
    while stack:
        container, depth = stack.pop()
        keys = container.keys() if isinstance(container, dict) else range(len(container))
        for key in keys:
            child = container[key]
            if not isinstance(child, dict | list):
                continue
            if depth >= WRAP_DEPTH:
                container[key] = DeepJson(dump_iteratively(child))
            else:
                stack.append((child, depth + 1))
    return root[0]


def dump_iteratively(value: Any) -> str:
    """Encode a JSON value of any depth without recursion."""
    parts: list[str] = []
    stack: list[Any] = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, _Literal):
            parts.append(item.text)
        elif isinstance(item, dict):
            stack.append(_Literal("}"))
            for position, (key, child) in enumerate(reversed(list(item.items()))):
                stack.append(child)
                comma = "" if position == len(item) - 1 else ","
                stack.append(_Literal(comma + json.dumps(key) + ":"))
            stack.append(_Literal("{"))
        elif isinstance(item, list):
            stack.append(_Literal("]"))
            for position, child in enumerate(reversed(item)):
                stack.append(child)
                if position != len(item) - 1:
                    stack.append(_Literal(","))
            stack.append(_Literal("["))
        elif isinstance(item, VerbatimJson):
            parts.append(item.json_text)
        else:
            parts.append(json.dumps(item))
    return "".join(parts)


class _Literal:
    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text
