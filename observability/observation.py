"""What one HTTP request did, gathered while it runs and read once it is answered."""

from __future__ import annotations

import contextlib
import re
import uuid
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field

# A client's X-Request-Id is kept only when it is short and plain, so it cannot forge
# log lines; otherwise a fresh id is made.
_REQUEST_ID = re.compile(r"[A-Za-z0-9._:@/+=-]{1,128}")


@dataclass
class RequestObservation:
    """The facts about a request that metrics and the log line report."""

    request_id: str
    operation: str | None = None
    error_codes: list[str] = field(default_factory=list)
    status: int = 0
    events: int = 0
    duplicates: int = 0
    batches: int = 0


_current: ContextVar[RequestObservation | None] = ContextVar("observation", default=None)


@contextlib.contextmanager
def observing(request_id_header: str | None) -> Iterator[RequestObservation]:
    """Observe the request served inside; its id is the client's when that is plain."""
    if request_id_header and _REQUEST_ID.fullmatch(request_id_header):
        request_id = request_id_header
    else:
        request_id = uuid.uuid4().hex
    observation = RequestObservation(request_id=request_id)
    token = _current.set(observation)
    try:
        yield observation
    finally:
        _current.reset(token)


def current_observation() -> RequestObservation | None:
    """The observation of the request being served, or None outside a request."""
    return _current.get()


def note_recorded(events: int, duplicates: int) -> None:
    """Count one recorded batch of `events`, `duplicates` of them already stored."""
    observation = _current.get()
    if observation is not None:
        observation.batches += 1
        observation.events += events
        observation.duplicates += duplicates


def note_error_code(code: str) -> None:
    """Count an error answered before GraphQL ran (a request that could not run)."""
    observation = _current.get()
    if observation is not None:
        observation.error_codes.append(code)
