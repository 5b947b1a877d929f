"""Relay's Global Object Identification: the Node interface every identity implements."""

from __future__ import annotations

import strawberry


@strawberry.interface(
    description="An object with a global id; any of them can be fetched again with "
    "node(id:) or nodes(ids:)."
)
class Node:
    id: strawberry.ID = strawberry.field(
        description="Opaque and unique across all types; a client cache may key on it."
    )
