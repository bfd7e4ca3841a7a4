"""Reading an export's text values as dates, amounts and booleans, each column as a whole."""

import tracemalloc
from datetime import datetime
from decimal import Decimal

import duckdb
import numpy as np
import pyarrow as pa
import pytest

from revcycle import settings
from revcycle.importer import text as text_columns
from revcycle.importer.parse import (
    DAY_FIRST,
    MONTH_FIRST,
    parse_booleans,
    parse_dates,
    parse_numbers,
    placeholders_as_blank,
)
from revcycle.importer.problems import (
    AMBIGUOUS_DATES,
    AMBIGUOUS_DECIMALS,
    ERROR,
    MIXED_DECIMALS,
    NOT_A_DATE,
    NOT_A_NUMBER,
    WARNING,
    Problem,
)

FILE = "export.csv"
COLUMN = "Create Date"
D = datetime


def column(values):
    """A column as the reader hands it over: Arrow text with nulls for blanks, and file lines
    from 2 (1 is the header)."""
    return pa.array(values, pa.string()), np.arange(2, len(values) + 2, dtype=np.int64)


@pytest.fixture(autouse=True)
def amsterdam(monkeypatch):
    """Values with a UTC offset are converted to REVCYCLE_TIMEZONE: pinned to its default."""
    monkeypatch.setenv(settings.TIMEZONE_VARIABLE, settings.DEFAULT_TIMEZONE)


def dates(values, date_format=None):
    text, lines = column(values)
    return parse_dates(text, lines, FILE, COLUMN, date_format=date_format)


def amounts(values, decimal_mark=None):
    text, lines = column(values)
    return parse_numbers(text, lines, FILE, "Amount", decimal_mark)


def booleans(values):
    text, lines = column(values)
    return parse_booleans(text, lines, FILE, "Converted")


def problem(line, value, reason, code, column=COLUMN, severity=ERROR):
    return Problem(FILE, line, column, value, reason, severity, code=code)


# --- dates ------------------------------------------------------------------------------------


def test_iso_dates_read_with_and_without_a_time():
    values = ["2026-02-25", "2026-02-25 22:36", "2026-02-25T22:36:05Z", "2026-02-25T22:36:05.25"]
    parsed = dates(values)
    assert parsed.values.type == pa.timestamp("us")
    assert parsed.values.to_pylist() == [
        D(2026, 2, 25, 0, 0),
        D(2026, 2, 25, 22, 36),
        D(2026, 2, 25, 23, 36, 5),  # 22:36:05 UTC is 23:36:05 in Amsterdam in February
        D(2026, 2, 25, 22, 36, 5, 250000),
    ]
    assert parsed.problems == []


def test_a_utc_z_is_the_wall_clock_in_amsterdam():
    # REVCYCLE_TIMEZONE's default; in February Amsterdam is UTC+1.
    parsed = dates(["2026-02-25T22:36:05Z", "2026-02-25 22:36Z", "2026-02-25T22:36:05.5Z"])
    assert parsed.values.to_pylist() == [
        D(2026, 2, 25, 23, 36, 5),
        D(2026, 2, 25, 23, 36),
        D(2026, 2, 25, 23, 36, 5, 500000),
    ]
    assert parsed.problems == []


def test_negative_offsets_are_found_after_day_first_and_slashed_dates():
    # A "-" offset adds one dash: three after a dashed date, one after a slashed date. In
    # February Amsterdam is UTC+1, so 10:00 at UTC-05:00 is 16:00 there; 10:00 with no offset
    # is already Amsterdam's wall clock.
    parsed = dates(
        ["25-02-2026 10:00 -05:00", "26/02/2026 10:00-05:00", "27/02/2026 10:00"],
        date_format="day-first",
    )
    assert parsed.values.to_pylist() == [
        D(2026, 2, 25, 16, 0),
        D(2026, 2, 26, 16, 0),
        D(2026, 2, 27, 10, 0),
    ]
    assert parsed.problems == []


