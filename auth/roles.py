"""A caller's effective roles: the token's at once, granted ones fetched only if needed."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from auth.principal import Principal, Role

GrantLoader = Callable[[], Awaitable[frozenset[Role]]]


async def no_grants() -> frozenset[Role]:
    """The loader for callers that cannot hold grants (API tokens, platform tokens)."""
    return frozenset()


class EffectiveRoles:
    """Answers role questions for one request, reading grants at most once.

    A check the token's own roles already satisfy costs nothing; otherwise the grants
    are read (once per request), so a revoked or expired grant fails the very next
    request.
    """

    def __init__(self, principal: Principal, load_grants: GrantLoader = no_grants) -> None:
        self.principal = principal
        self._load_grants = load_grants
        self._granted: frozenset[Role] | None = None

    async def has_any(self, wanted: frozenset[Role]) -> bool:
        """Whether the caller holds any of `wanted`, by token or by grant."""
        if self.principal.roles & wanted:
            return True
        return bool(await self.granted() & wanted)

    async def granted(self) -> frozenset[Role]:
        """The roles the caller's active grants give."""
        if self._granted is None:
            self._granted = await self._load_grants()
        return self._granted

    async def principal_with_grants(self) -> Principal:
        """The principal holding its token roles and its granted ones."""
        return self.principal.with_roles(await self.granted())
