"""Syslog destination: RFC 5424 messages (or CEF inside them) over TCP or TLS.

Each entry becomes one RFC 5424 message, framed by octet counting (RFC 6587 3.4.1:
"<byte length> <message>"), so text with newlines arrives as one message. The batch
goes over one connection, in sequence order; the connection is then closed cleanly.

- format "rfc5424": `<PRI>1 TIMESTAMP HOSTNAME APP-NAME - MSGID [auditlog@32473 ...] MSG`,
  MSGID the action, MSG a UTF-8 BOM, the entry's description and its JSON document.
- format "cef": the same header with no structured data, MSG an ArcSight CEF:0 record.

Exceptions::

    DestinationError        (streams.destinations) the settings are unusable or a TLS
                            certificate failed verification (retryable=False), or the
                            receiver could not be reached in time (retryable=True)
"""

from __future__ import annotations

import asyncio
import datetime as dt
import ipaddress
import socket
import ssl
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import orjson

from streams.destinations import Batch, DestinationError, StreamEntry

KIND = "syslog"
SETTINGS = ("host", "port", "tls", "format", "app_name", "hostname", "facility", "ca_file")
TIMEOUT = 30.0  # seconds for connecting, sending and closing one batch
# RFC 5424 section 6.3.2 SD-ID name@<private enterprise number>; 32473 is the number
# RFC 5612 reserves for documentation.
SD_ID = "auditlog@32473"
# RFC 5424 section 6.2.1 facility codes 0-23, by their usual names.
FACILITY_NAMES = (
    *("kern", "user", "mail", "daemon", "auth", "syslog", "lpr", "news", "uucp", "cron"),
    *("authpriv", "ftp", "ntp", "audit", "alert", "clock"),
    *(f"local{n}" for n in range(8)),
)
FACILITIES = {name: number for number, name in enumerate(FACILITY_NAMES)}
NOTICE, WARNING = 5, 4  # RFC 5424 severities for SUCCESS and FAILURE
CEF_SEVERITY = {"SUCCESS": 3, "FAILURE": 6}  # CEF 0-10: low, medium
FORMATS = ("rfc5424", "cef")
BOM = "\ufeff"
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


@dataclass(frozen=True)
class SyslogConfig:
    """A syslog stream's settings, checked, with defaults filled in."""

    host: str
    port: int
    tls: bool
    format: str
    app_name: str
    hostname: str
    facility: int
    ca_file: str | None

    @classmethod
    def from_settings(cls, settings: Mapping[str, str]) -> SyslogConfig:
        """The config of `settings`; DestinationError(retryable=False) naming every problem."""
        problems = check(settings, None)
        if problems:
            raise DestinationError("; ".join(problems), retryable=False)
        given = _given(settings)
        facility = given.get("facility", "authpriv")
        hostname = given.get("hostname") or _printable(socket.gethostname(), 255)
        return cls(
            host=given["host"],
            port=int(given["port"]),
            tls=given.get("tls", "1") == "1",
            format=given.get("format", "rfc5424"),
            app_name=given.get("app_name", "auditlog"),
            hostname=hostname or "-",
            facility=int(facility) if facility.isdigit() else FACILITIES[facility.lower()],
            ca_file=given.get("ca_file"),
        )


def check(settings: Mapping[str, str], secret: str | None) -> list[str]:
    """Problems with a syslog stream's settings, as "field: what and how to fix"; [] if usable.

    An empty value counts as not given: tls defaults to "1", format to "rfc5424", app_name
    to "auditlog", hostname to this machine's name and facility to "authpriv".
    """
    problems = [
        f'{name}: "{name[:50]}" is not a syslog setting; use only {", ".join(SETTINGS)}.'
        for name in settings
        if name not in SETTINGS
    ]
    if secret:
        problems.append("secret: syslog takes no secret; leave it empty.")
    settings = _given(settings)
    host, port = settings.get("host", ""), settings.get("port", "")
    if not host or len(host) > 253 or any(c.isspace() or c in "/@[]" for c in host):
        problems.append(
            f'host: "{host[:200]}" is not a host name or address; '
            "set the receiver's, e.g. logs.example.com or 203.0.113.7."
        )
    if not (port.isascii() and port.isdigit() and 1 <= int(port) <= 65535):
        problems.append(f'port: "{port[:20]}" is not a TCP port; use 1-65535, e.g. 6514 for TLS.')
    problems += _check_choices(settings)
    for name, limit in (("app_name", 48), ("hostname", 255)):
        value = settings.get(name)
        if value is not None and _printable(value, limit) != value:
            problems.append(
                f'{name}: "{value[:300]}" is not 1-{limit} printable ASCII characters '
                "without spaces (RFC 5424); shorten it or leave it out for the default."
            )
    return problems + _check_ca_file(settings)


