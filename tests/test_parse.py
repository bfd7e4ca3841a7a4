"""Reading an export's text values as dates, amounts and booleans, each column as a whole."""

from decimal import Decimal

import duckdb
import pandas as pd
import pytest

from revcycle.importer.parse import (
    DAY_FIRST,
    MONTH_FIRST,
    decide_date_format,
    decide_decimal_separator,
    parse_booleans,
    parse_dates,
    parse_numbers,
)
from revcycle.importer.problems import ERROR, WARNING, Problem

FILE = "export.csv"
COLUMN = "Create Date"
T = pd.Timestamp
NAT = pd.NaT


def column(values):
    """A column as the reader hands it over: text or None, and file lines from 2 (1 is the
    header)."""
    return pd.Series(values, dtype=object), list(range(2, len(values) + 2))


def listed(values: pd.Series) -> list:
    """The values as a list, with None for every kind of missing (NaN, NaT, NA)."""
    return [None if pd.isna(value) else value for value in values]


def dates(values, date_format=None):
    series, lines = column(values)
    return parse_dates(series, lines, FILE, COLUMN, date_format=date_format)


def amounts(values, decimal=None):
    series, lines = column(values)
    return parse_numbers(series, lines, FILE, "Amount", decimal=decimal)


def booleans(values):
    series, lines = column(values)
    return parse_booleans(series, lines, FILE, "Converted")


def problem(line, value, reason, column=COLUMN, severity=ERROR):
    return Problem(FILE, line, column, value, reason, severity)


# --- dates ------------------------------------------------------------------------------------


def test_iso_dates_read_with_and_without_a_time():
    values = ["2026-02-25", "2026-02-25 22:36", "2026-02-25T22:36:05Z", "2026-02-25T22:36:05.25"]
    parsed = dates(values)
    assert parsed.values.tolist() == [
        T("2026-02-25 00:00"),
        T("2026-02-25 22:36"),
        T("2026-02-25 22:36:05"),
        T("2026-02-25 22:36:05.250"),
    ]
    assert parsed.problems == []


def test_a_day_above_12_anywhere_makes_the_column_day_first():
    values = ["03/04/2026", "05/06/2026 09:15", "13/04/2026"]
    assert decide_date_format(pd.Series(values)).format == DAY_FIRST
    assert dates(values).values.tolist() == [
        T("2026-04-03"),
        T("2026-06-05 09:15"),
        T("2026-04-13"),
    ]


def test_day_first_reads_dots_and_dashes_with_seconds():
    parsed = dates(["25.02.2026", "08-06-2020 15:38:20"])
    assert parsed.values.tolist() == [T("2026-02-25"), T("2020-06-08 15:38:20")]


def test_dotted_dates_are_day_first_even_without_a_day_above_12():
    assert dates(["03.04.2026"]).values.tolist() == [T("2026-04-03")]


def test_a_day_above_12_anywhere_makes_the_column_month_first():
    values = ["3/4/2026", "12/25/2026 3:05 PM", "1/2/2026 12:00 AM", "1/2/2026 12:30 pm"]
    assert decide_date_format(pd.Series(values)).format == MONTH_FIRST
    assert dates(values).values.tolist() == [
        T("2026-03-04"),
        T("2026-12-25 15:05"),
        T("2026-01-02 00:00"),
        T("2026-01-02 12:30"),
    ]


def test_a_column_that_could_be_either_order_is_refused_without_a_format():
    parsed = dates(["03/04/2026", "05/06/2026"])
    assert parsed.values.isna().all()
    reason = (
        "column Create Date could be day-first or month-first (e.g. 03/04/2026); "
        "choose with --date-format"
    )
    assert parsed.problems == [problem(None, None, reason)]


@pytest.mark.parametrize(
    ("date_format", "expected"),
    [
        (DAY_FIRST, [T("2026-04-03"), T("2026-06-05")]),
        (MONTH_FIRST, [T("2026-03-04"), T("2026-05-06")]),
    ],
)
def test_an_undecided_column_is_read_in_the_format_given(date_format, expected):
    parsed = dates(["03/04/2026", "05/06/2026"], date_format=date_format)
    assert parsed.values.tolist() == expected
    assert parsed.problems == []


def test_a_column_mixing_day_first_and_month_first_values_is_refused():
    parsed = dates(["13/04/2026", "04/13/2026", "03/04/2026"])
    reason = (
        "column Create Date mixes day-first (e.g. 13/04/2026) and month-first "
        "(e.g. 04/13/2026) dates; choose with --date-format"
    )
    assert parsed.problems == [problem(None, None, reason)]


