"""Prometheus metrics of the service, kept in a registry of their own per application."""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable, Iterator
from typing import Protocol

from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.exposition import CONTENT_TYPE_LATEST, generate_latest
from prometheus_client.metrics_core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from observability.labels import OperationNames, code_label
from observability.observation import RequestObservation

# Seconds; a dashboard page takes a few milliseconds, a 1000-event batch tens.
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
OK = "ok"

# Statuses answered before GraphQL runs, as the code their body carries.
_STATUS_CODES = {
    401: "UNAUTHENTICATED",
    403: "FORBIDDEN",
    413: "PAYLOAD_TOO_LARGE",
    429: "RATE_LIMITED",
    503: "SERVICE_UNAVAILABLE",
}


class PoolUsage(Protocol):
    """Connections of a database pool."""

    @property
    def size(self) -> int: ...
    @property
    def idle(self) -> int: ...
    @property
    def maximum(self) -> int: ...


def outcome_of(observation: RequestObservation) -> str:
    """The outcome label: "ok", or the code of the request's first error."""
    if observation.error_codes:
        return code_label(observation.error_codes[0])
    if observation.status in _STATUS_CODES:
        return _STATUS_CODES[observation.status]
    if observation.status >= 500:
        return "INTERNAL_SERVER_ERROR"
    if observation.status >= 400:
        return "BAD_REQUEST"
    return OK


class Metrics:
    """The service's counters and histograms, and the pool gauges read at scrape time."""

    def __init__(self, pool_usage: Callable[[], PoolUsage | None] | None = None) -> None:
        self.registry = CollectorRegistry()
        self.operations = OperationNames()
        self.requests = Counter(
            "auditlog_http_requests",
            "Requests to /graphql by operation name and outcome (ok or an error code).",
            ["operation", "outcome"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "auditlog_http_request_duration_seconds",
            "Time to answer a request to /graphql, by operation name.",
            ["operation"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.errors = Counter(
            "auditlog_errors",
            "Errors returned, by extensions.code.",
            ["code"],
            registry=self.registry,
        )
        self.events = Counter(
            "auditlog_events_recorded",
            "Events accepted by recordAuditLogs.",
            registry=self.registry,
        )
        self.batches = Counter(
            "auditlog_batches_recorded", "Successful recordAuditLogs calls.", registry=self.registry
        )
        self.duplicates = Counter(
            "auditlog_duplicate_events",
            "Events whose idempotency key was seen before (stored nothing new).",
            registry=self.registry,
        )
        self.export_jobs = Counter(
            "auditlog_export_jobs",
            "Export job changes made by this instance: started, succeeded, failed, "
            "interrupted, released, lost, expired.",
            ["change"],
            registry=self.registry,
        )
        if pool_usage is not None:
            self.registry.register(PoolCollector(pool_usage))

    def observe(self, observation: RequestObservation, seconds: float) -> None:
        """Count one answered request to /graphql."""
        operation = self.operations.label(observation.operation)
        outcome = outcome_of(observation)
        self.requests.labels(operation, outcome).inc()
        self.latency.labels(operation).observe(seconds)
        codes = observation.error_codes or ([outcome] if outcome != OK else [])
        for code in codes:
            self.errors.labels(code_label(code)).inc()
        if observation.batches:
            self.batches.inc(observation.batches)
            self.events.inc(observation.events)
            self.duplicates.inc(observation.duplicates)

    def note_export_job(self, change: str) -> None:
        """Count one change of an export job's state made by this instance."""
        self.export_jobs.labels(change).inc()

    def exposition(self) -> bytes:
        """The registry in Prometheus's text format."""
        return generate_latest(self.registry)


class PoolCollector(Collector):
    """Database pool gauges, read when scraped; nothing when there is no pool (SQLite)."""

    def __init__(self, pool_usage: Callable[[], PoolUsage | None]) -> None:
        self.pool_usage = pool_usage

    def collect(self) -> Iterator[Metric]:
        usage = self.pool_usage()
        if usage is None:
            return
        gauges = (
            ("auditlog_db_pool_size", "Open connections in the database pool.", usage.size),
            ("auditlog_db_pool_idle", "Open connections not in use.", usage.idle),
            ("auditlog_db_pool_in_use", "Connections serving a query.", usage.size - usage.idle),
            ("auditlog_db_pool_max", "Largest size the pool may grow to.", usage.maximum),
        )
        for name, documentation, value in gauges:
            yield GaugeMetricFamily(name, documentation, value=value)


def metrics_endpoint(
    metrics: Metrics, token: str | None
) -> Callable[[Request], Awaitable[Response]]:
    """The `GET /metrics` handler; with `token` set it wants `Authorization: Bearer <token>`."""
    expected = f"Bearer {token}".encode() if token else None

    async def endpoint(request: Request) -> Response:
        given = request.headers.get("authorization", "").encode()
        if expected is not None and not hmac.compare_digest(given, expected):
            message = "Metrics need Authorization: Bearer <AUDITLOG_METRICS_TOKEN>."
            body = {"errors": [{"message": message, "extensions": {"code": "UNAUTHENTICATED"}}]}
            return JSONResponse(body, status_code=401, headers={"WWW-Authenticate": "Bearer"})
        return Response(metrics.exposition(), media_type=CONTENT_TYPE_LATEST)

    return endpoint