def test_offsets_with_minutes_without_a_colon_or_after_a_space_are_all_read():
    # Amsterdam is UTC+1 in February and UTC+2 in July: 10:00 at +05:30 is 04:30 UTC, 05:30
    # there; 10:00 at -03:30 is 13:30 UTC, 14:30 there; 10:00 at +02 is 08:00 UTC, 09:00 there.
    values = [
        "2026-02-25 10:00+05:30",
        "2026-02-25 10:00 -0330",
        "2026-02-25 10:00 +02",
        "2026-02-25 10:00:00.5-01:00",
        "2026-07-01 10:00Z",
    ]
    assert dates(values).values.to_pylist() == [
        D(2026, 2, 25, 5, 30),
        D(2026, 2, 25, 14, 30),
        D(2026, 2, 25, 9, 0),
        D(2026, 2, 25, 12, 0, 0, 500000),
        D(2026, 7, 1, 12, 0),
    ]
    # Minutes after a "Z" make no offset, and no time.
    assert dates(["2026-02-25 10:00Z30", "2026-02-25"]).values.to_pylist() == [None, D(2026, 2, 25)]


def test_an_offset_no_zone_has_is_not_a_time():
    # Zones run from UTC-12 to UTC+14, and an hour has 60 minutes: +25:00, +99 and +01:99
    # are typos, never a time moved by a day or four; -12:00 and +14:00 are real.
    values = [
        "2026-03-01T10:00:00+25:00",
        "2026-03-01T10:00:00+99",
        "2026-03-01T10:00:00+01:99",
        "2026-03-01T10:00:00+14:00",
        "2026-03-01T10:00:00-12:00",
    ]
    parsed = dates(values)
    # Amsterdam is UTC+1 in March: 10:00 at +14 is 20:00 UTC the day before, 21:00 there;
    # 10:00 at -12 is 22:00 UTC, 23:00 there.
    assert parsed.values.to_pylist() == [
        None,
        None,
        None,
        D(2026, 2, 28, 21, 0),
        D(2026, 3, 1, 23, 0),
    ]
    assert [problem.line for problem in parsed.problems] == [2, 3, 4]


def test_fractions_of_a_second_are_kept_to_the_microsecond_and_finer_digits_cut():
    values = [
        "2026-02-25 22:36:05.000001",
        "2026-02-25 22:36:05.1234567",
        "2026-02-25T22:36:05.999999999Z",
    ]
    assert dates(values).values.to_pylist() == [
        D(2026, 2, 25, 22, 36, 5, 1),
        D(2026, 2, 25, 22, 36, 5, 123456),
        D(2026, 2, 25, 23, 36, 5, 999999),  # UTC, an hour behind Amsterdam in February
    ]
    day_first = dates(["25.02.2026 22:36:05,75", "13.02.2026"])
    assert day_first.values.to_pylist() == [D(2026, 2, 25, 22, 36, 5, 750000), D(2026, 2, 13)]


def test_a_day_above_12_anywhere_makes_the_column_day_first():
    values = ["03/04/2026", "05/06/2026 09:15", "13/04/2026"]
    assert dates(values).values.to_pylist() == [
        D(2026, 4, 3),
        D(2026, 6, 5, 9, 15),
        D(2026, 4, 13),
    ]


def test_day_first_reads_dots_and_dashes_with_seconds():
    parsed = dates(["25.02.2026", "08-06-2020 15:38:20"])
    assert parsed.values.to_pylist() == [D(2026, 2, 25), D(2020, 6, 8, 15, 38, 20)]


def test_dotted_dates_are_day_first_even_without_a_day_above_12():
    assert dates(["03.04.2026"]).values.to_pylist() == [D(2026, 4, 3)]


def test_a_day_above_12_anywhere_makes_the_column_month_first():
    values = ["3/4/2026", "12/25/2026 3:05 PM", "1/2/2026 12:00 AM", "1/2/2026 12:30 pm"]
    assert dates(values).values.to_pylist() == [
        D(2026, 3, 4),
        D(2026, 12, 25, 15, 5),
        D(2026, 1, 2, 0, 0),
        D(2026, 1, 2, 12, 30),
    ]


def test_a_column_that_could_be_either_order_is_refused_without_a_format():
    parsed = dates(["03/04/2026", "05/06/2026"])
    assert parsed.values.type == pa.timestamp("us")
    assert parsed.values.to_pylist() == [None, None]
    reason = "could be day-first or month-first (e.g. 03/04/2026); choose with --date-format"
    assert parsed.problems == [problem(None, None, reason, AMBIGUOUS_DATES)]


