"""API tokens: the secret is shown once and stored as a digest; revoked or expired ones fail."""

from __future__ import annotations

import datetime as dt

import pytest

from models.access import ApiToken, ApiTokenRole
from models.audit_log import AuditLog
from resolvers.api_tokens import (
    check_api_token,
    create_api_token,
    digest,
    is_api_token,
    list_api_tokens,
    revoke_api_token,
)
from resolvers.errors import InvalidInputError, NotFoundError
from resolvers.self_audit import Acting

NOW = dt.datetime(2026, 11, 26, 12, 0, tzinfo=dt.UTC)
ALICE = Acting("acme", "1", "Alice Smith")


async def create(**fields: object) -> tuple[str, ApiToken]:
    options: dict[str, object] = {"name": "Nightly export", "role": ApiTokenRole.LOG_VIEWER}
    options.update(fields)
    return await create_api_token(
        ALICE,
        options["name"],  # type: ignore[arg-type]
        options["role"],  # type: ignore[arg-type]
        options.get("expires_at"),  # type: ignore[arg-type]
        NOW,
    )


async def test_only_the_digest_of_the_secret_is_stored(db: str) -> None:
    secret, token = await create()
    row = await ApiToken.get(id=token.id)
    assert is_api_token(secret) and len(secret) > 40
    assert row.token_hash == digest(secret) and secret not in str(row.__dict__)
    assert row.prefix == secret[:12]


async def test_fresh_token_authenticates_and_records_its_use(db: str) -> None:
    secret, token = await create()
    check = await check_api_token(secret, NOW)
    assert check.token is not None and check.token.id == token.id
    assert (await ApiToken.get(id=token.id)).last_used_at == NOW


async def test_last_used_is_written_at_most_once_a_minute(db: str) -> None:
    secret, token = await create()
    await check_api_token(secret, NOW)
    await check_api_token(secret, NOW + dt.timedelta(seconds=30))
    assert (await ApiToken.get(id=token.id)).last_used_at == NOW
    await check_api_token(secret, NOW + dt.timedelta(minutes=2))
    assert (await ApiToken.get(id=token.id)).last_used_at == NOW + dt.timedelta(minutes=2)


async def test_revoked_token_is_refused_at_once(db: str) -> None:
    secret, token = await create()
    await revoke_api_token(ALICE, token.id, NOW)
    check = await check_api_token(secret, NOW)
    assert check.token is None and check.problem is not None and "revoked" in check.problem


async def test_expired_token_is_refused(db: str) -> None:
    secret, _ = await create(expires_at=NOW + dt.timedelta(hours=1))
    check = await check_api_token(secret, NOW + dt.timedelta(hours=1))
    assert check.token is None and check.problem is not None and "expired" in check.problem


async def test_unknown_secret_is_refused(db: str) -> None:
    check = await check_api_token("alog_not-a-real-token", NOW)
    assert check.token is None and check.problem is not None


async def test_revoking_a_token_of_another_account_is_not_found(db: str) -> None:
    secret, token = await create()
    with pytest.raises(NotFoundError):
        await revoke_api_token(Acting("globex", "66"), token.id, NOW)
    assert (await check_api_token(secret, NOW)).token is not None


async def test_revoking_twice_changes_nothing_the_second_time(db: str) -> None:
    _, token = await create()
    first = await revoke_api_token(ALICE, token.id, NOW)
    second = await revoke_api_token(ALICE, token.id, NOW + dt.timedelta(hours=1))
    assert first.revoked_at == second.revoked_at == NOW
    assert await AuditLog.filter(action="audit_log.api_token_revoked").count() == 1


async def test_creation_and_revocation_are_audited_without_the_secret(db: str) -> None:
    secret, token = await create(role=ApiTokenRole.INGEST)
    await revoke_api_token(ALICE, token.id, NOW)
    entries = await AuditLog.filter(account_id="acme").order_by("sequence")
    assert [e.action for e in entries] == [
        "audit_log.api_token_created",
        "audit_log.api_token_revoked",
    ]
    assert entries[0].target_name == "Nightly export"
    assert entries[0].metadata == {"role": "ingest", "expires_at": None}
    assert all(secret not in str(e.__dict__) for e in entries)


async def test_listing_is_scoped_to_the_account(db: str) -> None:
    await create(name="one")
    await create(name="two")
    assert [t.name for t in await list_api_tokens("acme")] == ["two", "one"]
    assert await list_api_tokens("globex") == []


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"name": "  "}, "input.name"),
        ({"name": "n" * 101}, "input.name"),
        ({"expires_at": NOW - dt.timedelta(seconds=1)}, "input.expiresAt"),
    ],
    ids=["blank-name", "long-name", "past-expiry"],
)
async def test_bad_token_request_is_refused(db: str, fields: dict[str, object], field: str) -> None:
    with pytest.raises(InvalidInputError) as caught:
        await create(**fields)
    assert caught.value.problems[0].field == field
    assert await ApiToken.all().count() == 0
