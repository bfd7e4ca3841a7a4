"""Read an export as the analyst has it — CSV in any usual dialect and encoding, or XLSX — into
text rows that remember the line of the file each came from.

Nothing is interpreted here: every value stays the text the file holds (``"1.234,56"``,
``"08-06-2020 15:38"``, ``"45231"``), so the parse step can decide each column's format over the
whole column, and every problem found later can name the file's own line number.

The rows stay in Arrow from DuckDB's CSV reader to the caller: a million-row export never becomes
Python strings here, and the per-row work (blank cells, line numbers, where the header and the
data are) is done column-wise with pyarrow and numpy.
"""

import logging
import re
import tempfile
import zipfile
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path

import duckdb
import numpy as np
import openpyxl
import pyarrow as pa
import pyarrow.compute as pc

from revcycle import settings
from revcycle.importer.problems import (
    EXTRA_VALUE,
    NOT_A_TABLE,
    TOO_LARGE,
    UNREADABLE_LINE,
    ImportRefused,
    Problem,
)

log = logging.getLogger(__name__)

MB = settings.MB

SAVE_AGAIN = "Open it in Excel and save it as .xlsx or CSV UTF-8, then upload that file."


@dataclass(frozen=True, eq=False)  # eq would compare Arrow tables and arrays: no single answer
class ExportTable:
    """One export as text: the header, the data rows, and where each row is in the file."""

    file_name: str
    header: list[str]  # column names as the file has them, made unique
    # One pa.string() column per header name, in header order (its chunks as read): every value
    # the text exactly as read, or null when the cell is blank (see blank_to_null).
    rows: pa.Table
    # int64, one per row: the 1-based line (CSV) or sheet row (XLSX) where the row starts.
    lines: np.ndarray
    encoding: str  # the text encoding the file was read as; "xlsx" for a workbook
    delimiter: str | None  # None for a workbook or a single-column file
    notes: list[str]  # what was skipped or decided, in plain sentences
    # The file as uploaded, read once here for the upload's archive (not in the repr: a failing
    # test or a log line printing the table would show up to 200 MB).
    file_bytes: bytes = field(default=b"", repr=False)


def read_export(path: Path, max_bytes: int | None = None) -> ExportTable:
    """Read a CSV or XLSX export into text rows with their line numbers.

    Refuses (``ImportRefused``, with a sentence saying what to do instead) a file larger than
    ``max_bytes`` (by default the ``REVCYCLE_MAX_UPLOAD_MB`` setting), an old binary ``.xls``,
    and anything that is not a table: PDF, image, archive,
    web page, binary data, an empty file. A file with a header and no rows is not refused.
    """
    path = Path(path)
    try:
        return _read(path, max_bytes or settings.max_upload_bytes())
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
            TOO_LARGE,
        )
    if size == 0:
        raise _refused(path, "is empty (0 bytes). Export the report again and upload that file.")
    data = path.read_bytes()
    head = data[:8]
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):  # a zip archive, as XLSX files are
        cells, lines, notes = _read_xlsx(path)
        table = _table(path, cells, lines, "xlsx", None, notes)
    else:
        _refuse_known_binary(path, head)
        table = _read_text(path, data)
    return replace(table, file_bytes=data)


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


def _decode(path: Path, data: bytes) -> tuple[str | None, str, str | None]:
    """The file's text, the encoding it was read as, and a note saying so.

    The rule: a byte order mark decides (UTF-8, UTF-16 LE, UTF-16 BE); otherwise the bytes are
    UTF-8 if they decode as UTF-8 strictly; otherwise Windows-1252, the encoding Excel and
    Salesforce use in western Europe and America (``€`` is byte 0x80); otherwise Latin-1, which
    every byte sequence decodes as — needed only for the five bytes Windows-1252 leaves
    undefined (0x81, 0x8D, 0x8F, 0x90, 0x9D). A Latin-1 file without those bytes reads the same
    as Windows-1252, since the two agree on every other byte a text file uses.

    The text is None for a UTF-8 file (with or without its byte order mark): its bytes are the
    text DuckDB reads, so the file is only checked to be UTF-8, never decoded into a Python
    string of its whole size that nothing would use.
    """
    for bom, encoding, note in _BOMS:
        if data.startswith(bom):
            if encoding == "utf-8-sig" and _is_utf8(data):  # the mark is valid UTF-8 itself
                return None, encoding, note
            try:
                return data[len(bom) :].decode(encoding.removesuffix("-sig")), encoding, note
            except UnicodeDecodeError as error:
                raise _refused(
                    path, f"starts like {encoding} text but is not valid {encoding}. {SAVE_AGAIN}"
                ) from error
    if _is_utf8(data):
        return None, "utf-8", None
    try:
        return data.decode("cp1252"), "windows-1252", "read as Windows-1252 (it is not UTF-8)"
    except UnicodeDecodeError:
        return (
            data.decode("latin-1"),
            "latin-1",
            "read as Latin-1 (it is neither UTF-8 nor Windows-1252)",
        )


