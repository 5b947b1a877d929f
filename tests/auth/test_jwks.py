"""Keys from a JWKS document served by a real local HTTP server, rotated without restart."""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from auth.keys import JwksKeys
from auth.tokens import JwtConfig, TokenError, verify_token
from server import create_app
from settings import Settings


class JwksServer:
    """Serves the current key set at /.well-known/jwks.json and counts the fetches."""

    def __init__(self) -> None:
        self.keys: dict[str, Any] = {}
        self.fetches = 0
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                outer.fetches += 1
                body = json.dumps({"keys": list(outer.keys.values())}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                return None

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/.well-known/jwks.json"

    def publish(self, kid: str, key: rsa.RSAPrivateKey) -> None:
        jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
        self.keys[kid] = jwk | {"kid": kid, "use": "sig", "alg": "RS256"}


@pytest.fixture
def jwks() -> Iterator[JwksServer]:
    server = JwksServer()
    thread = threading.Thread(target=server.httpd.serve_forever, daemon=True)
    thread.start()
    yield server
    server.httpd.shutdown()
    server.httpd.server_close()


def sign(key: rsa.RSAPrivateKey, kid: str) -> str:
    claims = {
        "sub": "user-1",
        "aud": "auditlog",
        "account_id": "acme",
        "roles": ["log_viewer"],
        "exp": dt.datetime.now(dt.UTC) + dt.timedelta(minutes=5),
    }
    return jwt.encode(claims, key, "RS256", headers={"kid": kid})


def new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


async def test_rotated_key_is_accepted_without_restart(jwks: JwksServer) -> None:
    old, new = new_key(), new_key()
    jwks.publish("2026-10", old)
    keys = JwksKeys(jwks.url, cooldown=0)
    config = JwtConfig("", "RS256", jwks_url=jwks.url)
    token = sign(old, "2026-10")
    assert verify_token(token, config, await keys.key_for(token)).subject == "user-1"
    jwks.publish("2026-11", new)
    rotated = sign(new, "2026-11")
    assert verify_token(rotated, config, await keys.key_for(rotated)).subject == "user-1"
    assert jwks.fetches == 2


async def test_known_kids_are_served_from_the_cache(jwks: JwksServer) -> None:
    key = new_key()
    jwks.publish("k1", key)
    keys = JwksKeys(jwks.url)
    for _ in range(5):
        await keys.key_for(sign(key, "k1"))
    assert jwks.fetches == 1


async def test_unknown_kids_refresh_at_most_once_per_cooldown(jwks: JwksServer) -> None:
    key = new_key()
    jwks.publish("k1", key)
    keys = JwksKeys(jwks.url, cooldown=60)
    await keys.key_for(sign(key, "k1"))
    for _ in range(5):
        with pytest.raises(TokenError, match='kid "forged"'):
            await keys.key_for(sign(new_key(), "forged"))
    assert jwks.fetches == 1


async def test_token_without_kid_is_refused(jwks: JwksServer) -> None:
    keys = JwksKeys(jwks.url)
    token = jwt.encode({"sub": "x"}, new_key(), "RS256")
    with pytest.raises(TokenError, match="kid"):
        await keys.key_for(token)


async def test_unreachable_jwks_gives_a_clear_401(db: str) -> None:
    url = "http://127.0.0.1:9/jwks.json"
    app = create_app(Settings(jwt=JwtConfig("", "RS256", jwks_url=url)), manage_database=False)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
        response = await http.post(
            "/graphql",
            json={"query": "{ viewer { id } }"},
            headers={"Authorization": f"Bearer {sign(new_key(), 'k1')}"},
        )
    assert response.status_code == 401
    assert "could not be fetched" in response.json()["errors"][0]["message"]


async def test_service_reads_with_a_jwks_token_end_to_end(jwks: JwksServer, db: str) -> None:
    key = new_key()
    jwks.publish("k1", key)
    app = create_app(Settings(jwt=JwtConfig("", "RS256", jwks_url=jwks.url)), manage_database=False)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
        response = await http.post(
            "/graphql",
            json={"query": "{ viewer { externalId roles } }"},
            headers={"Authorization": f"Bearer {sign(key, 'k1')}"},
        )
    assert response.json() == {
        "data": {"viewer": {"externalId": "user-1", "roles": ["LOG_VIEWER"]}}
    }
