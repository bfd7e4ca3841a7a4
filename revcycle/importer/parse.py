"""Text values from an export into dates, amounts and booleans, one column at a time.

Every function takes a column as the reader hands it over: the raw text values (a pyarrow string
Array or ChunkedArray), the file line number of each value (a numpy int64 array or any sequence,
index for index), the file name and the column's name in the file. It returns the typed values
as one pyarrow Array of the same length (timestamp[us], decimal128(18, 2) or bool; null where a
value is blank or cannot be read), and a Problem for every non-blank value that cannot be read.
A blank value (read.blank_to_null: nothing left once whitespace is stripped) is missing, never a
problem here: whether a field is required is validation's business.

The format of a column (day-first or month-first, decimal comma or decimal point) is decided
over the whole column, never value by value, and a column that could be read two ways is not
guessed. The reading itself is done by library kernels over whole columns: DuckDB's
try_strptime for dates (Arrow's ISO 8601 cast first, when a column is ISO), Arrow's RE2 regular
expressions and decimal casts for amounts. Python loops run only over the values that become
problems. Regular expressions on amounts run once per shape of a value (see _shapes), not once
per value.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import NamedTuple

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from revcycle.importer.problems import (
    AMBIGUOUS_DATES,
    AMOUNT_TOO_LARGE,
    ERROR,
    MIXED_DECIMALS,
    NOT_A_BOOLEAN,
    NOT_A_DATE,
    NOT_A_NUMBER,
    ROUNDED,
    UNDECIDED_DATES,
    WARNING,
    Problem,
)
from revcycle.importer.read import stripped

ISO = "iso"
DAY_FIRST = "day-first"
MONTH_FIRST = "month-first"
EXCEL_SERIAL = "excel-serial"
DATE_FORMATS = (ISO, DAY_FIRST, MONTH_FIRST, EXCEL_SERIAL)
# How a date question (code AMBIGUOUS_DATES) ends: the command line's way to answer it. The
# upload page asks with its own control instead and leaves this out.
DATE_FORMAT_HINT = "; choose with --date-format"

TIMESTAMP = pa.timestamp("us")
AMOUNT = pa.decimal128(18, 2)
BOOLEAN = pa.bool_()


class Parsed(NamedTuple):
    """A parsed column: the typed values, index for index with the input, and the problems."""

    values: pa.Array
    problems: list[Problem]


# --- shared helpers ---------------------------------------------------------------------------

_NULL = pa.scalar(None, pa.string())


def _strings(values) -> pa.Array:
    """The column as one plain Arrow string array, as the file wrote it."""
    if not isinstance(values, (pa.Array, pa.ChunkedArray)):
        values = pa.array(values, pa.string())
    if values.type != pa.string():
        # Plain (32-bit offset) strings hold 2 GB of text per column, far beyond any export, and
        # spare every literal below from having to match the array's string type.
        values = values.cast(pa.string())
    if isinstance(values, pa.ChunkedArray):
        values = values.chunk(0) if values.num_chunks == 1 else values.combine_chunks()
    return values


def _mask(array) -> np.ndarray:
    """A boolean Arrow array as numpy, null counted as False."""
    return pc.fill_null(array, False).to_numpy(zero_copy_only=False)


def _any(array) -> bool:
    return bool(pc.any(array).as_py())


def _buffers(text: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """A string array's bytes as numpy, and where each value starts in them (plus the end)."""
    if len(text) == 0:
        return np.zeros(1, dtype=np.int64), np.zeros(0, dtype=np.uint8)
    _, offsets, data = text.buffers()
    offsets = np.frombuffer(offsets, np.int32)[text.offset : text.offset + len(text) + 1]
    data = np.frombuffer(data, np.uint8) if data is not None else np.zeros(0, dtype=np.uint8)
    data = data[offsets[0] : offsets[-1]]
    return offsets.astype(np.int64) - offsets[0], data


def _rebuilt(text: pa.Array, offsets: np.ndarray, data: np.ndarray) -> pa.Array:
    """A string array with text's nulls over new bytes."""
    validity = pc.is_valid(text).buffers()[1] if text.null_count else None
    buffers = [validity, pa.py_buffer(offsets.astype(np.int32)), pa.py_buffer(data)]
    return pa.Array.from_buffers(pa.string(), len(text), buffers, null_count=text.null_count)


def _bytes_at(text: pa.Array, position: int) -> np.ndarray:
    """Each value's byte at ``position``; 0 where the value is shorter."""
    offsets, data = _buffers(text)
    long_enough = np.diff(offsets) > position
    found = np.zeros(len(text), dtype=np.uint8)
    found[long_enough] = data[offsets[:-1][long_enough] + position]
    return found


