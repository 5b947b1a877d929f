"""Health, readiness, CORS and the app's lifespan."""

from __future__ import annotations

import httpx

from auth.tokens import JwtConfig
from server import create_app
from settings import Settings
from tests.conftest import SECRET


async def test_healthz_answers_without_a_database(client: httpx.AsyncClient) -> None:
    response = await client.get("/healthz")
    assert (response.status_code, response.json()) == (200, {"status": "ok"})


async def test_readyz_is_ready_with_a_database(db: str, client: httpx.AsyncClient) -> None:
    response = await client.get("/readyz")
    assert (response.status_code, response.json()) == (200, {"status": "ready"})


async def test_readyz_is_503_when_the_database_is_unreachable(client: httpx.AsyncClient) -> None:
    response = await client.get("/readyz")
    assert response.status_code == 503


async def test_cors_preflight_allows_a_configured_origin() -> None:
    settings = Settings(jwt=JwtConfig(SECRET, "HS256"), cors_origins=("https://app.example.com",))
    transport = httpx.ASGITransport(app=create_app(settings, manage_database=False))
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
        allowed = await http.options(
            "/graphql",
            headers={
                "Origin": "https://app.example.com",
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "authorization,content-type",
            },
        )
        other = await http.options(
            "/graphql",
            headers={"Origin": "https://evil.example.com", "Access-Control-Request-Method": "POST"},
        )
    assert allowed.headers["access-control-allow-origin"] == "https://app.example.com"
    assert "access-control-allow-origin" not in other.headers


async def test_cors_allows_the_headers_browser_apps_send_and_configured_ones() -> None:
    settings = Settings(
        jwt=JwtConfig(SECRET, "HS256"),
        cors_origins=("https://app.example.com",),
        cors_headers=("X-Tenant-Hint",),
    )
    transport = httpx.ASGITransport(app=create_app(settings, manage_database=False))
    asked = "authorization,content-type,x-request-id,traceparent,tracestate,x-tenant-hint"
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
        preflight = await http.options(
            "/graphql",
            headers={
                "Origin": "https://app.example.com",
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": asked,
            },
        )
        unknown = await http.options(
            "/graphql",
            headers={
                "Origin": "https://app.example.com",
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "x-unknown",
            },
        )
    assert preflight.status_code == 200
    assert unknown.status_code == 400


async def test_lifespan_migrates_the_database_and_serves(tmp_path: object) -> None:
    settings = Settings(
        jwt=JwtConfig(SECRET, "HS256"), database_url=f"sqlite://{tmp_path}/life.sqlite3"
    )
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
            response = await http.get("/readyz")
    assert response.status_code == 200
