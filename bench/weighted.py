"""A weighted choice among a few items (kinds of request, callers, page sizes)."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import accumulate
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Weighted(Generic[T]):
    """Items with cumulative weights, ready for `random.choices`."""

    items: tuple[T, ...]
    cumulative: tuple[float, ...]

    @classmethod
    def of(cls, weighted: Sequence[tuple[T, float]]) -> Weighted[T]:
        """The choice among (item, weight) pairs; weights need not sum to 1."""
        weights = [weight for _, weight in weighted]
        if not weights or any(weight < 0 for weight in weights) or sum(weights) <= 0:
            raise ValueError(f"weights {weights} must be non-negative with a positive sum")
        return cls(tuple(item for item, _ in weighted), tuple(accumulate(weights)))

    def choose(self, rng: random.Random) -> T:
        """Draw one item."""
        return rng.choices(self.items, cum_weights=self.cumulative)[0]

    def shares(self) -> list[tuple[T, float]]:
        """Each item with the fraction of draws it gets in the long run."""
        total = self.cumulative[-1]
        previous = [0.0, *self.cumulative[:-1]]
        return [
            (item, (high - low) / total)
            for item, low, high in zip(self.items, previous, self.cumulative, strict=True)
        ]
