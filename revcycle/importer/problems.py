"""What is wrong with an export, said so a person can find it and fix it."""

from dataclasses import asdict, dataclass

import pandas as pd

ERROR = "error"  # the row is rejected (or the whole file, when line is None)
WARNING = "warning"  # the row loads, but someone should look


@dataclass(frozen=True)
class Problem:
    file: str
    line: int | None  # the file's line number (1 = first line); None for the whole file
    column: str | None
    value: str | None
    reason: str
    severity: str = ERROR

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
    columns = ["file", "line", "column", "value", "reason", "severity"]
    frame = pd.DataFrame([asdict(problem) for problem in problems], columns=columns)
    return frame.sort_values(["file", "line"], na_position="first", kind="stable")