def _is_utf8(data: bytes) -> bool:
    """Whether ``data.decode("utf-8")`` would succeed: Arrow's strict UTF-8 check (no overlong
    forms, surrogates or code points past U+10FFFF, as Python's), run on the bytes in place —
    several times faster than building the string."""
    offsets = pa.py_buffer(np.array([0, len(data)], dtype=np.int64))
    text = pa.Array.from_buffers(pa.large_string(), 1, [None, offsets, pa.py_buffer(data)])
    try:
        text.validate(full=True)
    except pa.ArrowInvalid:
        return False
    return True


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
_HEAD = 65536  # characters from the start of the file that the checks for binary data look at


def _refuse_non_table_text(path: Path, data: bytes, text: str | None) -> None:
    """Refuse text that is no table. ``text`` is None when ``data`` is UTF-8 (see _decode); then
    the checks read only the decoded start of the file and, for a NUL, the bytes."""
    if text is None:
        skip = 3 if data.startswith(_BOMS[0][0]) else 0
        # At most 4 bytes a character, so this holds the first _HEAD characters; only the one
        # character the cut may split at the very end is dropped by "ignore".
        head = data[skip : skip + 4 * _HEAD].decode("utf-8", "ignore")[:_HEAD]
        has_nul = b"\x00" in data  # in UTF-8 only the character NUL has a zero byte
    else:
        head = text[:_HEAD]
        has_nul = "\x00" in text
    sample = head[:4096]
    if sample.count("\x00") * 3 > len(sample):  # every other byte zero: UTF-16 text
        raise _refused(
            path,
            "looks like UTF-16 text without a byte order mark, which cannot be read reliably. "
            "Open it in Excel and save it as CSV UTF-8, then upload that file.",
        )
    if has_nul or len(_CONTROL.findall(head)) > len(head) // 100:
        raise _refused(
            path,
            "holds binary data, not text or a spreadsheet. Upload the CSV or XLSX export itself.",
        )
    start = sample.lstrip().lower()
    if start.startswith(("<!doctype html", "<html", "<?xml", "<table")):
        raise _refused(path, f"is a web page or XML document, not a CSV export. {SAVE_AGAIN}")
    if head.isspace():  # only then can the whole text be blank; decode it to know
        whole = text if text is not None else data[skip:].decode("utf-8")
        if whole.isspace():
            raise _refused(path, "holds only blank lines. Export the report again and upload that.")


# -- text files: DuckDB's CSV reader ----------------------------------------------------------

# The whole file is read as text rows, the header row included (header = false), so that title
# lines above the header and a totals row below it are seen and decided on here, in the open.
# comment = '' because the sniffer otherwise takes a first cell starting with "#" for a comment
# and drops the line; null_padding lets a title line be shorter than the table.
# sniff_csv decides the dialect and the columns once, and read_csv is handed all of it (as the
# read_csv call sniff_csv itself suggests, with auto_detect = false): the read is the one the
# sniffer decided, the delimiter reported is the one used, and nothing is sniffed twice (a
# tenth of a second on a 200 MB file).
# all_varchar spares the sniffer detecting column types, which the read does not use.
_SNIFF_SQL = """
select Delimiter, Quote, Escape, NewLineDelimiter, SkipRows, Columns
from sniff_csv($path, header = false, comment = '', null_padding = true, all_varchar = true)
"""
# DuckDB's parallel scan cannot combine null_padding with quoted newlines: it stops with an
# error at the first quoted newline it meets (it does not return wrong rows). So the file is
# read in parallel, and when that fails, read again on one thread (parallel = false), which
# handles quoted newlines — and which reports any other error with its exact line, as before.
_READ_SQL = """
select *
from read_csv(
    $path,
    auto_detect = false,
    header = false,
    comment = '',
    null_padding = true,
    delim = $delimiter,
    quote = $quote,
    escape = $escape,
    new_line = $new_line,
    skip = $skip,
    columns = $columns,
    parallel = $parallel
)
"""
_ROW_ENDS = {"\\n": "\n", "\\r\\n": "\r\n", "\\r": "\r"}  # sniff_csv's NewLineDelimiter
_DUCKDB_LINE = re.compile(r"CSV Error on Line: (\d+)")
_DUCKDB_ORIGINAL = re.compile(r"Original Line: (.*)")


