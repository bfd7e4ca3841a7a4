"""`python -m revcycle stage-rules`: list the stage rules, or add, change and remove them
(`--set 'Contract signed=won'`, `--remove 'Contract signed'`), as the upload page does."""

import argparse

import duckdb

from revcycle.access import os_user
from revcycle.cli_usage import UsageError, pair_argument
from revcycle.importer import stages

_stage_and_outcome = pair_argument("STAGE=OUTCOME (won, lost or open)")


def _rule(text: str) -> tuple[str, str]:
    """A --set value as a checked rule, for argparse: a text that is no STAGE=OUTCOME, or an
    outcome other than won, lost or open, is a usage error (exit code 2)."""
    try:
        return stages.checked_rule(*_stage_and_outcome(text))
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


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
        type=_rule,
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
    """Apply the --set and --remove changes (the --set rules checked as they were parsed);
    removing a rule there is none of is a usage error, and saves nothing."""
    changes: dict[str, str | None] = dict.fromkeys(args.remove) | dict(args.set)
    try:
        count = stages.set_rules(con, changes, changed_by=os_user())
    except LookupError as error:
        listed = "`python -m revcycle stage-rules` lists them"
        raise UsageError(f"the stage rules were not saved: {error} ({listed})") from None
    print(f"saved {count} stage rule{'' if count == 1 else 's'} (recorded as done by {os_user()})")
    return show(con)
