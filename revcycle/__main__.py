"""Command line: ``python -m revcycle build|sample|load|history|restore``.

Exit codes: 0 done; 1 refused or failed (nothing committed); 2 a usage error.
"""

import argparse
import logging
import sys
from pathlib import Path

import duckdb

from revcycle import sample
from revcycle.access import os_user
from revcycle.build import SAMPLE_FILE_BY_KIND, build, open_database
from revcycle.db import QueryError, connect
from revcycle.importer import channels, load, parse
from revcycle.importer.problems import ERROR, ImportRefused
from revcycle.importer.validate import prepare
from revcycle.paths import SAMPLE_DIR, db_path

log = logging.getLogger("revcycle")
SHOWN_PROBLEMS = 50


def _pairs(values: list[str], flag: str, parser: argparse.ArgumentParser) -> dict[str, str]:
    pairs = {}
    for value in values:
        left, sep, right = value.partition("=")
        if not sep or not left.strip() or not right.strip():
            parser.error(f"{flag} takes NAME=VALUE, not {value!r}")
        pairs[left.strip()] = right.strip()
    return pairs


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m revcycle", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    build_parser = commands.add_parser(
        "build", help="(re)build the database from the loaded exports, or the sample"
    )
    build_parser.add_argument(
        "--sample", action="store_true", help="load the bundled sample exports first"
    )
    sample_parser = commands.add_parser("sample", help="regenerate the sample exports")
    sample_parser.add_argument("--leads", type=int, default=20_000)
    sample_parser.add_argument("--out", type=Path, default=SAMPLE_DIR)

    load_parser = commands.add_parser("load", help="check and load a leads or deals export")
    load_parser.add_argument("file", type=Path)
    load_parser.add_argument("--kind", choices=("leads", "deals"))
    load_parser.add_argument("--preset", help="read the file with this preset")
    load_parser.add_argument(
        "--map",
        action="append",
        default=[],
        metavar="FIELD=COLUMN",
        help="the file's column for a contract field, e.g. --map lead_id=mql_id",
    )
    load_parser.add_argument(
        "--channel-map",
        action="append",
        default=[],
        metavar="RAW=CHANNEL",
        help="add a channel rule, e.g. --channel-map 'LinkedIn Ads=Paid social'",
    )
    load_parser.add_argument("--date-format", choices=parse.DATE_FORMATS)
    load_parser.add_argument("--mode", choices=load.MODES, default="merge")
    load_parser.add_argument(
        "--allow-empty",
        action="store_true",
        help="let --mode replace load a file with no rows, removing every row loaded",
    )
    load_parser.add_argument(
        "--dry-run", action="store_true", help="check and preview only; commit nothing"
    )
    commands.add_parser("history", help="list the uploads, newest first")
    restore_parser = commands.add_parser("restore", help="return to the state right after upload N")
    restore_parser.add_argument("upload_id", type=int, metavar="N")
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command == "sample":
        for path in sample.write(args.out, n_leads=args.leads):
            print(f"wrote {path}")
        return 0
    try:
        con = connect(db_path())
    except duckdb.IOException as error:
        print(
            f"error: cannot open {db_path()} for writing; another process (a running "
            f"dashboard?) holds it. Stop it and try again. ({error})",
            file=sys.stderr,
        )
        return 1
    try:
        if args.command == "build":
            return _build(con, args.sample)
        con.close()
        con = open_database(db_path())
        if args.command == "load":
            return _load(con, args, parser)
        if args.command == "history":
            return _history(con)
        return _restore(con, args.upload_id)
    except (QueryError, ImportRefused) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    except Exception as error:  # a sentence for the person, the traceback for the log
        log.exception("command failed")
        print(f"error: {type(error).__name__}: {error}", file=sys.stderr)
        return 1
    finally:
        con.close()


