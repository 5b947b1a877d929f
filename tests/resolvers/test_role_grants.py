"""Role grants: granting, renewing, revoking, expiry, and the audit entries they leave."""

from __future__ import annotations

import datetime as dt

import pytest

from models.access import GrantableRole, RoleGrant
from models.audit_log import AuditLog
from resolvers.errors import InvalidInputError, NotFoundError
from resolvers.role_grants import (
    GrantRequest,
    grant_role,
    granted_roles,
    list_role_grants,
    revoke_role,
)
from resolvers.self_audit import Acting

NOW = dt.datetime(2026, 11, 26, 12, 0, tzinfo=dt.UTC)
ALICE = Acting(
    "acme", "1", "Alice Smith", "alice@example.com", "203.0.113.7", "Mozilla/5.0", "req-1"
)
VIEWER = GrantableRole.LOG_VIEWER


def later(days: float) -> dt.datetime:
    return NOW + dt.timedelta(days=days)


def bob(**fields: object) -> GrantRequest:
    return GrantRequest(user_id="2", role=VIEWER, user_name="Bob Jones", **fields)  # type: ignore[arg-type]


async def test_granted_role_counts_until_it_expires(db: str) -> None:
    await grant_role(ALICE, bob(expires_at=later(14)), NOW)
    assert await granted_roles("acme", "2", later(13)) == {"log_viewer"}
    assert await granted_roles("acme", "2", later(14)) == set()


async def test_grants_count_only_in_their_own_account(db: str) -> None:
    await grant_role(ALICE, bob(), NOW)
    assert await granted_roles("globex", "2", NOW) == set()


async def test_granting_twice_creates_no_duplicate_and_no_second_entry(db: str) -> None:
    first = await grant_role(ALICE, bob(), NOW)
    again = await grant_role(ALICE, bob(), later(1))
    assert again.id == first.id
    assert await RoleGrant.all().count() == 1
    assert await AuditLog.filter(action="audit_log.role_granted").count() == 1


async def test_granting_with_a_new_expiry_extends_the_grant_and_is_audited(db: str) -> None:
    await grant_role(ALICE, bob(expires_at=later(7)), NOW)
    renewed = await grant_role(ALICE, bob(expires_at=later(30)), later(1))
    assert renewed.expires_at == later(30)
    entries = await AuditLog.filter(action="audit_log.role_granted").order_by("id")
    assert len(entries) == 2
    assert entries[1].changes == [
        {"field": "expires_at", "before": later(7).isoformat(), "after": later(30).isoformat()}
    ]


async def test_expired_grant_is_renewed_by_granting_again(db: str) -> None:
    await grant_role(ALICE, bob(expires_at=later(1)), NOW)
    await grant_role(ALICE, bob(), later(2))
    assert await granted_roles("acme", "2", later(3)) == {"log_viewer"}
    assert await RoleGrant.all().count() == 1


async def test_revoked_grant_stops_counting_and_is_recorded_as_revoked(db: str) -> None:
    await grant_role(ALICE, bob(), NOW)
    revoked = await revoke_role(ALICE, "2", VIEWER, later(1))
    assert (revoked.revoked_at, revoked.revoked_by_id) == (later(1), "1")
    assert await granted_roles("acme", "2", later(1)) == set()


async def test_granting_after_revocation_creates_a_new_grant(db: str) -> None:
    await grant_role(ALICE, bob(), NOW)
    await revoke_role(ALICE, "2", VIEWER, later(1))
    await grant_role(ALICE, bob(), later(2))
    assert await RoleGrant.all().count() == 2
    assert await granted_roles("acme", "2", later(2)) == {"log_viewer"}


@pytest.mark.parametrize("state", ["never-granted", "already-revoked", "expired", "other-role"])
async def test_revoking_what_is_not_granted_is_not_found(db: str, state: str) -> None:
    if state == "already-revoked":
        await grant_role(ALICE, bob(), NOW)
        await revoke_role(ALICE, "2", VIEWER, NOW)
    elif state == "expired":
        await grant_role(ALICE, bob(expires_at=later(1)), NOW)
    elif state == "other-role":
        await grant_role(ALICE, GrantRequest("2", GrantableRole.ADMIN), NOW)
    with pytest.raises(NotFoundError, match='"2"'):
        await revoke_role(ALICE, "2", VIEWER, later(2))


async def test_revoking_in_another_account_is_not_found(db: str) -> None:
    await grant_role(ALICE, bob(), NOW)
    intruder = Acting("globex", "66", "Mallory")
    with pytest.raises(NotFoundError):
        await revoke_role(intruder, "2", VIEWER, NOW)
    assert await granted_roles("acme", "2", NOW) == {"log_viewer"}


async def test_listing_shows_active_grants_unless_inactive_are_asked_for(db: str) -> None:
    await grant_role(ALICE, bob(expires_at=later(1)), NOW)
    await grant_role(ALICE, GrantRequest("3", VIEWER), NOW)
    await grant_role(ALICE, GrantRequest("4", GrantableRole.ADMIN), NOW)
    await revoke_role(ALICE, "4", GrantableRole.ADMIN, NOW)
    active = await list_role_grants("acme", False, later(2))
    every = await list_role_grants("acme", True, later(2))
    assert [g.user_id for g in active] == ["3"]
    assert sorted(g.user_id for g in every) == ["2", "3", "4"]
    assert await list_role_grants("globex", True, later(2)) == []


BAD = [
    pytest.param(GrantRequest(" ", VIEWER), "input.userId", id="blank-user"),
    pytest.param(GrantRequest("2", VIEWER, expires_at=NOW), "input.expiresAt", id="past-expiry"),
    pytest.param(
        GrantRequest("2", VIEWER, expires_at=dt.datetime(2030, 1, 1)), "input.expiresAt", id="naive"
    ),
    pytest.param(GrantRequest("2", VIEWER, note="n" * 1001), "input.note", id="long-note"),
]


@pytest.mark.parametrize(("request_", "field"), BAD)
async def test_bad_grant_is_refused_naming_the_field(
    db: str, request_: GrantRequest, field: str
) -> None:
    with pytest.raises(InvalidInputError) as caught:
        await grant_role(ALICE, request_, NOW)
    assert caught.value.problems[0].field == field
    assert await RoleGrant.all().count() == 0
    assert await AuditLog.all().count() == 0


async def test_grant_is_audited_with_actor_target_and_origin(db: str) -> None:
    await grant_role(ALICE, bob(expires_at=later(14), note="external audit"), NOW)
    entry = await AuditLog.get(action="audit_log.role_granted")
    assert (entry.account_id, entry.actor_id, entry.actor_name) == ("acme", "1", "Alice Smith")
    assert (entry.target_type, entry.target_id, entry.target_name) == ("user", "2", "Bob Jones")
    assert (entry.ip_address, entry.user_agent, entry.request_id) == (
        "203.0.113.7",
        "Mozilla/5.0",
        "req-1",
    )
    assert entry.metadata == {
        "role": "log_viewer",
        "expires_at": later(14).isoformat(),
        "note": "external audit",
    }


async def test_failed_audit_write_undoes_the_grant(
    db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("log unavailable")

    monkeypatch.setattr("resolvers.role_grants.record_access_change", broken)
    with pytest.raises(RuntimeError):
        await grant_role(ALICE, bob(), NOW)
    assert await RoleGrant.all().count() == 0
