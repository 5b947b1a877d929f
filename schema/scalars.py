"""Scalar overrides: DateTime values that every later step can hold."""

from __future__ import annotations

import datetime as dt

import dateutil.parser
from strawberry.exceptions import StrawberryInputCoercionError
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
    description="Date with time (isoformat)",
    specified_by_url=None,
    serialize=dt.datetime.isoformat,
    parse_value=wrap_parser(_aware_in_range, "DateTime", exceptions=(ValueError, OverflowError)),
    parse_literal=None,
    origin=dt.datetime,
)

SCALAR_OVERRIDES: dict[object, ScalarDefinition] = {dt.datetime: DATE_TIME}
