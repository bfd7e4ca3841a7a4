"""Reading exports as the analyst has them: dialects, encodings, title and totals lines, XLSX,
refusals. Each rule reads one committed fixture from tests/fixtures/exports/read/; the header,
rows and line numbers expected are written out by hand from the fixture's text below.

The fixtures' bytes are written by the recipes in this module (run ``python tests/test_read.py``
to write them again); a test checks the committed files still hold exactly those bytes, so an
editor or git cannot quietly change an encoding or a line ending.

The rules of the fast paths (the parallel read, line numbers by count, blank cells found in the
Arrow buffers, the UTF-8 check) need files too large to commit: those are generated into a
temporary folder by the tests below, and what they must read as is worked out from how they are
written.
"""

import io
import os
import tracemalloc
import zipfile
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import NamedTuple

import numpy as np
import openpyxl
import pyarrow as pa
import pytest

from revcycle.importer import read as read_module
from revcycle.importer import text as text_columns
from revcycle.importer.problems import EXTRA_VALUE, NOT_A_TABLE, TOO_LARGE, ImportRefused
from revcycle.importer.read import read_export
from revcycle.importer.table import ExportTable
from revcycle.importer.workbook import workbook_sheets

FOLDER = Path(__file__).parent / "fixtures" / "exports" / "read"


# -- the fixtures' bytes ----------------------------------------------------------------------


def _zip_with_a_csv() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(zipfile.ZipInfo("leads.csv", (2026, 1, 1, 0, 0, 0)), "Lead ID\n1\n")
    return buffer.getvalue()


RECIPES: dict[str, bytes] = {
    # HubSpot contacts, current format: every field quoted, LF.
    "comma.csv": (
        b'"Record ID","Create Date","Original Traffic Source","Lifecycle Stage",'
        b'"Recent Deal Amount"\n'
        b'"101","2026-02-25 22:36","Organic Search","lead",""\n'
        b'"102","2026-02-26 09:05","Paid Search","customer","1200.50"\n'
    ),
    # German Excel: semicolons, decimal comma, day-first dates.
    "semicolon_decimal_comma.csv": (
        b"Lead ID;Created Date;Lead Source;Amount\n"
        b"L-1;08.06.2020 15:38;Web;1.234,56\n"
        b"L-2;09.06.2020 10:00;Messe;0,5\n"
        b"L-3;10.06.2020 11:30;Web;12\n"
    ),
    "tab.tsv": (
        b"Deal - ID\tDeal - Title\tDeal - Value\tDeal - Status\n"
        b"1\tAcme renewal\t1,500.00\twon\n"
        b"2\tGlobex, new logo\t300\tlost\n"
    ),
    "pipe.csv": (
        b"Lead - ID|Lead - Title|Lead - Source|Lead - Created\n"
        b"7|Website form|Organic Search|2026-01-05\n"
        b"8|Trade show, Berlin|Offline Sources|2026-01-06\n"
    ),
    # Excel "CSV UTF-8": a byte order mark before the first header name.
    "utf8_bom.csv": (
        "\ufeffOpportunity ID,Opportunity Name,Stage,Amount,Close Date\n"
        "006A,Café renewal,Closed Won,5000,3/1/2017\n"
        "006B,Straße deal,Closed Lost,0,3/15/2017\n"
    ).encode("utf-8"),
    # Excel "Unicode text": UTF-16 with a byte order mark, tab-separated, CRLF.
    "utf16le_unicode_text.txt": b"\xff\xfe"
    + ("Lead ID\tCompany\tCountry\r\nL1\tZürich AG\tSchweiz\r\nL2\t東京商事\tJapan\r\n").encode(
        "utf-16-le"
    ),
    "utf16be.txt": b"\xfe\xff"
    + ("Lead ID\tCompany\r\nL1\tÅre Sport AB\r\nL2\tKøbenhavn ApS\r\n").encode("utf-16-be"),
    # Saved from Excel in western Europe: € is byte 0x80, „ and “ are 0x84 and 0x93.
    "cp1252_euro.csv": (
        "Lead ID;Company;Amount;Note\n"
        "1;Société Générale;€ 1.200,00;première\n"
        "2;Müller & Söhne;€ 80,50;„Angebot“\n"
    ).encode("cp1252"),
    "latin1.csv": ("Lead ID,City,Owner\n1,São Paulo,Joël\n2,Zürich,Bjørn\n").encode("latin-1"),
    # 0x81 is one of the five bytes Windows-1252 leaves undefined.
    "latin1_byte_undefined_in_cp1252.csv": b"Lead ID,Company\n1,Caf\xe9 \x81 Bar\n",
    "crlf.csv": b"Lead ID,Created Date,Status\r\n1,2026-01-01,Open\r\n2,2026-01-02,Converted\r\n",
    # Notes spanning lines: a CRLF and two LFs inside quotes, in a CRLF file.
    "quoted_newline.csv": (
        b"Record ID,Notes,Email\r\n"
        b'1,"first line\r\nsecond line",a@example.com\r\n'
        b'2,"one\ntwo\nthree",b@example.com\r\n'
        b"3,plain,c@example.com\r\n"
    ),
    # A blank line inside a quoted value, and an empty line between rows.
    "quoted_newline_and_blank_line.csv": (b'Lead ID,Notes\n1,"para one\n\npara two"\n\n2,plain\n'),
    "blank_trailing_rows.csv": (
        b"Lead ID,Created Date,Lead Source\n1,2026-03-01,Web\n2,2026-03-02,Email\n,,\n,,\n\n\n"
    ),
    # Salesforce "formatted report": title and filter lines, a blank line, then the header.
    "title_lines.csv": (
        b'"Leads report"\n'
        b'"Filtered By: Lead Source equals Web"\n'
        b"\n"
        b'"Lead ID","Created Date","Lead Source","Status"\n'
        b'"00Q1","08-06-2020 15:38","Web","Open"\n'
        b'"00Q2","09-06-2020 10:00","Web","Working"\n'
    ),
    "totals_row.csv": b"Opportunity ID,Stage,Amount\n006A,Closed Won,1000\n006B,Closed Won,250.5\n"
    b"Total,,1250.5\n",
    "totals_row_without_label.csv": (
        b"Lead ID;Company;Amount\n1;Alpha;1.000,00\n2;Beta;2.500,00\n;;3.500,00\n"
    ),
    # A whole Salesforce report: title, Grand Totals, and the copyright footer, CRLF.
    "salesforce_report_footer.csv": (
        b'"Opportunities report"\r\n'
        b"\r\n"
        b'"Opportunity Name","Stage","Amount"\r\n'
        b'"Acme","Closed Won","1000"\r\n'
        b'"Globex","Closed Lost","0"\r\n'
        b'"Grand Totals (2 records)","","1000"\r\n'
        b"\r\n"
        b"\r\n"
        b'"Copyright (c) 2000-2026 salesforce.com, inc. All rights reserved."\r\n'
        b'"Confidential Information - Do Not Distribute"\r\n'
        b'"Generated By:  Jane Doe  3/1/2026 10:01 AM"\r\n'
        b'"Acme, Inc."\r\n'
    ),
    "duplicate_column.csv": b"Record ID,Email,Billing Contact,Billing Contact\n1,a@x.com,Ann,Bob\n",
    "hubspot_doubled_quotes.csv": (
        b'"Record ID","Email","Date entered ""Lead (Lifecycle Stage Pipeline)""",'
        b'"Date entered ""Customer (Lifecycle Stage Pipeline)"""\n'
        b'"501","ann@example.com","2026-01-10 08:00",""\n'
        b'"502","bob@example.com","2026-01-11 09:30","2026-02-01 12:00"\n'
    ),
    "single_column.csv": b"Email\na@example.com\n\nb@example.com\n",
    "header_only.csv": b"Lead ID,Created Date,Lead Source\n",
    "mixed_line_endings.csv": b"Lead ID,Status\n1,Open\r\n2,Won\n\r\n",
    "extra_value.csv": b"Lead ID,Status\n1,Open\n2,Won,oops\n3,Lost\n",
    # The compound-file signature that opens every old binary .xls.
    "old_excel.xls": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504),
    # Many "Excel" downloads from web tools are an HTML table named .xls.
    "html_table.xls": b"<html><body><table><tr><td>Lead ID</td></tr></table></body></html>\n",
    "report.pdf": (
        b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
    ),
    "logo.png": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02",
    "exports.zip": _zip_with_a_csv(),
    "binary_junk.csv": bytes(range(256)) * 4,
    "utf16_without_bom.txt": "Lead ID\tCompany\r\nL1\tAcme\r\n".encode("utf-16-le"),
    "empty.csv": b"",
    "only_blank_lines.csv": b"\n\n \n",
}


