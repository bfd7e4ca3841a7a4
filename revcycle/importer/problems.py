"""What is wrong with an export, said so a person can find it and fix it.

Every problem carries a ``code`` as well as its sentence: callers that must tell problems
apart (the upload page asking for a mapping or a date order) branch on the code, never on the
wording, which is written for people and may change.
"""

from dataclasses import asdict, dataclass, field
from itertools import groupby
from pathlib import Path

import numpy as np
import pandas as pd

from revcycle import settings

ERROR = "error"  # the row is rejected (or the whole file, when line is None)
WARNING = "warning"  # the row loads, but someone should look

# The whole file is refused.
NOT_A_TABLE = "not_a_table"  # missing, empty, binary, a document, an archive, unreadable text
NO_SUCH_SHEET = "no_such_sheet"  # a sheet was chosen that the workbook lacks, or the file is text
TOO_LARGE = "too_large"  # over the upload size limit
UNREADABLE_LINE = "unreadable_line"  # the CSV reader stopped at this line
EXTRA_VALUE = "extra_value"  # a line with more values than the header names
NEEDS_MAPPING = "needs_mapping"  # which kind of export, or which column feeds a required field
UNKNOWN_PRESET = "unknown_preset"
NO_SUCH_COLUMN = "no_such_column"  # a mapping names a column the file lacks
UNKNOWN_FIELD = "unknown_field"  # a mapping names a field the contract lacks
AMBIGUOUS_DATES = "ambiguous_dates"  # day-first or month-first: not guessed
UNDECIDED_DATES = "undecided_dates"  # another tie between date formats (ISO or Excel serial …)
MIXED_DECIMALS = "mixed_decimals"  # as many decimal commas as decimal points
AMBIGUOUS_DECIMALS = "ambiguous_decimals"  # a decimal point or comma: no amount shows which
NO_ROWS = "no_rows"  # a replace with no rows would empty the data: only when asked for
FILE_CHANGED = "file_changed"  # the file on disk changed between reading it and archiving it
# One row is rejected.
NOT_A_DATE = "not_a_date"
NOT_A_NUMBER = "not_a_number"
AMOUNT_TOO_LARGE = "amount_too_large"
NOT_A_BOOLEAN = "not_a_boolean"
BLANK_REQUIRED = "blank_required"  # a required field is blank (see text.blank_to_null)
DUPLICATE_ID = "duplicate_id"
NEGATIVE_AMOUNT = "negative_amount"
NO_LEAD_LINK = "no_lead_link"  # a touch with neither a lead id nor an email
REPEATED_TOUCH = "repeated_touch"  # the same touch (lead, time, source, campaign) again
REPEATED_SPEND = "repeated_spend"  # the same spend row (days, source, campaign) again
ENDS_BEFORE_START = "ends_before_start"  # a spend row whose date_to is before its date_from
NOT_A_CURRENCY = "not_a_currency"  # a currency that is not a three-letter ISO code
CURRENCY_MISMATCH = "currency_mismatch"  # an amount written in another currency than its row's
# The row loads, with a warning.
ROUNDED = "rounded"  # more than two decimals, rounded to the cent
UNKNOWN_LEAD = "unknown_lead"  # a deal or touch names a lead not loaded
UNKNOWN_EMAIL = "unknown_email"  # a touch's email matches no loaded lead
FUTURE_DATE = "future_date"
LONG_AGO = "long_ago"  # a date before 1990: a mistyped year
CLOSED_BEFORE_CREATED = "closed_before_created"  # a deal's close date before its creation
CONTACTED_BEFORE_CREATED = "contacted_before_created"  # a lead contacted before its creation
STAGE_BEFORE_CREATED = "stage_before_created"  # a lead's MQL or SQL date before its creation
STAGE_READ_AS_OPEN = "stage_read_as_open"  # a stage that says won or lost, read as open
NO_OUTCOME = "no_outcome"  # a deal with no stage, won or closed value (or a file with no column)
PLACEHOLDER = "placeholder"  # "N/A", "-", "TBD" in an optional field: read as blank
NO_CLOSE_DATE = "no_close_date"  # a won or lost deal with no close date (or a file with no column)
NO_CREATION_TIME = "no_creation_time"  # a leads file whose creations give the day alone
UNKNOWN_CURRENCY = "unknown_currency"  # three letters, but no current ISO 4217 code
NOT_A_DURATION = "not_a_duration"  # a response time that is not HH:mm:ss
CONTACT_TIME_UNKNOWN = "contact_time_unknown"  # a response time with nothing to count it from
MISSING_COLUMN = "missing_column"  # the whole file: a preset's column for a measured field


@dataclass(frozen=True, slots=True)  # no __dict__: half the memory, a million of them
class Problem:
    file: str
    line: int | None  # the file's line number (1 = first line); None for the whole file
    column: str | None
    value: str | None
    reason: str
    severity: str = ERROR
    code: str = field(kw_only=True)  # one of the constants above
    # The reason in words true of every line the problem is on, where ``reason`` names one
    # line's own ("as line 2"): said when many lines are grouped, so they group as one.
    shared_reason: str | None = field(default=None, kw_only=True)

    @property
    def group_reason(self) -> str:
        return self.shared_reason or self.reason

    def sentence(self) -> str:
        where = self.file
        if self.line is not None:
            where += f", line {self.line}"
        if self.column:
            where += f", column {self.column}"
        value = f" ({self.value!r})" if self.value not in (None, "") else ""
        return f"{where}{value}: {self.reason}"


