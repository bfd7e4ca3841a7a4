"""Text values from an export into dates, amounts and booleans, one column at a time.

Every function takes a column as the file gave it: the raw text values (a Series of str/None),
the file line number of each value, the file name and the column's name in the file. It returns
the typed values, index for index, and a Problem for every non-blank value that cannot be read.
Blank values (empty or only spaces) are missing, never a problem: whether a field is required
is validation's business.

The format of a column (day-first or month-first, decimal comma or decimal point) is decided
over the whole column, never value by value, and a column that could be read two ways is not
guessed. The work is done over whole columns by pyarrow's compute kernels (RE2 regular
expressions) and numpy; Python loops run only over the values that become problems.
"""

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


class Parsed(NamedTuple):
    """A parsed column: the typed values, index for index with the input, and the problems."""

    values: pd.Series
    problems: list[Problem]


# --- shared helpers ---------------------------------------------------------------------------

_NULL = pa.scalar(None, pa.string())
_TEXT = pd.StringDtype("pyarrow")


def _text(values: pd.Series) -> pa.Array:
    """The values as trimmed Arrow strings, blanks as nulls."""
    # Arrow-backed strings (pandas 2.2 on) keep None missing and turn the odd non-text cell (a
    # number from a spreadsheet) into its text.
    text = pa.array(values.astype(_TEXT))
    if isinstance(text, pa.ChunkedArray):
        text = text.combine_chunks()
    # Plain (32-bit offset) strings hold 2 GB of text per column, far beyond any export, and
    # spare every literal below from having to match the array's string type.
    text = pc.utf8_trim_whitespace(text.cast(pa.string()))
    return pc.if_else(pc.greater(pc.binary_length(text), 0), text, _NULL)


def _mask(array) -> np.ndarray:
    """A boolean Arrow array as numpy, null counted as False."""
    return pc.fill_null(array, False).to_numpy(zero_copy_only=False)


def _any(array) -> bool:
    return bool(pc.any(array).as_py())


def _group(groups: pa.StructArray, name: str) -> pa.Array:
    """One named group of an extract_regex result; null where the value or the group is absent."""
    text = pc.struct_field(groups, name)
    present = pc.and_(pc.is_valid(groups), pc.greater(pc.binary_length(text), 0))
    return pc.if_else(present, text, pa.scalar(None, text.type))


def _ints(groups: pa.StructArray, name: str) -> np.ndarray:
    """A group of digits as int64, -1 where absent."""
    return pc.fill_null(pc.cast(_group(groups, name), pa.int64()), -1).to_numpy()


def _raw(values: pd.Series, i: int) -> str:
    """The value as the file wrote it (a spreadsheet cell may hold a number: its text)."""
    value = values.iloc[i]
    return value if isinstance(value, str) else str(value)


def _problems(bad, raw, lines, file, column, reason, severity=ERROR) -> list[Problem]:
    line_numbers = np.asarray(lines)
    return [
        Problem(file, int(line_numbers[i]), column, _raw(raw, i), reason, severity)
        for i in np.flatnonzero(bad)
    ]


# --- dates and timestamps ---------------------------------------------------------------------

# A value is a date, then optionally a space or "T" and a time. The date is year-first, or has
# the year last and its day and month in the order the column decides; two-digit years and
# month names are not read. Accepted: 2026-02-25, 2026/2/25, 2026-02-25T22:36:05.123Z,
# 25.02.2026, 25/02/2026 9:05, 08-06-2020 15:38:00, 2/25/2026 3:05 PM, 3/1/2017, 3:15 PM.
# A UTC offset (+01:00) is not read: the timestamps are naive and an offset would be dropped.
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
_EXCEL_EPOCH = np.datetime64("1899-12-30", "ns")
_EXCEL_RANGE = (20000, 80000)
_NS_PER_SECOND = 1_000_000_000
_NAT = np.datetime64("NaT", "ns")
# datetime64[ns] reaches 1677-09-21 to 2262-04-11; whole years inside that.
_YEARS = (1678, 2261)

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
    """Which values each format reads. Dates and times repeat a lot, so each distinct date text
    and each distinct time text is read once; rows point at them by index."""

    text: pa.Array
    reads: dict[str, np.ndarray]  # per row
    date_index: np.ndarray  # per row, into the distinct dates (the last entry: none)
    time_index: np.ndarray  # per row, into the distinct times (the last entry: none)
    midnights: dict[str, np.ndarray]  # per distinct date, read in each format
    times_of_day: np.ndarray  # per distinct time
    separators: np.ndarray  # per distinct date, between its day, month and year
    serials: np.ndarray  # per row, the Excel serial number or NaN

    def stamps(self, date_format: str) -> np.ndarray:
        if date_format == EXCEL_SERIAL:
            # The fraction of a day is a float (0.604166… for 14:30): rounded to the second, as
            # Excel shows it.
            serials = np.where(self.reads[EXCEL_SERIAL], self.serials, 0.0)
            seconds = np.round(serials * 86400).astype(np.int64)
            return _EXCEL_EPOCH + (seconds * _NS_PER_SECOND).astype("timedelta64[ns]")
        midnights = self.midnights[date_format][self.date_index]
        return midnights + self.times_of_day[self.time_index]


