"""A leaner execution of plain fields, for pages of many small objects.

graphql-core resolves every field the same way: a path, a resolve-info tuple, the
strawberry wrapper around the resolver, argument conversion, then value completion.
A dashboard page asks for about 1,500 fields, nearly all of them scalars or enums
read off an attribute, and that ceremony costs more than reading the rows.

Here three kinds of field skip it:
- plain leaves: a scalar or enum with no resolver and no field extension, read with
  `getattr` and coerced by its type;
- pure methods: a scalar or enum whose synchronous resolver takes neither `info` nor
  `root`, has no field extension and only String/Int/Float/Boolean arguments; called
  with the coerced arguments. Such a method must not have side effects: it may be
  called again;
- plain objects: an object type, or a list of non-null ones, read with `getattr`,
  whose sub-fields are then executed directly; a type with `is_type_of` (one that
  implements an interface) must accept each value first.

Whatever the shortcut cannot complete cleanly (a null in a non-null field, a value its
type refuses, a method that raises) takes graphql-core's ordinary path, so errors,
their paths and null propagation stay exactly as they were; errors inside a plain
object are located as execute_field locates them. Other lists (nullable items, a null
item, anything but a list or tuple, a directive such as @stream), async resolvers,
anything behind a permission, and every field while a middleware is installed take the
ordinary path.
"""

from __future__ import annotations

import weakref
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeGuard

from graphql import (
    GraphQLField,
    GraphQLLeafType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    Undefined,
    is_leaf_type,
)
from graphql.execution.collect_fields import FieldDetailsList, GroupedFieldSet
from graphql.execution.values import get_argument_values
from graphql.pyutils import Path, gather_with_cancel
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.types.field import StrawberryField

_DEFINITION = "strawberry-definition"
_PLAIN_ARGUMENT_TYPES = frozenset({"String", "Int", "Float", "Boolean"})


@dataclass(frozen=True, slots=True)
class Shortcut:
    """How to answer one field without its resolver machinery."""

    field: GraphQLField
    non_null: bool
    leaf_type: GraphQLLeafType | None = None
    object_type: GraphQLObjectType | None = None
    attribute: str | None = None
    is_list: bool = False  # of object_type, each item non-null
    method: Callable[..., Any] | None = None
    arguments: tuple[tuple[str, str], ...] = ()  # (GraphQL name, Python name)


# Per object type of a built schema (types are never changed once built), by field name.
_SHORTCUTS: weakref.WeakKeyDictionary[GraphQLObjectType, dict[str, Shortcut | None]] = (
    weakref.WeakKeyDictionary()
)


def shortcut(parent_type: GraphQLObjectType, field_name: str) -> Shortcut | None:
    """Return the field's shortcut, or None when it needs the ordinary path."""
    return _lookup(_shortcuts_of(parent_type), parent_type, field_name)


def _shortcuts_of(parent_type: GraphQLObjectType) -> dict[str, Shortcut | None]:
    known = _SHORTCUTS.get(parent_type)
    if known is None:
        known = _SHORTCUTS[parent_type] = {}
    return known


def _lookup(
    known: dict[str, Shortcut | None], parent_type: GraphQLObjectType, field_name: str
) -> Shortcut | None:
    try:
        return known[field_name]
    except KeyError:
        found = known[field_name] = _classify(parent_type.fields.get(field_name))
        return found


def _classify(field: GraphQLField | None) -> Shortcut | None:
    if field is None:
        return None
    definition = (field.extensions or {}).get(_DEFINITION)
    if not isinstance(definition, StrawberryField) or definition.extensions:
        return None
    non_null = isinstance(field.type, GraphQLNonNull)
    named = field.type.of_type if isinstance(field.type, GraphQLNonNull) else field.type
    resolver = definition.base_resolver
    if _is_plain_object(named) and resolver is None:
        return Shortcut(field, non_null, object_type=named, attribute=definition.python_name)
    if isinstance(named, GraphQLList) and resolver is None:
        item = named.of_type
        if isinstance(item, GraphQLNonNull) and _is_plain_object(item.of_type):
            return Shortcut(
                field,
                non_null,
                object_type=item.of_type,
                attribute=definition.python_name,
                is_list=True,
            )
    if not is_leaf_type(named):
        return None
    if resolver is None:
        return Shortcut(field, non_null, leaf_type=named, attribute=definition.python_name)
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
    return Shortcut(field, non_null, leaf_type=named, method=method, arguments=names)


def _is_plain_object(kind: object) -> TypeGuard[GraphQLObjectType]:
    return isinstance(kind, GraphQLObjectType)


def _is_of_type(kind: GraphQLObjectType, value: Any) -> bool:
    """Whether `value` may complete as `kind`; types implementing an interface check it.

    Strawberry's is_type_of is an isinstance test that ignores the resolve info, which
    the shortcut does not build.
    """
    return kind.is_type_of is None or bool(kind.is_type_of(value, None))  # type: ignore[arg-type]


def _is_plain_argument(kind: object) -> bool:
    named = kind.of_type if isinstance(kind, GraphQLNonNull) else kind
    return isinstance(named, GraphQLScalarType) and named.name in _PLAIN_ARGUMENT_TYPES


