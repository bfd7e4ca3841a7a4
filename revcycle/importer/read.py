"""Read an export as the analyst has it — CSV in any usual dialect and encoding, or XLSX — into
text rows that remember the line of the file each came from.

Nothing is interpreted here: every value stays the text the file holds (``"1.234,56"``,
``"08-06-2020 15:38"``, ``"45231"``), so the parse step can decide each column's format over the
whole column, and every problem found later can name the file's own line number.
"""

import logging
import re
import tempfile
import zipfile
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path

import duckdb
import numpy as np
import openpyxl
import pandas as pd

from revcycle.importer.problems import ImportRefused, Problem

log = logging.getLogger(__name__)

MB = 1024 * 1024

SAVE_AGAIN = "Open it in Excel and save it as .xlsx or CSV UTF-8, then upload that file."


@dataclass(frozen=True, eq=False)  # eq would compare DataFrames, which has no single answer
class ExportTable:
    """One export as text: the header, the data rows, and where each row is in the file."""

    file_name: str
    header: list[str]  # column names as the file has them, made unique
    rows: pd.DataFrame  # one column per header name; every value a str, or None when blank
    lines: list[int]  # the 1-based line (CSV) or sheet row (XLSX) where each row starts
    encoding: str  # the text encoding the file was read as; "xlsx" for a workbook
    delimiter: str | None  # None for a workbook or a single-column file
    notes: list[str]  # what was skipped or decided, in plain sentences


def read_export(path: Path, max_bytes: int = 200 * MB) -> ExportTable:
    """Read a CSV or XLSX export into text rows with their line numbers.

    Refuses (``ImportRefused``, with a sentence saying what to do instead) a file larger than
    ``max_bytes``, an old binary ``.xls``, and anything that is not a table: PDF, image, archive,
    web page, binary data, an empty file. A file with a header and no rows is not refused.
    """
    path = Path(path)
    try:
        return _read(path, max_bytes)
    except ImportRefused:
        raise
    except OSError as error:
        raise _refused(path, f"could not be opened ({error.strerror or error}).") from error
    except Exception as error:  # a file we did not foresee must not become a traceback
        log.exception("reading %s failed", path)
        reason = f"could not be read ({type(error).__name__}: {error}). {SAVE_AGAIN}"
        raise _refused(path, reason) from error


def _read(path: Path, max_bytes: int) -> ExportTable:
    if not path.is_file():
        raise _refused(path, "was not found.")
    size = path.stat().st_size
    if size > max_bytes:
        raise _refused(
            path,
            f"is {_size(size)}; the limit is {_size(max_bytes)}. Split the export by date range "
            "(for example one file per quarter) and upload the parts one after another.",
        )
    if size == 0:
        raise _refused(path, "is empty (0 bytes). Export the report again and upload that file.")
    with path.open("rb") as handle:
        head = handle.read(8)
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):  # a zip archive, as XLSX files are
        cells, lines, notes = _read_xlsx(path)
        return _table(path, cells, lines, "xlsx", None, notes)
    _refuse_known_binary(path, head)
    return _read_text(path)


# -- what the file is -------------------------------------------------------------------------

_NOT_TABLES = [
    (b"%PDF", "is a PDF document, not a data export. Export the report as CSV or XLSX instead."),
    (b"\x89PNG", "is a PNG image, not a data export. Upload the CSV or XLSX export itself."),
    (b"\xff\xd8\xff", "is a JPEG image, not a data export. Upload the CSV or XLSX export itself."),
    (b"GIF8", "is a GIF image, not a data export. Upload the CSV or XLSX export itself."),
    (b"\x1f\x8b", "is compressed with gzip. Decompress it and upload the CSV inside."),
    (b"7z\xbc\xaf", "is a 7-Zip archive. Extract it and upload the CSV or XLSX inside."),
    (b"Rar!", "is a RAR archive. Extract it and upload the CSV or XLSX inside."),
]
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the compound-file header of .xls (and of .doc)


def _refuse_known_binary(path: Path, head: bytes) -> None:
    if head.startswith(_OLE2):
        raise _refused(
            path,
            "is an old binary Excel workbook (.xls) or a password-protected one, which cannot be "
            "read. Open it in Excel and save it as .xlsx or CSV UTF-8 (without a password), "
            "then upload that file.",
        )
    for magic, reason in _NOT_TABLES:
        if head.startswith(magic):
            raise _refused(path, reason)


