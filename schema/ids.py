"""Opaque global ids for GraphQL objects."""

from __future__ import annotations

import base64
import binascii

from resolvers.errors import InvalidInputError

MAX_ROW_ID = 2**63 - 1


def to_global_id(type_name: str, local_id: int | str) -> str:
    """Return the opaque id of a row."""
    return base64.urlsafe_b64encode(f"{type_name}:{local_id}".encode()).decode().rstrip("=")


def parse_global_id(global_id: str, argument: str = "id") -> tuple[str, int]:
    """Return the type name and row id inside a global id, or raise InvalidInputError."""
    try:
        padded = global_id + "=" * (-len(global_id) % 4)
        kind, _, local = base64.urlsafe_b64decode(padded.encode()).decode().partition(":")
        if not kind or not (local.isascii() and local.isdigit()) or int(local) > MAX_ROW_ID:
            raise ValueError(global_id)
        return kind, int(local)
    except (ValueError, UnicodeError, binascii.Error) as exc:
        raise InvalidInputError.single(
            argument, f'"{_shown(global_id)}" is not an id; pass the id field of an object.'
        ) from exc


def from_global_id(type_name: str, global_id: str, argument: str = "id") -> int:
    """Return the row id inside a global id of `type_name`, or raise InvalidInputError."""
    try:
        kind, local_id = parse_global_id(global_id, argument)
    except InvalidInputError:
        kind, local_id = "", 0
    if kind != type_name:
        article = "an" if type_name[0] in "AEIOU" else "a"
        described = f"{article} {type_name}"
        raise InvalidInputError.single(
            argument,
            f'"{_shown(global_id)}" is not {described} id; pass the id field of {described}.',
        )
    return local_id


def _shown(global_id: str) -> str:
    return global_id if len(global_id) <= 80 else global_id[:77] + "..."
