"""Read a CSV (any usual dialect and encoding) or a workbook (workbook.py) into a grid of text
cells, each row with the line of the file it starts on, and refuse a file that is no table;
table.py makes the grid the export's table. Nothing is interpreted (parse decides each
column's format); the rows stay in Arrow from DuckDB's CSV reader on, never Python strings."""

import logging
import os
import re
import tempfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import NamedTuple

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from revcycle import settings
from revcycle.db import is_interrupt, scratch
from revcycle.importer import text
from revcycle.importer.original import Original
from revcycle.importer.problems import (
    NO_SUCH_SHEET,
    NOT_A_TABLE,
    SAVE_AGAIN,
    TOO_LARGE,
    UNREADABLE_LINE,
    ImportRefused,
    file_refused,
    refused,
    size_text,
)
from revcycle.importer.table import ONLY_BLANK, ExportTable, shaped
from revcycle.importer.text import blank_to_null
from revcycle.importer.workbook import INSIDE, is_workbook, read_workbook

log = logging.getLogger(__name__)


def read_export(
    path: Path, max_bytes: int | None = None, sheet: str | None = None, head_rows: int | None = None
) -> ExportTable:
    """Read an export into text rows with their line numbers; refuse (saying what to do) a file
    over ``max_bytes`` (default ``REVCYCLE_MAX_UPLOAD_MB``) or not a table. ``sheet``: the
    workbook's sheet to read, by name; without it, the first that holds a table. ``head_rows``:
    of a workbook, only its first rows (a look at its header; of a text file, pass its head)."""
    path, max_bytes = Path(path), max_bytes or settings.max_upload_bytes()
    try:
        if path.is_dir():
            raise file_refused(
                path, f"is a folder ({path}), not a file. Name the export inside it."
            )
        if not path.is_file():
            if not path.exists():
                raise file_refused(path, "was not found.")
            reason = f"is no file of data ({path} is a device, a pipe or a socket). {_UPLOAD}"
            raise file_refused(path, reason)
        if (size := path.stat().st_size) > max_bytes:
            reason = (
                f"is {size_text(size)}; the limit is {size_text(max_bytes)}. Split the export by "
                "date range (for example one file per quarter) and upload the parts one after "
                "another."
            )
            raise file_refused(path, reason, TOO_LARGE)
        if size == 0:
            raise file_refused(
                path, "is empty (0 bytes). Export the report again and upload that file."
            )
        original = Original.on_disk(path)
        with path.open("rb") as file:
            head = file.read(64)  # enough for any signature below, and a workbook's
        if is_workbook(head):
            read = read_workbook(path, max_bytes, sheet, head_rows)
            table = shaped(path, read.cells, read.lines, read.notes)
            return replace(table, original=original, excel_epoch=read.epoch, sheet=read.sheet)
        for magic, reason in _NOT_TABLES.items():
            if head.startswith(magic):
                raise file_refused(path, reason)
        if sheet is not None:
            reason = (
                f"is text, not a workbook, so it has no sheet '{sheet}'. Load it without --sheet."
            )
            raise file_refused(path, reason, NO_SUCH_SHEET)
        return replace(_read_text(path), original=original)
    except ImportRefused:
        raise
    except OSError as error:
        raise file_refused(path, f"could not be opened ({error.strerror or error}).") from error
    except Exception as error:  # a file we did not foresee must not become a traceback
        if is_interrupt(error):  # Ctrl-C while DuckDB read: the person's, not the file's
            raise KeyboardInterrupt from error
        log.exception("reading %s failed", path)
        reason = f"could not be read ({type(error).__name__}: {error}). {SAVE_AGAIN}"
        raise file_refused(path, reason) from error


_UPLOAD = "Upload the CSV or XLSX export itself."
_ITSELF = f"not a data export. {_UPLOAD}"
_NOT_TABLES = {  # the first bytes of files that are no table
    b"%PDF": "is a PDF document, not a data export. Export the report as CSV or XLSX instead.",
    b"\x89PNG": f"is a PNG image, {_ITSELF}",
    b"\xff\xd8\xff": f"is a JPEG image, {_ITSELF}",
    b"GIF8": f"is a GIF image, {_ITSELF}",
    b"\x1f\x8b": "is compressed with gzip. Decompress it and upload the CSV inside.",
    b"7z\xbc\xaf": f"is a 7-Zip archive. {INSIDE}",
    b"Rar!": f"is a RAR archive. {INSIDE}",
}