def format_message(entry: StreamEntry, settings: Mapping[str, str]) -> bytes:
    """The RFC 5424 message (CEF in its MSG with format "cef") of one entry, unframed."""
    return _format(entry, SyslogConfig.from_settings(settings))


def frame(message: bytes) -> bytes:
    """The message framed by octet counting (RFC 6587): its length in bytes, a space, itself."""
    return b"%d %s" % (len(message), message)


async def send(batch: Batch, settings: Mapping[str, str], *, timeout: float = TIMEOUT) -> None:
    """Send the batch's entries, in order, over one TCP (or TLS) connection, then close it."""
    config = SyslogConfig.from_settings(settings)
    if not batch.entries:
        return
    payload = b"".join(frame(_format(entry, config)) for entry in batch.entries)
    context = _tls_context(config) if config.tls else None
    where = f"syslog receiver {config.host}:{config.port}"
    try:
        async with asyncio.timeout(timeout):
            await _deliver(config, payload, context)
    except ssl.SSLCertVerificationError as exc:
        raise DestinationError(
            f"TLS certificate of {where} failed verification ({exc.verify_message}); set "
            "ca_file to the CA that signed it, or give the receiver a certificate for this host.",
            retryable=False,
        ) from exc
    except ssl.SSLError as exc:
        raise DestinationError(
            f"TLS with {where} failed ({exc.reason or exc.strerror or exc}); check that it "
            'speaks TLS on this port, or set tls to "0" if it takes plain TCP. Delivery will '
            "be retried.",
            retryable=True,
        ) from exc
    except TimeoutError as exc:
        raise DestinationError(
            f"{where} did not take the batch within {timeout:g} s; delivery will be retried.",
            retryable=True,
        ) from exc
    except OSError as exc:
        raise DestinationError(
            f"{where} could not be reached ({exc.strerror or exc}); check that it listens "
            "there. Delivery will be retried.",
            retryable=True,
        ) from exc


async def _deliver(config: SyslogConfig, payload: bytes, context: ssl.SSLContext | None) -> None:
    _, writer = await asyncio.open_connection(config.host, config.port, ssl=context)
    try:
        writer.write(payload)
        await writer.drain()
    except BaseException:
        writer.transport.abort()
        raise
    writer.close()
    await writer.wait_closed()


def _tls_context(config: SyslogConfig) -> ssl.SSLContext:
    # With a ca_file only that CA is trusted; without one, the system store.
    try:
        return ssl.create_default_context(cafile=config.ca_file)
    except (OSError, ssl.SSLError) as exc:
        raise DestinationError(
            f'ca_file: "{config.ca_file}" cannot be loaded ({exc}); point it at a PEM file '
            "of the CA that signed the receiver's certificate.",
            retryable=False,
        ) from exc


def _given(settings: Mapping[str, str]) -> dict[str, str]:
    # Forms send unset optional settings as empty strings.
    return {name: value for name, value in settings.items() if value}


def _check_choices(settings: Mapping[str, str]) -> list[str]:
    problems = []
    if settings.get("tls", "1") not in ("0", "1"):
        problems.append(f'tls: "{settings["tls"][:20]}" is not "0" or "1"; use "1" for TLS.')
    if settings.get("format", "rfc5424") not in FORMATS:
        problems.append(
            f'format: "{settings["format"][:50]}" is not a syslog format; use "rfc5424" or "cef".'
        )
    facility = settings.get("facility", "authpriv")
    if facility.lower() not in FACILITIES and not (
        facility.isascii() and facility.isdigit() and int(facility) <= 23
    ):
        problems.append(
            f'facility: "{facility[:50]}" is not a syslog facility; use a number 0-23 or '
            f"one of {', '.join(FACILITIES)}."
        )
    return problems


def _check_ca_file(settings: Mapping[str, str]) -> list[str]:
    ca_file = settings.get("ca_file")
    if not ca_file:
        return []
    if settings.get("tls", "1") != "1":
        return [f'ca_file: "{ca_file[:300]}" is set but tls is "0"; set tls to "1" or drop it.']
    if not Path(ca_file).is_file():
        return [
            f'ca_file: "{ca_file[:300]}" is not a file on the server; give the path of a PEM '
            "file with the CA that signed the receiver's certificate."
        ]
    return []


def _format(entry: StreamEntry, config: SyslogConfig) -> bytes:
    document = entry.document
    failed = document.get("outcome") == "FAILURE"
    action = _text(document.get("action")) or "-"
    pri = config.facility * 8 + (WARNING if failed else NOTICE)
    msgid = _printable(action, 32) or "-"
    header = f"<{pri}>1 {_timestamp(entry)} {config.hostname} {config.app_name} - {msgid}"
    if config.format == "cef":
        return f"{header} - {_cef(entry, action)}".encode()
    description = _text(document.get("description")) or action
    json_document = orjson.dumps(document).decode()
    return f"{header} {_structured_data(entry, action)} {BOM}{description} {json_document}".encode()


