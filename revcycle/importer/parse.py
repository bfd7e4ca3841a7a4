"""Text columns from an export into dates, amounts and booleans: the typed values (null where
blank or unreadable) and a Problem per unreadable value; blank is validation's business. A
column's format (day-first or month-first, decimal comma or point) is decided over the whole
column, never guessed. Library kernels read the values; Python sees only the problems.
"""

from typing import NamedTuple

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from revcycle import settings
from revcycle.db import scratch
from revcycle.importer import problems as codes
from revcycle.importer.problems import ERROR, WARNING, Problem, per_line
from revcycle.importer.text import NULL, one_array, parts, string_buffers, stripped
from revcycle.importer.workbook import EXCEL_EPOCH

ISO, DAY_FIRST, MONTH_FIRST, EXCEL_SERIAL = "iso", "day-first", "month-first", "excel-serial"
DATE_FORMATS = (ISO, DAY_FIRST, MONTH_FIRST, EXCEL_SERIAL)
# The command line's way to answer a date question; the upload page strips it and asks itself.
DATE_FORMAT_HINT = "; choose with --date-format"

TIMESTAMP, AMOUNT, BOOLEAN = pa.timestamp("us"), pa.decimal128(18, 2), pa.bool_()
DAY = pa.date32()


class Parsed(NamedTuple):
    """A parsed column: the typed values, index for index with the input, and the problems."""

    values: pa.Array | pa.ChunkedArray  # text stays in the parts it was read in
    problems: list[Problem]
    date_order: str | None = None  # DAY_FIRST or MONTH_FIRST: how a date column was read
    asked: bool = False  # its values left the order open, and the answer given settled it


def mask(array) -> np.ndarray:
    """A boolean Arrow array as numpy, null counted as False."""
    return pc.fill_null(array, False).to_numpy(zero_copy_only=False)


# Each byte as _shapes folds it: every digit becomes "1", by one table lookup a byte (no
# temporary mask the size of the column's text).
_FOLDED = np.arange(256, dtype=np.uint8)
_FOLDED[ord("0") : ord("9") + 1] = ord("1")


def _shapes(text: pa.Array, zeros: bool = True) -> tuple[np.ndarray, pa.Array]:
    """Each value's index into the column's distinct shapes (one past the end for a null), and
    those shapes: every digit written "1", but (with ``zeros``) a zero starting a run of digits
    ("0,125" shows a decimal comma, "5,125" does not). A million values have a few hundred
    shapes, so a pattern blind to digits runs once per shape. Folding bytes is exact: no byte of
    a longer UTF-8 character is ASCII."""
    offsets, data = string_buffers(text)
    folded = _FOLDED[data]
    if zeros:
        at = np.flatnonzero(data == ord("0"))
        value_start = np.zeros(len(data) + 1, dtype=bool)
        value_start[offsets[:-1]] = True
        # The byte before a zero at 0 wraps to the end, but 0 is a value's start anyway.
        after_no_digit = data[at - 1] - np.uint8(ord("0")) > 9  # unsigned: below "0" wraps
        folded[at[value_start[at] | after_no_digit]] = ord("0")
    validity = pc.is_valid(text).buffers()[1] if text.null_count else None  # text's nulls
    buffers = [validity, pa.py_buffer(offsets.astype(np.int32, copy=False)), pa.py_buffer(folded)]
    return distinct_values(pa.Array.from_buffers(pa.string(), len(text), buffers, text.null_count))


def distinct_values(array: pa.Array) -> tuple[np.ndarray, pa.Array]:
    """Each value's index into the array's distinct values; a null gets one past the end."""
    encoded = pc.dictionary_encode(array)
    index = pc.fill_null(encoded.indices, len(encoded.dictionary)).to_numpy()
    return index, encoded.dictionary  # int32: half the memory of numpy's own index type


def _problems(bad, raw, lines, file, column, reason, code, severity=ERROR, stored=None) -> list:
    """A Problem per row in ``bad``; with ``stored``, each reason shows the row's stored value
    (as DuckDB writes it) at the reason's {}. Filtered, not taken: Arrow's take from a column
    in parts first combines the parts (a copy of the whole column, even for no row)."""
    rows, bad = np.flatnonzero(bad), pa.array(bad)
    if stored is not None:
        reason = [reason.format(text) for text in stored.filter(bad).cast(pa.string()).to_pylist()]
    values = raw.filter(bad).to_pylist()
    return per_line(file, np.asarray(lines)[rows], column, values, reason, code, severity)