def _calendar(year: np.ndarray, month: np.ndarray, day: np.ndarray):
    """Midnight of each (year, month, day) as datetime64[ns], and whether that day exists."""
    exists = (year >= _YEARS[0]) & (year <= _YEARS[1]) & (month >= 1) & (month <= 12)
    months = (np.where(exists, year, 1970) - 1970) * 12 + np.where(exists, month, 1) - 1
    first_of_month = months.astype("datetime64[M]").astype("datetime64[D]")
    days_in_month = (months + 1).astype("datetime64[M]").astype("datetime64[D]") - first_of_month
    exists &= (day >= 1) & (day <= days_in_month.astype(np.int64))
    midnight = first_of_month + (np.where(exists, day, 1) - 1).astype("timedelta64[D]")
    return np.append(midnight.astype("datetime64[ns]"), _NAT), np.append(exists, False)


def _distinct(part: pa.Array) -> tuple[np.ndarray, pa.Array]:
    """Each row's index into the part's distinct values; null rows get one past the end."""
    encoded = pc.dictionary_encode(part)
    index = pc.fill_null(encoded.indices, len(encoded.dictionary)).to_numpy()
    return index.astype(np.intp), encoded.dictionary


def _read_distinct_dates(dates: pa.Array):
    groups = pc.extract_regex(dates, _DATE)
    midnights, exists = {}, {}
    midnights[ISO], exists[ISO] = _calendar(
        _ints(groups, "year"), _ints(groups, "ymonth"), _ints(groups, "yday")
    )
    year_first = _mask(pc.equal(_group(groups, "ysep1"), _group(groups, "ysep2")))
    exists[ISO] &= np.append(year_first, False)
    part1, part2, year = _ints(groups, "part1"), _ints(groups, "part2"), _ints(groups, "lyear")
    separator = _group(groups, "sep1")
    year_last = np.append(_mask(pc.equal(separator, _group(groups, "sep2"))), False)
    midnights[DAY_FIRST], exists[DAY_FIRST] = _calendar(year, part2, part1)
    midnights[MONTH_FIRST], exists[MONTH_FIRST] = _calendar(year, part1, part2)
    # Dots are day-first in every locale that writes them (German, Dutch, Nordic, Russian):
    # 03.04.2026 is never taken for 4 March.
    dotted = np.append(_mask(pc.equal(separator, ".")), False)
    exists[DAY_FIRST] &= year_last
    exists[MONTH_FIRST] &= year_last & ~dotted
    separators = np.append(pc.fill_null(separator, "").to_numpy(zero_copy_only=False), "")
    return midnights, exists, separators


def _read_distinct_times(times: pa.Array):
    times = pc.utf8_trim_whitespace(times)
    groups = pc.extract_regex(times, _TIME)
    hour, minute = _ints(groups, "hour"), _ints(groups, "minute")
    second = np.maximum(_ints(groups, "seconds"), 0)
    nanos = pc.cast(pc.utf8_rpad(_group(groups, "fraction"), 9, "0"), pa.int64())
    nanos = pc.fill_null(nanos, 0).to_numpy()
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
    nanos = nanos + (hour * 3600 + minute * 60 + second) * _NS_PER_SECOND
    no_time = _mask(pc.equal(times, ""))
    valid |= no_time
    times_of_day = np.where(valid & ~no_time, nanos, 0).astype("timedelta64[ns]")
    return np.append(times_of_day, np.timedelta64(0, "ns")), np.append(valid, False)


