"""Effective roles: the token's answer at once; grants are read once, and only if needed."""

from __future__ import annotations

from auth.principal import READ_ROLES, Principal, Role
from auth.roles import EffectiveRoles


class CountingLoader:
    """A grant loader that counts its calls."""

    def __init__(self, granted: frozenset[Role]) -> None:
        self.granted = granted
        self.calls = 0

    async def __call__(self) -> frozenset[Role]:
        self.calls += 1
        return self.granted


def caller(*roles: Role) -> Principal:
    return Principal("user-1", "acme", frozenset(roles))


async def test_token_roles_answer_without_reading_grants() -> None:
    loader = CountingLoader(frozenset({Role.ADMIN}))
    roles = EffectiveRoles(caller(Role.LOG_VIEWER), loader)
    assert await roles.has_any(READ_ROLES)
    assert loader.calls == 0


async def test_grants_are_read_once_per_request() -> None:
    loader = CountingLoader(frozenset({Role.LOG_VIEWER}))
    roles = EffectiveRoles(caller(), loader)
    assert await roles.has_any(READ_ROLES)
    assert not await roles.has_any(frozenset({Role.ADMIN}))
    assert (await roles.principal_with_grants()).roles == {Role.LOG_VIEWER}
    assert loader.calls == 1


async def test_without_a_loader_nothing_is_granted() -> None:
    roles = EffectiveRoles(caller(Role.INGEST))
    assert not await roles.has_any(READ_ROLES)
    assert await roles.has_any(frozenset({Role.INGEST}))