# --- dates and timestamps ---------------------------------------------------------------------

# A date (year first, or year last with day and month in the column's order), then optionally
# a space or "T" and a time: 2026-02-25T22:36:05.123, 25.02.2026, 2/25/2026 3:05 PM. No
# two-digit years or month names. A UTC offset may follow a time ("Z", "+02:00", "-0500",
# " +02"): the value is then moved to settings.timezone()'s wall clock (see _to_local). Dots are
# day-first in every locale that writes them: 03.04.2026 is never 4 March.
_DAYS = {
    ISO: ["%Y-%m-%d", "%Y/%m/%d"],
    DAY_FIRST: ["%d/%m/%Y", "%d.%m.%Y", "%d-%m-%Y"],
    MONTH_FIRST: ["%m/%d/%Y", "%m-%d-%Y"],
}
_TIMES = ["%H:%M", "%H:%M:%S", "%H:%M:%S.%f", "%I:%M %p", "%I:%M:%S %p", "%I:%M:%S.%f %p"]
# Each distinct date or time piece is read once (a million timestamps hold a few thousand).
# What no format can say is rewritten first: "25/02/2026, 9:05", a decimal comma or over six
# digits in the seconds, "p.m." or "PM" without a space; a UTC offset is split off a time and
# counted in minutes. Excel serials count days from $epoch (1899-12-30, or 1904-01-01 in a
# workbook of the 1904 date system); only 20000 to 80000 (1954 to 2119) are dates.
_READ_PIECES_SQL = r"""
with
offsets as (
    select
        piece,
        regexp_extract(
            piece,
            '^(.*[0-9]:[0-9]{2}(?::[0-9]{2}(?:[.,][0-9]+)?)?(?: ?[AaPp]\.?[Mm]\.?)?)'
                || ' ?(Z|([+-][0-9]{2})(?::?([0-9]{2}))?)$',
            ['clock', 'zone', 'hours', 'minutes']
        ) as offset_parts
    from pieces
),
written as (
    select
        regexp_replace(piece, ',$', '') as day,
        regexp_replace(
            regexp_replace(
                trim(if(offset_parts.zone = '', piece, offset_parts.clock)),
                '^([0-9:]+)[.,]([0-9]{1,6})[0-9]*',
                '\1.\2'
            ),
            ' *([AaPp])\.?([Mm])\.?$', ' \1\2'
        ) as time_of_day,
        case
            when offset_parts.zone = 'Z' then 0
            when offset_parts.zone <> ''
            then cast(offset_parts.hours as integer) * 60
                + if(starts_with(offset_parts.zone, '-'), -1, 1)
                * coalesce(try_cast(offset_parts.minutes as integer), 0)
        end as offset_minutes,
        -- No zone is more than 14 hours from UTC, and an hour has 60 minutes: "+25:00" or
        -- "+01:99" is no offset, and its value no time.
        offset_parts.zone not in ('', 'Z')
            and (abs(try_cast(offset_parts.hours as integer)) > 14
                or coalesce(try_cast(offset_parts.minutes as integer), 0) >= 60)
            as is_impossible_offset,
        case when regexp_full_match(piece, '[0-9]{5}(\.[0-9]+)?') then cast(piece as double) end
            as serial
    from offsets
),
final as (
    select
        try_strptime(day, $iso) as iso,
        try_strptime(day, $day_first) as day_first,
        try_strptime(day, $month_first) as month_first,
        case
            when serial >= 20000 and serial < 80000
            then cast($epoch as timestamp) + to_seconds(cast(round(serial * 86400) as bigint))
        end as excel_serial,
        regexp_extract(day, '^[0-9]{1,2}([./-])[0-9]{1,2}[./-][0-9]{4}$', 1) as mark,
        -- Two digits for the minutes and the seconds, where try_strptime would take one.
        case
            when is_impossible_offset then null
            when regexp_full_match(time_of_day, '[0-9]{1,2}:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)?( .*)?')
            then epoch_us(try_strptime(time_of_day, $times)) - epoch_us(timestamp '1900-01-01')
        end as time_us,
        offset_minutes,
    from written
)
select * from final
"""
_NAT = np.datetime64("NaT", "us")
# The years read, 1678 to 2261 (datetime64[ns]'s reach): outside them a date is a typo.
_FIRST_DAY, _PAST_LAST_DAY = np.datetime64("1678-01-01", "us"), np.datetime64("2262-01-01", "us")
# Arrow's ISO 8601 cast is several times faster than try_strptime; it gets only the shapes it
# reads as the formats above do. A day or time that does not exist (2026-02-30) fails the
# whole cast, and try_strptime reads them.
_ISO_DAY = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}"
_ISO_TIME = r"[ T][0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]{1,6})?)?"
_ISO_SHAPES = {  # each shape, and the type its values cast to: a "Z" is UTC
    f"{_ISO_DAY}(?:{_ISO_TIME})?$": TIMESTAMP,
    f"{_ISO_DAY}{_ISO_TIME}Z$": pa.timestamp("us", "UTC"),
}

