"""Command line: ``python -m revcycle build|sample|load|history|restore|check|backup|
restore-backup|stage-rules|agreements|actions|pack|attribution|roi``.

Exit codes: 0 done; 1 refused or failed (nothing committed); 2 a usage error (an argument the
command does not take: the command's usage line says so, naming the value). An unexpected
error is said in a sentence; its details go to a log file the sentence names, never a traceback
on the screen. ``history``, ``check``, ``load --dry-run``, ``agreements show|export``,
``actions``, ``pack``, ``attribution`` and ``roi`` only read, so they work while the dashboard runs.
"""

import argparse
import io
import logging
import os
import sys
from logging.handlers import RotatingFileHandler
from pathlib import Path

import duckdb

from revcycle import backup, contract, health, sample, settings
from revcycle.access import os_user
from revcycle.agreements import cli as agreements_cli
from revcycle.attribution import cli as attribution_cli
from revcycle.backup import BackupRefused
from revcycle.build import build, open_database
from revcycle.cli_usage import CommandParser, UsageError, pair_argument
from revcycle.db import QueryError, has_table, is_interrupt
from revcycle.export import safe_csv
from revcycle.health import (
    DatabaseBusy,
    DatabaseDamaged,
    DatabaseUnusable,
    KeptChanging,
    explain,
    open_to_read,
    open_to_write,
)
from revcycle.importer import channels, load, parse, presets, stages_cli
from revcycle.importer import problems as codes
from revcycle.importer.problems import ERROR, ImportRefused, grouped, problems_frame
from revcycle.importer.validate import columns_feeding_two_fields, prepare
from revcycle.meeting import cli as meeting_cli
from revcycle.meeting import pack
from revcycle.paths import SAMPLE_DIR, db_path, log_path
from revcycle.rebuild import MART_TABLE, is_current, seed_rules
from revcycle.roi import cli as roi_cli

SHOWN_PROBLEMS = 50
# Errors whose message is already the sentence a person needs.
EXPECTED = (
    QueryError,
    ImportRefused,
    DatabaseBusy,
    DatabaseDamaged,
    DatabaseUnusable,
    KeptChanging,
    BackupRefused,
)


def _at_least_one(text: str) -> int:
    """A whole number of 1 or more, for argparse: else a usage error (exit code 2)."""
    try:
        number = int(text)
    except ValueError:
        number = 0
    if number < 1:
        raise argparse.ArgumentTypeError(f"a whole number of 1 or more, not {text!r}")
    return number


