"""Scalars: DateTime values every later step can hold, and BigInt for 64-bit counts."""

from __future__ import annotations

import datetime as dt
from typing import NewType

import dateutil.parser
from graphql import IntValueNode, StringValueNode, ValueNode
from strawberry.exceptions import StrawberryInputCoercionError
from strawberry.scalars import JSON
from strawberry.schema.types.base_scalars import wrap_parser
from strawberry.types.scalar import ScalarDefinition


def _aware_in_range(text: str) -> dt.datetime:
    moment: dt.datetime = dateutil.parser.isoparse(text)
    if moment.tzinfo is not None:
        try:
            moment.astimezone(dt.UTC)
        except OverflowError:
            raise StrawberryInputCoercionError(
                f'Value cannot represent a DateTime: "{text[:60]}" lies outside the years '
                "1 to 9999 once turned into UTC; pick a nearer date."
            ) from None
    return moment


DATE_TIME = ScalarDefinition(
    name="DateTime",
    description=(
        "An ISO-8601 date and time with an offset. Answers are in UTC, e.g. "
        '"2026-11-01T09:30:00+00:00" (histogram buckets: in the requested time zone); '
        'inputs need an offset such as "Z" or "+02:00". A string in JSON.'
    ),
    specified_by_url=None,
    serialize=dt.datetime.isoformat,
    parse_value=wrap_parser(_aware_in_range, "DateTime", exceptions=(ValueError, OverflowError)),
    parse_literal=None,
    origin=dt.datetime,
)


INT64 = range(-(2**63), 2**63)


def _big_int_value(value: object) -> int:
    """A BigInt from a variable: a string of digits, or a JSON whole number."""
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise StrawberryInputCoercionError(
            f'Value cannot represent a BigInt: "{str(value)[:40]}"; send a whole number as a '
            'string such as "9007199254740993".'
        )
    text = value.strip() if isinstance(value, str) else str(value)
    digits = text[1:] if text.startswith("-") else text
    if not (digits.isascii() and digits.isdigit()) or len(digits) > 19 or int(text) not in INT64:
        raise StrawberryInputCoercionError(
            f'Value cannot represent a BigInt: "{text[:40]}"; send a whole number between '
            f"{INT64.start} and {INT64.stop - 1}, as a string."
        )
    return int(text)


def _big_int_literal(node: ValueNode, _variables: object = None) -> int:
    if isinstance(node, StringValueNode | IntValueNode):
        return _big_int_value(node.value)
    raise StrawberryInputCoercionError(
        "Value cannot represent a BigInt; write a whole number or a string of digits."
    )


BigInt = NewType("BigInt", int)


def _same(value: object) -> object:
    return value


BIG_INT = ScalarDefinition(
    name="BigInt",
    description=(
        "A 64-bit integer, answered as a string (JSON numbers lose precision past 2^53), "
        'e.g. "9007199254740993"; accepted as a string or a whole number.'
    ),
    specified_by_url=None,
    serialize=str,
    parse_value=_big_int_value,
    parse_literal=_big_int_literal,
)

JSON_VALUE = ScalarDefinition(
    name="JSON",
    description=(
        "Any JSON value (object, array, string, number, boolean or null), as the producer "
        "sent it; numbers outside 64 bits keep all their digits."
    ),
    specified_by_url=None,
    serialize=_same,
    parse_value=_same,
    parse_literal=None,
    origin=JSON,
)

SCALAR_OVERRIDES: dict[object, ScalarDefinition] = {
    dt.datetime: DATE_TIME,
    BigInt: BIG_INT,
    JSON: JSON_VALUE,
}