def _shapes(text: pa.Array, zeros: bool = True) -> tuple[np.ndarray, pa.Array]:
    """Each value's index into the column's distinct shapes (one past the end for a null), and
    those shapes: the values with every digit written "1", except (with ``zeros``) a zero that
    begins a run of digits ("0,125" shows a decimal comma, "5,125" does not).

    A regular expression costs about as much per value as a whole plain kernel, and a column of
    a million amounts or timestamps has only a few hundred shapes ("1.111,11 €", "-111.10",
    "1111-11-11 11:11:11"): a test that tells digits apart only by being digits runs once per
    shape, and the values point at their shape. The folding is done on the bytes, which is
    exact: a digit is one byte, and no byte of a longer UTF-8 character is ASCII.
    """
    offsets, data = _buffers(text)
    digit = (data >= ord("0")) & (data <= ord("9"))
    folded = np.where(digit, np.uint8(ord("1")), data)
    if zeros:
        at = np.flatnonzero(data == ord("0"))
        value_start = np.zeros(len(data) + 1, dtype=bool)
        value_start[offsets[:-1]] = True
        # The byte before a zero at 0 wraps to the end, but 0 is a value's start anyway.
        run_start = value_start[at] | ~digit[at - 1]
        folded[at[run_start]] = ord("0")
    return _distinct(_rebuilt(text, offsets, folded))


def _distinct(array: pa.Array) -> tuple[np.ndarray, pa.Array]:
    """Each value's index into the array's distinct values; a null gets one past the end."""
    encoded = pc.dictionary_encode(array)
    index = pc.fill_null(encoded.indices, len(encoded.dictionary)).to_numpy()
    return index.astype(np.intp), encoded.dictionary


def _problems(bad, raw: pa.Array, lines, file, column, reason, code) -> list[Problem]:
    rows = np.flatnonzero(bad)
    if rows.size == 0:
        return []
    values = raw.take(rows).to_pylist()
    line_numbers = np.asarray(lines)[rows].tolist()
    return [
        Problem(file, int(line), column, value, reason, ERROR, code=code)
        for line, value in zip(line_numbers, values, strict=True)
    ]


# --- dates and timestamps ---------------------------------------------------------------------

