"""Address keys sort like addresses and turn back into the address they came from."""

from __future__ import annotations

import pytest

from models.ip_address import address_from_key, address_key, parse_address


@pytest.mark.parametrize(
    "text", ["203.0.113.7", "0.0.0.0", "255.255.255.255", "2001:db8::42", "::1", "::"]
)
def test_an_address_key_turns_back_into_its_address(text: str) -> None:
    address = parse_address(text)
    assert str(address_from_key(address_key(address))) == text


def test_an_ipv4_mapped_address_comes_back_as_ipv4() -> None:
    assert str(address_from_key(address_key(parse_address("::ffff:192.0.2.1")))) == "192.0.2.1"
