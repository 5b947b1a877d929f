"""Recording: idempotency, all-or-nothing batches, sequences, redaction, bad input."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest

from models.audit_log import AuditLog
from resolvers.entries import Actor, Change
from resolvers.errors import ForbiddenError, InvalidInputError
from resolvers.recording import record_events
from resolvers.redaction import REDACTED, RedactionPolicy
from tests.factories import ALICE, Target, event, record


async def test_record_returns_one_result_per_event_in_input_order(db: str) -> None:
    results = await record("acme", event("inbox.create"), event("inbox.delete"))
    rows = await AuditLog.filter(id__in=[r.id for r in results]).order_by("id").values("action")
    assert [r.duplicate for r in results] == [False, False]
    assert results[0].id < results[1].id
    assert [row["action"] for row in rows] == ["inbox.create", "inbox.delete"]


async def test_repeated_idempotency_key_stores_nothing_and_returns_first_id(db: str) -> None:
    first = await record("acme", event(idempotency_key="k-1"))
    again = await record("acme", event(idempotency_key="k-1"), event(idempotency_key="k-2"))
    assert again[0].id == first[0].id and again[0].duplicate
    assert not again[1].duplicate
    assert await AuditLog.filter(account_id="acme").count() == 2


async def test_repeated_key_inside_one_batch_is_stored_once(db: str) -> None:
    results = await record("acme", event(idempotency_key="k"), event(idempotency_key="k"))
    assert results[1].id == results[0].id and results[1].duplicate
    assert await AuditLog.filter(account_id="acme").count() == 1


async def test_same_idempotency_key_in_two_accounts_stores_two_entries(db: str) -> None:
    acme = await record("acme", event(idempotency_key="k"))
    globex = await record("globex", event(idempotency_key="k"))
    assert acme[0].id != globex[0].id and not globex[0].duplicate


async def test_one_bad_event_stores_nothing_of_its_batch(db: str) -> None:
    with pytest.raises(InvalidInputError) as caught:
        await record("acme", event(), event(ip_address="not-an-ip"), event())
    assert caught.value.problems[0].field == "input[1].ipAddress"
    assert await AuditLog.all().count() == 0


async def test_storage_failure_midway_rolls_back_the_whole_batch(
    db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    await record("acme", event())

    async def fail(*args: object) -> None:
        raise RuntimeError("disk full")

    # Rows are inserted before the counter moves; failing there must undo the inserts.
    monkeypatch.setattr("resolvers.recording.advance_sequence", fail)
    with pytest.raises(RuntimeError):
        await record("acme", event(), event())
    assert await AuditLog.all().count() == 1
    monkeypatch.undo()
    [result] = await record("acme", event())
    assert (await AuditLog.get(id=result.id)).sequence == 2


async def test_sequences_increase_by_one_per_account(db: str) -> None:
    await record("acme", event(), event())
    await record("globex", event())
    await record("acme", event(idempotency_key="d"), event(idempotency_key="d"), event())
    acme = (
        await AuditLog.filter(account_id="acme").order_by("id").values_list("sequence", flat=True)
    )
    globex = await AuditLog.filter(account_id="globex").values_list("sequence", flat=True)
    assert acme == [1, 2, 3, 4]
    assert globex == [1]


async def test_concurrent_batches_get_distinct_gapless_sequences(db: str) -> None:
    batches = [[event() for _ in range(20)] for _ in range(5)]
    await asyncio.gather(*(record("acme", *batch) for batch in batches))
    sequences = await AuditLog.filter(account_id="acme").values_list("sequence", flat=True)
    assert sorted(sequences) == list(range(1, 101))


async def test_platform_token_events_go_to_the_account_each_names(db: str) -> None:
    await record(None, event(account_id="acme"), event(account_id="globex"))
    assert await AuditLog.filter(account_id="acme").count() == 1
    assert await AuditLog.filter(account_id="globex").count() == 1


async def test_platform_token_event_without_account_is_refused(db: str) -> None:
    with pytest.raises(InvalidInputError) as caught:
        await record(None, event())
    assert caught.value.problems[0].field == "input[0].accountId"


async def test_account_bound_token_cannot_record_for_another_account(db: str) -> None:
    with pytest.raises(ForbiddenError, match="globex"):
        await record("acme", event(account_id="globex"))
    assert await AuditLog.all().count() == 0


async def test_secret_keys_are_redacted_in_changes_and_metadata(db: str) -> None:
    changes = (
        Change("webhook_secret", "old", "new"),
        Change("provider_config", {"api_key": "abc", "region": "eu"}, None),
        Change("name", "Support", "Help"),
    )
    metadata = {"Password": "hunter2", "nested": {"accessToken": "t", "plan": "pro"}}
    [result] = await record("acme", event(changes=changes, metadata=metadata))
    row = await AuditLog.get(id=result.id)
    assert row.changes == [
        {"field": "webhook_secret", "before": REDACTED, "after": REDACTED},
        {
            "field": "provider_config",
            "before": {"api_key": REDACTED, "region": "eu"},
            "after": None,
        },
        {"field": "name", "before": "Support", "after": "Help"},
    ]
    assert row.metadata == {
        "Password": REDACTED,
        "nested": {"accessToken": REDACTED, "plan": "pro"},
    }


async def test_configured_redaction_keys_are_redacted_too(db: str) -> None:
    policy = RedactionPolicy.with_extra(["ssn"])
    [result] = await record_events("acme", [event(metadata={"customer_ssn": "123"})], policy)
    assert (await AuditLog.get(id=result.id)).metadata == {"customer_ssn": REDACTED}


async def test_missing_actor_is_recorded_as_the_system(db: str) -> None:
    [result] = await record("acme", event(actor=None))
    assert (await AuditLog.get(id=result.id)).actor_type == "SYSTEM"


async def test_occurred_at_defaults_to_now_and_is_stored_in_utc(db: str) -> None:
    before = dt.datetime.now(dt.UTC)
    [a, b] = await record(
        "acme",
        event(occurred_at=None),
        event(occurred_at=dt.datetime(2026, 1, 1, 12, tzinfo=dt.timezone(dt.timedelta(hours=2)))),
    )
    stored_a = (await AuditLog.get(id=a.id)).occurred_at
    stored_b = (await AuditLog.get(id=b.id)).occurred_at
    assert before <= stored_a <= dt.datetime.now(dt.UTC)
    assert stored_b == dt.datetime(2026, 1, 1, 10, tzinfo=dt.UTC)


async def test_ipv4_mapped_address_is_stored_as_ipv4(db: str) -> None:
    [result] = await record("acme", event(ip_address="::ffff:203.0.113.9"))
    assert (await AuditLog.get(id=result.id)).ip_address == "203.0.113.9"


BAD_EVENTS = [
    pytest.param(event(action="Inbox.Create"), "input[0].action", id="uppercase-action"),
    pytest.param(event(action="inbox"), "input[0].action", id="undotted-action"),
    pytest.param(event(ip_address="300.1.1.1"), "input[0].ipAddress", id="invalid-ip"),
    pytest.param(
        event(occurred_at=dt.datetime.now(dt.UTC) + dt.timedelta(hours=1)),
        "input[0].occurredAt",
        id="future-time",
    ),
    pytest.param(
        event(occurred_at=dt.datetime(2026, 1, 1)), "input[0].occurredAt", id="naive-time"
    ),
    pytest.param(event(metadata=[1, 2]), "input[0].metadata", id="metadata-list"),
    pytest.param(event(metadata="text"), "input[0].metadata", id="metadata-string"),
    pytest.param(event(user_agent="u" * 1025), "input[0].userAgent", id="long-user-agent"),
    pytest.param(event(request_id="r" * 256), "input[0].requestId", id="long-request-id"),
    pytest.param(event(idempotency_key=" "), "input[0].idempotencyKey", id="blank-key"),
    pytest.param(event(actor=Actor(ALICE.type, None)), "input[0].actor.id", id="user-without-id"),
    pytest.param(
        event(actor=Actor(ALICE.type, "1", "A" * 256)), "input[0].actor.name", id="long-name"
    ),
    pytest.param(
        event(actor=Actor(ALICE.type, "1", email="nobody")), "input[0].actor.email", id="bad-email"
    ),
    pytest.param(
        event(actor=Actor(ALICE.type, "1", "Al\x00ice")), "input[0].actor.name", id="nul-char"
    ),
    pytest.param(event(metadata={"a": "\x00"}), "input[0].metadata", id="nul-in-json"),
    pytest.param(event(metadata={"blob": "x" * 70_000}), "input[0].metadata", id="huge-metadata"),
    pytest.param(event(failure_reason="why"), "input[0].failureReason", id="reason-on-success"),
    pytest.param(
        event(changes=(Change(" ", 1, 2),)), "input[0].changes[0].field", id="blank-change-field"
    ),
    pytest.param(event(account_id="bad account"), "input[0].accountId", id="bad-account-id"),
]


@pytest.mark.parametrize(("bad", "field"), BAD_EVENTS)
async def test_bad_event_is_refused_naming_the_field(db: str, bad: object, field: str) -> None:
    account = None if field == "input[0].accountId" else "acme"
    with pytest.raises(InvalidInputError) as caught:
        await record_events(account, [bad], RedactionPolicy())  # type: ignore[list-item]
    assert caught.value.problems[0].field == field
    assert caught.value.code == "BAD_USER_INPUT"
    assert await AuditLog.all().count() == 0


@pytest.mark.parametrize("size", [0, 1001])
async def test_batch_outside_one_to_a_thousand_is_refused(db: str, size: int) -> None:
    with pytest.raises(InvalidInputError, match="between 1 and 1000"):
        await record("acme", *[event() for _ in range(size)])


async def test_batch_of_a_thousand_is_stored(db: str) -> None:
    results = await record("acme", *[event(idempotency_key=f"k{i}") for i in range(1000)])
    assert len({r.id for r in results}) == 1000
    assert await AuditLog.filter(account_id="acme").count() == 1000


CATALOGUE_PROBLEMS = [
    pytest.param(event("inbox.crate"), "input[0].action", "inbox.create", id="typo-suggests"),
    pytest.param(
        event("inbox.update", target=None), "input[0].target", "inbox.update", id="no-target"
    ),
    pytest.param(
        event("inbox.update", target=Target("inbox")),
        "input[0].target.id",
        "target",
        id="no-target-id",
    ),
    pytest.param(
        event("team_member.add", target=Target("team", "2")),
        "input[0].metadata.member_id",
        "metadata",
        id="no-member",
    ),
    pytest.param(event("user.sign_in", actor=None), "input[0].actor.id", "actor", id="no-actor"),
]


@pytest.mark.parametrize(("bad", "field", "hint"), CATALOGUE_PROBLEMS)
async def test_catalogue_rules_refuse_the_event_naming_the_field(
    db: str, bad: object, field: str, hint: str
) -> None:
    with pytest.raises(InvalidInputError) as caught:
        await record_events("acme", [bad], RedactionPolicy())  # type: ignore[list-item]
    problem = caught.value.problems[0]
    assert (problem.field, hint in problem.message) == (field, True)


async def test_custom_namespace_accepts_any_action(db: str) -> None:
    [result] = await record("acme", event("custom.invoice_refund", target=None))
    assert (await AuditLog.get(id=result.id)).action == "custom.invoice_refund"