_LABEL = {ISO: "YYYY-MM-DD", DAY_FIRST: "DD/MM/YYYY", MONTH_FIRST: "MM/DD/YYYY"}
_LABEL[EXCEL_SERIAL] = "Excel serial number"


def _duckdb(sql: str, name: str, table: pa.Table, params: dict | None = None) -> pa.Table:
    """Run ``sql`` over ``table`` (registered as ``name``) on a scratch cursor of its own."""
    with scratch(table.nbytes) as con:
        return con.register(name, table).sql(sql, params=params).to_arrow_table()


def _read_by_parts(
    text: pa.Array, excel_epoch: str
) -> tuple[dict[str, np.ndarray], dict[str, int], np.ndarray]:
    """Per format, each value's timestamp (NaT where the format does not read it); per mark,
    how many values day-first or month-first read with it; each value's UTC offset in minutes
    (NaN where it has none)."""
    if pc.any(pc.match_substring(text, "T")).as_py():
        text = pc.replace_substring(text, "T", " ")
    parts = pc.split_pattern(text, " ", max_splits=1)
    starts = parts.offsets.to_numpy().astype(np.intp)
    count_pieces = np.diff(starts) * mask(pc.is_valid(parts))
    index, distinct = distinct_values(parts.values)
    params = {name.replace("-", "_"): formats for name, formats in _DAYS.items()}
    params |= {"times": _TIMES, "epoch": excel_epoch}
    read = _duckdb(_READ_PIECES_SQL, "pieces", pa.table({"piece": distinct}), params)
    none = len(distinct)  # "no piece": no date (NaT), or no time (midnight)
    index = np.append(index, [none, none])  # past the last row's pieces
    day = np.where(count_pieces >= 1, index[starts[:-1]], none)
    time_of_day = np.where(count_pieces == 2, index[starts[:-1] + 1], none)
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
    offset_minutes = read.column("offset_minutes").to_numpy().astype(float)  # null: NaN
    return stamps, separators, np.append(offset_minutes, np.nan)[time_of_day]


def _read_dates(text: pa.ChunkedArray, excel_epoch: str) -> tuple[dict, dict, dict, np.ndarray]:
    """Per format, whether it reads each row, and (for a format that reads some) the row's
    timestamp; per mark, the values day-first or month-first read with it; per row, its UTC
    offset in minutes (NaN for none). A value Arrow's cast reads is year-first, so no other
    format reads it; the others are read as a day and a time (_read_by_parts): a column the
    cast reads whole (most exports) holds no timestamps for the other formats. Read a part at
    a time (see text.parts), so the scratch is one part's: at 10M rows, a column's whole text
    folded and combined held 0.4 GB more."""
    count = len(text)
    stamps = {ISO: np.full(count, _NAT)}
    offset_minutes = np.full(count, np.nan, dtype=np.float32)  # minutes: exact
    separators = dict.fromkeys("/.-", 0)
    start = 0
    for part in parts(text):
        end = start + len(part)
        handled = _cast_iso(part, stamps[ISO][start:end], offset_minutes[start:end])
        if (rest := np.flatnonzero(~handled & mask(pc.is_valid(part)))).size:
            by_parts, marks, offset_minutes[start + rest] = _read_by_parts(
                part.take(rest), excel_epoch
            )
            for name in DATE_FORMATS:
                stamps.setdefault(name, np.full(count, _NAT))[start + rest] = by_parts[name]
            separators = {mark: separators[mark] + marks[mark] for mark in separators}
        start = end
    reads = {name: (each >= _FIRST_DAY) & (each < _PAST_LAST_DAY) for name, each in stamps.items()}
    none = np.zeros(count, dtype=bool)
    reads = {name: reads.get(name, none) for name in DATE_FORMATS}
    return reads, separators, stamps, offset_minutes


