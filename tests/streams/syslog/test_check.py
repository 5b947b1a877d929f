"""The syslog destination's settings check: every problem names the field, value and fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from streams.destinations import DestinationError
from streams.destinations.syslog import KIND, SETTINGS, check, format_message, send
from tests.streams.syslog.entries import awkward_batch, make_entry

VALID = {"host": "logs.example.com", "port": "6514"}


def test_kind_and_settings_are_declared() -> None:
    assert KIND == "syslog"
    assert SETTINGS == (
        "host",
        "port",
        "tls",
        "format",
        "app_name",
        "hostname",
        "facility",
        "ca_file",
    )


def test_host_and_port_are_enough() -> None:
    assert check(VALID, None) == []


def test_every_setting_with_a_usable_value_passes(tmp_path: Path) -> None:
    ca_file = tmp_path / "ca.pem"
    ca_file.write_text("-----BEGIN CERTIFICATE-----\n")
    settings = VALID | {
        "tls": "1",
        "format": "cef",
        "app_name": "acme",
        "hostname": "auditlog-1.example.com",
        "facility": "local4",
        "ca_file": str(ca_file),
    }
    assert check(settings, "") == []


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"host": ""}, 'host: "" is not a host name or address'),
        ({"host": "logs example"}, 'host: "logs example" is not'),
        ({"host": "https://logs.example.com/"}, 'host: "https://logs.example.com/" is not'),
        ({"port": "0"}, 'port: "0" is not a TCP port; use 1-65535'),
        ({"port": "65536"}, 'port: "65536" is not a TCP port'),
        ({"port": "tls"}, 'port: "tls" is not a TCP port'),
        ({"tls": "yes"}, 'tls: "yes" is not "0" or "1"'),
        ({"format": "json"}, 'format: "json" is not a syslog format; use "rfc5424" or "cef".'),
        ({"facility": "24"}, 'facility: "24" is not a syslog facility; use a number 0-23'),
        ({"facility": "security"}, 'facility: "security" is not a syslog facility'),
        ({"app_name": "audit log"}, 'app_name: "audit log" is not 1-48 printable ASCII'),
        ({"app_name": "a" * 49}, 'app_name: "' + "a" * 49 + '" is not 1-48'),
        ({"hostname": "hôte"}, 'hostname: "hôte" is not 1-255 printable ASCII'),
        ({"colour": "red"}, 'colour: "colour" is not a syslog setting; use only host, port'),
    ],
    ids=lambda value: next(iter(value)) if isinstance(value, dict) else "",
)
def test_unusable_value_is_reported_with_its_field_and_fix(
    changes: dict[str, str], problem: str
) -> None:
    problems = check(VALID | changes, None)
    assert len(problems) == 1
    assert problems[0].startswith(problem)


def test_empty_optional_settings_take_their_defaults() -> None:
    empty = dict.fromkeys(("tls", "format", "app_name", "hostname", "facility", "ca_file"), "")
    assert check(VALID | empty, "") == []
    message = format_message(make_entry(), VALID | empty | {"hostname": "h"})
    assert message.startswith(b"<85>1 2024-05-06T07:08:01.123456Z h auditlog - user.login [")


def test_missing_host_and_port_are_both_reported() -> None:
    problems = check({}, None)
    assert [problem.split(":")[0] for problem in problems] == ["host", "port"]


def test_a_secret_is_refused() -> None:
    assert check(VALID, "s3cret") == ["secret: syslog takes no secret; leave it empty."]


def test_ca_file_without_tls_is_refused(tmp_path: Path) -> None:
    problems = check(VALID | {"tls": "0", "ca_file": str(tmp_path)}, None)
    assert problems == [f'ca_file: "{tmp_path}" is set but tls is "0"; set tls to "1" or drop it.']


def test_ca_file_that_is_not_a_file_is_refused(tmp_path: Path) -> None:
    missing = tmp_path / "missing.pem"
    problems = check(VALID | {"ca_file": str(missing)}, None)
    assert problems[0].startswith(f'ca_file: "{missing}" is not a file on the server;')


def test_formatting_with_unusable_settings_raises_a_final_error() -> None:
    with pytest.raises(DestinationError) as caught:
        format_message(make_entry(), {"host": "logs.example.com", "port": "x"})
    assert caught.value.retryable is False
    assert str(caught.value).startswith('port: "x" is not a TCP port')


async def test_sending_with_unusable_settings_raises_a_final_error() -> None:
    with pytest.raises(DestinationError) as caught:
        await send(awkward_batch(), {"host": "logs.example.com", "port": "6514", "tls": "2"})
    assert caught.value.retryable is False
    assert str(caught.value).startswith('tls: "2" is not "0" or "1"')


async def test_ca_file_that_is_not_pem_raises_a_final_error(tmp_path: Path) -> None:
    ca_file = tmp_path / "ca.pem"
    ca_file.write_text("not a certificate")
    settings = VALID | {"ca_file": str(ca_file)}
    with pytest.raises(DestinationError) as caught:
        await send(awkward_batch(), settings)
    assert caught.value.retryable is False
    assert str(caught.value).startswith(f'ca_file: "{ca_file}" cannot be loaded')