def _parser() -> argparse.ArgumentParser:
    parser = CommandParser(prog="python -m revcycle", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    build_parser = commands.add_parser(
        "build", help="(re)build the database from the loaded exports, or the sample"
    )
    build_parser.add_argument(
        "--sample", action="store_true", help="load the bundled sample exports first"
    )
    sample_parser = commands.add_parser("sample", help="regenerate the sample exports")
    sample_parser.add_argument("--leads", type=_at_least_one, default=20_000)
    sample_parser.add_argument("--out", type=Path, default=SAMPLE_DIR)
    _add_load_command(commands)
    commands.add_parser("history", help="list the uploads, newest first")
    restore_parser = commands.add_parser("restore", help="return to the state right after upload N")
    restore_parser.add_argument("upload_id", type=int, metavar="N")
    _add_disk_commands(commands)
    stages_cli.add_parser(commands)
    _add_agreement_commands(commands)
    _add_report_commands(commands)
    return parser


def _add_load_command(commands) -> None:
    load_parser = commands.add_parser("load", help="check and load an export of any kind")
    load_parser.add_argument("file", type=Path)
    load_parser.add_argument("--kind", choices=tuple(contract.FIELDS_BY_KIND))
    load_parser.add_argument(
        "--preset",
        choices=tuple(presets.PRESETS_BY_NAME),
        metavar="NAME",
        help="read the file with this preset, e.g. hubspot_deals (a wrong name lists them all)",
    )
    load_parser.add_argument(
        "--map",
        action="append",
        default=[],
        type=pair_argument("FIELD=COLUMN"),
        metavar="FIELD=COLUMN",
        help="the file's column for a contract field, e.g. --map lead_id=mql_id; columns "
        "named as a field or as a preset names it map without it",
    )
    load_parser.add_argument(
        "--set",
        action="append",
        default=[],
        type=pair_argument("FIELD=VALUE"),
        metavar="FIELD=VALUE",
        help="one value for a field on every row, e.g. --set stage=Won or --set currency=BRL",
    )
    load_parser.add_argument(
        "--channel-map",
        action="append",
        default=[],
        type=pair_argument("RAW=CHANNEL"),
        metavar="RAW=CHANNEL",
        help="add a channel rule, e.g. --channel-map 'LinkedIn Ads=Paid social'",
    )
    _add_reading_options(load_parser)
    load_parser.add_argument("--mode", choices=load.MODES, default="merge")
    load_parser.add_argument(
        "--allow-empty",
        action="store_true",
        help="let --mode replace load a file with no rows, removing every row loaded",
    )
    load_parser.add_argument(
        "--dry-run", action="store_true", help="check and preview only; commit nothing"
    )
    load_parser.add_argument(
        "--problems-csv", type=Path, metavar="FILE", help="write every problem, a line each"
    )


def _add_reading_options(load_parser) -> None:
    """What a file leaves open, answered: which sheet, the dates' order, the decimal mark."""
    load_parser.add_argument(
        "--sheet",
        metavar="NAME",
        help="the workbook's sheet to read, e.g. --sheet Deals; without it, the first sheet "
        "that holds a table",
    )
    load_parser.add_argument(
        "--date-format",
        choices=parse.DATE_FORMATS,
        help="how the dates are written, when a column reads more than one way; without it, "
        "a column that reads both day-first and month-first (no day above 12) is read as the "
        "latest upload of the same format was, and with none is refused with the question",
    )
    load_parser.add_argument(
        "--decimal-mark",
        choices=parse.DECIMAL_MARKS[1:],
        help="the amounts' decimal mark, when no amount shows it (1.500: a thousands mark?)",
    )


def _add_report_commands(commands) -> None:
    """The commands that only read and report: the pack, the actions, attribution, roi."""
    _add_pack_command(commands)
    meeting_cli.add_parser(commands)
    attribution_cli.add_parser(commands)
    roi_cli.add_parser(commands)


def _add_pack_command(commands) -> None:
    pack_parser = commands.add_parser(
        "pack", help="write the weekly meeting's pack: one HTML file that opens offline"
    )
    pack_parser.add_argument(
        "--week", help="the ISO week, e.g. 2026-W47 (default: the last complete week)"
    )
    pack_parser.add_argument("-o", "--out", type=Path, metavar="FILE")
    for flag in ("channel", "owner", "segment"):
        pack_parser.add_argument(
            f"--{flag}", action="append", metavar=flag.upper(), help=f"only this {flag} (repeat)"
        )


def _add_agreement_commands(commands) -> None:
    agreements = commands.add_parser(
        "agreements", help="show, export or import what marketing and sales agreed"
    )
    actions = agreements.add_subparsers(dest="action", required=True)
    actions.add_parser("show", help="the agreement in force now, in words, and every version")
    export_parser = actions.add_parser("export", help="write every version to one YAML file")
    export_parser.add_argument("file", type=Path, metavar="FILE")
    import_parser = actions.add_parser(
        "import", help="add the new versions of a YAML file, all or nothing"
    )
    import_parser.add_argument("file", type=Path, metavar="FILE")


def _add_disk_commands(commands) -> None:
    commands.add_parser(
        "check", help="check that every table reads and every kept upload file is intact"
    )
    backup_parser = commands.add_parser(
        "backup", help="copy the database and the kept upload files to a new folder"
    )
    backup_parser.add_argument("folder", type=Path, metavar="DIR")
    restore_backup_parser = commands.add_parser(
        "restore-backup", help="make the backup in DIR the database (the dashboard stopped)"
    )
    restore_backup_parser.add_argument("folder", type=Path, metavar="DIR")
    restore_backup_parser.add_argument(
        "--replace", action="store_true", help="replace the database there is (kept beside it)"
    )


def main(argv: list[str] | None = None) -> int:
    """Run the command ``argv`` names; its exit code. A Ctrl-C, DuckDB's interrupted query
    included however it was wrapped, goes on as KeyboardInterrupt, which ``python -m revcycle``
    (__main__.py) says."""
    args = _parser().parse_args(argv)
    # Else Python's last-resort handler prints a logged traceback on the screen.
    screen = _ScreenLine(logging.WARNING)
    logging.getLogger("revcycle").addHandler(screen)
    terminal = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = (_VisibleControls.on_a_terminal(stream) for stream in terminal)
    try:
        code = _run(args)
        sys.stdout.flush()  # a reader that went away (``| head``) shows here, in the guard
        return code
    except BrokenPipeError:
        _stop_writing_to_stdout()
        return 1
    except Exception as error:
        # Before any other reading of it: an interrupted query is said as a QueryError, a
        # refused file or a refused backup, and after a Ctrl-C any error is its doing.
        if is_interrupt(error):
            raise KeyboardInterrupt from error
        return _said(error, args, argv if argv is not None else sys.argv[1:])
    finally:
        logging.getLogger("revcycle").removeHandler(screen)
        sys.stdout, sys.stderr = terminal


def _said(error: Exception, args, argv: list[str]) -> int:
    """Say ``error`` on stderr; its exit code: 2 a usage error, else 1."""
    if isinstance(error, UsageError):  # found after parsing: said as argparse says its own
        return args.command_parser.usage_error(str(error))
    if isinstance(error, EXPECTED):
        # A refused file's problems a line each: two questions are two lines, not one.
        said = [p.sentence() for p in error.problems] if isinstance(error, ImportRefused) else []
        for sentence in said or [str(error)]:
            print(f"error: {sentence}", file=sys.stderr)
        return 1
    _unexpected(error, argv)
    return 1


# What a file name or a value may hold that a terminal would obey: ESC starts its commands
# (clear the screen, retitle the window), CR rewrites a line. Shown as escapes, "\x1b".
_CONTROLS = {
    code: f"\\x{code:02x}"
    for code in (*range(0x20), 0x7F, *range(0x80, 0xA0))
    if code not in (0x09, 0x0A)  # tab and newline are the output's own
}


class _VisibleControls(io.TextIOBase):
    """A terminal's stream that writes control characters as escapes; output that goes to a
    file or a pipe (a CSV) is left byte for byte."""

    def __init__(self, stream):
        self.stream = stream

    @classmethod
    def on_a_terminal(cls, stream):
        return cls(stream) if stream.isatty() else stream

    def write(self, text: str) -> int:
        self.stream.write(text.translate(_CONTROLS))
        return len(text)

    def flush(self) -> None:
        self.stream.flush()

    def fileno(self) -> int:
        return self.stream.fileno()

    def isatty(self) -> bool:
        return True

    @property
    def buffer(self) -> "_VisibleBytes":
        return _VisibleBytes(self)


class _VisibleBytes:
    """The bytes a command writes (a CSV, UTF-8) on a terminal, through the same escapes."""

    def __init__(self, text: _VisibleControls):
        self.text = text

    def write(self, data: bytes) -> int:
        self.text.write(data.decode("utf-8", "backslashreplace"))
        return len(data)

    def flush(self) -> None:
        self.text.flush()


class _ScreenLine(logging.Handler):
    """What the package logs while a command runs, a line on stderr ("warning: …"); a logged
    traceback goes to the log file only, as an unexpected error's does (_unexpected)."""

    def emit(self, record: logging.LogRecord) -> None:
        said = f"{record.levelname.lower()}: {record.getMessage()}"
        if record.exc_info:
            _to_log_file(record)
            said += f" (the details are in {log_path()})"
        print(said, file=sys.stderr)


def _stop_writing_to_stdout() -> None:
    """Whoever read the output stopped reading (``history | head``): nothing is wrong with
    the command, and what it would still print, at exit too, goes nowhere."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)


def _run(args) -> int:
    if args.command == "sample":
        written = sample.write(args.out, n_leads=args.leads)
        for path in (*written, args.out / sample.TOUCHES_FILE, args.out / sample.SPEND_FILE):
            print(f"wrote {path}")
        return 0
    reads_only = args.command == "agreements" and args.action != "import"
    if args.command in ("history", "check") or (args.command == "load" and args.dry_run):
        return _read_only(args)
    if reads_only:
        return _read_agreements(args)
    if args.command == "stage-rules" and not stages_cli.writes(args):
        with open_to_read(db_path()) as reading:
            return stages_cli.show(reading.con)
    if args.command == "pack":
        return _pack(args)
    if args.command == "actions":
        return _read_actions(args)
    if args.command in REPORTS:
        return _report(REPORTS[args.command], args)
    if args.command == "backup":
        return _backup(args.folder)
    if args.command == "restore-backup":
        return _restore_backup(args.folder, args.replace)
    con = open_to_write(db_path())  # a busy or a damaged file is said before any work
    try:
        if args.command == "build":
            return _build(con, args.sample)
        con.close()
        con = open_database(db_path())
        if args.command == "load":
            return _load(con, args)
        if args.command == "agreements":
            return agreements_cli.import_file(con, args.file)
        if args.command == "stage-rules":
            return stages_cli.save(con, args)
        return _restore(con, args.upload_id)
    finally:
        con.close()


def _unexpected(error: Exception, argv: list[str]) -> None:
    """One sentence on the screen; the traceback in the log file it names."""
    sentence = explain(error) or (
        f"Something unexpected went wrong ({type(error).__name__}: {health.first_line(error)})."
    )
    record = logging.LogRecord(
        "revcycle.cli.failures",
        logging.ERROR,
        __file__,
        0,
        "python -m revcycle %s failed",
        (" ".join(argv),),
        (type(error), error, error.__traceback__),
    )
    try:
        _to_log_file(record)
    except OSError as unwritable:
        print(
            f"error: {sentence} (Its details could not be logged: {unwritable}.)", file=sys.stderr
        )
        return
    print(f"error: {sentence} The details are in {log_path()}.", file=sys.stderr)


def _to_log_file(record: logging.LogRecord) -> None:
    """``record``, its traceback included, in the log file log_path() names; never on the
    screen. Raises OSError when the file cannot be written."""
    path = log_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    handler = RotatingFileHandler(path, maxBytes=1 << 20, backupCount=2, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(message)s"))
    try:
        handler.emit(record)
    finally:
        handler.close()


def _print_change(mode: str, change: load.ChangePreview) -> None:
    print(
        f"{mode}: {change.count_new:,} new, {change.count_changed:,} changed, "
        f"{change.count_unchanged:,} unchanged"
        + (f", {change.count_removed:,} removed" if mode == "replace" else "")
    )


def _build(con: duckdb.DuckDBPyConnection, from_sample: bool) -> int:
    info = build(con, sample=from_sample)
    print(
        f"built {db_path()}: {info.count_leads:,} leads, {info.count_deals:,} deals, "
        f"{info.count_funnel_rows:,} funnel rows (data version {info.data_version})"
    )
    if not (from_sample or info.count_leads or info.count_deals):
        print(
            "nothing is loaded: load your exports with `python -m revcycle load FILE`, or build "
            "the bundled sample with `python -m revcycle build --sample`"
        )
    return 0


def _print_reading(prepared) -> None:
    """How the file was read: as what, its notes, the mapping, what it ignores, its rows."""
    print(f"read {prepared.file_name} as {prepared.kind}: {prepared.source}")
    for note in prepared.notes:
        print(f"  {note}")
    print("mapping (field ← column):")
    for line in prepared.mapping_lines():
        print(f"  {line}")
    for slip in columns_feeding_two_fields(prepared.mapping):
        print(f"warning: {slip}")
    print(prepared.ignored_summary())
    print(prepared.accounting())


def _unmapped_line(prepared, unmapped: list[str]) -> str:
    """The source values with no channel rule; beyond channels.MANY_UNMAPPED of them, how many,
    and that the column read as the source may hold something else (a file of 50,000 leads
    with an id in it printed half a megabyte)."""
    said = f"source values with no channel rule: {', '.join(unmapped)}. "
    if len(unmapped) > channels.MANY_UNMAPPED:
        field = contract.SOURCE_FIELD_BY_KIND[prepared.kind]
        many = channels.too_many_unmapped(prepared.kind, prepared.mapping, len(unmapped))
        first = ", ".join(unmapped[: channels.MANY_UNMAPPED])
        said = (
            f"{many} (--map {field}=COLUMN reads another); the first "
            f"{channels.MANY_UNMAPPED}: {first}. "
        )
    unmapped_rows = channels.UNMAPPED_BY_KIND[prepared.kind].format("them")
    return f"{said}{unmapped_rows} Add rules with --channel-map RAW=CHANNEL."


def _load(con, args) -> int:
    new_rules = dict(args.channel_map)
    prepared = _prepare(con, args)
    _print_reading(prepared)
    _print_problems(prepared.problems, args.problems_csv)
    unmapped = channels.uncovered(prepared.unmapped_sources, channels.source_keys(new_rules))
    if unmapped:
        print(_unmapped_line(prepared, unmapped))
    if _nothing_to_load(prepared, args):
        return 1
    notice = load.sample_notice(con)
    if notice:
        print(notice)
    if args.dry_run:
        return _dry_run(con, prepared, args.mode, new_rules)
    # The commit counts the change inside its transaction: it is printed from there, so a
    # million rows are compared once, not once for the screen and again for the history. It
    # is handed the rows alone (popped from a list, with nothing here holding them), so it
    # lets them go once they are stored, before the rebuild: 2 GiB at 10M leads.
    file_name, kind, meta, rows = (
        prepared.file_name,
        prepared.kind,
        prepared.meta(),
        [prepared.rows],
    )
    del prepared
    upload_id, change = load.commit_upload(
        con,
        kind,
        rows.pop(),
        args.mode,
        meta,
        new_rules,
        changed_by=os_user(),  # a shell on the server is trusted as its user
        allow_empty=args.allow_empty,
    )
    _print_change(args.mode, change)
    if upload_id is None:
        what = "no row" if new_rules else "nothing"
        print(f"{what} changed: {file_name} holds what is loaded; no history entry")
        if new_rules:
            print(channels.rules_saved_anyway(new_rules))
        return 0
    print(f"loaded as upload {upload_id}; {_undo_line(con, upload_id, new_rules)}")
    return 0


def _prepare(con, args):
    """prepare() the file as the arguments say; a --map or --set naming a field the file's
    kind lacks is a usage error, for what is wrong is the argument, not the file."""
    overrides, constants = dict(args.map), dict(args.set)
    try:
        return prepare(
            con,
            args.file,
            args.kind,
            args.preset,
            overrides,
            args.date_format,
            constants=constants,
            decimal_mark=args.decimal_mark,
            sheet=args.sheet,
        )
    except ImportRefused as refused:
        unknown = [p for p in refused.problems if p.code == codes.UNKNOWN_FIELD]
        if not unknown:
            raise
        said = (
            f"{'--set' if p.value in constants else '--map'} {p.value!r}: {p.reason}"
            for p in unknown
        )
        raise UsageError("; ".join(said)) from None


def _dry_run(con, prepared, mode: str, new_rules: dict[str, str]) -> int:
    """What loading ``prepared`` (with ``new_rules``) would change, committing nothing."""
    change = load.preview(con, prepared.kind, prepared.rows, mode, prepared.meta().fields)
    _print_change(mode, change)
    if load.changes_nothing(change):
        what = "no row" if new_rules else "nothing"
        print(f"{what} would change: {prepared.file_name} holds what is loaded")
        if new_rules:
            print(channels.rules_saved_anyway(new_rules, dry_run=True))
    print("dry run: nothing was committed")
    return 0


def _undo_line(con, upload_id: int, new_rules: dict) -> str:
    """How to undo the upload; the channel rules it added are the channels' own and stay."""
    before = load.parent_of(con, upload_id)
    undo = (
        f"`python -m revcycle restore {before}` undoes it"
        if before is not None
        else "it is the first upload, so there is no earlier state to restore"
    )
    if new_rules:
        undo += "; the channel rules it added stay (change them on the upload page)"
    return undo


def _nothing_to_load(prepared, args) -> bool:
    """Whether no row can load (said here); a replace with no rows is refused (ImportRefused)
    unless --allow-empty."""
    if prepared.count_rows_loaded == 0 and prepared.count_rows_in_file > 0:
        print("refused: no row of the file can be loaded; nothing was committed")
        return True
    count = prepared.count_rows_loaded
    load.refuse_emptying(prepared.kind, count, args.mode, prepared.file_name, args.allow_empty)
    return False


def _print_problems(problems: list, problems_csv: Path | None) -> None:
    """Each distinct problem once, with its count and line ranges; the full list, a line each,
    to ``problems_csv``."""
    if not problems:
        return
    count_errors = sum(problem.severity == ERROR for problem in problems)
    count_warnings, groups = len(problems) - count_errors, grouped(problems)
    errors = f"{count_errors:,} error{'' if count_errors == 1 else 's'}"
    warnings = f"{count_warnings:,} warning{'' if count_warnings == 1 else 's'}"
    print(f"{errors} (their rows are rejected), {warnings}, {len(groups)} distinct:")
    for group in groups[:SHOWN_PROBLEMS]:
        print(f"  {group.first.severity}: {group.sentence()}")
    if len(groups) > SHOWN_PROBLEMS:
        print(f"  … and {len(groups) - SHOWN_PROBLEMS:,} more")
    if problems_csv is None:
        print("  every problem, a line each: add --problems-csv FILE")
        return
    problems_csv.write_bytes(safe_csv(problems_frame(problems)))
    print(f"  every problem, a line each, is in {problems_csv}")


def _history(con) -> int:
    listed = load.history(con)
    if listed.empty:
        print("no uploads yet")
        return 0
    for row in listed.itertuples():
        current = "  ← current" if row.is_current else ""
        counts = ""
        if row.kind in contract.FIELDS_BY_KIND:
            counts = (
                f" — {row.count_rows_loaded:,} loaded, {row.count_rows_rejected:,} "
                f"rejected; {row.count_new:,} new, {row.count_changed:,} changed"
            )
        dates = f"; dates read {row.date_order}" if isinstance(row.date_order, str) else ""
        by = f" — by {row.changed_by}" if isinstance(row.changed_by, str) else ""
        print(
            f"{row.upload_id:>4}  {row.uploaded_at:%Y-%m-%d %H:%M}  {row.kind:<8} "
            f"{row.file_name}{counts}{dates}{by}{current}"
        )
    return 0


def _read_only(args) -> int:
    """history, check and load --dry-run: a read-only connection, or a copy of the database
    while another process (the dashboard) holds it."""
    with open_to_read(db_path()) as reading:
        if reading.note:
            print(reading.note)
        con = reading.con
        if args.command == "history":
            return _history(con)
        if args.command == "check":
            return _check(con)
        if not has_table(con, "uploads") and not db_path().exists():
            # No database yet: an empty one, in memory, with the rules a new one would get.
            load.ensure_storage(con)
            seed_rules(con)
        return _load(con, args)


def _read_agreements(args) -> int:
    with open_to_read(db_path()) as reading:
        if reading.note:
            print(reading.note)
        if args.action == "show":
            return agreements_cli.show(reading.con)
        return agreements_cli.export(reading.con, args.file)


def _no_database() -> bool:
    """Say so when there is no database to read yet."""
    if db_path().exists():
        return False
    print(
        f"error: there is no database at {db_path()} yet: run `python -m revcycle build`",
        file=sys.stderr,
    )
    return True


def _pack(args) -> int:
    if _no_database():
        return 1
    scope = {"channels": args.channel, "owners": args.owner, "segments": args.segment}
    with open_to_read(db_path()) as reading:
        if reading.note:
            print(reading.note)
        if _is_stale(reading.con):
            return 1
        return pack.write(reading.con, args.week, args.out, scope, settings.today())


# The reporting commands, each run on a read-only connection.
REPORTS = {"attribution": attribution_cli.run, "roi": roi_cli.run}


def _report(run, args) -> int:
    if _no_database():
        return 1
    with open_to_read(db_path()) as reading:
        if reading.note:
            print(reading.note, file=sys.stderr)  # stdout may be a CSV a script reads
        if _is_stale(reading.con):
            return 1
        return run(reading.con, args)


def _is_stale(con) -> bool:
    """Say so when the joined view was built by an earlier version of the queries: a command
    that only reads cannot rebuild it, and its figures would be of another shape."""
    if not has_table(con, MART_TABLE) or is_current(con):
        return False
    print(
        f"error: the database at {db_path()} was built by an earlier version of Revcycle: run "
        "`python -m revcycle build` (or open the dashboard), which rebuilds it from the loaded "
        "exports, then run this again",
        file=sys.stderr,
    )
    return True


def _read_actions(args) -> int:
    with open_to_read(db_path()) as reading:
        if reading.note:
            print(reading.note, file=sys.stderr)  # stdout may be a CSV a script reads
        return meeting_cli.list_actions(reading.con, args)


def _check(con) -> int:
    if not db_path().exists():
        print(f"there is no database at {db_path()} yet; nothing to check")
        return 0
    problems = health.table_problems(con)
    problems += health.archive_problems(con, backup.archive_of(db_path()))
    for problem in problems:
        print(problem)
    if problems:
        print(f"{db_path()}: {len(problems)} problems")
        return 1
    print(f"{db_path()}: every table reads and every kept upload file matches its sha256")
    return 0


def _backup(folder: Path) -> int:
    summary = backup.take(db_path(), folder, taken_by=os_user())
    print(f"backed up {db_path()} to {folder}: {summary}")
    return 0


def _restore_backup(folder: Path, replace: bool) -> int:
    restored = backup.bring_back(folder, db_path(), os_user(), replace)
    kept = f"; the replaced database is kept as {restored.replaced}" if restored.replaced else ""
    print(f"brought back the backup in {folder} as {db_path()}: {restored.summary}{kept}")
    print(f"recorded in the change log as done by {os_user()}")
    return 0


def _restore(con, upload_id: int) -> int:
    try:
        restore_id = load.restore(con, upload_id, changed_by=os_user())
    except LookupError as error:  # no such upload: the argument is wrong, not the history
        raise UsageError(str(error)) from None
    print(f"restored the state after upload {upload_id} (recorded as entry {restore_id})")
    return 0