def _dates_and_numbers_workbook(path: Path) -> None:
    """An empty first sheet, then leads with dates, numbers and booleans, a Summe row and a
    blank-looking row below it."""
    workbook = openpyxl.Workbook()
    workbook.active.title = "Notes"
    sheet = workbook.create_sheet("Leads")
    sheet.append(
        ["Lead ID", "Created Date", "Created At", "Amount", "Serial", "Big", "Converted"]
        + ["Ratio", "Third", "Zip", "Response time"]
    )
    sheet.append(
        ["L-1", date(2026, 11, 20), datetime(2026, 11, 20, 14, 5, 9), 12.5, 45231, 1e6, True]
        + [0.1 + 0.2, 1 / 3, "01234", timedelta(hours=1, minutes=2, seconds=3)]
    )
    sheet.append(
        ["L-2", datetime(2026, 11, 21), datetime(2026, 11, 21), 1234.56, 45232.0, -0.5, False]
        + [None, 2.0e-5, "98765", None]
    )
    sheet.append(["Summe", None, None, 1247.06])  # 12.5 + 1234.56
    sheet.append([" "])
    sheet["B2"].number_format = "yyyy-mm-dd"
    sheet["B3"].number_format = "dd.mm.yyyy"
    sheet["C2"].number_format = "yyyy-mm-dd hh:mm:ss"
    sheet["C3"].number_format = "dd.mm.yyyy hh:mm"
    workbook.save(path)


def write_fixtures(folder: Path = FOLDER) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in RECIPES.items():
        (folder / name).write_bytes(data)
    _dates_and_numbers_workbook(folder / "dates_numbers.xlsx")


@pytest.mark.parametrize("name", sorted(RECIPES))
def test_committed_fixture_holds_exactly_its_recipe(name):
    assert (FOLDER / name).read_bytes() == RECIPES[name]


def read(name: str, **options) -> ExportTable:
    return read_export(FOLDER / name, **options)


def read_written(tmp_path: Path, text: str) -> ExportTable:
    """``text`` written to a UTF-8 file, then read."""
    path = tmp_path / "export.csv"
    path.write_text(text, encoding="utf-8")
    return read_export(path)


def values(table: ExportTable) -> list[list[str | None]]:
    columns = [column.to_pylist() for column in table.rows.columns]
    return [list(row) for row in zip(*columns, strict=True)]


def refusal(name: str, code: str = NOT_A_TABLE, **options) -> str:
    """The reason the whole file is refused; its code must be ``code``."""
    with pytest.raises(ImportRefused) as caught:
        read(name, **options)
    [problem] = caught.value.problems
    assert (problem.file, problem.line, problem.column, problem.code) == (name, None, None, code)
    return problem.reason


# -- delimiters -------------------------------------------------------------------------------


def test_comma_separated_hubspot_export_reads_every_field_as_text():
    table = read("comma.csv")
    assert table.file_name == "comma.csv"
    assert table.header == [
        "Record ID",
        "Create Date",
        "Original Traffic Source",
        "Lifecycle Stage",
        "Recent Deal Amount",
    ]
    assert values(table) == [
        ["101", "2026-02-25 22:36", "Organic Search", "lead", None],
        ["102", "2026-02-26 09:05", "Paid Search", "customer", "1200.50"],
    ]
    assert table.lines.tolist() == [2, 3]
    assert (table.encoding, table.delimiter, table.notes) == ("utf-8", ",", [])


def test_semicolon_file_keeps_decimal_comma_values_as_written():
    table = read("semicolon_decimal_comma.csv")
    assert table.delimiter == ";"
    assert table.header == ["Lead ID", "Created Date", "Lead Source", "Amount"]
    assert values(table) == [
        ["L-1", "08.06.2020 15:38", "Web", "1.234,56"],
        ["L-2", "09.06.2020 10:00", "Messe", "0,5"],
        ["L-3", "10.06.2020 11:30", "Web", "12"],
    ]
    assert table.lines.tolist() == [2, 3, 4]


def test_tab_separated_file_keeps_commas_inside_values():
    table = read("tab.tsv")
    assert table.delimiter == "\t"
    assert table.header == ["Deal - ID", "Deal - Title", "Deal - Value", "Deal - Status"]
    assert values(table) == [
        ["1", "Acme renewal", "1,500.00", "won"],
        ["2", "Globex, new logo", "300", "lost"],
    ]
    assert table.lines.tolist() == [2, 3]


def test_pipe_separated_file():
    table = read("pipe.csv")
    assert table.delimiter == "|"
    assert table.header == ["Lead - ID", "Lead - Title", "Lead - Source", "Lead - Created"]
    assert values(table) == [
        ["7", "Website form", "Organic Search", "2026-01-05"],
        ["8", "Trade show, Berlin", "Offline Sources", "2026-01-06"],
    ]


def test_single_column_file_has_no_delimiter_and_skips_its_blank_line():
    table = read("single_column.csv")
    assert table.header == ["Email"]
    assert values(table) == [["a@example.com"], ["b@example.com"]]
    assert table.lines.tolist() == [2, 4]
    assert table.delimiter is None
    assert table.notes == ["skipped 1 blank row (line 3)"]


# -- encodings --------------------------------------------------------------------------------


def test_utf8_byte_order_mark_is_not_part_of_the_first_column_name():
    table = read("utf8_bom.csv")
    assert table.header == [
        "Opportunity ID",
        "Opportunity Name",
        "Stage",
        "Amount",
        "Close Date",
    ]
    assert values(table) == [
        ["006A", "Café renewal", "Closed Won", "5000", "3/1/2017"],
        ["006B", "Straße deal", "Closed Lost", "0", "3/15/2017"],
    ]
    assert table.encoding == "utf-8-sig"
    assert table.notes == ["read as UTF-8 (the byte order mark was dropped)"]


def test_excel_unicode_text_is_utf16_little_endian_and_tab_separated():
    table = read("utf16le_unicode_text.txt")
    assert (table.encoding, table.delimiter) == ("utf-16-le", "\t")
    assert table.header == ["Lead ID", "Company", "Country"]
    assert values(table) == [["L1", "Zürich AG", "Schweiz"], ["L2", "東京商事", "Japan"]]
    assert table.lines.tolist() == [2, 3]
    assert table.notes == ["read as UTF-16 little-endian (Excel Unicode text)"]


def test_utf16_big_endian_with_byte_order_mark():
    table = read("utf16be.txt")
    assert table.encoding == "utf-16-be"
    assert table.header == ["Lead ID", "Company"]
    assert values(table) == [["L1", "Åre Sport AB"], ["L2", "København ApS"]]


def test_windows_1252_file_reads_euro_sign_and_accents():
    table = read("cp1252_euro.csv")
    assert table.encoding == "windows-1252"
    assert table.header == ["Lead ID", "Company", "Amount", "Note"]
    assert values(table) == [
        ["1", "Société Générale", "€ 1.200,00", "première"],
        ["2", "Müller & Söhne", "€ 80,50", "„Angebot“"],
    ]
    assert table.notes == ["read as Windows-1252 (it is not UTF-8)"]


def test_latin1_file_reads_the_same_as_windows_1252():
    # Windows-1252 and Latin-1 agree on every letter (0xA0-0xFF), so a Latin-1 file is read
    # correctly by the Windows-1252 step of the rule, and reported as such.
    table = read("latin1.csv")
    assert table.encoding == "windows-1252"
    assert values(table) == [["1", "São Paulo", "Joël"], ["2", "Zürich", "Bjørn"]]


def test_byte_undefined_in_windows_1252_falls_back_to_latin1():
    table = read("latin1_byte_undefined_in_cp1252.csv")
    assert table.encoding == "latin-1"
    assert values(table) == [["1", "Café \x81 Bar"]]
    assert table.notes == ["read as Latin-1 (it is neither UTF-8 nor Windows-1252)"]


# -- line endings and line numbers ------------------------------------------------------------


def test_crlf_line_endings_leave_no_carriage_return_in_values():
    table = read("crlf.csv")
    assert table.header == ["Lead ID", "Created Date", "Status"]
    assert values(table) == [["1", "2026-01-01", "Open"], ["2", "2026-01-02", "Converted"]]
    assert table.lines.tolist() == [2, 3]


def test_quoted_newlines_stay_in_the_value_and_rows_keep_their_own_line_numbers():
    table = read("quoted_newline.csv")
    assert values(table) == [
        ["1", "first line\r\nsecond line", "a@example.com"],
        ["2", "one\ntwo\nthree", "b@example.com"],
        ["3", "plain", "c@example.com"],
    ]
    # Row 1 spans lines 2-3 (one CRLF inside quotes), row 2 spans lines 4-6.
    assert table.lines.tolist() == [2, 4, 7]


