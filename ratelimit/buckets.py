"""The generic cell rate algorithm, one timestamp per caller, idle callers forgotten.

Each caller's state is its "theoretical arrival time" (TAT): requests are spaced
`interval = seconds / count` apart and may run up to `seconds` ahead of now, which is
a token bucket of `count` tokens refilled evenly. A caller whose TAT has passed is
at full quota, the same as an unknown caller, so it is dropped.
"""

from __future__ import annotations

import math
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from ratelimit.rate import Rate

MAX_CALLERS = 100_000


@dataclass(frozen=True)
class Decision:
    """Whether a request may run, and what the RateLimit fields say."""

    allowed: bool
    remaining: int
    reset_seconds: int  # until the full quota is back
    retry_after: int  # until the next request is allowed (0 when allowed)


class Buckets:
    """The callers of one rate, least recently seen first."""

    def __init__(
        self,
        rate: Rate,
        *,
        max_callers: int = MAX_CALLERS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.rate = rate
        self.interval = rate.seconds / rate.count
        self.max_callers = max_callers
        self.clock = clock
        self.arrivals: OrderedDict[str, float] = OrderedDict()

    def take(self, caller: str) -> Decision:
        """Spend one request of `caller`'s quota if there is one left."""
        now = self.clock()
        self._forget_idle(now)
        tat = max(self.arrivals.get(caller, now), now)
        new_tat = tat + self.interval
        ahead = new_tat - now
        if ahead > self.rate.seconds + 1e-9:
            wait = ahead - self.rate.seconds
            return Decision(False, 0, _seconds(tat - now), max(1, _seconds(wait)))
        self.arrivals[caller] = new_tat
        self.arrivals.move_to_end(caller)
        remaining = int((self.rate.seconds - ahead) / self.interval + 1e-9)
        return Decision(True, remaining, _seconds(ahead), 0)

    def __len__(self) -> int:
        return len(self.arrivals)

    def _forget_idle(self, now: float) -> None:
        arrivals = self.arrivals
        while arrivals:
            caller, tat = next(iter(arrivals.items()))
            if tat > now and len(arrivals) < self.max_callers:
                return
            # Idle (back to full quota), or the table is full: the oldest goes.
            del arrivals[caller]


def _seconds(span: float) -> int:
    """Whole seconds covering `span`; (now + 30) - now may come out a hair above 30."""
    return math.ceil(span - 1e-6)
