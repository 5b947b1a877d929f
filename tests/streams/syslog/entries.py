"""Stream entries for the syslog tests, shaped like the GraphQL AuditLog documents."""

from __future__ import annotations

from streams.destinations import Batch, StreamEntry

ACCOUNT = "QWNjb3VudDox"
# Text that breaks naive formats: quotes, brackets, backslashes, line breaks, '=' and
# '|' (CEF), multi-byte UTF-8 and a character outside the Basic Multilingual Plane.
AWKWARD = (
    'Ann "the admin" O\'Neil',
    "closing ] bracket and [opening",
    "back\\slash at the end \\",
    "two\nlines\r\nand a carriage return",
    "key=value | pipe",
    "Zoë 東京 🙂",
)


def make_entry(sequence: int = 1, /, **fields: object) -> StreamEntry:
    """An entry of ACCOUNT whose document has `fields` over a successful login's."""
    entry_id = f"QXVkaXRMb2c6{sequence}"
    occurred_at = f"2024-05-06T07:08:{sequence % 60:02d}.123456+00:00"
    document: dict[str, object] = {
        "id": entry_id,
        "sequence": sequence,
        "occurredAt": occurred_at,
        "recordedAt": occurred_at,
        "action": "user.login",
        "category": "AUTHENTICATION",
        "description": "Ann Lee signed in.",
        "actor": {"type": "USER", "externalId": "u-1", "name": "Ann Lee", "email": "ann@x.test"},
        "target": {"type": "session", "externalId": "s-9", "name": "Web session"},
        "outcome": "SUCCESS",
        "failureReason": None,
        "ipAddress": "203.0.113.7",
        "userAgent": "Mozilla/5.0",
        "requestId": "req-42",
        "changes": [],
        "metadata": {},
        "tags": [],
        "accountId": ACCOUNT,
    } | fields
    return StreamEntry(ACCOUNT, sequence, entry_id, occurred_at, document)


def awkward_batch() -> Batch:
    """A batch whose every entry carries awkward text in its description, actor and target."""
    entries = tuple(
        make_entry(
            sequence,
            description=f"{text} signed in.",
            actor={"type": "USER", "externalId": text, "name": text, "email": None},
            target={"type": "document", "externalId": f"d-{sequence}", "name": text},
            outcome="FAILURE" if sequence % 2 else "SUCCESS",
        )
        for sequence, text in enumerate(AWKWARD, start=1)
    )
    return Batch("U3RyZWFtOjE=", ACCOUNT, entries)
