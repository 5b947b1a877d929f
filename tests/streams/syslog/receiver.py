"""A real rsyslogd for the tests: its own config, port, pid file and output; TLS optional.

rsyslogd writes every message it receives as one JSON line: the raw message as it
arrived (after octet-counted deframing) and the RFC 5424 fields it parsed from it.

Exceptions::

    ReceiverError   rsyslogd exited, never listened, or did not write the messages in time
"""

from __future__ import annotations

import asyncio
import datetime as dt
import ipaddress
import json
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from tests.serving import free_port, require_tools

RSYSLOGD = Path("/usr/sbin/rsyslogd")
MODULE_FOLDERS = ("/usr/lib/*/rsyslog", "/usr/lib/rsyslog", "/usr/lib64/rsyslog")
TLS_PACKAGES = {"gtls": "rsyslog-gnutls", "ossl": "rsyslog-openssl"}
# One JSON object per message; rsyslog's "jsonf" format escapes each value for JSON.
TEMPLATE = "\n".join(
    f'  property(name="{name}" format="jsonf" outname="{key}") constant(value="{end}")'
    for name, key, end in (
        ("rawmsg", "raw", ","),
        ("pri", "pri", ","),
        ('timereported" dateFormat="rfc3339', "timestamp", ","),
        ("hostname", "hostname", ","),
        ("app-name", "app_name", ","),
        ("msgid", "msgid", ","),
        ("structured-data", "structured_data", ","),
        ("msg", "msg", "}\\n"),
    )
)


class ReceiverError(Exception):
    """rsyslogd exited, never listened, or did not write the expected messages in time."""


@dataclass(frozen=True)
class ServerTls:
    """The files and network stream driver ("gtls" or "ossl") of a TLS listener."""

    driver: str
    ca_file: Path
    cert_file: Path
    key_file: Path


@dataclass(frozen=True)
class Receiver:
    """A running rsyslogd: where it listens and where it writes what it received."""

    port: int
    output: Path
    log: Path
    process: subprocess.Popen[bytes]

    async def received(self, count: int, *, timeout: float = 20.0) -> list[dict[str, str]]:
        """The first `count` messages rsyslogd wrote, waiting for them up to `timeout` s."""
        deadline, lines = time.monotonic() + timeout, []
        while time.monotonic() < deadline:
            lines = self.output.read_text().splitlines() if self.output.exists() else []
            if len(lines) >= count:
                return [json.loads(line) for line in lines]
            if self.process.poll() is not None:
                break
            await asyncio.sleep(0.05)
        raise ReceiverError(f"rsyslogd wrote {len(lines)} of {count} messages:\n{self.logs()}")

    def logs(self) -> str:
        """The end of rsyslogd's own output, for failure messages."""
        return self.log.read_text(errors="replace")[-3000:] if self.log.exists() else ""


def require_rsyslogd(tls_driver: str | None = None) -> None:
    """Skip (or, in CI, fail) unless rsyslogd and the TLS driver's module are installed."""
    missing = [] if RSYSLOGD.exists() else ["rsyslogd"]
    packages = ["rsyslog"]
    if tls_driver and not _has_module(f"lmnsd_{tls_driver}.so"):
        missing.append(f"rsyslog's {tls_driver} TLS driver")
        packages.append(TLS_PACKAGES[tls_driver])
    require_tools(missing, f"install it with apt-get install -y {' '.join(packages)}")