def _print_change(mode: str, change: load.ChangePreview) -> None:
    print(
        f"{mode}: {change.count_new} new, {change.count_changed} changed, "
        f"{change.count_unchanged} unchanged"
        + (f", {change.count_removed} removed" if mode == "replace" else "")
    )


def _build(con: duckdb.DuckDBPyConnection, from_sample: bool) -> int:
    info = build(con, SAMPLE_FILE_BY_KIND if from_sample else None)
    print(
        f"built {db_path()}: {info.count_leads} leads, {info.count_deals} deals, "
        f"{info.count_funnel_rows} funnel rows (data version {info.data_version})"
    )
    return 0


def _load(con, args, parser) -> int:
    overrides = _pairs(args.map, "--map", parser)
    new_rules = _pairs(args.channel_map, "--channel-map", parser)
    prepared = prepare(con, args.file, args.kind, args.preset, overrides, args.date_format)
    print(f"read {prepared.file_name} as {prepared.kind}: {prepared.source}")
    for note in prepared.notes:
        print(f"  {note}")
    print(prepared.accounting())
    errors = [p for p in prepared.problems if p.severity == ERROR]
    warnings = [p for p in prepared.problems if p.severity != ERROR]
    if prepared.problems:
        print(f"{len(errors)} errors (their rows are rejected), {len(warnings)} warnings:")
        for problem in prepared.problems[:SHOWN_PROBLEMS]:
            print(f"  {problem.severity}: {problem.sentence()}")
        if len(prepared.problems) > SHOWN_PROBLEMS:
            print(f"  … and {len(prepared.problems) - SHOWN_PROBLEMS} more")
    unmapped = channels.uncovered(prepared.unmapped_sources, channels.source_keys(new_rules))
    if unmapped:
        print(
            "source values with no channel rule (they will show as (unmapped)): "
            + ", ".join(unmapped)
            + "; add rules with --channel-map RAW=CHANNEL"
        )
    if prepared.count_rows_loaded == 0 and prepared.count_rows_in_file > 0:
        print("refused: no row of the file can be loaded; nothing was committed")
        return 1
    load.refuse_emptying(
        prepared.kind, prepared.count_rows_loaded, args.mode, prepared.file_name, args.allow_empty
    )
    if args.dry_run:
        _print_change(args.mode, load.preview(con, prepared.kind, prepared.rows, args.mode))
        print("dry run: nothing was committed")
        return 0
    # The commit counts the change inside its transaction: it is printed from there, so a
    # million rows are compared once, not once for the screen and again for the history.
    upload_id, change = load.commit_upload(
        con,
        prepared.kind,
        prepared.rows,
        args.mode,
        prepared.meta(),
        new_rules,
        changed_by=os_user(),  # a shell on the server is trusted as its user
        allow_empty=args.allow_empty,
    )
    _print_change(args.mode, change)
    print(
        f"loaded as upload {upload_id}; `python -m revcycle restore "
        f"{load.parent_of(con, upload_id)}` undoes it"
    )
    return 0


def _history(con) -> int:
    listed = load.history(con)
    if listed.empty:
        print("no uploads yet")
        return 0
    for row in listed.itertuples():
        current = "  ← current" if row.is_current else ""
        counts = ""
        if row.kind in ("leads", "deals"):
            counts = (
                f" — {row.count_rows_loaded:,} loaded, {row.count_rows_rejected:,} "
                f"rejected; {row.count_new:,} new, {row.count_changed:,} changed"
            )
        by = f" — by {row.changed_by}" if isinstance(row.changed_by, str) else ""
        print(
            f"{row.upload_id:>4}  {row.uploaded_at:%Y-%m-%d %H:%M}  {row.kind:<8} "
            f"{row.file_name}{counts}{by}{current}"
        )
    return 0


def _restore(con, upload_id: int) -> int:
    try:
        restore_id = load.restore(con, upload_id, changed_by=os_user())
    except LookupError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(f"restored the state after upload {upload_id} (recorded as entry {restore_id})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
