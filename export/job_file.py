"""A job's file: gzip-compressed as it is written, hashed, and renamed into place when whole.

Memory stays constant: each batch of text is compressed and appended at once. The
SHA-256 and the size are those of the gzip file's bytes, as downloaded. The file is
written under a `.partial` name and renamed (atomically, on the same file system) only
once complete and synced, so a download never sees half a file.

Exceptions::

    ExportFileError   the file could not be written (disk full, permissions); not an outage
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import os
import zlib
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import BinaryIO, ParamSpec, TypeVar

from export.formats import Layout
from resolvers.export_jobs import WrittenFile

P = ParamSpec("P")
T = TypeVar("T")
PARTIAL = ".partial"
# gzip's own container (window bits 16 + 15); level 6, zlib's default speed/size balance.
GZIP_WBITS = 31
LEVEL = 6


class ExportFileError(Exception):
    """The export file could not be written; the message says why."""


def stored_name(job_id: int, attempt: int, token: str, extension: str) -> str:
    """The file's name on disk: the job, the attempt and a random token, never client text."""
    return f"export-{job_id}-{attempt}-{token}.{extension}.gz"


def files_of(directory: Path, job_id: int) -> list[Path]:
    """Every file of a job in `directory`: finished or partial, of any attempt."""
    return sorted(directory.glob(f"export-{job_id}-*"))


def remove_files(directory: Path, job_id: int) -> None:
    """Remove every file of a job (a file already gone is fine)."""
    for path in files_of(directory, job_id):
        path.unlink(missing_ok=True)


class _GzipFile:
    """An open `.partial` file taking compressed bytes, with their hash and count."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.file: BinaryIO = path.open("xb")
        self.compressor = zlib.compressobj(LEVEL, zlib.DEFLATED, GZIP_WBITS)
        self.sha256 = hashlib.sha256()
        self.size = 0

    def write(self, text: bytes) -> None:
        self._out(self.compressor.compress(text))

    def close(self) -> None:
        self._out(self.compressor.flush())
        self.file.flush()
        os.fsync(self.file.fileno())
        self.file.close()

    def abandon(self) -> None:
        with contextlib.suppress(OSError):
            self.file.close()
        self.path.unlink(missing_ok=True)

    def _out(self, chunk: bytes) -> None:
        if chunk:
            self.file.write(chunk)
            self.sha256.update(chunk)
            self.size += len(chunk)


async def write_file(
    path: Path,
    layout: Layout,
    batches: AsyncIterator[tuple[bytes, int]],
    written: Callable[[int], Awaitable[None]],
) -> WrittenFile:
    """Write the batches (file text, rows) between `layout`'s head and tail to `path`, gzipped.

    Awaits `written(rows)` after each batch.

    Raises ExportFileError when the file system refuses; any other error (the database,
    a lost lease reported by `written`) propagates. Either way no file is left behind.
    """
    partial = path.with_name(path.name + PARTIAL)
    gz = await _file_call(_GzipFile, partial)
    rows = 0
    try:
        await _file_call(gz.write, layout.head())
        async for text, count in batches:
            await _file_call(gz.write, text)
            rows += count
            await written(rows)
        await _file_call(gz.write, layout.tail())
        await _file_call(gz.close)
        await _file_call(_publish, partial, path)
    except BaseException:
        await asyncio.to_thread(gz.abandon)
        raise
    return WrittenFile(path.name, rows, gz.size, gz.sha256.hexdigest())


def _publish(partial: Path, path: Path) -> None:
    os.replace(partial, path)
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)  # the rename itself survives a crash
    finally:
        os.close(directory)


async def _file_call(function: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """Run blocking file work off the event loop; file-system errors become ExportFileError."""
    try:
        return await asyncio.to_thread(function, *args, **kwargs)
    except OSError as exc:
        # Not chained: an OSError cause would read as a database outage (models.database).
        raise ExportFileError(f"the file could not be written ({exc.strerror or exc})") from None