@pytest.mark.parametrize(
    ("date_format", "expected"),
    [
        (DAY_FIRST, [D(2026, 4, 3), D(2026, 6, 5)]),
        (MONTH_FIRST, [D(2026, 3, 4), D(2026, 5, 6)]),
    ],
)
def test_an_undecided_column_is_read_in_the_format_given(date_format, expected):
    parsed = dates(["03/04/2026", "05/06/2026"], date_format=date_format)
    assert parsed.values.to_pylist() == expected
    assert parsed.problems == []


def test_a_column_mixing_day_first_and_month_first_values_is_refused():
    parsed = dates(["13/04/2026", "04/13/2026", "03/04/2026"])
    assert parsed.values.to_pylist() == [None, None, None]
    reason = (
        "mixes day-first (e.g. 13/04/2026) and month-first "
        "(e.g. 04/13/2026) dates; choose with --date-format"
    )
    assert parsed.problems == [problem(None, None, reason, AMBIGUOUS_DATES)]


def test_given_a_format_the_values_it_cannot_read_are_problems():
    parsed = dates(["13/04/2026", "04/13/2026", "03/04/2026"], date_format=DAY_FIRST)
    assert parsed.values.to_pylist() == [D(2026, 4, 13), None, D(2026, 4, 3)]
    reason = "not a date in the column's format (DD/MM/YYYY)"
    assert parsed.problems == [problem(3, "04/13/2026", reason, NOT_A_DATE)]


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (["2026-04-03", "2026-06-05"], [D(2026, 4, 3), D(2026, 6, 5)]),
        (["03/04/2026", "13/04/2026"], [D(2026, 4, 3), D(2026, 4, 13)]),
    ],
)
def test_a_column_that_settles_its_own_format_keeps_it_whatever_the_answer(values, expected):
    parsed = dates(values, date_format=MONTH_FIRST)
    assert parsed.values.to_pylist() == expected
    assert parsed.problems == []


def test_values_outside_the_column_format_are_reported_with_their_lines():
    parsed = dates(["2026-02-25", "tomorrow", "", "2026-02-30", "25/02/2026", "2026-03-01"])
    assert parsed.values.to_pylist() == [D(2026, 2, 25), None, None, None, None, D(2026, 3, 1)]
    reason = "not a date in the column's format (YYYY-MM-DD)"
    assert parsed.problems == [
        problem(3, "tomorrow", reason, NOT_A_DATE),
        problem(5, "2026-02-30", reason, NOT_A_DATE),
        problem(6, "25/02/2026", reason, NOT_A_DATE),
    ]


def test_a_few_impossible_dates_in_a_long_iso_column_are_problems_on_their_lines():
    # Long enough that the column is read in blocks around the values that do not exist.
    values = ["2026-02-25 10:00:00"] * 10_000 + ["2026-02-30 10:00:00", "2026-02-25 10"]
    values += ["2026-02-26"] * 10_000 + ["2026-02-25 24:00:00"]
    parsed = dates(values)
    assert parsed.values.to_pylist() == (
        [D(2026, 2, 25, 10)] * 10_000 + [None, None] + [D(2026, 2, 26)] * 10_000 + [None]
    )
    reason = "not a date in the column's format (YYYY-MM-DD)"
    assert parsed.problems == [
        problem(10_002, "2026-02-30 10:00:00", reason, NOT_A_DATE),
        problem(10_003, "2026-02-25 10", reason, NOT_A_DATE),
        problem(20_004, "2026-02-25 24:00:00", reason, NOT_A_DATE),
    ]


def test_the_format_in_a_reason_is_written_the_way_the_column_writes_it():
    parsed = dates(["25.02.2026", "31.02.2026"])
    reason = "not a date in the column's format (DD.MM.YYYY)"
    assert parsed.problems == [problem(3, "31.02.2026", reason, NOT_A_DATE)]


def test_a_column_with_no_dates_reports_every_value():
    parsed = dates(["n/a", "soon"])
    assert parsed.values.to_pylist() == [None, None]
    assert parsed.problems == [
        problem(2, "n/a", "not a date", NOT_A_DATE),
        problem(3, "soon", "not a date", NOT_A_DATE),
    ]


