"""Checks on a GraphQL HTTP request before it is parsed as GraphQL.

Exceptions::

    RequestError          the request cannot run; `status` and `code` say how to answer

The body must be UTF-8 JSON, the query document at most a configured size (values
belong in variables), and no string anywhere in the variables may hold a character
that no database stores (NUL, a lone UTF-16 surrogate).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from itertools import islice
from typing import Any

import orjson
from graphql import GraphQLError, StringValueNode, ValidationRule

from resolvers.json_limits import Part, text_problem, walk

MAX_VARIABLE_DEPTH = 64
# ASCII digits only, searched in the raw body: most bodies have no such run and are
# neither copied nor decoded twice.
_LONG_NUMBER = re.compile(rb"[0-9]{19}")
MAX_REPORTED = 10


class RequestError(Exception):
    """A request that cannot run; answered with `status` and a coded GraphQL error."""

    def __init__(
        self,
        message: str,
        *,
        status: int = 400,
        code: str = "BAD_USER_INPUT",
        problems: list[tuple[str, str]] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.problems = problems or []

    def body(self) -> dict[str, Any]:
        """The GraphQL-shaped response body."""
        extensions: dict[str, Any] = {"code": self.code}
        if self.problems:
            extensions["problems"] = [{"field": f, "message": m} for f, m in self.problems]
        return {"data": None, "errors": [{"message": str(self), "extensions": extensions}]}


_HTTP_CODES = {400: "BAD_USER_INPUT", 404: "NOT_FOUND", 405: "METHOD_NOT_ALLOWED"}


def http_error_code(exc: Exception) -> str:
    """The extensions.code for an HTTP-level refusal of Strawberry's view."""
    return _HTTP_CODES.get(getattr(exc, "status_code", 400), "BAD_REQUEST")


def decode_body(data: str | bytes) -> object:
    """Decode a JSON request body, or raise RequestError saying where it is broken."""
    try:
        value = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        _refuse_unstorable_text(data)
        raise RequestError(
            f"Request body is not valid UTF-8 JSON ({exc}); send a JSON object such as "
            '{"query": "{ viewer { id } }", "variables": {}}.'
        ) from exc
    # An error then quotes a number as it was sent, not rounded.
    return _exact_numbers(data, value)


def _exact_numbers(data: str | bytes, value: object) -> object:
    """Decode again keeping integers beyond 64 bits exact, which orjson rounds to floats."""
    raw = data.encode() if isinstance(data, str) else data
    if not _LONG_NUMBER.search(raw):
        return value
    try:
        return json.loads(raw)
    except RecursionError:
        return value


def _refuse_unstorable_text(data: str | bytes) -> None:
    """Name the field when a body is valid JSON except for lone surrogates."""
    try:
        lenient = json.loads(data)
    except (ValueError, RecursionError):
        return
    problems = list(islice(_text_problems(lenient, "", 0), MAX_REPORTED))
    if problems:
        # Well-formed JSON whose values cannot be stored: a GraphQL error, answered 200
        # like every other bad variable value.
        raise RequestError(f"{problems[0][0]}: {problems[0][1]}", status=200, problems=problems)


def check_query_size(query: object, limit: int) -> None:
    """Refuse query documents longer than `limit` bytes."""
    if isinstance(query, str) and len(query) > limit and len(query.encode()) > limit:
        raise RequestError(
            f"The query document is {len(query.encode())} bytes; the limit is {limit}. "
            "Pass large values as variables instead of writing them into the query.",
            status=413,
            code="QUERY_TOO_LARGE",
        )


def check_variables(variables: object) -> None:
    """Refuse variables holding unstorable characters or nesting beyond any input type."""
    if not isinstance(variables, dict):
        return
    problems = list(islice(_text_problems(variables, "variables", -1), MAX_REPORTED))
    if problems:
        field, message = problems[0]
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise RequestError(f"{field}: {message}{more}", status=200, problems=problems)


def _text_problems(root: object, root_path: str, root_depth: int) -> Iterator[tuple[str, str]]:
    for part, path, item in walk(root, root_path, MAX_VARIABLE_DEPTH, root_depth):
        if part is Part.TOO_DEEP:
            yield path, f"nests deeper than {MAX_VARIABLE_DEPTH} levels; flatten it."
        elif isinstance(item, str) and (problem := text_problem(item)):
            yield (f"{path} (a key)" if part is Part.KEY else path), problem


class UnstorableStringRule(ValidationRule):
    """Refuse string literals in the document that hold NUL or a lone surrogate."""

    def enter_string_value(self, node: StringValueNode, *_args: object) -> None:
        problem = text_problem(node.value)
        if problem:
            self.report_error(
                GraphQLError(
                    f"A string in the query {problem}",
                    node,
                    extensions={"code": "BAD_USER_INPUT"},
                )
            )
