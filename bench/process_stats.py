"""A server process's resident memory and CPU time, read from /proc (Linux only)."""

from __future__ import annotations

import os
import threading
from pathlib import Path

PROC = Path("/proc")
MB = 1024 * 1024


class ProcessStatsError(Exception):
    """/proc did not say what was asked (no such process, or an unexpected format)."""


def parse_status_bytes(status: str, field: str) -> int:
    """The `field` (e.g. "VmRSS", "VmHWM") of a /proc/<pid>/status text, in bytes."""
    for line in status.splitlines():
        name, _, rest = line.partition(":")
        if name != field:
            continue
        parts = rest.split()
        if len(parts) != 2 or parts[1] != "kB" or not parts[0].isdigit():
            raise ProcessStatsError(f'"{line}" is not "{field}: <number> kB"')
        return int(parts[0]) * 1024
    raise ProcessStatsError(f"no {field} line in /proc/<pid>/status; has the process exited?")


def parse_cpu_seconds(stat: str, ticks_per_second: int) -> float:
    """User plus system CPU seconds of a /proc/<pid>/stat text."""
    # Field 2, the command name, may hold spaces and parentheses: count from its last ")".
    fields = stat[stat.rindex(")") + 1 :].split()
    # fields[0] is field 3 (state); utime and stime are fields 14 and 15.
    return (int(fields[11]) + int(fields[12])) / ticks_per_second


def parse_schedstat(schedstat: str) -> tuple[float, float]:
    """Seconds on a CPU and seconds runnable but waiting for one, of a /proc/.../schedstat text."""
    running, waiting = schedstat.split()[:2]
    return int(running) / 1e9, int(waiting) / 1e9


def scheduler_seconds(pid: int) -> tuple[float, float]:
    """Seconds process `pid`'s threads ran, and waited for a CPU while runnable, so far."""
    running = waiting = 0.0
    for task in (PROC / str(pid) / "task").iterdir():
        try:
            ran, waited = parse_schedstat((task / "schedstat").read_text())
        except OSError:  # the thread ended meanwhile
            continue
        running, waiting = running + ran, waiting + waited
    return running, waiting


def rss_bytes(pid: int) -> int:
    """The resident set size of process `pid` (VmRSS)."""
    return parse_status_bytes(_read(pid, "status"), "VmRSS")


def peak_rss_bytes(pid: int) -> int:
    """The highest resident set size process `pid` has had (VmHWM)."""
    return parse_status_bytes(_read(pid, "status"), "VmHWM")


def cpu_seconds(pid: int) -> float:
    """CPU seconds (user plus system) process `pid` has used so far."""
    return parse_cpu_seconds(_read(pid, "stat"), os.sysconf("SC_CLK_TCK"))


def _read(pid: int, name: str) -> str:
    try:
        return (PROC / str(pid) / name).read_text()
    except OSError as exc:
        raise ProcessStatsError(f"cannot read /proc/{pid}/{name}: {exc}") from exc


class RssSampler:
    """Samples process `pid`'s VmRSS every `interval` seconds in a thread, while in a `with`."""

    def __init__(self, pid: int, interval: float = 0.02) -> None:
        self.pid = pid
        self.interval = interval
        self.samples: list[int] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="rss-sampler", daemon=True)

    def __enter__(self) -> RssSampler:
        self.samples.append(rss_bytes(self.pid))
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.samples.append(rss_bytes(self.pid))

    @property
    def peak_growth(self) -> int:
        """The highest sample above the first, in bytes."""
        return max(self.samples) - self.samples[0]

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self.samples.append(rss_bytes(self.pid))
            except ProcessStatsError:
                return  # the process ended