def _cast_iso(text: pa.Array, stamps: np.ndarray, offset_minutes: np.ndarray) -> np.ndarray:
    """The rows Arrow's ISO 8601 cast reads; their timestamps go into ``stamps``, and a "Z"
    into ``offset_minutes`` as 0."""
    handled = np.zeros(len(text), dtype=bool)
    # Folding a column costs a little; one without a single "YYYY-" is not worth it.
    if not pc.any(pc.equal(pc.binary_slice(text.cast(pa.binary()), 4, 5), b"-")).as_py():
        return handled
    shape_index, shapes = _shapes(text, zeros=False)
    for shape, type in _ISO_SHAPES.items():
        castable = mask(pc.match_substring_regex(shapes, shape))
        rows = np.flatnonzero(np.append(castable, False)[shape_index])
        whole = rows.size == len(text) - text.null_count  # nulls cast to nulls
        try:
            cast = pc.cast(text if whole else text.take(rows), type)
        except pa.ArrowInvalid:
            continue  # a day or time that does not exist: try_strptime reads them
        handled[rows] = True
        stamps[slice(None) if whole else rows] = cast.to_numpy(zero_copy_only=False)  # null: NaT
        if type.tz is not None:
            offset_minutes[rows] = 0
    return handled


def _first_at(raw: pa.Array, lines, where: np.ndarray) -> str:
    """The first value ``where`` marks, as written, and its line: "'12,50' on line 2"."""
    line = int(np.asarray(lines)[np.flatnonzero(where)[0]])
    return f"'{_first_value(raw, where)}' on line {line}"


def _first_value(text: pa.Array, where: np.ndarray) -> str:
    return text[int(np.flatnonzero(where)[0])].as_py()


def _decide(reads: dict[str, np.ndarray], text: pa.Array) -> tuple[str | None, str | None, str]:
    """The format reading the most of the column's values; or, when the column is undecided,
    None, what to ask and the question's code. Day-first and month-first are never guessed
    between: when both read the same values (no day above 12), or some values only one reads
    and some only the other, the column is undecided, as it is for any other tie."""
    counts = {name: int(reads[name].sum()) for name in DATE_FORMATS}
    most = max(counts.values())
    tied = [name for name in DATE_FORMATS if counts[name] == most]
    day_only = reads[DAY_FIRST] & ~reads[MONTH_FIRST]
    month_only = reads[MONTH_FIRST] & ~reads[DAY_FIRST]
    if most == 0:
        return None, None, codes.NOT_A_DATE
    if tied == [DAY_FIRST, MONTH_FIRST] and not day_only.any():
        example = _first_value(text, reads[DAY_FIRST])
        return None, f"could be day-first or month-first (e.g. {example})", codes.AMBIGUOUS_DATES
    if tied[0] in (DAY_FIRST, MONTH_FIRST) and day_only.any() and month_only.any():
        # Values only day-first can read and values only month-first can read, in one column:
        # the column is mixed, and its 03/04/2026s cannot be trusted either way.
        examples = _first_value(text, day_only), _first_value(text, month_only)
        mixed = "mixes day-first (e.g. {}) and month-first (e.g. {}) dates".format(*examples)
        return None, mixed, codes.AMBIGUOUS_DATES
    if len(tied) > 1:
        question = f"could be {' or '.join(tied)} (each reads {most} of its values)"
        return None, question, codes.UNDECIDED_DATES
    return tied[0], None, codes.NOT_A_DATE