def _read_dates(values: pd.Series) -> _DateReadings:
    text = _text(values)
    serial_like = pc.match_substring_regex(text, _SERIAL)
    serials = pc.cast(pc.if_else(serial_like, text, _NULL), pa.float64())
    serials = pc.fill_null(serials, np.nan).to_numpy()
    others = pc.if_else(serial_like, _NULL, text) if _any(serial_like) else text

    if _any(pc.match_substring(others, "T")):
        others = pc.replace_substring(others, "T", " ")
    # The trailing space gives every value a (possibly empty) time after its first space.
    parts = pc.split_pattern(pc.binary_join_element_wise(others, " ", ""), " ", max_splits=1)
    date_index, dates = _distinct(pc.list_element(parts, 0))
    time_index, times = _distinct(pc.list_element(parts, 1))
    midnights, date_ok, separators = _read_distinct_dates(dates)
    times_of_day, time_ok = _read_distinct_times(times)

    time_read = time_ok[time_index]
    reads = {name: date_ok[name][date_index] & time_read for name in (ISO, DAY_FIRST, MONTH_FIRST)}
    reads[EXCEL_SERIAL] = (serials >= _EXCEL_RANGE[0]) & (serials < _EXCEL_RANGE[1])
    return _DateReadings(
        text, reads, date_index, time_index, midnights, times_of_day, separators, serials
    )


def _first_value(text: pa.Array, where: np.ndarray) -> str:
    return text[int(np.flatnonzero(where)[0])].as_py()


def _decide(readings: _DateReadings) -> DateDecision:
    reads, text = readings.reads, readings.text
    counts = {name: int(reads[name].sum()) for name in DATE_FORMATS}
    by_date = np.bincount(
        readings.date_index[reads[DAY_FIRST] | reads[MONTH_FIRST]],
        minlength=len(readings.separators),
    )
    used = {mark: by_date[readings.separators == mark].sum() for mark in "/.-"}
    separator = max(used, key=used.get)
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


def decide_date_format(values: pd.Series) -> DateDecision:
    """Decide a column's date format over all its non-blank values.

    The format that reads the most values is the column's; the values it cannot read become
    problems. Day-first and month-first are never guessed between: when both read the same
    values (no day above 12), or when the column holds values only one can read and values only
    the other can, the column is undecided, as it is for any other tie.
    """
    return _decide(_read_dates(values))


def parse_dates(
    values: pd.Series,
    lines,
    file: str,
    column: str,
    date_format: str | None = None,
) -> Parsed:
    """Read a column of dates or timestamps into naive datetime64[ns].

    ``date_format`` (one of DATE_FORMATS) is the answer to the column's question: it is how a
    column that could be read more than one way is read, and the values it cannot read become
    problems. A column whose values settle their own format is read in that format whatever the
    answer, because one answer is given for every date column of a file (``--date-format``) and
    an ISO column beside an undecided one must stay ISO. Undecided and unanswered, the column is
    one problem, line None, and no values.
    """
    if date_format is not None and date_format not in DATE_FORMATS:
        raise ValueError(f"unknown date format {date_format!r}; use one of {DATE_FORMATS}")
    readings = _read_dates(values)
    decision = _decide(readings)
    chosen = decision.format or date_format
    if chosen is None and decision.ambiguous:
        empty = pd.Series(_NAT, index=values.index, name=values.name)
        return Parsed(empty, [Problem(file, None, column, None, decision.question(column))])
    if chosen is None:
        read = np.zeros(len(values), dtype=bool)
        stamps = np.full(len(values), _NAT)
        reason = "not a date"
    else:
        read = readings.reads[chosen]
        stamps = readings.stamps(chosen)
        reason = f"not a date in the column's format ({decision.label(chosen)})"
    parsed = pd.Series(np.where(read, stamps, _NAT), index=values.index, name=values.name)
    present = _mask(pc.is_valid(readings.text))
    return Parsed(parsed, _problems(present & ~read, values, lines, file, column, reason))


# --- amounts ----------------------------------------------------------------------------------