# A value is a date, then optionally a space or "T" and a time. The date is year-first, or has
# the year last and its day and month in the order the column decides; two-digit years and
# month names are not read. Accepted: 2026-02-25, 2026/2/25, 2026-02-25T22:36:05.123Z,
# 25.02.2026, 25/02/2026 9:05, 08-06-2020 15:38:00, 2/25/2026 3:05 PM, 3/1/2017, 3:15 PM.
# A UTC offset (+01:00) is not read: the timestamps are naive and an offset would be dropped.
# Fractions of a second are kept to the microsecond (DuckDB's TIMESTAMP); finer digits are cut.
# DuckDB's try_strptime reads the dates and the times, checking that they exist, with the formats
# each decision stands for. Dots are day-first in every locale that writes them (German, Dutch,
# Nordic, Russian): 03.04.2026 is never taken for 4 March.
_DAYS = {
    ISO: ["%Y-%m-%d", "%Y/%m/%d"],
    DAY_FIRST: ["%d/%m/%Y", "%d.%m.%Y", "%d-%m-%Y"],
    MONTH_FIRST: ["%m/%d/%Y", "%m-%d-%Y"],
}
_TIMES = ["%H:%M", "%H:%M:%S", "%H:%M:%S.%f", "%I:%M %p", "%I:%M:%S %p", "%I:%M:%S.%f %p"]
# Values are split into a date and a time, and each distinct piece is read once: a million
# timestamps hold a few thousand dates and times of day. What try_strptime cannot be told with a
# format is written its way first: a comma after the date ("25/02/2026, 9:05"); a decimal comma
# or more than six digits in the seconds; a "Z" (UTC: the wall clock is kept); "pm", "p.m.",
# "PM" without a space. Excel counts days from 1899-12-30 (which absorbs its 1900 leap-year bug
# for every serial from March 1900 on); the fraction is the time of day, to the second. Serials
# from 20000 to 80000 are 1954-10-03 to 2119-01-10: another five-digit number is no date.
_READ_PIECES_SQL = r"""
with
written as (
    select
        piece,
        regexp_replace(piece, ',$', '') as day,
        regexp_replace(
            regexp_replace(
                regexp_replace(trim(piece), '^([0-9:]+)[.,]([0-9]{1,6})[0-9]*', '\1.\2'),
                '([0-9])Z$', '\1'
            ),
            ' *([AaPp])\.?([Mm])\.?$', ' \1\2'
        ) as time_of_day,
        case when regexp_full_match(piece, '[0-9]{5}(\.[0-9]+)?') then cast(piece as double) end
            as serial
    from pieces
),
final as (
    select
        try_strptime(day, $iso) as iso,
        try_strptime(day, $day_first) as day_first,
        try_strptime(day, $month_first) as month_first,
        case
            when serial >= 20000 and serial < 80000
            then timestamp '1899-12-30' + to_seconds(cast(round(serial * 86400) as bigint))
        end as excel_serial,
        regexp_extract(day, '^[0-9]{1,2}([./-])[0-9]{1,2}[./-][0-9]{4}$', 1) as mark,
        -- Two digits for the minutes and the seconds, where try_strptime would take one.
        case
            when regexp_full_match(time_of_day, '[0-9]{1,2}:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)?( .*)?')
            then epoch_us(try_strptime(time_of_day, $times)) - epoch_us(timestamp '1900-01-01')
        end as time_us
    from written
)
select * from final
"""
_NAT = np.datetime64("NaT", "us")
# The years read. They were datetime64[ns]'s reach (1677-09-21 to 2262-04-11) when the values
# were pandas timestamps; a date outside these years in a revenue export is a typing error, and
# keeping them keeps which values are problems unchanged.
_YEARS = (1678, 2261)
_FIRST_DAY = np.datetime64(f"{_YEARS[0]}-01-01", "us")
_PAST_LAST_DAY = np.datetime64(f"{_YEARS[1] + 1}-01-01", "us")
# Arrow's own ISO 8601 cast reads a whole column in one pass, several times faster than
# try_strptime. It is given only the values whose shape it reads the way the formats above do:
# without a zone as naive timestamps, and with a Z as UTC, the same wall clock. When a day or a
# time does not exist (2026-02-30, 24:00) the cast fails as a whole, and try_strptime reads them.
_ISO_DAY = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}"
_ISO_TIME = r"[ T][0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]{1,6})?)?"
_ISO_CASTS = (
    (f"{_ISO_DAY}(?:{_ISO_TIME})?$", TIMESTAMP),
    (f"{_ISO_DAY}{_ISO_TIME}Z$", pa.timestamp("us", "UTC")),
)

_LABEL = {ISO: "YYYY-MM-DD", EXCEL_SERIAL: "Excel serial number"}


@dataclass(frozen=True)
class DateDecision:
    """How a column's dates are written, decided over all its non-blank values."""

    format: str | None  # one of DATE_FORMATS; None when undecided or when no value is a date
    counts: dict[str, int] = field(default_factory=dict)  # values each format can read
    tied: tuple[str, ...] = ()  # the formats the column could be in, when it is undecided
    examples: tuple[str, ...] = ()  # values that show why it is undecided
    separator: str = "/"  # between day, month and year, for the format's label

    @property
    def ambiguous(self) -> bool:
        return len(self.tied) > 1

    @property
    def code(self) -> str:
        """The question's problem code: is it only the order of day and month?"""
        return AMBIGUOUS_DATES if set(self.tied) == {DAY_FIRST, MONTH_FIRST} else UNDECIDED_DATES

    def question(self, column: str) -> str:
        """The sentence that asks for an explicit format."""
        if set(self.tied) == {DAY_FIRST, MONTH_FIRST} and len(self.examples) == 2:
            day_first, month_first = self.examples
            return (
                f"column {column} mixes day-first (e.g. {day_first}) and month-first "
                f"(e.g. {month_first}) dates{DATE_FORMAT_HINT}"
            )
        if set(self.tied) == {DAY_FIRST, MONTH_FIRST}:
            return (
                f"column {column} could be day-first or month-first "
                f"(e.g. {self.examples[0]}){DATE_FORMAT_HINT}"
            )
        fits = " or ".join(self.tied)
        return (
            f"column {column} could be {fits} (each reads {self.counts[self.tied[0]]} of its "
            f"values){DATE_FORMAT_HINT}"
        )

    def label(self, date_format: str) -> str:
        """How the format is written, for a problem's reason: DD.MM.YYYY, YYYY-MM-DD, …"""
        if date_format == DAY_FIRST:
            return self.separator.join(("DD", "MM", "YYYY"))
        if date_format == MONTH_FIRST:
            return self.separator.join(("MM", "DD", "YYYY"))
        return _LABEL[date_format]