def test_impossible_times_and_days_are_problems_and_leap_days_are_not():
    parsed = dates(["2028-02-29", "2026-02-29", "2026-02-25 24:00", "2026-02-25 10:60"])
    assert parsed.values.to_pylist() == [D(2028, 2, 29), None, None, None]
    assert [p.line for p in parsed.problems] == [3, 4, 5]


def test_an_hour_without_minutes_is_not_a_time():
    parsed = dates(["2026-02-25 10:00", "2026-02-25 10", "2026-02-25T10"])
    assert parsed.values.to_pylist() == [D(2026, 2, 25, 10), None, None]
    assert [(p.line, p.value) for p in parsed.problems] == [
        (3, "2026-02-25 10"),
        (4, "2026-02-25T10"),
    ]


def test_minutes_and_seconds_take_two_digits():
    parsed = dates(["25/02/2026 9:05", "25/02/2026 9:5", "25/02/2026 9:05:7", "25/02/2026 9:05:07"])
    assert parsed.values.to_pylist() == [D(2026, 2, 25, 9, 5), None, None, D(2026, 2, 25, 9, 5, 7)]
    assert [p.line for p in parsed.problems] == [3, 4]


def test_years_before_1678_or_after_2261_are_problems():
    parsed = dates(["2026-02-25", "1677-12-31", "2262-01-01", "1678-01-01", "2261-12-31 23:59"])
    assert parsed.values.to_pylist() == [
        D(2026, 2, 25),
        None,
        None,
        D(1678, 1, 1),
        D(2261, 12, 31, 23, 59),
    ]
    assert [p.value for p in parsed.problems] == ["1677-12-31", "2262-01-01"]


def test_two_digit_years_are_not_read():
    parsed = dates(["2026-02-25", "25/02/26"])
    assert [p.value for p in parsed.problems] == ["25/02/26"]


def test_excel_serials_count_days_from_1899_12_30_and_the_fraction_is_the_time():
    # 45231 days after 1899-12-30 is 2023-11-01; 0.5 of a day is 12:00; 0.6041666… is 14:30.
    parsed = dates(["45231", "45231.5", "45231.604166666664", "45232"])
    assert parsed.values.to_pylist() == [
        D(2023, 11, 1, 0, 0),
        D(2023, 11, 1, 12, 0),
        D(2023, 11, 1, 14, 30),
        D(2023, 11, 2, 0, 0),
    ]


def test_five_digit_numbers_outside_the_serial_range_are_not_dates():
    parsed = dates(["45231", "12345"])
    reason = "not a date in the column's format (Excel serial number)"
    assert parsed.problems == [problem(3, "12345", reason, NOT_A_DATE)]


def test_an_unknown_date_format_is_a_usage_error():
    with pytest.raises(ValueError, match="unknown date format"):
        dates(["2026-02-25"], date_format="yyyy")


# --- amounts ----------------------------------------------------------------------------------


def test_amounts_with_a_decimal_point_in_every_style():
    values = ["1234.56", "1,234.56", "$1,234.56", "1 234.56", "1'234.56", "USD 1234.56", "7"]
    parsed = amounts(values)
    assert parsed.values.type == pa.decimal128(18, 2)
    assert parsed.values.to_pylist() == [Decimal("1234.56")] * 6 + [Decimal("7.00")]
    assert parsed.problems == []


def test_amounts_are_exact_to_the_cent():
    parsed = amounts(["7", "1234.5", "-0.1", "0.07"])
    assert [str(value) for value in parsed.values.to_pylist()] == [
        "7.00",
        "1234.50",
        "-0.10",
        "0.07",
    ]


def test_amounts_with_a_decimal_comma_in_every_style():
    values = [
        "1.234,56",
        "1234,56",
        "1 234,56",
        "1\u00a0234,56",
        "1\u202f234,56",
        "1\u2007234,56",  # a figure space
        "€1.234,56",
        "1.234,56 €",
        "1.234,56 EUR",
    ]
    parsed = amounts(values)
    assert parsed.values.to_pylist() == [Decimal("1234.56")] * 9
    assert parsed.problems == []


def test_thousands_separators_may_repeat():
    point = amounts(["1,234,567.5", "12.5"])
    assert point.values.to_pylist() == [Decimal("1234567.50"), Decimal("12.50")]
    comma = amounts(["1.234.567,5", "12,5"])
    assert comma.values.to_pylist() == [Decimal("1234567.50"), Decimal("12.50")]


