"""GraphQL over HTTP's media types: application/graphql-response+json when accepted.

A client that accepts `application/graphql-response+json` gets it, and then a request
error (the document does not parse or validate, a variable cannot be coerced, the
request is refused before anything runs) answers HTTP 400 with no `data` entry. A
client that accepts only `application/json` gets the legacy answer: such errors in an
HTTP 200 with `"data": null`.
"""

from __future__ import annotations

from collections.abc import Mapping
from contextvars import ContextVar

GRAPHQL_RESPONSE = "application/graphql-response+json"
GRAPHQL_RESPONSE_TYPE = f"{GRAPHQL_RESPONSE}; charset=utf-8"

_accepted: ContextVar[bool] = ContextVar("graphql_response_accepted", default=False)


def note_accept(accept: str | None) -> None:
    """Remember, for the request being served, whether it accepts the GraphQL media type."""
    _accepted.set(bool(accept) and GRAPHQL_RESPONSE in (accept or "").lower())


def is_accepted() -> bool:
    """Whether the request being served accepts application/graphql-response+json."""
    return _accepted.get()


def is_request_error(result: Mapping[str, object]) -> bool:
    """Whether a processed result failed before execution: errors, no data, no error path."""
    errors = result.get("errors")
    if not isinstance(errors, list) or not errors or result.get("data") is not None:
        return False
    return all(isinstance(error, dict) and not error.get("path") for error in errors)
