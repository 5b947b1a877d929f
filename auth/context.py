"""What every GraphQL request knows about its caller."""

from __future__ import annotations

from dataclasses import dataclass

from auth.principal import Principal


@dataclass(frozen=True)
class RequestContext:
    """The verified caller and where the request came from."""

    principal: Principal
    client_ip: str | None
    user_agent: str | None
    request_id: str | None = None
    locale: str | None = None