class _DateReadings(NamedTuple):
    """What each format makes of a column: which rows it reads, and their timestamps (asked for
    one format at a time: datetime64[us] per row, anything where the format does not read)."""

    text: pa.Array  # the values without blanks, for examples
    reads: dict[str, np.ndarray]  # per format, per row
    separators: dict[str, int]  # per mark, the values day-first or month-first read with it
    stamps: Callable[[str], np.ndarray]


def _read_pieces(pieces: pa.Array) -> pa.Table:
    """Each distinct piece read as a date in every format, as a time of day, and its mark."""
    con = duckdb.connect()
    try:
        con.register("pieces", pa.table({"piece": pieces}))
        params = {name.replace("-", "_"): formats for name, formats in _DAYS.items()}
        return con.sql(_READ_PIECES_SQL, params={**params, "times": _TIMES}).to_arrow_table()
    finally:
        con.close()


def _read_by_parts(text: pa.Array) -> tuple[dict[str, np.ndarray], dict[str, int]]:
    """Per format, each value's timestamp (NaT where the format does not read it), and per mark
    how many values day-first or month-first read with it."""
    if (_buffers(text)[1] == ord("T")).any():  # a null's bytes may hold one: a needless replace
        text = pc.replace_substring(text, "T", " ")
    parts = pc.split_pattern(text, " ", max_splits=1)
    offsets = parts.offsets.to_numpy().astype(np.intp)
    count_pieces = np.diff(offsets) * _mask(pc.is_valid(parts))
    codes, distinct = _distinct(parts.values)
    read = _read_pieces(distinct)
    none = len(distinct)  # "no piece": no date (NaT), or no time (midnight)
    codes = np.append(codes, [none, none])  # past the last row's pieces
    day = np.where(count_pieces >= 1, codes[offsets[:-1]], none)
    time_of_day = np.where(count_pieces == 2, codes[offsets[:-1] + 1], none)
    micros = pc.fill_null(read.column("time_us"), -1).to_numpy()
    micros = np.append(micros, 0)[time_of_day]  # -1: a time that does not read
    stamps = {}
    for name in DATE_FORMATS:
        days = np.append(read.column(name.replace("-", "_")).to_numpy(), _NAT)[day]
        if name == EXCEL_SERIAL:  # a serial number is the whole value: no time after it
            stamps[name] = np.where(count_pieces == 1, days, _NAT)
        else:
            stamps[name] = np.where(micros >= 0, days + micros.astype("timedelta64[us]"), _NAT)
    split = ~np.isnat(stamps[DAY_FIRST]) | ~np.isnat(stamps[MONTH_FIRST])
    marks = np.append(pc.fill_null(read.column("mark"), "").to_numpy(zero_copy_only=False), "")
    separators = {mark: int((marks[day][split] == mark).sum()) for mark in "/.-"}
    return stamps, separators


def _read_dates(text: pa.Array) -> _DateReadings:
    """Which rows each format reads. A value Arrow's cast reads is year-first, so no other format
    reads it; the others are read by parts."""
    handled, cast_stamps = _cast_iso(text)
    rest = np.flatnonzero(~handled & _mask(pc.is_valid(text)))
    row_stamps = {ISO: cast_stamps}
    row_stamps.update({name: np.full(len(text), _NAT) for name in DATE_FORMATS[1:]})
    separators = dict.fromkeys("/.-", 0)
    if rest.size:
        by_parts, separators = _read_by_parts(text.take(rest))
        for name in DATE_FORMATS:
            row_stamps[name][rest] = by_parts[name]
    reads = {
        name: (stamps >= _FIRST_DAY) & (stamps < _PAST_LAST_DAY)  # NaT compares False
        for name, stamps in row_stamps.items()
    }
    return _DateReadings(text, reads, separators, row_stamps.__getitem__)


