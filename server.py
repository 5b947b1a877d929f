"""The composition root: build the ASGI application from settings."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import functools
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Mapping
from dataclasses import replace
from typing import Any

from cross_web import AsyncHTTPRequestAdapter, HTTPException
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.http import GraphQLHTTPResponse, GraphQLRequestData
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.types import ExecutionResult
from strawberry.types.unset import UNSET, UnsetType

from auth.client_ip import client_ip
from auth.gate import AuthenticationGate, CheckUnavailableError, bearer_token
from auth.keys import JwksKeys, KeySource, StaticKey
from auth.principal import READ_ROLES, Principal, Role
from auth.roles import EffectiveRoles
from auth.tokens import JwtConfig, TokenError, expiry_of, verify_token
from export.download import ExportDownload
from export.endpoint import ExportEndpoint
from export.jobs import plan_export
from export.worker import ExportWorker, WorkerConfig
from live.listener import relaying
from models.database import (
    DatabaseLimits,
    Readiness,
    close_database,
    fetch_one,
    open_database,
    pool_usage,
)
from models.migrations import migrate
from models.stream import AuditLogStream
from observability.metrics import Metrics, metrics_endpoint
from observability.middleware import RequestObserver
from observability.observation import note_error_code
from ratelimit.buckets import Buckets
from ratelimit.gate import CallerOf, Policy, RateLimitGate
from resolvers.api_tokens import TokenCheck, check_api_token, is_api_token
from resolvers.errors import UnavailableError
from resolvers.export_jobs import JobPolicy
from resolvers.redaction import RedactionPolicy
from resolvers.role_grants import granted_roles
from schema import build_schema
from schema.context import Context
from schema.errors import unavailable_retry_after
from schema.ide import ASSETS_DIR, ASSETS_PATH, PAGE_ASSETS_DIR, PAGE_ASSETS_PATH, ide_page
from schema.json_encoding import encode_response
from schema.live import LiveCaller
from schema.media_types import GRAPHQL_RESPONSE_TYPE, is_accepted, is_request_error, note_accept
from schema.request_checks import (
    RequestError,
    check_query_size,
    check_variables,
    decode_body,
    http_error_code,
)
from security.headers import IDE_POLICY, SecurityHeaders
from settings import Settings
from streams.delivery import DeliveryConfig, run_delivery
from streams.secrets import SecretBox

ANONYMOUS = Principal(subject="", account_id=None, roles=frozenset())
# What browser apps send: auth, JSON, language, and request/trace correlation.
CORS_HEADERS = (
    "Authorization",
    "Content-Type",
    "Accept-Language",
    "X-Request-Id",
    "traceparent",
    "tracestate",
)
# Health checkers give up after a second or so; answer before they do.
READINESS_DEADLINE = 0.8


class AuditLogGraphQL(GraphQL[Context, None]):
    """The GraphQL endpoint; its context carries the principal the gate verified."""

    def __init__(
        self,
        settings: Settings,
        ide_token: str | None = None,
        export_jobs: JobPolicy | None = None,
        authenticator: Authenticator | None = None,
    ) -> None:
        schema = build_schema(
            introspection=settings.introspection,
            max_query_cost=settings.max_query_cost,
            max_page_size=settings.max_page_size,
            lean_executor=settings.lean_executor,
        )
        # Only graphql-transport-ws: the legacy graphql-ws protocol is not offered.
        super().__init__(
            schema,
            graphql_ide="graphiql",
            subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
        )
        self.settings = settings
        self.authenticator = authenticator or Authenticator(settings.jwt)
        self.redaction = RedactionPolicy.with_extra(settings.redact_keys)
        self.ide_page = ide_page(ide_token)
        self.streams = stream_config(settings)
        self.export_jobs = export_jobs or JobPolicy(
            plan_export, settings.export_ttl, link_key=settings.export_link_key
        )

    @property
    def graphql_ide_html(self) -> str:
        """Our GraphiQL page (schema/ide.py), not Strawberry's template."""
        return self.ide_page

    async def render_graphql_ide(self, request: Request) -> HTMLResponse:
        """The GraphiQL page with its own security policy; never cached, as it may hold a token."""
        headers = {"Content-Security-Policy": IDE_POLICY, "Cache-Control": "no-store"}
        return HTMLResponse(self.graphql_ide_html, headers=headers)

    async def on_ws_connect(self, context: Context) -> UnsetType | dict[str, object] | None:
        """Verify the connection_init payload's token; a refusal closes the socket (4403)."""
        credential = live_credential(context.connection_params or {})
        if credential is None:
            raise ConnectionRejectionError({"message": NO_LIVE_TOKEN})
        try:
            principal = await self.authenticator(credential)
        except (TokenError, CheckUnavailableError) as exc:
            raise ConnectionRejectionError({"message": str(exc)}) from exc
        context.principal = principal
        context.roles = effective_roles(principal)
        context.live = LiveCaller(
            recheck=functools.partial(still_reads, self.authenticator, credential),
            expires_at=None if is_api_token(credential) else expiry_of(credential),
            interval=self.settings.live_recheck,
        )
        acknowledged: UnsetType = UNSET
        return acknowledged

    def decode_json(self, data: str | bytes) -> object:
        """Decode request JSON strictly (UTF-8, no lone surrogates), saying where it breaks."""
        return decode_body(data)

    def parse_json(self, data: str | bytes) -> object:
        """Decode request JSON; errors become a coded 400 answer, not plain text."""
        return decode_body(data)

    async def parse_http_body(
        self, request: AsyncHTTPRequestAdapter
    ) -> GraphQLRequestData | list[GraphQLRequestData]:
        """Parse the request, then refuse oversized documents and unstorable variables."""
        parsed = await super().parse_http_body(request)
        for item in parsed if isinstance(parsed, list) else [parsed]:
            check_query_size(item.query, self.settings.max_query_bytes)
            check_variables(item.variables)
        return parsed

    async def run(  # type: ignore[override]
        self,
        request: Request | WebSocket,
        context: Context | UnsetType = UNSET,
        root_value: UnsetType | None = UNSET,
    ) -> Response | WebSocket:
        """Run the request; a request that cannot run gets a coded JSON error."""
        if isinstance(request, Request):
            note_accept(request.headers.get("accept"))
        # Answered inside each handler: an exception kept past it would hold, through its
        # traceback, the frames and so the request body until the collector ran.
        try:
            return await super().run(request, context, root_value)  # type: ignore[arg-type]
        except HTTPException as exc:
            return _refusal(
                RequestError(exc.reason, status=exc.status_code, code=http_error_code(exc))
            )
        except RequestError as exc:
            return _refusal(exc)

    def encode_json(self, data: object) -> bytes:
        """Serialise responses with orjson, several times faster than the standard library."""
        return encode_response(data)

    async def process_result(
        self, request: Request, result: ExecutionResult
    ) -> GraphQLHTTPResponse:
        """The JSON-ready result; without `data` for a request error, where the media type asks."""
        processed = await super().process_result(request, result)
        if is_accepted() and is_request_error(processed):
            processed.pop("data", None)
        return processed

    def create_response(
        self,
        response_data: GraphQLHTTPResponse | list[GraphQLHTTPResponse],
        sub_response: Response,
    ) -> Response:
        """The JSON answer; 503 with Retry-After when the database was not answering."""
        response = super().create_response(response_data, sub_response)
        if is_accepted():
            response.headers["content-type"] = GRAPHQL_RESPONSE_TYPE
            single = not isinstance(response_data, list)
            if single and is_request_error(response_data) and response.status_code == 200:  # type: ignore[arg-type]
                response.status_code = 400
        retry_after = unavailable_retry_after(response_data)
        if retry_after is not None:
            response.status_code = 503
            response.headers["Retry-After"] = str(retry_after)
        return response

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket
    ) -> Context:
        peer = request.client.host if request.client else None
        # Only the GraphiQL page passes the gate without a principal; it runs no query.
        principal = getattr(request.state, "principal", ANONYMOUS)
        return Context(
            principal=principal,
            roles=effective_roles(principal),
            client_ip=client_ip(
                peer, request.headers.get("x-forwarded-for"), self.settings.trusted_proxies
            ),
            user_agent=request.headers.get("user-agent"),
            request_id=request.headers.get("x-request-id"),
            locale=request.headers.get("accept-language"),
            max_page_size=self.settings.max_page_size,
            redaction=self.redaction,
            database_slots=asyncio.Semaphore(self.settings.request_db_concurrency),
            export_jobs=self.export_jobs,
            streams=self.streams,
        )


