"""What every GraphQL request knows about its caller."""

from __future__ import annotations

from dataclasses import dataclass, field

from auth.principal import Principal
from auth.roles import EffectiveRoles


@dataclass
class RequestContext:
    """The verified caller and where the request came from.

    Mutable for one case only: a WebSocket's caller is known after its connection_init
    message (schema/live.py), when the context already exists.
    """

    principal: Principal
    client_ip: str | None
    user_agent: str | None
    request_id: str | None = None
    locale: str | None = None
    roles: EffectiveRoles = field(kw_only=True)
