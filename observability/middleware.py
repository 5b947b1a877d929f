"""The ASGI middleware that observes every HTTP request: metrics and one log line."""

from __future__ import annotations

import time

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from observability.labels import operation_label
from observability.metrics import Metrics, outcome_of
from observability.observation import RequestObservation, observing
from observability.request_log import Fields, level_for, log_request, logger

GRAPHQL_PATH = "/graphql"


class RequestObserver:
    """Time each request, echo its X-Request-Id, count /graphql requests and log a line."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        # The gate puts the principal in this dict, shared with the inner apps.
        state = scope.setdefault("state", {})
        with observing(Headers(scope=scope).get("x-request-id")) as observation:
            try:
                await self._serve(scope, receive, send, observation)
            finally:
                seconds = time.perf_counter() - started
                self._report(scope, state.get("principal"), observation, seconds)

    def _report(
        self, scope: Scope, principal: object, observation: RequestObservation, seconds: float
    ) -> None:
        if scope["path"] == GRAPHQL_PATH:
            self.metrics.observe(observation, seconds)
        level = level_for(scope["path"])
        if logger.isEnabledFor(level):
            log_request(_fields(scope, principal, observation, seconds), level)

    async def _serve(
        self, scope: Scope, receive: Receive, send: Send, observation: RequestObservation
    ) -> None:
        async def observed_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                observation.status = message["status"]
                headers = list(message.get("headers", []))
                headers.append((b"x-request-id", observation.request_id.encode()))
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, receive, observed_send)
        except Exception:
            observation.status = 500
            raise


def _fields(
    scope: Scope, principal: object, observation: RequestObservation, seconds: float
) -> Fields:
    return {
        "request_id": observation.request_id,
        "method": scope["method"],
        "path": scope["path"],
        "operation": operation_label(observation.operation),
        "account": getattr(principal, "account_id", None),
        "subject": getattr(principal, "subject", None),
        "status": observation.status,
        "outcome": outcome_of(observation),
        "duration_ms": round(seconds * 1000, 2),
    }