def _refusal(error: RequestError) -> JSONResponse:
    """The coded answer to a request that could not run."""
    note_error_code(error.code)
    body = error.body()
    if not is_accepted():
        return JSONResponse(body, status_code=error.status)
    body.pop("data", None)
    status = 400 if error.status == 200 else error.status
    return JSONResponse(body, status_code=status, media_type=GRAPHQL_RESPONSE_TYPE)


NO_LIVE_TOKEN = 'Send the token in connection_init: {"Authorization": "Bearer <token>"}.'


def live_credential(params: Mapping[str, object]) -> str | None:
    """The token of a connection_init payload: `Authorization: Bearer ...` or `token`."""
    for key in ("Authorization", "authorization"):
        value = params.get(key)
        if isinstance(value, str):
            try:
                return bearer_token(value)
            except TokenError:
                return None
    token = params.get("token")
    return token.strip() if isinstance(token, str) and token.strip() else None


async def still_reads(authenticate: Authenticator, credential: str) -> str | None:
    """None while the credential still reads its account's log; else why it no longer does."""
    try:
        principal = await authenticate(credential)
    except TokenError as exc:
        return f"The token is no longer accepted: {exc}"
    except CheckUnavailableError:
        return None  # the database is away: check again later rather than cut the tail
    if not await effective_roles(principal).has_any(READ_ROLES):
        return "The caller may no longer read this account's log (a role or grant was removed)."
    return None


