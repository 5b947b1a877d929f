"""The export worker: runs queued export jobs in this instance, and removes expired files.

Started and stopped by the app's lifespan. Each of its loops claims the oldest waiting
job (models/export_job_store.py: one UPDATE, so two instances never run the same job),
writes the file batch by batch, writing the progress and renewing its lease after each
batch and every third of a lease meanwhile, then settles the job and its audit entry.

Interruptions, and what becomes of the job:
- the instance stops gracefully (lifespan shutdown): the job is put back in the queue
  at once and the run is not counted;
- the instance dies (kill -9, power loss): the lease runs out and whichever worker
  polls next takes the job over, starting again from scratch;
- the database stops answering: the job is put back in the queue (or, with the
  database away, its lease runs out) and starts again from scratch;
- a job started MAX_ATTEMPTS times without finishing becomes FAILED with a reason;
- any other error (the file system, a stored request no longer valid, a bug): FAILED
  at once, with the reason.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import os
import secrets
import socket
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from export.batches import file_batches
from export.job_file import ExportFileError, remove_files, stored_name, write_file
from export.jobs import layout_of, selection_of, stored_request
from models.database import is_outage
from models.export_job import ExportJob
from resolvers.errors import InvalidInputError
from resolvers.export_jobs import (
    INTERRUPTED,
    MAX_ATTEMPTS,
    claim_export_job,
    fail_export_job,
    finish_export_job,
    jobs_past_expiry,
    mark_expired,
    record_progress,
    record_start,
    release_export_job,
    renew_lease,
    selection_size,
)
from resolvers.selection import Selection
from schema.ids import to_global_id

LOG = logging.getLogger("auditlog.export_jobs")
# Seconds between looks for waiting jobs (a job created here wakes this instance at once),
# and between clean-ups of expired files.
POLL_SECONDS = 2.0
SWEEP_SECONDS = 60.0
MAX_BACKOFF_SECONDS = 60.0
# At shutdown, how long to try putting a running job back in the queue.
RELEASE_SECONDS = 5.0


class LeaseLostError(Exception):
    """Another worker holds the job now; this run must stop and change nothing."""


@dataclass(frozen=True)
class WorkerConfig:
    """Where files go and how jobs are run."""

    directory: Path
    ttl: dt.timedelta
    lease: dt.timedelta
    batch_size: int = 1000
    loops: int = 1
    database_csv: bool = True  # AUDITLOG_EXPORT_DATABASE_CSV


def job_reference(job_id: int) -> str:
    """The job's global id, as the API and its audit entry show it."""
    return to_global_id("AuditLogExport", job_id)


