"""Opaque page cursors: a position (occurredAt, id) tied to one account and filter."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
from dataclasses import dataclass

from resolvers.errors import InvalidInputError

VERSION = "c1"
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
MAX_ROW_ID = 2**63 - 1


@dataclass(frozen=True, order=True)
class Position:
    """Where an entry sits in the (occurredAt, id) order."""

    occurred_at: dt.datetime
    id: int


def binding(account_id: str, fingerprint: str) -> str:
    """Return a short digest of what a cursor is valid for."""
    return hashlib.sha256(f"{account_id}\x00{fingerprint}".encode()).hexdigest()[:16]


def encode_cursor(position: Position, bound_to: str) -> str:
    """Return the opaque cursor for a position."""
    micros = (position.occurred_at - EPOCH) // dt.timedelta(microseconds=1)
    raw = f"{VERSION}:{micros}:{position.id}:{bound_to}"
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str, bound_to: str, argument: str) -> Position:
    """Return the position of a cursor issued for `bound_to`, or raise InvalidInputError."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        version, micros, entry_id, digest = (
            base64.urlsafe_b64decode(padded.encode()).decode().split(":")
        )
        if version != VERSION or digest != bound_to:
            raise ValueError("cursor belongs to another query")
        occurred_at = EPOCH + dt.timedelta(microseconds=int(micros))
        if not (entry_id.isascii() and entry_id.isdigit()) or int(entry_id) > MAX_ROW_ID:
            raise ValueError("entry id out of range")
        return Position(occurred_at, int(entry_id))
    except (ValueError, UnicodeError, binascii.Error, OverflowError) as exc:
        shown = cursor if len(cursor) <= 80 else cursor[:77] + "..."
        raise InvalidInputError.single(
            argument,
            f'Cursor "{shown}" is not valid for this query; pass the endCursor or startCursor '
            "of a page fetched with the same filter.",
        ) from exc