def test_given_a_format_the_values_it_cannot_read_are_problems():
    parsed = dates(["13/04/2026", "04/13/2026", "03/04/2026"], date_format=DAY_FIRST)
    assert parsed.values.tolist() == [T("2026-04-13"), NAT, T("2026-04-03")]
    reason = "not a date in the column's format (DD/MM/YYYY)"
    assert parsed.problems == [problem(3, "04/13/2026", reason)]


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (["2026-04-03", "2026-06-05"], [T("2026-04-03"), T("2026-06-05")]),
        (["03/04/2026", "13/04/2026"], [T("2026-04-03"), T("2026-04-13")]),
    ],
)
def test_a_column_that_settles_its_own_format_keeps_it_whatever_the_answer(values, expected):
    parsed = dates(values, date_format=MONTH_FIRST)
    assert parsed.values.tolist() == expected
    assert parsed.problems == []


def test_values_outside_the_column_format_are_reported_with_their_lines():
    parsed = dates(["2026-02-25", "tomorrow", "", "2026-02-30", "25/02/2026", "2026-03-01"])
    assert parsed.values.tolist() == [T("2026-02-25"), NAT, NAT, NAT, NAT, T("2026-03-01")]
    reason = "not a date in the column's format (YYYY-MM-DD)"
    assert parsed.problems == [
        problem(3, "tomorrow", reason),
        problem(5, "2026-02-30", reason),
        problem(6, "25/02/2026", reason),
    ]


def test_the_format_in_a_reason_is_written_the_way_the_column_writes_it():
    parsed = dates(["25.02.2026", "31.02.2026"])
    reason = "not a date in the column's format (DD.MM.YYYY)"
    assert parsed.problems == [problem(3, "31.02.2026", reason)]


def test_a_column_with_no_dates_reports_every_value():
    parsed = dates(["n/a", "soon"])
    assert parsed.problems == [problem(2, "n/a", "not a date"), problem(3, "soon", "not a date")]


def test_impossible_times_and_days_are_problems_and_leap_days_are_not():
    parsed = dates(["2028-02-29", "2026-02-29", "2026-02-25 24:00", "2026-02-25 10:60"])
    assert parsed.values.tolist() == [T("2028-02-29"), NAT, NAT, NAT]
    assert [p.line for p in parsed.problems] == [3, 4, 5]


def test_two_digit_years_and_utc_offsets_are_not_read():
    parsed = dates(["2026-02-25", "25/02/26", "2026-02-25T10:00:00+01:00"])
    assert [p.value for p in parsed.problems] == ["25/02/26", "2026-02-25T10:00:00+01:00"]


def test_excel_serials_count_days_from_1899_12_30_and_the_fraction_is_the_time():
    # 45231 days after 1899-12-30 is 2023-11-01; 0.5 of a day is 12:00; 0.6041666… is 14:30.
    parsed = dates(["45231", "45231.5", "45231.604166666664", "45232"])
    assert parsed.values.tolist() == [
        T("2023-11-01 00:00"),
        T("2023-11-01 12:00"),
        T("2023-11-01 14:30"),
        T("2023-11-02 00:00"),
    ]


def test_five_digit_numbers_outside_the_serial_range_are_not_dates():
    parsed = dates(["45231", "12345"])
    reason = "not a date in the column's format (Excel serial number)"
    assert parsed.problems == [problem(3, "12345", reason)]


def test_an_unknown_date_format_is_a_usage_error():
    with pytest.raises(ValueError, match="unknown date format"):
        dates(["2026-02-25"], date_format="yyyy")


# --- amounts ----------------------------------------------------------------------------------


def test_amounts_with_a_decimal_point_in_every_style():
    values = ["1234.56", "1,234.56", "$1,234.56", "1 234.56", "1'234.56", "USD 1234.56", "7"]
    parsed = amounts(values)
    assert parsed.values.tolist() == ["1234.56"] * 6 + ["7.00"]
    assert parsed.problems == []


def test_amounts_with_a_decimal_comma_in_every_style():
    values = [
        "1.234,56",
        "1234,56",
        "1 234,56",
        "1\u00a0234,56",
        "1\u202f234,56",
        "€1.234,56",
        "1.234,56 €",
        "1.234,56 EUR",
    ]
    parsed = amounts(values)
    assert parsed.values.tolist() == ["1234.56"] * 8
    assert parsed.problems == []


def test_thousands_separators_may_repeat():
    assert amounts(["1,234,567.5", "12.5"]).values.tolist() == ["1234567.50", "12.50"]
    assert amounts(["1.234.567,5", "12,5"]).values.tolist() == ["1234567.50", "12.50"]


@pytest.mark.parametrize("value", ["-12,50", "(12,50)", "-€12,50", "€-12,50", "\u221212,50"])
def test_a_minus_or_accounting_parentheses_make_an_amount_negative(value):
    assert amounts([value, "1,00"]).values.tolist() == ["-12.50", "1.00"]


def test_one_value_with_a_decimal_comma_decides_the_column():
    values = ["1.234", "12,5"]
    assert decide_decimal_separator(pd.Series(values)).separator == ","
    assert amounts(values).values.tolist() == ["1234.00", "12.50"]