def test_empty_line_between_rows_is_counted_but_a_blank_line_inside_quotes_is_not_a_row():
    table = read("quoted_newline_and_blank_line.csv")
    assert values(table) == [["1", "para one\n\npara two"], ["2", "plain"]]
    # Row 1 spans lines 2-4; line 5 is empty; row 2 is on line 6.
    assert table.lines.tolist() == [2, 6]


def test_mixed_line_endings_are_read_with_a_note():
    table = read("mixed_line_endings.csv")
    assert values(table) == [["1", "Open"], ["2", "Won"]]
    assert table.lines.tolist() == [2, 3]
    assert table.notes == ["the file mixes CRLF and LF line endings; read it with LF throughout"]


# -- what is not data -------------------------------------------------------------------------


def test_blank_trailing_rows_are_removed():
    table = read("blank_trailing_rows.csv")
    assert values(table) == [["1", "2026-03-01", "Web"], ["2", "2026-03-02", "Email"]]
    assert table.lines.tolist() == [2, 3]
    assert table.notes == ["removed 2 blank rows at the end (from line 4)"]


def test_title_lines_above_the_header_are_skipped_and_named():
    table = read("title_lines.csv")
    assert table.header == ["Lead ID", "Created Date", "Lead Source", "Status"]
    assert values(table) == [
        ["00Q1", "08-06-2020 15:38", "Web", "Open"],
        ["00Q2", "09-06-2020 10:00", "Web", "Working"],
    ]
    assert table.lines.tolist() == [5, 6]
    assert table.notes == [
        "skipped 2 title lines above the header (line 1: 'Leads report'; "
        "line 2: 'Filtered By: Lead Source equals Web'); the header is on line 4"
    ]


def test_totals_row_is_dropped():
    table = read("totals_row.csv")
    assert values(table) == [["006A", "Closed Won", "1000"], ["006B", "Closed Won", "250.5"]]
    assert table.lines.tolist() == [2, 3]
    assert table.notes == ["dropped the totals row on line 4 ('Total | 1250.5')"]


def test_last_row_without_an_id_holding_only_numbers_is_a_totals_row():
    table = read("totals_row_without_label.csv")
    assert values(table) == [["1", "Alpha", "1.000,00"], ["2", "Beta", "2.500,00"]]
    assert table.notes == ["dropped the totals row on line 4 ('3.500,00')"]


def test_salesforce_report_title_grand_totals_and_copyright_footer_are_dropped():
    table = read("salesforce_report_footer.csv")
    assert table.header == ["Opportunity Name", "Stage", "Amount"]
    assert values(table) == [["Acme", "Closed Won", "1000"], ["Globex", "Closed Lost", "0"]]
    assert table.lines.tolist() == [4, 5]
    assert table.notes == [
        "skipped 1 title line above the header (line 1: 'Opportunities report'); "
        "the header is on line 3",
        "dropped 4 footer lines from line 9 "
        "('Copyright (c) 2000-2026 salesforce.com, inc. All rights reserved.')",
        "dropped the totals row on line 6 ('Grand Totals (2 records) | 1000')",
    ]


def test_a_grand_totals_line_with_nothing_beside_its_label_is_dropped(tmp_path):
    # A Salesforce leads report has no amounts to sum: its last line is the label alone. A
    # lead whose id is "Total" has its date and stays.
    export = tmp_path / "leads_report.csv"
    export.write_text(
        "Lead ID,Created Date,Lead Source\n"
        "00Q1,08-06-2020 15:38,Web\n"
        "Total,09-06-2020 10:00,Web\n"
        '"Grand Totals (2 records)",,\n',
        encoding="utf-8",
    )
    table = read_export(export)
    assert values(table) == [
        ["00Q1", "08-06-2020 15:38", "Web"],
        ["Total", "09-06-2020 10:00", "Web"],
    ]
    assert table.notes == ["dropped the totals row on line 4 ('Grand Totals (2 records)')"]
    assert list(table.totals_lines) == [4]


def test_google_ads_totals_that_no_longer_add_up_are_dropped_and_said_to_be_checked(tmp_path):
    """The analyst deleted the Competitor keywords rows in Excel before saving: the report's
    "Total: …" rows still say 1,289.75 (1,204.50 + 85.25), the rows left sum to 1,204.50.
    Before, the three rows were kept as data and each rejected as "not a date"; they are the
    report's totals all the same, and the file may lack rows, which the note says."""
    table = read_written(
        tmp_path,
        "Campaign report\n"
        '"November 1, 2026 - November 1, 2026"\n'
        "Day,Campaign,Campaign ID,Currency code,Cost,Clicks\n"
        '2026-11-01,Brand NL,11111111,EUR,"1,204.50",310\n'
        'Total: Account,--,--,EUR,"1,289.75",350\n'
        'Total: Search,--,--,EUR,"1,289.75",350\n',
    )
    assert values(table) == [["2026-11-01", "Brand NL", "11111111", "EUR", "1,204.50", "310"]]
    assert list(table.totals_lines) == [5, 6]
    assert table.notes[-1] == (
        "dropped the totals rows on lines 5-6 ('Total: Account | -- | -- | EUR | 1,289.75 | 350'; "
        "'Total: Search | -- | -- | EUR | 1,289.75 | 350'); they do not add up to the rows "
        "above: check that no row was taken out or changed after the report was made"
    )


def test_a_last_row_labelled_total_colon_that_holds_data_stays(tmp_path):
    # Text beside the label, not figures: a campaign named so, kept and checked as data.
    table = read_written(
        tmp_path,
        "touched_at,source,campaign\n2026-11-01,google,Brand\nTotal: recall,newsletter,Q4 wrap\n",
    )
    assert [row[0] for row in values(table)] == ["2026-11-01", "Total: recall"]
    assert list(table.totals_lines) == []


def test_header_only_file_has_zero_rows():
    table = read("header_only.csv")
    assert table.header == ["Lead ID", "Created Date", "Lead Source"]
    assert table.rows.column_names == table.header
    assert (len(table.rows), table.lines.tolist()) == (0, [])


# -- column names -----------------------------------------------------------------------------


def test_doubled_column_name_is_made_unique_with_a_note():
    table = read("duplicate_column.csv")
    assert table.header == ["Record ID", "Email", "Billing Contact", "Billing Contact (2)"]
    assert values(table) == [["1", "a@x.com", "Ann", "Bob"]]
    assert table.notes == [
        "the column name 'Billing Contact' occurs again; called it 'Billing Contact (2)'"
    ]


def test_invisible_characters_around_a_column_name_are_not_part_of_it(tmp_path):
    # A zero-width space (U+200B) or word joiner (U+2060) pasted after a header name: the blank
    # rule strips them from cells, and the header's names go by the same rule, so "Email"
    # still matches a preset's "Email".
    path = tmp_path / "pasted.csv"
    path.write_text("lead_id\u200b,\u2060Email ,created_at\nL1,a@x.com,2026-01-01\n", "utf-8")
    assert read_export(path).header == ["lead_id", "Email", "created_at"]


def test_hubspot_header_with_doubled_quotes_keeps_the_quotation_marks():
    table = read("hubspot_doubled_quotes.csv")
    assert table.header == [
        "Record ID",
        "Email",
        'Date entered "Lead (Lifecycle Stage Pipeline)"',
        'Date entered "Customer (Lifecycle Stage Pipeline)"',
    ]
    assert values(table) == [
        ["501", "ann@example.com", "2026-01-10 08:00", None],
        ["502", "bob@example.com", "2026-01-11 09:30", "2026-02-01 12:00"],
    ]


# -- XLSX -------------------------------------------------------------------------------------


def test_xlsx_cells_become_text_without_losing_anything():
    table = read("dates_numbers.xlsx")
    assert (table.encoding, table.delimiter) == ("xlsx", None)
    assert table.header == [
        "Lead ID",
        "Created Date",
        "Created At",
        "Amount",
        "Serial",
        "Big",
        "Converted",
        "Ratio",
        "Third",
        "Zip",
        "Response time",
    ]
    assert values(table) == [
        # 0.1 + 0.2 is 0.30000000000000004 in binary; Excel holds 15 digits: 0.3.
        ["L-1", "2026-11-20", "2026-11-20 14:05:09", "12.5", "45231", "1000000", "TRUE"]
        + ["0.3", "0.333333333333333", "01234", "1:02:03"],
        # A midnight date-time reads as its day (calamine's choice): the same instant.
        ["L-2", "2026-11-21", "2026-11-21", "1234.56", "45232", "-0.5", "FALSE"]
        + [None, "0.00002", "98765", None],
    ]
    assert table.lines.tolist() == [2, 3]
    assert table.notes == [
        "read the sheet 'Leads', the first with a table; ignored 'Notes'",
        "dropped the totals row on line 4 ('Summe | 1247.06')",
        "removed 1 blank row at the end (from line 5)",
    ]