@pytest.mark.parametrize("value", ["-12,50", "(12,50)", "-€12,50", "€-12,50", "\u221212,50"])
def test_a_minus_or_accounting_parentheses_make_an_amount_negative(value):
    parsed = amounts([value, "1,00"])
    assert parsed.values.to_pylist() == [Decimal("-12.50"), Decimal("1.00")]


def test_one_value_with_a_decimal_comma_decides_the_column():
    values = ["1.234", "12,5"]
    assert amounts(values).values.to_pylist() == [Decimal("1234.00"), Decimal("12.50")]


def test_one_value_with_a_decimal_point_decides_the_column():
    values = ["1,234", "12.5"]
    assert amounts(values).values.to_pylist() == [Decimal("1234.00"), Decimal("12.50")]


def test_amounts_that_read_either_way_are_a_question_not_a_guess():
    # "1.500" is fifteen hundred with a decimal comma and one and a half with a decimal point;
    # "7" and "12 500" say nothing either. The whole column waits for the answer.
    parsed = amounts(["1.500", "7", "12 500", "2.250"])
    assert parsed.values.to_pylist() == [None] * 4
    reason = (
        "could have a decimal point or a decimal comma, and no amount shows which (e.g. 1.500); "
        "choose with --decimal-mark"
    )
    assert parsed.problems == [problem(None, None, reason, AMBIGUOUS_DECIMALS, column="Amount")]


@pytest.mark.parametrize(
    ("mark", "expected"),
    [
        (",", ["1500.00", "7.00", "12500.00", "2250.00", "12.50"]),
        (".", ["1.50", "7.00", "12500.00", "2.25", "12500.00"]),
    ],
)
def test_the_answer_reads_every_amount_no_value_settles(mark, expected):
    # With a decimal comma "12,500" is twelve and a half; with a decimal point a comma groups.
    parsed = amounts(["1.500", "7", "12 500", "2.250", "12,500"], decimal_mark=mark)
    assert parsed.values.to_pylist() == [Decimal(amount) for amount in expected]
    assert parsed.problems == []


def test_a_mark_after_four_digits_or_a_space_group_is_the_decimal_one():
    # Grouped numbers have at most three digits before a mark, and do not mix a space with a
    # point: "1250.500" and "1 000.500" show a decimal point, "1 000,500" a decimal comma.
    point = amounts(["1 000.500", "1250.500", "250"])
    assert point.values.to_pylist() == [Decimal("1000.50"), Decimal("1250.50"), Decimal("250.00")]
    assert point.problems == []
    comma = amounts(["1 000,500", "250"])
    assert comma.values.to_pylist() == [Decimal("1000.50"), Decimal("250.00")]


def test_whole_amounts_without_a_mark_ask_nothing():
    parsed = amounts(["1500", "7", "-12 500"])
    assert parsed.values.to_pylist() == [Decimal("1500.00"), Decimal("7.00"), Decimal("-12500.00")]
    assert parsed.problems == []


def test_a_column_that_shows_its_mark_keeps_it_whatever_the_answer():
    # "12,50" shows a decimal comma: the file's answer is for columns that show nothing.
    parsed = amounts(["1.500", "12,50"], decimal_mark=".")
    assert parsed.values.to_pylist() == [Decimal("1500.00"), Decimal("12.50")]


def test_a_zero_before_the_separator_shows_it_is_a_decimal():
    parsed = amounts(["0,125", "1.000"])
    assert parsed.values.to_pylist() == [Decimal("0.13"), Decimal("1000.00")]


def test_a_zero_after_a_currency_sign_shows_a_decimal_too():
    # "€0,125" shows a decimal comma; "€5,125" shows nothing, so both commas group thousands.
    assert amounts(["€0,125", "1.000"]).values.to_pylist() == [Decimal("0.13"), Decimal("1000.00")]
    five = amounts(["€5,125", "1.000"])
    assert [p.code for p in five.problems] == [AMBIGUOUS_DECIMALS]


def test_values_in_the_other_convention_are_problems():
    parsed = amounts(["1.234,56", "99,90", "1,234.56"])
    assert parsed.values.to_pylist() == [Decimal("1234.56"), Decimal("99.90"), None]
    reason = "not a number in the column's format (1.234,56)"
    assert parsed.problems == [problem(4, "1,234.56", reason, NOT_A_NUMBER, column="Amount")]


