"""The bad-token matrix over HTTP, and public-key verification."""

from __future__ import annotations

import base64
import datetime as dt
import json
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

from auth.principal import Role
from auth.tokens import JwtConfig, TokenError, issue_token, verify_token
from server import create_app
from settings import Settings
from tests.conftest import SECRET

VIEWER = {"query": "{ viewer { externalId } }"}


def claims(**overrides: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "sub": "user-1",
        "aud": "auditlog",
        "account_id": "acme",
        "roles": ["admin"],
        "exp": dt.datetime.now(dt.UTC) + dt.timedelta(minutes=5),
    }
    base.update(overrides)
    return {key: value for key, value in base.items() if value is not None}


def unsigned(payload: dict[str, Any]) -> str:
    def part(data: dict[str, Any]) -> str:
        raw = json.dumps(data, default=lambda d: int(d.timestamp())).encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    return f"{part({'alg': 'none', 'typ': 'JWT'})}.{part(payload)}."


RSA_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
RSA_PUBLIC_PEM = (
    RSA_KEY.public_key()
    .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    .decode()
)

BAD_TOKENS = [
    pytest.param(None, "No token given", id="missing"),
    pytest.param("Basic dXNlcjpwYXNz", "Bearer <token>", id="wrong-scheme"),
    pytest.param("Bearer not.a.jwt", "malformed", id="malformed"),
    pytest.param(
        "Bearer " + jwt.encode(claims(exp=dt.datetime(2020, 1, 1, tzinfo=dt.UTC)), SECRET, "HS256"),
        "expired",
        id="expired",
    ),
    pytest.param(
        "Bearer " + jwt.encode(claims(), "another-secret-of-sufficient-length-000000", "HS256"),
        "signature",
        id="wrong-key",
    ),
    pytest.param("Bearer " + unsigned(claims()), "only algorithm accepted", id="alg-none"),
    pytest.param(
        "Bearer " + jwt.encode(claims(aud="other-service"), SECRET, "HS256"),
        "audience",
        id="wrong-aud",
    ),
    pytest.param("Bearer " + jwt.encode(claims(exp=None), SECRET, "HS256"), '"exp"', id="no-exp"),
    pytest.param("Bearer " + jwt.encode(claims(sub=None), SECRET, "HS256"), '"sub"', id="no-sub"),
    pytest.param(
        "Bearer " + jwt.encode(claims(roles="admin"), SECRET, "HS256"), "list", id="roles-not-list"
    ),
    pytest.param(
        "Bearer " + jwt.encode(claims(account_id=None), SECRET, "HS256"),
        "account_id",
        id="reader-without-account",
    ),
    pytest.param(
        "Bearer " + jwt.encode(claims(account_id=True), SECRET, "HS256"),
        "account_id",
        id="bool-account",
    ),
    pytest.param(
        "Bearer " + jwt.encode(claims(), RSA_KEY, "RS256"),
        "only algorithm accepted",
        id="rs256-to-hs256-service",
    ),
]


@pytest.mark.parametrize(("header", "reason"), BAD_TOKENS)
async def test_bad_token_gets_401_saying_what_is_wrong(
    client: httpx.AsyncClient, header: str | None, reason: str
) -> None:
    headers = {"Authorization": header} if header else {}
    response = await client.post("/graphql", json=VIEWER, headers=headers)
    assert response.status_code == 401
    [error] = response.json()["errors"]
    assert error["extensions"]["code"] == "UNAUTHENTICATED"
    assert reason in error["message"]


async def test_get_query_without_token_gets_401(client: httpx.AsyncClient) -> None:
    response = await client.get("/graphql", params={"query": "{ viewer { id } }"})
    assert response.status_code == 401


async def test_graphiql_page_loads_without_token(client: httpx.AsyncClient) -> None:
    response = await client.get("/graphql", headers={"Accept": "text/html"})
    assert response.status_code == 200 and "graphiql" in response.text.lower()