def test_an_old_binary_xls_is_read_as_an_xlsx_is():
    # HubSpot still offers XLS among its export formats. The fixture was written once with
    # xlwt 1.3.0, which is no dependency (no maintained library writes .xls), from these rows:
    # 901, 2026-11-02 10:15 (yyyy-mm-dd hh:mm), Organic Search, Anna Keller, ann@x.example;
    # 902, 2026-11-03 08:00, Paid Search, no owner, bo@y.example; 903, 2026-11-04 (yyyy-mm-dd),
    # Referrals, Bo Berg, cy@z.example. The record ids are numbers, the dates date cells.
    table = read("hubspot_contacts.xls")
    assert table.header == [
        "Record ID",
        "Create Date",
        "Original Traffic Source",
        "Contact owner",
        "Email",
    ]
    assert values(table) == [
        ["901", "2026-11-02 10:15:00", "Organic Search", "Anna Keller", "ann@x.example"],
        ["902", "2026-11-03 08:00:00", "Paid Search", None, "bo@y.example"],
        ["903", "2026-11-04", "Referrals", "Bo Berg", "cy@z.example"],
    ]
    assert (table.lines.tolist(), table.notes) == ([2, 3, 4], [])


def test_an_opendocument_spreadsheet_is_read_as_an_xlsx_is():
    # LibreOffice's format. The fixture was written once with odfpy 1.4.1, which is no
    # dependency, from these rows: 101, Acme, 1250.5 (a number), EUR, won, 2026-11-02T09:30
    # and 2026-11-20T16:00 (dates); 102, Bolt, 300, EUR, open, 2026-11-03T10:00, no won time.
    table = read("pipedrive_deals.ods")
    assert table.header[:3] == ["Deal - ID", "Deal - Title", "Deal - Value"]
    assert values(table) == [
        ["101", "Acme", "1250.5", "EUR", "won", "2026-11-02 09:30:00", "2026-11-20 16:00:00"],
        ["102", "Bolt", "300", "EUR", "open", "2026-11-03 10:00:00", None],
    ]
    assert table.lines.tolist() == [2, 3]


def test_a_workbook_without_its_relationships_part_is_refused_in_a_sentence(tmp_path):
    # A damaged workbook: the part saying which file holds which sheet is missing.
    workbook = openpyxl.Workbook()
    workbook.active.append(["Lead ID", "Created"])
    workbook.save(tmp_path / "whole.xlsx")
    with (
        zipfile.ZipFile(tmp_path / "whole.xlsx") as whole,
        zipfile.ZipFile(tmp_path / "damaged.xlsx", "w") as damaged,
    ):
        for info in whole.infolist():
            if info.filename != "xl/_rels/workbook.xml.rels":
                damaged.writestr(info, whole.read(info.filename))
    with pytest.raises(ImportRefused) as refused:
        read_export(tmp_path / "damaged.xlsx")
    assert refused.value.problems[0].reason == (
        "The file could not be opened as an Excel workbook. Open it in Excel and save it as "
        ".xlsx or CSV UTF-8, then upload that file."
    )


def test_a_cover_sheet_before_the_table_is_passed_over(tmp_path):
    # A report's cover sheet holds a title and a line under it, one cell a row: the first
    # sheet with data, but no table. The opportunities on the second sheet are read.
    workbook = openpyxl.Workbook()
    workbook.active.title = "Report info"
    workbook.active.append(["Opportunities report"])
    workbook.active.append(["Generated by Salesforce"])
    opportunities = workbook.create_sheet("Opportunities")
    opportunities.append(["Opportunity ID", "Stage"])
    opportunities.append(["006A1", "Closed Won"])
    workbook.create_sheet("Empty")
    workbook.save(tmp_path / "report.xlsx")
    table = read_export(tmp_path / "report.xlsx")
    assert (table.header, values(table)) == (["Opportunity ID", "Stage"], [["006A1", "Closed Won"]])
    assert table.notes == [
        "read the sheet 'Opportunities', the first with a table; ignored 'Report info', 'Empty'"
    ]


def test_a_workbook_of_lines_of_one_value_reads_its_first_sheet_with_data(tmp_path):
    # No sheet holds a row of two values: the first with any is read, as before.
    workbook = openpyxl.Workbook()
    workbook.active.title = "Blank"
    workbook.create_sheet("Ids").append(["Lead ID"])
    workbook["Ids"].append(["L-1"])
    workbook.create_sheet("More ids").append(["Lead ID"])
    workbook.save(tmp_path / "ids.xlsx")
    table = read_export(tmp_path / "ids.xlsx")
    assert (table.header, values(table)) == (["Lead ID"], [["L-1"]])
    assert table.notes == ["read the sheet 'Ids', the first with data; ignored 'Blank', 'More ids'"]


def test_a_hidden_sheet_of_lists_is_passed_over_for_the_shown_table(tmp_path):
    # A template keeps its drop-downs' lists on a hidden first sheet, two columns wide: a
    # table, but not one the person sees. The shown sheet's leads are read; the hidden one
    # comes last in the choice of sheets, and is read when named.
    workbook = openpyxl.Workbook()
    workbook.active.title = "Lists"
    workbook.active.append(["Source", "Owner"])
    workbook.active.append(["Webinar", "Ann"])
    workbook.active.sheet_state = "hidden"
    workbook.create_sheet("Leads").append(["Lead ID", "Source"])
    workbook["Leads"].append(["L-1", "Webinar"])
    workbook.active = 1
    workbook.save(tmp_path / "template.xlsx")
    table = read_export(tmp_path / "template.xlsx")
    assert (table.header, values(table)) == (["Lead ID", "Source"], [["L-1", "Webinar"]])
    assert table.notes == ["read the sheet 'Leads', the first with a table; ignored 'Lists'"]
    assert workbook_sheets(tmp_path / "template.xlsx") == ["Leads", "Lists"]
    assert values(read_export(tmp_path / "template.xlsx", sheet="Lists")) == [["Webinar", "Ann"]]


def test_a_look_at_a_workbook_s_head_reads_its_first_rows_only(tmp_path):
    # What a batch reads to order its files (leads first): the header and a few rows.
    workbook = openpyxl.Workbook()
    workbook.active.append(["Lead ID", "Created"])
    for number in range(1, 6):
        workbook.active.append([f"L-{number}", f"2026-11-0{number}"])
    workbook.save(tmp_path / "leads.xlsx")
    head = read_export(tmp_path / "leads.xlsx", head_rows=3)
    assert (head.header, values(head), head.lines.tolist()) == (
        ["Lead ID", "Created"],
        [["L-1", "2026-11-01"], ["L-2", "2026-11-02"]],
        [2, 3],
    )
    assert read_export(tmp_path / "leads.xlsx").lines.tolist() == [2, 3, 4, 5, 6]


def test_a_label_merged_down_its_rows_is_each_row_s_value(tmp_path):
    # A report grouped by stage, its stage written once and merged down over its deals (as
    # Excel shows it), under a title merged across the table: each deal has its stage, and
    # the title stays one line above the header.
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["Opportunities by stage"])
    sheet.append(["Stage", "Opportunity ID", "Amount"])
    sheet.append(["Closed Won", "006A", 100])
    sheet.append([None, "006B", 200])
    sheet.append([None, "006C", 300])
    sheet.append(["Proposal", "006D", 400])
    sheet.append([None, "006E", 500])
    sheet.append(["Negotiation", "006F", 600])
    sheet.merge_cells("A1:C1")
    sheet.merge_cells("A3:A5")
    sheet.merge_cells("A6:A7")
    workbook.save(tmp_path / "grouped.xlsx")
    table = read_export(tmp_path / "grouped.xlsx")
    assert table.header == ["Stage", "Opportunity ID", "Amount"]
    assert values(table) == [
        ["Closed Won", "006A", "100"],
        ["Closed Won", "006B", "200"],
        ["Closed Won", "006C", "300"],
        ["Proposal", "006D", "400"],
        ["Proposal", "006E", "500"],
        ["Negotiation", "006F", "600"],
    ]
    assert table.lines.tolist() == [3, 4, 5, 6, 7, 8]
    assert table.notes == [
        "read 3 cells of merged ranges as the value at their top (A3:A5, A6:A7)",
        "skipped 1 title line above the header (line 1: 'Opportunities by stage'); the header "
        "is on line 2",
    ]