def parse_dates(
    values,
    lines,
    file: str,
    column: str,
    date_format: str | None = None,
    excel_epoch=EXCEL_EPOCH,
    remembered: str | None = None,
) -> Parsed:
    """Read a column of dates or timestamps into a naive pa.timestamp("us") Array.

    ``date_format`` (one of DATE_FORMATS) answers the column's question, if it has one; a column
    whose values settle their format keeps it (one answer is given for all a file's date
    columns, and an ISO column beside an undecided one stays ISO). Unanswered, ``remembered``
    (DAY_FIRST or MONTH_FIRST: how earlier uploads' dates were read) settles a column that
    day-first and month-first read alike, value for value (no day above 12), and no other.
    Undecided and unanswered, the column is one problem, line None, and all its values null.
    """
    if date_format is not None and date_format not in DATE_FORMATS:
        raise ValueError(f"unknown date format {date_format!r}; use one of {DATE_FORMATS}")
    raw = pa.chunked_array(parts(values), pa.string())  # as read: no copy of the whole column
    text = stripped(raw)
    reads, separators, stamps, offset_minutes = _read_dates(text, excel_epoch)
    chosen, question, code = _decide(reads, text)
    day_first, month_first = reads[DAY_FIRST], reads[MONTH_FIRST]
    either_way = question is not None and day_first.any() and np.array_equal(day_first, month_first)
    answer = date_format or (remembered if either_way else None)
    asked = chosen is None and question is not None and answer is not None
    chosen = chosen or answer
    parsed, read, reason = pa.nulls(len(raw), TIMESTAMP), np.zeros(len(raw), bool), "not a date"
    if chosen is None and question:
        reason = f"{question}{DATE_FORMAT_HINT}"
        return Parsed(parsed, [Problem(file, None, column, None, reason, code=code)])
    if chosen is not None:
        read = reads[chosen]
        if chosen in stamps:  # else the format reads no value: all null
            local = _to_local(stamps[chosen], offset_minutes)
            parsed = pa.array(local, mask=~read, type=TIMESTAMP)
        label = _LABEL[chosen].replace("/", max(separators, key=separators.get))
        reason = f"not a date in the column's format ({label})"
    unread = mask(pc.is_valid(text)) & ~read
    problems = _problems(unread, raw, lines, file, column, reason, codes.NOT_A_DATE)
    order = chosen if chosen in (DAY_FIRST, MONTH_FIRST) else None
    return Parsed(parsed, problems, order, asked)


def parse_days(*arguments, **options) -> Parsed:
    """Read a column of days into a pa.date32() Array: read as parse_dates reads dates (the
    same arguments, formats and questions), the time of day, where a value has one, dropped."""
    parsed = parse_dates(*arguments, **options)
    return parsed._replace(values=pc.cast(parsed.values, DAY))


def _to_local(stamps: np.ndarray, offset_minutes: np.ndarray) -> np.ndarray:
    """Timestamps with a UTC offset as the wall clock in settings.timezone(); the others as
    they are (already in it)."""
    rows = np.flatnonzero(~np.isnan(offset_minutes) & ~np.isnat(stamps))
    if not rows.size:
        return stamps
    moved = stamps[rows] - offset_minutes[rows].astype("timedelta64[m]")  # UTC
    # Arrow keeps a zoned timestamp as UTC: the moved values are the array's as they are.
    local = pc.local_timestamp(pa.array(moved, type=pa.timestamp("us", settings.timezone())))
    stamps = stamps.copy()
    stamps[rows] = local.to_numpy(zero_copy_only=False)
    return stamps


# --- amounts ----------------------------------------------------------------------------------

# Every test below runs on the column's distinct shapes (see _shapes), never value by value.
# Spaces (no-break and narrow no-break too, as French exports write them, and the figure
# space) and apostrophes (Swiss) group thousands.
_SPACE_CLASS = r"' \x{00A0}\x{2007}\x{202F}"
# What one value says about its decimal separator; "1.234" or "12,500" alone says nothing. A
# mark after four digits ("1250.500"), or after a group a space makes ("1 000.500"), groups
# nothing: it is the decimal one.
_SAYS_COMMA = (
    r",(?:[0-9]{1,2}|[0-9]{4,})$|\..*,|\..*\.|^[-+]?0?,"
    rf"|[0-9]{{4}},|[{_SPACE_CLASS}][0-9]{{3}},"
)
_SAYS_POINT = (
    r"\.(?:[0-9]{1,2}|[0-9]{4,})$|,.*\.|,.*,|^[-+]?0?\."
    rf"|[0-9]{{4}}\.|[{_SPACE_CLASS}][0-9]{{3}}\."
)
_DIGITS = 16  # DECIMAL(18,2): sixteen digits before the point
_EXAMPLE = {",": "1.234,56", ".": "1,234.56", None: "1,234"}
DECIMAL_MARKS = (None, ".", ",")
DECIMAL_MARK_HINT = "; choose with --decimal-mark"


def _whole(pattern: str) -> str:
    return "^[-+]?" + pattern.replace("SP", _SPACE_CLASS) + "$"


