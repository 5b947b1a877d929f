"""The live tail, `auditLogAdded`, spoken by hand over graphql-transport-ws to real
`auditlog serve` processes: delivery, filters, isolation, resuming, who may subscribe,
and the cut-offs (an expired token, a revoked grant or API token).

One service per backend serves the module and each test works in an account of its
own. On PostgreSQL the service has a database of its own (AUDITLOG_TEST_POSTGRES_URL's
name with a `_live` suffix), which a second instance shares in the multi-instance test.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import time
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from websockets.exceptions import ConnectionClosed

from tests.conftest import BACKENDS, SECRET
from tests.live.protocol import (
    SETTLE,
    Message,
    Tail,
    bearer,
    entries_in,
    error_text,
    errors_of,
    ids,
    init,
    opened,
    tail,
)
from tests.live.service import Service, fresh_database, serving, token

RECHECK = 1  # AUDITLOG_LIVE_RECHECK of the services here, in seconds
LIVE = 1.0  # a live entry arrives within this many seconds of being recorded
CROSS = 1.5  # ... or this many when recorded through another instance
CUT_OFF = RECHECK + 4.0  # a revocation ends a subscription within this many seconds
PROBE = "custom.live.probe"
GRANT = (
    "mutation($user: ID!) { grantRole(input: {userId: $user, role: LOG_VIEWER}) { grant { id } } }"
)
REVOKE = (
    "mutation($user: ID!) { revokeRole(input: {userId: $user, role: LOG_VIEWER}) { grant { id } } }"
)
CREATE_TOKEN = (
    "mutation($role: ApiTokenRole!) "
    '{ createApiToken(input: {name: "live tail", role: $role}) { token apiToken { id } } }'
)
REVOKE_TOKEN = "mutation($id: ID!) { revokeApiToken(input: {id: $id}) { apiToken { id } } }"
ALICE = {"type": "USER", "id": "1", "name": "Alice Smith", "email": "alice@example.com"}
BOB = {"type": "USER", "id": "2", "name": "Bob Jones", "email": "bob@example.com"}
ZAPIER = {"type": "API_CLIENT", "id": "9", "name": "Zapier"}


def viewer(account: str) -> str:
    return token(account, "log_viewer")


def admin(account: str) -> str:
    return token(account, "admin", sub="admin-1")


def event(action: str = "custom.live.step", **fields: Any) -> dict[str, Any]:
    """An AuditLogInput by Alice unless `fields` say otherwise."""
    return {"action": action, "actor": ALICE, **fields}


@pytest.fixture(scope="module", params=BACKENDS)
def service(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Service]:
    folder = tmp_path_factory.mktemp(f"live-{request.param}")
    with fresh_database(request.param, folder) as database:
        env = {key: value for key, value in os.environ.items() if not key.startswith("AUDITLOG_")}
        env |= {
            "AUDITLOG_JWT_SECRET": SECRET,
            "AUDITLOG_DATABASE_URL": database,
            "AUDITLOG_RATE_LIMIT": "off",
            "AUDITLOG_LIVE_RECHECK": str(RECHECK),
        }
        with serving(env, folder / "service.log") as started:
            yield started


@pytest.fixture
def account() -> str:
    """An account no other test writes to."""
    return f"live-{secrets.token_hex(4)}"


async def until_live(live: Tail, service: Service, account: str) -> list[Message]:
    """Record probes until one comes back, so what is recorded next is surely new to the
    subscription; return the entries received meanwhile."""
    received: list[Message] = []
    for _ in range(10):
        await service.record(account, event(PROBE))
        while message := await live.poll(LIVE):
            entries = entries_in([message])
            assert entries, f"expected an entry, got {message}"
            received += entries
            if entries[0]["action"] == PROBE:
                return received
    raise AssertionError(f"no probe came back; received {received}")


async def test_new_entries_arrive_in_order_each_within_a_second(
    service: Service, account: str
) -> None:
    async with tail(service.ws_url, bearer(viewer(account)), {"afterSequence": "0"}) as live:
        recorded = await service.record(account, event(PROBE))
        received = [await live.entry(SETTLE)]
        for n in range(5):
            recorded += await service.record(account, event(f"custom.live.step_{n}"))
            received.append(await live.entry(LIVE))
        recorded += await service.record(account, *[event("custom.live.batch")] * 3)
        received += [await live.entry(LIVE) for _ in range(3)]
    assert ids(received) == recorded
    sequences = [entry["sequence"] for entry in received]
    assert sequences == [str(int(sequences[0]) + n) for n in range(9)]  # BigInt: strings
    assert received[1]["actor"] == {"type": "USER", "externalId": "1", "name": "Alice Smith"}


async def test_without_after_sequence_only_entries_recorded_after_subscribing_arrive(
    service: Service, account: str
) -> None:
    await service.record(account, event("custom.live.before"))
    async with tail(service.ws_url, bearer(viewer(account))) as live:
        received = await until_live(live, service, account)
        after = await service.record(account, event("custom.live.after"))
        received += await live.collect(1, LIVE)
    assert [entry["id"] for entry in received if entry["action"] != PROBE] == after


SHAPES = [
    event("custom.billing.charge", actor=ALICE),
    event("custom.inbox.rename", actor=BOB),
    event("custom.billing.refund", actor=ZAPIER, outcome="FAILURE", failureReason="declined"),
    event("custom.inbox.rename", actor=ALICE, outcome="FAILURE", failureReason="locked"),
]
SELECTIONS = {
    "filter-actions": ({"filter": {"actions": ["custom.billing.*"]}}, [0, 2]),
    "filter-actor-types": ({"filter": {"actorTypes": ["API_CLIENT"]}}, [2]),
    "filter-two-fields": (
        {"filter": {"actions": ["custom.inbox.*"], "outcomes": ["FAILURE"]}},
        [3],
    ),
    "query": ({"query": "actor:alice@example.com"}, [0, 3]),
    "query-and-filter": ({"query": "action:custom.inbox.*", "filter": {"actorIds": ["2"]}}, [1]),
}


@pytest.mark.parametrize(("selection", "picked"), SELECTIONS.values(), ids=SELECTIONS)
async def test_the_filter_and_query_select_the_entries_sent(
    service: Service, account: str, selection: dict[str, Any], picked: list[int]
) -> None:
    def shapes(batch: str) -> list[dict[str, Any]]:
        return [shape | {"requestId": f"{batch}-{n}"} for n, shape in enumerate(SHAPES)]

    await service.record(account, *shapes("old"))
    async with tail(
        service.ws_url, bearer(viewer(account)), selection | {"afterSequence": "0"}
    ) as live:
        await service.record(account, *shapes("new"))
        received = await live.collect(2 * len(picked))
    expected = [f"{batch}-{n}" for batch in ("old", "new") for n in picked]
    assert [entry["requestId"] for entry in received] == expected


async def test_entries_of_another_account_never_arrive(service: Service, account: str) -> None:
    other = f"{account}-other"  # a viewer there has the same subject, "viewer-1"
    since_start = {"afterSequence": "0"}
    async with (
        tail(service.ws_url, bearer(viewer(account)), since_start) as mine,
        tail(service.ws_url, bearer(viewer(other)), since_start) as theirs,
    ):
        recorded = await service.record(other, event(), event())
        own = await service.record(account, event())
        recorded += await service.record(other, event())
        assert ids(await theirs.collect(3)) == recorded
        assert ids(await mine.collect(1)) == own


async def test_resuming_after_a_disconnect_sends_every_entry_once(
    service: Service, account: str
) -> None:
    payload = bearer(viewer(account))
    async with tail(service.ws_url, payload, {"afterSequence": "0"}) as live:
        first = await service.record(account, *[event()] * 3)
        seen = await live.collect(3)
    assert ids(seen) == first
    last = int(seen[-1]["sequence"])
    missed = await service.record(account, *[event()] * 3)
    async with tail(service.ws_url, payload, {"afterSequence": str(last)}) as live:
        # One by one while the subscription catches up and goes live.
        later = [entry for _ in range(6) for entry in await service.record(account, event())]
        resumed = await live.collect(len(missed) + len(later))
    assert ids(resumed) == missed + later
    assert [int(entry["sequence"]) for entry in resumed] == list(range(last + 1, last + 10))


@pytest.mark.parametrize("field", ["Authorization", "token"])
async def test_a_token_is_accepted_in_either_field_of_the_payload(
    service: Service, account: str, field: str
) -> None:
    credential = viewer(account)
    payload = bearer(credential) if field == "Authorization" else {"token": credential}
    recorded = await service.record(account, event())
    async with tail(service.ws_url, payload, {"afterSequence": "0"}) as live:
        assert ids(await live.collect(1)) == recorded


BAD_PAYLOADS: dict[str, Callable[[], Message | None]] = {
    "no-payload": lambda: None,
    "empty-payload": lambda: {},
    "not-a-jwt": lambda: bearer("not-a-token"),
    "another-secret": lambda: bearer(token("acme", "admin", secret="another-secret-" * 3)),
    "expired": lambda: bearer(token("acme", "admin", exp=int(time.time()) - 300)),
    "basic-scheme": lambda: {"Authorization": "Basic dXNlcjpwYXNzd29yZA=="},
    "unknown-api-token": lambda: {"token": "alog_" + "A" * 43},
}


@pytest.mark.parametrize("payload", BAD_PAYLOADS.values(), ids=BAD_PAYLOADS)
async def test_a_missing_or_invalid_token_closes_the_connection_with_4403(
    service: Service, payload: Callable[[], Message | None]
) -> None:
    async with opened(service.ws_url) as ws:
        await init(ws, payload())
        with pytest.raises(ConnectionClosed) as closed:
            answer = await asyncio.wait_for(ws.recv(), SETTLE)
            pytest.fail(f"answered {answer!r} instead of closing")
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 4403, closed.value


async def api_token(service: Service, account: str, role: str) -> tuple[str, str]:
    """A new API token of `account` with `role`: its secret and its id."""
    data = await service.graphql(CREATE_TOKEN, {"role": role}, admin(account))
    created = data["createApiToken"]
    return created["token"], created["apiToken"]["id"]


async def unreadable_credential(service: Service, account: str, kind: str) -> str:
    if kind == "ingest-api-token":
        secret, _ = await api_token(service, account, "INGEST")
        return secret
    return token(account, *(["ingest"] if kind == "ingest-jwt" else []), sub="no-grants")


@pytest.mark.parametrize("kind", ["ingest-jwt", "no-roles-jwt", "ingest-api-token"])
async def test_a_caller_who_cannot_read_the_log_gets_an_error_and_no_entries(
    service: Service, account: str, kind: str
) -> None:
    credential = await unreadable_credential(service, account, kind)
    await service.record(account, event())
    async with tail(service.ws_url, bearer(credential), {"afterSequence": "0"}) as live:
        answer = await live.message(SETTLE)
        await service.record(account, event())
        rest = await live.rest()
    assert [error["extensions"]["code"] for error in errors_of(answer)] == ["FORBIDDEN"], answer
    assert entries_in([answer, *rest]) == []


async def test_a_subscription_ends_when_its_token_expires(service: Service, account: str) -> None:
    expires = int(time.time()) + 5
    payload = bearer(token(account, "log_viewer", exp=expires))
    async with tail(service.ws_url, payload, {"afterSequence": "0"}) as live:
        before = await service.record(account, event())
        received = [await live.entry(expires - time.time())]
        ended = await live.message(expires - time.time() + CUT_OFF)
        ended_at = time.time()
        await service.record(account, event())
        rest = await live.rest()
    assert ids(received) == before
    assert "expire" in error_text(ended), ended
    assert [error["extensions"]["code"] for error in errors_of(ended)] == ["FORBIDDEN"]
    assert ended_at >= expires - 1, f"ended {expires - ended_at:.1f} s before the token expired"
    assert entries_in(rest) == []


Revoke = Callable[[], Awaitable[Message]]


async def granted_viewer(service: Service, account: str) -> tuple[str, Revoke]:
    await service.graphql(GRANT, {"user": "granted-1"}, admin(account))
    credential = token(account, sub="granted-1")  # no roles of its own
    return credential, lambda: service.graphql(REVOKE, {"user": "granted-1"}, admin(account))


async def viewer_api_token(service: Service, account: str) -> tuple[str, Revoke]:
    secret, token_id = await api_token(service, account, "LOG_VIEWER")
    return secret, lambda: service.graphql(REVOKE_TOKEN, {"id": token_id}, admin(account))


REVOCABLE = {"revoked-grant": granted_viewer, "revoked-api-token": viewer_api_token}


@pytest.mark.parametrize("access", REVOCABLE.values(), ids=REVOCABLE)
async def test_revoked_access_ends_the_subscription_at_the_next_recheck(
    service: Service, account: str, access: Callable[[Service, str], Awaitable[tuple[str, Revoke]]]
) -> None:
    credential, revoke = await access(service, account)
    # Access changes are entries of the log too; only the test's own ones matter here.
    custom = {"filter": {"actions": ["custom.*"]}, "afterSequence": "0"}
    async with (
        tail(service.ws_url, bearer(credential), custom) as live,
        tail(service.ws_url, bearer(admin(account)), custom) as control,
    ):
        before = await service.record(account, event())
        received = [await live.entry(SETTLE)]
        await revoke()
        ended = await live.message(CUT_OFF)
        after = await service.record(account, event())
        rest = await live.rest()
        assert ids(await control.collect(2)) == before + after
    assert ids(received) == before
    assert any(word in error_text(ended) for word in ("revoked", "grant", "role", "access")), ended
    assert [error["extensions"]["code"] for error in errors_of(ended)] == ["FORBIDDEN"]
    assert entries_in(rest) == []


@pytest.mark.parametrize("service", ["postgres"], indirect=True)
async def test_entries_recorded_through_one_instance_reach_subscribers_of_another(
    service: Service, account: str, tmp_path: Path
) -> None:
    with serving(service.env, tmp_path / "second.log") as second:
        payload, since_start = bearer(viewer(account)), {"afterSequence": "0"}
        async with (
            tail(service.ws_url, payload, since_start) as first_tail,
            tail(second.ws_url, payload, since_start) as second_tail,
        ):
            tails = [first_tail, second_tail]
            recorded = await service.record(account, event(PROBE))
            received = [[await live.entry(SETTLE)] for live in tails]
            for origin in (service, second, second, service):
                recorded += await origin.record(account, event())
                for live, entries in zip(tails, received, strict=True):
                    entries.append(await live.entry(CROSS))
    assert [ids(entries) for entries in received] == [recorded, recorded]
