"""Text values from an export into dates, amounts and booleans, one column at a time.

Every function takes a column as the reader hands it over: the raw text values (a pyarrow string
Array or ChunkedArray, null for a blank; a pandas Series of str/None is converted once on the
way in), the file line number of each value (a numpy int64 array or any sequence, index for
index), the file name and the column's name in the file. It returns the typed values as one
pyarrow Array of the same length (timestamp[us], decimal128(18, 2) or bool; null where a value is
blank or cannot be read), and a Problem for every non-blank value that cannot be read. Blank
values (null, empty or only spaces) are missing, never a problem: whether a field is required is
validation's business.

The format of a column (day-first or month-first, decimal comma or decimal point) is decided
over the whole column, never value by value, and a column that could be read two ways is not
guessed. The work is done over whole columns by pyarrow's compute kernels (RE2 regular
expressions) and numpy; Python loops run only over the values that become problems. Regular
expressions are the costly part, so they run once per distinct date, time of day or shape of a
value (see _shapes) rather than once per value, and ISO timestamps are read by Arrow's own cast.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import NamedTuple

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from revcycle.importer.problems import ERROR, WARNING, Problem

ISO = "iso"
DAY_FIRST = "day-first"
MONTH_FIRST = "month-first"
EXCEL_SERIAL = "excel-serial"
DATE_FORMATS = (ISO, DAY_FIRST, MONTH_FIRST, EXCEL_SERIAL)

TIMESTAMP = pa.timestamp("us")
AMOUNT = pa.decimal128(18, 2)
BOOLEAN = pa.bool_()


class Parsed(NamedTuple):
    """A parsed column: the typed values, index for index with the input, and the problems."""

    values: pa.Array
    problems: list[Problem]


# --- shared helpers ---------------------------------------------------------------------------

_NULL = pa.scalar(None, pa.string())
_TEXT = pd.StringDtype("pyarrow")


def _strings(values) -> pa.Array:
    """The column as one plain Arrow string array, as the file wrote it (null for a blank)."""
    if not isinstance(values, (pa.Array, pa.ChunkedArray)):
        if not isinstance(values, pd.Series):
            values = pd.Series(values, dtype=object)
        # Arrow-backed strings keep None missing and turn the odd non-text cell (a number from a
        # spreadsheet) into its text.
        values = pa.array(values.astype(_TEXT))
    if values.type != pa.string():
        # Plain (32-bit offset) strings hold 2 GB of text per column, far beyond any export, and
        # spare every literal below from having to match the array's string type.
        values = values.cast(pa.string())
    if isinstance(values, pa.ChunkedArray):
        values = values.chunk(0) if values.num_chunks == 1 else values.combine_chunks()
    return values


def _text(raw: pa.Array) -> pa.Array:
    """The values trimmed, blanks (empty or only spaces) as nulls."""
    text = pc.utf8_trim_whitespace(raw)
    return pc.if_else(pc.greater(pc.binary_length(text), 0), text, _NULL)


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


def _problems(bad, raw: pa.Array, lines, file, column, reason, severity=ERROR) -> list[Problem]:
    rows = np.flatnonzero(bad)
    if rows.size == 0:
        return []
    values = raw.take(rows).to_pylist()
    line_numbers = np.asarray(lines)[rows].tolist()
    return [
        Problem(file, int(line), column, value, reason, severity)
        for line, value in zip(line_numbers, values, strict=True)
    ]


# --- dates and timestamps ---------------------------------------------------------------------

# A value is a date, then optionally a space or "T" and a time. The date is year-first, or has
# the year last and its day and month in the order the column decides; two-digit years and
# month names are not read. Accepted: 2026-02-25, 2026/2/25, 2026-02-25T22:36:05.123Z,
# 25.02.2026, 25/02/2026 9:05, 08-06-2020 15:38:00, 2/25/2026 3:05 PM, 3/1/2017, 3:15 PM.
# A UTC offset (+01:00) is not read: the timestamps are naive and an offset would be dropped.
# Fractions of a second are kept to the microsecond (DuckDB's TIMESTAMP); finer digits are cut.
_DATE = (
    r"^(?:(?P<year>[0-9]{4})(?P<ysep1>[-/])(?P<ymonth>[0-9]{1,2})(?P<ysep2>[-/])"
    r"(?P<yday>[0-9]{1,2})"
    r"|(?P<part1>[0-9]{1,2})(?P<sep1>[./-])(?P<part2>[0-9]{1,2})(?P<sep2>[./-])"
    r"(?P<lyear>[0-9]{4})),?$"
)
_TIME = (
    r"^(?P<hour>[0-9]{1,2}):(?P<minute>[0-9]{2})"
    r"(?::(?P<seconds>[0-9]{2})(?:[.,](?P<fraction>[0-9]{1,9}))?)?"
    r" *(?:(?P<meridiem>[AaPp])\.?[Mm]\.?)?Z?$"
)
# Excel counts days from 1899-12-30 (which absorbs its 1900 leap-year bug for every serial from
# March 1900 on); the fraction is the time of day. Serials from 20000 to 80000 are 1954-10-03
# to 2119-01-10: another five-digit number is not taken for a date.
_SERIAL = r"^[0-9]{5}(?:\.[0-9]+)?$"
_EXCEL_EPOCH = np.datetime64("1899-12-30", "us")
_EXCEL_RANGE = (20000, 80000)
_US_PER_SECOND = 1_000_000
_NAT = np.datetime64("NaT", "us")
# The years read. They were datetime64[ns]'s reach (1677-09-21 to 2262-04-11) when the values
# were pandas timestamps; microseconds reach much further, but a date outside these years in a
# revenue export is a typing error, and keeping them keeps which values are problems unchanged.
_YEARS = (1678, 2261)
_FIRST_DAY = np.datetime64(f"{_YEARS[0]}-01-01", "us")
_PAST_LAST_DAY = np.datetime64(f"{_YEARS[1] + 1}-01-01", "us")
# Arrow's own ISO 8601 cast reads a whole column in one pass, an order of magnitude faster than
# splitting it into dates and times. It is given only the values whose shape it reads the way
# the grammar above does (a value it cannot read costs it an error message): without a zone as
# naive timestamps, and with a Z as UTC, which is the same wall clock the grammar reads.
_ISO_DAY = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}"
_ISO_TIME = r"[ T][0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]{1,6})?)?"
_ISO_CASTS = (
    (f"{_ISO_DAY}(?:{_ISO_TIME})?$", TIMESTAMP),
    (f"{_ISO_DAY}{_ISO_TIME}Z$", pa.timestamp("us", "UTC")),
)
# The cast fails as a whole on a day or a time that does not exist (2026-02-30, 24:00). It is
# then tried on blocks of values, and a failing block is halved down to a few values, which go
# the long way; after that many failures the halving stops and failing blocks go whole.
_CAST_BLOCK = 4096
_CAST_LEFT = 64
_CAST_FAILURES = 1000

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

    def question(self, column: str) -> str:
        """The sentence that asks for an explicit format."""
        if set(self.tied) == {DAY_FIRST, MONTH_FIRST} and len(self.examples) == 2:
            day_first, month_first = self.examples
            return (
                f"column {column} mixes day-first (e.g. {day_first}) and month-first "
                f"(e.g. {month_first}) dates; choose with --date-format"
            )
        if set(self.tied) == {DAY_FIRST, MONTH_FIRST}:
            return (
                f"column {column} could be day-first or month-first (e.g. {self.examples[0]}); "
                "choose with --date-format"
            )
        fits = " or ".join(self.tied)
        return (
            f"column {column} could be {fits} (each reads {self.counts[self.tied[0]]} of its "
            "values); choose with --date-format"
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

    text: pa.Array  # the trimmed values, for examples
    reads: dict[str, np.ndarray]  # per format, per row
    separators: dict[str, int]  # per mark, the values day-first or month-first read with it
    stamps: Callable[[str], np.ndarray]


def _calendar(year: np.ndarray, month: np.ndarray, day: np.ndarray):
    """Midnight of each (year, month, day) as datetime64[us], and whether that day exists."""
    exists = (year >= _YEARS[0]) & (year <= _YEARS[1]) & (month >= 1) & (month <= 12)
    months = (np.where(exists, year, 1970) - 1970) * 12 + np.where(exists, month, 1) - 1
    first_of_month = months.astype("datetime64[M]").astype("datetime64[D]")
    days_in_month = (months + 1).astype("datetime64[M]").astype("datetime64[D]") - first_of_month
    exists &= (day >= 1) & (day <= days_in_month.astype(np.int64))
    midnight = first_of_month + (np.where(exists, day, 1) - 1).astype("timedelta64[D]")
    return midnight.astype("datetime64[us]"), exists


def _group(groups: pa.StructArray, name: str) -> pa.Array:
    """One named group of an extract_regex result; null where the value or the group is absent."""
    text = pc.struct_field(groups, name)
    present = pc.and_(pc.is_valid(groups), pc.greater(pc.binary_length(text), 0))
    return pc.if_else(present, text, pa.scalar(None, text.type))


def _ints(groups: pa.StructArray, name: str) -> np.ndarray:
    """A group of digits as int64, -1 where absent."""
    return pc.fill_null(pc.cast(_group(groups, name), pa.int64()), -1).to_numpy()


def _read_distinct_dates(dates: pa.Array):
    """Each distinct date text read in every format: timestamps, whether it reads, separator."""
    groups = pc.extract_regex(dates, _DATE)
    stamps, reads = {}, {}
    stamps[ISO], reads[ISO] = _calendar(
        _ints(groups, "year"), _ints(groups, "ymonth"), _ints(groups, "yday")
    )
    reads[ISO] &= _mask(pc.equal(_group(groups, "ysep1"), _group(groups, "ysep2")))
    part1, part2, year = _ints(groups, "part1"), _ints(groups, "part2"), _ints(groups, "lyear")
    separator = _group(groups, "sep1")
    year_last = _mask(pc.equal(separator, _group(groups, "sep2")))
    stamps[DAY_FIRST], reads[DAY_FIRST] = _calendar(year, part2, part1)
    stamps[MONTH_FIRST], reads[MONTH_FIRST] = _calendar(year, part1, part2)
    # Dots are day-first in every locale that writes them (German, Dutch, Nordic, Russian):
    # 03.04.2026 is never taken for 4 March.
    dotted = _mask(pc.equal(separator, "."))
    reads[DAY_FIRST] &= year_last
    reads[MONTH_FIRST] &= year_last & ~dotted

    serial_like = pc.match_substring_regex(dates, _SERIAL)
    serials = pc.cast(pc.if_else(serial_like, dates, _NULL), pa.float64())
    serials = pc.fill_null(serials, np.nan).to_numpy()
    reads[EXCEL_SERIAL] = (serials >= _EXCEL_RANGE[0]) & (serials < _EXCEL_RANGE[1])
    # The fraction of a day is a float (0.604166… for 14:30): rounded to the second, as Excel
    # shows it.
    seconds = np.round(np.where(reads[EXCEL_SERIAL], serials, 0.0) * 86400).astype(np.int64)
    stamps[EXCEL_SERIAL] = _EXCEL_EPOCH + (seconds * _US_PER_SECOND).astype("timedelta64[us]")
    separators = pc.fill_null(separator, "").to_numpy(zero_copy_only=False)
    return stamps, reads, separators


def _read_distinct_times(times: pa.Array):
    """Each distinct time text as a time of day (timedelta64[us]), and whether it reads."""
    times = pc.utf8_trim_whitespace(times)
    groups = pc.extract_regex(times, _TIME)
    hour, minute = _ints(groups, "hour"), _ints(groups, "minute")
    second = np.maximum(_ints(groups, "seconds"), 0)
    fraction = pc.utf8_slice_codeunits(_group(groups, "fraction"), 0, 6)
    micros = pc.fill_null(pc.cast(pc.utf8_rpad(fraction, 6, "0"), pa.int64()), 0).to_numpy()
    meridiem = _group(groups, "meridiem")
    meridiem = pc.fill_null(pc.utf8_lower(meridiem), "").to_numpy(zero_copy_only=False)
    twelve_hour = meridiem != ""
    valid = (
        _mask(pc.is_valid(groups))
        & np.where(twelve_hour, (hour >= 1) & (hour <= 12), hour <= 23)
        & (minute <= 59)
        & (second <= 59)
    )
    hour = np.where(twelve_hour, hour % 12 + np.where(meridiem == "p", 12, 0), hour)
    micros = micros + (hour * 3600 + minute * 60 + second) * _US_PER_SECOND
    no_time = _mask(pc.equal(times, ""))
    valid |= no_time
    return np.where(valid & ~no_time, micros, 0).astype("timedelta64[us]"), valid


def _read_dates_by_parts(text: pa.Array) -> _DateReadings:
    """Read every value by splitting it into a date and a time. Dates and times repeat a lot, so
    each distinct piece is read once and the rows point at it."""
    # A null may keep bytes behind it: a T there only costs a needless replace.
    if (_buffers(text)[1] == ord("T")).any():
        text_spaced = pc.replace_substring(text, "T", " ")
    else:
        text_spaced = text
    # One or two pieces a row: the date, and the time after the first space if there is one.
    # Dates and times go through one dictionary, which is cheaper than taking them apart first.
    parts = pc.split_pattern(text_spaced, " ", max_splits=1)
    valid = _mask(pc.is_valid(parts))
    offsets = parts.offsets.to_numpy().astype(np.intp)
    pieces = np.diff(offsets) * valid
    codes, distinct = _distinct(parts.values)
    count = len(distinct)
    codes = np.append(codes, [count, count])  # past the last row's pieces
    # Index ``count`` is "no date" on the date side (reads nothing) and "no time" on the time
    # side (midnight).
    date_index = np.where(pieces >= 1, codes[offsets[:-1]], count)
    time_index = np.where(pieces == 2, codes[offsets[:-1] + 1], count)

    def used(index):
        return np.flatnonzero(np.bincount(index, minlength=count + 1)[:count])

    as_date = used(date_index)
    stamps_of_dates = {name: np.full(count + 1, _NAT) for name in DATE_FORMATS}
    date_reads = {name: np.zeros(count + 1, dtype=bool) for name in DATE_FORMATS}
    separators = np.full(count + 1, "", dtype=object)
    if as_date.size:
        stamps, reads, marks = _read_distinct_dates(distinct.take(as_date))
        for name in DATE_FORMATS:
            stamps_of_dates[name][as_date] = stamps[name]
            date_reads[name][as_date] = reads[name]
        separators[as_date] = marks

    as_time = used(time_index)
    times_of_day = np.zeros(count + 1, dtype="timedelta64[us]")
    time_reads = np.ones(count + 1, dtype=bool)
    if as_time.size:
        times_of_day[as_time], time_reads[as_time] = _read_distinct_times(distinct.take(as_time))

    time_read = time_reads[time_index]
    reads = {name: date_reads[name][date_index] & time_read for name in DATE_FORMATS[:3]}
    # A serial number is the whole value: a time after it makes it no date.
    reads[EXCEL_SERIAL] = date_reads[EXCEL_SERIAL][date_index] & (pieces == 1)

    by_date = np.bincount(date_index[reads[DAY_FIRST] | reads[MONTH_FIRST]], minlength=count + 1)
    used_marks = {mark: int(by_date[separators == mark].sum()) for mark in "/.-"}

    def stamps(date_format: str) -> np.ndarray:
        return stamps_of_dates[date_format][date_index] + times_of_day[time_index]

    return _DateReadings(text, reads, used_marks, stamps)


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
        if rows.size:
            _cast_rows(text, rows, stamp_type, handled, stamps)
    return handled, stamps


def _cast_rows(
    text: pa.Array,
    rows: np.ndarray,
    stamp_type: pa.DataType,
    handled: np.ndarray,
    stamps: np.ndarray,
) -> None:
    """Cast the rows, marking those the cast reads in ``handled`` and their ``stamps``."""
    # Nulls cast to nulls: when every value is castable, the column is cast as it stands.
    if rows.size == len(text) - text.null_count:
        try:
            cast = pc.cast(text, stamp_type)
        except pa.ArrowInvalid:
            pass
        else:
            handled[rows] = True
            stamps[rows] = cast.to_numpy(zero_copy_only=False)[rows]
            return
    castable = text.take(rows)
    blocks = [
        (start, min(start + _CAST_BLOCK, rows.size)) for start in range(0, rows.size, _CAST_BLOCK)
    ]
    failures = 0
    while blocks:
        start, stop = blocks.pop()
        try:
            cast = pc.cast(castable.slice(start, stop - start), stamp_type)
        except pa.ArrowInvalid:
            failures += 1
            if stop - start > _CAST_LEFT and failures <= _CAST_FAILURES:
                middle = (start + stop) // 2
                blocks += [(middle, stop), (start, middle)]
            continue
        handled[rows[start:stop]] = True
        stamps[rows[start:stop]] = cast.to_numpy(zero_copy_only=False)


def _read_dates(text: pa.Array) -> _DateReadings:
    """Which rows each format reads. A value Arrow's cast reads is year-first, so no other format
    reads it; the others are read by parts."""
    handled, cast_stamps = _cast_iso(text)
    if not handled.any():
        return _read_dates_by_parts(text)
    iso = handled & (cast_stamps >= _FIRST_DAY) & (cast_stamps < _PAST_LAST_DAY)
    rest = np.flatnonzero(~handled & _mask(pc.is_valid(text)))
    by_parts = _read_dates_by_parts(text.take(rest)) if rest.size else None
    reads = {}
    for name in DATE_FORMATS:
        reads[name] = iso if name == ISO else np.zeros(len(text), dtype=bool)
        if by_parts is not None:
            reads[name][rest] = by_parts.reads[name]
    separators = dict.fromkeys("/.-", 0) if by_parts is None else by_parts.separators

    def stamps(date_format: str) -> np.ndarray:
        result = cast_stamps.copy() if date_format == ISO else np.full(len(text), _NAT)
        if by_parts is not None:
            result[rest] = by_parts.stamps(date_format)
        return result

    return _DateReadings(text, reads, separators, stamps)


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
    return _decide(_read_dates(_text(_strings(values))))


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
    readings = _read_dates(_text(raw))
    decision = _decide(readings)
    chosen = decision.format or date_format
    if chosen is None and decision.ambiguous:
        problem = Problem(file, None, column, None, decision.question(column))
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
    return Parsed(parsed, _problems(present & ~read, raw, lines, file, column, reason))


# --- amounts ----------------------------------------------------------------------------------

# Every test below runs on the column's distinct shapes (see _shapes), never value by value; the
# values are only folded, pointed at their shape, stripped to their digits and cast.

# Anything but digits, separators and an ASCII sign: currency, spaces, parentheses, a Unicode
# minus, or a letter that makes the value no number at all. The steps for those run only when
# some value in the column has one.
_UNUSUAL = r"[^0-9.,+-]"
_CURRENCY_TRIM = "€$£ \t\u00a0\u202f"
_CURRENCY_CODES = ("EUR", "USD", "GBP", "CHF")
# Spaces (also no-break and narrow no-break, as French and Swiss exports write them) and
# apostrophes (Swiss) group thousands in either convention; '.' and ',' depend on the column.
_SPACE_CLASS = r"' \x{00A0}\x{202F}"
# What a single value says about its decimal separator. A lone separator before exactly three
# digits ("1.234", "12,500") says nothing: alone it could be either.
_SAYS_COMMA = r",(?:[0-9]{1,2}|[0-9]{4,})$|\..*,|\..*\.|^[-+]?0?,"
_SAYS_POINT = r"\.(?:[0-9]{1,2}|[0-9]{4,})$|,.*\.|,.*,|^[-+]?0?\."
_DIGITS = 16  # DECIMAL(18,2): sixteen digits before the point
_LIMIT = Decimal(10**_DIGITS)
_EXACT = pa.decimal128(38, 3)
_CENTS = pa.decimal128(38, 2)
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


def _where(mask: np.ndarray, then, otherwise: pa.Array) -> pa.Array:
    """``then(otherwise)`` where mask is true; ``then`` runs only if it is true anywhere."""
    if not mask.any():
        return otherwise
    return pc.if_else(pa.array(mask), then(otherwise), otherwise)


def _strip_currency(body: pa.Array) -> pa.Array:
    """Drop a currency symbol or code, and spaces, from either end."""
    body = pc.utf8_trim(body, _CURRENCY_TRIM)
    if not _any(pc.match_substring_regex(body, "[A-Za-z]")):
        return body
    for code in _CURRENCY_CODES:
        if not _any(pc.match_substring(body, code, ignore_case=True)):
            continue
        at_start = _mask(pc.starts_with(body, code, ignore_case=True))
        body = _where(at_start, lambda body: pc.utf8_slice_codeunits(body, 3), body)
        at_end = _mask(pc.ends_with(body, code, ignore_case=True))
        body = _where(at_end, lambda body: pc.utf8_slice_codeunits(body, 0, -3), body)
        body = pc.utf8_trim(body, _CURRENCY_TRIM)
    return body


def _bodies(shapes: pa.Array) -> tuple[pa.Array, np.ndarray]:
    """The number in each shape, without currency and parentheses (which become a minus), and
    whether the shape is well formed (not both a sign and parentheses). None of it looks at a
    digit, so the body of a shape is the shape of the value's body."""
    body = _strip_currency(shapes)
    parenthesised = _mask(pc.starts_with(body, "(")) & _mask(pc.ends_with(body, ")"))
    body = _where(
        parenthesised, lambda body: _strip_currency(pc.utf8_slice_codeunits(body, 1, -1)), body
    )
    body = _where(
        _mask(pc.starts_with(body, "\u2212")),
        lambda body: pc.binary_join_element_wise("-", pc.utf8_slice_codeunits(body, 1), ""),
        body,
    )
    # A sign before the currency or a space: -€12,50, - 12,50.
    body = _where(
        _mask(pc.match_substring_regex(body, "^[-+][^0-9.,]")),
        lambda body: pc.binary_join_element_wise(
            pc.utf8_slice_codeunits(body, 0, 1),
            _strip_currency(pc.utf8_slice_codeunits(body, 1)),
            "",
        ),
        body,
    )
    signed = _mask(pc.starts_with(body, "-")) | _mask(pc.starts_with(body, "+"))
    body = _where(parenthesised, lambda body: pc.binary_join_element_wise("-", body, ""), body)
    return body, ~(signed & parenthesised)


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
    return _decide_separator(_amounts(_text(_strings(values))))