def test_subtotal_rows_between_a_report_s_groups_are_dropped_as_no_data(tmp_path):
    # A report grouped by stage, as a formatted report saves it: each group ends in a row
    # labelled Subtotal whose amount sums the group (or counts its rows). A third row labelled
    # so sums nothing of its group (its 999 is not 700, nor the group's count, 1): data,
    # checked as any row.
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["Opportunities by stage"])
    sheet.append(["Stage", "Opportunity ID", "Amount"])
    sheet.append(["Closed Won", "006A", 100.25])
    sheet.append([None, "006B", 200])
    sheet.append(["Subtotal", None, 300.25])  # 100.25 + 200
    sheet.append(["Proposal", "006C", 400])
    sheet.append([None, "006D", 500])
    sheet.append(["Sub-total (2 records)", None, 2])  # the group's count
    sheet.append(["Lost", "006E", 700])
    sheet.append(["Subtotal", None, 999])
    sheet.merge_cells("A3:A4")
    sheet.merge_cells("A6:A7")
    workbook.save(tmp_path / "grouped.xlsx")
    table = read_export(tmp_path / "grouped.xlsx")
    assert values(table) == [
        ["Closed Won", "006A", "100.25"],
        ["Closed Won", "006B", "200"],
        ["Proposal", "006C", "400"],
        ["Proposal", "006D", "500"],
        ["Lost", "006E", "700"],
        ["Subtotal", None, "999"],
    ]
    assert table.lines.tolist() == [3, 4, 6, 7, 9, 10]
    assert table.totals_lines == (5, 8)
    assert (
        "dropped 2 subtotal rows of the report's groups (lines 5, 8; the first 'Subtotal | 300.25')"
    ) in table.notes


def test_a_subtotal_under_every_deal_is_dropped_and_named_in_part(tmp_path):
    # A report grouped by account, one deal an account: 5,000 groups. Each group's sum comes
    # from one pass over the column (it took 0.3 ms a group, one pass each), and the note
    # names ten lines: it named all 5,000 (30 KB).
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(["Account", "Opportunity ID", "Amount"])
    for number in range(5_000):
        sheet.append([f"Account {number}", f"006-{number}", number + 0.5])
        sheet.append(["Subtotal", None, number + 0.5])
    workbook.save(tmp_path / "by_account.xlsx")
    table = read_export(tmp_path / "by_account.xlsx")
    assert table.rows.num_rows == 5_000
    assert table.totals_lines == tuple(range(3, 10_002, 2))  # the header is row 1
    assert table.notes == [
        "dropped 5,000 subtotal rows of the report's groups (lines 3, 5, 7, 9, 11, 13, 15, 17, "
        "19, 21 and 4,990 more; the first 'Subtotal | 0.5')"
    ]


def test_a_subtotal_with_no_row_above_it_is_data(tmp_path):
    # Its 0 would be the sum of no rows: nothing to total, so it is checked as a row.
    workbook = openpyxl.Workbook()
    workbook.active.append(["Account", "Amount"])
    workbook.active.append(["Subtotal", 0])
    workbook.save(tmp_path / "lone.xlsx")
    table = read_export(tmp_path / "lone.xlsx")
    assert (values(table), table.totals_lines) == ([["Subtotal", "0"]], ())


def test_a_csv_row_that_says_subtotal_is_data(tmp_path):
    # A text export is no formatted report: looking in every cell of a million rows for a
    # label took a second; a lead may be called so.
    (tmp_path / "leads.csv").write_text(
        "Lead ID,Name,Score\nL1,Ann,10\nL2,Subtotal,10\n", encoding="utf-8"
    )
    assert values(read_export(tmp_path / "leads.csv")) == [
        ["L1", "Ann", "10"],
        ["L2", "Subtotal", "10"],
    ]


# -- refusals ---------------------------------------------------------------------------------


def test_file_over_the_size_limit_is_refused_with_what_to_do():
    size = len(RECIPES["comma.csv"])
    assert refusal("comma.csv", TOO_LARGE, max_bytes=100) == (
        f"The file is {size} bytes; the limit is 100 bytes. Split the export by date range "
        "(for example one file per quarter) and upload the parts one after another."
    )


def test_size_limit_speaks_in_megabytes(tmp_path):
    big = tmp_path / "leads.csv"
    with big.open("wb") as handle:
        handle.truncate(312 * 1024 * 1024)  # sparse: takes no disk space
    with pytest.raises(ImportRefused) as caught:
        read_export(big)
    assert caught.value.problems[0].reason.startswith(
        "The file is 312 MB; the limit is 200 MB. Split the export by date range"
    )


def test_an_xls_that_cannot_be_read_is_refused_with_save_as_xlsx():
    # Only the compound-file signature, then zeros: no workbook, as a damaged .xls or an .xlsx
    # Excel saved with a password (it wraps it the same way) reads.
    reason = refusal("old_excel.xls")
    assert reason == (
        "The file is an old binary Excel workbook (.xls) that could not be read, or a "
        "password-protected one. Open it in Excel and save it as .xlsx or CSV UTF-8 (without a "
        "password), then upload that file."
    )


def test_html_table_named_xls_is_refused():
    reason = refusal("html_table.xls")
    assert reason.startswith("The file is a web page or XML document, not a CSV export.")
    assert "save it as .xlsx or CSV UTF-8" in reason


@pytest.mark.parametrize(
    ("name", "start"),
    [
        ("report.pdf", "The file is a PDF document, not a data export."),
        ("logo.png", "The file is a PNG image, not a data export."),
        ("exports.zip", "The file is a zip archive, not an Excel workbook."),
        ("binary_junk.csv", "The file holds binary data, not text or a spreadsheet."),
        ("utf16_without_bom.txt", "The file looks like UTF-16 text without a byte order mark"),
        ("empty.csv", "The file is empty (0 bytes)."),
        ("only_blank_lines.csv", "The file holds only blank lines."),
    ],
)
def test_non_tabular_file_is_refused(name, start):
    assert refusal(name).startswith(start)


def test_row_wider_than_the_header_refuses_the_file_at_that_line():
    with pytest.raises(ImportRefused) as caught:
        read("extra_value.csv")
    [problem] = caught.value.problems
    assert (problem.file, problem.line, problem.value) == ("extra_value.csv", 3, "2 | Won | oops")
    assert problem.code == EXTRA_VALUE
    assert problem.reason.startswith(
        "this line has a value in column 3, but the header (line 1) names only 2 columns."
    )


def test_missing_file_is_refused():
    assert refusal("no_such_export.csv") == "The file was not found."


def test_no_fixture_raises_anything_but_import_refused():
    for path in sorted(FOLDER.iterdir()):
        if path.name.startswith("."):
            continue
        try:
            table = read_export(path)
        except ImportRefused as refused:
            assert refused.problems and all(problem.reason for problem in refused.problems)
        else:
            assert table.rows.column_names == table.header
            assert table.rows.schema.types == [pa.string()] * len(table.header), path.name
            assert isinstance(table.lines, np.ndarray) and table.lines.dtype == np.int64
            assert len(table.lines) == len(table.rows)
            cells = [cell for row in values(table) for cell in row]
            assert all(cell is None or isinstance(cell, str) for cell in cells), path.name


# -- large generated files: the parallel read and its one-thread re-read -----------------------
# These files are written into tmp_path by the code below, big enough that what matters lies far
# past DuckDB's sniff sample (its first 20,480 rows) and spans several Arrow chunks. Every
# expected value is worked out from how the file is written, never from what the reader returns.


def reads_in_parallel(monkeypatch) -> list[bool]:
    """The ``parallel`` setting of each DuckDB read read_export makes, in order."""
    calls = []
    fetch = read_module._fetch

    def recording(con, params):
        calls.append(params["parallel"])
        return fetch(con, params)

    monkeypatch.setattr(read_module, "_fetch", recording)
    return calls


def calls_to_record_lines(monkeypatch) -> list[int]:
    """One entry per call of the exact line-number walk (the slow path)."""
    calls = []
    record_lines = read_module._record_lines

    def recording(*args, **kwargs):
        calls.append(1)
        return record_lines(*args, **kwargs)

    monkeypatch.setattr(read_module, "_record_lines", recording)
    return calls


HUBSPOT_ROWS = 60_000


def _hubspot_contacts(multi_line: tuple[int, ...]) -> bytes:
    """HubSpot style, every field quoted, LF; the rows numbered in ``multi_line`` have a note of
    two lines."""
    out = [b'"Record ID","Email","Notes"\n']
    for row in range(1, HUBSPOT_ROWS + 1):
        note = b"first line\nsecond line" if row in multi_line else b"note %d" % row
        out.append(b'"%d","lead%d@example.com","%s"\n' % (row, row, note))
    return b"".join(out)