def test_one_value_with_a_decimal_point_decides_the_column():
    values = ["1,234", "12.5"]
    assert decide_decimal_separator(pd.Series(values)).separator == "."
    assert amounts(values).values.tolist() == ["1234.00", "12.50"]


def test_without_a_decimal_anywhere_a_separator_before_three_digits_groups_thousands():
    values = ["1.234", "12,500", "7"]
    assert decide_decimal_separator(pd.Series(values)).separator is None
    assert amounts(values).values.tolist() == ["1234.00", "12500.00", "7.00"]


def test_a_zero_before_the_separator_shows_it_is_a_decimal():
    assert amounts(["0,125", "1.000"]).values.tolist() == ["0.13", "1000.00"]


def test_values_in_the_other_convention_are_problems():
    parsed = amounts(["1.234,56", "99,90", "1,234.56"])
    assert listed(parsed.values) == ["1234.56", "99.90", None]
    reason = "not a number in the column's format (1.234,56)"
    assert parsed.problems == [problem(4, "1,234.56", reason, column="Amount")]


def test_as_many_decimal_commas_as_decimal_points_is_refused():
    parsed = amounts(["12,50", "12.50"])
    assert parsed.values.isna().all()
    reason = (
        "column Amount has as many amounts with a decimal comma as with a decimal point "
        "(1 each); the file must use one of them"
    )
    assert parsed.problems == [problem(None, None, reason, column="Amount")]


@pytest.mark.parametrize(("decimal", "expected"), [(",", "1500.00"), (".", "1.50")])
def test_the_decimal_separator_can_be_given(decimal, expected):
    assert amounts(["1.500"], decimal=decimal).values.tolist() == [expected]


def test_more_than_two_decimals_round_half_away_from_zero_with_a_warning():
    parsed = amounts(["2.345", "12.50", "-1.005", "0.1250000001"])
    assert parsed.values.tolist() == ["2.35", "12.50", "-1.01", "0.13"]
    rounded = "more than two decimals; rounded to the cent ({})"
    assert [(p.line, p.reason, p.severity) for p in parsed.problems] == [
        (2, rounded.format("2.35"), WARNING),
        (4, rounded.format("-1.01"), WARNING),
        (5, rounded.format("0.13"), WARNING),
    ]


def test_text_is_not_a_number():
    parsed = amounts(["12.50", "abc", "12.50 EURO", "--5", "(-5)"])
    assert listed(parsed.values) == ["12.50", None, None, None, None]
    assert [(p.line, p.reason) for p in parsed.problems] == [
        (3, "not a number"),
        (4, "not a number"),
        (5, "not a number"),
        (6, "not a number"),
    ]


def test_an_amount_too_large_for_decimal_18_2_is_a_problem():
    parsed = amounts(["9999999999999999.99", "12345678901234567", "9999999999999999.995"])
    assert listed(parsed.values) == ["9999999999999999.99", None, None]
    reason = "too large for an amount (over 16 digits before the decimals)"
    assert [(p.line, p.reason) for p in parsed.problems] == [(3, reason), (4, reason)]


def test_amounts_cast_exactly_to_decimal_18_2_in_duckdb():
    parsed = amounts(["1.234,56", "-0,01", "(7,5)", "9.999.999.999.999.999,99"])
    con = duckdb.connect()
    con.register("parsed", pd.DataFrame({"amount": parsed.values}))
    cast = con.sql("select cast(amount as decimal(18, 2)) as amount from parsed").fetchall()
    assert [row[0] for row in cast] == [
        Decimal("1234.56"),
        Decimal("-0.01"),
        Decimal("-7.50"),
        Decimal("9999999999999999.99"),
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
    assert parsed.values.tolist() == [True, False, True]
    assert parsed.problems == []


def test_anything_else_is_not_a_boolean():
    parsed = booleans(["TRUE", "x", "maybe", "2"])
    assert listed(parsed.values) == [True, None, None, None]
    assert [(p.line, p.value) for p in parsed.problems] == [(3, "x"), (4, "maybe"), (5, "2")]


# --- every kind -------------------------------------------------------------------------------


@pytest.mark.parametrize("parse", [dates, amounts, booleans])
def test_blanks_stay_missing_and_are_not_problems(parse):
    parsed = parse(["", "   ", None, "\u00a0"])
    assert parsed.values.isna().all()
    assert parsed.problems == []


@pytest.mark.parametrize(
    ("parse", "value"), [(parse_dates, "2026-02-25"), (parse_numbers, "1"), (parse_booleans, "y")]
)
def test_values_keep_the_input_index(parse, value):
    series = pd.Series([value, value], index=[10, 11], name="x", dtype=object)
    parsed = parse(series, [12, 13], FILE, "x")
    assert parsed.values.index.tolist() == [10, 11]
