"""Signed download links: a short-lived capability to fetch one export file without a token.

A link carries the moment it stops working and an HMAC-SHA256 over the export's id and
that moment, keyed with the service's link key (Settings.export_link_key); it is checked
in constant time and refused once past, or when it claims to live longer than a link
is ever issued for.
"""

from __future__ import annotations

import base64
import hmac

LIFETIME_SECONDS = 300


def link_signature(key: bytes, export_id: int, expires: int) -> str:
    """The signature of a link to export `export_id` valid until `expires` (Unix seconds)."""
    mac = hmac.new(key, f"auditlog-export-file:{export_id}:{expires}".encode(), "sha256")
    return base64.urlsafe_b64encode(mac.digest()).rstrip(b"=").decode()


def link_query(key: bytes, export_id: int, now: int) -> str:
    """The query string of a link to the export's file, valid for LIFETIME_SECONDS from `now`."""
    expires = now + LIFETIME_SECONDS
    return f"expires={expires}&signature={link_signature(key, export_id, expires)}"


def is_valid_link(key: bytes, export_id: int, expires: str, signature: str, now: int) -> bool:
    """Whether `signature` signs this export until `expires`, and `now` is before then."""
    if not (expires.isascii() and expires.isdigit() and len(expires) <= 12):
        return False
    moment = int(expires)
    if not now < moment <= now + LIFETIME_SECONDS:
        return False
    expected = link_signature(key, export_id, moment).encode()
    return hmac.compare_digest(expected, signature.encode("utf-8", "replace"))
