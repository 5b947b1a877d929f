"""What the mixed load counts as an error, by code."""

from __future__ import annotations

from typing import Any

import pytest

from bench.load_answers import check_answer


def _batch(*duplicates: bool) -> dict[str, Any]:
    results = [{"id": str(n), "duplicate": d} for n, d in enumerate(duplicates)]
    return {"data": {"recordAuditLogs": {"results": results}}}


def test_a_non_2xx_status_is_an_error_named_by_its_status() -> None:
    assert check_answer(503, {"data": None}).errors == ["HTTP 503"]


def test_graphql_errors_count_by_their_extension_code() -> None:
    answer = {
        "data": None,
        "errors": [{"message": "no", "extensions": {"code": "FORBIDDEN"}}, {"message": "?"}],
    }
    assert check_answer(200, answer).errors == ["FORBIDDEN", "NO_CODE"]


def test_an_answer_without_data_or_errors_is_an_error() -> None:
    assert check_answer(200, {}).errors == ["NO_DATA"]


def test_a_page_with_more_entries_hands_back_its_end_cursor() -> None:
    page = {"pageInfo": {"hasNextPage": True, "endCursor": "c50"}, "edges": []}
    assert check_answer(200, {"data": {"auditLogs": page}}).end_cursor == "c50"


def test_a_fresh_batch_counts_every_event_as_stored() -> None:
    checked = check_answer(200, _batch(False, False, False), events=3)
    assert (checked.errors, checked.stored, checked.duplicates) == ([], 3, 0)


def test_a_retried_batch_must_come_back_all_duplicates() -> None:
    checked = check_answer(200, _batch(True, True), events=2, retry=True)
    assert (checked.errors, checked.stored, checked.duplicates) == ([], 0, 2)


@pytest.mark.parametrize(
    ("duplicates", "events", "retry", "code"),
    [
        ((True, False), 2, True, "NOT_DUPLICATE"),
        ((False, True), 2, False, "UNEXPECTED_DUPLICATE"),
        ((False,), 2, False, "RESULT_COUNT"),
    ],
    ids=["retry-stored-again", "fresh-taken-for-repeat", "results-missing"],
)
def test_a_batch_answer_that_breaks_idempotency_is_an_error(
    duplicates: tuple[bool, ...], events: int, retry: bool, code: str
) -> None:
    assert check_answer(200, _batch(*duplicates), events=events, retry=retry).errors == [code]
