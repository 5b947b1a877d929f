"""Schemathesis hooks (loaded through SCHEMATHESIS_HOOKS): what counts as a server fault.

GraphQL errors such as FORBIDDEN or BAD_USER_INPUT are answers, not faults; only an HTTP
5xx or an error the service masked as INTERNAL_SERVER_ERROR (an exception it did not
expect, logged with its traceback) fails the run.
"""

from __future__ import annotations

from typing import Any

import schemathesis

INTERNAL = "INTERNAL_SERVER_ERROR"


@schemathesis.check
def no_internal_server_error(ctx: Any, response: Any, case: Any) -> None:
    """Fail on any HTTP 5xx and on any body that carries INTERNAL_SERVER_ERROR."""
    if response.status_code >= 500:
        raise AssertionError(f"HTTP {response.status_code}: {response.text[:500]}")
    if INTERNAL in response.text:
        raise AssertionError(f"{INTERNAL} in the response: {response.text[:500]}")
