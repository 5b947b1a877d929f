"""The composition root: build the ASGI application from settings."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import AsyncIterator

import orjson
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL

from auth.client_ip import client_ip
from auth.gate import AuthenticationGate
from auth.keys import JwksKeys, KeySource, StaticKey
from auth.principal import Principal, Role
from auth.roles import EffectiveRoles
from auth.tokens import JwtConfig, TokenError, verify_token
from models.database import close_database, is_reachable, open_database
from models.migrations import migrate
from resolvers.api_tokens import check_api_token, is_api_token
from resolvers.redaction import RedactionPolicy
from resolvers.role_grants import granted_roles
from schema import build_schema
from schema.context import Context
from settings import Settings

ANONYMOUS = Principal(subject="", account_id=None, roles=frozenset())


class AuditLogGraphQL(GraphQL[Context, None]):
    """The GraphQL endpoint; its context carries the principal the gate verified."""

    def __init__(self, settings: Settings) -> None:
        super().__init__(build_schema(lean_executor=settings.lean_executor), graphql_ide="graphiql")
        self.settings = settings
        self.redaction = RedactionPolicy.with_extra(settings.redact_keys)

    def encode_json(self, data: object) -> bytes:
        """Serialise responses with orjson, several times faster than the standard library."""
        return orjson.dumps(data)

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
        )


class Authenticator:
    """Turn a bearer credential into a principal: an API token's, or a JWT's claims."""

    def __init__(self, config: JwtConfig) -> None:
        self.config = config
        self.keys: KeySource = (
            JwksKeys(config.jwks_url) if config.jwks_url else StaticKey(config.verify_key)
        )

    async def __call__(self, credential: str) -> Principal:
        if is_api_token(credential):
            check = await check_api_token(credential, dt.datetime.now(dt.UTC))
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


async def readyz(request: Request) -> Response:
    """The database answers; 503 when it does not."""
    if await is_reachable():
        return JSONResponse({"status": "ready"})
    return JSONResponse({"status": "database unreachable"}, status_code=503)


def create_app(settings: Settings, *, manage_database: bool = True) -> Starlette:
    """Return the service; with `manage_database` its lifespan opens and migrates the database."""

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        if not manage_database:
            yield
            return
        await open_database(settings.database_url)
        try:
            await migrate()
            yield
        finally:
            await close_database()

    graphql = AuthenticationGate(AuditLogGraphQL(settings), Authenticator(settings.jwt))
    middleware = [Middleware(BodySizeLimit, limit=settings.max_body_bytes)]
    if settings.cors_origins:
        middleware.insert(
            0,
            Middleware(
                CORSMiddleware,
                allow_origins=list(settings.cors_origins),
                allow_methods=["GET", "POST", "OPTIONS"],
                allow_headers=["Authorization", "Content-Type", "Accept-Language"],
                max_age=600,
            ),
        )
    routes = [
        Route("/healthz", healthz, methods=["GET"]),
        Route("/readyz", readyz, methods=["GET"]),
        Route("/graphql", graphql, methods=["GET", "POST"]),
    ]
    return Starlette(routes=routes, middleware=middleware, lifespan=lifespan)