@contextmanager
def rsyslogd(folder: Path, *, tls: ServerTls | None = None) -> Iterator[Receiver]:
    """Run rsyslogd on a free 127.0.0.1 port with its files in `folder`; stop it afterwards."""
    port = free_port()
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "work").mkdir(exist_ok=True)
    config = folder / "rsyslog.conf"
    config.write_text(_config(folder, port, tls))
    _validate(config)
    log = folder / "rsyslogd.log"
    command = [str(RSYSLOGD), "-n", "-f", str(config), "-i", str(folder / "rsyslogd.pid")]
    with log.open("wb") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)
    receiver = Receiver(port, folder / "received.jsonl", log, process)
    try:
        _wait_listening(receiver)
        yield receiver
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _config(folder: Path, port: int, tls: ServerTls | None) -> str:
    tls_globals = tls_module = ""
    if tls:
        tls_globals = (
            f'defaultNetstreamDriverCAFile="{tls.ca_file}" '
            f'defaultNetstreamDriverCertFile="{tls.cert_file}" '
            f'defaultNetstreamDriverKeyFile="{tls.key_file}"'
        )
        # Mode 1 is TLS only; "anon" asks no client certificate.
        tls_module = f'streamDriver.name="{tls.driver}" streamDriver.mode="1" '
        tls_module += 'streamDriver.authMode="anon"'
    # Control characters stay as sent (not "#012") so the test can compare raw bytes.
    return f"""
global(workDirectory="{folder / "work"}" maxMessageSize="64k"
       parser.escapeControlCharactersOnReceive="off" {tls_globals})
module(load="imtcp" {tls_module})
template(name="received" type="list") {{
  constant(value="{{")
{TEMPLATE}
}}
ruleset(name="received") {{
  action(type="omfile" file="{folder / "received.jsonl"}" template="received")
}}
input(type="imtcp" address="127.0.0.1" port="{port}" supportOctetCountedFraming="on"
      ruleset="received")
"""


def _validate(config: Path) -> None:
    # rsyslogd runs on with a broken statement left out; a check run (-N1) fails on it.
    check = subprocess.run(
        [str(RSYSLOGD), "-N1", "-f", str(config)], capture_output=True, text=True, check=False
    )
    if check.returncode != 0 or "error" in check.stderr.lower():
        raise ReceiverError(f"rsyslogd refused {config}:\n{check.stdout}{check.stderr}")


def _wait_listening(receiver: Receiver, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if receiver.process.poll() is not None:
            raise ReceiverError(
                f"rsyslogd exited with {receiver.process.returncode}:\n{receiver.logs()}"
            )
        try:
            with socket.create_connection(("127.0.0.1", receiver.port), timeout=1):
                return
        except OSError:
            time.sleep(0.05)
    raise ReceiverError(f"rsyslogd did not listen within {timeout:g} s:\n{receiver.logs()}")


def _has_module(name: str) -> bool:
    return any(any(Path("/").glob(f"{pattern.lstrip('/')}/{name}")) for pattern in MODULE_FOLDERS)


def make_tls(
    folder: Path, driver: str, names: tuple[str, ...] = ("localhost", "127.0.0.1")
) -> ServerTls:
    """A new CA and a certificate it signed for `names` (hosts or IPs), written to `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    ca_key, ca_cert = make_ca("Syslog test CA")
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        _builder(names[0], key, ca_cert.subject)
        .add_extension(x509.SubjectAlternativeName(map(_general_name, names)), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(_authority_key_id(ca_key), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    tls = ServerTls(driver, folder / "ca.pem", folder / "cert.pem", folder / "key.pem")
    tls.ca_file.write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))
    tls.cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    tls.key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return tls


def write_ca(path: Path, name: str) -> Path:
    """The PEM file at `path` of a new self-signed CA named `name`."""
    path.write_bytes(make_ca(name)[1].public_bytes(serialization.Encoding.PEM))
    return path


def make_ca(name: str) -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
    """A self-signed CA key and certificate named `name`."""
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    usage = x509.KeyUsage(
        digital_signature=True,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=True,
        crl_sign=True,
        encipher_only=False,
        decipher_only=False,
    )
    cert = (
        _builder(name, key, subject)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(usage, critical=True)
        .add_extension(_authority_key_id(key), critical=False)
        .sign(key, hashes.SHA256())
    )
    return key, cert


def _builder(
    name: str, key: ec.EllipticCurvePrivateKey, issuer: x509.Name
) -> x509.CertificateBuilder:
    now = dt.datetime.now(dt.UTC)
    return (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)]))
        .issuer_name(issuer)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
    )


def _general_name(name: str) -> x509.GeneralName:
    try:
        return x509.IPAddress(ipaddress.ip_address(name))
    except ValueError:
        return x509.DNSName(name)


def _authority_key_id(issuer_key: ec.EllipticCurvePrivateKey) -> x509.AuthorityKeyIdentifier:
    return x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key())
