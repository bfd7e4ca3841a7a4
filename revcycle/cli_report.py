"""What the reporting commands (``attribution``, ``roi``) share: the period and scope
arguments, exact amounts from whole cents, names on one line, and CSV on stdout."""

import argparse
import codecs
import sys

import pandas as pd

from revcycle import filter_values
from revcycle.cli_usage import UsageError
from revcycle.export import safe_csv
from revcycle.periods import argument_date

FORMATS = ("table", "csv")


def add_period_and_scope(parser: argparse.ArgumentParser) -> None:
    """``--start``, ``--end``, ``--format`` and the sidebar's filters, repeatable."""
    parser.add_argument(
        "--start", type=argument_date, metavar="YYYY-MM-DD", help="first day (included)"
    )
    parser.add_argument(
        "--end", type=argument_date, metavar="YYYY-MM-DD", help="last day (included)"
    )
    parser.add_argument("--format", choices=FORMATS, default="table")
    for flag in ("channel", "owner", "segment"):
        parser.add_argument(
            f"--{flag}", action="append", metavar=flag.upper(), help=f"only this {flag} (repeat)"
        )


def scope(args: argparse.Namespace) -> dict:
    """The filters as the reports take them: None for all."""
    return {"channels": args.channel, "owners": args.owner, "segments": args.segment}


def write_csv(frame: pd.DataFrame) -> None:
    """``frame`` as CSV on stdout, formula-safe, without the byte order mark a file gets."""
    sys.stdout.buffer.write(safe_csv(frame).removeprefix(codecs.BOM_UTF8))
    sys.stdout.flush()


def say_notes(notes: list[str]) -> None:
    """Notes on stderr: stdout may be a CSV a script reads."""
    for note in notes:
        print(f"note: {note}", file=sys.stderr)


def amount(cents: int, thousands: str = "") -> str:
    """Whole cents as an exact decimal amount: no float ever rounds them."""
    sign = "-" if cents < 0 else ""
    units, rest = divmod(abs(int(cents)), 100)
    return f"{sign}{units:{thousands}}.{rest:02d}" if thousands else f"{sign}{units}.{rest:02d}"


def one_line(text: str) -> str:
    """Names come from uploads: on one line, without control characters."""
    return "".join(" " if ord(char) < 32 or ord(char) == 127 else char for char in str(text))


def unknown_scope(query, scope: dict) -> list[str]:
    """A sentence for each chosen channel, owner or segment the data does not have: a typo
    would otherwise make a report of zeros."""
    known = filter_values.offered(query)
    said = []
    for name, dimension in (("channels", "channel"), ("owners", "owner"), ("segments", "segment")):
        unknown = [value for value in scope.get(name) or [] if value not in known[dimension]]
        if unknown:
            said.append(f"no {dimension} {', '.join(map(repr, unknown))} in the data")
    return said


def check_period_and_scope(query, args: argparse.Namespace) -> None:
    """A UsageError (exit code 2) when the period or the scope cannot be read: an end before
    the start, or a channel, owner or segment the data does not have."""
    said = unknown_scope(query, scope(args))
    if args.start and args.end and args.end < args.start:
        said.insert(0, f"--end {args.end} is before --start {args.start}")
    if said:
        raise UsageError("; ".join(said))