# Per decision: digits grouped in threes by the grouping mark, or not grouped, then decimals.
# A grouped number never starts with a 0: "0.005" in a decimal-comma column, or "0,005" in a
# decimal-point one, is a fraction in the other format, not 5.
_FORMAT = {
    ".": _whole(r"(?:(?:[1-9][0-9]{0,2}(?:[,SP][0-9]{3})+|[0-9]+)(?:\.[0-9]+)?|\.[0-9]+)"),
    ",": _whole(r"(?:(?:[1-9][0-9]{0,2}(?:[.SP][0-9]{3})+|[0-9]+)(?:,[0-9]+)?|,[0-9]+)"),
    None: _whole(r"(?:[1-9][0-9]{0,2}(?:[.,SP][0-9]{3})+|[0-9]+)"),
}
_NUMBERISH = _whole(r"[0-9.,SP]*[0-9][0-9.,SP]*")
# One mark before three digits, and nothing else in the column showing which mark it is.
_EITHER_MARK = _whole(r"[0-9]{1,3}[.,][0-9]{3}")


class _Amounts(NamedTuple):
    text: pa.Array  # stripped
    shape_index: np.ndarray  # per value, into the shapes; one past the end for a null
    bodies: pa.Array  # per shape: a sign, digits and separators; no currency, no parentheses
    well_formed: np.ndarray  # per shape: not both a sign and parentheses

    def matches(self, pattern: str) -> np.ndarray:
        """Per shape, whether its body matches the pattern."""
        return mask(pc.match_substring_regex(self.bodies, pattern))

    def per_value(self, per_shape: np.ndarray) -> np.ndarray:
        """A per-shape mask per value; False for a null."""
        return np.append(per_shape, False)[self.shape_index]


# A currency symbol or code, or a space, on either side of the number and its sign.
_CURRENCY = r"(?:[€$£\s\x{00A0}\x{2007}\x{202F}]|(?i:EUR|USD|GBP|CHF))*"
# A value's parts: accounting parentheses, a sign (a Unicode minus too), the number itself.
_BODY = (
    rf"^{_CURRENCY}(?P<open>\(?){_CURRENCY}(?P<sign>[-+\x{{2212}}]?){_CURRENCY}"
    rf"(?P<number>[^()]*?){_CURRENCY}(?P<close>\)?){_CURRENCY}$"
)


def _amounts(text: pa.Array) -> _Amounts:
    """The column's shapes, each shape's number with its sign, without currency and parentheses
    (a minus), and whether it is well formed (parentheses in pairs, not both them and a sign)."""
    shape_index, shapes = _shapes(text)
    parts = pc.extract_regex(shapes, _BODY)
    opened = mask(pc.equal(pc.struct_field(parts, "open"), "("))
    closed = mask(pc.equal(pc.struct_field(parts, "close"), ")"))
    sign = pc.replace_substring(pc.struct_field(parts, "sign"), "\u2212", "-")
    minus = pc.if_else(pa.array(opened & closed), "-", "")
    body = pc.binary_join_element_wise(minus, sign, pc.struct_field(parts, "number"), "")
    signed = mask(pc.not_equal(sign, ""))
    well_formed = mask(pc.is_valid(parts)) & (opened == closed) & ~(signed & opened)
    return _Amounts(text, shape_index, body, well_formed)


# The currency an amount writes itself, by code or by sign.
_WRITTEN_CURRENCY = r"(?i)(?:^|[^A-Z])(?P<code>EUR|USD|GBP|CHF)(?:[^A-Z]|$)|(?P<sign>[€£$])"


def written_currencies(values) -> pa.Array:
    """Per value, the currency it writes itself: EUR, USD, GBP or CHF by code, € as EUR and
    £ as GBP, "$" for a dollar sign (which many currencies use); null where it writes none.
    Read once per distinct value."""
    index, distinct = distinct_values(one_array(values))
    parts = pc.extract_regex(distinct, _WRITTEN_CURRENCY)
    code = pc.utf8_upper(pc.struct_field(parts, "code"))
    sign = pc.replace_substring(pc.struct_field(parts, "sign"), "€", "EUR")
    written = pc.if_else(pc.equal(code, ""), pc.replace_substring(sign, "£", "GBP"), code)
    written = pc.if_else(pc.equal(written, ""), NULL, written)
    return pa.concat_arrays([written, pa.nulls(1, pa.string())]).take(pa.array(index))


