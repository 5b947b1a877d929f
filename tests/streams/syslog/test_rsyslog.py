"""End to end: batches sent to a real rsyslogd (Debian's) over TCP and TLS arrive whole."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from streams.destinations import Batch, DestinationError
from streams.destinations.syslog import format_message, send
from tests.serving import free_port
from tests.streams.syslog.entries import awkward_batch
from tests.streams.syslog.receiver import (
    Receiver,
    make_tls,
    require_rsyslogd,
    rsyslogd,
    write_ca,
)

DRIVERS = ["gtls", "ossl"]


def settings_for(receiver: Receiver, **extra: str) -> dict[str, str]:
    """Settings that send to `receiver` over plain TCP unless `extra` says otherwise."""
    return {"host": "127.0.0.1", "port": str(receiver.port), "tls": "0", **extra}


async def assert_arrived_whole_and_in_order(
    receiver: Receiver, batch: Batch, settings: dict[str, str]
) -> list[dict[str, str]]:
    """Each entry's message, byte for byte, in sequence order; rsyslog's parsed fields."""
    received = await receiver.received(len(batch.entries))
    expected = [format_message(entry, settings).decode() for entry in batch.entries]
    assert [message["raw"] for message in received] == expected, receiver.logs()
    return received


async def test_rsyslog_receives_every_entry_whole_and_in_order(tmp_path: Path) -> None:
    require_rsyslogd()
    batch = awkward_batch()
    with rsyslogd(tmp_path) as receiver:
        settings = settings_for(receiver, hostname="auditlog-test", facility="local3")
        await send(batch, settings)
        received = await assert_arrived_whole_and_in_order(receiver, batch, settings)
    # rsyslog parsed each as RFC 5424: header fields, structured data and MSG come apart.
    for entry, message in zip(batch.entries, received, strict=True):
        document = entry.document
        assert message["pri"] == ("157" if document["outcome"] == "SUCCESS" else "156")
        assert message["timestamp"] == entry.occurred_at.replace("+00:00", "Z")
        assert (message["hostname"], message["app_name"]) == ("auditlog-test", "auditlog")
        assert message["msgid"] == "user.login"
        assert message["structured_data"].startswith('[auditlog@32473 account="QWNjb3VudDox"')
        description, _, rest = message["msg"].removeprefix("\ufeff").partition(" {")
        assert description == document["description"]
        assert json.loads("{" + rest) == document


async def test_rsyslog_receives_cef_messages(tmp_path: Path) -> None:
    require_rsyslogd()
    batch = awkward_batch()
    with rsyslogd(tmp_path) as receiver:
        settings = settings_for(receiver, format="cef", hostname="auditlog-test")
        await send(batch, settings)
        received = await assert_arrived_whole_and_in_order(receiver, batch, settings)
    assert all(message["msg"].startswith("CEF:0|Auditlog|auditlog|1|") for message in received)
    assert {message["structured_data"] for message in received} == {"-"}


async def test_two_batches_arrive_in_order_over_two_connections(tmp_path: Path) -> None:
    require_rsyslogd()
    entries = awkward_batch().entries
    first, second = Batch("s", "a", entries[:2]), Batch("s", "a", entries[2:])
    with rsyslogd(tmp_path) as receiver:
        settings = settings_for(receiver, hostname="auditlog-test")
        await send(first, settings)
        await send(second, settings)
        received = await receiver.received(len(entries))
    assert [message["raw"] for message in received] == [
        format_message(entry, settings).decode() for entry in entries
    ]


@pytest.mark.parametrize("driver", DRIVERS)
async def test_rsyslog_receives_every_entry_over_tls(tmp_path: Path, driver: str) -> None:
    require_rsyslogd(driver)
    tls = make_tls(tmp_path / "tls", driver)
    batch = awkward_batch()
    with rsyslogd(tmp_path / "rsyslog", tls=tls) as receiver:
        settings = settings_for(
            receiver, tls="1", ca_file=str(tls.ca_file), hostname="auditlog-test"
        )
        await send(batch, settings)
        await assert_arrived_whole_and_in_order(receiver, batch, settings)


@pytest.fixture
async def tls_receiver(tmp_path: Path) -> AsyncIterator[Receiver]:
    """An rsyslogd that speaks TLS (gtls) with a certificate of a CA made for the test."""
    require_rsyslogd("gtls")
    with rsyslogd(tmp_path / "rsyslog", tls=make_tls(tmp_path / "tls", "gtls")) as receiver:
        yield receiver


async def test_certificate_of_a_ca_missing_from_the_system_store_is_refused_for_good(
    tls_receiver: Receiver,
) -> None:
    with pytest.raises(DestinationError) as caught:
        await send(awkward_batch(), settings_for(tls_receiver, tls="1"))
    assert caught.value.retryable is False
    assert "failed verification" in str(caught.value)
    assert "ca_file" in str(caught.value)


async def test_certificate_of_another_ca_than_ca_file_is_refused_for_good(
    tls_receiver: Receiver, tmp_path: Path
) -> None:
    other_ca = write_ca(tmp_path / "other-ca.pem", "Another CA")
    settings = settings_for(tls_receiver, tls="1", ca_file=str(other_ca))
    with pytest.raises(DestinationError) as caught:
        await send(awkward_batch(), settings)
    assert caught.value.retryable is False
    assert f"127.0.0.1:{tls_receiver.port}" in str(caught.value)


async def test_certificate_for_another_host_name_is_refused_for_good(tmp_path: Path) -> None:
    require_rsyslogd("gtls")
    tls = make_tls(tmp_path / "tls", "gtls", names=("syslog.example.test",))
    with rsyslogd(tmp_path / "rsyslog", tls=tls) as receiver:
        settings = settings_for(receiver, tls="1", ca_file=str(tls.ca_file))
        with pytest.raises(DestinationError) as caught:
            await send(awkward_batch(), settings)
    assert caught.value.retryable is False
    assert "mismatch" in str(caught.value)


async def test_closed_port_raises_a_retryable_error() -> None:
    port = free_port()
    settings = {"host": "127.0.0.1", "port": str(port), "tls": "0"}
    with pytest.raises(DestinationError) as caught:
        await send(awkward_batch(), settings)
    assert caught.value.retryable is True
    assert f"127.0.0.1:{port} could not be reached" in str(caught.value)


async def test_receiver_that_never_answers_the_tls_handshake_times_out_retryably() -> None:
    async def accept_and_stay_silent(_: asyncio.StreamReader, w: asyncio.StreamWriter) -> None:
        await asyncio.sleep(5)
        w.close()

    server = await asyncio.start_server(accept_and_stay_silent, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    async with server:
        with pytest.raises(DestinationError) as caught:
            await send(awkward_batch(), {"host": "127.0.0.1", "port": str(port)}, timeout=0.3)
    assert caught.value.retryable is True
    assert "did not take the batch within 0.3 s" in str(caught.value)


async def test_empty_batch_opens_no_connection() -> None:
    connections: list[int] = []

    async def count(_: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        connections.append(1)
        writer.close()

    server = await asyncio.start_server(count, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    async with server:
        await send(Batch("s", "a", ()), {"host": "127.0.0.1", "port": str(port), "tls": "0"})
        await asyncio.sleep(0.1)
    assert connections == []