def _read_text(path: Path, data: bytes) -> ExportTable:
    text, encoding, note = _decode(path, data)
    notes = [note] if note else []
    _refuse_non_table_text(path, data, text)
    with tempfile.TemporaryDirectory(prefix="revcycle-read-") as folder:
        copy = Path(folder) / "export.csv"
        source = path
        if text is not None:  # DuckDB reads UTF-8 (and skips its BOM); other text is converted
            data = text.encode("utf-8")
            copy.write_bytes(data)
            source = copy
        del text
        try:
            delimiter, cells, lines = _duckdb_read(path, source, data)
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
                delimiter, cells, lines = _duckdb_read(path, copy, data)
            except duckdb.Error as second:
                raise _duckdb_refusal(path, second) from second
    if cells.num_columns == 1:
        delimiter = None  # one column has no delimiter; the sniffer's default would mislead
    return _table(path, cells, lines, encoding, delimiter, notes)


def _duckdb_read(path: Path, source: Path, data: bytes) -> tuple[str, pa.Table, np.ndarray]:
    """The sniffed delimiter, the rows as text (null when blank), and the line each starts on.

    ``data`` is the UTF-8 text DuckDB reads from ``source``; ``path`` names the upload.
    """
    con = duckdb.connect()
    try:
        con.execute("set enable_progress_bar = false")  # a relation would draw one on stderr
        [(delimiter, quote, escape, new_line, skip, columns)] = con.execute(
            _SNIFF_SQL, {"path": str(source)}
        ).fetchall()
        quote = "" if quote == "(empty)" else quote  # how sniff_csv shows "none"
        escape = "" if escape == "(empty)" else escape
        if not quote and b'"' in data:
            # The sniffer saw no quotation mark in its sample (the first 20,480 rows), but the
            # file has one further down: a file quoted only where needed, as Python's csv and
            # pandas write it. Read it with the standard quoting, or a quoted line break
            # there would split its row in two.
            quote = escape = '"'
        dialect = {
            "path": str(source),
            "delimiter": delimiter,
            "quote": quote,
            "escape": escape,
            "new_line": new_line,
            "skip": skip,
            "columns": {column["name"]: "VARCHAR" for column in columns},  # text, as read
        }
        try:
            cells = _fetch(con, {**dialect, "parallel": True})
        except duckdb.Error:
            cells = _fetch(con, {**dialect, "parallel": False})  # see _READ_SQL
    finally:
        con.close()
    newline = _newline(data)
    lines = None
    if newline in _ROW_ENDS.get(new_line, ""):  # see _one_line_rows
        lines = _one_line_rows(data, newline, cells.num_rows)
    if lines is None:
        breaks = _line_breaks(cells, newline)  # counted before blank cells become null
        lines = _record_lines(path, data, breaks, single_column=cells.num_columns == 1)
    return delimiter, _blanks_to_null(cells), lines


def _fetch(con: duckdb.DuckDBPyConnection, params: dict) -> pa.Table:
    # Arrow takes DuckDB's text in bulk, without a Python object per cell.
    table = con.sql(_READ_SQL, params=params).to_arrow_table()
    if any(kind != pa.string() for kind in table.schema.types):
        # DuckDB hands over large_string or string_view under some settings; rows promise string.
        table = table.cast(pa.schema([(name, pa.string()) for name in table.column_names]))
    return table


def _valid(chunk: pa.Array) -> np.ndarray:
    """Which values of an array are not null, as numpy bools unpacked from the validity bitmap
    (several times faster than converting ``is_valid()``)."""
    bitmap = chunk.buffers()[0]
    if bitmap is None or not chunk.null_count:
        return np.ones(len(chunk), dtype=bool)
    bits = np.frombuffer(bitmap, dtype=np.uint8)
    unpacked = np.unpackbits(bits, count=chunk.offset + len(chunk), bitorder="little")
    return unpacked[chunk.offset :].view(bool)


