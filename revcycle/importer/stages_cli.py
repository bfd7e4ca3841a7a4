"""`python -m revcycle stage-rules`: list the stage rules, or add, change and remove them
(`--set 'Contract signed=won'`, `--remove 'Contract signed'`), as the upload page does."""

import argparse
import sys

import duckdb

from revcycle.access import os_user
from revcycle.importer import stages
from revcycle.importer.validate import name_value_pairs


def add_parser(commands) -> None:
    parser = commands.add_parser(
        "stage-rules",
        help="list the deal stage rules, or set what a stage of your own naming means",
        description=(
            "A stage rule says what a deal stage means when its words alone do not: "
            "'Contract signed' is won, 'Disqualified' lost, 'Closed - on hold' open. "
            "A deal's Won and Closed columns, where the export has them, still come first. "
            "Saving rebuilds the numbers at once."
        ),
    )
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="STAGE=OUTCOME",
        help="add or change a rule; OUTCOME is won, lost or open (repeatable)",
    )
    parser.add_argument(
        "--remove", action="append", default=[], metavar="STAGE", help="remove a rule (repeatable)"
    )


def writes(args: argparse.Namespace) -> bool:
    return bool(args.set or args.remove)


def show(con: duckdb.DuckDBPyConnection) -> int:
    rules = stages.all_rules(con)
    if not rules:
        print("No stage rules: a stage counts by its words (Won, Closed Won…, Lost, Closed…).")
    for stage, outcome in rules:
        print(f"{stage} → {outcome}")
    return 0


def save(con: duckdb.DuckDBPyConnection, args: argparse.Namespace) -> int:
    """Apply the --set and --remove changes; 1 with a sentence when one is not a rule."""
    changes: dict[str, str | None] = dict.fromkeys(args.remove)
    for value in args.set:
        try:
            changes |= name_value_pairs([value])
        except ValueError:
            print(
                f"error: --set takes STAGE=OUTCOME (won, lost or open), not {value!r}",
                file=sys.stderr,
            )
            return 1
    try:
        count = stages.set_rules(con, changes, changed_by=os_user())
    except ValueError as error:
        print(f"error: the stage rules were not saved: {error}", file=sys.stderr)
        return 1
    print(f"saved {count} stage rule{'' if count == 1 else 's'} (recorded as done by {os_user()})")
    return show(con)
