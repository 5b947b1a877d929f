"""Helpers for tests of the HTTP layer: clients of apps with given settings, metrics."""

from __future__ import annotations

from prometheus_client.parser import text_string_to_metric_families

from tests.conftest import app_client, settings_with


def bearer(token: str) -> dict[str, str]:
    """The Authorization header of `token`."""
    return {"Authorization": f"Bearer {token}"}


def metric_value(exposition: str, name: str, **labels: str) -> float | None:
    """The value of the sample `name` with exactly `labels` in a /metrics text, or None."""
    for family in text_string_to_metric_families(exposition):
        for sample in family.samples:
            if sample.name == name and sample.labels == labels:
                return float(sample.value)
    return None


__all__ = ["app_client", "bearer", "metric_value", "settings_with"]
