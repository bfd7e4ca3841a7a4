"""Property: whatever bytes arrive, the importer either refuses them in a sentence or accounts
for every data line (issue 10 §2). Hypothesis writes the files; a bounded number of examples
keeps the run under 20 seconds."""

import csv
import io
from datetime import datetime

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from revcycle.db import connect
from revcycle.importer.problems import ERROR, ImportRefused
from revcycle.importer.validate import prepare

NOW = datetime(2026, 11, 27, 12, 0)
EXAMPLES = settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    connection = connect(tmp_path_factory.mktemp("properties") / "properties.duckdb")
    yield connection
    connection.close()


def prepared_or_refused(con, path):
    """The checked upload, or None when it is refused with a reason for every problem; any
    other exception fails the test."""
    try:
        return prepare(con, path, now=NOW)
    except ImportRefused as refusal:
        assert refusal.problems and all(problem.reason for problem in refusal.problems)
        return None


def rejected_lines(prepared) -> int:
    return len({p.line for p in prepared.problems if p.severity == ERROR and p.line is not None})


@EXAMPLES
@given(data=st.binary(max_size=3000))
def test_any_bytes_are_refused_or_every_line_is_counted(con, tmp_path, data):
    path = tmp_path / "random.csv"
    path.write_bytes(data)
    prepared = prepared_or_refused(con, path)
    if prepared is not None:
        assert prepared.count_rows_rejected == rejected_lines(prepared)
        assert prepared.count_rows_loaded + prepared.count_rows_rejected == (
            prepared.count_rows_in_file
        )


# Text that CSV writers quote (commas, quotes, line breaks), accents, and blanks.
CELL_TEXT = st.text(alphabet=st.sampled_from(list('ab1 ,"\n\r;éÜ€\t0.-/:')), max_size=10)
DATES = st.sampled_from(["2026-01-02", "2026-01-02 03:04:05", "2026-13-45", "", "soon"])
IDS = CELL_TEXT | st.sampled_from(["Total", "Summe", "L1"])
ROWS = st.lists(st.tuples(IDS, DATES, CELL_TEXT, CELL_TEXT), max_size=12)


@EXAMPLES
@given(rows=ROWS, crlf=st.booleans())
# Found by hypothesis: a bare "\r" in an unquoted cell ends the row, for every reader.
@example(rows=[("", "2026-01-02", "\n", "\r0")], crlf=False)
def test_csv_shaped_text_accounts_for_every_data_line(con, tmp_path, rows, crlf):
    """Data lines (rows with anything but whitespace) = loaded + rejected + a totals row."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n" if crlf else "\n")
    writer.writerow(["lead_id", "created_at", "channel", "owner"])
    writer.writerows(rows)
    path = tmp_path / "leads.csv"
    path.write_bytes(out.getvalue().encode("utf-8"))
    prepared = prepared_or_refused(con, path)
    if prepared is None:
        return
    # The rows as Python's own CSV reader sees the bytes: csv.writer leaves a bare "\r" in a
    # cell unquoted when the line ends are "\n", and every reader (Python's, DuckDB's, Excel's)
    # ends the row there.
    written = list(csv.reader(io.StringIO(out.getvalue(), newline="")))[1:]
    data_lines = sum(1 for row in written if any(cell.strip() for cell in row))
    totals = len(prepared.totals_lines)
    assert data_lines == prepared.count_rows_loaded + prepared.count_rows_rejected + totals
    assert prepared.count_rows_rejected == rejected_lines(prepared)
