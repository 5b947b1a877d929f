"""The Google Cloud Logging destination, against an OAuth token endpoint and entries.write."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from streams.destinations import DestinationError, google_cloud_logging
from tests.streams.destinations.entries import ACCOUNT_ID, make_batch, make_entry
from tests.streams.destinations.receiver import form_of, send, serving

PROJECT = "audit-test-project"
CLIENT_EMAIL = f"streamer@{PROJECT}.iam.gserviceaccount.com"
SCOPE = "https://www.googleapis.com/auth/logging.write"
GRANT_TYPE = "urn:ietf:params:oauth:grant-type:jwt-bearer"


def pem(key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


@pytest.fixture(scope="module")
def signing_key() -> rsa.RSAPrivateKey:
    """The service account's key pair, made for this test module."""
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def key_json(private_key: str, token_uri: str) -> str:
    """A service-account JSON key as the Cloud console downloads it."""
    return json.dumps(
        {
            "type": "service_account",
            "project_id": PROJECT,
            "private_key_id": "k1",
            "private_key": private_key,
            "client_email": CLIENT_EMAIL,
            "client_id": "1234567890",
            "token_uri": token_uri,
        }
    )


class GoogleReceiver:
    """oauth2 /token (verifying the RS256 assertion) and logging's /v2/entries:write."""

    def __init__(self, public_key: rsa.RSAPublicKey) -> None:
        self.public_key = public_key
        self.url = ""
        self.issued: list[str] = []
        self.writes: list[dict[str, Any]] = []
        self.app = Starlette(
            routes=[
                Route("/token", self.token, methods=["POST"]),
                Route("/v2/entries:write", self.write, methods=["POST"]),
            ]
        )

    async def token(self, request: Request) -> Response:
        form = await form_of(request)
        if form.get("grant_type") != GRANT_TYPE:
            return JSONResponse({"error": "unsupported_grant_type"}, status_code=400)
        try:
            claims = jwt.decode(
                form.get("assertion", ""),
                self.public_key,
                algorithms=["RS256"],
                audience=f"{self.url}/token",
                options={"require": ["iss", "aud", "iat", "exp"]},
            )
        except jwt.InvalidTokenError:
            return JSONResponse(
                {"error": "invalid_grant", "error_description": "Invalid JWT Signature."},
                status_code=400,
            )
        if claims["iss"] != CLIENT_EMAIL or claims.get("scope") != SCOPE:
            return JSONResponse({"error": "invalid_scope"}, status_code=400)
        if claims["exp"] - claims["iat"] > 3600:
            return JSONResponse({"error": "invalid_grant"}, status_code=400)
        self.issued.append(f"ya29.test-{len(self.issued) + 1}")
        answer = {"expires_in": 3599, "token_type": "Bearer"}
        return JSONResponse(answer | {"access_token": self.issued[-1]})

    async def write(self, request: Request) -> Response:
        if request.headers.get("authorization") not in {f"Bearer {t}" for t in self.issued}:
            return JSONResponse({"error": {"code": 401, "status": "UNAUTHENTICATED"}}, 401)
        body = await request.body()
        if len(body) > 10_000_000:
            return JSONResponse({"error": {"code": 400, "status": "INVALID_ARGUMENT"}}, 400)
        write = json.loads(body)
        for entry in write["entries"]:
            if len(json.dumps(entry)) > 256_000 or "insertId" not in entry:
                return JSONResponse({"error": {"code": 400, "status": "INVALID_ARGUMENT"}}, 400)
        self.writes.append(write)
        return JSONResponse({})


@pytest.fixture
def google(
    signing_key: rsa.RSAPrivateKey,
) -> Iterator[tuple[GoogleReceiver, dict[str, str], str]]:
    receiver = GoogleReceiver(signing_key.public_key())
    with serving(receiver.app) as url:
        receiver.url = url
        settings = {"project_id": PROJECT, "base_url": url, "token_uri": f"{url}/token"}
        yield receiver, settings, key_json(pem(signing_key), "https://oauth2.googleapis.com/token")


async def test_every_entry_arrives_as_a_log_entry_of_the_named_log(
    google: tuple[GoogleReceiver, dict[str, str], str], client: httpx.AsyncClient
) -> None:
    receiver, settings, secret = google
    batch = make_batch(2)

    answers = await send(
        client, await google_cloud_logging.requests(batch, settings, secret, client)
    )

    assert [answer.status_code for answer in answers] == [200]
    assert receiver.writes == [
        {
            "logName": f"projects/{PROJECT}/logs/auditlog",
            "resource": {"type": "global", "labels": {"project_id": PROJECT}},
            "entries": [
                {
                    "jsonPayload": entry.document,
                    "timestamp": entry.occurred_at,
                    "severity": "NOTICE",
                    "insertId": entry.id,
                    "labels": {"account_id": ACCOUNT_ID},
                }
                for entry in batch.entries
            ],
        }
    ]


async def test_a_failure_is_a_warning_and_the_log_id_is_url_encoded(
    google: tuple[GoogleReceiver, dict[str, str], str], client: httpx.AsyncClient
) -> None:
    receiver, settings, secret = google
    batch = make_batch(1)
    failed = type(batch)(batch.stream_id, batch.account_id, (make_entry(2, outcome="FAILURE"),))

    outgoing = await google_cloud_logging.requests(
        failed, settings | {"log_id": "audit/app"}, secret, client
    )
    await send(client, outgoing)

    [write] = receiver.writes
    assert write["logName"] == f"projects/{PROJECT}/logs/audit%2Fapp"
    assert [entry["severity"] for entry in write["entries"]] == ["WARNING"]


