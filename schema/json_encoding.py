"""Encode responses with orjson, writing stored numbers and deep values verbatim."""

from __future__ import annotations

import orjson

from resolvers.stored_json import VerbatimJson


def encode_response(data: object) -> bytes:
    """Return `data` as JSON bytes; stored values orjson cannot hold keep their exact text."""
    return orjson.dumps(data, default=_verbatim)


def _verbatim(value: object) -> orjson.Fragment:
    if isinstance(value, VerbatimJson):
        return orjson.Fragment(value.json_text)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")