def _shown_separators(amounts: _Amounts) -> tuple[np.ndarray, np.ndarray]:
    """Per value, whether only a comma, and only a point, reads as its decimal separator. A
    value shows its separator when it reads only one way ("12,50", "1.234.567", "0,125" show a
    comma); the separator most values show is the column's, and a tie is not broken. Where none
    shows one, the amounts are whole and a '.' or ',' before three digits groups."""
    says_comma, says_point = amounts.matches(_SAYS_COMMA), amounts.matches(_SAYS_POINT)
    return amounts.per_value(says_comma & ~says_point), amounts.per_value(says_point & ~says_comma)


def parse_numbers(values, lines, file: str, column: str, decimal_mark: str | None = None) -> Parsed:
    """Read a column of amounts into an exact pa.decimal128(18, 2) Array (DuckDB's DECIMAL(18,2)).

    Currency symbols and codes (€ $ £ EUR USD GBP CHF) around the number are dropped; a minus
    and accounting parentheses both mean negative. More than two decimals are rounded half away
    from zero, with a warning. The decimal mark is the one the column's values show;
    ``decimal_mark`` ("." or ",") is the mark where none shows one (a workbook writes the number
    12.345 as "12.345"; a person answers the column's question). Unanswered, a column whose
    amounts read both ways ("1.500": fifteen hundred, or one and a half) is one problem, line
    None, and all its values null: the mark is never guessed.
    """
    if decimal_mark not in DECIMAL_MARKS:
        raise ValueError(f"decimal mark must be ',' or '.', not {decimal_mark!r}")
    raw = one_array(values)
    amounts = _amounts(stripped(raw))
    shows_comma, shows_point = _shown_separators(amounts)
    commas, points = int(shows_comma.sum()), int(shows_point.sum())
    if commas == points > 0:
        comma, point = _first_at(raw, lines, shows_comma), _first_at(raw, lines, shows_point)
        reason = (
            f"has as many amounts with a decimal comma as with a decimal point ({commas} each: "
            f"{comma}, {point}); the file must use one of them"
        )
        problem = Problem(file, None, column, None, reason, code=codes.MIXED_DECIMALS)
        return Parsed(pa.nulls(len(raw), AMOUNT), [problem])
    separator = "," if commas > points else "." if points > commas else decimal_mark
    either_way = amounts.per_value(amounts.well_formed & amounts.matches(_EITHER_MARK))
    if separator is None and either_way.any():
        example = _first_value(raw, either_way)
        reason = (
            f"could have a decimal point or a decimal comma, and no amount shows which "
            f"(e.g. {example}){DECIMAL_MARK_HINT}"
        )
        problem = Problem(file, None, column, None, reason, code=codes.AMBIGUOUS_DECIMALS)
        return Parsed(pa.nulls(len(raw), AMOUNT), [problem])
    fits = amounts.per_value(amounts.well_formed & amounts.matches(_FORMAT[separator]))
    cast = _duckdb(_CAST_AMOUNTS_SQL, "amounts", _plain(amounts, separator, fits))
    cents = cast.column("cents").combine_chunks()
    wrong = mask(pc.is_valid(amounts.text)) & ~fits
    numberish = amounts.per_value(amounts.well_formed & amounts.matches(_NUMBERISH))
    in_format = f"not a number in the column's format ({_EXAMPLE[separator]})"
    large = f"too large for an amount (over {_DIGITS} digits before the decimals)"
    rounded = "more than two decimals; rounded to the cent ({})"
    checks = [
        (wrong & ~numberish, "not a number", codes.NOT_A_NUMBER, ERROR, None),
        (wrong & numberish, in_format, codes.NOT_A_NUMBER, ERROR, None),
        (mask(cast.column("too_large")), large, codes.AMOUNT_TOO_LARGE, ERROR, None),
        (mask(cast.column("rounded")), rounded, codes.ROUNDED, WARNING, cents),
    ]
    problems = [
        problem
        for bad, reason, code, severity, stored in checks
        for problem in _problems(bad, raw, lines, file, column, reason, code, severity, stored)
    ]
    problems.sort(key=lambda problem: problem.line)
    return Parsed(cents, problems)


