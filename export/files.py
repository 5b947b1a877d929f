"""Where the command line's export goes: a file that appears only when complete, or stdout.

A file is written under a temporary name beside it (`.NAME.XXXX.part`) and renamed
over NAME when the export has ended; on any failure, Ctrl-C included, the temporary
file is removed, so a file named NAME is always a whole export.
"""

from __future__ import annotations

import contextlib
import gzip
import os
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

STDOUT = "-"


class OutputError(Exception):
    """The output file cannot be written where asked; the message says why."""


class Output:
    """An export's bytes on their way to a file (or standard output), maybe gzip-compressed."""

    def __init__(self, target: str, compress: bool = False) -> None:
        self.path = None if target == STDOUT else Path(target)
        self.part: Path | None = None
        self.bytes = 0
        self._raw: BinaryIO | None = None
        self._sink: BinaryIO | None = None
        self._compress = compress

    def check(self) -> None:
        """Raise OutputError when the file cannot go where asked (before any work is done)."""
        if self.path is None:
            return
        if self.path.is_dir():
            raise OutputError(
                f'"{self.path}" is a folder; name a file in it, e.g. {self.path / "log.csv"}.'
            )
        if not self.path.parent.is_dir():
            raise OutputError(f'the folder "{self.path.parent}" does not exist; create it first.')

    def open(self) -> None:
        """Create the temporary file (or take standard output)."""
        self.check()
        if self.path is None:
            self._raw = sys.stdout.buffer
        else:
            self._raw = self._temporary(self.path)
        self._sink = self._raw
        if self._compress:
            name = self.path.name.removesuffix(".gz") if self.path else ""
            # mtime 0: the same export gives the same compressed bytes.
            self._sink = gzip.GzipFile(name, "wb", fileobj=self._raw, mtime=0)  # type: ignore[assignment]

    def write(self, data: bytes) -> None:
        """Write a chunk of the export."""
        if self._sink is None:
            raise OutputError("the output is not open")
        with self._writing():
            self._sink.write(data)
        self.bytes += len(data)

    def finish(self) -> None:
        """Write out what is buffered (the gzip trailer too) and close the file."""
        with self._writing():
            self._close()

    def commit(self) -> None:
        """Give the finished file its name."""
        self.finish()
        if self.path is not None and self.part is not None:
            with self._writing():
                os.replace(self.part, self.path)
            self.part = None

    @contextlib.contextmanager
    def _writing(self) -> Iterator[None]:
        # A full disk is not a database outage: say which file, in words of our own.
        try:
            yield
        except OSError as exc:
            where = "standard output" if self.path is None else f'"{self.path}"'
            raise OutputError(f"cannot write {where} ({exc.strerror or exc})") from exc

    def discard(self) -> None:
        """Remove the temporary file, if any (after a failure or an interruption)."""
        with contextlib.suppress(OSError):
            self._close()
        if self.part is not None:
            self.part.unlink(missing_ok=True)
            self.part = None

    def _close(self) -> None:
        sink, raw = self._sink, self._raw
        self._sink = self._raw = None
        if sink is not None and sink is not raw:
            sink.close()  # the gzip trailer
        if raw is None:
            return
        if self.path is None:
            raw.flush()
        else:
            raw.close()

    def _temporary(self, path: Path) -> BinaryIO:
        folder = path.parent
        try:
            handle, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=folder)
        except OSError as exc:
            raise OutputError(f'cannot write in "{folder}" ({exc.strerror}).') from exc
        self.part = Path(name)
        return os.fdopen(handle, "wb")
