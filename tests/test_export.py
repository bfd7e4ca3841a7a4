"""CSV downloads cannot run formulas in a spreadsheet, and numbers stay numbers."""

import csv
import io

import pandas as pd

from revcycle.export import safe_csv


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