@pytest.mark.parametrize(
    ("multi_line", "line_of_row"),
    [
        # Row 2 spans lines 3-4, so every later row starts one line further down.
        pytest.param((2,), {1: 2, 2: 3, 3: 5, 4: 6, 60_000: 60_002}, id="near the start"),
        # Row 59,998 spans lines 59,999-60,000.
        pytest.param(
            (59_998,),
            {1: 2, 59_997: 59_998, 59_998: 59_999, 59_999: 60_001, 60_000: 60_002},
            id="near the end",
        ),
        pytest.param(
            (2, 59_998),
            {2: 3, 3: 5, 59_997: 59_999, 59_998: 60_000, 59_999: 60_002, 60_000: 60_003},
            id="near the start and near the end",
        ),
    ],
)
def test_quoted_newline_in_a_large_file_is_read_again_on_one_thread_as_one_value(
    tmp_path, monkeypatch, multi_line, line_of_row
):
    path = tmp_path / "contacts.csv"
    path.write_bytes(_hubspot_contacts(multi_line))
    parallel = reads_in_parallel(monkeypatch)
    table = read_export(path)
    assert parallel == [True, False]  # the parallel read stopped at the quoted newline
    assert table.header == ["Record ID", "Email", "Notes"]
    assert values(table) == [
        [
            str(row),
            f"lead{row}@example.com",
            "first line\nsecond line" if row in multi_line else f"note {row}",
        ]
        for row in range(1, HUBSPOT_ROWS + 1)
    ]
    assert {row: int(table.lines[row - 1]) for row in line_of_row} == line_of_row
    # Every row starts one line below the previous one, two below a row of two lines.
    expected = [
        row + 1 + sum(other < row for other in multi_line) for row in range(1, HUBSPOT_ROWS + 1)
    ]
    assert table.lines.tolist() == expected


def test_large_file_without_quoted_newlines_is_read_in_one_parallel_pass(tmp_path, monkeypatch):
    path = tmp_path / "contacts.csv"
    path.write_bytes(_hubspot_contacts(()))
    parallel = reads_in_parallel(monkeypatch)
    table = read_export(path)
    assert parallel == [True]
    assert len(table.rows) == HUBSPOT_ROWS
    assert values(table)[-1] == ["60000", "lead60000@example.com", "note 60000"]


@pytest.mark.parametrize("encoding", ["utf-8", "cp1252"])
def test_the_file_s_bytes_are_not_held_while_duckdb_reads_it(tmp_path, monkeypatch, encoding):
    # DuckDB reads the file (or its UTF-8 copy) itself: the bytes read for the checks before
    # are let go, or a large export would be in memory twice. Python's own allocations while
    # DuckDB reads must stay far below the file's size.
    path = tmp_path / "contacts.csv"
    path.write_bytes(_hubspot_contacts(()).replace(b"note", "Café".encode(encoding)))
    held_while_reading = []
    fetch = read_module._fetch

    def recording(con, params):
        held_while_reading.append(tracemalloc.get_traced_memory()[0])
        return fetch(con, params)

    monkeypatch.setattr(read_module, "_fetch", recording)
    tracemalloc.start()
    try:
        table = read_export(path)
    finally:
        tracemalloc.stop()
    assert values(table)[-1] == ["60000", "lead60000@example.com", "Café 60000"]
    assert len(held_while_reading) == 1
    assert held_while_reading[0] < path.stat().st_size // 4


def test_each_column_holds_its_own_text_so_one_can_be_let_go_alone(tmp_path):
    # DuckDB frees the rows it hands over a batch at a time, all columns together. The reader
    # copies each column out, so a column parsed into dates is let go while a text field stays:
    # with only the company kept, the reader's pool holds its text and offsets, not the others'.
    rows = 20_000
    path = tmp_path / "wide.csv"
    lines = [f"L{n:05d},2026-01-03 09:00:00,{n:0100d}" for n in range(rows)]
    path.write_text("\n".join(["lead_id,created_at,company", *lines]) + "\n", "utf-8")
    pool = pa.system_memory_pool()  # gives freed memory back to the system at once
    before = pool.bytes_allocated()
    table = read_export(path)
    company = table.rows.column("company")
    others = (6 + 19) * rows + 2 * 4 * (rows + 1)  # the ids' and dates' text and offsets
    assert pool.bytes_allocated() - before >= 100 * rows + others
    del table
    assert company.to_pylist()[-1] == f"{rows - 1:0100d}"
    assert pool.bytes_allocated() - before < 100 * rows + 4 * (rows + 1) + others // 2


def test_quoted_newline_past_the_sniff_sample_in_a_file_quoted_only_where_needed(tmp_path):
    # As Python's csv module and pandas write: a field is quoted only when it must be. The only
    # quoted field is on row 59,998, far past the 20,480 rows the sniffer looks at.
    out = [b"Record ID,Email,Notes\n"]
    for row in range(1, 60_001):
        note = b'"first line\nsecond line"' if row == 59_998 else b"note %d" % row
        out.append(b"%d,lead%d@example.com,%s\n" % (row, row, note))
    path = tmp_path / "contacts.csv"
    path.write_bytes(b"".join(out))
    table = read_export(path)
    assert len(table.rows) == 60_000
    assert values(table)[59_996:] == [
        ["59997", "lead59997@example.com", "note 59997"],
        ["59998", "lead59998@example.com", "first line\nsecond line"],
        ["59999", "lead59999@example.com", "note 59999"],
        ["60000", "lead60000@example.com", "note 60000"],
    ]
    assert table.lines[59_996:].tolist() == [59_998, 59_999, 60_001, 60_002]


# -- large generated files: line numbers, fast and exact --------------------------------------

LEADS_ROWS = 50_500  # not a multiple of 1,000 or 500: the last row is followed by no extra line


def _leads(
    end: bytes = b"\n",
    multi_line_every: int = 0,
    note: bytes = b'"a\nb"',
    empty_line_every: int = 0,
    final_break: bool = True,
    tail: bytes = b"",
) -> bytes:
    """A header and LEADS_ROWS rows ended by ``end``: every ``multi_line_every``-th row has the
    quoted ``note``, an empty line follows every ``empty_line_every``-th row; ``tail`` after
    all."""
    out = [b"ID,Stage,Notes" + end]
    for row in range(1, LEADS_ROWS + 1):
        value = note if multi_line_every and row % multi_line_every == 0 else b"plain"
        out.append(b"%d,open,%s%s" % (row, value, end))
        if empty_line_every and row % empty_line_every == 0:
            out.append(end)
    data = b"".join(out)
    return (data if final_break else data[: -len(end)]) + tail


@pytest.mark.parametrize(
    "layout",
    [
        pytest.param({}, id="LF"),
        pytest.param({"end": b"\r\n"}, id="CRLF"),
        pytest.param({"end": b"\r"}, id="CR (classic Mac)"),
        pytest.param({"final_break": False}, id="no line break after the last row"),
    ],
)
def test_large_file_of_one_line_rows_numbers_them_from_line_2(tmp_path, monkeypatch, layout):
    path = tmp_path / "leads.csv"
    path.write_bytes(_leads(**layout))
    exact = calls_to_record_lines(monkeypatch)
    table = read_export(path)
    assert exact == []  # as many lines as rows: the count alone gives the numbers
    assert len(table.rows) == LEADS_ROWS
    assert table.lines.tolist() == list(range(2, LEADS_ROWS + 2))


def _after_every(step: int):
    """Row r starts on line r + 1, plus one line for each earlier row that is followed by an
    extra line (an empty line, or a second line inside its quotes): (r - 1) // step of them."""
    return lambda row: row + 1 + (row - 1) // step


