"""Client IP from the direct peer, or from X-Forwarded-For behind trusted proxies."""

from __future__ import annotations

import ipaddress

import pytest

from auth.client_ip import client_ip

PROXIES = (ipaddress.ip_network("10.0.0.0/8"),)


@pytest.mark.parametrize(
    ("peer", "forwarded", "expected"),
    [
        pytest.param("203.0.113.5", "1.2.3.4", "203.0.113.5", id="untrusted-peer-header-ignored"),
        pytest.param("10.0.0.2", "198.51.100.9", "198.51.100.9", id="trusted-proxy-header-used"),
        pytest.param(
            "10.0.0.2",
            "6.6.6.6, 198.51.100.9, 10.0.0.3",
            "198.51.100.9",
            id="spoofed-left-part-ignored",
        ),
        pytest.param("10.0.0.2", None, "10.0.0.2", id="no-header"),
        pytest.param("10.0.0.2", "garbage", "10.0.0.2", id="garbage-header"),
        pytest.param("10.0.0.2", "10.0.0.9", "10.0.0.9", id="all-hops-trusted"),
    ],
)
def test_client_ip(peer: str, forwarded: str | None, expected: str) -> None:
    assert client_ip(peer, forwarded, PROXIES) == expected
