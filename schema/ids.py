"""Opaque global ids for GraphQL objects."""

from __future__ import annotations

import base64
import binascii

from resolvers.errors import InvalidInputError

MAX_ROW_ID = 2**63 - 1


def to_global_id(type_name: str, local_id: int | str) -> str:
    """Return the opaque id of a row."""
    return base64.urlsafe_b64encode(f"{type_name}:{local_id}".encode()).decode().rstrip("=")


def from_global_id(type_name: str, global_id: str, argument: str = "id") -> int:
    """Return the row id inside a global id of `type_name`, or raise InvalidInputError."""
    try:
        padded = global_id + "=" * (-len(global_id) % 4)
        kind, _, local = base64.urlsafe_b64decode(padded.encode()).decode().partition(":")
        if kind != type_name or not (local.isascii() and local.isdigit()):
            raise ValueError(global_id)
        if int(local) > MAX_ROW_ID:
            raise ValueError(global_id)
        return int(local)
    except (ValueError, UnicodeError, binascii.Error) as exc:
        shown = global_id if len(global_id) <= 80 else global_id[:77] + "..."
        article = "an" if type_name[0] in "AEIOU" else "a"
        kind = f"{article} {type_name}"
        raise InvalidInputError.single(
            argument, f'"{shown}" is not {kind} id; pass the id field of {kind}.'
        ) from exc
