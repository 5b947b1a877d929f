"""The log-stream benchmark's webhook receiver: verifies each batch and notes when its entries came.

A Starlette app, served by uvicorn in its own process (bench/servers.py runs it as
`python -m uvicorn bench.stream_receiver:create --factory`, with the stream's
"whsec_" secret in BENCH_STREAM_SECRET). Every POST is verified with the
`standardwebhooks` package, as a customer's receiver would, and answered 204; a bad
signature gets 401 and a body that is not a batch 400. Two sides are kept apart:
`/hook/service` (the service's stream) and `/hook/replay` (the floor, which POSTs the
service's own bodies again). The arrival time is taken once the whole body is read.

GET `/deliveries/<side>` answers the side's bookkeeping (bench/stream_tally.py) and
GET `/bodies` the service's bodies in arrival order, for the replay.
"""

from __future__ import annotations

import os
import time

import orjson
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bench.stream_tally import Deliveries, PayloadError

SIDES = ("service", "replay")


def create() -> Starlette:
    """The receiver application, its secret from BENCH_STREAM_SECRET."""
    webhook = Webhook(os.environ["BENCH_STREAM_SECRET"])
    sides = {side: Deliveries() for side in SIDES}
    bodies: list[bytes] = []

    async def hook(request: Request) -> Response:
        side = request.path_params["side"]
        if side not in sides:
            return JSONResponse({"error": f'no side "{side}"; use one of {SIDES}'}, 404)
        body = await request.body()
        arrived_at = time.time()
        try:
            payload = webhook.verify(body, dict(request.headers))
        except WebhookVerificationError as exc:
            sides[side].refused += 1
            return JSONResponse({"error": f"bad signature: {exc}"}, 401)
        try:
            sides[side].accept(payload, arrived_at, len(body))
        except PayloadError as exc:
            return JSONResponse({"error": str(exc)}, 400)
        if side == "service":
            bodies.append(body)
        return Response(status_code=204)

    async def deliveries(request: Request) -> Response:
        side = request.path_params["side"]
        if side not in sides:
            return JSONResponse({"error": f'no side "{side}"; use one of {SIDES}'}, 404)
        return Response(orjson.dumps(sides[side].as_json()), media_type="application/json")

    async def all_bodies(request: Request) -> Response:
        return Response(
            orjson.dumps([body.decode() for body in bodies]), media_type="application/json"
        )

    async def healthz(request: Request) -> Response:
        return Response("ok")

    return Starlette(
        routes=[
            Route("/hook/{side}", hook, methods=["POST"]),
            Route("/deliveries/{side}", deliveries),
            Route("/bodies", all_bodies),
            Route("/healthz", healthz),
        ]
    )
