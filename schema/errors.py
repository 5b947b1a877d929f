"""Give every GraphQL error a stable `extensions.code` and mask unexpected ones.

Codes: BAD_USER_INPUT, FORBIDDEN, NOT_FOUND (from resolvers.errors), FORBIDDEN from
permission classes, GRAPHQL_PARSE_FAILED, GRAPHQL_VALIDATION_FAILED and
QUERY_TOO_EXPENSIVE (schema/cost.py) before execution, and INTERNAL_SERVER_ERROR for
anything else, whose details are logged, never sent.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension

from resolvers.errors import AuditLogError

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
    if error.path is None:
        return _copy(error, error.message, {"code": _pre_execution_code(error.message)})
    logger.error("Unexpected error in %s", ".".join(map(str, error.path)), exc_info=original)
    return _copy(error, MASKED_MESSAGE, {"code": "INTERNAL_SERVER_ERROR"})


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
