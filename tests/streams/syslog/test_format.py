"""The syslog destination's messages: RFC 5424 header and structured data, CEF, framing."""

from __future__ import annotations

import json
import socket

import pytest

from streams.destinations.syslog import format_message, frame
from tests.streams.syslog.entries import ACCOUNT, make_entry

SETTINGS = {"host": "logs.example.com", "port": "6514", "hostname": "auditlog-1"}
CEF = {**SETTINGS, "format": "cef"}


def rfc5424(**fields: object) -> str:
    """The RFC 5424 message of an entry with `fields`, as text."""
    return format_message(make_entry(**fields), SETTINGS).decode()


def cef(**fields: object) -> str:
    """The CEF record (the MSG of the RFC 5424 message) of an entry with `fields`."""
    message = format_message(make_entry(**fields), CEF).decode()
    return message[message.index(" CEF:0|") + 1 :]


def cef_extension(**fields: object) -> str:
    """The extension (after the seventh unescaped '|') of the CEF record of `fields`."""
    record = cef(**fields)
    return record[record.index("|6|" if fields.get("outcome") == "FAILURE" else "|3|") + 3 :]


@pytest.mark.parametrize(
    ("facility", "outcome", "pri"),
    [
        (None, "SUCCESS", "<85>"),
        (None, "FAILURE", "<84>"),
        ("local0", "SUCCESS", "<133>"),
        ("LOCAL7", "FAILURE", "<188>"),
        ("3", "SUCCESS", "<29>"),
        ("0", "FAILURE", "<4>"),
    ],
    ids=["authpriv-notice", "authpriv-warning", "local0", "upper-case-name", "number", "kern"],
)
def test_pri_is_facility_times_eight_plus_notice_or_warning(
    facility: str | None, outcome: str, pri: str
) -> None:
    settings = SETTINGS | ({"facility": facility} if facility else {})
    message = format_message(make_entry(outcome=outcome), settings).decode()
    assert message.startswith(f"{pri}1 ")


def test_header_has_utc_timestamp_hostname_app_name_no_procid_and_the_action() -> None:
    entry = make_entry()
    settings = SETTINGS | {"app_name": "acme-audit"}
    header = format_message(entry, settings).decode().split(" ")[:6]
    assert header == [
        "<85>1",
        "2024-05-06T07:08:01.123456Z",
        "auditlog-1",
        "acme-audit",
        "-",
        "user.login",
    ]


def test_timestamp_with_an_offset_is_given_in_utc_with_microseconds() -> None:
    entry = make_entry()
    shifted = type(entry)(
        entry.account_id, entry.sequence, entry.id, "2024-05-06T09:08:01+02:00", entry.document
    )
    assert format_message(shifted, SETTINGS).split(b" ")[1] == b"2024-05-06T07:08:01.000000Z"


def test_hostname_defaults_to_the_machines() -> None:
    settings = {"host": "logs.example.com", "port": "6514"}
    message = format_message(make_entry(), settings).decode()
    assert message.split(" ")[2] == socket.gethostname()


def test_msgid_is_the_action_cut_to_32_printable_ascii_characters() -> None:
    action = "very.long.action.name.for.something.that.happened"
    assert rfc5424(action=action).split(" ")[5] == action[:32]


def test_msgid_replaces_spaces_and_non_ascii_so_the_header_stays_parseable() -> None:
    assert rfc5424(action="user login ü").split(" ")[5] == "user_login__"


def test_structured_data_holds_the_entrys_identity_outcome_actor_and_target() -> None:
    message = rfc5424(outcome="FAILURE")
    assert (
        '[auditlog@32473 account="QWNjb3VudDox" sequence="1" id="QXVkaXRMb2c61" '
        'action="user.login" outcome="FAILURE" actor="USER:u-1" target="session:s-9"] '
    ) in message


def test_structured_data_escapes_quote_backslash_and_closing_bracket() -> None:
    actor = {"type": "USER", "externalId": 'a"b\\c]d[e'}
    assert ' actor="USER:a\\"b\\\\c\\]d[e"' in rfc5424(actor=actor)


