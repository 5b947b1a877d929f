"""The GraphQL boundary: types, inputs, root fields and error mapping."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncGenerator
from typing import Any

import strawberry
from graphql import ASTValidationRule, GraphQLError
from graphql.validation import NoSchemaIntrospectionCustomRule
from strawberry.extensions import AddValidationRules, MaxTokensLimiter
from strawberry.extensions.max_aliases import create_validator as max_aliases
from strawberry.extensions.query_depth_limiter import create_validator as max_depth
from strawberry.tools import merge_types
from strawberry.types import ExecutionContext, ExecutionResult

from observability.graphql import OperationObserver
from schema.access import AccessMutation, AccessQuery
from schema.cost import DEFAULT_MAX_COST, create_cost_rule
from schema.document_cache import CachedDocuments, DocumentCache
from schema.errors import ErrorCodes, coded
from schema.execution import LeanExecutionContext
from schema.exports import ExportMutation, ExportQuery
from schema.live import Subscription
from schema.mutation import RecordingMutation
from schema.node_lookup import NodeQuery
from schema.query import AuditLogQuery
from schema.request_checks import UnstorableStringRule
from schema.scalars import SCALAR_OVERRIDES
from schema.streams import StreamMutation, StreamQuery

Query = merge_types("Query", (AuditLogQuery, ExportQuery, AccessQuery, StreamQuery, NodeQuery))
Mutation = merge_types(
    "Mutation", (RecordingMutation, ExportMutation, AccessMutation, StreamMutation)
)

MAX_DEPTH = 8
MAX_ALIASES = 15
MAX_TOKENS = 2000

# Built once: rule classes made per request would defeat the validation cache.
_LIMITS: list[type[ASTValidationRule]] = [
    max_depth(MAX_DEPTH, None),
    max_aliases(MAX_ALIASES),
    UnstorableStringRule,
]


class AuditLogSchema(strawberry.Schema):
    """The schema; errors are logged by ErrorCodes, and only the unexpected ones."""

    document_cache: DocumentCache

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        return None

    async def stream(
        self, query: str | None, *args: Any, **kwargs: Any
    ) -> AsyncGenerator[Any, None]:
        """Stream an operation's results (WebSockets), each error coded and masked as over HTTP.

        ErrorCodes sees an operation's one result; a subscription yields many, so every
        one of them passes through `coded` here.
        """
        results = await super().stream(query, *args, **kwargs)
        return _coded_results(results)


async def _coded_results(results: AsyncGenerator[Any, None]) -> AsyncGenerator[Any, None]:
    async with contextlib.aclosing(results):
        async for result in results:
            if isinstance(result, ExecutionResult) and result.errors:
                result.errors = [coded(error) for error in result.errors]
            yield result


def build_schema(
    *,
    introspection: bool = True,
    max_query_cost: int = DEFAULT_MAX_COST,
    max_page_size: int = 100,
    lean_executor: bool = True,
) -> AuditLogSchema:
    """Return the service's GraphQL schema with its protective limits.

    Without `introspection`, queries for `__schema` or `__type` fail validation.
    `lean_executor=False` executes with Strawberry's default execution context, for when
    the lean one (built on graphql-core internals) is suspected of a fault.
    """
    # Built once per schema, like _LIMITS, so cached validation stays valid.
    rules = [*_LIMITS, create_cost_rule(max_query_cost, max_page_size)]
    if not introspection:
        rules.append(NoSchemaIntrospectionCustomRule)
    documents = DocumentCache()
    schema = AuditLogSchema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        execution_context_class=LeanExecutionContext if lean_executor else None,
        scalar_overrides=SCALAR_OVERRIDES,
        extensions=[
            # Before ErrorCodes, so that it sees the errors with their codes.
            OperationObserver,
            # Early, so its clean-up runs late and sees every error, parse errors included.
            ErrorCodes,
            # Parsing and validating the same dashboard query on every request is
            # wasted work; the cache keys on the query text, within a memory budget.
            lambda: CachedDocuments(documents),
            lambda: AddValidationRules(rules),
            lambda: MaxTokensLimiter(MAX_TOKENS),
        ],
    )
    schema.document_cache = documents
    return schema
