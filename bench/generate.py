"""The benchmark data set: events over many accounts and 90 days, as the rows the service stores.

The schedule (when each event happened, when it was recorded, in which account) is
drawn first; the events themselves are built in chunks, each from its own seeded
random stream, so worker processes can build them in parallel and the rows stay the
same for a given spec and end time.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import multiprocessing
import random
from collections.abc import Iterator
from dataclasses import dataclass

from bench.accounts import Account, build_accounts
from bench.events import EventFactory, build_row
from resolvers.event_validation import NewEvent

DAY = 86_400.0
WEEKDAY_WEIGHTS = (1.0, 1.0, 1.0, 1.0, 0.95, 0.35, 0.3)
HOUR_WEIGHTS = (
    0.15, 0.12, 0.1, 0.1, 0.12, 0.2, 0.35, 0.6, 0.9, 1.0, 1.0, 1.0,
    0.95, 1.0, 1.0, 1.0, 0.95, 0.8, 0.6, 0.5, 0.45, 0.4, 0.3, 0.2,
)  # fmt: skip
CHUNK_ROWS = 10_000


@dataclass(frozen=True)
class DatasetSpec:
    """The size and shape of a data set; equal specs and end times give equal rows."""

    events: int = 1_000_000
    accounts: int = 200
    seed: int = 42
    days: int = 90
    hot_share: float = 0.2

    def fingerprint(self, end: dt.datetime) -> str:
        """A short digest naming this data set, stored beside it to allow reuse."""
        text = f"v1:{self.events}:{self.accounts}:{self.seed}:{self.days}:{self.hot_share}:{end}"
        return hashlib.sha256(text.encode()).hexdigest()[:16]


@dataclass(frozen=True, slots=True)
class Slot:
    """When one event happened and was recorded, its account and its sequence there."""

    recorded: float
    occurred: float
    account: int
    sequence: int


@dataclass(frozen=True)
class Dataset:
    """The accounts and the schedule of every event, in commit (recorded) order."""

    spec: DatasetSpec
    end: dt.datetime
    accounts: list[Account]
    slots: list[Slot]

    @classmethod
    def create(cls, spec: DatasetSpec, end: dt.datetime) -> Dataset:
        """Return the data set of `spec` whose newest event lies just before `end`."""
        rng = random.Random(spec.seed)
        accounts = build_accounts(spec.accounts, rng)
        return cls(spec, end, accounts, _schedule(spec, end, len(accounts), rng))

    @property
    def hot(self) -> Account:
        """The account holding about a fifth of all events."""
        return self.accounts[0]

    def counters(self) -> dict[str, int]:
        """The last sequence of every account once all rows are stored."""
        last: dict[str, int] = {}
        for slot in self.slots:
            last[self.accounts[slot.account].id] = slot.sequence
        return last

    def row_chunks(self, workers: int) -> Iterator[list[list[object]]]:
        """Yield the rows (INSERT_COLUMNS order) in commit order, built by `workers` processes."""
        starts = range(0, len(self.slots), CHUNK_ROWS)
        if workers <= 1:
            yield from (build_chunk(self, start) for start in starts)
            return
        context = multiprocessing.get_context("fork")
        with context.Pool(workers, initializer=_adopt, initargs=(self,)) as pool:
            yield from pool.imap(_build_adopted, starts)


def chunk_events(dataset: Dataset, start: int) -> Iterator[tuple[Slot, str, NewEvent]]:
    """The slot, account id and event of each entry in the chunk beginning at slot `start`."""
    factory = EventFactory(random.Random(f"{dataset.spec.seed}:{start}"))
    for number in range(start, min(start + CHUNK_ROWS, len(dataset.slots))):
        slot = dataset.slots[number]
        account = dataset.accounts[slot.account]
        yield slot, account.id, factory.event(account, _utc(slot.occurred), f"evt_{number:09d}")


def build_chunk(dataset: Dataset, start: int) -> list[list[object]]:
    """The rows of the chunk beginning at slot `start`."""
    return [
        build_row(account_id, slot.sequence, event, _utc(slot.recorded), dataset.end)
        for slot, account_id, event in chunk_events(dataset, start)
    ]


_adopted: list[Dataset] = []


def _adopt(dataset: Dataset) -> None:
    _adopted.append(dataset)


def _build_adopted(start: int) -> list[list[object]]:
    return build_chunk(_adopted[0], start)


def account_weights(count: int, hot_share: float) -> list[float]:
    """The share of events each account gets: the hot one, then a long tail."""
    tail = [1.0 / (rank + 1) ** 0.6 for rank in range(count - 1)]
    if not tail:
        return [1.0]
    scale = (1.0 - hot_share) / sum(tail)
    return [hot_share, *(weight * scale for weight in tail)]


def _schedule(
    spec: DatasetSpec, end_at: dt.datetime, accounts: int, rng: random.Random
) -> list[Slot]:
    n, days = spec.events, spec.days
    end = end_at.timestamp()
    midnight = end_at.replace(hour=0, minute=0, second=0, microsecond=0)
    start = (midnight - dt.timedelta(days=days)).timestamp()
    day_weights = [
        WEEKDAY_WEIGHTS[_utc(start + d * DAY).weekday()] * (1 + 0.3 * d / days)
        for d in range(days + 1)
    ]
    day_list = rng.choices(range(days + 1), day_weights, k=n)
    hour_list = rng.choices(range(24), HOUR_WEIGHTS, k=n)
    account_list = rng.choices(range(accounts), account_weights(accounts, spec.hot_share), k=n)
    times = []
    for day, hour, account in zip(day_list, hour_list, account_list, strict=True):
        occurred = start + day * DAY + hour * 3600 + rng.random() * 3600
        while occurred > end - 60:  # today's hours that have not come yet
            occurred = start + rng.random() * (end - 60 - start)
        times.append((min(occurred + _arrival_lag(rng), end), occurred, account))
    times.sort()
    sequences = [0] * accounts
    slots = []
    for recorded, occurred, account in times:
        sequences[account] += 1
        slots.append(Slot(recorded, occurred, account, sequences[account]))
    return slots


def _arrival_lag(rng: random.Random) -> float:
    """Seconds between an activity and its recording; a few arrive late (queued producers)."""
    draw = rng.random()
    if draw < 0.8:
        return 0.02 + rng.random() * 0.8
    if draw < 0.99:
        return 1 + rng.random() * 30
    return 60 + rng.random() * 3600


def _utc(timestamp: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(timestamp, dt.UTC)
