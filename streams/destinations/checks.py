"""Setting checks the destinations share; each returns problems as "field: message"."""

from __future__ import annotations

import re
from collections.abc import Mapping
from urllib.parse import urlsplit

GUID = re.compile(r"[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}")


def setting(settings: Mapping[str, str], name: str, default: str = "") -> str:
    """The setting `name` without surrounding blanks, or `default` when unset or blank."""
    return settings.get(name, "").strip() or default


def join_url(base: str, path: str) -> str:
    """`path` (starting with "/") appended to the base URL `base`."""
    return base.rstrip("/") + path


def check_url(
    settings: Mapping[str, str],
    name: str,
    *,
    example: str,
    default: str = "",
    allow_query: bool = False,
) -> list[str]:
    """Problems with the URL setting `name` (required unless it has a default)."""
    value = setting(settings, name, default)
    if not value:
        return [f'{name}: missing; set it to the receiver\'s URL, e.g. "{example}".']
    parts = urlsplit(value)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        return [f'{name}: "{value}" is not an http(s) URL; use the form "{example}".']
    if not allow_query and (parts.query or parts.fragment):
        return [
            f'{name}: "{value}" has a query or fragment; give the base URL alone, e.g. "{example}".'
        ]
    return []


def check_present(settings: Mapping[str, str], name: str, *, fix: str) -> list[str]:
    """A problem when the setting `name` is unset or blank; `fix` says what to put there."""
    return [] if setting(settings, name) else [f"{name}: missing; {fix}."]


def check_guid(settings: Mapping[str, str], name: str, *, fix: str) -> list[str]:
    """Problems with the setting `name`, which must be a GUID."""
    value = setting(settings, name)
    if not value:
        return [f"{name}: missing; {fix}."]
    if not GUID.fullmatch(value):
        return [f'{name}: "{value}" is not a GUID (8-4-4-4-12 hex digits); {fix}.']
    return []


def check_token(secret: str | None, *, what: str) -> list[str]:
    """Problems with a secret that is one opaque token (an API key, a HEC token, ...).

    The messages never quote the secret itself.
    """
    if secret is None or not secret.strip():
        return [f"secret: missing; set it to the {what}."]
    if any(character.isspace() for character in secret.strip()):
        return [f"secret: contains blanks; paste the {what} alone."]
    return []
