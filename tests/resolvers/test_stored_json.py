"""Stored JSON decodes so that any stored value is answered exactly as stored."""

from __future__ import annotations

import json

import orjson
import pytest

from resolvers.stored_json import WRAP_DEPTH, DeepJson, LargeNumber, decode_stored, dump_iteratively
from schema.json_encoding import encode_response


def nested(depth: int) -> str:
    return '{"a":' * depth + '"leaf"' + "}" * depth


def test_ordinary_values_decode_to_plain_python() -> None:
    assert decode_stored('{"a": [1, 2.5, "x", null, true]}') == {"a": [1, 2.5, "x", None, True]}


def test_values_already_decoded_by_the_driver_pass_through() -> None:
    assert decode_stored({"a": 1}) == {"a": 1}


@pytest.mark.parametrize(
    "text",
    ["18446744073709551616", "-9223372036854775809", "1" + "0" * 308, "9" * 5000],
    ids=["2^64", "below-int64", "1e308-as-integer", "5000-digits"],
)
def test_integers_beyond_64_bits_keep_their_exact_digits(text: str) -> None:
    value = decode_stored(f'{{"x": {text}}}')
    assert value == {"x": LargeNumber(text)}
    assert encode_response(value) == f'{{"x":{text}}}'.encode()


def test_integers_within_64_bits_stay_integers() -> None:
    assert decode_stored('{"x": 9223372036854775807, "y": 1234567890123456789}') == {
        "x": 2**63 - 1,
        "y": 1234567890123456789,
    }


def test_a_float_beyond_the_double_range_keeps_its_text() -> None:
    assert encode_response(decode_stored('{"x": 1e400}')) == b'{"x":1e400}'


def test_values_nested_deeper_than_the_wrap_depth_are_answered_whole() -> None:
    text = nested(500)
    value = decode_stored(text)
    assert json.loads(encode_response(value)) == json.loads(text)


def test_values_up_to_the_wrap_depth_stay_plain_python() -> None:
    value = decode_stored(nested(WRAP_DEPTH - 1))
    assert "DeepJson" not in repr(value)


def test_a_value_too_deep_for_any_decoder_is_answered_as_stored() -> None:
    text = "[" * 5000 + "]" * 5000
    value = decode_stored(text)
    assert isinstance(value, DeepJson)
    assert encode_response({"v": value}) == b'{"v":' + text.encode() + b"}"


def test_iterative_dump_matches_the_standard_encoder() -> None:
    value = {"a": [1, {"b": None, "c": "é\n"}, [], {}], "d": 2.5, "e": True}
    assert orjson.loads(dump_iteratively(value)) == value