class Authenticator:
    """Turn a bearer credential into a principal: an API token's, or a JWT's claims."""

    def __init__(self, config: JwtConfig) -> None:
        self.config = config
        self.keys: KeySource = (
            JwksKeys(config.jwks_url) if config.jwks_url else StaticKey(config.verify_key)
        )

    async def __call__(self, credential: str) -> Principal:
        if is_api_token(credential):
            check = await _check_api_token(credential)
            if check.token is None:
                raise TokenError(check.problem or "API token is not valid.")
            token = check.token
            return Principal(
                subject=f"api_token:{token.id}",
                account_id=token.account_id,
                roles=frozenset({Role(token.role)}),
                name=token.name,
                via_api_token=True,
            )
        return verify_token(credential, self.config, await self.keys.key_for(credential))


async def _check_api_token(credential: str) -> TokenCheck:
    """Look the API token up; a database outage becomes a 503 at the gate, not a 500."""
    try:
        return await check_api_token(credential, dt.datetime.now(dt.UTC))
    except Exception as exc:
        unavailable = UnavailableError.caused_by(exc)
        if unavailable is None:
            raise
        raise CheckUnavailableError(str(unavailable), unavailable.retry_after) from exc


def effective_roles(principal: Principal) -> EffectiveRoles:
    """The caller's roles; users of an account may hold grants there, read when needed."""
    account_id = principal.account_id
    if account_id is None or principal.via_api_token:
        return EffectiveRoles(principal)

    async def load() -> frozenset[Role]:
        now = dt.datetime.now(dt.UTC)
        granted = await granted_roles(account_id, principal.subject, now)
        return frozenset(Role(role) for role in granted)

    return EffectiveRoles(principal, load)