async def test_insert_ids_are_the_same_when_a_batch_is_sent_again(
    google: tuple[GoogleReceiver, dict[str, str], str], client: httpx.AsyncClient
) -> None:
    receiver, settings, secret = google

    for _ in range(2):
        await send(
            client, await google_cloud_logging.requests(make_batch(3), settings, secret, client)
        )

    first, again = ([entry["insertId"] for entry in write["entries"]] for write in receiver.writes)
    assert first == again
    assert len(set(first)) == 3


async def test_one_token_serves_several_batches(
    google: tuple[GoogleReceiver, dict[str, str], str], client: httpx.AsyncClient
) -> None:
    receiver, settings, secret = google

    for first in (1, 3, 5):
        batch = make_batch(2, first=first)
        await send(client, await google_cloud_logging.requests(batch, settings, secret, client))

    assert receiver.issued == ["ya29.test-1"]
    assert len(receiver.writes) == 3


def test_check_refuses_a_keys_foreign_token_uri_unless_the_setting_names_it(
    signing_key: rsa.RSAPrivateKey,
) -> None:
    secret = key_json(pem(signing_key), "http://10.0.0.5/token")

    [problem] = google_cloud_logging.check({"project_id": PROJECT}, secret)

    assert problem.startswith("secret: ") and '"http://10.0.0.5/token"' in problem
    settings = {"project_id": PROJECT, "token_uri": "http://10.0.0.5/token"}
    assert google_cloud_logging.check(settings, secret) == []


async def test_requests_refuse_a_keys_foreign_token_uri_without_asking_it(
    google: tuple[GoogleReceiver, dict[str, str], str],
    signing_key: rsa.RSAPrivateKey,
    client: httpx.AsyncClient,
) -> None:
    receiver, settings, _ = google
    settings.pop("token_uri")
    secret = key_json(pem(signing_key), f"{receiver.url}/token")

    with pytest.raises(DestinationError) as raised:
        await google_cloud_logging.requests(make_batch(1), settings, secret, client)

    assert raised.value.retryable is False
    assert receiver.issued == []


async def test_a_key_the_account_does_not_have_is_refused_and_not_retryable(
    google: tuple[GoogleReceiver, dict[str, str], str], client: httpx.AsyncClient
) -> None:
    receiver, settings, _ = google
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    secret = key_json(pem(stranger), "https://oauth2.googleapis.com/token")

    with pytest.raises(DestinationError) as raised:
        await google_cloud_logging.requests(make_batch(1), settings, secret, client)

    assert raised.value.retryable is False
    assert "invalid_grant" in str(raised.value)
    assert receiver.issued == []


async def test_batches_over_1000_entries_and_oversized_entries_are_split(
    google: tuple[GoogleReceiver, dict[str, str], str], client: httpx.AsyncClient
) -> None:
    receiver, settings, secret = google
    batch = make_batch(1500)
    big = make_entry(1501, padding=300_000)
    batch = type(batch)(batch.stream_id, batch.account_id, (*batch.entries, big))

    answers = await send(
        client, await google_cloud_logging.requests(batch, settings, secret, client)
    )

    assert [answer.status_code for answer in answers] == [200, 200, 400]
    assert [len(write["entries"]) for write in receiver.writes] == [1000, 500]


def test_check_accepts_a_service_account_key(signing_key: rsa.RSAPrivateKey) -> None:
    secret = key_json(pem(signing_key), "https://oauth2.googleapis.com/token")

    assert google_cloud_logging.check({"project_id": PROJECT}, secret) == []


@pytest.mark.parametrize(
    ("settings", "secret", "field", "words"),
    [
        ({"project_id": "My Project"}, "good", "project_id", '"My Project"'),
        ({"project_id": PROJECT, "log_id": "audit log"}, "good", "log_id", '"audit log"'),
        ({"project_id": PROJECT, "token_uri": "oauth2"}, "good", "token_uri", '"oauth2"'),
        ({"project_id": PROJECT}, "{not json", "secret", "not JSON"),
        ({"project_id": PROJECT}, '{"client_email": "a@b"}', "secret", "private_key, token_uri"),
        ({"project_id": PROJECT}, "garbage-key", "secret", "not an unencrypted PEM"),
        ({"project_id": PROJECT}, "ec-key", "secret", "not an RSA key"),
    ],
    ids=["project", "log-id", "token-uri", "not-json", "missing-fields", "bad-pem", "ec-key"],
)
def test_check_refuses_bad_settings_naming_the_field(
    signing_key: rsa.RSAPrivateKey,
    settings: dict[str, str],
    secret: str,
    field: str,
    words: str,
) -> None:
    token_uri = "https://oauth2.googleapis.com/token"
    secret = {
        "good": key_json(pem(signing_key), token_uri),
        "garbage-key": key_json(
            "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n", token_uri
        ),
        "ec-key": key_json(pem(ec.generate_private_key(ec.SECP256R1())), token_uri),
    }.get(secret, secret)

    [problem] = google_cloud_logging.check(settings, secret)

    assert problem.startswith(f"{field}: ")
    assert words in problem
