"""CSV downloads cannot run formulas in a spreadsheet, numbers stay numbers, and a table's
counts are whole numbers."""

import csv
import io

import pandas as pd

from revcycle.export import safe_csv
from revcycle.importer import problems as codes
from revcycle.importer.problems import WARNING, Problem, problems_frame
from revcycle.ui.tables import counts_of, table_csv


def read_back(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def test_text_cells_that_start_a_formula_are_neutralised():
    frame = pd.DataFrame(
        {
            "channel": ['=HYPERLINK("x")', "+1", "-2", "@SUM(A1)", "\tTab", "\rCR", "Email"],
            "won_revenue": [1.5, -20.25, 0.0, 3.0, 4.0, 5.0, 6.0],
        }
    )
    rows = read_back(safe_csv(frame))
    assert rows[0] == ["channel", "won_revenue"]
    assert [row[0] for row in rows[1:]] == [
        '\'=HYPERLINK("x")',
        "'+1",
        "'-2",
        "'@SUM(A1)",
        "'\tTab",
        "'\rCR",
        "Email",
    ]
    # A negative number is a number, not a formula: it is left alone.
    assert rows[2][1] == "-20.25"


def test_download_starts_with_a_byte_order_mark_for_excel():
    assert safe_csv(pd.DataFrame({"owner": ["Chloé"]})).startswith(b"\xef\xbb\xbf")


def test_a_tables_counts_are_written_whole_and_a_missing_one_empty():
    # A count column missing a value is float in pandas: 401 would be written "401.0".
    frame = pd.DataFrame(
        {
            "Channel": ["Referral", "Webinar"],
            "Leads": [401.0, float("nan")],
            "Won revenue (€)": [1500.0, 2.5],  # an amount, not a count: kept as it is
        }
    )
    rows = read_back(table_csv(frame, counts_of({"leads": ("Leads", "count")})))
    assert rows == [
        ["Channel", "Leads", "Won revenue (€)"],
        ["Referral", "401", "1500.0"],
        ["Webinar", "", "2.5"],
    ]


def test_a_count_with_a_fraction_is_never_rounded_in_the_csv():
    frame = pd.DataFrame({"Deals": [2.5, 3.0]})
    assert read_back(table_csv(frame, ["Deals"]))[1:] == [["2.5"], ["3.0"]]


def test_the_problems_csv_writes_lines_as_whole_numbers_beside_a_whole_file_problem():
    # A whole-file warning has no line: the column read "2.0" and "3.0" beside it.
    problems = [
        Problem("deals.csv", 3, "Amount", "-5", "a negative amount", code=codes.NEGATIVE_AMOUNT),
        Problem("deals.csv", None, None, None, "no close date column", WARNING, code="x"),
        Problem("deals.csv", 2, "Email", "a@x.example", "no loaded lead", WARNING, code="y"),
    ]
    rows = read_back(safe_csv(problems_frame(problems)))
    assert [row[:3] for row in rows] == [
        ["file", "line", "column"],
        ["deals.csv", "", ""],
        ["deals.csv", "2", "Email"],
        ["deals.csv", "3", "Amount"],
    ]
