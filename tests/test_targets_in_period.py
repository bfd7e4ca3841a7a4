"""Monthly targets prorated to the period by working days, worked out by hand on a calendar.

March 2026 starts on a Sunday: its weekdays are 2-6, 9-13, 16-20, 23-27 and 30-31, 22 days.
The agreement closes 30 and 31 March, so March has 20 working days under it.
"""

from datetime import date

import pytest

from revcycle.agreements import store
from revcycle.db import connect, create_view, define, execute

STAGING = (
    "stg_agreement_versions",
    "stg_agreement_working_hours",
    "stg_agreement_days_off",
    "stg_agreement_targets",
)


@pytest.fixture
def agreements(tmp_path):
    con = connect(tmp_path / "targets.duckdb")
    store.ensure_tables(con)
    # Written at rebuild by revcycle.agreements.calendar; here by hand, as the cases need.
    con.execute("create table agreement_days_off (version integer, day date, reason varchar)")
    con.execute("create table data_time_zone as select 'Europe/Amsterdam' as time_zone")
    for name in STAGING:
        create_view(con, f"staging/{name}")
    define(con, "marts/agreed_working_days")

    def version(number, effective_from, days_off=(), weekdays=range(1, 6)):
        con.execute(
            "insert into agreement_versions (version, effective_from) values (?, ?)",
            [number, effective_from],
        )
        for weekday in weekdays:
            con.execute(
                "insert into agreement_working_hours values (?, ?, '09:00', '17:00')",
                [number, weekday],
            )
        for day in days_off:
            con.execute("insert into agreement_days_off values (?, ?, 'closed')", [number, day])

    def target(number, month, metric, value, channel=None):
        con.execute(
            "insert into agreement_targets values (?, ?, ?, ?, ?)",
            [number, month, channel, metric, value],
        )

    yield con, version, target
    con.close()


MARCH_CLOSED = (date(2026, 3, 30), date(2026, 3, 31))


def view_target(con, start, end, channels=None, metric="leads"):
    frame = execute(
        con, "metrics/targets_in_period", start_date=start, end_date=end, channels=channels
    )
    rows = frame[frame["is_view"] & (frame["metric"] == metric)]
    return None if rows.empty else rows["target_in_period"].iloc[0]


def test_a_week_of_five_working_days_takes_a_quarter_of_twenty(agreements):
    con, version, target = agreements
    version(1, date(2026, 1, 1), MARCH_CLOSED)
    target(1, date(2026, 3, 1), "leads", 200)
    # Monday 9 to Sunday 15 March: 5 working days of 20, so 200 * 5 / 20 = 50.
    assert view_target(con, date(2026, 3, 9), date(2026, 3, 15)) == pytest.approx(50)


def test_a_closing_day_in_the_period_shortens_both_the_month_and_the_period(agreements):
    con, version, target = agreements
    version(1, date(2026, 1, 1), (*MARCH_CLOSED, date(2026, 3, 11)))
    target(1, date(2026, 3, 1), "leads", 200)
    # Wednesday 11 March closed: the month has 19 working days, the week 4: 200 * 4 / 19.
    assert view_target(con, date(2026, 3, 9), date(2026, 3, 15)) == pytest.approx(800 / 19)


def test_the_whole_month_is_the_whole_target(agreements):
    con, version, target = agreements
    version(1, date(2026, 1, 1), MARCH_CLOSED)
    target(1, date(2026, 3, 1), "won_revenue", 50_000)
    assert view_target(
        con, date(2026, 3, 1), date(2026, 3, 31), metric="won_revenue"
    ) == pytest.approx(50_000)


def test_each_day_counts_under_the_version_in_force_that_day(agreements):
    con, version, target = agreements
    version(1, date(2026, 1, 1), MARCH_CLOSED)
    target(1, date(2026, 3, 1), "leads", 200)
    # Version 2 from Monday 16 March: 300 leads, and Mondays off, so March has 22 weekdays
    # minus 5 Mondays (2, 9, 16, 23, 30) minus Tuesday 31 (closed) = 16 working days.
    version(2, date(2026, 3, 16), (date(2026, 3, 31),), weekdays=range(2, 6))
    target(2, date(2026, 3, 1), "leads", 300)
    # 9-13 March under version 1: 5 days of 20 -> 50. 16-20 March under version 2: Tue-Fri,
    # 4 days of 16 -> 300 * 4 / 16 = 75. Together 125.
    assert view_target(con, date(2026, 3, 9), date(2026, 3, 20)) == pytest.approx(125)


def test_before_the_first_version_the_first_applies(agreements):
    con, version, target = agreements
    version(1, date(2026, 3, 16), MARCH_CLOSED)
    target(1, date(2026, 3, 1), "leads", 200)
    assert view_target(con, date(2026, 3, 9), date(2026, 3, 15)) == pytest.approx(50)


def test_a_period_partly_in_a_month_without_target_has_none(agreements):
    con, version, target = agreements
    version(1, date(2026, 1, 1), MARCH_CLOSED)
    target(1, date(2026, 3, 1), "leads", 200)
    # Friday 27 March to Friday 3 April: April has no target, so the period has none.
    assert pd_missing(view_target(con, date(2026, 3, 27), date(2026, 4, 3)))


def test_no_agreement_means_no_target(agreements):
    con, _, _ = agreements
    assert view_target(con, date(2026, 3, 9), date(2026, 3, 15)) is None


def test_chosen_channels_add_up_and_a_channel_without_target_leaves_none(agreements):
    con, version, target = agreements
    version(1, date(2026, 1, 1), MARCH_CLOSED)
    target(1, date(2026, 3, 1), "leads", 200)
    target(1, date(2026, 3, 1), "leads", 80, "Paid search")
    target(1, date(2026, 3, 1), "leads", 40, "Events")
    week = (date(2026, 3, 9), date(2026, 3, 15))
    # A quarter of the month each: 20 + 10.
    assert view_target(con, *week, ["Paid search", "Events"]) == pytest.approx(30)
    assert view_target(con, *week, ["Paid search"]) == pytest.approx(20)
    assert pd_missing(view_target(con, *week, ["Paid search", "Referral"]))


def test_a_share_target_is_the_average_of_its_days_not_a_sum(agreements):
    con, version, target = agreements
    version(1, date(2026, 1, 1), MARCH_CLOSED)
    target(1, date(2026, 3, 1), "share_contacted_in_time", 0.9)
    target(1, date(2026, 4, 1), "share_contacted_in_time", 0.8)
    # Monday 30 and Tuesday 31 March are closed; Wednesday 1 to Friday 3 April work: 3 days
    # at 0.8, none at 0.9.
    assert view_target(
        con, date(2026, 3, 30), date(2026, 4, 3), metric="share_contacted_in_time"
    ) == pytest.approx(0.8)
    # 26-27 March (2 days at 0.9) and 1-3 April (3 at 0.8): (1.8 + 2.4) / 5 = 0.84.
    assert view_target(
        con, date(2026, 3, 26), date(2026, 4, 3), metric="share_contacted_in_time"
    ) == pytest.approx(0.84)


def pd_missing(value) -> bool:
    return value is None or value != value  # NaN is the one value unequal to itself
