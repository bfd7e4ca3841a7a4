"""What is wrong with an export, said so a person can find it and fix it.

Every problem carries a ``code`` as well as its sentence: callers that must tell problems
apart (the upload page asking for a mapping or a date order) branch on the code, never on the
wording, which is written for people and may change.
"""

from dataclasses import asdict, dataclass, field

import pandas as pd

ERROR = "error"  # the row is rejected (or the whole file, when line is None)
WARNING = "warning"  # the row loads, but someone should look

# The whole file is refused.
NOT_A_TABLE = "not_a_table"  # missing, empty, binary, a document, an archive, unreadable text
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
NO_ROWS = "no_rows"  # a replace with no rows would empty the data: only when asked for
# One row is rejected.
NOT_A_DATE = "not_a_date"
NOT_A_NUMBER = "not_a_number"
AMOUNT_TOO_LARGE = "amount_too_large"
NOT_A_BOOLEAN = "not_a_boolean"
BLANK_REQUIRED = "blank_required"  # a required field is blank (see read.blank_to_null)
DUPLICATE_ID = "duplicate_id"
NEGATIVE_AMOUNT = "negative_amount"
# The row loads, with a warning.
ROUNDED = "rounded"  # more than two decimals, rounded to the cent
UNKNOWN_LEAD = "unknown_lead"  # a deal names a lead not loaded
FUTURE_DATE = "future_date"


@dataclass(frozen=True, slots=True)  # no __dict__: half the memory, a million of them
class Problem:
    file: str
    line: int | None  # the file's line number (1 = first line); None for the whole file
    column: str | None
    value: str | None
    reason: str
    severity: str = ERROR
    code: str = field(kw_only=True)  # one of the constants above

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


def problems_frame(problems: list[Problem]) -> pd.DataFrame:
    """Problems as a table, in file and line order, for the page and the CSV download."""
    columns = ["file", "line", "column", "value", "reason", "severity", "code"]
    frame = pd.DataFrame([asdict(problem) for problem in problems], columns=columns)
    return frame.sort_values(["file", "line"], na_position="first", kind="stable")