def _structured_data(entry: StreamEntry, action: str) -> str:
    document = entry.document
    params = {
        "account": entry.account_id,
        "sequence": str(entry.sequence),
        "id": entry.id,
        "action": action,
        "outcome": _text(document.get("outcome")),
        "actor": _party(document.get("actor"), ("externalId", "email", "name")),
        "target": _party(document.get("target"), ("externalId", "name")),
    }
    pairs = " ".join(f'{name}="{_sd_value(value)}"' for name, value in params.items() if value)
    return f"[{SD_ID} {pairs}]"


def _sd_value(value: str) -> str:
    # RFC 5424 section 6.3.3: '"', '\' and ']' in a PARAM-VALUE are escaped with '\'.
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("]", "\\]")


def _cef(entry: StreamEntry, action: str) -> str:
    document = entry.document
    outcome = _text(document.get("outcome"))
    name = _text(document.get("description")) or action
    severity = CEF_SEVERITY.get(outcome, 3)
    header = "|".join(
        ["CEF:0", "Auditlog", "auditlog", "1", _cef_header(action), _cef_header(name)]
    )
    extension = " ".join(
        f"{key}={_cef_value(value)}" for key, value in _cef_fields(entry, action) if value
    )
    return f"{header}|{severity}|{extension}"


def _cef_fields(entry: StreamEntry, action: str) -> list[tuple[str, str]]:
    document = entry.document
    actor, target = _mapping(document.get("actor")), _mapping(document.get("target"))
    fields = [
        ("rt", str((_occurred_at(entry) - _EPOCH) // dt.timedelta(milliseconds=1))),
        ("act", action),
        ("outcome", _text(document.get("outcome")).lower()),
        ("reason", _text(document.get("failureReason"))),
        ("suser", _text(actor.get("name")) or _text(actor.get("email"))),
        ("suid", _text(actor.get("externalId"))),
        ("duser", _text(target.get("name"))),
        ("duid", _text(target.get("externalId"))),
        *_source_address(_text(document.get("ipAddress"))),
        ("requestClientApplication", _text(document.get("userAgent"))),
        ("externalId", entry.id),
    ]
    custom = [
        ("cs1", "account", entry.account_id),
        ("cn1", "sequence", str(entry.sequence)),
        ("cs2", "actorType", _text(actor.get("type"))),
        ("cs3", "targetType", _text(target.get("type"))),
        ("cs4", "requestId", _text(document.get("requestId"))),
    ]
    # CEF's custom fields say what they hold in a companion <key>Label field.
    for key, label, value in custom:
        fields += [(f"{key}Label", label), (key, value)] if value else []
    return fields


def _source_address(ip: str) -> list[tuple[str, str]]:
    # CEF's src holds IPv4 only; ArcSight puts IPv6 sources in c6a2.
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return []
    if address.version == 4:
        return [("src", ip)]
    return [("c6a2Label", "Source IPv6 Address"), ("c6a2", ip)]


def _cef_header(value: str) -> str:
    # CEF header fields escape '\' and '|' and cannot span lines.
    escaped = value.replace("\\", "\\\\").replace("|", "\\|")
    return " ".join(escaped.splitlines())


def _cef_value(value: str) -> str:
    # CEF extension values escape '\' and '=' and spell line breaks \n and \r ('|' is literal).
    escaped = value.replace("\\", "\\\\").replace("=", "\\=")
    return escaped.replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\r")


def _party(value: object, keys: tuple[str, ...]) -> str:
    fields = _mapping(value)
    if not fields:
        return ""
    who = next((_text(fields.get(key)) for key in keys if _text(fields.get(key))), "")
    kind = _text(fields.get("type"))
    return f"{kind}:{who}" if kind and who else kind or who


def _timestamp(entry: StreamEntry) -> str:
    # RFC 5424 TIMESTAMP: RFC 3339 with at most 6 fractional digits.
    return _occurred_at(entry).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _occurred_at(entry: StreamEntry) -> dt.datetime:
    moment = dt.datetime.fromisoformat(entry.occurred_at)
    if moment.tzinfo is None:
        return moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC)


def _printable(text: str, limit: int) -> str:
    # RFC 5424 header fields take PRINTUSASCII (33-126) only; others become "_".
    return "".join(c if "!" <= c <= "~" else "_" for c in text[:limit])


def _mapping(value: object) -> dict[str, object]:
    return value if isinstance(value, dict) else {}


def _text(value: object) -> str:
    return "" if value is None else str(value)
