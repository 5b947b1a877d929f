"""Where streams may send: public addresses only, unless AUDITLOG_STREAM_ALLOW_PRIVATE=1.

A stream's URL or syslog host is resolved and every address it resolves to is checked
(loopback, private, link-local, unique-local, multicast, reserved and unspecified ones
are refused), when the stream is saved and again before each delivery, so a name that
later resolves inward is caught then (server-side request forgery).

Exceptions::

    AddressError        the destination is not allowed or cannot be resolved; the
                        message names the host and why
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from urllib.parse import urlsplit


class AddressError(Exception):
    """A stream's destination is not allowed or cannot be resolved."""


def url_host(url: str) -> tuple[str, int]:
    """The host and port of an http(s) URL; AddressError when it is not one."""
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise AddressError(
            f'"{url[:200]}" is not an http(s) URL; use e.g. https://logs.example.com/in.'
        )
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as exc:
        raise AddressError(f'"{url[:200]}" has no valid port ({exc}).') from exc
    return parts.hostname, port


async def check_host(host: str, port: int, *, allow_private: bool) -> None:
    """Refuse a host that resolves to an address streams may not reach (see the module)."""
    if allow_private:
        return
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as exc:
        raise AddressError(f'The host "{host}" cannot be resolved ({exc}).') from exc
    for info in infos:
        address = ipaddress.ip_address(str(info[4][0]).split("%", 1)[0])
        if not address.is_global or address.is_multicast:
            raise AddressError(
                f'The host "{host}" resolves to {address}, an internal address streams may '
                "not reach; use a public address, or set AUDITLOG_STREAM_ALLOW_PRIVATE=1."
            )