def _digits(text: pa.Array, separator: str | None) -> pa.Array:
    """Each value's digits, with its decimal separator written as a point: the number without
    sign, grouping, currency or parentheses. For a value that fits the column's format these are
    exactly its body's digits and decimal separator: nothing stripped from around the body is a
    digit, '.' or ','. Done on the bytes, which is exact for the same reason as _shapes."""
    offsets, data = _buffers(text)
    keep = (data >= ord("0")) & (data <= ord("9"))
    if separator is not None:
        keep |= data == ord(separator)
    kept_before = np.zeros(len(data) + 1, dtype=np.int32)
    np.cumsum(keep.view(np.uint8), dtype=np.int32, out=kept_before[1:])
    offsets, data = kept_before[offsets], np.compress(keep, data)
    if separator == ",":
        data[data == ord(",")] = ord(".")
    return _rebuilt(text, offsets, data)


def parse_numbers(
    values,
    lines,
    file: str,
    column: str,
    decimal: str | None = None,
) -> Parsed:
    """Read a column of amounts into an exact pa.decimal128(18, 2) Array (DuckDB's DECIMAL(18,2)).

    ``values`` is the column's text (a pyarrow string Array or ChunkedArray, or a pandas
    Series), ``lines`` each value's file line number. The result is null where a value is blank,
    cannot be read or is too large. Currency symbols and codes (€ $ £ EUR USD GBP CHF) before or
    after the number are dropped; a leading minus and accounting parentheses, "(12.50)", both
    mean negative. An amount with more than two decimals is rounded half away from zero to the
    cent (as DuckDB's cast does), with a warning. ``decimal`` ("," or ".") overrides the
    column's own decision.
    """
    if decimal not in (None, ",", "."):
        raise ValueError(f"decimal separator must be ',' or '.', not {decimal!r}")
    raw = _strings(values)
    amounts = _amounts(_text(raw))
    decision = _decide_separator(amounts)
    if decimal is None and decision.conflicting:
        reason = (
            f"column {column} has as many amounts with a decimal comma as with a decimal point "
            f"({decision.comma_values} each); the file must use one of them"
        )
        return Parsed(pa.nulls(len(raw), AMOUNT), [Problem(file, None, column, None, reason)])
    separator = decimal or decision.separator

    fitting = amounts.well_formed & amounts.matches(_FORMAT[separator])
    fits = amounts.per_value(fitting)
    present = _mask(pc.is_valid(amounts.text))
    # A column written "-1234.50" is cast as it stands; any other is cast from its digits, and
    # its negative values negated after.
    as_written = not amounts.unusual and amounts.matches(_AS_WRITTEN[separator])[fitting].all()
    plain = amounts.text if as_written else _digits(amounts.text, separator)
    # The length of the number with its sign, digits and point, which the limits below count.
    lengths = pc.fill_null(pc.binary_length(plain), 0).to_numpy()
    if not as_written:
        lengths = lengths + amounts.per_value(amounts.matches("^[-+]"))
    # DECIMAL(38,3) holds 35 digits before the point: longer is too large without a look.
    too_large = fits & (lengths > 36)
    fits &= ~too_large
    if (present & ~fits).any():
        plain = pc.if_else(pa.array(fits), plain, "0")
    # Sixteen characters cannot reach 10^16: such a column goes straight to DECIMAL(18,2).
    short = not (fits & (lengths > _DIGITS)).any()
    rounded = np.zeros(len(plain), dtype=bool)
    try:
        cents = pc.cast(plain, AMOUNT if short else _CENTS)
    except pa.ArrowInvalid:  # some value has more than two decimals
        # Three decimals are enough to round to two; beyond them the value is cut first.
        cut = np.zeros(len(plain), dtype=bool)
        if separator is not None:
            cut = fits & amounts.per_value(amounts.matches(f"[{separator}][0-9]{{4,}}$"))
        if cut.any():
            rows = np.flatnonzero(cut)
            shortened = plain.take(rows)
            shortened = pc.replace_substring_regex(shortened, r"(\.[0-9]{3})[0-9]+$", r"\1")
            plain = pc.replace_with_mask(plain, pa.array(cut), shortened)
        exact = pc.cast(plain, _EXACT)
        to_the_cent = pc.round(exact, 2, round_mode="half_towards_infinity")
        rounded = fits & (cut | _mask(pc.not_equal(to_the_cent, exact)))
        cents = pc.cast(to_the_cent, _CENTS)
        short = False
    if not as_written:
        # Half away from zero is the same before and after the sign.
        negative = fits & amounts.per_value(amounts.matches("^-"))
        if negative.any():
            cents = pc.if_else(pa.array(negative), pc.negate(cents), cents)
    if not short:
        too_large |= fits & _mask(pc.greater_equal(pc.abs(cents), pa.scalar(_LIMIT, _CENTS)))
        fits &= ~too_large
        rounded &= fits
        # What does not fit (too large among it) becomes null before the cast down.
        cents = pc.if_else(pa.array(fits), cents, pa.scalar(None, cents.type))
        cents = pc.cast(cents, AMOUNT)
    elif (present & ~fits).any():  # their "0" stand-ins become nulls again
        cents = pc.if_else(pa.array(fits), cents, pa.scalar(None, AMOUNT))
    parsed = cents

    wrong = present & ~fits & ~too_large
    problems = []
    if wrong.any():
        numberish = amounts.per_value(amounts.well_formed & amounts.matches(_NUMBERISH))
        in_format = f"not a number in the column's format ({_EXAMPLE[separator]})"
        problems += _problems(wrong & ~numberish, raw, lines, file, column, "not a number")
        problems += _problems(wrong & numberish, raw, lines, file, column, in_format)
    too_large_reason = f"too large for an amount (over {_DIGITS} digits before the decimals)"
    problems += _problems(too_large, raw, lines, file, column, too_large_reason)
    rows = np.flatnonzero(rounded)
    if rows.size:
        # The reason shows the amount as it is stored, written as DuckDB writes it.
        stored = pc.cast(parsed.take(rows), pa.string()).to_pylist()
        line_numbers = np.asarray(lines)[rows].tolist()
        written = raw.take(rows).to_pylist()
        for line, value, amount in zip(line_numbers, written, stored, strict=True):
            reason = f"more than two decimals; rounded to the cent ({amount})"
            problems.append(Problem(file, int(line), column, value, reason, WARNING))
    problems.sort(key=lambda problem: problem.line)
    return Parsed(parsed, problems)


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
    text = _text(raw)
    position = pc.index_in(pc.utf8_lower(text), value_set=_WORDS)
    parsed = pc.take(_TRUTH, position)  # a null position (blank or unknown) stays null
    unread = _mask(pc.is_valid(text)) & ~_mask(pc.is_valid(position))
    reason = "not a yes/no value (TRUE/FALSE, Yes/No, 1/0, Ja/Nee, …)"
    return Parsed(parsed, _problems(unread, raw, lines, file, column, reason))