def _plain(amounts: _Amounts, separator: str | None, fits: np.ndarray) -> pa.Table:
    """Each value that fits the column's format as DuckDB casts it (null for the others): its
    digits and decimal point, and whether it is negative."""
    text = pc.if_else(pa.array(fits), amounts.text, NULL)
    # For a value that fits, nothing stripped from around its body is a digit, '.' or ','.
    digits = pc.replace_substring_regex(text, f"[^0-9{separator or ''}]", "")
    if separator == ",":
        digits = pc.replace_substring(digits, ",", ".")
    negative = fits & amounts.per_value(amounts.matches("^-"))
    return pa.table({"plain": digits, "negative": negative})


# try_cast rounds half away from zero to the cent, and leaves null what is too large. A value
# was rounded when a digit other than 0 follows its second decimal.
_CAST_AMOUNTS_SQL = r"""
with
cast_amounts as (
    select plain, negative, try_cast(plain as decimal(18, 2)) as cents
    from amounts
),
final as (
    select
        case when negative then -cents else cents end as cents,
        cents is not null and regexp_matches(plain, '\.[0-9]{2}[0-9]*[1-9]') as rounded,
        cents is null and plain is not null as too_large
    from cast_amounts
)
select * from final
"""


# --- placeholders -----------------------------------------------------------------------------

# What exports and people write where a value is not known: "N/A" (Excel's #N/A too), a dash
# (an accounting sheet's, or an ad platform's "--"), "TBD". In a field a row may leave blank,
# such a value is read as blank, with a warning, rather than reject its whole row.
PLACEHOLDERS = pa.array(
    ["-", "--", "\u2013", "\u2014", "n/a", "na", "n.a.", "#n/a", "none", "null", "nil", "tbd", "?"]
)
_SHORT = 8  # bytes: a placeholder with a little space around it; no date is as short


def placeholders_as_blank(
    values, lines, file: str, column: str, noun: str, needed_by: str | None = None
) -> Parsed:
    """The values with each placeholder (PLACEHOLDERS, any case) made blank, and a warning per
    row that held one: "a placeholder, not {noun}"; for a field every ``needed_by`` ("lead")
    needs, an error saying so, which rejects the row. Only short values are looked at (a
    length test first: a date column has none), and a column without any placeholder is
    returned as it is, with no copy."""
    short = mask(pc.less(pc.binary_length(values), _SHORT))
    if not short.any():
        return Parsed(values, [])
    candidates = pc.utf8_lower(stripped(pc.filter(values, pa.array(short))))
    found = np.zeros(len(short), dtype=bool)
    found[np.flatnonzero(short)] = mask(pc.is_in(candidates, value_set=PLACEHOLDERS))
    if not found.any():
        return Parsed(values, [])
    raw = one_array(values)
    if needed_by is None:
        reason, severity = f"a placeholder, not {noun}: read as blank", WARNING
    else:
        reason, severity = f"a placeholder, not {noun}, and every {needed_by} needs one", ERROR
    said = _problems(found, raw, lines, file, column, reason, codes.PLACEHOLDER, severity)
    return Parsed(pc.if_else(pa.array(found), NULL, raw), said)


# --- booleans ---------------------------------------------------------------------------------

# English, Dutch, German, French, Spanish, and Excel's TRUE and FALSE in those languages.
_TRUE = "true t yes y 1 ja j oui sí si waar wahr vrai verdadero".split()
_FALSE = "false f no n 0 nee nein non onwaar falsch faux falso".split()
_WORDS = pa.array(_TRUE + _FALSE)
_TRUTH = pa.array([True] * len(_TRUE) + [False] * len(_FALSE), BOOLEAN)


def parse_booleans(values, lines, file: str, column: str) -> Parsed:
    """Read a column of yes/no values (any case, _TRUE and _FALSE) into a pa.bool_() Array;
    anything else, an "x" included, is a problem."""
    raw = pa.chunked_array(parts(values), pa.string())
    text = stripped(raw)
    position = pc.index_in(pc.utf8_lower(text), value_set=_WORDS)
    # A null position (blank or unknown) stays null; a bit a row, so one array costs little.
    parsed = pc.take(_TRUTH, position).combine_chunks()
    unread = mask(pc.is_valid(text)) & ~mask(pc.is_valid(position))
    reason = "not a yes/no value (TRUE/FALSE, Yes/No, 1/0, Ja/Nee, …)"
    return Parsed(parsed, _problems(unread, raw, lines, file, column, reason, codes.NOT_A_BOOLEAN))
