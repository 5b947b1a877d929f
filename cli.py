"""The `auditlog` command: serve, token, migrate, export."""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import gc
import json
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

from auth.principal import Role
from auth.tokens import TokenError, issue_token
from export.command import CommandError, ExportCommand, read_command, run_export
from export.files import Output, OutputError
from export.progress import BarProgress, NoProgress, RowProgress
from models.database import DatabaseLimits, close_database, open_database
from models.migrations import migrate, pending_migrations
from resolvers.demo import DEMO_ACCOUNT, seed_demo
from resolvers.errors import UnavailableError
from settings import Settings, SettingsError, parse_duration


def parse_ttl(text: str) -> dt.timedelta:
    """Parse "90s", "30m", "1h", "7d" or plain seconds."""
    try:
        return parse_duration(text)
    except (ValueError, OverflowError) as exc:
        raise argparse.ArgumentTypeError(
            f'"{text}" is not a duration; write 30m, 1h or 7d.'
        ) from exc


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="auditlog", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="run the HTTP service")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--no-demo", action="store_true", help="do not seed demo events")
    token = commands.add_parser("token", help="print a token signed with the configured key")
    token.add_argument("--account", help="account id (leave out for a platform ingest token)")
    token.add_argument("--sub", required=True, help="user or client id")
    token.add_argument(
        "--role",
        action="append",
        default=[],
        choices=[r.value for r in Role],
        help="repeat for several roles; leave out for a user whose access comes from grants",
    )
    token.add_argument("--ttl", type=parse_ttl, default=dt.timedelta(hours=1))
    token.add_argument("--name")
    token.add_argument("--email")
    commands.add_parser("migrate", help="create or upgrade the database schema")
    _export_parser(commands.add_parser("export", help=EXPORT_HELP, description=EXPORT_HELP))
    return parser


EXPORT_HELP = "write one account's log (or a selection of it) to a file, from the database"


