"""What counts as an error in the mixed load, by code: HTTP status, GraphQL code, ingest result."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Checked:
    """An answer's error codes, and for ingest how many events were stored or repeats."""

    errors: list[str] = field(default_factory=list)
    stored: int = 0
    duplicates: int = 0
    end_cursor: str | None = None  # a page's endCursor when it has a next page


def check_answer(status: int, answer: object, events: int = 0, retry: bool = False) -> Checked:
    """Error codes of one answer: "HTTP <status>" for a non-2xx status, each GraphQL
    error's extensions.code ("NO_CODE" without one), and for a batch of `events`
    "RESULT_COUNT" (results missing), "NOT_DUPLICATE" (a retry stored something) or
    "UNEXPECTED_DUPLICATE" (a fresh event was taken for a repeat)."""
    if not 200 <= status < 300:
        return Checked([f"HTTP {status}"])
    if not isinstance(answer, dict):
        return Checked(["NOT_JSON_OBJECT"])
    errors = [_code(error) for error in answer.get("errors") or ()]
    data = answer.get("data")
    if errors or not isinstance(data, dict):
        return Checked(errors or ["NO_DATA"])
    if "recordAuditLogs" in data:
        return _check_batch(data["recordAuditLogs"]["results"], events, retry)
    page = data.get("auditLogs")
    info = page.get("pageInfo") if isinstance(page, dict) else None
    if info and info.get("hasNextPage"):
        return Checked(end_cursor=info.get("endCursor"))
    return Checked()


def _code(error: Any) -> str:
    extensions = error.get("extensions") if isinstance(error, dict) else None
    code = extensions.get("code") if isinstance(extensions, dict) else None
    return str(code) if code else "NO_CODE"


def _check_batch(results: list[dict[str, Any]], events: int, retry: bool) -> Checked:
    duplicates = sum(1 for result in results if result.get("duplicate"))
    stored = len(results) - duplicates
    if len(results) != events:
        return Checked(["RESULT_COUNT"], stored, duplicates)
    if retry and stored:
        return Checked(["NOT_DUPLICATE"], stored, duplicates)
    if not retry and duplicates:
        return Checked(["UNEXPECTED_DUPLICATE"], stored, duplicates)
    return Checked([], stored, duplicates)