def _string_buffers(chunk: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """A string array's offsets (one more than values) and its text bytes, as numpy views."""
    if chunk.type != pa.string():
        chunk = chunk.cast(pa.string())
    _, offsets, text = chunk.buffers()
    offsets = np.frombuffer(offsets, dtype=np.int32, count=len(chunk) + 1, offset=4 * chunk.offset)
    text = np.frombuffer(text, dtype=np.uint8) if text is not None else np.zeros(0, np.uint8)
    return offsets, text


# The one rule for a blank cell, in read, parse and validate alike: a value is blank when
# nothing is left after stripping whitespace from both ends. Whitespace is every character
# Unicode calls White_Space (what Python's str.isspace knows, no-break U+00A0, figure U+2007 and
# narrow no-break U+202F among them) and the zero-width characters a cell can hold without
# showing anything: U+200B, the word joiner U+2060 and U+FEFF (a stray byte order mark).
WHITESPACE = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005"
    "\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000\u200b\u2060\ufeff"
)


def stripped(values: pa.Array) -> pa.Array:
    """The values with surrounding WHITESPACE stripped, and null where nothing is left."""
    return _apply_blank_rule(values, keep_text=False)


def blank_to_null(values: pa.Array) -> pa.Array:
    """The values as they are, but null where nothing is left once WHITESPACE is stripped."""
    return _apply_blank_rule(values, keep_text=True)


def _apply_blank_rule(values: pa.Array, keep_text: bool) -> pa.Array:
    """Only a value that is empty, or starts or ends with a byte that is not visible ASCII, can
    change: those few are found in the Arrow buffers at once and trimmed by Arrow's kernel; a
    column without any is returned as it is, without a copy."""
    if isinstance(values, pa.ChunkedArray):
        chunks = [_apply_blank_rule(chunk, keep_text) for chunk in values.chunks]
        return pa.chunked_array(chunks, type=pa.string())
    offsets, text = _string_buffers(values)
    starts, ends = offsets[:-1], offsets[1:]
    candidate = ends <= starts
    if len(text):
        # Whitespace begins and ends outside visible ASCII ("!" to "~", 0x21 to 0x7E): one
        # unsigned subtraction tells the bytes below and above it apart from those within.
        first = text[np.minimum(starts, len(text) - 1)] - np.uint8(0x21)
        last = text[np.maximum(ends - 1, 0)] - np.uint8(0x21)
        candidate |= (first >= np.uint8(0x5E)) | (last >= np.uint8(0x5E))
    if candidate.any():
        candidate &= _valid(values)
    if not candidate.any():
        return values
    kept = values.filter(candidate)
    trimmed = pc.utf8_trim(kept, WHITESPACE)
    blank = pc.equal(pc.binary_length(trimmed), 0)
    if keep_text and not pc.any(blank).as_py():
        return values
    replacement = pc.if_else(blank, _NULL, kept if keep_text else trimmed)
    return pc.replace_with_mask(values, pa.array(candidate), replacement)


_NULL = pa.scalar(None, pa.string())


def _blanks_to_null(cells: pa.Table) -> pa.Table:
    return pa.table([blank_to_null(column) for column in cells.columns], names=cells.column_names)


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
            code=UNREADABLE_LINE,
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


def _one_line_rows(data: bytes, newline: str, rows: int) -> np.ndarray | None:
    """1, 2, 3 … when each row DuckDB returned is one line of the file, otherwise None.

    Only for a file whose rows DuckDB ends with the character lines are counted by (LF, or CR
    in a file without LF): it never ends a row on the other one outside quotes (it refuses such
    a file). Then every row but an unfinished last one ends with one line break, so the file
    has more line breaks than that only if a value holds one or a line was left out (an empty
    line, a skipped line). As many lines as rows is therefore proof that each row is a line.
    One count over the bytes decides it; the exact walk of _record_lines is needed only for
    files with quoted newlines or empty lines.
    """
    line_count = _count_byte(data, ord(newline)) + (not data.endswith(newline.encode()))
    return np.arange(1, rows + 1, dtype=np.int64) if rows == line_count else None


# Byte scans compare a megabyte at a time into one reused buffer, which stays in the CPU cache:
# twice as fast as comparing a 200 MB file in one go, three times as fast as bytes.count.
_BLOCK = 1 << 20


def _count_byte(data: bytes, byte: int) -> int:
    """How often the byte occurs in the data."""
    raw = np.frombuffer(data, dtype=np.uint8)
    found = np.empty(min(len(raw), _BLOCK), dtype=bool)
    total = 0
    for start in range(0, len(raw), _BLOCK):
        part = found[: len(raw[start : start + _BLOCK])]
        np.equal(raw[start : start + _BLOCK], byte, out=part)
        total += int(np.count_nonzero(part))
    return total


