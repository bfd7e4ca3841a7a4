"""The workbook benchmark reads every row it wrote, through the importer and through pandas."""

from benchmarks import workbook


def test_every_written_row_is_read_and_every_step_timed(capsys):
    assert workbook.main(["--rows", "40", "--repeat", "2"]) == 0
    out = capsys.readouterr().out
    assert "40 rows written, 40 read;" in out
    rows = [line for line in out.splitlines() if line.startswith("| ") and "ms" not in line]
    assert [row.split(" | ")[0].removeprefix("| ") for row in rows] == [
        "read_export: the sheet's cells as text, header found, rows in Arrow",
        "prepare: read_export + map + parse + validate (as leads)",
        'pandas read_excel(engine="calamine"), the yardstick',
    ]
    assert rows[2].endswith("| 1.00× |")  # the yardstick against itself
