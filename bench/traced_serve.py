"""`auditlog serve` with memory probes, for memory investigations (`--load-tracemalloc`).

Each SIGUSR1 writes `$BENCH_TRACEMALLOC_DIR/<n>.json`: Python's allocated blocks, the
live objects per type (garbage collector) and glibc's heap in use and free
(mallinfo2); with tracemalloc on (`BENCH_TRACEMALLOC_FRAMES`, 25 by default, 0 for
off) also `<n>.snapshot`. `compare` lists what grew between two of them. Tracing
slows the server by an order of magnitude and adds its own memory, so a traced run's
timings and RSS are not comparable with untraced ones; the counts alone cost nothing
between signals.
"""

from __future__ import annotations

import asyncio
import ctypes
import gc
import itertools
import json
import os
import signal
import sys
import time
import tracemalloc
from collections import Counter
from pathlib import Path
from types import FrameType
from typing import Any

FRAMES = int(os.environ.get("BENCH_TRACEMALLOC_FRAMES", "25"))
MALLINFO_FIELDS = (
    "arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks",
    "fordblks", "keepcost",
)  # fmt: skip


class _Mallinfo2(ctypes.Structure):
    _fields_ = [(name, ctypes.c_size_t) for name in MALLINFO_FIELDS]


def counts() -> dict[str, Any]:
    """Allocated Python blocks, live objects per type, and glibc's heap figures."""
    gc.collect()  # count what is alive, not cycles the collector has yet to reach
    types = Counter(type(item).__qualname__ for item in gc.get_objects())
    heap: dict[str, int] = {}
    try:
        mallinfo2 = ctypes.CDLL("libc.so.6").mallinfo2
        mallinfo2.restype = _Mallinfo2
        info = mallinfo2()
        heap = {name: int(getattr(info, name)) for name in MALLINFO_FIELDS}
    except (OSError, AttributeError):  # not glibc 2.33+
        pass
    return {"allocated_blocks": sys.getallocatedblocks(), "types": dict(types), "mallinfo": heap}


def compare(before: Path, after: Path, top: int = 15) -> list[str]:
    """What grew between two probes: blocks, heap, object types, and traced allocation sites."""
    old, new = json.loads(before.read_text()), json.loads(after.read_text())
    found = [f"Python allocated blocks {new['allocated_blocks'] - old['allocated_blocks']:+,}"]
    for name in ("uordblks", "fordblks", "hblkhd", "arena"):
        if name in new["mallinfo"] and name in old["mallinfo"]:
            change = (new["mallinfo"][name] - old["mallinfo"][name]) / 1024
            found.append(f"mallinfo2 {name} {change:+,.0f} KiB")
    grown = Counter(new["types"])
    grown.subtract(old["types"])
    found += [f"{count:+,} live {name}" for name, count in grown.most_common(top) if count]
    old_trace, new_trace = before.with_suffix(".snapshot"), after.with_suffix(".snapshot")
    if old_trace.exists() and new_trace.exists():
        found += _traced_growth(old_trace, new_trace, top)
    return found


def _traced_growth(before: Path, after: Path, top: int) -> list[str]:
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
    """Ask the probed server `pid` for its probe `number` and wait until it is written."""
    path = directory / f"{number}.json"
    os.kill(pid, signal.SIGUSR1)
    deadline = time.monotonic() + timeout
    while not path.exists():
        if time.monotonic() > deadline:
            raise TimeoutError(f"no {path} after {timeout:.0f} s; see the service log")
        await asyncio.sleep(0.2)
    return path


def main() -> int:
    """Start tracing if asked, install the SIGUSR1 handler, then run `auditlog`."""
    from cli import main as auditlog

    directory = Path(os.environ["BENCH_TRACEMALLOC_DIR"])
    directory.mkdir(parents=True, exist_ok=True)
    numbers = itertools.count()

    def dump(signum: int, frame: FrameType | None) -> None:
        number = next(numbers)
        if tracemalloc.is_tracing():
            tracemalloc.take_snapshot().dump(str(directory / f"{number}.snapshot"))
        partial = directory / f"{number}.partial"
        partial.write_text(json.dumps(counts()))
        partial.rename(directory / f"{number}.json")  # written last: the probe is complete

    if FRAMES > 0:
        tracemalloc.start(FRAMES)
    signal.signal(signal.SIGUSR1, dump)
    return auditlog(sys.argv[1:])


if __name__ == "__main__":
    sys.exit(main())
