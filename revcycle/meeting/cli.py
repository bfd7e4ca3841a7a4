"""`python -m revcycle actions [--format table|csv] [--overdue] [--today DATE]`: the meeting's
open actions, for a scheduled reminder. It only reads, so it runs while the dashboard does."""

import codecs
import datetime
import sys
import unicodedata

import duckdb

from revcycle import settings
from revcycle.export import safe_csv
from revcycle.meeting import log
from revcycle.periods import argument_date

FORMATS = ("table", "csv")
CSV_COLUMNS = ["action_id", "week", "what", "owner", "due_date", "is_overdue", "days_overdue"]


def add_parser(commands) -> None:
    """The ``actions`` command's arguments, on the main parser's sub-commands."""
    parser = commands.add_parser(
        "actions", help="list the meeting's open actions (overdue first), for a reminder"
    )
    parser.add_argument("--format", choices=FORMATS, default="table")
    parser.add_argument("--overdue", action="store_true", help="only the overdue actions")
    parser.add_argument(
        "--today",
        type=argument_date,
        metavar="YYYY-MM-DD",
        help="count as overdue what is due before this day (default: today)",
    )


def list_actions(con: duckdb.DuckDBPyConnection, args) -> int:
    """Print the open actions, overdue first; exit code 0, also when there are none."""
    today = args.today or settings.today()
    found = log.open_actions(con, today=today)
    if args.overdue:
        found = found[found["is_overdue"]]
    if args.format == "csv":
        shown = found[CSV_COLUMNS].assign(
            what=found["what"].map(_plain),
            owner=found["owner"].map(_plain),
            due_date=found["due_date"].dt.date,
        )
        # To a script or a mail, not Excel: the byte order mark would be a stray first byte.
        sys.stdout.buffer.write(safe_csv(shown).removeprefix(codecs.BOM_UTF8))
        sys.stdout.flush()
        return 0
    for line in table_lines(found, today, args.overdue):
        print(line)
    return 0


def table_lines(found, today: datetime.date, overdue_only: bool) -> list[str]:
    """The actions as lines for a terminal or a mail, a summary line first."""
    which = "overdue" if overdue_only else "open"
    if found.empty:
        return [f"no {which} actions on {today:%d %b %Y}"]
    count_overdue = int(found["is_overdue"].sum())
    plural = "" if len(found) == 1 else "s"
    summary = f"{len(found)} {which} action{plural} on {today:%d %b %Y}"
    if not overdue_only:
        summary += f", {count_overdue} overdue"
    lines = [summary]
    for row in found.itertuples():
        late = f"overdue {_days(row.days_overdue)}" if row.is_overdue else ""
        lines.append(
            f"{row.action_id:>5}  due {row.due_date:%d %b %Y}  {late:<18}"
            f"{_plain(row.owner)}: {_plain(row.what)}  ({row.week})"
        )
    return lines


def _days(count: int) -> str:
    return f"{count} day" if count == 1 else f"{count} days"


def _plain(text: str) -> str:
    """Typed text on one line, without the control characters a terminal would obey."""
    return "".join(" " if unicodedata.category(char) == "Cc" else char for char in text)
