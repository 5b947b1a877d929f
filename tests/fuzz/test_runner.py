"""The fuzz run's own pieces: what counts as a server fault, and reading the service log."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from tests.fuzz.checks import no_internal_server_error
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