def test_as_many_decimal_commas_as_decimal_points_is_refused():
    parsed = amounts(["12,50", "12.50"])
    assert parsed.values.type == pa.decimal128(18, 2)
    assert parsed.values.to_pylist() == [None, None]
    reason = (
        "has as many amounts with a decimal comma as with a decimal point (1 each: '12,50' on "
        "line 2, '12.50' on line 3); the file must use one of them"
    )
    assert parsed.problems == [problem(None, None, reason, MIXED_DECIMALS, column="Amount")]


def test_an_unknown_decimal_mark_is_a_usage_error():
    with pytest.raises(ValueError, match="decimal mark"):
        amounts(["1.500"], decimal_mark=";")


def test_more_than_two_decimals_round_half_away_from_zero_with_a_warning():
    parsed = amounts(["2.345", "12.50", "-1.005", "0.1250000001"])
    assert parsed.values.to_pylist() == [
        Decimal("2.35"),
        Decimal("12.50"),
        Decimal("-1.01"),
        Decimal("0.13"),
    ]
    rounded = "more than two decimals; rounded to the cent ({})"
    assert [(p.line, p.value, p.reason, p.severity) for p in parsed.problems] == [
        (2, "2.345", rounded.format("2.35"), WARNING),
        (4, "-1.005", rounded.format("-1.01"), WARNING),
        (5, "0.1250000001", rounded.format("0.13"), WARNING),
    ]


def test_amounts_with_currency_round_the_same_way():
    parsed = amounts(["(1.234,565 €)", "€ 0,1249", "12,50"])
    assert parsed.values.to_pylist() == [Decimal("-1234.57"), Decimal("0.12"), Decimal("12.50")]
    assert [(p.line, p.reason) for p in parsed.problems] == [
        (2, "more than two decimals; rounded to the cent (-1234.57)"),
        (3, "more than two decimals; rounded to the cent (0.12)"),
    ]


def test_a_value_with_braces_is_not_a_number_and_shown_as_written():
    # Only the rounding warning fills its reason with the stored amount; other reasons are
    # fixed sentences, whatever the value holds.
    parsed = amounts(["12.50", "{0}", "1.005"])
    assert parsed.values.to_pylist() == [Decimal("12.50"), None, Decimal("1.01")]
    assert [(p.line, p.value, p.reason) for p in parsed.problems] == [
        (3, "{0}", "not a number"),
        (4, "1.005", "more than two decimals; rounded to the cent (1.01)"),
    ]


def test_text_is_not_a_number():
    parsed = amounts(["12.50", "abc", "12.50 EURO", "--5", "(-5)"])
    assert parsed.values.to_pylist() == [Decimal("12.50"), None, None, None, None]
    assert [(p.line, p.reason) for p in parsed.problems] == [
        (3, "not a number"),
        (4, "not a number"),
        (5, "not a number"),
        (6, "not a number"),
    ]


def test_an_amount_too_large_for_decimal_18_2_is_a_problem():
    parsed = amounts(["9999999999999999.99", "12345678901234567", "9999999999999999.995"])
    assert parsed.values.to_pylist() == [Decimal("9999999999999999.99"), None, None]
    reason = "too large for an amount (over 16 digits before the decimals)"
    assert [(p.line, p.reason) for p in parsed.problems] == [(3, reason), (4, reason)]


def test_amounts_load_into_duckdb_as_decimal_18_2():
    parsed = amounts(["1.234,56", "-0,01", "(7,5)", "9.999.999.999.999.999,99", None])
    con = duckdb.connect()
    con.register("parsed", pa.table({"amount": parsed.values}))
    rows = con.sql("select typeof(amount), amount from parsed").fetchall()
    assert rows == [
        ("DECIMAL(18,2)", Decimal("1234.56")),
        ("DECIMAL(18,2)", Decimal("-0.01")),
        ("DECIMAL(18,2)", Decimal("-7.50")),
        ("DECIMAL(18,2)", Decimal("9999999999999999.99")),
        ("DECIMAL(18,2)", None),
    ]