def _export_parser(export: argparse.ArgumentParser) -> None:
    add = export.add_argument
    add("--account", required=True, help="the account whose log to export")
    add("-o", "--output", required=True, metavar="FILE", help='the file to write; "-": stdout')
    add("--query", help='the search language, e.g. "action:inbox.* tag:gdpr"')
    add("--filter", metavar="JSON", help='AuditLogFilter fields as JSON, e.g. {"tags": ["gdpr"]}')
    add("--format", type=str.lower, choices=("csv", "ndjson", "json"), default="csv")
    add("--order", type=str.upper, choices=("NEWEST_FIRST", "OLDEST_FIRST"), default="NEWEST_FIRST")
    add("--locale", help="the language of descriptions, e.g. de (default: English)")
    add("--time-zone", metavar="ZONE", help="the zone of occurred_at_local (default: UTC)")
    add("--columns", help="comma-separated CSV columns or NDJSON/JSON fields (default: all)")
    add("--bom", action="store_true", help="start a CSV file with a UTF-8 byte order mark")
    add("--gzip", action="store_true", help="compress the file with gzip")
    add("--as", dest="as_name", metavar="NAME", help="your name in the log (default: OS login)")
    add(
        "--progress",
        action=argparse.BooleanOptionalAction,
        help="draw a progress bar on stderr (default: when stderr is a terminal)",
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    args = _parser().parse_args(argv)
    try:
        settings = Settings.from_env()
    except SettingsError as exc:
        print(f"auditlog: configuration error: {exc}", file=sys.stderr)
        return 2
    if args.command == "token":
        return _token(settings, args)
    if args.command == "migrate":
        applied = asyncio.run(_prepare(settings, seed=False))
        print("applied: " + (", ".join(applied) if applied else "nothing, already up to date"))
        return 0
    if args.command == "export":
        return _export(settings, args)
    return _serve(settings, args)


def _export(settings: Settings, args: argparse.Namespace) -> int:
    now = dt.datetime.now(dt.UTC)
    output = Output(args.output, args.gzip)
    shown = sys.stderr.isatty() if args.progress is None else args.progress
    progress: RowProgress = BarProgress() if shown else NoProgress()
    began = time.monotonic()
    try:
        command = read_command(vars(args), now, database_csv=settings.export_database_csv)
        _check_output(output)
        rows = asyncio.run(_exported(settings, command, output, progress, now))
    except CommandError as exc:
        print(f"auditlog: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"auditlog: interrupted{_unwritten(output)}", file=sys.stderr)
        return 130
    except OutputError as exc:
        print(f"auditlog: {exc}{_unwritten(output)}", file=sys.stderr)
        return 1
    except Exception as exc:
        if UnavailableError.caused_by(exc) is None:
            raise
        print(f"auditlog: the database did not answer ({exc}){_unwritten(output)}", file=sys.stderr)
        return 1
    finally:
        output.discard()
    where = "standard output" if output.path is None else str(output.path)
    print(
        f"auditlog: exported {rows:,} entries of account {command.account_id} "
        f"({command.request.format.value.upper()}, {output.bytes / 1e6:,.1f} MB) to {where} "
        f"in {time.monotonic() - began:,.1f} s",
        file=sys.stderr,
    )
    return 0


def _check_output(output: Output) -> None:
    try:
        output.check()
    except OutputError as exc:
        raise CommandError("--output", str(exc)) from exc


def _unwritten(output: Output) -> str:
    return "" if output.path is None else f"; {output.path} was not written"


async def _exported(
    settings: Settings,
    command: ExportCommand,
    output: Output,
    progress: RowProgress,
    now: dt.datetime,
) -> int:
    # An export may rightly take longer than a request's statement timeout.
    limits = DatabaseLimits(settings.db_timeout, settings.db_pool_size, bound_statements=False)
    _check_sqlite_file(settings.database_url)
    await open_database(settings.database_url, limits)
    try:
        pending = await pending_migrations()
        if pending:
            raise CommandError(
                "AUDITLOG_DATABASE_URL",
                f"the database lacks the migrations {', '.join(pending)}; check the URL, "
                "or run auditlog migrate.",
            )
        return await run_export(command, output, progress, now)
    finally:
        await close_database()


def _check_sqlite_file(url: str) -> None:
    # Connecting would create an empty file where a mistyped path points.
    scheme, _, rest = url.partition("://")
    path = rest.split("?", 1)[0]
    if scheme == "sqlite" and path != ":memory:" and not Path(path).is_file():
        raise CommandError(
            "AUDITLOG_DATABASE_URL", f'the SQLite file "{path}" does not exist; check the URL.'
        )


def _token(settings: Settings, args: argparse.Namespace) -> int:
    if args.account is None and set(args.role) - {Role.INGEST.value}:
        print("auditlog: --account is required for admin and log_viewer tokens", file=sys.stderr)
        return 2
    if args.account is None and not args.role:
        print(
            "auditlog: a token without --role needs --account: its access comes from the "
            "roles granted in that account",
            file=sys.stderr,
        )
        return 2
    try:
        print(_sign(settings, args.sub, args.account, args.role, args.ttl, args.name, args.email))
    except TokenError as exc:
        print(f"auditlog: {exc}", file=sys.stderr)
        return 2
    return 0


def _sign(
    settings: Settings,
    subject: str,
    account: str | None,
    roles: Sequence[str],
    ttl: dt.timedelta,
    name: str | None = None,
    email: str | None = None,
) -> str:
    return issue_token(
        settings.jwt,
        settings.signing_key or "",
        subject=subject,
        account_id=account,
        roles=[Role(role) for role in roles],
        ttl=ttl,
        name=name,
        email=email,
    )


async def _prepare(settings: Settings, *, seed: bool) -> list[str]:
    # Migrations may rightly take longer than a request's statement timeout.
    limits = DatabaseLimits(settings.db_timeout, settings.db_pool_size, bound_statements=False)
    await open_database(settings.database_url, limits)
    try:
        applied = await migrate()
        if seed:
            await seed_demo()
        return applied
    finally:
        await close_database()


def _serve(settings: Settings, args: argparse.Namespace) -> int:
    import uvicorn

    from observability.request_log import configure_logging
    from server import create_app

    asyncio.run(_prepare(settings, seed=settings.dev_mode and not args.no_demo))
    ide_token = None
    if settings.dev_mode:
        tokens = _dev_tokens(settings)
        _print_dev_tokens(tokens, f"http://{args.host}:{args.port}")
        # GraphiQL opens with the printed log-viewer token, so the first query just works.
        ide_token = tokens["log_viewer"]
    configure_logging(settings.log_format)
    app = create_app(settings, ide_token=ide_token)
    # Modules, the schema and the catalogue live as long as the process: keep them out
    # of the collector's full passes, which otherwise rescan them during requests.
    gc.freeze()
    # proxy_headers off: X-Forwarded-For is trusted only per AUDITLOG_TRUSTED_PROXIES.
    # access_log off: the service logs its own line per request (observability/).
    uvicorn.run(
        app,
        host=args.host,
        port=args.port,
        log_level="info",
        proxy_headers=False,
        access_log=False,
    )
    return 0


def _dev_tokens(settings: Settings) -> dict[str, str]:
    """A week's admin, log-viewer and ingest tokens of the demo account, by role."""
    week = dt.timedelta(days=7)
    return {
        "admin": _sign(
            settings, "1", DEMO_ACCOUNT, ["admin"], week, "Alice Smith", "alice@example.com"
        ),
        "log_viewer": _sign(settings, "9", DEMO_ACCOUNT, ["log_viewer"], week, "Ivy Auditor"),
        "ingest": _sign(settings, "host-app", DEMO_ACCOUNT, ["ingest"], week, "Host app"),
    }


def _print_dev_tokens(tokens: Mapping[str, str], base: str) -> None:
    print(
        "Development mode: no AUDITLOG_JWT_SECRET set; signing with the key in .auditlog-dev-key."
    )
    print(f'Demo account "{DEMO_ACCOUNT}"; tokens valid for 7 days:')
    for role, token in tokens.items():
        print(f"  {role:<11} {token}")
    headers = json.dumps({"Authorization": f"Bearer {tokens['log_viewer']}"})
    print(f"GraphiQL: {base}/graphql opens with the log_viewer token; paste another")
    print("token into its Token field. The log_viewer token as Headers pane JSON:")
    print(f"  {headers}\n", flush=True)


if __name__ == "__main__":
    sys.exit(main())