@pytest.mark.parametrize(
    ("layout", "line_of"),
    [
        pytest.param({"empty_line_every": 1000}, _after_every(1000), id="empty lines, LF"),
        pytest.param(
            {"end": b"\r\n", "empty_line_every": 1000}, _after_every(1000), id="empty lines, CRLF"
        ),
        pytest.param(
            {"end": b"\r", "empty_line_every": 1000}, _after_every(1000), id="empty lines, CR"
        ),
        pytest.param({"multi_line_every": 1000}, _after_every(1000), id="quoted LF"),
        pytest.param(
            {"end": b"\r\n", "multi_line_every": 1000, "note": b'"a\r\nb"'},
            _after_every(1000),
            id="quoted CRLF in a CRLF file",
        ),
        pytest.param(
            {"end": b"\r", "multi_line_every": 1000, "note": b'"a\rb"'},
            _after_every(1000),
            id="quoted CR in a CR file",
        ),
        pytest.param(
            # Each 1,000th row spans three lines (an empty one inside its quotes), and an empty
            # line follows each 500th row.
            {"multi_line_every": 1000, "note": b'"a\n\nb"', "empty_line_every": 500},
            lambda row: row + 1 + 2 * ((row - 1) // 1000) + (row - 1) // 500,
            id="empty lines between rows and inside quotes",
        ),
        pytest.param({"tail": b"\n"}, lambda row: row + 1, id="a trailing empty line"),
        pytest.param({"tail": b"\n\n\n"}, lambda row: row + 1, id="trailing empty lines"),
    ],
)
def test_large_file_with_lines_that_are_no_rows_numbers_each_row_by_its_first_line(
    tmp_path, monkeypatch, layout, line_of
):
    path = tmp_path / "leads.csv"
    path.write_bytes(_leads(**layout))
    exact = calls_to_record_lines(monkeypatch)
    table = read_export(path)
    assert exact == [1]  # more lines than rows: each row's line is worked out
    assert len(table.rows) == LEADS_ROWS
    assert table.lines.tolist() == [line_of(row) for row in range(1, LEADS_ROWS + 1)]


# -- large generated files: blank cells found in the Arrow buffers -----------------------------

# Each cell as written in the file, and the value it must read as: null when blank (empty, or
# only whitespace, Unicode's and the zero-width characters included), otherwise exactly the
# text, spaces kept.
CELLS = [
    (b"", None),
    (b'""', None),
    (b" ", None),
    (b"   ", None),
    (b"\t", None),
    (b" \t\t ", None),
    (b"\f", None),
    (b'"\r"', None),  # a lone carriage return, inside quotes
    (b'" \r "', None),
    (b'"\t\r\f "', None),
    (b" x", " x"),
    (b'" x"', " x"),
    (b"x ", "x "),
    (b"\tx\t", "\tx\t"),
    (b'"\r x"', "\r x"),
    (b"\x01abc", "\x01abc"),  # starts with a control character
    (b"  0  ", "  0  "),
    (b"lead", "lead"),
    (b'" , "', " , "),
    (b"caf\xc3\xa9 ", "café "),
    ("\u00a0".encode(), None),  # no-break space
    ("\u2007\u202f".encode(), None),  # figure space, narrow no-break space
    ('"\u200b"'.encode(), None),  # zero width space, quoted
    (" \ufeff ".encode(), None),  # a stray byte order mark between spaces
    ("x\u00a0".encode(), "x\u00a0"),
    ("\u200bx".encode(), "\u200bx"),
]
CELL_ROWS = 300_000
CELL_COLUMNS = ["First", "Second", "Last"]


class CellsFile(NamedTuple):
    data: bytes  # the file
    table: ExportTable  # as read
    expected: dict[str, list[str | None]]  # per column of CELL_COLUMNS, the value of each row


@pytest.fixture(scope="module", params=["in parallel", "again on one thread"])
def cells_file(request, tmp_path_factory) -> CellsFile:
    """A file of CELL_ROWS rows: ID, Email, then CELL_COLUMNS, each taking CELLS in turn, each
    column 7 further on. DuckDB takes a quoted CR for a quoted newline: the file read in
    parallel leaves those cells out, the other has them and is read again on one thread.
    The Email column keeps the control characters far below the 1% of the text that marks a
    file of binary data."""
    cells = CELLS
    if request.param == "in parallel":
        cells = [cell for cell in CELLS if b"\r" not in cell[0]]
    rows = range(1, CELL_ROWS + 1)
    columns = [[cells[(row + 7 * at) % len(cells)] for row in rows] for at in range(3)]
    out = [b"ID,Email," + ",".join(CELL_COLUMNS).encode() + b"\n"]
    for row, *written in zip(rows, *columns, strict=True):
        text = b",".join(raw for raw, _ in written)
        out.append(b"%d,lead%d@example.com,%s\n" % (row, row, text))
    data = b"".join(out)
    path = tmp_path_factory.mktemp("cells") / "cells.csv"
    path.write_bytes(data)
    with pytest.MonkeyPatch.context() as patch:
        parallel = reads_in_parallel(patch)
        patch.setattr(text_columns, "PART_ROWS", 100_000)  # each column in three parts
        table = read_export(path)
    assert parallel == ([True] if request.param == "in parallel" else [True, False])
    expected = {
        name: [value for _, value in column]
        for name, column in zip(CELL_COLUMNS, columns, strict=True)
    }
    return CellsFile(data, table, expected)


def test_blank_cells_of_a_large_file_are_null_in_every_chunk(cells_file):
    table = cells_file.table
    assert table.header == ["ID", "Email", *CELL_COLUMNS]
    assert len(table.rows) == CELL_ROWS
    for name in CELL_COLUMNS:
        column = table.rows.column(name)
        assert column.num_chunks > 1  # the rule holds across Arrow chunks, not just the first
        nulls = np.flatnonzero(column.is_null().to_numpy(zero_copy_only=False)).tolist()
        blank = [at for at, value in enumerate(cells_file.expected[name]) if value is None]
        assert nulls == blank, name


def test_cells_with_text_in_a_large_file_are_kept_byte_for_byte(cells_file):
    table = cells_file.table
    assert table.rows.column("ID").to_pylist() == [str(row) for row in range(1, CELL_ROWS + 1)]
    for name in CELL_COLUMNS:
        kept = [value.encode() for value in cells_file.expected[name] if value is not None]
        read_back = table.rows.column(name).drop_null().cast(pa.binary()).to_pylist()
        assert read_back == kept, name


# -- one rule for a blank cell ------------------------------------------------------------------

INVISIBLE = ["\u00a0", "\u2007", "\u202f", "\u200b", "\ufeff"]


@pytest.mark.parametrize("character", INVISIBLE)
def test_a_cell_of_only_invisible_whitespace_is_blank(tmp_path, character):
    path = tmp_path / "leads.csv"
    text = f"Lead ID,Owner\nL1,{character}\n{character}{character},Ann\nL3, {character}x\n"
    path.write_bytes(text.encode())
    table = read_export(path)
    assert table.rows.column("Lead ID").to_pylist() == ["L1", None, "L3"]
    assert table.rows.column("Owner").to_pylist() == [None, "Ann", f" {character}x"]
    assert table.lines.tolist() == [2, 3, 4]


def test_whitespace_is_unicode_white_space_and_the_zero_width_characters():
    white_space = {chr(code) for code in range(0x110000) if chr(code).isspace()}
    assert set(text_columns.WHITESPACE) == white_space | {"\u200b", "\u2060", "\ufeff"}


@pytest.mark.parametrize("character", INVISIBLE)
def test_stripped_keeps_the_text_inside_and_makes_blanks_null(character):
    values = pa.array([f"{character} a b{character}", character * 3, None, "", "x"])
    assert text_columns.stripped(values).to_pylist() == ["a b", None, None, None, "x"]
    assert text_columns.blank_to_null(values).to_pylist() == [
        f"{character} a b{character}",
        None,
        None,
        None,
        "x",
    ]


# -- the file as uploaded -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "comma.csv",  # UTF-8: the bytes DuckDB reads
        "utf8_bom.csv",
        "cp1252_euro.csv",  # converted to UTF-8 for DuckDB
        "utf16le_unicode_text.txt",
        "mixed_line_endings.csv",  # read from a copy with LF throughout
        "dates_numbers.xlsx",
    ],
)
def test_the_archived_original_is_the_file_exactly_as_uploaded(name):
    expected = RECIPES[name] if name in RECIPES else (FOLDER / name).read_bytes()
    assert b"".join(read(name).original.blocks()) == expected


def test_the_archived_original_of_a_large_file_is_the_file_exactly_as_uploaded(cells_file):
    original = cells_file.table.original
    assert original.data is None  # read again from disk when archived, not held meanwhile
    assert b"".join(original.blocks()) == cells_file.data


# -- UTF-8 or not: strictly as Python decides -------------------------------------------------


