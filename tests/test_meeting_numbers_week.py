"""The meeting's ISO week, checked against a calendar: 1 January 2026 is a Thursday, so 2026
has 53 ISO weeks, its week 1 starts on Monday 29 December 2025, and week 47 starts 46 weeks
(322 days) later, on Monday 16 November 2026."""

import datetime

import pytest

from revcycle.meeting.week import Week, last_complete


def test_a_week_runs_from_monday_to_sunday():
    week = Week.parse("2026-W47")
    assert (week.year, week.number) == (2026, 47)
    assert week.start == datetime.date(2026, 11, 16)
    assert week.end == datetime.date(2026, 11, 22)
    assert week.start.isoweekday() == 1 and week.end.isoweekday() == 7


def test_the_label_carries_two_digits_of_week():
    assert Week(2026, 5).label == "2026-W05"
    assert Week.parse("2026-w5") == Week(2026, 5)
    assert Week.parse(" 2026W05 ") == Week(2026, 5)


def test_week_one_starts_in_the_year_before():
    assert Week(2026, 1).start == datetime.date(2025, 12, 29)
    assert Week.containing(datetime.date(2025, 12, 31)) == Week(2026, 1)


def test_previous_and_next_cross_the_year_and_the_53rd_week():
    # 28 December is always in the last week: a Sunday in 2025 (week 52), a Monday in 2026.
    assert Week(2026, 1).previous() == Week(2025, 52)
    assert Week(2026, 52).next() == Week(2026, 53)
    assert Week(2026, 53).next() == Week(2027, 1)
    assert Week.containing(datetime.date(2027, 1, 1)) == Week(2026, 53)


def test_a_week_a_year_does_not_have_is_refused_in_a_sentence():
    with pytest.raises(ValueError, match="2025 has weeks 1 to 52, so there is no week 53"):
        Week(2025, 53)


@pytest.mark.parametrize("text", ["", "W47", "2026-47", "47-2026", "2026-W470", "last week"])
def test_a_text_that_is_no_week_is_refused_naming_it(text):
    with pytest.raises(ValueError, match="is not a week: write the ISO year and week number"):
        Week.parse(text)


def test_the_last_complete_week_ends_before_the_data_s_last_day():
    # Data up to Monday 23 November: the week of 16-22 November is over.
    assert last_complete(datetime.datetime(2026, 11, 23, 0, 5)) == Week(2026, 47)
    # Data up to Sunday evening 22 November: that Sunday may still get events.
    assert last_complete(datetime.datetime(2026, 11, 22, 23, 59)) == Week(2026, 46)
    assert last_complete(datetime.date(2026, 11, 20)) == Week(2026, 46)


@pytest.mark.parametrize("text", ["0001-W01", "0999-W01", "9999-W52"])
def test_a_year_outside_four_digits_is_refused_in_a_sentence(text):
    # 0001 would be labelled "1-W01", which reads back as no week; 9999-W52's Sunday and the
    # week after it leave the calendar.
    with pytest.raises(ValueError, match="is no year the meeting shows: use 1000 to 9998"):
        Week.parse(text)