def _byte_positions(data: bytes, byte: int) -> np.ndarray:
    """Where the byte occurs in the data, in order."""
    raw = np.frombuffer(data, dtype=np.uint8)
    found = np.empty(min(len(raw), _BLOCK), dtype=bool)
    positions = [np.zeros(0, dtype=np.int64)]
    for start in range(0, len(raw), _BLOCK):
        part = found[: len(raw[start : start + _BLOCK])]
        np.equal(raw[start : start + _BLOCK], byte, out=part)
        positions.append(np.flatnonzero(part) + start)
    return np.concatenate(positions)


def _line_breaks(cells: pa.Table, newline: str) -> np.ndarray:
    """How many line breaks each row's values hold (a CRLF counts once, by its LF)."""
    breaks = np.zeros(cells.num_rows, dtype=np.int64)
    for column in cells.columns:
        breaks += pc.fill_null(pc.count_substring(column, newline), 0).to_numpy()
    return breaks


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
    breaks = _byte_positions(data, ord(newline))
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
        consistent = int(spans.sum()) == line_count
    else:
        first, consistent = _step_over_empty_lines(spans, np.flatnonzero(~empty), line_count)
    if not consistent:
        raise _refused(
            path,
            "could not be matched line by line with what the CSV reader read, so problems could "
            f"not be shown at the right lines. {SAVE_AGAIN}",
        )
    return first


def _step_over_empty_lines(
    spans: np.ndarray, filled: np.ndarray, line_count: int
) -> tuple[np.ndarray, bool]:
    """The 1-based line each row starts on when a row starts on the first non-empty line after
    the previous row (``filled``: the 0-based non-empty lines), and whether only empty lines
    follow the last row.

    One-line rows take consecutive non-empty lines, so a run of them is placed at once; only
    after a row spanning several lines (its quotes may hold empty lines) is the next start
    searched for. The loop runs once per such row, not once per row.
    """
    first = np.empty(len(spans), dtype=np.int64)
    at = 0  # the next row starts on line filled[at]
    end = 0  # the line after the last row placed
    row = 0  # the next row to place
    for last in [*np.flatnonzero(spans > 1).tolist(), len(spans) - 1]:
        count = last + 1 - row  # rows row..last: one line each, but for last perhaps
        if count <= 0:
            continue
        if at + count > len(filled):
            return first, False
        first[row : last + 1] = filled[at : at + count] + 1
        end = int(filled[at + count - 1] + spans[last])
        at = int(np.searchsorted(filled, end))
        row = last + 1
    return first, end <= line_count and at == len(filled)


# -- XLSX -------------------------------------------------------------------------------------


def _read_xlsx(path: Path) -> tuple[pa.Table, np.ndarray, list[str]]:
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
            if any(value is not None and value.strip(WHITESPACE) for row in grid for value in row):
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
    columns = [[row[at] if at < len(row) else None for row in grid] for at in range(width)]
    cells = pa.table(
        [blank_to_null(pa.array(column, type=pa.string())) for column in columns],
        names=[str(at) for at in range(width)],
    )
    # iter_rows from row 1 yields every row, empty or not
    lines = np.arange(1, len(grid) + 1, dtype=np.int64)
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
    return str(value)  # a blank one becomes null with every other cell (blank_to_null)


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
    cells: pa.Table,
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

    ``cells`` holds every row read, one string column per position (null when blank). The
    decisions are made on two numpy arrays, each row's count of filled cells and its width;
    only the few rows named in notes, checked as totals or footer, become Python values.
    """
    counts, widths, first_filled = _fill(cells)
    if not counts.any():
        raise _refused(path, "holds only blank lines. Export the report again and upload that.")
    header_at = _header_row(counts, widths)
    skipped = [row for row in range(header_at) if counts[row] > 0]
    if skipped:
        shown = "; ".join(f"line {lines[row]}: '{_row_text(cells, row)}'" for row in skipped[:3])
        more = "" if len(skipped) <= 3 else f"; and {len(skipped) - 3} more"
        notes.append(
            f"skipped {_count(len(skipped), 'title line')} above the header ({shown}{more}); "
            f"the header is on line {lines[header_at]}"
        )
    width = int(widths[header_at])
    _refuse_too_wide(path, cells, lines, widths, header_at)
    body = header_at + 1  # the first row below the header; row numbers below are absolute
    keep = np.flatnonzero(counts[body:] > 0) + body
    keep, footer = _drop_footer(cells, first_filled, counts, keep)
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
    end = footer[0] if len(footer) else len(counts)
    notes += _blank_row_notes(counts, lines, body, keep[-1] if len(keep) else header_at, end)
    header = _column_names(_row(cells, header_at)[:width], notes)
    rows = cells.select(list(range(width)))
    if len(keep) and keep[-1] - keep[0] + 1 == len(keep):
        rows = rows.slice(int(keep[0]), len(keep))  # a contiguous range: no copy
    else:
        rows = rows.take(keep)
    return ExportTable(
        path.name, header, rows.rename_columns(header), lines[keep], encoding, delimiter, notes
    )


def _fill(cells: pa.Table) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per row: how many cells are filled, the position of the last filled one (its width),
    and whether the first is filled."""
    counts = np.zeros(cells.num_rows, dtype=np.int32)
    widths = np.zeros(cells.num_rows, dtype=np.int32)
    first_filled = np.zeros(cells.num_rows, dtype=bool)
    for position, column in enumerate(cells.columns, start=1):
        filled = np.concatenate([_valid(chunk) for chunk in column.chunks] or [np.zeros(0, bool)])
        if position == 1:
            first_filled = filled
        # As 0/1 integers: numpy adds and multiplies those many times faster than it casts bools.
        ones = filled.view(np.int8)
        np.add(counts, ones, out=counts)
        np.maximum(widths, ones * np.int32(position), out=widths)
    return counts, widths, first_filled