@pytest.mark.parametrize(
    ("sequence", "encoding", "value"),
    [
        # Not UTF-8 for Python: the file is Windows-1252, or Latin-1 for the five bytes
        # Windows-1252 leaves undefined (0x81, 0x8D, 0x8F, 0x90, 0x9D).
        pytest.param(b"\xc0\xaf", "windows-1252", "À¯", id="overlong /"),
        pytest.param(b"\xe0\x80\xaf", "windows-1252", "à€¯", id="overlong / in three bytes"),
        pytest.param(b"\xed\xa0\x80", "windows-1252", "í\xa0€", id="lone surrogate U+D800"),
        pytest.param(b"\xed\xb2\x8d", "latin-1", "í²\x8d", id="lone surrogate U+DC8D"),
        # In Latin-1 every byte is the code point of its value: 0x80 is U+0080, not €.
        pytest.param(b"\xf4\x90\x80\x80", "latin-1", "ô\x90\x80\x80", id="past U+10FFFF"),
        pytest.param(b"\x80", "windows-1252", "€", id="continuation byte alone"),
        pytest.param(b"\xc3", "windows-1252", "Ã", id="2-byte character cut by end of file"),
        pytest.param(b"\xe2\x82", "windows-1252", "â‚", id="3-byte character cut by end of file"),
        pytest.param(b"\xf0\x9f\x98", "windows-1252", "ðŸ˜", id="4-byte character cut by eof"),
        # UTF-8 for Python.
        pytest.param(b"\xe2\x82\xac", "utf-8", "€", id="euro sign at end of file"),
        pytest.param(b"\xf0\x9f\x98\x80", "utf-8", "😀", id="4-byte character at end of file"),
        pytest.param(b"\xf4\x8f\xbf\xbf", "utf-8", "\U0010ffff", id="U+10FFFF, the last"),
        pytest.param(b"\xef\xbf\xbe", "utf-8", "\ufffe", id="noncharacter U+FFFE"),
    ],
)
def test_file_is_utf8_exactly_when_python_decodes_it_strictly(tmp_path, sequence, encoding, value):
    # 5,000 ASCII rows (past the first 64K characters the checks for binary data read), then a
    # last row whose company ends the file with the sequence, without a final line break.
    rows = b"".join(b"%d,Lead %d\n" % (row, row) for row in range(1, 5001))
    data = b"Lead ID,Company\n" + rows + b"5001,x" + sequence
    assert len(data) > 65_536
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        python_reads_utf8 = False
    else:
        python_reads_utf8 = True
    assert python_reads_utf8 == (encoding == "utf-8")  # the case is what its id says
    path = tmp_path / "leads.csv"
    path.write_bytes(data)
    table = read_export(path)
    assert table.encoding == encoding
    assert len(table.rows) == 5001
    assert values(table)[-1] == ["5001", "x" + value]


if __name__ == "__main__":
    write_fixtures()


def test_a_totals_row_over_an_accounting_minus_is_still_a_totals_row(tmp_path):
    # 1,234.56 - 500.00 - 0.50 + 1,000.00 = 1,734.06: line 6 sums the amounts above it, the
    # parenthesised one taken off, so it is a totals row, not a deal.
    table = read_written(
        tmp_path,
        "deal_id;created_at;amount\n"
        "D1;2026-10-01;1.234,56\n"
        "D2;2026-10-02;(500,00)\n"
        "D3;2026-10-03;-0,5\n"
        "D4;2026-10-03;1.000\n"
        "Totaal;;1.734,06\n",
    )
    assert table.rows.column("deal_id").to_pylist() == ["D1", "D2", "D3", "D4"]
    assert list(table.totals_lines) == [6]


def test_a_blank_row_among_the_data_leaves_each_column_in_its_parts(tmp_path, monkeypatch):
    # The blank row on line 5,002 is dropped; the rows around it keep the parts they were read
    # in (a million rows each; here 4,096), so a date column is still parsed a part at a time.
    monkeypatch.setattr(text_columns, "PART_ROWS", 4_096)
    rows = [f"L{n},2026-01-03 09:00:00" for n in range(10_000)]
    rows[5_000] = ","
    path = tmp_path / "gap.csv"
    path.write_text("\n".join(["lead_id,created_at", *rows]) + "\n", "utf-8")
    table = read_export(path)
    assert table.rows.num_rows == 9_999
    assert table.rows.column("lead_id").num_chunks >= 2
    assert table.rows.column("lead_id")[5_000].as_py() == "L5001"
    assert int(table.lines[5_000]) == 5_003  # the header is line 1, L5001 line 5,003
    assert "skipped 1 blank row (line 5002)" in table.notes


def test_a_totals_row_labelled_beside_its_blank_id_is_still_a_totals_row(tmp_path):
    # A HubSpot deals report with a totals line a person added: no Record ID, "Totaal" under
    # Deal Name, and 1.234,56 + 500,00 + 2.000,00 = 3.734,56 under Amount (the fourth deal has
    # none). It sums the rows above, so it is no deal with a blank id.
    table = read_written(
        tmp_path,
        '"Record ID";"Deal Name";"Deal Stage";"Amount";"Create Date"\n'
        '"9001";"Acme";"Closed won";"1.234,56";"10-03-2026 09:00"\n'
        '"9002";"Beta";"Closed lost";"500,00";"12-03-2026 09:00"\n'
        '"9003";"Gamma";"Contract signed";"2.000,00";"18-03-2026 09:00"\n'
        '"9004";"Delta";"Closed won";"";"21-03-2026 09:00"\n'
        '"";"Totaal";"";"3.734,56";""\n',
    )
    assert table.rows.column("Record ID").to_pylist() == ["9001", "9002", "9003", "9004"]
    assert list(table.totals_lines) == [6]
    assert table.notes == ["dropped the totals row on line 6 ('Totaal | 3.734,56')"]


def test_a_row_with_a_blank_id_and_a_name_that_sums_nothing_is_data(tmp_path):
    # "Gamma" is a name, not a totals label, and 250,00 is not 1.234,56 + 500,00: the row is a
    # deal whose id is missing (validation rejects it, naming its line), never dropped unsaid.
    table = read_written(
        tmp_path,
        '"Record ID";"Deal Name";"Amount"\n'
        '"9001";"Acme";"1.234,56"\n'
        '"9002";"Beta";"500,00"\n'
        '"";"Gamma";"250,00"\n',
    )
    assert table.rows.column("Deal Name").to_pylist() == ["Acme", "Beta", "Gamma"]
    assert list(table.totals_lines) == []


def test_a_semicolon_report_whose_footer_holds_a_comma_is_read_by_its_semicolons(tmp_path):
    # DuckDB's sniffer took the footer's one comma for the delimiter and found two columns;
    # the semicolon is on 6 of the 9 lines, the comma on 1: the table is split by semicolons.
    table = read_written(
        tmp_path,
        "Leads report\n"
        "\n"
        "Lead ID;Created Date;Lead Source\n"
        "00Q1;08-06-2026 15:38;Web\n"
        "00Q2;09-06-2026 10:00;Trade Show\n"
        "00Q3;13-06-2026 11:00;Partner Referral\n"
        "00Q4;14-06-2026 11:00;Web\n"
        "Total;4\n"
        "Copyright (c) 2000-2026 salesforce.com, inc. All rights reserved.\n",
    )
    assert (table.delimiter, table.header) == (";", ["Lead ID", "Created Date", "Lead Source"])
    assert table.rows.column("Lead ID").to_pylist() == ["00Q1", "00Q2", "00Q3", "00Q4"]
    assert table.lines.tolist() == [4, 5, 6, 7]


def test_a_comma_file_whose_notes_hold_semicolons_stays_a_comma_file(tmp_path):
    # Two columns by the comma on every line; the semicolons are inside the notes.
    table = read_written(
        tmp_path,
        "lead_id,notes\nL1,called; no answer; retry\nL2,sent deck; booked demo; won\n",
    )
    assert (table.delimiter, table.header) == (",", ["lead_id", "notes"])
    assert table.rows.column("notes").to_pylist() == [
        "called; no answer; retry",
        "sent deck; booked demo; won",
    ]


def test_a_folder_is_named_a_folder_not_a_missing_file(tmp_path):
    # It said "The file was not found." of a folder that is there.
    folder = tmp_path / "exports"
    folder.mkdir()
    with pytest.raises(ImportRefused) as caught:
        read_export(folder)
    [problem] = caught.value.problems
    assert (
        problem.reason == f"The file is a folder ({folder}), not a file. Name the export inside it."
    )


def test_a_device_or_a_pipe_is_named_so_not_a_missing_file(tmp_path):
    # It said "The file was not found." of /dev/null and of a named pipe, which are there.
    pipe = tmp_path / "exports.csv"
    os.mkfifo(pipe)
    for path in (Path("/dev/null"), pipe):
        with pytest.raises(ImportRefused) as caught:
            read_export(path)
        [problem] = caught.value.problems
        assert problem.reason == (
            f"The file is no file of data ({path} is a device, a pipe or a socket). Upload the "
            "CSV or XLSX export itself."
        )


def test_bytes_of_no_text_encoding_on_one_line_are_not_called_two_encodings(tmp_path):
    # A line holding both UTF-8 and other bytes read "line 1 is UTF-8 and line 1 is not".
    path = tmp_path / "random.csv"
    # "Café" in UTF-8, then a byte no UTF-8 holds, on the same line.
    path.write_bytes(b"lead_id,created_at\nL1,Caf\xc3\xa9 \x81\n")
    with pytest.raises(ImportRefused) as caught:
        read_export(path)
    [problem] = caught.value.problems
    assert problem.reason.startswith("The file holds bytes that are no text encoding's on line 2.")
    assert "line 2 is UTF-8 and line 2 is not" not in problem.reason
