"""`auditlog export`: the endpoint's bytes in a file, checked options, an entry, no partial file."""

from __future__ import annotations

import asyncio
import getpass
import gzip
import os
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

from cli import main
from export import command as export_command
from export.command import USER_AGENT, read_command, run_export
from export.files import Output
from models.audit_log import AuditLog
from models.database import close_database, connection, open_database
from models.migrations import migrate
from tests.app_client import app_client, bearer, settings_with
from tests.conftest import POSTGRES_URL, SECRET, TokenFactory
from tests.export.varied import varied_events
from tests.factories import record

ACCOUNT = "acme"
NOT_EXPORTS = "-category:audit_log"  # each export appends its own entry; leave those out


def database_url(db: str, tmp_path: Path) -> str:
    """The URL of the `db` fixture's database (conftest's SQLite file, or the test server)."""
    return f"sqlite://{tmp_path}/test.sqlite3" if db == "sqlite" else POSTGRES_URL


def run_cli(url: str, *options: str, cwd: Path) -> subprocess.CompletedProcess[bytes]:
    """Run `auditlog export OPTIONS` in a process of its own against the database at `url`."""
    env = {**os.environ, "AUDITLOG_DATABASE_URL": url, "AUDITLOG_JWT_SECRET": SECRET}
    return subprocess.run(
        [sys.executable, "-m", "cli", "export", *options],
        env=env,
        cwd=cwd,
        capture_output=True,
        timeout=120,
        check=False,
    )


async def endpoint_bytes(token: str, params: dict[str, str]) -> bytes:
    """What GET /export answers for `params`."""
    async with app_client(settings_with()) as http:
        response = await http.get("/export", params=params, headers=bearer(token))
    assert response.status_code == 200, response.text
    return response.content


REQUESTS = {
    "csv-german-berlin-bom": (
        {"format": "csv", "locale": "de", "timeZone": "Europe/Berlin", "bom": "true"},
        ["--format", "csv", "--locale", "de", "--time-zone", "Europe/Berlin", "--bom"],
    ),
    "ndjson-filter": (
        {"format": "ndjson", "filter": '{"actorTypes": ["USER", "API_CLIENT"]}'},
        ["--format", "ndjson", "--filter", '{"actorTypes": ["USER", "API_CLIENT"]}'],
    ),
    "json-columns-oldest-first": (
        {
            "format": "json",
            "columns": "id,action,description,actor,metadata",
            "order": "OLDEST_FIRST",
        },
        [
            "--format",
            "json",
            "--columns",
            "id,action,description,actor,metadata",
            "--order",
            "oldest_first",
        ],
    ),
}


