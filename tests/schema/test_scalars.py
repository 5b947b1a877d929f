"""Scalars as clients see them: BigInt as a string, DateTime and JSON documented."""

from __future__ import annotations

import pytest
from strawberry.exceptions import StrawberryInputCoercionError

from schema.scalars import _big_int_value
from tests.conftest import GraphQLClient, TokenFactory, error_code

RECORD = """
mutation($input: [AuditLogInput!]!) { recordAuditLogs(input: $input) { results { entryId } } }
"""
AFTER = """
query($after: BigInt) {
  auditLogs(filter: {afterSequence: $after}, orderBy: OLDEST_FIRST) {
    totalCount edges { node { sequence } }
  }
}
"""


@pytest.mark.parametrize(
    ("value", "number"),
    [("9007199254740993", 2**53 + 1), (42, 42), ("-7", -7), (str(2**63 - 1), 2**63 - 1)],
    ids=["string-beyond-2^53", "json-number", "negative", "int64-max"],
)
def test_big_int_accepts_whole_numbers_as_strings_or_numbers(value: object, number: int) -> None:
    assert _big_int_value(value) == number


@pytest.mark.parametrize(
    "value",
    [str(2**63), "1.5", 1.5, True, "", "\uff11\uff12", "12abc", None, "9" * 5000],
    ids=[
        "past-int64",
        "decimal-text",
        "float",
        "bool",
        "empty",
        "wide-digits",
        "junk",
        "null",
        "huge",
    ],
)
def test_big_int_refuses_anything_else_saying_how(value: object) -> None:
    with pytest.raises(StrawberryInputCoercionError, match="BigInt"):
        _big_int_value(value)


async def test_sequences_and_totals_are_answered_as_strings(
    gql: GraphQLClient, make_token: TokenFactory
) -> None:
    events = [{"action": f"custom.n{n}"} for n in range(3)]
    await gql(RECORD, {"input": events}, make_token(roles=["ingest"]))
    _, body = await gql(AFTER, {"after": "1"}, make_token())
    connection = body["data"]["auditLogs"]
    assert connection["totalCount"] == "2"
    assert [edge["node"]["sequence"] for edge in connection["edges"]] == ["2", "3"]


async def test_an_after_sequence_past_64_bits_is_bad_user_input(
    gql: GraphQLClient, make_token: TokenFactory
) -> None:
    _, body = await gql(AFTER, {"after": str(2**64)}, make_token())
    assert error_code(body) == "BAD_USER_INPUT"
    assert "BigInt" in body["errors"][0]["message"]


async def test_record_results_give_sequence_and_recorded_at_also_for_duplicates(
    gql: GraphQLClient, make_token: TokenFactory
) -> None:
    mutation = """
    mutation($input: [AuditLogInput!]!) {
      recordAuditLogs(input: $input) { results { entryId duplicate sequence recordedAt } }
    }
    """
    ingest = make_token(roles=["ingest"])
    first = [{"action": "custom.a", "idempotencyKey": "k1"}, {"action": "custom.b"}]
    _, stored = await gql(mutation, {"input": first}, ingest)
    again = [
        {"action": "custom.a", "idempotencyKey": "k1"},
        {"action": "custom.c", "idempotencyKey": "k2"},
    ]
    _, retried = await gql(mutation, {"input": [*again, again[1]]}, ingest)
    before = stored["data"]["recordAuditLogs"]["results"]
    after = retried["data"]["recordAuditLogs"]["results"]
    assert [(r["sequence"], r["duplicate"]) for r in before] == [("1", False), ("2", False)]
    assert [(r["sequence"], r["duplicate"]) for r in after] == [
        ("1", True),
        ("3", False),
        ("3", True),
    ]
    assert after[0]["recordedAt"] == before[0]["recordedAt"]
    assert after[2]["recordedAt"] == after[1]["recordedAt"]
    assert after[0]["entryId"] == before[0]["entryId"]
