"""Replace secret values in changes and metadata before they are stored."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

REDACTED = "[REDACTED]"
DEFAULT_SECRET_KEYS = ("password", "secret", "token", "api_key", "apikey", "private_key")


def _normalise(key: str) -> str:
    return key.lower().replace("-", "_")


@dataclass(frozen=True)
class RedactionPolicy:
    """Which keys hold secrets: any key containing one of `fragments` (case-insensitive)."""

    fragments: tuple[str, ...] = DEFAULT_SECRET_KEYS

    @classmethod
    def with_extra(cls, extra: Iterable[str]) -> RedactionPolicy:
        """Return the default policy plus configured key fragments."""
        return cls(DEFAULT_SECRET_KEYS + tuple(_normalise(key) for key in extra))

    def is_secret(self, key: str) -> bool:
        """Whether a key names a secret (`webhook_secret`, `X-Api-Key`, `password_hash`)."""
        normal = _normalise(key)
        return any(fragment in normal for fragment in self.fragments)

    def redact(self, value: object) -> object:
        """Return `value` with every secret key's value replaced, at any depth."""
        if isinstance(value, dict):
            return {
                key: (REDACTED if self.is_secret(key) and item is not None else self.redact(item))
                for key, item in value.items()
            }
        if isinstance(value, list):
            return [self.redact(item) for item in value]
        return value

    def redact_change(self, field: str, before: object, after: object) -> tuple[object, object]:
        """Return a change's before and after values, hidden when the field is a secret."""
        if self.is_secret(field):
            return _hide(before), _hide(after)
        return self.redact(before), self.redact(after)


def _hide(value: object) -> object:
    # An absent value stays null, so "secret was set for the first time" still reads true.
    return None if value is None else REDACTED