# -- text files: encoding, and text that is no table -------------------------------------------

_BOMS = [
    (b"\xef\xbb\xbf", "utf-8-sig", "read as UTF-8 (the byte order mark was dropped)"),
    (b"\xff\xfe", "utf-16-le", "read as UTF-16 little-endian (Excel Unicode text)"),
    (b"\xfe\xff", "utf-16-be", "read as UTF-16 big-endian"),
]
_MIXED = (
    "mixes two text encodings: line {} is UTF-8 and line {} is not (Windows-1252, as older Excel "
    f"saves CSV), so some names would be garbled. {SAVE_AGAIN}"
)


def _decode(path: Path, data: bytes) -> tuple[str | None, str, str | None]:
    """The text (None for UTF-8, which DuckDB reads as it is), its encoding, and a note: a byte
    order mark decides; else strict UTF-8; else Windows-1252 (Excel's and Salesforce's in the
    West); else Latin-1, for the five bytes Windows-1252 leaves undefined."""
    for bom, encoding, note in _BOMS:
        if not data.startswith(bom):
            continue
        if encoding == "utf-8-sig" and _is_utf8(data):  # the mark is valid UTF-8 itself
            return None, encoding, note
        try:
            return data[len(bom) :].decode(encoding.removesuffix("-sig")), encoding, note
        except UnicodeDecodeError as error:
            reason = f"starts like {encoding} text but is not valid {encoding}. {SAVE_AGAIN}"
            raise file_refused(path, reason) from error
    if _is_utf8(data):
        return None, "utf-8", None
    # Rows pasted from two exports, one UTF-8: as Windows-1252 its "Café" would be "CafÃ©".
    # Without the bytes that are not UTF-8, text in one encoding is ASCII ("Ã©" is rare).
    if not (utf8 := data.decode("utf-8", "ignore")).isascii():  # where the first of each is
        utf8_line = utf8.count("\n", 0, re.search(r"[^\x00-\x7f]", utf8).start()) + 1
        try:
            data.decode("utf-8")
        except UnicodeDecodeError as error:
            other_line = data.count(b"\n", 0, error.start) + 1
        if utf8_line == other_line:  # one line holds both: bytes of no text encoding
            reason = f"holds bytes that are no text encoding's on line {utf8_line}. {SAVE_AGAIN}"
            raise file_refused(path, reason)
        raise file_refused(path, _MIXED.format(utf8_line, other_line))
    del utf8
    try:
        return data.decode("cp1252"), "windows-1252", "read as Windows-1252 (it is not UTF-8)"
    except UnicodeDecodeError:
        note = "read as Latin-1 (it is neither UTF-8 nor Windows-1252)"
        return data.decode("latin-1"), "latin-1", note


def _one_value(data: bytes, type: pa.DataType) -> pa.Array:
    """The bytes as an Arrow array holding them as its one value, without a copy."""
    offsets = pa.py_buffer(np.array([0, len(data)], dtype=np.int64))
    return pa.Array.from_buffers(type, 1, [None, offsets, pa.py_buffer(data)])


def _is_utf8(data: bytes) -> bool:
    # Arrow checks the bytes in place: as strict as Python's decode, several times faster.
    try:
        _one_value(data, pa.large_string()).validate(full=True)
    except pa.ArrowInvalid:
        return False
    return True


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
_HEAD = 65536  # characters from the start of the file that the checks for binary data look at


