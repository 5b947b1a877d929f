"""Global ids round-trip, and a wrong one is refused with a readable message."""

from __future__ import annotations

import pytest

from resolvers.errors import InvalidInputError
from schema.ids import from_global_id, to_global_id


def test_a_global_id_round_trips_to_its_row_id() -> None:
    assert from_global_id("AuditLog", to_global_id("AuditLog", 42)) == 42


@pytest.mark.parametrize(
    ("type_name", "expected"),
    [
        ("AuditLog", '"x" is not an AuditLog id; pass the id field of an AuditLog.'),
        ("RoleGrant", '"x" is not a RoleGrant id; pass the id field of a RoleGrant.'),
    ],
)
def test_a_malformed_id_names_the_type_with_its_article(type_name: str, expected: str) -> None:
    with pytest.raises(InvalidInputError) as caught:
        from_global_id(type_name, "x")
    assert caught.value.problems[0].message == expected


def test_an_id_of_another_type_is_refused() -> None:
    with pytest.raises(InvalidInputError):
        from_global_id("ApiToken", to_global_id("AuditLog", 1))