class ImportRefused(Exception):
    """The file cannot be loaded at all; nothing was committed."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("; ".join(problem.sentence() for problem in problems))


def refused(file: str, reason: str, code: str, line: int | None = None, value=None):
    """The whole file refused for one reason (at ``line``, when one line is to blame)."""
    return ImportRefused([Problem(file, line, None, value, reason, code=code)])


def per_line(
    file, lines, column, values, reason, code, severity=ERROR, shared_reason=None
) -> list[Problem]:
    """A Problem per line, ``lines`` and ``values`` index for index; ``reason`` is one text for
    all or a list of one per line (with ``shared_reason`` saying it of all, for a group)."""
    reasons = [reason] * len(values) if isinstance(reason, str) else reason
    return [
        Problem(
            file, int(line), column, value, why, severity, code=code, shared_reason=shared_reason
        )
        for line, value, why in zip(np.asarray(lines).tolist(), values, reasons, strict=True)
    ]


def problems_frame(problems: list[Problem]) -> pd.DataFrame:
    """Problems as a table, in file and line order, for the page and the CSV download."""
    columns = ["file", "line", "column", "value", "reason", "severity", "code"]
    frame = pd.DataFrame([asdict(problem) for problem in problems], columns=columns)
    # Whole numbers, a whole-file problem's blank among them: not float's "2.0" in the CSV.
    frame["line"] = frame["line"].astype("Int64")
    return frame.sort_values(["file", "line"], na_position="first", kind="stable")


@dataclass(frozen=True)
class ProblemGroup:
    """The same problem (severity, code, column and reason) on many lines, said once."""

    first: Problem  # the first line's problem: its file, column and an example value
    lines: tuple[int, ...]  # every line it is on, in order; empty for a whole-file problem
    count: int  # how many problems: one per line it is on, or one for the whole file
    # Each line's own reason when they all have the same, else what holds for all of them
    # (Problem.shared_reason: "as an earlier line" for "as line 2" and "as line 3").
    reason: str

    def sentence(self, max_ranges: int = 8) -> str:
        problem = self.first
        if len(self.lines) <= 1:
            return problem.sentence()
        where = f"{problem.file}, {self.count:,} lines ({line_ranges(self.lines, max_ranges)})"
        if problem.column:
            where += f", column {problem.column}"
        example = f" (e.g. {problem.value!r})" if problem.value not in (None, "") else ""
        return f"{where}{example}: {self.reason}"


def grouped(problems: list[Problem]) -> list[ProblemGroup]:
    """One group per distinct (file, severity, code, column, group_reason), in order of first
    line."""
    groups: dict[tuple, list[Problem]] = {}
    for problem in problems:
        key = (problem.file, problem.severity, problem.code, problem.column, problem.group_reason)
        groups.setdefault(key, []).append(problem)
    return sorted(
        (
            ProblemGroup(
                members[0],
                tuple(sorted({p.line for p in members if p.line is not None})),
                len(members),
                _said_of_all(members),
            )
            for members in groups.values()
        ),
        key=lambda group: (group.lines[:1] or (0,))[0],
    )


def _said_of_all(members: list[Problem]) -> str:
    first = members[0].reason
    return first if all(member.reason == first for member in members) else members[0].group_reason


def line_ranges(lines: tuple[int, ...], max_ranges: int = 8) -> str:
    """Sorted line numbers as ranges, "2–40, 45, 50–900", and how many ranges are left out."""
    # Consecutive lines share line - position; each run is one range.
    runs = [
        [line for _, line in run]
        for _, run in groupby(enumerate(lines), key=lambda pair: pair[1] - pair[0])
    ]
    shown = [f"{run[0]}–{run[-1]}" if len(run) > 1 else str(run[0]) for run in runs[:max_ranges]]
    more = len(runs) - max_ranges
    return ", ".join(shown) + (f" and {more:,} more ranges" if more > 0 else "")


def lines_named(lines: tuple[int, ...], shown: int = 10) -> str:
    """ "9, 10, 11", or the first ``shown`` and how many more: "3, 5, 7 and 24,997 more"."""
    listed = ", ".join(map(str, lines[:shown]))
    return listed if len(lines) <= shown else f"{listed} and {len(lines) - shown:,} more"


def _example_shown(problem: Problem) -> str:
    """The problem's value as the page's table shows it: a blank required cell (empty, or only
    spaces of any kind, which read as blank) says so, where the table would show "None"."""
    if problem.value not in (None, ""):
        return problem.value
    return "(blank)" if problem.code == BLANK_REQUIRED else "–"


def grouped_frame(problems: list[Problem]) -> pd.DataFrame:
    """The grouped problems as a table for the page: one row per group."""
    rows = [
        {
            "severity": group.first.severity,
            "count": group.count,
            "lines": line_ranges(group.lines) if group.lines else "whole file",
            "column": group.first.column,
            "example": _example_shown(group.first),
            "reason": group.reason,
        }
        for group in grouped(problems)
    ]
    return pd.DataFrame(rows, columns=["severity", "count", "lines", "column", "example", "reason"])


# -- a refused file, in words -------------------------------------------------------------------

SAVE_AGAIN = "Open it in Excel and save it as .xlsx or CSV UTF-8, then upload that file."


def file_refused(path: Path, reason: str, code: str = NOT_A_TABLE) -> ImportRefused:
    """The file at ``path`` refused: "The file {reason}"."""
    return refused(path.name, f"The file {reason}", code)


def size_text(size: int) -> str:
    """A file's size as people say it: 312 MB, 4.4 MB, 88 KB, 12 bytes."""
    if size >= settings.MB:
        return f"{size / settings.MB:.{0 if size >= 10 * settings.MB else 1}f} MB"
    return f"{size / 1024:.0f} KB" if size >= 1024 else f"{size} bytes"


def count_text(number: int, noun: str) -> str:
    """ "1 title line", "3 title lines", "5,000 subtotal rows"."""
    return f"{number} {noun}" if number == 1 else f"{number:,} {noun}s"
