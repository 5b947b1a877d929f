"""One export streamed and timed: rows and bytes, time to the headers, first byte, first row, end.

The service side reads GET /export with an httpx streaming client; the floors
(bench/export_floor.py) report the same `Streamed` values for what they write.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass

import httpx

# Rows are counted by line feeds (CSV's CRLF, which a chunk boundary may split, ends in
# one too): the benchmark's data has no line break inside a cell. Lines before the
# first row: the CSV header.
HEADER_LINES = {"csv": 1, "ndjson": 0}


class ExportStreamError(Exception):
    """The export answered with an error status instead of a file."""


@dataclass
class RowCounter:
    """Counts the rows of a file arriving in chunks, and notes when the first row is complete."""

    format: str
    lines: int = 0
    size: int = 0

    def add(self, chunk: bytes) -> bool:
        """Count a chunk; True when it completes the file's first row."""
        before = self.rows
        self.lines += chunk.count(b"\n")
        self.size += len(chunk)
        return before == 0 and self.rows > 0

    @property
    def rows(self) -> int:
        """Complete rows so far (the header is not a row)."""
        return max(0, self.lines - HEADER_LINES[self.format])


@dataclass(frozen=True)
class Streamed:
    """What one export delivered, and when (seconds since it was asked for)."""

    rows: int
    bytes: int
    total: float
    first_byte: float | None
    first_row: float | None
    headers: float | None = None

    @property
    def rows_per_second(self) -> float:
        """Rows over the whole time taken."""
        return self.rows / self.total if self.total > 0 else 0.0


async def stream_export(
    client: httpx.AsyncClient,
    url: str,
    token: str,
    params: Mapping[str, str],
    *,
    until_first_row: bool = False,
) -> Streamed:
    """GET `url`/export with `params`; read it all, or only up to its first row."""
    counter = RowCounter(str(params.get("format", "csv")))
    first_byte = first_row = None
    headers = {"Authorization": f"Bearer {token}"}
    started = time.perf_counter()
    async with client.stream("GET", f"{url}/export", params=params, headers=headers) as response:
        answered = time.perf_counter() - started
        if response.status_code != 200:
            body = (await response.aread())[:500]
            raise ExportStreamError(
                f"GET /export {dict(params)}: HTTP {response.status_code} {body!r}"
            )
        async for chunk in response.aiter_raw():
            if first_byte is None and chunk:
                first_byte = time.perf_counter() - started
            if counter.add(chunk):
                first_row = time.perf_counter() - started
                if until_first_row:
                    break
    total = time.perf_counter() - started
    return Streamed(counter.rows, counter.size, total, first_byte, first_row, answered)
