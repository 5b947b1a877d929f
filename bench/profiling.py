"""Where a server process spends its time: py-spy samples taken while a workload runs."""

from __future__ import annotations

import asyncio
import collections
import re
import shutil
import signal
import subprocess
import sys
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
FRAME = re.compile(r"^(?P<function>.*) \((?P<path>[^()]*?)(?::(?P<line>\d+))?\)$")
SAMPLE_RATE = 250


def py_spy() -> str | None:
    """The py-spy executable, if installed (`pip install py-spy` into the venv)."""
    beside = Path(sys.executable).parent / "py-spy"
    return str(beside) if beside.exists() else shutil.which("py-spy")


@dataclass(frozen=True)
class Profile:
    """Sampled stacks of one workload, summarised."""

    samples: int
    by_package: list[tuple[str, float]]  # share of samples whose innermost frame is there
    service_functions: list[tuple[str, float]]  # share of samples passing through each
    hottest: list[tuple[str, float]]  # share of samples with this innermost frame

    def text(self, title: str) -> str:
        """A readable report."""
        parts = [f"{title}: {self.samples} samples of the server process (busy only)"]
        for heading, rows in (
            ("Own time by package (innermost frame)", self.by_package),
            ("Service functions, inclusive time", self.service_functions),
            ("Hottest functions, own time", self.hottest),
        ):
            parts.append(f"\n{heading}:")
            parts.extend(f"  {share:5.1f}%  {name}" for name, share in rows)
        return "\n".join(parts) + "\n"


async def record(pid: int, raw: Path, workload: Callable[[], Awaitable[object]]) -> Profile:
    """Sample process `pid` while `workload` runs; keep the raw stacks in `raw`."""
    executable = py_spy()
    if executable is None:
        raise RuntimeError("py-spy is not installed; run .venv/bin/pip install py-spy")
    command = [
        executable, "record", "--pid", str(pid), "--rate", str(SAMPLE_RATE), "--format", "raw",
        "--full-filenames", "--nonblocking", "--output", str(raw),
    ]  # fmt: skip
    spy = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    await asyncio.sleep(1.0)  # py-spy attaches
    try:
        await workload()
    finally:
        spy.send_signal(signal.SIGINT)
        spy.wait(timeout=60)
    return summarize(raw)


def summarize(raw: Path, top: int = 20) -> Profile:
    """Summarise py-spy's raw (collapsed stack) output."""
    packages: collections.Counter[str] = collections.Counter()
    inclusive: collections.Counter[str] = collections.Counter()
    own: collections.Counter[str] = collections.Counter()
    total = 0
    for line in raw.read_text().splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        frames = [_parse(frame) for frame in stack.split(";")]
        total += count
        leaf_function, leaf_path = frames[-1]
        packages[_package(leaf_path)] += count
        own[f"{leaf_function} ({_short(leaf_path)})"] += count
        for name in {f"{f} ({_short(p)})" for f, p in frames if _is_service(p)}:
            inclusive[name] += count

    def shares(counter: collections.Counter[str]) -> list[tuple[str, float]]:
        return [(name, 100 * n / total) for name, n in counter.most_common(top)] if total else []

    return Profile(total, shares(packages), shares(inclusive), shares(own))


def _parse(frame: str) -> tuple[str, str]:
    match = FRAME.match(frame)
    if match is None:
        return frame, ""
    return match["function"], match["path"]


def _is_service(path: str) -> bool:
    return path.startswith(str(REPO)) and "/.venv/" not in path and "/bench/" not in path


def _short(path: str) -> str:
    if "site-packages/" in path:
        return path.split("site-packages/", 1)[1]
    if path.startswith(str(REPO)):
        return path[len(str(REPO)) + 1 :]
    return path.rsplit("/lib/", 1)[-1]


def _package(path: str) -> str:
    if "site-packages/" in path:
        return path.split("site-packages/", 1)[1].split("/", 1)[0].removesuffix(".py")
    if _is_service(path):
        return "service: " + _short(path).split("/", 1)[0].removesuffix(".py")
    if not path or path.startswith("<"):
        return "interpreter"
    return "stdlib: " + _short(path).split("/", 2)[-1].split("/", 1)[0].removesuffix(".py")
