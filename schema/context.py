"""The GraphQL context: the verified caller plus the service's request policy."""

from __future__ import annotations

from dataclasses import dataclass, field

from auth.context import RequestContext
from resolvers.redaction import RedactionPolicy


@dataclass(frozen=True)
class Context(RequestContext):
    """Everything a root field needs besides its arguments."""

    max_page_size: int = 100
    redaction: RedactionPolicy = field(default_factory=RedactionPolicy)