# Anything but digits, separators and an ASCII sign: currency, spaces, parentheses, a Unicode
# minus, or a letter that makes the value no number at all. The steps for those run only when
# some value in the column has one.
_UNUSUAL = r"[^0-9.,+-]"
_CURRENCY_TRIM = "€$£ \t\u00a0\u202f"
_CURRENCY_CODES = ("EUR", "USD", "GBP", "CHF")
# Spaces (also no-break and narrow no-break, as French and Swiss exports write them) and
# apostrophes (Swiss) group thousands in either convention; '.' and ',' depend on the column.
_SPACES = ("'", " ", "\u00a0", "\u202f")
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


def _shape(pattern: str) -> str:
    return "^[-+]?" + pattern.replace("SP", _SPACE_CLASS) + "$"


# A whole number for each decision: digits in groups of three split by the grouping mark, or
# not grouped at all; then the decimals, if the column has a decimal separator.
_FORMAT = {
    ".": _shape(r"(?:(?:[0-9]{1,3}(?:[,SP][0-9]{3})+|[0-9]+)(?:\.[0-9]+)?|\.[0-9]+)"),
    ",": _shape(r"(?:(?:[0-9]{1,3}(?:[.SP][0-9]{3})+|[0-9]+)(?:,[0-9]+)?|,[0-9]+)"),
    None: _shape(r"(?:[0-9]{1,3}(?:[.,SP][0-9]{3})+|[0-9]+)"),
}
_NUMBERISH = _shape(r"[0-9.,SP]*[0-9][0-9.,SP]*")


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
    text: pa.Array  # the trimmed value
    body: pa.Array  # a sign, digits and separators: no currency, no parentheses
    well_formed: np.ndarray  # not both a sign and parentheses
    unusual: bool  # some value had more than digits, separators and a sign


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


def _amounts(values: pd.Series) -> _Amounts:
    text = _text(values)
    if not _any(pc.match_substring_regex(text, _UNUSUAL)):
        return _Amounts(text, text, np.ones(len(text), dtype=bool), False)
    body = _strip_currency(text)
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
    return _Amounts(text, body, ~(signed & parenthesised), True)


def _decide_separator(body: pa.Array) -> DecimalDecision:
    says_comma = _mask(pc.match_substring_regex(body, _SAYS_COMMA))
    says_point = _mask(pc.match_substring_regex(body, _SAYS_POINT))
    commas = int((says_comma & ~says_point).sum())
    points = int((says_point & ~says_comma).sum())
    separator = "," if commas > points else "." if points > commas else None
    return DecimalDecision(separator, commas, points)


def decide_decimal_separator(values: pd.Series) -> DecimalDecision:
    """Decide whether a column of amounts writes a decimal comma or a decimal point.

    A value shows its separator when it can be read only one way: "12,50", "1.234,5",
    "1.234.567" and "0,125" show a comma; "12.50", "1,234.5", "1,234,567" and "0.125" a point.
    The separator most values show is the column's; the values showing the other become
    problems, and a tie is not broken. "1.234" or "12,500" alone shows nothing; in a column
    where no value shows a separator the amounts are whole, and a '.' or ',' before three
    digits groups thousands.
    """
    return _decide_separator(_amounts(values).body)


