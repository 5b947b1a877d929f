"""Schemathesis hooks (loaded through SCHEMATHESIS_HOOKS): what counts as a fault, and one fix-up.

GraphQL errors such as FORBIDDEN or BAD_USER_INPUT are answers, not faults; only an HTTP
5xx or an error the service masked as INTERNAL_SERVER_ERROR (an exception it did not
expect, logged with its traceback) fails the run.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import schemathesis
from graphql import DocumentNode, FieldNode, Visitor, visit

INTERNAL = "INTERNAL_SERVER_ERROR"
PAGED_FIELD = "auditLogs"
BACKWARD_ARGUMENTS = ("last", "before")


@schemathesis.check
def no_internal_server_error(ctx: Any, response: Any, case: Any) -> None:
    """Fail on any HTTP 5xx and on any body that carries INTERNAL_SERVER_ERROR."""
    if response.status_code >= 500:
        raise AssertionError(f"HTTP {response.status_code}: {response.text[:500]}")
    if INTERNAL in response.text:
        raise AssertionError(f"{INTERNAL} in the response: {response.text[:500]}")


@schemathesis.hook
def map_body(context: Any, body: Any) -> Any:
    """Page auditLogs in one direction: generated pages pass both first and last, always refused.

    Schemathesis hands GraphQL bodies over as documents, before printing them.
    """
    if isinstance(body, DocumentNode):
        return visit(body, _OneDirection())
    return body


class _OneDirection(Visitor):
    def enter_field(self, node: FieldNode, *_: Any) -> FieldNode | None:
        names = {argument.name.value for argument in node.arguments or ()}
        if node.name.value != PAGED_FIELD or not {"first", "last"} <= names:
            return None
        kept = tuple(a for a in node.arguments if a.name.value not in BACKWARD_ARGUMENTS)
        return dataclasses.replace(node, arguments=kept)
