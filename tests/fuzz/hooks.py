"""Schemathesis hooks (loaded through SCHEMATHESIS_HOOKS): what counts as a fault, and fix-ups.

GraphQL errors such as FORBIDDEN or BAD_USER_INPUT are answers, not faults; only an HTTP
5xx or an error the service masked as INTERNAL_SERVER_ERROR (an exception it did not
expect, logged with its traceback) fails the run.

The fix-ups repair two habits of the generator that would stop every such operation at
validation, so that generated reads and writes reach the service's logic: it sends
`null` for non-null arguments that have a default (`orderBy: null`, `outcome: null`),
and it pages auditLogs with first and last together.
"""

from __future__ import annotations

import dataclasses
import functools
from typing import Any

import schemathesis
from graphql import (
    REMOVE,
    ArgumentNode,
    BooleanValueNode,
    DocumentNode,
    FieldNode,
    FloatValueNode,
    GraphQLArgument,
    GraphQLInputField,
    GraphQLInputObjectType,
    GraphQLObjectType,
    GraphQLSchema,
    IntValueNode,
    ListValueNode,
    NameNode,
    NullValueNode,
    ObjectFieldNode,
    ObjectValueNode,
    StringValueNode,
    Undefined,
    ValueNode,
    Visitor,
    is_non_null_type,
    visit,
)
from hypothesis import strategies as st

INTERNAL = "INTERNAL_SERVER_ERROR"
PAGED_FIELD = "auditLogs"
BACKWARD_ARGUMENTS = ("last", "before")


def json_node(value: object) -> ValueNode:
    """A JSON value as the GraphQL literal that writes it (for the JSON scalar)."""
    if isinstance(value, dict):
        fields = [
            ObjectFieldNode(name=NameNode(value=k), value=json_node(v)) for k, v in value.items()
        ]
        return ObjectValueNode(fields=tuple(fields))
    if isinstance(value, list):
        return ListValueNode(values=tuple(json_node(item) for item in value))
    if isinstance(value, bool):
        return BooleanValueNode(value=value)
    if isinstance(value, int):
        return IntValueNode(value=str(value))
    if isinstance(value, float):
        return FloatValueNode(value=repr(value))
    if isinstance(value, str):
        return StringValueNode(value=value)
    return NullValueNode()


# A required JSON argument (a stream's settings) needs a strategy of its own: objects
# whose keys are setting names or other GraphQL names, values of every JSON kind.
_JSON_LEAVES = st.one_of(
    st.none(), st.booleans(), st.integers(-(2**40), 2**40), st.text(max_size=30),
    st.floats(allow_nan=False, allow_infinity=False),
)  # fmt: skip
_KEYS = st.one_of(
    st.sampled_from(["url", "host", "port", "tls", "site", "format", "endpoint", "token_uri"]),
    st.from_regex(r"\A[_A-Za-z][_0-9A-Za-z]{0,12}\Z"),
)
_JSON = st.one_of(
    st.dictionaries(_KEYS, _JSON_LEAVES, max_size=5),
    st.lists(_JSON_LEAVES, max_size=3),
    _JSON_LEAVES,
)
schemathesis.graphql.scalar("JSON", _JSON.map(json_node))


@schemathesis.check
def no_internal_server_error(ctx: Any, response: Any, case: Any) -> None:
    """Fail on any HTTP 5xx and on any body that carries INTERNAL_SERVER_ERROR."""
    if response.status_code >= 500:
        raise AssertionError(f"HTTP {response.status_code}: {response.text[:500]}")
    if INTERNAL in response.text:
        raise AssertionError(f"{INTERNAL} in the response: {response.text[:500]}")


@schemathesis.hook
def map_body(context: Any, body: Any) -> Any:
    """Drop nulls the schema refuses and page auditLogs in one direction.

    Schemathesis hands GraphQL bodies over as documents, before printing them.
    """
    if not isinstance(body, DocumentNode):
        return body
    schema = context.operation.schema.client_schema
    return visit(body, _Repair(defaulted_non_null_names(schema)))


@functools.cache
def defaulted_non_null_names(schema: GraphQLSchema) -> frozenset[str]:
    """Names of the schema's non-null arguments and input fields that have a default."""
    names: set[str] = set()
    for named in schema.type_map.values():
        if isinstance(named, GraphQLObjectType):
            for field in named.fields.values():
                names.update(n for n, a in field.args.items() if _defaulted(a))
        elif isinstance(named, GraphQLInputObjectType):
            names.update(n for n, f in named.fields.items() if _defaulted(f))
    return frozenset(names)


def _defaulted(definition: GraphQLArgument | GraphQLInputField) -> bool:
    # graphql-core 3.3 keeps an SDL or introspected default in `default`, a Python one in
    # `default_value`.
    has_default = definition.default is not None or definition.default_value is not Undefined
    return is_non_null_type(definition.type) and has_default


class _Repair(Visitor):
    def __init__(self, defaulted: frozenset[str]) -> None:
        super().__init__()
        self.defaulted = defaulted

    def enter_argument(self, node: ArgumentNode, *_: Any) -> Any:
        return self._null_with_default(node)

    def enter_object_field(self, node: ObjectFieldNode, *_: Any) -> Any:
        return self._null_with_default(node)

    def _null_with_default(self, node: ArgumentNode | ObjectFieldNode) -> Any:
        if isinstance(node.value, NullValueNode) and node.name.value in self.defaulted:
            return REMOVE
        return None

    def enter_field(self, node: FieldNode, *_: Any) -> FieldNode | None:
        names = {argument.name.value for argument in node.arguments or ()}
        if node.name.value != PAGED_FIELD or not {"first", "last"} <= names:
            return None
        kept = tuple(a for a in node.arguments if a.name.value not in BACKWARD_ARGUMENTS)
        return dataclasses.replace(node, arguments=kept)