# --- booleans ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("true", "false"),
    [
        ("TRUE", "FALSE"),
        ("true", "false"),
        ("Yes", "No"),
        ("Y", "N"),
        ("1", "0"),
        ("Ja", "Nee"),
        ("Ja", "Nein"),
        ("Oui", "Non"),
        ("Sí", "No"),
        ("WAAR", "ONWAAR"),
        ("WAHR", "FALSCH"),
        ("VRAI", "FAUX"),
    ],
)
def test_yes_and_no_in_each_language(true, false):
    parsed = booleans([true, false, f" {true.lower()} "])
    assert parsed.values.type == pa.bool_()
    assert parsed.values.to_pylist() == [True, False, True]
    assert parsed.problems == []


def test_anything_else_is_not_a_boolean():
    parsed = booleans(["TRUE", "x", "maybe", "2"])
    assert parsed.values.to_pylist() == [True, None, None, None]
    assert [(p.line, p.value) for p in parsed.problems] == [(3, "x"), (4, "maybe"), (5, "2")]


# --- every kind -------------------------------------------------------------------------------


@pytest.mark.parametrize("parse", [dates, amounts, booleans])
@pytest.mark.parametrize("invisible", ["\u00a0", "\u2007", "\u202f", "\u200b", "\ufeff"])
def test_blanks_stay_missing_and_are_not_problems(parse, invisible):
    parsed = parse(["", "   ", None, invisible, f" {invisible}\t{invisible}"])
    assert parsed.values.to_pylist() == [None, None, None, None, None]
    assert parsed.problems == []


@pytest.mark.parametrize(
    ("parse", "value", "expected"),
    [
        (dates, "\u00a02026-02-25\u200b", D(2026, 2, 25)),
        (amounts, "\u202f12,50\ufeff", Decimal("12.50")),
        (booleans, "\u2007Ja\u00a0", True),
    ],
)
def test_invisible_whitespace_around_a_value_is_stripped(parse, value, expected):
    parsed = parse([value])
    assert parsed.values.to_pylist() == [expected]
    assert parsed.problems == []


@pytest.mark.parametrize("parse", [dates, amounts, booleans])
def test_an_empty_column_is_an_empty_array(parse):
    parsed = parse([])
    assert isinstance(parsed.values, pa.Array)
    assert parsed.values.to_pylist() == []
    assert parsed.problems == []


@pytest.mark.parametrize(
    ("parse", "value", "arrow_type"),
    [
        (parse_dates, "2026-02-25", pa.timestamp("us")),
        (parse_numbers, "1", pa.decimal128(18, 2)),
        (parse_booleans, "y", pa.bool_()),
    ],
)
def test_a_chunked_column_comes_back_as_one_array_of_its_length(parse, value, arrow_type):
    chunked = pa.chunked_array([[value, None], [], [value]], type=pa.large_string())
    parsed = parse(chunked, np.array([2, 3, 4]), FILE, "x")
    assert isinstance(parsed.values, pa.Array)
    assert parsed.values.type == arrow_type
    assert len(parsed.values) == 3


def test_problem_lines_are_plain_ints_and_values_as_the_file_wrote_them():
    text = pa.array(["2026-02-25", "  soon  "])
    parsed = parse_dates(text, np.array([41, 42], dtype=np.int64), FILE, COLUMN)
    assert parsed.problems == [
        problem(42, "  soon  ", "not a date in the column's format (YYYY-MM-DD)", NOT_A_DATE)
    ]
    assert type(parsed.problems[0].line) is int


def test_a_column_arrow_casts_whole_is_parsed_in_under_three_times_its_text():
    # 200,000 ISO timestamps of 19 characters: 3.8 MB of text. Arrow's cast reads them all, so
    # no other format holds a timestamp per row, and the digits are folded by a table lookup:
    # what numpy allocates at once stays under three times the text (it was 4.8 times: at 10M
    # rows two columns parsing side by side held 1.9 GB).
    rows = 200_000
    text = pa.array([f"2026-01-{1 + n % 28:02d} {n % 24:02d}:{n % 60:02d}:00" for n in range(rows)])
    tracemalloc.start()
    try:
        parsed = parse_dates(text, np.arange(1, rows + 1), "leads.csv", "created_at")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert parsed.problems == []
    assert parsed.values[29].as_py() == datetime(2026, 1, 2, 5, 29)  # day 1 + 29, hour 29 - 24
    assert peak < 3 * 19 * rows


