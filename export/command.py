"""`auditlog export`: one account's log, or a selection of it, written to a file by an operator.

The command reads the database directly (AUDITLOG_DATABASE_URL, as `auditlog
migrate` does), not through HTTP. Its file is byte for byte what `GET /export`
answers for the same request: the options are read by export.request, the entries
come in resolvers.exports' keyset batches and are written by the same Layout. Like
every export it appends an `audit_log.exported` entry to the account's log; the
actor is the operator (type SYSTEM, id the OS login, name `--as` or the login).

Exceptions::

    CommandError      an option cannot be used as given; the message names it (exit 2)
"""

from __future__ import annotations

import datetime as dt
import getpass
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import anyio
import orjson

from export.batches import file_batches
from export.files import Output, OutputError
from export.formats import Layout
from export.progress import RowProgress
from export.request import ExportRequest, from_json
from models.audit_log import ActorType
from resolvers.errors import InvalidInputError, UnavailableError
from resolvers.exports import ExportReport, has_entries, record_export
from resolvers.facets import total
from resolvers.selection import Selection
from resolvers.self_audit import Acting

LOG = logging.getLogger("auditlog.export")
USER_AGENT = "auditlog export (command line)"
# The option that sets each field of an export request.
OPTIONS = {
    "format": "--format",
    "filter": "--filter",
    "query": "--query",
    "order": "--order",
    "locale": "--locale",
    "timeZone": "--time-zone",
    "columns": "--columns",
    "bom": "--bom",
}


class CommandError(Exception):
    """An option cannot be used as given; `option` names it."""

    def __init__(self, option: str, message: str) -> None:
        self.option = option
        super().__init__(f"{option}: {message}")


@dataclass(frozen=True)
class Operator:
    """Who runs the command: the OS login, and the name to show in the log."""

    login: str
    name: str

    @classmethod
    def current(cls, name: str | None = None) -> Operator:
        """The logged-in OS user, shown as `name` when given."""
        try:
            login = getpass.getuser()
        except (OSError, KeyError):  # no login name in the environment or the user database
            login = "operator"
        return cls(login, name or login)

    def acting(self, account_id: str) -> Acting:
        """The operator as the actor of the export's audit entry."""
        return Acting(
            account_id=account_id,
            user_id=self.login,
            user_name=self.name,
            user_agent=USER_AGENT,
            actor_type=ActorType.SYSTEM,
        )


@dataclass(frozen=True)
class ExportCommand:
    """A checked `auditlog export`: which account, what to write, who asks."""

    account_id: str
    request: ExportRequest
    operator: Operator
    database_csv: bool = True  # AUDITLOG_EXPORT_DATABASE_CSV

    def selection(self) -> Selection:
        """The entries to export."""
        return Selection(self.account_id, self.request.filter, self.request.query)

    def layout(self) -> Layout:
        """How the entries become file text."""
        return self.request.layout()


def read_command(
    options: Mapping[str, Any], now: dt.datetime, *, database_csv: bool = True
) -> ExportCommand:
    """Check the command's options; raise CommandError naming the first one at fault."""
    account = options["account"]
    if not account or not account.strip():
        raise CommandError("--account", "is empty; give the account id, e.g. --account 42.")
    body = _request_body(options)
    try:
        request = from_json(body)
        Selection(account, request.filter, request.query).condition(now)
    except InvalidInputError as exc:
        raise _named(exc) from exc
    operator = Operator.current(options.get("as_name"))
    return ExportCommand(account, request, operator, database_csv)


def _request_body(options: Mapping[str, Any]) -> dict[str, Any]:
    body: dict[str, Any] = {"format": options["format"], "order": options["order"]}
    if options.get("filter") is not None:
        try:
            body["filter"] = orjson.loads(options["filter"])
        except orjson.JSONDecodeError as exc:
            raise CommandError(
                "--filter", f'is not JSON ({exc}); write e.g. --filter \'{{"tags": ["gdpr"]}}\'.'
            ) from exc
    if options.get("columns") is not None:
        body["columns"] = [c.strip() for c in options["columns"].split(",") if c.strip()]
    for option, field in (("query", "query"), ("locale", "locale"), ("time_zone", "timeZone")):
        if options.get(option) is not None:
            body[field] = options[option]
    body["bom"] = bool(options.get("bom"))
    return body


def _named(error: InvalidInputError) -> CommandError:
    """The request's first problem, named by the option that sets its field."""
    problem = error.problems[0]
    head, _, rest = problem.field.partition(".")
    field = head.split("[", 1)[0]
    detail = f"{rest}: {problem.message}" if rest else problem.message
    return CommandError(OPTIONS.get(field, f"--{field}"), detail)


async def run_export(
    command: ExportCommand, output: Output, progress: RowProgress, now: dt.datetime
) -> int:
    """Write the export to `output`, record it, then name the file; return the entries written.

    Once the file is open the audit entry is recorded whatever happens, with the reason
    when the export did not finish (an interruption, the database, the disk). The file
    gets its name only after a finished export has been recorded; otherwise it is removed.
    """
    if not await has_entries(command.account_id):
        raise CommandError(
            "--account", f'"{command.account_id}" has no entries; check the account id.'
        )
    try:
        output.open()
    except OutputError as exc:
        raise CommandError("--output", str(exc)) from exc
    try:
        rows = await _recorded(command, output, progress, now)
        output.commit()
    except BaseException:
        output.discard()
        raise
    return rows


async def _recorded(
    command: ExportCommand, output: Output, progress: RowProgress, now: dt.datetime
) -> int:
    selection, asked, layout = command.selection(), command.request, command.layout()
    rows, failure = 0, None
    try:
        progress.start(await total(selection) if progress.shown else None)
        output.write(layout.head())
        batches = file_batches(
            selection, asked.order, layout, now=now, database_csv=command.database_csv
        )
        async for text, count in batches:
            output.write(text)
            rows += count
            progress.advance(count)
        output.write(layout.tail())
        output.finish()
    except BaseException as exc:
        failure = failure_reason(exc)
        raise
    finally:
        progress.stop()
        report = ExportReport(asked.format.value, rows, asked.filter_input, asked.query, failure)
        with anyio.CancelScope(shield=True):
            await _record(command, report)
    return rows


async def _record(command: ExportCommand, report: ExportReport) -> None:
    try:
        await record_export(command.operator.acting(command.account_id), report)
    except Exception:
        if report.failure is None:
            raise  # a finished export that is not in the log keeps no file
        LOG.exception("could not record the failed export of account %s", command.account_id)


def failure_reason(exc: BaseException) -> str:
    """Why an export stopped, as its audit entry tells it."""
    if isinstance(exc, KeyboardInterrupt | anyio.get_cancelled_exc_class()):
        return "the operator interrupted the export"
    if isinstance(exc, OutputError):
        return f"the file could not be written: {exc}"
    if UnavailableError.caused_by(exc) is not None:
        return "the database stopped answering"
    return f"an internal error ({type(exc).__name__})"
