"""The destination kinds a stream may have, and the module that speaks each."""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from types import ModuleType

# kind -> module under streams.destinations, and whether its settings hold a URL
# (checked against internal addresses) or a host (syslog).
KINDS = {
    "webhook": "webhook",
    "datadog": "datadog",
    "splunk": "splunk",
    "azure_monitor": "azure_monitor",
    "google_cloud_logging": "google_cloud_logging",
    "syslog": "syslog",
}
# The settings that name where a kind sends (every one is checked for internal addresses).
URL_SETTINGS = ("url", "site", "base_url", "endpoint", "authority", "token_uri")


def destination(kind: str) -> ModuleType:
    """The module of a destination kind; KeyError for an unknown kind."""
    return importlib.import_module(f"streams.destinations.{KINDS[kind]}")


def url_settings(settings: Mapping[str, str]) -> list[str]:
    """The settings' URLs that streams send to (base URLs, token endpoints)."""
    return [settings[name] for name in URL_SETTINGS if settings.get(name)]
