"""Health, readiness, CORS and the app's lifespan."""

from __future__ import annotations

from pathlib import Path

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


async def preflight(settings: Settings, origin: str, headers: str = "") -> httpx.Response:
    """A browser's CORS preflight for a POST to /graphql."""
    transport = httpx.ASGITransport(app=create_app(settings, manage_database=False))
    asked = {"Origin": origin, "Access-Control-Request-Method": "POST"}
    if headers:
        asked["Access-Control-Request-Headers"] = headers
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
        return await http.options("/graphql", headers=asked)


async def test_cors_preflight_allows_a_configured_origin() -> None:
    settings = Settings(jwt=JwtConfig(SECRET, "HS256"), cors_origins=("https://app.example.com",))
    allowed = await preflight(settings, "https://app.example.com", "authorization,content-type")
    other = await preflight(settings, "https://evil.example.com")
    assert allowed.headers["access-control-allow-origin"] == "https://app.example.com"
    assert "access-control-allow-origin" not in other.headers


async def test_cors_allows_the_headers_browser_apps_send_and_configured_ones() -> None:
    settings = Settings(
        jwt=JwtConfig(SECRET, "HS256"),
        cors_origins=("https://app.example.com",),
        cors_headers=("X-Tenant-Hint",),
    )
    asked = "authorization,content-type,x-request-id,traceparent,tracestate,x-tenant-hint"
    allowed = await preflight(settings, "https://app.example.com", asked)
    unknown = await preflight(settings, "https://app.example.com", "x-unknown")
    assert allowed.status_code == 200
    assert unknown.status_code == 400


async def test_lifespan_migrates_the_database_creates_the_export_directory_and_serves(
    tmp_path: Path,
) -> None:
    settings = Settings(
        jwt=JwtConfig(SECRET, "HS256"),
        database_url=f"sqlite://{tmp_path}/life.sqlite3",
        export_dir=tmp_path / "exports",
    )
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
            response = await http.get("/readyz")
    assert response.status_code == 200
    assert (tmp_path / "exports").is_dir()