# -- text files: encoding ---------------------------------------------------------------------

_BOMS = [
    (b"\xef\xbb\xbf", "utf-8-sig", "read as UTF-8 (the byte order mark was dropped)"),
    (b"\xff\xfe", "utf-16-le", "read as UTF-16 little-endian (Excel Unicode text)"),
    (b"\xfe\xff", "utf-16-be", "read as UTF-16 big-endian"),
]


def _decode(path: Path, data: bytes) -> tuple[str, str, str | None]:
    """The file's text, the encoding it was read as, and a note saying so.

    The rule: a byte order mark decides (UTF-8, UTF-16 LE, UTF-16 BE); otherwise the bytes are
    UTF-8 if they decode as UTF-8 strictly; otherwise Windows-1252, the encoding Excel and
    Salesforce use in western Europe and America (``€`` is byte 0x80); otherwise Latin-1, which
    every byte sequence decodes as — needed only for the five bytes Windows-1252 leaves
    undefined (0x81, 0x8D, 0x8F, 0x90, 0x9D). A Latin-1 file without those bytes reads the same
    as Windows-1252, since the two agree on every other byte a text file uses.
    """
    for bom, encoding, note in _BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom) :].decode(encoding.removesuffix("-sig")), encoding, note
            except UnicodeDecodeError as error:
                raise _refused(
                    path, f"starts like {encoding} text but is not valid {encoding}. {SAVE_AGAIN}"
                ) from error
    try:
        return data.decode("utf-8"), "utf-8", None
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "windows-1252", "read as Windows-1252 (it is not UTF-8)"
    except UnicodeDecodeError:
        return (
            data.decode("latin-1"),
            "latin-1",
            "read as Latin-1 (it is neither UTF-8 nor Windows-1252)",
        )


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


def _refuse_non_table_text(path: Path, text: str) -> None:
    sample = text[:4096]
    if sample.count("\x00") * 3 > len(sample):  # every other byte zero: UTF-16 text
        raise _refused(
            path,
            "looks like UTF-16 text without a byte order mark, which cannot be read reliably. "
            "Open it in Excel and save it as CSV UTF-8, then upload that file.",
        )
    if "\x00" in text or len(_CONTROL.findall(text[:65536])) > len(text[:65536]) // 100:
        raise _refused(
            path,
            "holds binary data, not text or a spreadsheet. Upload the CSV or XLSX export itself.",
        )
    start = text[:4096].lstrip().lower()
    if start.startswith(("<!doctype html", "<html", "<?xml", "<table")):
        raise _refused(path, f"is a web page or XML document, not a CSV export. {SAVE_AGAIN}")
    if text.isspace():
        raise _refused(path, "holds only blank lines. Export the report again and upload that.")


# -- text files: DuckDB's CSV reader ----------------------------------------------------------

# The whole file is read as text rows, the header row included (header = false), so that title
# lines above the header and a totals row below it are seen and decided on here, in the open.
# comment = '' because the sniffer otherwise takes a first cell starting with "#" for a comment
# and drops the line; null_padding lets a title line be shorter than the table; and DuckDB
# needs a single-threaded scan (parallel = false) for null padding with quoted newlines.
# A cell holding only whitespace is blank (NULL); any other value is kept exactly as read.
# line_breaks counts the breaks inside the row's raw values, for _record_lines.
_SNIFF_SQL = """
select Delimiter as delimiter
from sniff_csv($path, header = false, comment = '', null_padding = true)
"""
_READ_SQL = """
select
    case when regexp_full_match(columns(*), '\\s*') then null else columns(*) end,
    length(concat(*columns(*))) - length(replace(concat(*columns(*)), $newline, ''))
        as line_breaks
from read_csv(
    $path,
    header = false,
    comment = '',
    null_padding = true,
    parallel = false,
    all_varchar = true
)
"""
_DUCKDB_LINE = re.compile(r"CSV Error on Line: (\d+)")
_DUCKDB_ORIGINAL = re.compile(r"Original Line: (.*)")