class ExportWorker:
    """Claims and runs export jobs, and removes expired files; `serve()` until cancelled."""

    def __init__(
        self, config: WorkerConfig, on_change: Callable[[str], None] | None = None
    ) -> None:
        self.config = config
        self.name = f"{socket.gethostname()[:60]}:{os.getpid()}:{secrets.token_hex(4)}"
        self.on_change = on_change or (lambda change: None)
        self._waiting = asyncio.Event()

    def wake(self) -> None:
        """Look for waiting jobs now rather than at the next poll."""
        self._waiting.set()

    def prepare(self) -> None:
        """Create the export directory; raise OSError naming it if that fails."""
        try:
            self.config.directory.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise OSError(
                f'AUDITLOG_EXPORT_DIR "{self.config.directory}" cannot be created: {exc}'
            ) from exc

    async def serve(self) -> None:
        """Run the claim loops and the clean-up until cancelled."""
        async with asyncio.TaskGroup() as tasks:
            tasks.create_task(self._sweep_loop())
            for _ in range(self.config.loops):
                tasks.create_task(self._claim_loop())

    async def run_once(self, now: dt.datetime | None = None) -> ExportJob | None:
        """Claim one job and run it to its end; return it as claimed, or None if none waits."""
        job = await claim_export_job(self.name, now or _now(), self.config.lease)
        if job is None:
            return None
        await self.run(job)
        return job

    async def run(self, job: ExportJob) -> None:
        """Run a job this worker has claimed, and settle it (unless it was taken over)."""
        remove_files(self.config.directory, job.id)  # what earlier attempts left
        if job.attempts > MAX_ATTEMPTS:
            await self._fail(job, INTERRUPTED)
            return
        again = " after an interrupted run; starting from scratch" if job.attempts > 1 else ""
        self._note(job, "started", f"attempt {job.attempts}{again}")
        heartbeat = asyncio.create_task(self._heartbeat(job))
        try:
            await self._run(job)
        except asyncio.CancelledError:
            await self._release_at_shutdown(job)
            raise
        except LeaseLostError:
            self._note(job, "lost", "another worker took it over; this run stopped")
        except Exception as exc:
            await self._settle_failure(job, exc)
        finally:
            heartbeat.cancel()

    async def sweep(self, now: dt.datetime | None = None) -> int:
        """Remove the files of jobs past their expiry; return how many jobs expired."""
        expired = 0
        for job in await jobs_past_expiry(now or _now()):
            remove_files(self.config.directory, job.id)
            if await mark_expired(job):
                expired += 1
                self._note(job, "expired", "file removed")
        return expired

    async def _run(self, job: ExportJob) -> None:
        asked = stored_request(job)
        selection = selection_of(job, asked)
        # Relative times (occurred:>=now-7d) mean what they meant when the job was asked for.
        asked_at = job.created_at
        total = await self._count(job, selection, asked_at)
        if not await record_start(job, self.name, total, _now(), self.config.lease):
            raise LeaseLostError
        name = stored_name(job.id, job.attempts, secrets.token_hex(8), asked.format.value)
        path = self.config.directory / name

        async def written(rows: int) -> None:
            if not await record_progress(job, self.name, rows, _now(), self.config.lease):
                raise LeaseLostError

        layout = layout_of(asked)
        batches = file_batches(
            selection,
            asked.order,
            layout,
            now=asked_at,
            database_csv=self.config.database_csv,
            batch_size=self.config.batch_size,
            first_batch=self.config.batch_size,
        )
        result = await write_file(path, layout, batches, written)
        reference = job_reference(job.id)
        if not await finish_export_job(job, self.name, result, reference, _now(), self.config.ttl):
            path.unlink(missing_ok=True)
            raise LeaseLostError
        self._note(job, "succeeded", f"{result.rows} rows, {result.byte_size} bytes")

    async def _count(self, job: ExportJob, selection: Selection, at: dt.datetime) -> int | None:
        # The count only measures progress: past the statement timeout (a huge account,
        # a broad search) the export goes on without it, and a real outage shows next.
        try:
            return await selection_size(selection, at)
        except Exception as exc:
            if not is_outage(exc):
                raise
            LOG.warning("Export job %s runs without a row count: %r", job.id, exc)
            return None

    async def _settle_failure(self, job: ExportJob, exc: Exception) -> None:
        if isinstance(exc, ExportFileError):
            await self._fail(job, str(exc))
        elif isinstance(exc, InvalidInputError):
            await self._fail(job, f"its request is no longer valid ({exc})")
        elif is_outage(exc):
            self._note(job, "interrupted", "the database stopped answering; it will run again")
            with contextlib.suppress(Exception):  # the database may still be away
                await release_export_job(job, self.name, counted=True)
            raise exc  # the claim loop backs off
        else:
            LOG.error("Export job %s failed", job.id, exc_info=exc)
            await self._fail(job, f"an internal error ({type(exc).__name__})")

    async def _fail(self, job: ExportJob, reason: str) -> None:
        # Only the job's holder touches its files: a run that lost its lease must not
        # remove the partial file of the run that took the job over.
        if await fail_export_job(job, self.name, reason, job_reference(job.id), _now()):
            self._note(job, "failed", reason)
            remove_files(self.config.directory, job.id)

    async def _release_at_shutdown(self, job: ExportJob) -> None:
        try:
            async with asyncio.timeout(RELEASE_SECONDS):
                if await release_export_job(job, self.name, counted=False):
                    self._note(job, "released", "the service is stopping; back in the queue")
        except Exception:
            LOG.warning("Export job %s could not be put back; its lease will run out", job.id)

    async def _heartbeat(self, job: ExportJob) -> None:
        # Keeps the lease while one batch (or the first count) takes long.
        interval = self.config.lease.total_seconds() / 3
        while True:
            await asyncio.sleep(interval)
            with contextlib.suppress(Exception):  # an outage: the run itself will notice
                if not await renew_lease(job, self.name, _now(), self.config.lease):
                    return

    async def _claim_loop(self) -> None:
        pause = POLL_SECONDS
        while True:
            try:
                # A task of its own per job: a transaction that failed half-way can leave
                # Tortoise's current connection pointing at a released one (see streams).
                ran = await asyncio.create_task(self.run_once()) is not None
                pause = POLL_SECONDS
            except Exception as exc:
                ran = False
                if is_outage(exc):
                    LOG.warning("Export jobs wait: the database is not answering (%r)", exc)
                else:
                    LOG.exception("Export worker error; retrying")
                pause = min(pause * 2, MAX_BACKOFF_SECONDS)
            if not ran:
                await self._idle(pause)

    async def _sweep_loop(self) -> None:
        while True:
            try:
                await self.sweep()
            except Exception as exc:
                if is_outage(exc):
                    LOG.warning("Expired export files wait: the database is not answering")
                else:
                    LOG.exception("Removing expired export files failed; retrying")
            await asyncio.sleep(SWEEP_SECONDS)

    async def _idle(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(seconds):
                await self._waiting.wait()
        self._waiting.clear()

    def _note(self, job: ExportJob, change: str, detail: str) -> None:
        LOG.info(
            "export job %s of account %s %s: %s",
            job.id,
            job.account_id,
            change.replace("_", " "),
            detail,
        )
        self.on_change(change)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)
