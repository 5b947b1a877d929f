"""The fuzz run's own pieces: what counts as a server fault, and reading the service log."""

from __future__ import annotations

from dataclasses import dataclass
from types import SimpleNamespace

import pytest
from graphql import build_schema, parse, print_ast

from tests.fuzz.hooks import map_body, no_internal_server_error
from tests.fuzz.service import tracebacks


@dataclass
class FakeResponse:
    status_code: int
    text: str


MASKED = '{"errors":[{"message":"Unexpected error","extensions":{"code":"INTERNAL_SERVER_ERROR"}}]}'
FORBIDDEN = '{"data":null,"errors":[{"message":"No.","extensions":{"code":"FORBIDDEN"}}]}'


@pytest.mark.parametrize(
    "response",
    [FakeResponse(200, MASKED), FakeResponse(500, "Internal Server Error"), FakeResponse(502, "")],
    ids=["masked-error", "http-500", "http-502"],
)
def test_a_server_fault_fails_the_check(response: FakeResponse) -> None:
    with pytest.raises(AssertionError):
        no_internal_server_error(None, response, None)


@pytest.mark.parametrize(
    "response",
    [FakeResponse(200, FORBIDDEN), FakeResponse(400, "{}"), FakeResponse(413, "{}")],
    ids=["coded-graphql-error", "http-400", "http-413"],
)
def test_answers_that_refuse_the_request_pass_the_check(response: FakeResponse) -> None:
    assert no_internal_server_error(None, response, None) is None


def test_each_distinct_traceback_is_reported_once_with_the_line_before_it() -> None:
    one = 'Unexpected error in revokeRole\nTraceback (most recent call last):\n  File "x"\nE: a'
    other = 'Unexpected error in auditLogs\nTraceback (most recent call last):\n  File "y"\nE: b'
    log = "\n".join(["INFO: started", one, "INFO: 200 OK", one, other])
    assert tracebacks(log) == [one, other]


SCHEMA = build_schema(
    """
    enum Order { NEW OLD }
    input Event { outcome: Int! = 1, note: String }
    type Query {
      auditLogs(first: Int, last: Int, before: String, after: String, order: Order! = NEW): Int
      record(event: Event): Int
    }
    """
)
CONTEXT = SimpleNamespace(operation=SimpleNamespace(schema=SimpleNamespace(client_schema=SCHEMA)))


def repaired(document: str) -> str:
    """Send a document through the hook; return it printed on one line."""
    return " ".join(print_ast(map_body(CONTEXT, parse(document))).split())


def test_generated_pages_keep_first_and_drop_last_and_before() -> None:
    document = '{ auditLogs(first: 1, last: 2, before: "b", after: "a") }'
    assert repaired(document) == '{ auditLogs(first: 1, after: "a") }'


def test_a_page_in_one_direction_keeps_its_arguments() -> None:
    assert repaired('{ auditLogs(last: 2, before: "b") }') == '{ auditLogs(last: 2, before: "b") }'


def test_nulls_for_non_null_arguments_and_fields_with_defaults_are_left_out() -> None:
    document = "{ auditLogs(order: null, first: null) record(event: {outcome: null, note: null}) }"
    assert repaired(document) == "{ auditLogs(first: null) record(event: { note: null }) }"


def test_bodies_that_are_not_documents_are_sent_as_generated() -> None:
    assert (
        map_body(CONTEXT, "{ auditLogs(first: 1, last: 1) }") == "{ auditLogs(first: 1, last: 1) }"
    )
