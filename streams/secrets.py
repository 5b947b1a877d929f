"""Stream secrets at rest: encrypted with a key derived from AUDITLOG_SECRET_KEY.

Fernet (AES-128-CBC with HMAC-SHA256, from `cryptography`) seals each secret; the key
is SHA-256 of a fixed label and AUDITLOG_SECRET_KEY, so the setting may be any text of
32 bytes or more. A secret is never returned by the API: only its hint (its last four
characters), which lets an admin tell which key a stream holds.

Exceptions::

    SecretKeyError      the box cannot open a secret (another AUDITLOG_SECRET_KEY, or
                        a damaged value); the stream must be given its secret again
"""

from __future__ import annotations

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken

HINT_LENGTH = 4


class SecretKeyError(Exception):
    """A stored secret cannot be opened with this AUDITLOG_SECRET_KEY."""


class SecretBox:
    """Seals and opens stream secrets with one AUDITLOG_SECRET_KEY."""

    def __init__(self, secret_key: str) -> None:
        digest = hashlib.sha256(b"auditlog stream secrets\x00" + secret_key.encode()).digest()
        self._fernet = Fernet(base64.urlsafe_b64encode(digest))

    def seal(self, secret: str) -> str:
        """The secret encrypted, as text to store."""
        return self._fernet.encrypt(secret.encode()).decode()

    def open(self, sealed: str) -> str:
        """The secret a `seal` call stored; SecretKeyError if this key cannot open it."""
        try:
            return self._fernet.decrypt(sealed.encode()).decode()
        except InvalidToken as exc:
            raise SecretKeyError(
                "The stream's secret cannot be decrypted with this AUDITLOG_SECRET_KEY; "
                "set the key it was stored with, or give the stream its secret again."
            ) from exc


def hint(secret: str) -> str:
    """What the API shows of a secret: its last few characters after an ellipsis."""
    return "…" + secret[-HINT_LENGTH:] if len(secret) > 2 * HINT_LENGTH else "…"


def open_secret(sealed: str | None, box: SecretBox | None) -> str | None:
    """A stored secret in clear (None if there is none); SecretKeyError without the key."""
    if sealed is None:
        return None
    if box is None:
        raise SecretKeyError("AUDITLOG_SECRET_KEY is not set; the stream's secret cannot be read.")
    return box.open(sealed)