def parse_numbers(
    values: pd.Series,
    lines,
    file: str,
    column: str,
    decimal: str | None = None,
) -> Parsed:
    """Read a column of amounts into exact text such as "-1234.50", for DECIMAL(18,2).

    Currency symbols and codes (€ $ £ EUR USD GBP CHF) before or after the number are dropped;
    a leading minus and accounting parentheses, "(12.50)", both mean negative. An amount with
    more than two decimals is rounded half away from zero to the cent (as DuckDB's cast does),
    with a warning. ``decimal`` ("," or ".") overrides the column's own decision.
    """
    if decimal not in (None, ",", "."):
        raise ValueError(f"decimal separator must be ',' or '.', not {decimal!r}")
    amounts = _amounts(values)
    body = amounts.body
    decision = _decide_separator(body)
    if decimal is None and decision.conflicting:
        empty = pd.Series(pd.NA, index=values.index, dtype=_TEXT, name=values.name)
        reason = (
            f"column {column} has as many amounts with a decimal comma as with a decimal point "
            f"({decision.comma_values} each); the file must use one of them"
        )
        return Parsed(empty, [Problem(file, None, column, None, reason)])
    separator = decimal or decision.separator

    fits = amounts.well_formed & _mask(pc.match_substring_regex(body, _FORMAT[separator]))
    grouping = {None: ",.", ".": ",", ",": "."}[separator]
    spaced = amounts.unusual and _any(pc.match_substring_regex(body, f"[{_SPACE_CLASS}]"))
    plain = body
    for mark in [*grouping, *(_SPACES if spaced else ())]:
        if _any(pc.match_substring(plain, mark)):
            plain = pc.replace_substring(plain, mark, "")
    if separator == ",":
        plain = pc.replace_substring(plain, ",", ".")
    # DECIMAL(38,3) holds 35 digits before the point: longer is too large without a look.
    lengths = pc.binary_length(plain).to_numpy(zero_copy_only=False)
    too_large = fits & (lengths > 36)
    fits &= ~too_large
    plain = pc.if_else(pa.array(fits), plain, "0")
    rounded = np.zeros(len(plain), dtype=bool)
    try:
        cents = pc.cast(plain, _CENTS)
    except pa.ArrowInvalid:  # some value has more than two decimals
        # Three decimals are enough to round to two; beyond them the value is cut first.
        cut = _mask(pc.match_substring_regex(plain, r"\.[0-9]{4,}$"))
        if cut.any():
            plain = pc.replace_substring_regex(plain, r"(\.[0-9]{3})[0-9]+$", r"\1")
        exact = pc.cast(plain, _EXACT)
        to_the_cent = pc.round(exact, 2, round_mode="half_towards_infinity")
        rounded = fits & (cut | _mask(pc.not_equal(to_the_cent, exact)))
        cents = pc.cast(to_the_cent, _CENTS)
    if (fits & (lengths > _DIGITS)).any():  # 16 characters cannot reach 10^16
        too_large |= fits & _mask(pc.greater_equal(pc.abs(cents), pa.scalar(_LIMIT, _CENTS)))
        fits &= ~too_large
        rounded &= fits
    normalised = pc.cast(cents, pa.string())
    normalised = pc.if_else(pa.array(fits), normalised, _NULL)
    parsed = pd.Series(
        pd.array(normalised, dtype=_TEXT),
        index=values.index,
        name=values.name,
    )

    present = _mask(pc.is_valid(amounts.text))
    wrong = present & ~fits & ~too_large
    problems = []
    if wrong.any():
        numberish = amounts.well_formed & _mask(pc.match_substring_regex(body, _NUMBERISH))
        in_format = f"not a number in the column's format ({_EXAMPLE[separator]})"
        problems += _problems(wrong & ~numberish, values, lines, file, column, "not a number")
        problems += _problems(wrong & numberish, values, lines, file, column, in_format)
    too_large_reason = f"too large for an amount (over {_DIGITS} digits before the decimals)"
    problems += _problems(too_large, values, lines, file, column, too_large_reason)
    line_numbers = np.asarray(lines)
    for i in np.flatnonzero(rounded):
        reason = f"more than two decimals; rounded to the cent ({parsed.iloc[i]})"
        line = int(line_numbers[i])
        problems.append(Problem(file, line, column, _raw(values, i), reason, WARNING))
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
_TRUTH = np.array([True] * len(_TRUE) + [False] * len(_FALSE))


def parse_booleans(values: pd.Series, lines, file: str, column: str) -> Parsed:
    """Read a column of yes/no values (any case) into a nullable boolean Series.

    TRUE/FALSE, T/F, Yes/No, Y/N, 1/0, Ja/Nee, Ja/Nein, Oui/Non, Sí/No and Excel's localised
    TRUE/FALSE words. Anything else, an "x" included, is a problem; blank stays missing.
    """
    text = _text(values)
    position = pc.index_in(pc.utf8_lower(text), value_set=_WORDS)
    found = _mask(pc.is_valid(position))
    truth = _TRUTH[pc.fill_null(position, 0).to_numpy()]
    parsed = pd.Series(
        pd.arrays.BooleanArray(truth, mask=~found), index=values.index, name=values.name
    )
    present = _mask(pc.is_valid(text))
    reason = "not a yes/no value (TRUE/FALSE, Yes/No, 1/0, Ja/Nee, …)"
    return Parsed(parsed, _problems(present & ~found, values, lines, file, column, reason))
