"""A leaner execution of plain fields, for pages of many small objects.

graphql-core resolves every field the same way: a path, a resolve-info tuple, the
strawberry wrapper around the resolver, argument conversion, then value completion.
A dashboard page asks for about 1,500 fields, nearly all of them scalars or enums
read off an attribute, and that ceremony costs more than reading the rows.

Here two kinds of leaf field (scalar or enum type) skip it:
- plain attributes: no resolver, no field extension; read with `getattr`;
- pure methods: a synchronous resolver taking neither `info` nor `root`, no field
  extension, and only String/Int/Float/Boolean arguments; called with the coerced
  arguments. Such a method must not have side effects: it may be called again.

Whatever the shortcut cannot complete cleanly (a null in a non-null field, a value its
type refuses, a method that raises) takes graphql-core's ordinary path, so errors,
their paths and null propagation stay exactly as they were. Object and list fields,
async resolvers and anything behind a permission always take the ordinary path.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from graphql import (
    GraphQLField,
    GraphQLLeafType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    Undefined,
    is_leaf_type,
)
from graphql.execution.collect_fields import FieldDetailsList, GroupedFieldSet
from graphql.execution.values import get_argument_values
from graphql.pyutils import Path
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.types.field import StrawberryField

_DEFINITION = "strawberry-definition"
_PLAIN_ARGUMENT_TYPES = frozenset({"String", "Int", "Float", "Boolean"})


@dataclass(frozen=True, slots=True)
class Shortcut:
    """How to read one leaf field without its resolver machinery."""

    field: GraphQLField
    type: GraphQLLeafType
    non_null: bool
    attribute: str | None = None
    method: Callable[..., Any] | None = None
    arguments: tuple[tuple[str, str], ...] = ()  # (GraphQL name, Python name)


# Per (object type, field name). Schemas are built once, so entries never go stale.
_SHORTCUTS: dict[tuple[str, str], Shortcut | None] = {}


def shortcut(parent_type: GraphQLObjectType, field_name: str) -> Shortcut | None:
    """Return the field's shortcut, or None when it needs the ordinary path."""
    key = (parent_type.name, field_name)
    if key not in _SHORTCUTS:
        _SHORTCUTS[key] = _classify(parent_type.fields.get(field_name))
    return _SHORTCUTS[key]


def _classify(field: GraphQLField | None) -> Shortcut | None:
    if field is None:
        return None
    definition = (field.extensions or {}).get(_DEFINITION)
    if not isinstance(definition, StrawberryField) or definition.extensions:
        return None
    non_null = isinstance(field.type, GraphQLNonNull)
    leaf = field.type.of_type if isinstance(field.type, GraphQLNonNull) else field.type
    if not is_leaf_type(leaf):
        return None
    resolver = definition.base_resolver
    if resolver is None:
        return Shortcut(field, leaf, non_null, attribute=definition.python_name)
    if resolver.is_async or resolver.info_parameter or resolver.root_parameter:
        return None
    if resolver.parent_parameter or not resolver.self_parameter:
        return None
    if not all(_is_plain_argument(argument.type) for argument in field.args.values()):
        return None
    names = tuple((a.graphql_name or a.python_name, a.python_name) for a in resolver.arguments)
    if {graphql for graphql, _ in names} != set(field.args):
        return None
    method = resolver.wrapped_func
    if isinstance(method, staticmethod | classmethod):
        return None
    return Shortcut(field, leaf, non_null, method=method, arguments=names)


def _is_plain_argument(kind: object) -> bool:
    named = kind.of_type if isinstance(kind, GraphQLNonNull) else kind
    return isinstance(named, GraphQLScalarType) and named.name in _PLAIN_ARGUMENT_TYPES


class LeanExecutionContext(StrawberryGraphQLCoreExecutionContext):
    """Strawberry's executor, with shortcuts for plain scalar and enum fields."""

    def execute_fields(
        self,
        parent_type: GraphQLObjectType,
        source_value: Any,
        path: Path | None,
        grouped_field_set: GroupedFieldSet,
        position_context: Any,
    ) -> Any:
        manager = self.middleware_manager
        if manager is not None and manager.middlewares:  # a middleware must see every field
            return super().execute_fields(
                parent_type, source_value, path, grouped_field_set, position_context
            )
        # Every name gets its slot now, so the answer keeps the query's field order.
        results: dict[str, Any] = {}
        rest: dict[str, Any] = {}
        for response_name, details in grouped_field_set.items():
            found = shortcut(parent_type, details[0].node.name.value)
            value = Undefined if found is None else self._read(source_value, found, details)
            results[response_name] = value
            if value is Undefined:
                rest[response_name] = details
        if not rest:
            return results
        others = super().execute_fields(parent_type, source_value, path, rest, position_context)
        if isinstance(others, dict):
            return _completed(results, others, rest)
        return _merged(results, others, rest)

    def _read(self, source: Any, found: Shortcut, details: FieldDetailsList) -> Any:
        """The field's output value, or Undefined when the ordinary path must decide."""
        try:
            if found.attribute is not None:
                value = getattr(source, found.attribute)
            else:
                value = found.method(source, **self._arguments(found, details))  # type: ignore[misc]
            if value is None:
                return Undefined if found.non_null else None
            coerced = found.type.coerce_output_value(value)
        except Exception:  # the ordinary path reports it, located
            return Undefined
        return Undefined if coerced is None else coerced

    def _arguments(self, found: Shortcut, details: FieldDetailsList) -> dict[str, Any]:
        node = details[0].node
        if not node.arguments:
            return {}  # the method's own defaults are the schema's defaults
        values = get_argument_values(
            found.field,
            node,
            self.variable_values,
            details[0].fragment_variable_values,
            self.hide_suggestions,
        )
        return {python: values[graphql] for graphql, python in found.arguments if graphql in values}


async def _merged(
    results: dict[str, Any], others: Awaitable[dict[str, Any]], rest: dict[str, Any]
) -> dict[str, Any]:
    return _completed(results, await others, rest)


def _completed(
    results: dict[str, Any], others: dict[str, Any], rest: dict[str, Any]
) -> dict[str, Any]:
    """The shortcut's values with the ordinary path's, minus fields it left out."""
    results.update(others)
    for name in rest:
        if name not in others:
            del results[name]
    return results
