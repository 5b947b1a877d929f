"""A static cost for each operation, so one request cannot ask for unbounded database work.

Every field that reads the database has a price (a page by its size, a total, a facet
per field, a histogram); the rule adds them up over the operation, fragments included,
and refuses one above the limit with QUERY_TOO_EXPENSIVE before anything runs. Values
given as variables are unknown at validation (and validation is cached by query text),
so a variable counts at its declared default, or else at the maximum it could take.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from graphql import (
    ASTValidationRule,
    EnumValueNode,
    FieldNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLObjectType,
    InlineFragmentNode,
    IntValueNode,
    ListValueNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    ValidationContext,
    ValidationRule,
    ValueNode,
    VariableNode,
    get_named_type,
)

from resolvers.audit_logs import DEFAULT_PAGE_SIZE
from resolvers.facets import FacetField

DEFAULT_MAX_COST = 100
TOTAL_COST = 5
FACET_FIELD_COST = 5
HISTOGRAM_COST = 10
ROWS_PER_COST = 100  # a page costs 1 plus 1 per started hundred rows
NODES_PER_COST = 10  # nodes(ids:) costs 1 per started ten ids
MAX_NODES = 100
CODE = "QUERY_TOO_EXPENSIVE"


@dataclass(frozen=True)
class _Pricing:
    max_page_size: int
    variables: Mapping[str, ValueNode | None]

    def page(self, field: FieldNode) -> int:
        sizes = [self._int(field, name) for name in ("first", "last")]
        given = [size for size in sizes if size is not None]
        size = min(max(given), self.max_page_size) if given else DEFAULT_PAGE_SIZE
        return 1 + math.ceil(max(size, 0) / ROWS_PER_COST)

    def facets(self, field: FieldNode) -> int:
        value = self._resolved(_argument(field, "fields"))
        if isinstance(value, ListValueNode):
            names = {item.value for item in value.values if isinstance(item, EnumValueNode)}
            return FACET_FIELD_COST * max(len(names), 1)
        if isinstance(value, EnumValueNode):
            return FACET_FIELD_COST
        return FACET_FIELD_COST * len(FacetField)

    def nodes(self, field: FieldNode) -> int:
        value = self._resolved(_argument(field, "ids"))
        count = len(value.values) if isinstance(value, ListValueNode) else MAX_NODES
        return math.ceil(max(count, 1) / NODES_PER_COST)

    def _int(self, field: FieldNode, name: str) -> int | None:
        node = _argument(field, name)
        if node is None:
            return None
        value = self._resolved(node)
        return int(value.value) if isinstance(value, IntValueNode) else self.max_page_size

    def _resolved(self, node: ValueNode | None) -> ValueNode | None:
        if isinstance(node, VariableNode):
            return self.variables.get(node.name.value)
        return node


Price = Callable[[_Pricing, FieldNode], int]
# Keyed by "Type.field"; fields not listed are free (plain values already loaded).
PRICES: dict[str, Price] = {
    "Query.auditLogs": _Pricing.page,
    "AuditLogConnection.totalCount": lambda _, __: TOTAL_COST,
    "Query.auditLogFacets": _Pricing.facets,
    "Query.auditLogHistogram": lambda _, __: HISTOGRAM_COST,
    "Query.auditLog": lambda _, __: 1,
    "Query.node": lambda _, __: 1,
    "Query.nodes": _Pricing.nodes,
    "Query.viewer": lambda _, __: 1,
    "Query.roleGrants": lambda _, __: 1,
    "Query.apiTokens": lambda _, __: 1,
    "Query.auditLogExports": lambda _, __: 1,
    "Query.auditLogExport": lambda _, __: 1,
    "PageInfo.hasNextPage": lambda _, __: 1,
    "PageInfo.hasPreviousPage": lambda _, __: 1,
}


def create_cost_rule(max_cost: int, max_page_size: int) -> type[ASTValidationRule]:
    """Return a validation rule refusing operations that cost more than `max_cost`."""

    class QueryCost(ValidationRule):
        def enter_operation_definition(self, node: OperationDefinitionNode, *_: Any) -> None:
            if node.operation is not OperationType.QUERY:
                return
            root = self.context.schema.query_type
            if root is None:
                return
            variables = {
                definition.variable.name.value: definition.default_value
                for definition in node.variable_definitions or ()
            }
            walk = _Walk(self.context, _Pricing(max_page_size, variables))
            walk.selections(root, node.selection_set, frozenset())
            total = sum(walk.costs.values())
            if total > max_cost:
                self.report_error(_too_expensive(node, total, max_cost, walk))

    return QueryCost


class _Walk:
    """Adds up field prices over a selection set, following fragments."""

    def __init__(self, context: ValidationContext, pricing: _Pricing) -> None:
        self.context = context
        self.pricing = pricing
        self.costs: Counter[str] = Counter()
        self.counts: Counter[str] = Counter()

    def selections(
        self, parent: GraphQLObjectType, selection_set: SelectionSetNode, seen: frozenset[str]
    ) -> None:
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                self.field(parent, selection, seen)
            elif isinstance(selection, InlineFragmentNode):
                self.fragment(parent, selection.type_condition, selection.selection_set, seen)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                fragment = self.context.get_fragment(name)
                if fragment is not None and name not in seen:  # cycles are another rule's
                    self.fragment(
                        parent, fragment.type_condition, fragment.selection_set, seen | {name}
                    )

    def fragment(
        self,
        parent: GraphQLObjectType,
        condition: Any,
        selection_set: SelectionSetNode,
        seen: frozenset[str],
    ) -> None:
        kind = self.context.schema.get_type(condition.name.value) if condition else parent
        if isinstance(kind, GraphQLObjectType):
            self.selections(kind, selection_set, seen)

    def field(self, parent: GraphQLObjectType, node: FieldNode, seen: frozenset[str]) -> None:
        definition = parent.fields.get(node.name.value)
        if definition is None:  # unknown fields are reported by another rule
            return
        key = f"{parent.name}.{node.name.value}"
        price = PRICES.get(key)
        if price is not None:
            self.costs[key] += price(self.pricing, node)
            self.counts[key] += 1
        child = get_named_type(definition.type)
        if node.selection_set is not None and isinstance(child, GraphQLObjectType):
            self.selections(child, node.selection_set, seen)


def _argument(field: FieldNode, name: str) -> ValueNode | None:
    for argument in field.arguments or ():
        if argument.name.value == name:
            return argument.value
    return None


def _too_expensive(
    node: OperationDefinitionNode, total: int, limit: int, walk: _Walk
) -> GraphQLError:
    costliest = ", ".join(
        f"{key.split('.')[1]} x{walk.counts[key]} ({cost})"
        for key, cost in walk.costs.most_common(3)
    )
    return GraphQLError(
        f"This query costs {total}, over the limit of {limit}; the costliest fields are "
        f"{costliest}. Ask for fewer histograms, facets, totals or rows per request, or "
        "split it into several requests.",
        node,
        extensions={"code": CODE, "cost": total, "limit": limit},
    )