def _read_text(path: Path) -> ExportTable:
    data = path.read_bytes()
    text, encoding, note = _decode(path, data)
    notes = [note] if note else []
    _refuse_non_table_text(path, text)
    with tempfile.TemporaryDirectory(prefix="revcycle-read-") as folder:
        copy = Path(folder) / "export.csv"
        source = path
        if encoding not in ("utf-8", "utf-8-sig"):  # DuckDB reads UTF-8 (and skips its BOM)
            data = text.encode("utf-8")
            copy.write_bytes(data)
            source = copy
        del text
        try:
            delimiter, cells, breaks = _duckdb_read(source, _newline(data))
        except duckdb.Error as error:
            if not _mixes_line_endings(data):
                raise _duckdb_refusal(path, error) from error
            # DuckDB's sniffer finds no dialect when a file has both line endings (files pasted
            # together, blank lines added on Windows): read a copy with LF throughout. Line
            # numbers stay the same; a CRLF inside a quoted value becomes a plain LF.
            data = data.replace(b"\r\n", b"\n")
            copy.write_bytes(data)
            notes.append("the file mixes CRLF and LF line endings; read it with LF throughout")
            try:
                delimiter, cells, breaks = _duckdb_read(copy, "\n")
            except duckdb.Error as second:
                raise _duckdb_refusal(path, second) from second
    lines = _record_lines(path, data, breaks, single_column=cells.shape[1] == 1)
    if cells.shape[1] == 1:
        delimiter = None  # one column has no delimiter; the sniffer's default would mislead
    return _table(path, cells, lines, encoding, delimiter, notes)


def _duckdb_read(source: Path, newline: str) -> tuple[str, pd.DataFrame, np.ndarray]:
    """The sniffed delimiter, the rows as text (None when blank), and each row's line breaks."""
    con = duckdb.connect()
    try:
        con.execute("set enable_progress_bar = false")  # a relation would draw one on stderr
        delimiter = con.execute(_SNIFF_SQL, {"path": str(source)}).fetchall()[0][0]
        # Through Arrow: DuckDB hands over its text in bulk, and Arrow makes the Python strings
        # (None for NULL) faster than fetchnumpy's masked object arrays do.
        relation = con.sql(_READ_SQL, params={"path": str(source), "newline": newline})
        # DuckDB 1.4 renamed fetch_arrow_table (now deprecated) to to_arrow_table.
        result = getattr(relation, "to_arrow_table", relation.fetch_arrow_table)()
    finally:
        con.close()
    breaks = result.column(result.num_columns - 1).to_numpy().astype(np.int64)
    columns = {
        position: result.column(position).to_numpy(zero_copy_only=False)
        for position in range(result.num_columns - 1)
    }
    cells = pd.DataFrame(columns, index=pd.RangeIndex(len(breaks)), dtype=object)
    return delimiter, cells, breaks


def _newline(data: bytes) -> str:
    return "\n" if b"\n" in data else "\r"  # a file from classic Mac OS ends lines with CR


def _mixes_line_endings(data: bytes) -> bool:
    crlf = data.count(b"\r\n")
    return 0 < crlf < data.count(b"\n")


def _duckdb_refusal(path: Path, error: duckdb.Error) -> ImportRefused:
    message = str(error)
    line = _DUCKDB_LINE.search(message)
    original = _DUCKDB_ORIGINAL.search(message)
    if line:
        detail = [
            text
            for text in message.splitlines()[2:]
            if text.strip() and not text.startswith(("Possible fixes", "*"))
        ]
        reason = (
            f"the CSV reader could not read this line ({detail[0].strip() if detail else ''}). "
            "Look for a stray delimiter or quotation mark on it, or save the file again as CSV "
            "UTF-8."
        )
        problem = Problem(
            path.name,
            int(line.group(1)),
            None,
            original.group(1) if original else None,
            reason,
        )
        return ImportRefused([problem])
    if "sniffing" in message:
        return _refused(
            path,
            "could not be read as a table: no delimiter (comma, semicolon, tab or |) and "
            f"quoting fit its lines. {SAVE_AGAIN}",
        )
    first = message.strip().splitlines()[0] if message.strip() else type(error).__name__
    return _refused(path, f"could not be read as CSV ({first}). {SAVE_AGAIN}")