def _cast_iso(text: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """The rows Arrow's ISO 8601 cast reads, and their timestamps (datetime64[us])."""
    handled = np.zeros(len(text), dtype=bool)
    stamps = np.full(len(text), _NAT)
    # Folding a column costs a little; one without a single "YYYY-" is not worth it.
    if not (_bytes_at(text, 4) == ord("-")).any():
        return handled, stamps
    shape_index, shapes = _shapes(text, zeros=False)
    for pattern, stamp_type in _ISO_CASTS:
        castable = _mask(pc.match_substring_regex(shapes, pattern))
        rows = np.flatnonzero(np.append(castable, False)[shape_index])
        if not rows.size:
            continue
        # Nulls cast to nulls: when every value is castable, the column is cast as it stands.
        whole = rows.size == len(text) - text.null_count
        try:
            cast = pc.cast(text if whole else text.take(rows), stamp_type)
        except pa.ArrowInvalid:
            continue  # a day or a time that does not exist: try_strptime reads them instead
        handled[rows] = True
        cast = cast.to_numpy(zero_copy_only=False)
        stamps[rows] = cast[rows] if whole else cast
    return handled, stamps


def _first_value(text: pa.Array, where: np.ndarray) -> str:
    return text[int(np.flatnonzero(where)[0])].as_py()


def _decide(readings: _DateReadings) -> DateDecision:
    reads, text = readings.reads, readings.text
    counts = {name: int(reads[name].sum()) for name in DATE_FORMATS}
    separator = max(readings.separators, key=readings.separators.get)
    most = max(counts.values())
    if most == 0:
        return DateDecision(None, counts, separator=separator)
    tied = tuple(name for name in DATE_FORMATS if counts[name] == most)
    day_only = reads[DAY_FIRST] & ~reads[MONTH_FIRST]
    month_only = reads[MONTH_FIRST] & ~reads[DAY_FIRST]
    if set(tied) == {DAY_FIRST, MONTH_FIRST} and not day_only.any():
        example = _first_value(text, reads[DAY_FIRST])
        return DateDecision(None, counts, tied, (example,), separator)
    if tied[0] in (DAY_FIRST, MONTH_FIRST) and day_only.any() and month_only.any():
        # Values only day-first can read and values only month-first can read, in one column:
        # the column is mixed, and its 03/04/2026s cannot be trusted either way.
        examples = (_first_value(text, day_only), _first_value(text, month_only))
        return DateDecision(None, counts, (DAY_FIRST, MONTH_FIRST), examples, separator)
    if len(tied) > 1:
        return DateDecision(None, counts, tied, separator=separator)
    return DateDecision(tied[0], counts, separator=separator)


def decide_date_format(values) -> DateDecision:
    """Decide a column's date format over all its non-blank values.

    ``values`` is the column's text: a pyarrow string Array or ChunkedArray, or a pandas Series.
    The format that reads the most values is the column's; the values it cannot read become
    problems. Day-first and month-first are never guessed between: when both read the same
    values (no day above 12), or when the column holds values only one can read and values only
    the other can, the column is undecided, as it is for any other tie.
    """
    return _decide(_read_dates(stripped(_strings(values))))


def parse_dates(
    values,
    lines,
    file: str,
    column: str,
    date_format: str | None = None,
) -> Parsed:
    """Read a column of dates or timestamps into a naive pa.timestamp("us") Array.

    ``values`` is the column's text (a pyarrow string Array or ChunkedArray, or a pandas
    Series), ``lines`` each value's file line number. The result is null where a value is blank
    or cannot be read; fractions of a second are kept to the microsecond, finer digits cut.
    ``date_format`` (one of DATE_FORMATS) is the answer to the column's question: it is how a
    column that could be read more than one way is read, and the values it cannot read become
    problems. A column whose values settle their own format is read in that format whatever the
    answer, because one answer is given for every date column of a file (``--date-format``) and
    an ISO column beside an undecided one must stay ISO. Undecided and unanswered, the column is
    one problem, line None, and all its values null.
    """
    if date_format is not None and date_format not in DATE_FORMATS:
        raise ValueError(f"unknown date format {date_format!r}; use one of {DATE_FORMATS}")
    raw = _strings(values)
    readings = _read_dates(stripped(raw))
    decision = _decide(readings)
    chosen = decision.format or date_format
    if chosen is None and decision.ambiguous:
        question = decision.question(column)
        problem = Problem(file, None, column, None, question, code=decision.code)
        return Parsed(pa.nulls(len(raw), TIMESTAMP), [problem])
    if chosen is None:
        read = np.zeros(len(raw), dtype=bool)
        parsed = pa.nulls(len(raw), TIMESTAMP)
        reason = "not a date"
    else:
        read = readings.reads[chosen]
        parsed = pa.array(readings.stamps(chosen), mask=~read, type=TIMESTAMP)
        reason = f"not a date in the column's format ({decision.label(chosen)})"
    present = _mask(pc.is_valid(readings.text))
    return Parsed(parsed, _problems(present & ~read, raw, lines, file, column, reason, NOT_A_DATE))


# --- amounts ----------------------------------------------------------------------------------

# Every test below runs on the column's distinct shapes (see _shapes), never value by value; the
# values are only folded, pointed at their shape, stripped to their digits and cast.

# Anything but digits, separators and an ASCII sign: currency, spaces, parentheses, a Unicode
# minus, or a letter that makes the value no number at all. The steps for those run only when
# some value in the column has one.
_UNUSUAL = r"[^0-9.,+-]"
# Spaces (also no-break and narrow no-break, as French and Swiss exports write them) and
# apostrophes (Swiss) group thousands in either convention; '.' and ',' depend on the column.
_SPACE_CLASS = r"' \x{00A0}\x{202F}"
# What a single value says about its decimal separator. A lone separator before exactly three
# digits ("1.234", "12,500") says nothing: alone it could be either.
_SAYS_COMMA = r",(?:[0-9]{1,2}|[0-9]{4,})$|\..*,|\..*\.|^[-+]?0?,"
_SAYS_POINT = r"\.(?:[0-9]{1,2}|[0-9]{4,})$|,.*\.|,.*,|^[-+]?0?\."
_DIGITS = 16  # DECIMAL(18,2): sixteen digits before the point
_EXAMPLE = {",": "1.234,56", ".": "1,234.56", None: "1,234"}


def _whole(pattern: str) -> str:
    return "^[-+]?" + pattern.replace("SP", _SPACE_CLASS) + "$"


# A whole number for each decision: digits in groups of three split by the grouping mark, or
# not grouped at all; then the decimals, if the column has a decimal separator.
_FORMAT = {
    ".": _whole(r"(?:(?:[0-9]{1,3}(?:[,SP][0-9]{3})+|[0-9]+)(?:\.[0-9]+)?|\.[0-9]+)"),
    ",": _whole(r"(?:(?:[0-9]{1,3}(?:[.SP][0-9]{3})+|[0-9]+)(?:,[0-9]+)?|,[0-9]+)"),
    None: _whole(r"(?:[0-9]{1,3}(?:[.,SP][0-9]{3})+|[0-9]+)"),
}
_NUMBERISH = _whole(r"[0-9.,SP]*[0-9][0-9.,SP]*")
# A number Arrow's decimal cast reads as it is written: no grouping, the decimals after a point.
_AS_WRITTEN = {".": _whole(r"[0-9]*(?:\.[0-9]*)?"), ",": _whole("[0-9]*"), None: _whole("[0-9]*")}


@dataclass(frozen=True)
class DecimalDecision:
    """A column's decimal separator, decided over all its values."""

    separator: str | None  # "," or "."; None when no value shows one, or as many show each
    comma_values: int  # values that can only be read with a decimal comma
    point_values: int  # values that can only be read with a decimal point

    @property
    def conflicting(self) -> bool:
        return self.comma_values == self.point_values > 0


class _Amounts(NamedTuple):
    text: pa.Array  # the trimmed values
    shape_index: np.ndarray  # per value, into the shapes; one past the end for a null
    bodies: pa.Array  # per shape: a sign, digits and separators; no currency, no parentheses
    well_formed: np.ndarray  # per shape: not both a sign and parentheses
    unusual: bool  # some value has more than digits, separators and a sign

    def matches(self, pattern: str) -> np.ndarray:
        """Per shape, whether its body matches the pattern."""
        return _mask(pc.match_substring_regex(self.bodies, pattern))

    def per_value(self, per_shape: np.ndarray) -> np.ndarray:
        """A per-shape mask per value; False for a null."""
        return np.append(per_shape, False)[self.shape_index]


# A currency symbol or code, or a space, on either side of the number and its sign.
_CURRENCY = r"(?:[€$£\s\x{00A0}\x{202F}]|(?i:EUR|USD|GBP|CHF))*"
# A value's parts: accounting parentheses, a sign (a Unicode minus too), the number itself.
_BODY = (
    rf"^{_CURRENCY}(?P<open>\(?){_CURRENCY}(?P<sign>[-+\x{{2212}}]?){_CURRENCY}"
    rf"(?P<number>[^()]*?){_CURRENCY}(?P<close>\)?){_CURRENCY}$"
)


def _bodies(shapes: pa.Array) -> tuple[pa.Array, np.ndarray]:
    """The number in each shape with its sign, without currency and parentheses (which become a
    minus), and whether the shape is well formed (parentheses in pairs, and not both them and a
    sign). None of it looks at a digit, so the body of a shape is the shape of the value's body."""
    parts = pc.extract_regex(shapes, _BODY)
    opened = _mask(pc.equal(pc.struct_field(parts, "open"), "("))
    closed = _mask(pc.equal(pc.struct_field(parts, "close"), ")"))
    sign = pc.replace_substring(pc.struct_field(parts, "sign"), "\u2212", "-")
    minus = pc.if_else(pa.array(opened & closed), "-", "")
    body = pc.binary_join_element_wise(minus, sign, pc.struct_field(parts, "number"), "")
    signed = _mask(pc.not_equal(sign, ""))
    return body, _mask(pc.is_valid(parts)) & (opened == closed) & ~(signed & opened)


def _amounts(text: pa.Array) -> _Amounts:
    shape_index, shapes = _shapes(text)
    if not _any(pc.match_substring_regex(shapes, _UNUSUAL)):
        return _Amounts(text, shape_index, shapes, np.ones(len(shapes), dtype=bool), False)
    bodies, well_formed = _bodies(shapes)
    return _Amounts(text, shape_index, bodies, well_formed, True)


def _decide_separator(amounts: _Amounts) -> DecimalDecision:
    says_comma = amounts.matches(_SAYS_COMMA)
    says_point = amounts.matches(_SAYS_POINT)
    values = np.bincount(amounts.shape_index, minlength=len(amounts.bodies) + 1)[:-1]
    commas = int(values[says_comma & ~says_point].sum())
    points = int(values[says_point & ~says_comma].sum())
    separator = "," if commas > points else "." if points > commas else None
    return DecimalDecision(separator, commas, points)


def decide_decimal_separator(values) -> DecimalDecision:
    """Decide whether a column of amounts writes a decimal comma or a decimal point.

    ``values`` is the column's text: a pyarrow string Array or ChunkedArray, or a pandas Series.
    A value shows its separator when it can be read only one way: "12,50", "1.234,5",
    "1.234.567" and "0,125" show a comma; "12.50", "1,234.5", "1,234,567" and "0.125" a point.
    The separator most values show is the column's; the values showing the other become
    problems, and a tie is not broken. "1.234" or "12,500" alone shows nothing; in a column
    where no value shows a separator the amounts are whole, and a '.' or ',' before three
    digits groups thousands.
    """
    return _decide_separator(_amounts(stripped(_strings(values))))


def parse_numbers(
    values,
    lines,
    file: str,
    column: str,
    decimal: str | None = None,
) -> Parsed:
    """Read a column of amounts into an exact pa.decimal128(18, 2) Array (DuckDB's DECIMAL(18,2)).

    ``values`` is the column's text (a pyarrow string Array or ChunkedArray), ``lines`` each
    value's file line number. The result is null where a value is blank, cannot be read or is
    too large. Currency symbols and codes (€ $ £ EUR USD GBP CHF) before or after the number are
    dropped; a leading minus and accounting parentheses, "(12.50)", both mean negative. An
    amount with more than two decimals is rounded half away from zero to the cent (DuckDB's
    cast), with a warning. ``decimal`` ("," or ".") overrides the column's own decision.
    """
    if decimal not in (None, ",", "."):
        raise ValueError(f"decimal separator must be ',' or '.', not {decimal!r}")
    raw = _strings(values)
    amounts = _amounts(stripped(raw))
    decision = _decide_separator(amounts)
    if decimal is None and decision.conflicting:
        reason = (
            f"column {column} has as many amounts with a decimal comma as with a decimal point "
            f"({decision.comma_values} each); the file must use one of them"
        )
        problem = Problem(file, None, column, None, reason, code=MIXED_DECIMALS)
        return Parsed(pa.nulls(len(raw), AMOUNT), [problem])
    separator = decimal or decision.separator
    fitting = amounts.well_formed & amounts.matches(_FORMAT[separator])
    fits = amounts.per_value(fitting)
    cast = _cast_amounts(*_plain(amounts, separator, fitting, fits))
    cents = cast.column("cents").combine_chunks()
    wrong = _mask(pc.is_valid(amounts.text)) & ~fits
    numberish = amounts.per_value(amounts.well_formed & amounts.matches(_NUMBERISH))
    in_format = f"not a number in the column's format ({_EXAMPLE[separator]})"
    large = f"too large for an amount (over {_DIGITS} digits before the decimals)"
    problems = [
        *_problems(wrong & ~numberish, raw, lines, file, column, "not a number", NOT_A_NUMBER),
        *_problems(wrong & numberish, raw, lines, file, column, in_format, NOT_A_NUMBER),
        *_problems(
            _mask(cast.column("too_large")), raw, lines, file, column, large, AMOUNT_TOO_LARGE
        ),
        *_rounded(_mask(cast.column("rounded")), raw, cents, lines, file, column),
    ]
    problems.sort(key=lambda problem: problem.line)
    return Parsed(cents, problems)


def _plain(
    amounts: _Amounts, separator: str | None, fitting: np.ndarray, fits: np.ndarray
) -> tuple[pa.Array, np.ndarray]:
    """Each value that fits the column's format as DuckDB casts it (null for the others): its
    sign, digits and decimal point; and which values are negative beyond that sign."""
    text = pc.if_else(pa.array(fits), amounts.text, _NULL)
    if not amounts.unusual and amounts.matches(_AS_WRITTEN[separator])[fitting].all():
        return text, np.zeros(len(text), dtype=bool)  # "-1234.50": cast as it is written
    # For a value that fits, nothing stripped from around its body is a digit, '.' or ','.
    digits = pc.replace_substring_regex(text, f"[^0-9{separator or ''}]", "")
    if separator == ",":
        digits = pc.replace_substring(digits, ",", ".")
    return digits, fits & amounts.per_value(amounts.matches("^-"))


# DuckDB's cast rounds half away from zero to the cent and, as try_cast, leaves null what is
# too large for DECIMAL(18,2). A value was rounded when a digit other than 0 follows its second
# decimal.
_CAST_AMOUNTS_SQL = """
with
cast_amounts as (
    select plain, negative, try_cast(plain as decimal(18, 2)) as cents
    from amounts
),
final as (
    select
        case when negative then -cents else cents end as cents,
        cents is not null
            and strpos(plain, '.') > 0
            and ltrim(substr(plain, strpos(plain, '.') + 3), '0') <> '' as rounded,
        cents is null and plain is not null as too_large
    from cast_amounts
)
select * from final
"""


def _cast_amounts(plain: pa.Array, negative: np.ndarray) -> pa.Table:
    con = duckdb.connect()
    try:
        con.register("amounts", pa.table({"plain": plain, "negative": negative}))
        return con.sql(_CAST_AMOUNTS_SQL).to_arrow_table()
    finally:
        con.close()


def _rounded(rounded, raw: pa.Array, cents: pa.Array, lines, file, column) -> list[Problem]:
    """A warning for each amount rounded to the cent, showing it as DuckDB writes it."""
    rows = np.flatnonzero(rounded)
    stored = pc.cast(cents.take(rows), pa.string()).to_pylist()
    written = raw.take(rows).to_pylist()
    return [
        Problem(
            file,
            int(line),
            column,
            value,
            f"more than two decimals; rounded to the cent ({amount})",
            WARNING,
            code=ROUNDED,
        )
        for line, value, amount in zip(
            np.asarray(lines)[rows].tolist(), written, stored, strict=True
        )
    ]


# --- booleans ---------------------------------------------------------------------------------

# English, Dutch, German, French, Spanish, and the words Excel writes for TRUE and FALSE when it
# saves a CSV in those languages (WAAR/ONWAAR, WAHR/FALSCH, VRAI/FAUX, VERDADERO/FALSO).
_TRUE = ("true", "t", "yes", "y", "1", "ja", "j", "oui", "sí", "si", "waar", "wahr", "vrai")
_TRUE += ("verdadero",)
_FALSE = ("false", "f", "no", "n", "0", "nee", "nein", "non", "onwaar", "falsch", "faux")
_FALSE += ("falso",)
_WORDS = pa.array(_TRUE + _FALSE)
_TRUTH = pa.array([True] * len(_TRUE) + [False] * len(_FALSE), BOOLEAN)


def parse_booleans(values, lines, file: str, column: str) -> Parsed:
    """Read a column of yes/no values (any case) into a pa.bool_() Array.

    ``values`` is the column's text (a pyarrow string Array or ChunkedArray, or a pandas
    Series), ``lines`` each value's file line number. TRUE/FALSE, T/F, Yes/No, Y/N, 1/0,
    Ja/Nee, Ja/Nein, Oui/Non, Sí/No and Excel's localised TRUE/FALSE words. Anything else, an
    "x" included, is a problem and null; blank stays null.
    """
    raw = _strings(values)
    text = stripped(raw)
    position = pc.index_in(pc.utf8_lower(text), value_set=_WORDS)
    parsed = pc.take(_TRUTH, position)  # a null position (blank or unknown) stays null
    unread = _mask(pc.is_valid(text)) & ~_mask(pc.is_valid(position))
    reason = "not a yes/no value (TRUE/FALSE, Yes/No, 1/0, Ja/Nee, …)"
    return Parsed(parsed, _problems(unread, raw, lines, file, column, reason, NOT_A_BOOLEAN))