def rate_limited_callers(settings: Settings) -> CallerOf:
    """Each verified caller's key (account and subject) and rate; ingest-only callers' own."""
    policies: dict[bool, Policy | None] = {
        False: Policy("caller", Buckets(settings.rate_limit)) if settings.rate_limit else None,
        True: Policy("ingest", Buckets(settings.ingest_rate_limit))
        if settings.ingest_rate_limit
        else None,
    }

    def caller_of(scope: Scope) -> tuple[str, Policy] | None:
        principal = scope.get("state", {}).get("principal")
        if not isinstance(principal, Principal):
            return None  # the GraphiQL page, or unauthenticated (answered by the gate)
        policy = policies[principal.roles == {Role.INGEST}]
        if policy is None:
            return None
        return f"{principal.account_id or ''}\x00{principal.subject}", policy

    return caller_of


class BodySizeLimit:
    """Refuse request bodies larger than `limit` bytes with 413, before they are parsed."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.limit:
            await self._refuse(scope, receive, send)
            return
        received = 0

        async def limited() -> dict[str, object]:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > self.limit:
                raise _TooLarge
            return dict(message)

        try:
            await self.app(scope, limited, send)
        except _TooLarge:
            await self._refuse(scope, receive, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        message = f"Request body is larger than {self.limit} bytes; send smaller batches."
        body = {
            "data": None,
            "errors": [{"message": message, "extensions": {"code": "PAYLOAD_TOO_LARGE"}}],
        }
        await JSONResponse(body, status_code=413)(scope, receive, send)


class _TooLarge(Exception):
    pass


async def healthz(request: Request) -> Response:
    """The process is up."""
    return JSONResponse({"status": "ok"})


def readyz(readiness: Readiness) -> Callable[[Request], Awaitable[Response]]:
    """The readiness endpoint: 200 when the database answers in time, else 503 and why."""

    async def endpoint(request: Request) -> Response:
        problem = await readiness.problem(within=READINESS_DEADLINE)
        if problem is None:
            return JSONResponse({"status": "ready"})
        body = {"status": "database unreachable", "reason": problem}
        return JSONResponse(body, status_code=503)

    return endpoint


def export_worker(
    settings: Settings, on_change: Callable[[str], None] | None = None
) -> ExportWorker:
    """The export worker the settings describe (started by the lifespan)."""
    config = WorkerConfig(
        directory=settings.export_dir,
        ttl=settings.export_ttl,
        lease=dt.timedelta(seconds=settings.export_lease),
        batch_size=settings.export_batch_size,
        database_csv=settings.export_database_csv,
        loops=settings.export_workers,
    )
    return ExportWorker(config, on_change)


def stream_config(settings: Settings) -> DeliveryConfig:
    """How streams keep their secrets and where they may send, from the settings."""
    return DeliveryConfig(
        box=SecretBox(settings.secret_key) if settings.secret_key else None,
        allow_private=settings.stream_allow_private,
        alert_after=settings.stream_alert_after,
    )


@contextlib.asynccontextmanager
async def delivering_streams(settings: Settings) -> AsyncIterator[None]:
    """Deliver log streams while the block runs (AUDITLOG_STREAM_WORKERS=0: not here)."""
    if settings.secret_key is None and await AuditLogStream.exists():
        raise RuntimeError(
            "This database has log streams but AUDITLOG_SECRET_KEY is not set; set the key "
            "their secrets were stored with."
        )
    if settings.stream_workers == 0:
        yield
        return
    async with running(run_delivery(stream_config(settings)), "stream-delivery"):
        yield


@contextlib.asynccontextmanager
async def running_workers(worker: ExportWorker, loops: int) -> AsyncIterator[None]:
    """Run the export worker while the block runs (not at all with 0 loops); stop it after."""
    if loops == 0:
        yield
        return
    async with running(worker.serve(), "export-worker"):
        yield


@contextlib.asynccontextmanager
async def running(work: Coroutine[Any, Any, None], name: str) -> AsyncIterator[None]:
    """Run `work` as a background task while the block runs; cancel and await it after."""
    task = asyncio.create_task(work, name=name)
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


def create_app(
    settings: Settings, *, manage_database: bool = True, ide_token: str | None = None
) -> Starlette:
    """Return the service; with `manage_database` its lifespan opens and migrates the database.

    `ide_token`, in development mode only, is sent in GraphiQL's requests until the
    person using the page pastes another; outside development mode it is refused.
    """
    if ide_token is not None and not settings.dev_mode:
        raise ValueError(
            "create_app(ide_token=...) puts a token in the GraphiQL page, which only "
            "development mode may do; leave ide_token out."
        )

    metrics = Metrics(pool_usage)
    worker = export_worker(settings, metrics.note_export_job)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        if not manage_database:
            yield
            return
        limits = DatabaseLimits(settings.db_timeout, settings.db_pool_size)
        # Migrations may rightly take longer than a request's statement timeout.
        await open_database(settings.database_url, replace(limits, bound_statements=False))
        try:
            await migrate()
        finally:
            await close_database()
        await open_database(settings.database_url, limits)
        try:
            # Open the pool now, so the first request and the pool metrics find it ready.
            await fetch_one()
            worker.prepare()
            async with (
                running_workers(worker, settings.export_workers),
                relaying(settings.database_url),
                delivering_streams(settings),
            ):
                yield
        finally:
            await close_database()

    callers = rate_limited_callers(settings)
    authenticator = Authenticator(settings.jwt)
    policy = JobPolicy(
        plan_export, settings.export_ttl, wake=worker.wake, link_key=settings.export_link_key
    )
    limited = RateLimitGate(
        AuditLogGraphQL(settings, ide_token, policy, authenticator=authenticator), callers
    )
    graphql = AuthenticationGate(limited, authenticator, ide_page=True)
    exports = AuthenticationGate(
        RateLimitGate(
            ExportEndpoint(effective_roles, settings.trusted_proxies, settings.export_database_csv),
            callers,
        ),
        authenticator,
    )
    download = ExportDownload(effective_roles, settings.export_dir, settings.export_link_key)
    middleware = [Middleware(BodySizeLimit, limit=settings.max_body_bytes)]
    if settings.cors_origins:
        middleware.insert(
            0,
            Middleware(
                CORSMiddleware,
                allow_origins=list(settings.cors_origins),
                allow_methods=["GET", "POST", "OPTIONS"],
                allow_headers=[*CORS_HEADERS, *settings.cors_headers],
                # Browser code may read these: the request id, rate limits, retry hints.
                expose_headers=[
                    *("X-Request-Id", "RateLimit", "RateLimit-Policy", "Retry-After"),
                    "Content-Disposition",
                ],
                max_age=600,
            ),
        )
    # Outermost: every response gets the headers and every request is observed.
    middleware[:0] = [
        Middleware(SecurityHeaders, hsts_max_age=settings.hsts_max_age),
        Middleware(RequestObserver, metrics=metrics),
    ]
    routes = [
        Route("/metrics", metrics_endpoint(metrics, settings.metrics_token), methods=["GET"]),
        Route("/healthz", healthz, methods=["GET"]),
        Route("/readyz", readyz(Readiness()), methods=["GET"]),
        Route("/graphql", graphql, methods=["GET", "POST"]),
        WebSocketRoute("/graphql", graphql),
        Route("/export", exports, methods=["GET", "POST"]),
        Route(
            "/exports/{id}/file",
            download.route(
                lambda app: AuthenticationGate(RateLimitGate(app, callers), authenticator)
            ),
            methods=["GET"],
        ),
        # The GraphiQL page's files: public like the page, so it loads with no internet.
        Mount(ASSETS_PATH, StaticFiles(directory=ASSETS_DIR), name="graphiql-assets"),
        Mount(PAGE_ASSETS_PATH, StaticFiles(directory=PAGE_ASSETS_DIR), name="graphiql-page"),
    ]
    return Starlette(routes=routes, middleware=middleware, lifespan=lifespan)