def _record_lines(path: Path, data: bytes, breaks: np.ndarray, single_column: bool) -> np.ndarray:
    """The physical line on which each row DuckDB returned starts.

    DuckDB does not report line numbers for rows it reads, so they are counted: a row spans one
    line plus the line breaks inside its (quoted) values, so each row starts one line after the
    previous row ended. Counting the breaks in the parsed values rather than in the bytes keeps
    the quoting rules DuckDB's alone. A CRLF inside quotes is one break, counted by its LF.
    DuckDB skips empty lines between rows — except in a single-column file, where an empty line
    is a row with a blank value — so in a multi-column file empty lines are stepped over.
    The result is checked against the file's line count; a mismatch refuses the file rather
    than pin problems to the wrong lines.
    """
    newline = _newline(data)
    spans = breaks + 1
    raw = np.frombuffer(data, dtype=np.uint8)
    breaks = np.flatnonzero(raw == ord(newline))
    starts = np.concatenate(([0], breaks + 1))
    ends = np.concatenate((breaks, [len(raw)]))
    if data.endswith(newline.encode()):
        starts, ends = starts[:-1], ends[:-1]  # the final line break ends a line, opens none
    length = ends - starts
    cr_only = np.zeros(len(starts), dtype=bool)
    one = np.flatnonzero(length == 1)
    cr_only[one] = raw[starts[one]] == ord("\r")
    empty = (length == 0) | cr_only
    line_count = len(starts)

    if single_column or not empty.any():
        first = np.cumsum(spans) - spans + 1
        used = int(spans.sum())
        consistent = used == line_count
    else:
        first = np.empty(len(spans), dtype=np.int64)
        position = 0  # index of the next unread line
        for row, span in enumerate(spans):
            while position < line_count and empty[position]:
                position += 1
            first[row] = position + 1
            position += int(span)
        consistent = position <= line_count and bool(empty[position:].all())
    if not consistent:
        raise _refused(
            path,
            "could not be matched line by line with what the CSV reader read, so problems could "
            f"not be shown at the right lines. {SAVE_AGAIN}",
        )
    return first


# -- XLSX -------------------------------------------------------------------------------------


def _read_xlsx(path: Path) -> tuple[pd.DataFrame, np.ndarray, list[str]]:
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
    except zipfile.BadZipFile as error:
        raise _refused(path, f"is a damaged zip or Excel file. {SAVE_AGAIN}") from error
    if "xl/workbook.bin" in names:
        raise _refused(path, f"is a binary Excel workbook (.xlsb). {SAVE_AGAIN}")
    if "content.xml" in names and "mimetype" in names:
        raise _refused(path, f"is an OpenDocument file, not an Excel workbook. {SAVE_AGAIN}")
    if "xl/workbook.xml" not in names:
        raise _refused(
            path,
            "is a zip archive, not an Excel workbook. Extract it and upload the CSV or XLSX "
            "inside.",
        )
    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as error:
        log.warning("openpyxl could not open %s: %s", path, error)
        raise _refused(path, f"could not be opened as an Excel workbook. {SAVE_AGAIN}") from error
    try:
        sheet_names = [sheet.title for sheet in workbook.worksheets]
        for sheet in workbook.worksheets:
            # Some tools write a wrong size into the sheet; read what is there instead.
            sheet.reset_dimensions()
            grid = [
                [_cell_text(cell) for cell in row] for row in sheet.iter_rows(min_row=1, min_col=1)
            ]
            if any(value is not None for row in grid for value in row):
                break
        else:
            raise _refused(path, "has no data on any sheet. Export the report again.")
    finally:
        workbook.close()
    notes = []
    if len(sheet_names) > 1:
        others = ", ".join(f"'{name}'" for name in sheet_names if name != sheet.title)
        notes.append(f"read the sheet '{sheet.title}', the first with data; ignored {others}")
    width = max(len(row) for row in grid)
    cells = pd.DataFrame([row + [None] * (width - len(row)) for row in grid], dtype=object)
    lines = np.arange(1, len(grid) + 1)  # iter_rows from row 1 yields every row, empty or not
    return cells, lines, notes


_FORMAT_LITERALS = re.compile(r'"[^"]*"|\[[^\]]*\]|\\.')


