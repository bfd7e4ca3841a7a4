"""`python -m revcycle agreements show|export FILE|import FILE`: the agreement as one readable
file, so a team can review it like any document. ``show`` and ``export`` only read, so they work
while the dashboard runs; ``import`` writes, all or nothing, as the OS user running it."""

import sys
from pathlib import Path

import duckdb

from revcycle import settings
from revcycle.access import os_user
from revcycle.agreements import document, store, words
from revcycle.agreements.model import default_agreement
from revcycle.agreements.validate import AgreementInvalid, Problem
from revcycle.settings import timezone

SHOWN_PROBLEMS = 50
FIRST_VERSION_HINT = (
    "save the first version on the Agreements page, or import a file written like "
    "data/sample/agreement.yaml"
)


def show(con: duckdb.DuckDBPyConnection) -> int:
    saved = store.versions(con)
    if not saved:
        fallback = words.follow_up(default_agreement(timezone()).follow_up[0])
        print(f"no agreement saved yet: every lead is judged by the default, a {fallback}")
        print(f"({FIRST_VERSION_HINT})")
        return 0
    # Today's, as the page's "In force today": a version saved to start later is not yet.
    today = settings.today()
    in_force = store.in_force_on(con, today)
    for line in words.describe(in_force):
        print(line)
    print()
    print("versions:")
    for version in saved:
        if version.number == in_force.number:
            mark = "  ← in force today"
        elif version.agreement.effective_from > today:
            mark = "  (not in force yet)"
        else:
            mark = ""
        print(words.version_line(version, mark))
    return 0


def export(con: duckdb.DuckDBPyConnection, path: Path) -> int:
    saved = store.versions(con)
    if not saved:
        print(
            f"error: no agreement saved yet, nothing to export; {FIRST_VERSION_HINT}",
            file=sys.stderr,
        )
        return 1
    try:
        path.write_text(document.dump(saved), encoding="utf-8")
    except OSError as error:
        print(f"error: could not write {path}: {error.strerror or error}", file=sys.stderr)
        return 1
    print(f"wrote {len(saved)} agreement versions to {path}")
    return 0


def import_file(con: duckdb.DuckDBPyConnection, path: Path) -> int:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        reason = error.strerror if isinstance(error, OSError) else "it is not UTF-8 text"
        print(f"error: could not read {path}: {reason or error}", file=sys.stderr)
        return 1
    try:
        found = document.load_with_lines(text, path.name)
    except AgreementInvalid as refused:
        _print_refusal(path, refused.problems, {})
        return 1
    try:
        added = store.import_versions(con, [version for version, _ in found], os_user())
    except AgreementInvalid as refused:
        # checked against the database (its channels, its saved versions): lines from the file
        _print_refusal(path, refused.problems, {version.number: at for version, at in found})
        return 1
    if not added:
        print(f"nothing new: every version in {path} is saved already")
        return 0
    numbers = ", ".join(str(number) for number in added)
    print(
        f"imported agreement versions {numbers} from {path}; the change log records "
        f"{os_user()} as who imported them"
    )
    # Who each version names as its saver: the file's, where it says (an exported history
    # moved to another database), else whoever imported it.
    in_file = {version.number: version for version, _ in found}
    for number in added:
        version = in_file[number]
        if version.saved_by:
            when = f", {version.saved_at:%d %b %Y %H:%M}" if version.saved_at else ""
            print(f"  version {number} keeps the saver the file names: {version.saved_by}{when}")
        else:
            print(f"  version {number} is recorded as saved by {os_user()}, now")
    return 0


def _print_refusal(path: Path, problems: list[Problem], lines: dict[int, dict]) -> None:
    count = f"{len(problems)} problem{'' if len(problems) == 1 else 's'}"
    print(f"refused: {path} was not imported; nothing was changed. {count}:", file=sys.stderr)
    for problem in problems[:SHOWN_PROBLEMS]:
        if problem.line is None and problem.version in lines:
            problem = document.located(problem, lines[problem.version], problem.version)
        print(f"  {problem}", file=sys.stderr)
    if len(problems) > SHOWN_PROBLEMS:
        print(f"  … and {len(problems) - SHOWN_PROBLEMS} more", file=sys.stderr)