def _refuse_non_table_text(path: Path, data: bytes, text: str | None) -> None:
    """Refuse text that is no table; for UTF-8 (``text`` None) only the start is decoded."""
    if text is None:  # in UTF-8 only the character NUL has a zero byte; "-sig" drops a BOM
        head, has_nul = data[: 4 * _HEAD + 3].decode("utf-8-sig", "ignore")[:_HEAD], b"\0" in data
    else:
        head, has_nul = text[:_HEAD], "\x00" in text
    sample = head[:4096]
    if sample.count("\x00") * 3 > len(sample):  # every other byte zero: UTF-16 text
        reason = "looks like UTF-16 text without a byte order mark, which cannot be read reliably."
        raise file_refused(path, f"{reason} {SAVE_AGAIN}")
    if has_nul or len(_CONTROL.findall(head)) > len(head) // 100:
        raise file_refused(path, f"holds binary data, not text or a spreadsheet. {_UPLOAD}")
    if sample.lstrip().lower().startswith(("<!doctype html", "<html", "<?xml", "<table")):
        raise file_refused(path, f"is a web page or XML document, not a CSV export. {SAVE_AGAIN}")
    if head.isspace() and (text if text is not None else data.decode("utf-8-sig")).isspace():
        raise file_refused(path, ONLY_BLANK)


# Excel's limit: no spreadsheet has more columns. DuckDB's CSV sniffer needs memory growing
# faster than a line's width: a 4 MB file of 1,000,000 columns took all 18.8 GB and failed.
MAX_COLUMNS = 16_384
_DELIMITERS = (b",", b";", b"\t", b"|")


def _refuse_too_many_columns(path: Path, data: bytes) -> None:
    """Refuse, before DuckDB reads it, a file with a line of MAX_COLUMNS or more of one
    delimiter. Such a line is over MAX_COLUMNS bytes, so it holds a whole block of half that
    with no line break: a block is looked at for a break (a short search in a file of short
    lines, 9-12 ms for 200 MB), and only a line around a block without one is counted."""
    newline = b"\n" if b"\n" in data else b"\r"
    block, at = MAX_COLUMNS // 2, 0
    while at + block <= len(data):
        if data.find(newline, at, at + block) >= 0:
            at += block
            continue
        start, end = data.rfind(newline, 0, at) + 1, data.find(newline, at)
        end = len(data) if end < 0 else end
        count, delimiter = max((data.count(d, start, end), d) for d in _DELIMITERS)
        if count >= MAX_COLUMNS:
            reason = (
                f"this line splits into {count + 1:,} columns at its {delimiter.decode()!r}; a "
                f"table may have at most {MAX_COLUMNS:,} (as many as Excel allows). Check the "
                "delimiter, or export fewer columns."
            )
            raise refused(path.name, reason, NOT_A_TABLE, data.count(newline, 0, start) + 1)
        at = end + 1


# -- text files: DuckDB's CSV reader, and the line each row starts on --------------------------

# Every line is read as text, the header too (header = false), so title lines and a totals row
# are decided on here. comment = '': else a first cell starting "#" drops its line; null_padding:
# a title line may be shorter than the table. The sniffed dialect is handed to read_csv whole
# (auto_detect = false): the delimiter reported is the one used, and nothing is sniffed twice.
_SNIFF_SQL = """
select Delimiter, Quote, Escape, NewLineDelimiter, SkipRows, Columns
from sniff_csv($path, header = false, comment = '', null_padding = true, all_varchar = true)
"""
_SNIFF_WITH_DELIMITER_SQL = """
select Delimiter, Quote, Escape, NewLineDelimiter, SkipRows, Columns
from sniff_csv(
    $path, header = false, comment = '', null_padding = true, all_varchar = true, delim = $delim
)
"""
_HEAD_LINES = 200  # lines of the file's head that the delimiter check counts in
# DuckDB's parallel scan stops with an error (never wrong rows) at a quoted newline when
# null_padding is on; the file is then read again on one thread, which reads those, and
# reports any other error with its exact line.
_READ_SQL = """
select * from read_csv(
    $path, auto_detect = false, header = false, comment = '', null_padding = true,
    delim = $delimiter, quote = $quote, escape = $escape, new_line = $new_line, skip = $skip,
    columns = $columns, parallel = $parallel
)
"""
_ROW_ENDS = {"\\n": "\n", "\\r\\n": "\r\n", "\\r": "\r"}  # sniff_csv's NewLineDelimiter


class _TextFile(NamedTuple):
    """What reading needs to know of a text file while DuckDB reads it, without its bytes."""

    size: int
    newline: str  # "\n", or "\r" for a file from classic Mac OS
    count_lines: int  # a last line without its break counts too
    has_quote: bool

    @classmethod
    def of(cls, data: bytes) -> "_TextFile":
        newline = b"\n" if b"\n" in data else b"\r"
        count_lines = data.count(newline) + (not data.endswith(newline))
        return cls(len(data), newline.decode(), count_lines, b'"' in data)


