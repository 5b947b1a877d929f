"""Signed download links: bound to one export and a moment, and short-lived."""

from __future__ import annotations

from urllib.parse import parse_qs

import pytest

from auth.download_links import LIFETIME_SECONDS, is_valid_link, link_query, link_signature

KEY = b"k" * 32
NOW = 1_800_000_000


def parts(query: str) -> tuple[str, str]:
    values = parse_qs(query)
    return values["expires"][0], values["signature"][0]


def test_a_fresh_link_is_valid_for_its_export() -> None:
    expires, signature = parts(link_query(KEY, 7, NOW))
    assert int(expires) == NOW + LIFETIME_SECONDS
    assert is_valid_link(KEY, 7, expires, signature, NOW + 10)


@pytest.mark.parametrize(
    ("export_id", "key", "later"),
    [(8, KEY, 0), (7, b"x" * 32, 0), (7, KEY, LIFETIME_SECONDS)],
    ids=["another-export", "another-key", "expired"],
)
def test_a_link_is_refused_for_another_export_key_or_after_it_expired(
    export_id: int, key: bytes, later: int
) -> None:
    expires, signature = parts(link_query(KEY, 7, NOW))
    assert not is_valid_link(key, export_id, expires, signature, NOW + later)


def test_a_link_cannot_extend_its_own_life() -> None:
    expires = str(NOW + 10 * LIFETIME_SECONDS)
    signature = link_signature(KEY, 7, int(expires))
    assert not is_valid_link(KEY, 7, expires, signature, NOW)


@pytest.mark.parametrize("expires", ["", "-5", "1e9", "١٢٣", "9" * 40], ids=repr)
def test_a_malformed_expiry_is_refused(expires: str) -> None:
    assert not is_valid_link(KEY, 7, expires, "sig", NOW)


def test_a_signature_with_non_ascii_text_is_refused_not_raised() -> None:
    expires, _ = parts(link_query(KEY, 7, NOW))
    assert not is_valid_link(KEY, 7, expires, "\udcff\u00e9", NOW)