class LeanExecutionContext(StrawberryGraphQLCoreExecutionContext):
    """Strawberry's executor, with shortcuts for plain fields."""

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
        pending: list[str] = []
        known = _shortcuts_of(parent_type)
        try:
            for response_name, details in grouped_field_set.items():
                found = _lookup(known, parent_type, details[0].node.name.value)
                if found is None:
                    value = Undefined
                elif found.object_type is not None:
                    field_path = Path(path, response_name, parent_type.name)
                    value = self._complete_object(
                        source_value, found, details, field_path, position_context
                    )
                    if self.is_awaitable(value):
                        pending.append(response_name)
                else:
                    value = self._read(source_value, found, details)
                results[response_name] = value
                if value is Undefined:
                    rest[response_name] = details
            others = (
                super().execute_fields(parent_type, source_value, path, rest, position_context)
                if rest
                else {}
            )
        except Exception:
            if pending:
                self.settle_in_background([results[name] for name in pending])
            raise
        if isinstance(others, dict) and not pending:
            return _completed(results, others, rest)
        return self._gathered(results, others, rest, pending)

    def _complete_object(
        self,
        source: Any,
        found: Shortcut,
        details: FieldDetailsList,
        path: Path,
        position_context: Any,
    ) -> Any:
        """An object field's answer, completed the way execute_field would complete it."""
        try:
            value = getattr(source, found.attribute)  # type: ignore[arg-type]
        except Exception:
            return Undefined
        if value is None:
            return Undefined if found.non_null else None
        if found.is_list:
            return self._complete_list(value, found, details, path, position_context)
        if not _is_of_type(found.object_type, value):  # type: ignore[arg-type]
            return Undefined
        try:
            completed = self.collect_and_execute_subfields(
                found.object_type,  # type: ignore[arg-type]
                details,
                path,
                value,
                position_context,
            )
        except Exception as error:
            self.handle_field_error(error, found.field.type, details, path)
            return None
        if self.is_awaitable(completed):
            return self._located(completed, found, details, path)
        return completed

    def _complete_list(
        self,
        items: Any,
        found: Shortcut,
        details: FieldDetailsList,
        path: Path,
        position_context: Any,
    ) -> Any:
        """A list of non-null plain objects, completed item by item.

        Anything unusual (not a list, a null item, a directive such as @stream on the
        field) is left to complete_list_value.
        """
        if not isinstance(items, list | tuple) or any(item is None for item in items):
            return Undefined
        kind: GraphQLObjectType = found.object_type  # type: ignore[assignment]
        if kind.is_type_of is not None and not all(_is_of_type(kind, item) for item in items):
            return Undefined
        if any(detail.node.directives for detail in details):
            return Undefined
        completed: list[Any] = []
        try:
            for index, item in enumerate(items):
                completed.append(
                    self.collect_and_execute_subfields(
                        found.object_type,  # type: ignore[arg-type]
                        details,
                        path.add_key(index, None),
                        item,
                        position_context,
                    )
                )
        except Exception as error:
            started = [result for result in completed if self.is_awaitable(result)]
            if started:
                self.settle_in_background(started)
            self.handle_field_error(error, found.field.type, details, path)
            return None
        if any(self.is_awaitable(result) for result in completed):
            return self._located(_each(completed, self.is_awaitable), found, details, path)
        return completed

    async def _located(
        self, completed: Awaitable[Any], found: Shortcut, details: FieldDetailsList, path: Path
    ) -> Any:
        try:
            return await completed
        except Exception as error:
            self.handle_field_error(error, found.field.type, details, path)
            return None

    async def _gathered(
        self,
        results: dict[str, Any],
        others: Any,
        rest: dict[str, Any],
        pending: list[str],
    ) -> dict[str, Any]:
        awaitables = [results[name] for name in pending]
        if not isinstance(others, dict):
            awaitables.append(others)
        awaited = await gather_with_cancel(*awaitables)
        results.update(zip(pending, awaited, strict=False))
        return _completed(results, others if isinstance(others, dict) else awaited[-1], rest)

    def _read(self, source: Any, found: Shortcut, details: FieldDetailsList) -> Any:
        """The field's output value, or Undefined when the ordinary path must decide."""
        try:
            if found.attribute is not None:
                value = getattr(source, found.attribute)
            else:
                value = found.method(source, **self._arguments(found, details))  # type: ignore[misc]
            if value is None:
                return Undefined if found.non_null else None
            coerced = found.leaf_type.coerce_output_value(value)  # type: ignore[union-attr]
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


async def _each(results: list[Any], is_awaitable: Callable[[Any], bool]) -> list[Any]:
    """The list with its awaitable items awaited together."""
    indices = [index for index, result in enumerate(results) if is_awaitable(result)]
    awaited = await gather_with_cancel(*(results[index] for index in indices))
    for index, value in zip(indices, awaited, strict=True):
        results[index] = value
    return results


def _completed(
    results: dict[str, Any], others: dict[str, Any], rest: dict[str, Any]
) -> dict[str, Any]:
    """The shortcut's values with the ordinary path's, minus fields it left out."""
    results.update(others)
    for name in rest:
        if name not in others:
            del results[name]
    return results