def _header_row(counts: np.ndarray, widths: np.ndarray) -> int:
    """The first row filling more than half the usual width (see _table)."""
    # Title, filter and footer lines fill one cell; they do not count towards the usual width.
    wide = counts > 1 if (counts > 1).any() else counts > 0
    frequency = np.bincount(widths[wide])
    usual = np.flatnonzero(frequency == frequency.max()).max()  # the widest of the most common
    candidates = counts * 2 > usual
    return int(np.argmax(candidates if candidates.any() else counts))  # the first of them


def _refuse_too_wide(
    path: Path, cells: pa.Table, lines: np.ndarray, widths: np.ndarray, header_at: int
) -> None:
    width = widths[header_at]
    too_wide = np.flatnonzero(widths[header_at + 1 :] > width) + header_at + 1
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
                    code=EXTRA_VALUE,
                )
                for row in too_wide[:10]
            ]
        )


def _blank_row_notes(
    counts: np.ndarray, lines: np.ndarray, body: int, last: int, end: int
) -> list[str]:
    """Notes on the blank rows among the data (before ``last``) and after it (before ``end``)."""
    notes = []
    blank = np.flatnonzero(counts[body:] == 0) + body
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
    return notes


def _drop_footer(
    cells: pa.Table, first_filled: np.ndarray, counts: np.ndarray, keep: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Split off the footer: a footer line and only one-cell lines after it, at the very end.

    The footer starts at the first footer line within the last rows that fill only their first
    cell. That run is short, but in a one-column file it is the whole file: so its text is
    searched in one go, joined by NUL, which neither the text nor the footer pattern holds.
    """
    if not len(keep) or counts[keep[-1]] != 1 or not first_filled[keep[-1]]:
        return keep, keep[len(keep) :]  # the usual case: the last row is a row of data
    one_cell = (counts[keep] == 1) & first_filled[keep]
    other = np.flatnonzero(~one_cell)
    run = keep[other[-1] + 1 :] if len(other) else keep
    text = "\x00".join(cells.column(0).take(run).to_pylist())
    found = _FOOTER.search(text)
    if not found:
        return keep, keep[len(keep) :]
    start = len(keep) - len(run) + text.count("\x00", 0, found.start())
    return keep[:start], keep[start:]


def _is_totals(cells: pa.Table, row: int) -> bool:
    first, *others = _row(cells, row)
    if first is not None:
        return bool(_TOTAL.fullmatch(first))
    others = [value for value in others if value is not None]
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


def _row(cells: pa.Table, row: int) -> list[str | None]:
    return [column[int(row)].as_py() for column in cells.columns]


def _row_text(cells: pa.Table, row: int) -> str:
    text = " | ".join(value for value in _row(cells, row) if value is not None)
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


def _refused(path: Path, reason: str, code: str = NOT_A_TABLE) -> ImportRefused:
    return ImportRefused([Problem(path.name, None, None, None, f"The file {reason}", code=code)])
