"""`auditlog serve` with tracemalloc on, for memory investigations (`--load-tracemalloc`).

Each SIGUSR1 writes a snapshot to `$BENCH_TRACEMALLOC_DIR/<n>.snapshot`; `compare`
lists where memory grew between two of them. Tracing slows the server and adds its
own memory, so a traced run's timings and RSS are not comparable with untraced ones.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import signal
import sys
import time
import tracemalloc
from pathlib import Path
from types import FrameType

FRAMES = 25


def compare(before: Path, after: Path, top: int = 15) -> list[str]:
    """The `top` allocation sites (innermost service or library frames) that grew most."""
    old = tracemalloc.Snapshot.load(str(before))
    new = tracemalloc.Snapshot.load(str(after))
    found = []
    for stat in new.compare_to(old, "traceback")[:top]:
        frames = [f"{frame.filename}:{frame.lineno}" for frame in stat.traceback[-6:]]
        found.append(
            f"{stat.size_diff / 1024:+,.0f} KiB in {stat.count_diff:+,} blocks at "
            + " <- ".join(reversed(frames))
        )
    return found


async def snapshot(pid: int, directory: Path, number: int, timeout: float = 120.0) -> Path:
    """Ask the traced server `pid` for its snapshot `number` and wait until it is written."""
    path = directory / f"{number}.snapshot"
    os.kill(pid, signal.SIGUSR1)
    deadline = time.monotonic() + timeout
    while not path.exists():
        if time.monotonic() > deadline:
            raise TimeoutError(f"no {path} after {timeout:.0f} s; see the service log")
        await asyncio.sleep(0.2)
    return path


def main() -> int:
    """Start tracing, install the SIGUSR1 handler, then run `auditlog` with our arguments."""
    from cli import main as auditlog

    directory = Path(os.environ["BENCH_TRACEMALLOC_DIR"])
    directory.mkdir(parents=True, exist_ok=True)
    numbers = itertools.count()

    def dump(signum: int, frame: FrameType | None) -> None:
        path = directory / f"{next(numbers)}.snapshot"
        tracemalloc.take_snapshot().dump(str(path.with_suffix(".partial")))
        path.with_suffix(".partial").rename(path)

    tracemalloc.start(FRAMES)
    signal.signal(signal.SIGUSR1, dump)
    return auditlog(sys.argv[1:])


if __name__ == "__main__":
    sys.exit(main())
