"""Give every GraphQL error a stable `extensions.code` and mask unexpected ones.

Codes: BAD_USER_INPUT, FORBIDDEN, NOT_FOUND (from resolvers.errors), FORBIDDEN from
permission classes, GRAPHQL_PARSE_FAILED, GRAPHQL_VALIDATION_FAILED and
QUERY_TOO_EXPENSIVE (schema/cost.py) before execution, SERVICE_UNAVAILABLE when the
database is not answering (the HTTP answer is then 503 with Retry-After, see
`unavailable_retry_after`), and INTERNAL_SERVER_ERROR for anything else, whose details
are logged, never sent.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension

from resolvers.errors import AuditLogError, UnavailableError

logger = logging.getLogger("auditlog.graphql")
MASKED_MESSAGE = "Unexpected error; it has been logged."


class ErrorCodes(SchemaExtension):
    """Rewrite the result's errors once the operation has run."""

    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        errors = getattr(result, "errors", None)
        if result is not None and errors:
            result.errors = [coded(error) for error in errors]


def coded(error: GraphQLError) -> GraphQLError:
    """Return `error` with an extensions.code, masked if it was unexpected."""
    original = error.original_error
    if isinstance(original, AuditLogError):
        return _copy(error, str(original), original.extensions())
    if error.extensions and "code" in error.extensions:
        return error
    if original is not None and (unavailable := UnavailableError.caused_by(original)):
        # An outage is expected to happen and to pass: no traceback, and no driver text.
        logger.warning("Database not answering in %s: %r", _where(error), original)
        return _copy(error, str(unavailable), unavailable.extensions())
    if error.path is None:
        return _copy(error, error.message, {"code": _pre_execution_code(error.message)})
    logger.error("Unexpected error in %s", ".".join(map(str, error.path)), exc_info=original)
    return _copy(error, MASKED_MESSAGE, {"code": "INTERNAL_SERVER_ERROR"})


def unavailable_retry_after(response: object) -> int | None:
    """Seconds to send in Retry-After when a processed result reports SERVICE_UNAVAILABLE.

    `response` is the JSON-ready answer: one result, or a list of them for a batch.
    """
    results = response if isinstance(response, list) else [response]
    for result in results:
        errors = result.get("errors") if isinstance(result, dict) else None
        for error in errors or ():
            extensions = error.get("extensions") if isinstance(error, dict) else None
            if isinstance(extensions, dict) and extensions.get("code") == UnavailableError.code:
                return UnavailableError.retry_after
    return None


def _where(error: GraphQLError) -> str:
    return ".".join(map(str, error.path)) if error.path else "the operation"


def _pre_execution_code(message: str) -> str:
    if message.startswith("Syntax Error"):
        return "GRAPHQL_PARSE_FAILED"
    if message.startswith(("Variable '$", 'Variable "$')):
        return "BAD_USER_INPUT"
    return "GRAPHQL_VALIDATION_FAILED"


def _copy(error: GraphQLError, message: str, extensions: dict[str, object]) -> GraphQLError:
    return GraphQLError(
        message,
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        extensions=extensions,
    )