def _read_text(path: Path) -> ExportTable:
    data = path.read_bytes()
    text, encoding, note = _decode(path, data)
    notes = [note] if note else []
    _refuse_non_table_text(path, data, text)
    if text is not None:  # DuckDB reads UTF-8 (and skips its BOM); other text is converted
        data = text.encode("utf-8")
    del text
    _refuse_too_many_columns(path, data)
    with tempfile.TemporaryDirectory(prefix="revcycle-read-") as folder:
        copy = Path(folder) / "export.csv"
        source = path if encoding in ("utf-8", "utf-8-sig") else copy
        for attempt in range(2):
            if source == copy:
                copy.write_bytes(data)
            text_file = _TextFile.of(data)
            del data  # as DuckDB reads the file; read again only for an error or line breaks
            try:
                delimiter, cells, lines = _duckdb_read(path, source, text_file)
                break
            except duckdb.Error as error:
                if is_interrupt(error):  # stopped, not unreadable: no second try
                    raise
                data = source.read_bytes()
                if attempt or not 0 < data.count(b"\r\n") < data.count(b"\n"):
                    raise _duckdb_refusal(path, error, data) from error
            # DuckDB's sniffer finds no dialect in a file with both line endings: read a copy
            # with LF throughout (line numbers stay the same).
            data, source = data.replace(b"\r\n", b"\n"), copy
            notes.append("the file mixes CRLF and LF line endings; read it with LF throughout")
    # One column has no delimiter; the sniffer's default would mislead.
    return shaped(path, cells, lines, notes, encoding, delimiter if cells.num_columns > 1 else None)


def _duckdb_read(
    path: Path, source: Path, text_file: _TextFile
) -> tuple[str, pa.Table, np.ndarray]:
    """The delimiter, the rows as text (null when blank), the line each starts on, from the
    UTF-8 text in ``source``."""
    with scratch(text_file.size) as con:
        delimiter, quote, escape, new_line, skip, columns = _sniffed(con, source)
        quote, escape = ("" if mark == "(empty)" else mark for mark in (quote, escape))
        if not quote and text_file.has_quote:
            # None in the sniffer's sample, some further down (quoted only where needed, as
            # Python's csv writes): standard quoting, or a quoted line break splits its row.
            quote = escape = '"'
        columns = {column["name"]: "VARCHAR" for column in columns}  # text, as read
        dialect = dict(path=str(source), delimiter=delimiter, quote=quote, escape=escape)
        dialect.update(new_line=new_line, skip=skip, columns=columns)
        try:
            cells = _fetch(con, {**dialect, "parallel": True})
        except duckdb.Error as error:
            if is_interrupt(error):  # stopped, not unreadable in parallel: no second read
                raise
            cells = _fetch(con, {**dialect, "parallel": False})  # see _READ_SQL
    # As many lines as rows: each row is one line. Else (a line break in a value, or an empty
    # line) each row's line is worked out from the line breaks its values hold.
    newline = text_file.newline
    if newline in _ROW_ENDS.get(new_line, "") and cells.num_rows == text_file.count_lines:
        lines = np.arange(1, cells.num_rows + 1, dtype=np.int64)
    else:
        breaks = np.zeros(cells.num_rows, dtype=np.int64)  # counted before blanks become null
        for column in cells.columns:  # a CRLF counts once, by its LF
            breaks += pc.fill_null(pc.count_substring(column, newline), 0).to_numpy()
        single_column = cells.num_columns == 1
        lines = _record_lines(path, source.read_bytes(), breaks, single_column)
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:  # numpy lets go the GIL
        cells = pa.table(list(pool.map(blank_to_null, cells.columns)), cells.schema)
    return delimiter, cells, lines


