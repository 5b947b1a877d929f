"""The `auditlog export` progress bar: rows done of the total, rows per second, time left.

Drawn with rich on standard error only, so it never mixes with a file written to
standard output.
"""

from __future__ import annotations

from typing import Protocol

from rich.console import Console
from rich.progress import (
    BarColumn,
    Progress,
    ProgressColumn,
    Task,
    TaskID,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.text import Text


class RowProgress(Protocol):
    """What the export tells about its progress."""

    @property
    def shown(self) -> bool:
        """Whether anything is drawn (then the export counts its rows first)."""
        ...

    def start(self, total: int | None) -> None:
        """Begin, with the number of rows expected (None: unknown)."""

    def advance(self, rows: int) -> None:
        """Count `rows` more rows written."""

    def stop(self) -> None:
        """End the display, leaving its last state on the terminal."""


class NoProgress:
    """Draws nothing."""

    shown = False

    def start(self, total: int | None) -> None:
        """Nothing to draw."""

    def advance(self, rows: int) -> None:
        """Nothing to draw."""

    def stop(self) -> None:
        """Nothing to draw."""


class RowsColumn(ProgressColumn):
    """`12,300 / 200,159 rows`, or `12,300 rows` while the total is unknown."""

    def render(self, task: Task) -> Text:
        done = f"{int(task.completed):,}"
        if task.total is None:
            return Text(f"{done} rows", style="progress.download")
        return Text(f"{done} / {int(task.total):,} rows", style="progress.download")


class RateColumn(ProgressColumn):
    """Rows per second over the last half minute (over the whole export once it ends)."""

    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        shown = "-" if speed is None else f"{speed:,.0f}"
        return Text(f"{shown} rows/s", style="progress.data.speed")


class BarProgress:
    """A rich progress bar on standard error."""

    shown = True

    def __init__(self, console: Console | None = None) -> None:
        self.progress = Progress(
            TextColumn("exporting"),
            BarColumn(),
            TaskProgressColumn(),
            RowsColumn(),
            RateColumn(),
            TimeElapsedColumn(),
            TextColumn("ETA"),
            TimeRemainingColumn(),
            console=console or Console(stderr=True),
        )
        self.task: TaskID | None = None

    def start(self, total: int | None) -> None:
        """Show the bar."""
        self.task = self.progress.add_task("export", total=total)
        self.progress.start()

    def advance(self, rows: int) -> None:
        """Move the bar; a total passed by rows recorded meanwhile grows with them."""
        if self.task is None:
            return
        task = self.progress.tasks[0]
        done = task.completed + rows
        total = max(task.total, done) if task.total is not None else None
        self.progress.update(self.task, completed=done, total=total)

    def stop(self) -> None:
        """Leave the last state on the terminal."""
        if self.task is not None:
            self.progress.stop()