def _cell_text(cell) -> str | None:
    """A cell's value as text, losing nothing: what is stored, not what Excel displays."""
    value = cell.value
    if value is None:
        return None
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, datetime):
        number_format = _FORMAT_LITERALS.sub("", str(cell.number_format or "")).lower()
        shows_time = "h" in number_format or "s" in number_format
        if value.time() == time(0) and not shows_time:
            return value.date().isoformat()
        spec = "microseconds" if value.microsecond else "seconds"
        return value.isoformat(sep=" ", timespec=spec)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):
        return value.isoformat(timespec="microseconds" if value.microsecond else "seconds")
    if isinstance(value, timedelta):
        seconds = int(value.total_seconds())
        sign = "-" if seconds < 0 else ""
        hours, rest = divmod(abs(seconds), 3600)
        return f"{sign}{hours}:{rest // 60:02d}:{rest % 60:02d}"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _number_text(value)
    text = str(value)
    return text if text.strip() else None


def _number_text(value: float) -> str:
    """A float as Excel holds it: at most 15 significant digits, never an exponent."""
    if value != value or value in (float("inf"), float("-inf")):
        return str(value)
    if value.is_integer() and abs(value) < 2**53:
        return str(int(value))
    shortest = repr(value)
    digits = len(shortest.split("e")[0].replace("-", "").replace(".", "").lstrip("0"))
    if digits > 15:  # binary noise beyond Excel's precision (0.1 + 0.2 -> 0.3)
        shortest = format(value, ".15g")
    text = format(Decimal(shortest), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


# -- from a grid of text to the table ---------------------------------------------------------

_TOTAL = re.compile(
    r"\s*(grand\s+totals?|totals?(\s+g[eé]n[eé]ral)?|totale|totaal|totaux|sum|summe|suma"
    r"|gesamt|gesamtsumme)\s*:?"
    r"\s*(\(.*\))?\s*",
    re.IGNORECASE,
)
_NUMBER = re.compile(r"\s*[-+(]?\s*[€$£¥]?\s*[-+]?\d[\d.,'\s\u00a0\u202f]*\)?\s*%?\s*[€$£¥]?\s*")
_FOOTER = re.compile(
    r"copyright|\(c\)\s*\d{4}|©|all rights reserved|generated by|confidential information",
    re.IGNORECASE,
)


def _table(
    path: Path,
    cells: pd.DataFrame,
    lines: np.ndarray,
    encoding: str,
    delimiter: str | None,
    notes: list[str],
) -> ExportTable:
    """Find the header, drop what is not data (titles, footer, totals, blank rows), name columns.

    The header is the first row with more non-empty cells than half the usual width of a row
    (the most common position of the last non-empty cell among rows filling two cells or more):
    title and filter lines above it, which fill one cell, are skipped. Below the data, a footer
    (a "Copyright …", "Generated by …" or "Confidential …" line and the one-cell lines after it)
    and then one totals row (first cell "Total", "Grand Totals (12 records)", "Summe",
    "Gesamt" …, or no first cell and only numbers) are dropped, and so are blank rows. Every
    skipped line is named in the notes.
    """
    filled = np.not_equal(cells.to_numpy(), None)
    counts = filled.sum(axis=1)
    if not counts.any():
        raise _refused(path, "holds only blank lines. Export the report again and upload that.")
    widths = np.where(counts > 0, filled.shape[1] - np.argmax(filled[:, ::-1], axis=1), 0)
    # Title, filter and footer lines fill one cell; they do not count towards the usual width.
    wide = counts > 1 if (counts > 1).any() else counts > 0
    values, frequency = np.unique(widths[wide], return_counts=True)
    usual = values[frequency == frequency.max()].max()
    candidates = np.flatnonzero(counts * 2 > usual)
    header_at = int(candidates[0]) if len(candidates) else int(np.argmax(counts))

    skipped = [row for row in range(header_at) if counts[row] > 0]
    if skipped:
        shown = "; ".join(f"line {lines[row]}: '{_row_text(cells, row)}'" for row in skipped[:3])
        more = "" if len(skipped) <= 3 else f"; and {len(skipped) - 3} more"
        notes.append(
            f"skipped {_count(len(skipped), 'title line')} above the header ({shown}{more}); "
            f"the header is on line {lines[header_at]}"
        )

    width = int(widths[header_at])
    body = np.arange(header_at + 1, len(cells))
    too_wide = body[widths[body] > width]
    if len(too_wide):
        raise ImportRefused(
            [
                Problem(
                    path.name,
                    int(lines[row]),
                    None,
                    _row_text(cells, row),
                    f"this line has a value in column {widths[row]}, but the header "
                    f"(line {lines[header_at]}) names only {width} columns. Remove the extra "
                    "value or the stray delimiter, or add the missing column name.",
                )
                for row in too_wide[:10]
            ]
        )

    keep = body[counts[body] > 0]
    keep, footer = _drop_footer(cells, counts, keep)
    if len(footer):
        notes.append(
            f"dropped {_count(len(footer), 'footer line')} from line {lines[footer[0]]} "
            f"('{_row_text(cells, footer[0])}')"
        )
    if len(keep) and _is_totals(cells, keep[-1]):
        notes.append(
            f"dropped the totals row on line {lines[keep[-1]]} ('{_row_text(cells, keep[-1])}')"
        )
        keep = keep[:-1]
    last = keep[-1] if len(keep) else header_at
    end = footer[0] if len(footer) else len(cells)
    blank = body[counts[body] == 0]
    inside = blank[blank < last]
    trailing = blank[(blank > last) & (blank < end)]
    if len(inside):
        shown = ", ".join(str(lines[row]) for row in inside[:10])
        where = "line" if len(inside) == 1 else "lines"
        notes.append(f"skipped {_count(len(inside), 'blank row')} ({where} {shown})")
    if len(trailing):
        notes.append(
            f"removed {_count(len(trailing), 'blank row')} at the end "
            f"(from line {lines[trailing[0]]})"
        )

    header = _column_names(cells.iloc[header_at, :width].tolist(), notes)
    rows = cells.iloc[keep, :width].set_axis(header, axis="columns").reset_index(drop=True)
    return ExportTable(
        file_name=path.name,
        header=header,
        rows=rows,
        lines=lines[keep].tolist(),
        encoding=encoding,
        delimiter=delimiter,
        notes=notes,
    )


def _drop_footer(
    cells: pd.DataFrame, counts: np.ndarray, keep: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Split off the footer: a footer line and only one-cell lines after it, at the very end."""
    start = len(keep)
    for position in range(len(keep) - 1, -1, -1):
        row = keep[position]
        if counts[row] != 1 or cells.iat[row, 0] is None:
            break
        if _FOOTER.search(cells.iat[row, 0]):
            start = position
    return keep[:start], keep[start:]


def _is_totals(cells: pd.DataFrame, row: int) -> bool:
    first = cells.iat[row, 0]
    if first is not None:
        return bool(_TOTAL.fullmatch(first))
    others = [value for value in cells.iloc[row, 1:] if value is not None]
    return bool(others) and all(_NUMBER.fullmatch(value) for value in others)


def _column_names(raw: list[str | None], notes: list[str]) -> list[str]:
    names = []
    for position, value in enumerate(raw, start=1):
        name = (value or "").replace("\ufeff", "").strip()
        if not name:
            name = f"Column {position}"
            notes.append(f"column {position} has no name in the header; called it '{name}'")
        names.append(name)
    unique: list[str] = []
    for name in names:
        if name in unique:
            number = 2
            while f"{name} ({number})" in unique or f"{name} ({number})" in names:
                number += 1
            renamed = f"{name} ({number})"
            notes.append(f"the column name '{name}' occurs again; called it '{renamed}'")
            name = renamed
        unique.append(name)
    return unique


def _row_text(cells: pd.DataFrame, row: int) -> str:
    text = " | ".join(value for value in cells.iloc[row] if value is not None)
    return text if len(text) <= 80 else text[:77] + "..."


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def _size(size: int) -> str:
    if size >= 10 * MB:
        return f"{size / MB:.0f} MB"
    if size >= MB:
        return f"{size / MB:.1f} MB"
    if size >= 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size} bytes"


def _refused(path: Path, reason: str) -> ImportRefused:
    return ImportRefused([Problem(path.name, None, None, None, f"The file {reason}")])
