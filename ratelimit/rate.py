"""A rate limit as configured: so many requests per second, minute or hour."""

from __future__ import annotations

import re
from dataclasses import dataclass

UNITS = {"second": 1, "minute": 60, "hour": 3600}
_RATE = re.compile(r"\s*(\d+)\s*/\s*(second|minute|hour)s?\s*", re.IGNORECASE)
OFF = ("0", "off")


class RateError(ValueError):
    """A rate limit is written in a form this service cannot read."""


@dataclass(frozen=True)
class Rate:
    """`count` requests per `seconds`."""

    count: int
    seconds: int

    def __str__(self) -> str:
        unit = {seconds: name for name, seconds in UNITS.items()}[self.seconds]
        return f"{self.count} requests per {unit}"


def parse_rate(text: str) -> Rate | None:
    """Read "N/second", "N/minute" or "N/hour"; "0" and "off" turn the limit off (None)."""
    if text.strip().lower() in OFF:
        return None
    match = _RATE.fullmatch(text)
    if not match:
        raise RateError(f'"{text}" is not a rate; write N/second, N/minute or N/hour, or off.')
    count = int(match.group(1))
    if count == 0:
        return None
    return Rate(count, UNITS[match.group(2).lower()])
