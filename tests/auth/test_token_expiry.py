"""expiry_of: when a verified JWT stops being accepted, for live tails to end on time."""

from __future__ import annotations

import jwt

from auth.tokens import expiry_of


def test_a_jwt_gives_its_exp_and_anything_else_none() -> None:
    key = "k" * 40
    assert (
        expiry_of(jwt.encode({"sub": "u", "exp": 1_900_000_000}, key, algorithm="HS256")) == 1.9e9
    )
    assert expiry_of(jwt.encode({"sub": "u"}, key, algorithm="HS256")) is None
    assert expiry_of(jwt.encode({"sub": "u", "exp": "soon"}, key, algorithm="HS256")) is None
    assert expiry_of("alt_not-a-jwt") is None
