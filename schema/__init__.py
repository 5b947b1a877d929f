"""The GraphQL boundary: types, inputs, root fields and error mapping."""

from __future__ import annotations

import strawberry
from graphql import ASTValidationRule, GraphQLError
from strawberry.extensions import (
    AddValidationRules,
    MaxTokensLimiter,
    ValidationCache,
)
from strawberry.extensions.max_aliases import create_validator as max_aliases
from strawberry.extensions.query_depth_limiter import create_validator as max_depth
from strawberry.tools import merge_types
from strawberry.types import ExecutionContext

from schema.access import AccessMutation, AccessQuery
from schema.errors import ErrorCodes, TolerantParserCache
from schema.execution import LeanExecutionContext
from schema.mutation import RecordingMutation
from schema.query import AuditLogQuery

Query = merge_types("Query", (AuditLogQuery, AccessQuery))
Mutation = merge_types("Mutation", (RecordingMutation, AccessMutation))

MAX_DEPTH = 8
MAX_ALIASES = 15
MAX_TOKENS = 2000

# Built once: rule classes made per request would defeat the validation cache.
_LIMITS: list[type[ASTValidationRule]] = [max_depth(MAX_DEPTH, None), max_aliases(MAX_ALIASES)]


class AuditLogSchema(strawberry.Schema):
    """The schema; errors are logged by ErrorCodes, and only the unexpected ones."""

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        return None


def build_schema(*, lean_executor: bool = True) -> strawberry.Schema:
    """Return the service's GraphQL schema with its protective limits.

    `lean_executor=False` executes with Strawberry's default execution context, for when
    the lean one (built on graphql-core internals) is suspected of a fault.
    """
    return AuditLogSchema(
        query=Query,
        mutation=Mutation,
        execution_context_class=LeanExecutionContext if lean_executor else None,
        extensions=[
            # First, so its clean-up runs last and sees every error, parse errors included.
            ErrorCodes,
            # Parsing and validating the same dashboard query on every request is
            # wasted work; both caches key on the query text.
            lambda: TolerantParserCache(maxsize=256),
            lambda: ValidationCache(maxsize=256),
            lambda: AddValidationRules(_LIMITS),
            lambda: MaxTokensLimiter(MAX_TOKENS),
        ],
    )
