"""SQL statements the service ran for one request, as the floor replays them."""

from __future__ import annotations

import pickle
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from models.audit_log import READ_COLUMNS

AUTH_TABLES = ("role_grant", "api_token")


@dataclass(frozen=True)
class Statement:
    """One statement with its bound parameters and what its result is used for."""

    role: str  # "auth", "page", "exists" or "other"
    sql: str
    params: tuple[Any, ...]


def role_of(sql: str) -> str:
    """Classify a statement of a read request by its text."""
    text = " ".join(sql.split())
    if any(re.search(rf'\b"?{table}"?\b', text) for table in AUTH_TABLES):
        return "auth"
    if re.match(r"(?i)select 1\b", text):
        return "exists"
    head = text.split(" FROM ", 1)[0]
    if "ORDER BY" in text.upper() and all(column in head for column in READ_COLUMNS):
        return "page"
    return "other"


def save(plans: dict[str, list[Statement]], path: Path) -> None:
    """Write the statements of every scenario to `path`."""
    path.write_bytes(pickle.dumps(plans))


def load(path: Path) -> dict[str, list[Statement]]:
    """Read what `save` wrote (a file this harness created)."""
    plans: dict[str, list[Statement]] = pickle.loads(path.read_bytes())
    return plans