def test_structured_data_leaves_out_a_missing_target() -> None:
    message = rfc5424(target=None)
    assert 'actor="USER:u-1"]' in message
    assert "target=" not in message.split("]")[0]


def test_msg_is_a_bom_the_description_and_the_json_document() -> None:
    entry = make_entry(description="Zoë signed in.\nTwice.")
    message = format_message(entry, SETTINGS).decode()
    msg = message[message.index("] ") + 2 :]
    assert msg.startswith("\ufeffZoë signed in.\nTwice. {")
    assert json.loads(msg.removeprefix("\ufeffZoë signed in.\nTwice. ")) == entry.document


def test_message_is_utf8() -> None:
    message = format_message(make_entry(description="東京 🙂"), SETTINGS)
    assert "東京 🙂".encode() in message


def test_frame_prefixes_the_length_and_a_space() -> None:
    assert frame(b"<85>1 - - - - - -") == b"17 <85>1 - - - - - -"


def test_frame_counts_bytes_not_characters() -> None:
    message = "Zoë 東京 🙂".encode()
    assert frame(message) == b"16 " + message
    assert len("Zoë 東京 🙂") == 8


def test_frame_of_a_formatted_message_with_multi_byte_text_counts_its_bytes() -> None:
    message = format_message(make_entry(description="Zoë 東京 🙂"), SETTINGS)
    length, _, rest = frame(message).partition(b" ")
    assert (int(length), rest) == (len(message), message)


def test_cef_record_follows_a_header_without_structured_data_or_bom() -> None:
    message = format_message(make_entry(), CEF).decode()
    assert message.startswith(
        "<85>1 2024-05-06T07:08:01.123456Z auditlog-1 auditlog - user.login - "
        "CEF:0|Auditlog|auditlog|1|user.login|Ann Lee signed in.|3|"
    )


@pytest.mark.parametrize(("outcome", "severity"), [("SUCCESS", "|3|"), ("FAILURE", "|6|")])
def test_cef_severity_follows_the_outcome(outcome: str, severity: str) -> None:
    assert severity + "rt=" in cef(outcome=outcome)


def test_cef_header_escapes_pipe_and_backslash_and_joins_lines() -> None:
    record = cef(description="a|b\\c\nd")
    assert "|user.login|a\\|b\\\\c d|3|" in record


def test_cef_extension_uses_standard_keys() -> None:
    extension = cef_extension(failureReason="bad password", outcome="FAILURE")
    assert extension == (
        "rt=1714979281123 act=user.login outcome=failure reason=bad password suser=Ann Lee "
        "suid=u-1 duser=Web session duid=s-9 src=203.0.113.7 "
        "requestClientApplication=Mozilla/5.0 externalId=QXVkaXRMb2c61 "
        f"cs1Label=account cs1={ACCOUNT} cn1Label=sequence cn1=1 cs2Label=actorType cs2=USER "
        "cs3Label=targetType cs3=session cs4Label=requestId cs4=req-42"
    )


def test_cef_extension_escapes_backslash_equals_and_line_breaks_but_not_pipes() -> None:
    actor = {"type": "USER", "name": "a=b\\c|d\r\ne\nf\rg"}
    assert " suser=a\\=b\\\\c|d\\ne\\nf\\rg " in cef_extension(actor=actor)


def test_cef_puts_an_ipv6_source_in_c6a2() -> None:
    extension = cef_extension(ipAddress="2001:db8::7")
    assert " c6a2Label=Source IPv6 Address c6a2=2001:db8::7 " in extension
    assert " src=" not in extension


def test_cef_leaves_out_empty_fields_and_their_labels() -> None:
    extension = cef_extension(target=None, requestId=None, ipAddress=None, userAgent=None)
    assert "duser=" not in extension
    assert "cs3" not in extension
    assert "cs4" not in extension
    assert "src=" not in extension
