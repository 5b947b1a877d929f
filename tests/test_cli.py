"""The auditlog command line."""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import re
from pathlib import Path

import httpx
import pytest

from auth.principal import Role
from auth.tokens import JwtConfig, verify_token
from cli import _dev_tokens, _print_dev_tokens, main, parse_ttl
from models.audit_log import AuditLog
from models.database import close_database, open_database
from settings import Settings

SECRET = "s" * 40


@pytest.mark.parametrize(
    ("text", "seconds"), [("90s", 90), ("30m", 1800), ("1h", 3600), ("7d", 604800), ("120", 120)]
)
def test_ttl_reads_units(text: str, seconds: int) -> None:
    assert parse_ttl(text) == dt.timedelta(seconds=seconds)


@pytest.mark.parametrize("text", ["0h", "1w", "-5m", "soon"])
def test_bad_ttl_is_refused(text: str) -> None:
    with pytest.raises(argparse.ArgumentTypeError, match=text):
        parse_ttl(text)


def test_token_command_prints_a_verifiable_token(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("AUDITLOG_JWT_SECRET", SECRET)
    argv = [
        "token",
        "--account",
        "7",
        "--sub",
        "u9",
        "--role",
        "log_viewer",
        "--ttl",
        "2h",
        "--name",
        "Ivy",
    ]
    assert main(argv) == 0
    principal = verify_token(capsys.readouterr().out.strip(), JwtConfig(SECRET, "HS256"))
    assert (principal.account_id, principal.subject, principal.name) == ("7", "u9", "Ivy")


def test_reader_token_without_account_is_refused(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("AUDITLOG_JWT_SECRET", SECRET)
    assert main(["token", "--sub", "u", "--role", "admin"]) == 2
    assert "--account" in capsys.readouterr().err


def test_a_token_may_carry_no_role_for_access_from_grants(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("AUDITLOG_JWT_SECRET", SECRET)
    assert main(["token", "--account", "7", "--sub", "auditor-3"]) == 0
    principal = verify_token(capsys.readouterr().out.strip(), JwtConfig(SECRET, "HS256"))
    assert (principal.account_id, principal.subject, principal.roles) == ("7", "auditor-3", set())


def test_a_token_without_role_or_account_is_refused(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("AUDITLOG_JWT_SECRET", SECRET)
    assert main(["token", "--sub", "u"]) == 2
    assert "--account" in capsys.readouterr().err


def test_bad_configuration_exits_2_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("AUDITLOG_JWT_SECRET", SECRET)
    monkeypatch.setenv("AUDITLOG_MAX_PAGE_SIZE", "lots")
    assert main(["migrate"]) == 2
    assert "AUDITLOG_MAX_PAGE_SIZE" in capsys.readouterr().err


async def test_migrate_command_creates_the_schema_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite://{tmp_path}/cli.sqlite3"
    monkeypatch.setenv("AUDITLOG_JWT_SECRET", SECRET)
    monkeypatch.setenv("AUDITLOG_DATABASE_URL", url)
    import asyncio

    await asyncio.to_thread(main, ["migrate"])
    await asyncio.to_thread(main, ["migrate"])
    out = capsys.readouterr().out
    assert "applied: 0001_audit_log, 0002_access" in out and "already up to date" in out
    await open_database(url)
    try:
        assert await AuditLog.all().count() == 0
    finally:
        await close_database()


def test_serve_leaves_forwarded_headers_to_the_trusted_proxy_setting(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    captured: dict[str, object] = {}
    monkeypatch.setenv("AUDITLOG_JWT_SECRET", SECRET)

    async def prepared(*args: object, **kwargs: object) -> list[str]:
        return []

    monkeypatch.setattr("cli._prepare", prepared)
    monkeypatch.setattr("uvicorn.run", lambda app, **options: captured.update(options))
    assert main(["serve", "--port", "8123", "--no-demo"]) == 0
    assert captured["proxy_headers"] is False and captured["port"] == 8123


def test_development_banner_prints_a_headers_pane_json_with_the_viewer_token(
    capsys: pytest.CaptureFixture[str],
) -> None:
    settings = Settings(jwt=JwtConfig(SECRET, "HS256"), signing_key=SECRET, dev_mode=True)
    _print_dev_tokens(_dev_tokens(settings), "http://127.0.0.1:8000")
    lines = capsys.readouterr().out.splitlines()
    banner = next(index for index, line in enumerate(lines) if "Headers pane" in line)
    pasted = json.loads(lines[banner + 1])
    scheme, token = pasted["Authorization"].split(" ")
    principal = verify_token(token, JwtConfig(SECRET, "HS256"))
    assert (scheme, principal.account_id, principal.roles) == ("Bearer", "demo", {Role.LOG_VIEWER})


async def test_development_serve_opens_graphiql_with_the_printed_log_viewer_token(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    captured: dict[str, object] = {}
    for name in ("AUDITLOG_JWT_SECRET", "AUDITLOG_JWT_PUBLIC_KEY", "AUDITLOG_JWKS_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)  # the development key file is written here

    async def prepared(*args: object, **kwargs: object) -> list[str]:
        return []

    monkeypatch.setattr("cli._prepare", prepared)
    monkeypatch.setattr("uvicorn.run", lambda app, **options: captured.update(app=app))
    assert await asyncio.to_thread(main, ["serve", "--port", "8123"]) == 0
    printed = re.search(r"^  log_viewer +(\S+)$", capsys.readouterr().out, re.MULTILINE)
    assert printed is not None
    transport = httpx.ASGITransport(app=captured["app"])  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        page = await http.get("/graphql", headers={"Accept": "text/html"})
    assert f'"developmentToken": "{printed[1]}"' in page.text