@pytest.mark.parametrize(
    "query_string",
    [
        "%71uery={viewer{id}%20auditActions{name}}",
        "query=",
        "query={viewer{id}}&query=",
        "qu%65ry=%7B__schema%7Btypes%7Bname%7D%7D%7D",
        "variables={}",
    ],
    ids=["percent-encoded-name", "empty-query", "repeated", "introspection", "variables-only"],
)
async def test_every_spelling_of_a_get_query_needs_a_token(
    client: httpx.AsyncClient, query_string: str
) -> None:
    response = await client.get(f"/graphql?{query_string}", headers={"Accept": "text/html"})
    assert response.status_code == 401
    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


def public_key_app(algorithm: str, pem: str, issuer: str | None = None) -> httpx.AsyncClient:
    config = JwtConfig(pem, algorithm, issuer=issuer)
    app = create_app(Settings(jwt=config), manage_database=False)
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t")


def _pem(private_key: Any) -> str:
    return (
        private_key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


@pytest.mark.parametrize(
    ("algorithm", "key"),
    [
        ("RS256", RSA_KEY),
        ("ES256", ec.generate_private_key(ec.SECP256R1())),
        ("EdDSA", ed25519.Ed25519PrivateKey.generate()),
    ],
    ids=["RS256", "ES256", "EdDSA"],
)
async def test_host_app_tokens_verify_with_its_public_key(
    db: str, algorithm: str, key: Any
) -> None:
    token = jwt.encode(claims(), key, algorithm)
    async with public_key_app(algorithm, _pem(key)) as http:
        response = await http.post(
            "/graphql", json=VIEWER, headers={"Authorization": f"Bearer {token}"}
        )
    assert response.json() == {"data": {"viewer": {"externalId": "user-1"}}}


async def test_hmac_token_signed_with_the_public_key_is_refused() -> None:
    # The classic HS/RS confusion: the attacker uses the public key as an HMAC secret.
    forged = _hmac_with_public_key()
    async with public_key_app("RS256", RSA_PUBLIC_PEM) as http:
        response = await http.post(
            "/graphql", json=VIEWER, headers={"Authorization": f"Bearer {forged}"}
        )
    assert response.status_code == 401
    assert "RS256" in response.json()["errors"][0]["message"]


def _hmac_with_public_key() -> str:
    import hashlib
    import hmac

    def part(data: dict[str, Any]) -> str:
        raw = json.dumps(data, default=lambda d: int(d.timestamp())).encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    signing_input = f"{part({'alg': 'HS256', 'typ': 'JWT'})}.{part(claims())}"
    signature = hmac.new(RSA_PUBLIC_PEM.encode(), signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{base64.urlsafe_b64encode(signature).decode().rstrip('=')}"


async def test_configured_issuer_is_required() -> None:
    config = JwtConfig(RSA_PUBLIC_PEM, "RS256", issuer="https://id.example.com")
    good = jwt.encode(claims(iss="https://id.example.com"), RSA_KEY, "RS256")
    assert verify_token(good, config).subject == "user-1"
    for bad in (claims(iss="https://evil.example.com"), claims()):
        with pytest.raises(TokenError, match="iss"):
            verify_token(jwt.encode(bad, RSA_KEY, "RS256"), config)


def test_integer_account_id_is_read_as_text() -> None:
    token = jwt.encode(claims(account_id=42), SECRET, "HS256")
    assert verify_token(token, JwtConfig(SECRET, "HS256")).account_id == "42"


def test_unknown_roles_grant_nothing() -> None:
    token = jwt.encode(claims(roles=["superuser", "log_viewer"]), SECRET, "HS256")
    assert verify_token(token, JwtConfig(SECRET, "HS256")).roles == {Role.LOG_VIEWER}


def test_issued_token_verifies_with_the_same_configuration() -> None:
    config = JwtConfig(SECRET, "HS256")
    token = issue_token(
        config,
        SECRET,
        subject="bot",
        account_id=None,
        roles=[Role.INGEST],
        ttl=dt.timedelta(minutes=1),
    )
    principal = verify_token(token, config)
    assert (principal.subject, principal.account_id, principal.is_platform) == ("bot", None, True)


def test_public_key_configuration_cannot_issue_tokens() -> None:
    with pytest.raises(TokenError, match="cannot sign"):
        issue_token(
            JwtConfig(RSA_PUBLIC_PEM, "RS256"),
            "",
            subject="x",
            account_id="acme",
            roles=[Role.ADMIN],
            ttl=dt.timedelta(minutes=1),
        )
