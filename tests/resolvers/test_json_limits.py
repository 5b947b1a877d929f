"""The JSON producers may store: depth, number range, keys, characters."""

from __future__ import annotations

import pytest

from resolvers.json_limits import MAX_DEPTH, MAX_KEY_LENGTH, MAX_SAFE_INTEGER, json_problems


def nested(depth: int) -> object:
    value: object = 1
    for _ in range(depth):
        value = {"a": value}
    return value


def problems(value: object) -> list[tuple[str, str]]:
    return list(json_problems(value, "metadata"))


def test_ordinary_json_has_no_problems() -> None:
    value = {"plan": "pro", "seats": [1, 2.5, None, True], "owner": {"name": "Zoë 😀"}}
    assert problems(value) == []


def test_nesting_up_to_the_limit_is_accepted() -> None:
    assert problems(nested(MAX_DEPTH)) == []


def test_nesting_beyond_the_limit_is_refused_at_its_path() -> None:
    [(path, message)] = problems(nested(MAX_DEPTH + 1))
    assert path == "metadata" + ".a" * MAX_DEPTH
    assert f"deeper than {MAX_DEPTH}" in message


def test_nesting_far_beyond_any_stack_is_refused_without_recursion() -> None:
    value: object = []
    for _ in range(100_000):
        value = [value]
    assert len(problems(value)) == 1


@pytest.mark.parametrize(
    "number",
    [MAX_SAFE_INTEGER + 1, -(MAX_SAFE_INTEGER + 1), 2**64, 10**308, 1e308, float("inf")],
    ids=["2^53", "-2^53", "2^64", "10^308", "1e308", "inf"],
)
def test_numbers_outside_the_safe_range_are_refused(number: float) -> None:
    [(path, message)] = problems({"x": [number]})
    assert path == "metadata.x[0]"
    assert "send larger numbers as strings" in message


@pytest.mark.parametrize("number", [MAX_SAFE_INTEGER, -MAX_SAFE_INTEGER, 0.1, 1e-300, -0.0])
def test_numbers_inside_the_safe_range_are_accepted(number: float) -> None:
    assert problems({"x": number}) == []


def test_a_huge_integer_is_quoted_briefly() -> None:
    [(_, message)] = problems({"x": 10**5000})
    assert len(message) < 200


def test_long_keys_are_refused() -> None:
    [(path, message)] = problems({"k" * (MAX_KEY_LENGTH + 1): 1})
    assert path.startswith("metadata.kkk")
    assert f"limit is {MAX_KEY_LENGTH}" in message


@pytest.mark.parametrize(
    ("text", "word"), [("a\x00b", "NUL"), ("a\ud800b", "surrogate")], ids=["nul", "surrogate"]
)
def test_unstorable_characters_are_refused_in_values_and_keys(text: str, word: str) -> None:
    found = problems({"value": text, text: 1})
    assert [path for path, _ in found] == ["metadata.value", f"metadata.{text}"]
    assert all(word in message for _, message in found)


def test_every_problem_is_reported_with_its_own_path() -> None:
    found = problems({"a": 2**60, "b": [1, "x\x00"]})
    assert [path for path, _ in found] == ["metadata.a", "metadata.b[1]"]
