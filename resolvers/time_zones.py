"""IANA time zones named by clients, checked before the name reaches the file system."""

from __future__ import annotations

import re
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from resolvers.errors import InvalidInputError

# The longest IANA name is 30 characters (America/Argentina/ComodRivadavia); names are
# ASCII segments of letters, digits, "_", "-" and "+" joined by "/".
MAX_NAME_LENGTH = 64
_NAME = re.compile(r"[A-Za-z0-9_+\-]+(?:/[A-Za-z0-9_+\-]+)*")


def zone_named(name: str, argument: str = "timeZone") -> ZoneInfo:
    """Return the time zone called `name`, or refuse it as `argument` with BAD_USER_INPUT."""
    if len(name) <= MAX_NAME_LENGTH and _NAME.fullmatch(name):
        try:
            return ZoneInfo(name)
        # A directory ("America"), a file that is not a zone, or a name the OS rejects.
        except (ZoneInfoNotFoundError, ValueError, OSError) as exc:
            raise _refusal(name, argument) from exc
    raise _refusal(name, argument)


def _refusal(name: str, argument: str) -> InvalidInputError:
    shown = name if len(name) <= MAX_NAME_LENGTH else name[:MAX_NAME_LENGTH] + "..."
    return InvalidInputError.single(
        argument,
        f'{shown!r} is not an IANA time zone; pass a name such as "Europe/Berlin" or "UTC".',
    )
