"""The ``attribution`` command: per channel, the deals and the amount a model credits it."""

import codecs
import datetime
import sys

import duckdb
import pandas as pd

from revcycle.attribution import report
from revcycle.attribution.models import MODEL_NAMES, MODELS
from revcycle.db import execute
from revcycle.export import safe_csv
from revcycle.periods import argument_date

FORMATS = ("table", "csv")
# Without --start/--end every deal counts, whenever it was won (or created, for pipeline).
ALL_TIME = (datetime.date(1900, 1, 1), datetime.date(9999, 12, 31))


def add_parser(commands) -> None:
    """The ``attribution`` command's arguments, on the main parser's sub-commands."""
    parser = commands.add_parser(
        "attribution", help="credited deals and amount per channel under an attribution model"
    )
    parser.add_argument("--model", choices=MODELS, default="linear")
    parser.add_argument(
        "--start", type=argument_date, metavar="YYYY-MM-DD", help="first day (included)"
    )
    parser.add_argument(
        "--end", type=argument_date, metavar="YYYY-MM-DD", help="last day (included)"
    )
    parser.add_argument(
        "--basis",
        choices=report.BASES,
        default="revenue",
        help="revenue: deals won in the period; pipeline: deals created in it and still open",
    )
    parser.add_argument("--format", choices=FORMATS, default="table")
    for flag in ("channel", "owner", "segment"):
        parser.add_argument(
            f"--{flag}", action="append", metavar=flag.upper(), help=f"only this {flag} (repeat)"
        )


def run(con: duckdb.DuckDBPyConnection, args) -> int:
    """Print the model's credit per channel; exit code 0, also when no deal is in scope."""
    start, end = args.start or ALL_TIME[0], args.end or ALL_TIME[1]
    scope = {"channels": args.channel, "owners": args.owner, "segments": args.segment}

    def query(name, **params):
        return execute(con, name, **params)

    rows = report.attribution(query, args.model, args.basis, start, end, scope)
    # Said on stderr: stdout may be a CSV a script reads.
    for note in _notes(query, args, start, end, scope):
        print(f"note: {note}", file=sys.stderr)
    if args.format == "csv":
        sys.stdout.buffer.write(safe_csv(csv_frame(rows)).removeprefix(codecs.BOM_UTF8))
        sys.stdout.flush()
        return 0
    for line in table_lines(rows, MODEL_NAMES[args.model], args.basis):
        print(line)
    return 0


def _notes(query, args, start, end, scope) -> list[str]:
    notes = []
    if args.model == "markov":
        _, trust = report.markov(query, args.basis, start, end, scope)
        notes += [f"the data-driven figures are not to be trusted: {why}" for why in trust.reasons]
    currencies = report.journeys(query, args.basis, start, end, scope)["currency"].dropna()
    if currencies.nunique() > 1:
        listed = ", ".join(sorted(currencies.unique()))
        notes.append(f"the amounts add up deals in several currencies ({listed}), unconverted")
    return notes


def csv_frame(rows: pd.DataFrame) -> pd.DataFrame:
    """The CSV's columns: channel, credited_deals, credited_amount (to the cent), share."""
    return pd.DataFrame(
        {
            "channel": rows["channel"].map(_plain),
            "credited_deals": rows["credited_deals"].round(4),
            "credited_amount": [_amount(cents, "") for cents in rows["credited_cents"]],
            "share": rows["share"].round(6),
        }
    )


def table_lines(rows: pd.DataFrame, model_name: str, basis: str) -> list[str]:
    """The credit as aligned lines for a terminal, a heading and a total line around it."""
    what = "won revenue" if basis == "revenue" else "open pipeline"
    lines = [f"{model_name}: {what} per channel"]
    if rows.empty:
        return [*lines, "no deals in this period and scope"]
    width = max(len("channel"), *(len(_plain(name)) for name in rows["channel"]))
    lines.append(f"{'channel':<{width}}  {'deals':>9}  {'amount':>16}  {'share':>6}")
    for row in rows.itertuples():
        lines.append(
            f"{_plain(row.channel):<{width}}  {row.credited_deals:>9.2f}  "
            f"{_amount(row.credited_cents, ','):>16}  {row.share:>6.1%}"
        )
    total_cents = int(rows["credited_cents"].sum())
    lines.append(
        f"{'total':<{width}}  {rows['credited_deals'].sum():>9.2f}  {_amount(total_cents, ','):>16}"
    )
    return lines


def _amount(cents: int, thousands: str) -> str:
    """Whole cents as an exact decimal amount: no float ever rounds them."""
    sign = "-" if cents < 0 else ""
    units, rest = divmod(abs(int(cents)), 100)
    return f"{sign}{units:{thousands}}.{rest:02d}" if thousands else f"{sign}{units}.{rest:02d}"


def _plain(text: str) -> str:
    """Channel names come from uploads: on one line, without control characters."""
    return "".join(" " if ord(char) < 32 or ord(char) == 127 else char for char in str(text))