@pytest.mark.parametrize("case", REQUESTS.values(), ids=REQUESTS.keys())
async def test_the_command_writes_the_bytes_the_endpoint_sends(
    db: str, tmp_path: Path, make_token: TokenFactory, case: tuple[dict[str, str], list[str]]
) -> None:
    params, options = case
    await record(ACCOUNT, *varied_events())
    token = make_token(roles=["log_viewer"], account_id=ACCOUNT)
    sent = await endpoint_bytes(token, {**params, "query": NOT_EXPORTS})
    out = tmp_path / "out" / "export.file"
    out.parent.mkdir()
    done = run_cli(
        database_url(db, tmp_path),
        "--account",
        ACCOUNT,
        f"--query={NOT_EXPORTS}",  # with "=": a value starting with "-" is not an option
        *options,
        "-o",
        str(out),
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr.decode()
    assert out.read_bytes() == sent
    assert sent.count(b"inbox.update") == 2


async def test_the_command_records_the_export_with_the_operator_as_actor(
    db: str, tmp_path: Path
) -> None:
    await record(ACCOUNT, *varied_events())
    out = tmp_path / "gdpr.csv"
    done = run_cli(
        database_url(db, tmp_path),
        "--account",
        ACCOUNT,
        "--query",
        "tag:gdpr",
        "--as",
        "Oscar Ops",
        "-o",
        str(out),
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr.decode()
    entry = await AuditLog.get(action="audit_log.exported")
    assert (entry.actor_type, entry.actor_id, entry.actor_name) == (
        "SYSTEM",
        getpass.getuser(),
        "Oscar Ops",
    )
    assert (entry.outcome, entry.user_agent, entry.metadata) == (
        "SUCCESS",
        USER_AGENT,
        {"format": "CSV", "count": 2, "filter": {}, "query": "tag:gdpr"},
    )


async def test_the_progress_bar_goes_to_stderr_and_the_file_to_stdout_untouched(
    db: str, tmp_path: Path
) -> None:
    await record(ACCOUNT, *varied_events())
    url, out = database_url(db, tmp_path), tmp_path / "quiet.ndjson"
    common = ["--account", ACCOUNT, f"--query={NOT_EXPORTS}", "--format", "ndjson"]
    quiet = run_cli(url, *common, "--no-progress", "-o", str(out), cwd=tmp_path)
    drawn = run_cli(url, *common, "--progress", "-o", "-", cwd=tmp_path)
    assert quiet.returncode == drawn.returncode == 0, drawn.stderr.decode()
    assert drawn.stdout == out.read_bytes()
    assert b"rows/s" in drawn.stderr and b"rows/s" not in quiet.stderr
    assert b"inbox.update" not in drawn.stderr


async def test_gzip_compresses_the_same_bytes(db: str, tmp_path: Path) -> None:
    await record(ACCOUNT, *varied_events())
    url = database_url(db, tmp_path)
    common = ["--account", ACCOUNT, f"--query={NOT_EXPORTS}"]
    plain = run_cli(url, *common, "-o", str(tmp_path / "log.csv"), cwd=tmp_path)
    packed = run_cli(url, *common, "--gzip", "-o", str(tmp_path / "log.csv.gz"), cwd=tmp_path)
    assert plain.returncode == packed.returncode == 0, packed.stderr.decode()
    unpacked = gzip.decompress((tmp_path / "log.csv.gz").read_bytes())
    assert unpacked == (tmp_path / "log.csv").read_bytes()


async def test_an_account_without_entries_is_refused_and_gets_no_entry(
    db: str, tmp_path: Path
) -> None:
    await record(ACCOUNT, *varied_events())
    out = tmp_path / "out" / "typo.csv"
    out.parent.mkdir()
    done = run_cli(database_url(db, tmp_path), "--account", "acmee", "-o", str(out), cwd=tmp_path)
    assert done.returncode == 2
    assert b'--account: "acmee" has no entries' in done.stderr
    assert b"Traceback" not in done.stderr
    assert list(out.parent.iterdir()) == []
    assert await AuditLog.filter(account_id="acmee").count() == 0


BAD_OPTIONS = {
    "filter-not-json": (["--filter", "{tags"], "--filter: is not JSON"),
    "filter-bad-value": (
        ["--filter", '{"actorTypes": ["ROBOT"]}'],
        '--filter: actorTypes: "ROBOT"',
    ),
    "filter-unknown-field": (
        ["--filter", '{"colour": "red"}'],
        "--filter: colour: is not a filter",
    ),
    "query": (["--query", "acton:x"], '--query: unknown qualifier "acton:"'),
    "columns": (["--columns", "id,colour"], '--columns: "colour" is not a column of CSV'),
    "ndjson-columns": (
        ["--format", "ndjson", "--columns", "actor_id"],
        '--columns: "actor_id" is not a column of NDJSON',
    ),
    "time-zone": (["--time-zone", "Mars/Olympus"], "--time-zone: 'Mars/Olympus'"),
    "format": (["--format", "xml"], "argument --format: invalid choice: 'xml'"),
    "order": (["--order", "sideways"], "argument --order: invalid choice: 'SIDEWAYS'"),
    "empty-account": (["--account", " "], "--account: is empty"),
    "output-folder": (["-o", "{tmp}/missing/log.csv"], "--output: the folder"),
    "output-is-folder": (["-o", "{tmp}"], "--output: "),
}


@pytest.mark.parametrize("case", BAD_OPTIONS.values(), ids=BAD_OPTIONS.keys())
def test_a_bad_option_exits_2_naming_it_and_writes_nothing(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    case: tuple[list[str], str],
) -> None:
    options, message = case
    monkeypatch.setenv("AUDITLOG_JWT_SECRET", SECRET)
    monkeypatch.setenv("AUDITLOG_DATABASE_URL", f"sqlite://{tmp_path}/never-opened.sqlite3")
    values = (value.replace("{tmp}", str(tmp_path)) for value in options[1::2])
    given = dict(zip(options[::2], values, strict=True))
    argv = {"--account": ACCOUNT, "-o": str(tmp_path / "log.csv"), **given}
    status = _status(["export", *(part for pair in argv.items() for part in pair)])
    err = capsys.readouterr().err
    assert status == 2
    assert message in err and "Traceback" not in err
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("existing", "message"),
    [(False, "does not exist; check the URL"), (True, "lacks the migrations 0001_audit_log")],
    ids=["missing-file", "never-migrated"],
)
def test_a_database_without_the_schema_exits_2_naming_the_url(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    existing: bool,
    message: str,
) -> None:
    database = tmp_path / "typo.sqlite3"
    if existing:
        database.touch()
    monkeypatch.setenv("AUDITLOG_JWT_SECRET", SECRET)
    monkeypatch.setenv("AUDITLOG_DATABASE_URL", f"sqlite://{database}")
    status = _status(["export", "--account", ACCOUNT, "-o", str(tmp_path / "log.csv")])
    err = capsys.readouterr().err
    assert status == 2
    assert "auditlog: AUDITLOG_DATABASE_URL: " in err and message in err
    assert sorted(path.name for path in tmp_path.iterdir()) == (
        ["typo.sqlite3"] if existing else []
    )


def _status(argv: list[str]) -> int:
    try:
        return main(argv)
    except SystemExit as exc:  # argparse's own usage errors
        return int(exc.code or 0)


class Seen:
    """A progress display that only notes that rows were written."""

    shown = False

    def __init__(self) -> None:
        self.rows = asyncio.Event()

    def start(self, total: int | None) -> None:
        """Nothing to draw."""

    def advance(self, rows: int) -> None:
        """Note the rows."""
        self.rows.set()

    def stop(self) -> None:
        """Nothing to draw."""


async def test_an_interrupted_export_leaves_no_file_and_is_recorded_as_failed(
    db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    await record(ACCOUNT, *varied_events())
    real_batches = export_command.file_batches

    async def first_batch_then_wait(*args: Any, **kwargs: Any) -> AsyncIterator[Any]:
        async for batch in real_batches(*args, **kwargs):
            yield batch
            await asyncio.Event().wait()  # the operator presses Ctrl-C here

    monkeypatch.setattr(export_command, "file_batches", first_batch_then_wait)
    folder = tmp_path / "out"
    folder.mkdir()
    now = varied_events()[-1].occurred_at
    assert now is not None
    command = read_command({"account": ACCOUNT, "format": "csv", "order": "NEWEST_FIRST"}, now)
    seen = Seen()
    task = asyncio.create_task(run_export(command, Output(str(folder / "log.csv")), seen, now))
    await asyncio.wait_for(seen.rows.wait(), 10)
    assert [path.suffix for path in folder.iterdir()] == [".part"]
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert list(folder.iterdir()) == []
    entry = await AuditLog.get(action="audit_log.exported")
    assert (entry.outcome, entry.failure_reason, entry.metadata["count"]) == (
        "FAILURE",
        "the operator interrupted the export",
        len(varied_events()),
    )


@pytest.fixture
def many_entries(tmp_path: Path) -> Iterator[str]:
    """A SQLite database whose account holds 33,000 entries (the varied ones, copied)."""
    url = f"sqlite://{tmp_path}/many.sqlite3"

    async def fill() -> None:
        await open_database(url)
        try:
            await migrate()
            await record(ACCOUNT, *varied_events())
            await connection().execute_script(COPIES)
        finally:
            await close_database()

    asyncio.run(fill())
    yield url


COPIES = """
INSERT INTO audit_log (account_id, sequence, action, actor_type, actor_id, actor_name,
    actor_email, target_type, target_id, target_name, changes, metadata, tags, outcome,
    failure_reason, ip_address, ip_key, user_agent, request_id, occurred_at, recorded_at,
    search_text)
WITH RECURSIVE copies(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM copies WHERE n < 2999)
SELECT account_id, sequence + 100 * n, action, actor_type, actor_id, actor_name, actor_email,
    target_type, target_id, target_name, changes, metadata, tags, outcome, failure_reason,
    ip_address, ip_key, user_agent, request_id, occurred_at, recorded_at, search_text
FROM audit_log, copies;
UPDATE audit_log_sequence SET last_sequence = (SELECT max(sequence) FROM audit_log);
"""


def test_ctrl_c_removes_the_partial_file_and_exits_130(many_entries: str, tmp_path: Path) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    env = {**os.environ, "AUDITLOG_DATABASE_URL": many_entries, "AUDITLOG_JWT_SECRET": SECRET}
    argv = [sys.executable, "-m", "cli", "export", "--account", ACCOUNT, "-o", "log.json"]
    process = subprocess.Popen(
        [*argv, "--format", "json"], env=env, cwd=folder, stderr=subprocess.PIPE
    )
    deadline = time.monotonic() + 60
    while not list(folder.iterdir()) and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.005)
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 130, err.decode()
    assert b"interrupted" in err and b"Traceback" not in err
    assert list(folder.iterdir()) == []
    assert asyncio.run(_exports(many_entries)) == [
        ("FAILURE", "the operator interrupted the export")
    ]


async def _exports(url: str) -> list[tuple[str, str | None]]:
    await open_database(url)
    try:
        entries = await AuditLog.filter(action="audit_log.exported")
        return [(entry.outcome, entry.failure_reason) for entry in entries]
    finally:
        await close_database()