def _sniffed(con: duckdb.DuckDBPyConnection, source: Path) -> tuple:
    """DuckDB's sniffed dialect, or, where it splits the rows into two columns or fewer and
    its delimiter is on less than half of the head's lines while another is on half or more,
    that one's: a report whose title and footer lines hold a comma ("Copyright (c) 2000-2026
    salesforce.com, inc.") and its table semicolons."""
    [sniffed] = con.execute(_SNIFF_SQL, {"path": str(source)}).fetchall()
    if len(sniffed[-1]) > 2:
        return sniffed
    with source.open("rb") as file:
        lines = [line for line in file.read(_HEAD * 4).splitlines()[:_HEAD_LINES] if line.strip()]
    on = {mark: sum(mark in line for line in lines) for mark in _DELIMITERS}
    count_on, mark = max((count, mark) for mark, count in on.items())
    if 2 * on.get(sniffed[0].encode(), 0) >= len(lines) or 2 * count_on < len(lines):
        return sniffed
    params = {"path": str(source), "delim": mark.decode()}
    [forced] = con.execute(_SNIFF_WITH_DELIMITER_SQL, params).fetchall()
    return forced if len(forced[-1]) > len(sniffed[-1]) else sniffed


# The export's text is the largest thing an upload holds. Arrow's default allocator keeps
# what is freed for reuse, so a 10M-row export's text, let go, would still count against the
# machine's memory through the commit; the system allocator gives it back when freed.
_RETURNED = pa.system_memory_pool()


