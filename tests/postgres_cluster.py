"""A private PostgreSQL 15 cluster a test can start, pause, stop and restart.

Built with the machine's own binaries (Debian's postgresql-15), in a temporary
folder, on a free loopback port. initdb refuses to run as root, so as root the
cluster belongs to the `postgres` OS user, in a folder that user can reach.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from tests.serving import free_port, require_tools

BIN = Path("/usr/lib/postgresql/15/bin")
REQUIRE_TOOLS = "AUDITLOG_REQUIRE_TOOLS"
OS_USER = "postgres"


def require_binaries() -> None:
    """Skip the test without PostgreSQL 15's binaries, or fail when they are required."""
    missing = [str(BIN / name) for name in ("initdb", "pg_ctl") if not (BIN / name).is_file()]
    require_tools(missing, "apt-get install postgresql-15")


class Cluster:
    """One PostgreSQL server in its own folder; trust authentication, user postgres."""

    def __init__(self) -> None:
        self.as_root = os.geteuid() == 0
        # pytest's tmp_path sits under a root-only folder the postgres user cannot reach.
        self.root = Path(tempfile.mkdtemp(prefix="auditlog-pg-"))
        self.data = self.root / "data"
        self.sockets = self.root / "sockets"
        self.log = self.root / "server.log"
        self.port = free_port()
        self.sockets.mkdir()
        if self.as_root:
            user = pwd.getpwnam(OS_USER)
            for path in (self.root, self.sockets):
                os.chown(path, user.pw_uid, user.pw_gid)

    @property
    def url(self) -> str:
        """The service's AUDITLOG_DATABASE_URL for this cluster."""
        return f"postgres://postgres@127.0.0.1:{self.port}/postgres"

    def init(self) -> None:
        """Create the cluster's files."""
        options = ["-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8"]
        self._run("initdb", "-D", str(self.data), *options)

    def start(self) -> None:
        """Start the server and wait until it accepts connections."""
        options = (
            f"-p {self.port} -k {self.sockets} -c listen_addresses=127.0.0.1 "
            "-c fsync=off -c full_page_writes=off"
        )
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-w", "-o", options, "start")

    def stop(self) -> None:
        """Kill the server at once, as a crash would (no clean shutdown)."""
        self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")

    def pause(self) -> None:
        """Freeze the postmaster and every backend (SIGSTOP): connections stay open, mute."""
        postmaster = self.postmaster()
        _signal(postmaster, signal.SIGSTOP)  # first, so that it forks no new backend
        for pid in _children(postmaster):
            _signal(pid, signal.SIGSTOP)

    def resume(self) -> None:
        """Let the frozen processes run again (SIGCONT)."""
        postmaster = self.postmaster()
        for pid in _children(postmaster):
            _signal(pid, signal.SIGCONT)
        _signal(postmaster, signal.SIGCONT)

    def postmaster(self) -> int:
        """The server's main process id."""
        return int((self.data / "postmaster.pid").read_text().split()[0])

    def destroy(self) -> None:
        """Stop the server if it runs, and delete its folder."""
        try:
            if (self.data / "postmaster.pid").is_file():
                self.resume()
                self.stop()
        finally:
            shutil.rmtree(self.root, ignore_errors=True)

    def _run(self, program: str, *args: str) -> None:
        command = [str(BIN / program), *args]
        if self.as_root:
            command = ["runuser", "-u", OS_USER, "--", *command]
        done = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)
        if done.returncode != 0:
            log = self.log.read_text() if self.log.is_file() else ""
            raise RuntimeError(f"{program} failed: {done.stderr.strip()}\n{log[-2000:]}")


def _signal(pid: int, number: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError):  # a backend that ended meanwhile
        os.kill(pid, number)


def _children(parent: int) -> list[int]:
    children = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:  # the process ended meanwhile
            continue
        # Fields after the parenthesised command name: state, then the parent's pid.
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[1]) == parent:
            children.append(int(entry.name))
    return children