def test_a_column_in_parts_is_parsed_a_part_at_a_time(monkeypatch):
    # The reader hands a column over in parts (a million rows each; here 25,000). Folding the
    # digits and casting go part by part: what numpy holds at once is the per-row results
    # (8 bytes of timestamp, 4 of offset, 1 of flag a row) and one part's scratch, under 26
    # bytes a row. The whole column's text folded at once held 36 (at 10M rows, two columns
    # parsing side by side held 0.8 GiB more).
    monkeypatch.setattr(text_columns, "PART_ROWS", 25_000)
    rows = 200_000
    values = [f"2026-01-{1 + n % 28:02d} {n % 24:02d}:{n % 60:02d}:00" for n in range(rows)]
    column = pa.chunked_array([values[at : at + 25_000] for at in range(0, rows, 25_000)])
    lines = np.arange(1, rows + 1)
    tracemalloc.start()
    try:
        parsed = parse_dates(column, lines, "leads.csv", "created_at")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert parsed.problems == []
    assert parsed.values[175_000].as_py() == datetime(
        2026, 1, 1 + 175_000 % 28, 175_000 % 24, 175_000 % 60
    )
    assert peak < 26 * rows


def test_a_column_in_parts_is_decided_over_all_of_them():
    # Only the second part says the column is day-first; the third part's day does not exist.
    column = pa.chunked_array(
        [["03/04/2026", "01/02/2026 9:30"], ["25/04/2026", "soon"], ["30/02/2026"]]
    )
    parsed = parse_dates(column, np.array([2, 3, 4, 5, 6]), "leads.csv", "created_at")
    assert parsed.values.to_pylist() == [
        datetime(2026, 4, 3),
        datetime(2026, 2, 1, 9, 30),
        datetime(2026, 4, 25),
        None,
        None,
    ]
    reason = "not a date in the column's format (DD/MM/YYYY)"
    assert [(p.line, p.value, p.reason) for p in parsed.problems] == [
        (5, "soon", reason),
        (6, "30/02/2026", reason),
    ]


def test_a_part_the_cast_reads_whole_and_a_part_read_by_pieces_each_fill_their_own_rows(
    monkeypatch,
):
    # With PART_ROWS at 8 each chunk stays a part of its own. Arrow's cast reads the first part
    # whole; the second holds a day that does not exist, so its dashed values too are read as a
    # day and a time, beside "2026/03/05 14:30": each lands on its own row of the column, and
    # the impossible day is the one problem, on its line (6).
    monkeypatch.setattr(text_columns, "PART_ROWS", 8)
    column = pa.chunked_array(
        [["2026-03-01 10:00", "2026-03-02"], ["2026-03-03 08:00", "2026/03/05 14:30", "2026-02-30"]]
    )
    parsed = parse_dates(column, np.array([2, 3, 4, 5, 6]), "leads.csv", "created_at")
    assert parsed.values.to_pylist() == [
        datetime(2026, 3, 1, 10, 0),
        datetime(2026, 3, 2),
        datetime(2026, 3, 3, 8, 0),
        datetime(2026, 3, 5, 14, 30),
        None,
    ]
    reason = "not a date in the column's format (YYYY-MM-DD)"
    assert [(p.line, p.value, p.reason) for p in parsed.problems] == [(6, "2026-02-30", reason)]


def test_only_a_whole_placeholder_is_blank_and_a_column_without_one_is_left_as_it_is():
    # "N/A", "#n/a", "NULL" and "?" are placeholders; "NAV" and "n/a pending" are not, nor
    # is a number. Lines are the file's (2 to 8).
    values = pa.chunked_array([["12.50", "N/A", "NAV", "#n/a", "n/a pending", "NULL", "?"]])
    lines = np.arange(2, 9)
    parsed = placeholders_as_blank(values, lines, "deals.csv", "Amount", "a number")
    assert parsed.values.to_pylist() == ["12.50", None, "NAV", None, "n/a pending", None, None]
    assert [(p.line, p.value) for p in parsed.problems] == [
        (3, "N/A"),
        (5, "#n/a"),
        (7, "NULL"),
        (8, "?"),
    ]
    assert {p.severity for p in parsed.problems} == {WARNING}
    plain = pa.chunked_array([["12.50", "7"], ["1,000.00"]])
    assert placeholders_as_blank(plain, np.arange(2, 5), "d.csv", "A", "a number").values is plain