def _fetch(con: duckdb.DuckDBPyConnection, params: dict) -> pa.Table:
    """The rows as text, each column in parts of PART_ROWS (text.py) rows, each an array.
    DuckDB frees the columns of a batch it hands over together: a text field kept from them
    kept the whole export. Each part is copied out as the batches arrive (the columns side by
    side), and the batches let go: the export's text is held once, a column at a time, so a
    column parsed into dates can be let go while a text field stays."""
    reader = con.sql(_READ_SQL, params=params).to_arrow_reader(text.PART_ROWS // 8)
    names = reader.schema.names
    parts = [[] for _ in names]
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        try:
            for group in _groups(reader):
                copies = pool.map(partial(_copied, group), range(len(names)))
                for column, part in zip(parts, copies, strict=True):
                    column.append(part)
                del group  # the batches go before the next part is read
        except OSError as error:  # DuckDB's error, as Arrow's reader of its rows raises it
            raise duckdb.Error(str(error)) from error
    return pa.table([pa.chunked_array(column, pa.string()) for column in parts], names=names)


def _groups(reader: pa.RecordBatchReader) -> Iterator[list[pa.RecordBatch]]:
    """The reader's batches, text.PART_ROWS rows or more at a time (the last may be fewer)."""
    group = []
    for batch in reader:
        group.append(batch)
        if sum(map(len, group)) >= text.PART_ROWS:
            yield group
            group = []
    if group:
        yield group


def _copied(group: list[pa.RecordBatch], at: int) -> pa.Array:
    """Column ``at`` of the batches, as one string array (DuckDB may hand over large_string or
    string_view) in memory of its own."""
    chunks = [batch.column(at).cast(pa.string()) for batch in group]
    return pa.concat_arrays(chunks, memory_pool=_RETURNED)


def _lines(data: bytes, newline: str) -> pa.Array:
    """The file's lines, without their line breaks (the final one ends a line, opens none)."""
    lines = pc.split_pattern(_one_value(data, pa.large_binary()), newline.encode()).values
    return lines[:-1] if data.endswith(newline.encode()) else lines


def _record_lines(path: Path, data: bytes, breaks: np.ndarray, single_column: bool) -> np.ndarray:
    """The line each row starts on, which DuckDB does not report: a row spans one line plus the
    line breaks in its values (``breaks``, so quoting stays DuckDB's), and DuckDB skips empty
    lines between rows but in a single-column file. A count that does not add up refuses the
    file rather than misplace problems."""
    spans = breaks + 1
    lines = _lines(data, "\n" if b"\n" in data else "\r")
    empty = pc.or_(pc.equal(lines, b""), pc.equal(lines, b"\r")).to_numpy(zero_copy_only=False)
    if single_column or not empty.any():
        first, consistent = np.cumsum(spans) - spans + 1, int(spans.sum()) == len(lines)
    else:
        first, consistent = _step_over_empty_lines(spans, np.flatnonzero(~empty), len(lines))
    if not consistent:
        reason = (
            "could not be matched line by line with what the CSV reader read, so problems could "
            f"not be shown at the right lines. {SAVE_AGAIN}"
        )
        raise _quote_refusal(path, data) or file_refused(path, reason)
    return first


def _step_over_empty_lines(spans: np.ndarray, filled: np.ndarray, line_count: int) -> tuple:
    """The line each row starts on (the first of ``filled``, the 0-based non-empty lines, after
    the previous row), and whether only empty lines follow the last; a loop per multi-line row."""
    first = np.empty(len(spans), dtype=np.int64)
    at = end = row = 0  # the next row starts on filled[at]; end: the line after the last placed
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


_DUCKDB_LINE = re.compile(r"CSV Error on Line: (\d+)")
_DUCKDB_ORIGINAL = re.compile(r"Original Line: (.*)")
_TOO_LONG = re.compile(r"Maximum line size of (\d+) bytes exceeded")


def _duckdb_refusal(path: Path, error: duckdb.Error, data: bytes) -> ImportRefused:
    """The reader's error as a refusal at the line it is on: DuckDB's sniffer says line 1 for
    a line too long anywhere, and an unterminated quote is found where it opens."""
    message = str(error)
    patterns = (_DUCKDB_LINE, _DUCKDB_ORIGINAL, _TOO_LONG)
    line, original, too_long = (pattern.search(message) for pattern in patterns)
    if quoted := _quote_refusal(path, data, int(too_long.group(1)) if too_long else 0):
        return quoted
    if line:
        line = int(line.group(1))
        if too_long:  # the first line over the limit
            lengths = pc.binary_length(_lines(data, "\n")).to_numpy()
            over = np.flatnonzero(lengths > int(too_long.group(1)))
            line = int(over[0]) + 1 if over.size else line
        detail = [text.strip() for text in message.splitlines()[2:]]
        detail = [text for text in detail if text and not text.startswith(("Possible fixes", "*"))]
        reason = (
            f"the CSV reader could not read this line ({detail[0] if detail else ''}). Look for "
            "a stray delimiter or quotation mark on it, or save the file again as CSV UTF-8."
        )
        value = original.group(1)[:200] if original else None  # enough of the line to find it
        return refused(path.name, reason, UNREADABLE_LINE, line, value)
    if "sniffing" in message:
        reason = "could not be read as a table: no delimiter (comma, semicolon, tab or |) and "
        return file_refused(path, f"{reason}quoting fit its lines. {SAVE_AGAIN}")
    first = message.strip().splitlines()[0] if message.strip() else type(error).__name__
    return file_refused(path, f"could not be read as CSV ({first}). {SAVE_AGAIN}")


def _quote_refusal(path: Path, data: bytes, limit: int = 0) -> ImportRefused | None:
    """A refusal at the line where a quoted value opens, if one never closes, or (with
    ``limit``, the CSV reader's row limit, over which DuckDB names line 1 and quotes the value)
    is longer than ``limit`` bytes. With doubled quotes (an escaped quote, an empty value) set
    aside, quotes alternate opening and closing, so an odd count leaves the last one open."""
    paired = data.replace(b'""', b"  ")
    if paired.count(b'"') % 2:
        line = data.count(b"\n", 0, paired.rindex(b'"')) + 1
        reason = (
            "a quotation mark opens a value on this line and is never closed, so the rest of the "
            "file would be one value. Close the quotes or remove the stray mark."
        )
        return refused(path.name, reason, UNREADABLE_LINE, line)
    if not limit:
        return None
    quotes = np.flatnonzero(np.frombuffer(paired, np.uint8) == ord('"'))
    if not (longer := np.flatnonzero(quotes[1::2] - quotes[0::2] > limit)).size:
        return None
    start, end = int(quotes[2 * longer[0]]), int(quotes[2 * longer[0] + 1])
    first, last = data.count(b"\n", 0, start) + 1, data.count(b"\n", 0, end) + 1
    reason = (
        f"a quoted value runs from this line to line {last:,} ({size_text(end - start)}), over "
        f"the {size_text(limit)} the CSV reader takes for one row. Shorten that value in the "
        "export, or leave its column out."
    )
    return refused(path.name, reason, UNREADABLE_LINE, first)
