"""Working time: hours to first contact measured on the agreement's calendar, each lead judged
by the agreement in force when it was created (issue 11). Every expected value is worked out by
hand from the rows in the test; the calendar is Monday-Friday 09:00-17:00, Europe/Amsterdam,
unless a test says otherwise. 2 March 2026 is a Monday."""

from datetime import date, time

import duckdb
import pandas as pd
import pytest

from revcycle.agreements.model import ClosingDay, FollowUp, WorkingHours, default_agreement
from revcycle.db import MACROS, define, execute
from tests.conftest import metric
from tests.support.working_time import agreement


def lead(lead_id, created_at, first_contacted_at="", channel="Referral"):
    return {
        "lead_id": lead_id,
        "created_at": created_at,
        "first_contacted_at": first_contacted_at,
        "channel": channel,
    }


def working(hours, channel=None, kind="call"):
    return FollowUp(channel, kind, hours, "working")


def calendar(hours, channel=None, kind="call"):
    return FollowUp(channel, kind, hours, "calendar")


def judged(con) -> dict[str, dict]:
    rows = con.execute(
        "select lead_id, agreement_version, follow_up_kind, agreed_response_hours, "
        "response_basis, hours_to_first_contact, is_within_agreed_time "
        "from funnel_revenue where has_lead"
    ).df()
    return {row["lead_id"]: row for row in rows.to_dict("records")}


def hours_of(con) -> dict[str, float]:
    return {lead_id: row["hours_to_first_contact"] for lead_id, row in judged(con).items()}


def test_friday_afternoon_to_monday_morning_is_one_working_hour(funnel_db):
    # Fri 6 Mar 16:30-17:00 (0.5) + Mon 9 Mar 09:00-09:30 (0.5).
    con = funnel_db(
        [lead("F", "2026-03-06 16:30:00", "2026-03-09 09:30:00")],
        agreements=[agreement(working(8))],
    )
    assert hours_of(con)["F"] == pytest.approx(1.0)


def test_a_lead_arriving_on_saturday_starts_counting_on_monday(funnel_db):
    # Sat 7 Mar 11:00: no working time until Mon 9 Mar 09:00; then 15 minutes.
    con = funnel_db(
        [lead("S", "2026-03-07 11:00:00", "2026-03-09 09:15:00")],
        agreements=[agreement(working(8))],
    )
    assert hours_of(con)["S"] == pytest.approx(0.25)


def test_kings_day_is_not_working_time_in_the_netherlands(funnel_db):
    # Fri 24 Apr 16:00-17:00 (1) + Mon 27 Apr, King's Day (0) + Tue 28 Apr 09:00-10:00 (1).
    con = funnel_db(
        [lead("K", "2026-04-24 16:00:00", "2026-04-28 10:00:00")],
        agreements=[agreement(working(8), country="NL")],
    )
    assert hours_of(con)["K"] == pytest.approx(2.0)
    days_off = con.execute("select reason from agreement_days_off where day = '2026-04-27'")
    assert days_off.fetchall() == [("King's Day",)]


def test_without_a_country_kings_day_is_a_working_day(funnel_db):
    # 1 (Fri) + 8 (Mon 27 Apr) + 1 (Tue).
    con = funnel_db(
        [lead("K", "2026-04-24 16:00:00", "2026-04-28 10:00:00")],
        agreements=[agreement(working(8))],
    )
    assert hours_of(con)["K"] == pytest.approx(10.0)


def test_a_company_closing_day_is_not_working_time(funnel_db):
    # Tue 10 Mar 16:00-17:00 (1) + Wed 11 Mar closed (0) + Thu 12 Mar 09:00-09:30 (0.5).
    closing = (ClosingDay(date(2026, 3, 11), "Team day"),)
    con = funnel_db(
        [lead("C", "2026-03-10 16:00:00", "2026-03-12 09:30:00")],
        agreements=[agreement(working(8), closing_days=closing)],
    )
    assert hours_of(con)["C"] == pytest.approx(1.5)


SUNDAYS_ONLY = (WorkingHours(7, time(0), None),)  # Sunday 00:00-24:00
# A lead created at midnight is read as created at that moment only in an upload that gives
# times of day (stg_lead_uploads.has_creation_time): TIMED, created at 09:30 and contacted
# before it came in (not judged), gives this upload one.
TIMED = lead("TIMED", "2026-03-02 09:30:00", "2026-03-02 09:00:00")


@pytest.mark.parametrize(
    ("created_at", "contacted_at", "expected"),
    [
        # Sunday 29 Mar 2026: clocks go 02:00 -> 03:00, the working day is 23 real hours.
        ("2026-03-28 12:00:00", "2026-03-30 09:00:00", 23.0),
        # Sunday 25 Oct 2026: clocks go 03:00 -> 02:00, the working day is 25 real hours.
        ("2026-10-24 12:00:00", "2026-10-26 09:00:00", 25.0),
        # 00:00 -> 04:00 local on 29 Mar is 3 real hours; on 25 Oct, 5.
        ("2026-03-29 00:00:00", "2026-03-29 04:00:00", 3.0),
        ("2026-10-25 00:00:00", "2026-10-25 04:00:00", 5.0),
    ],
)
def test_the_nights_the_clocks_change_in_working_hours(
    funnel_db, created_at, contacted_at, expected
):
    con = funnel_db(
        [lead("D", created_at, contacted_at), TIMED],
        agreements=[agreement(working(48), working_hours=SUNDAYS_ONLY)],
    )
    assert hours_of(con)["D"] == pytest.approx(expected)


@pytest.mark.parametrize(
    ("created_at", "contacted_at", "expected"),
    [
        ("2026-03-29 00:00:00", "2026-03-29 04:00:00", 3.0),
        ("2026-10-25 00:00:00", "2026-10-25 04:00:00", 5.0),
        # A whole day across each night: 23 and 25 real hours.
        ("2026-03-28 12:00:00", "2026-03-29 12:00:00", 23.0),
        ("2026-10-24 12:00:00", "2026-10-25 12:00:00", 25.0),
    ],
)
def test_the_nights_the_clocks_change_in_calendar_hours(
    funnel_db, created_at, contacted_at, expected
):
    con = funnel_db(
        [lead("D", created_at, contacted_at), TIMED], agreements=[agreement(calendar(48))]
    )
    assert hours_of(con)["D"] == pytest.approx(expected)


def test_an_upload_of_creation_dates_alone_judges_each_lead_by_its_whole_day(funnel_db):
    # No time of day in the upload's creations: each lead came in at some moment of its day.
    # No agreement saved: a call within 24 calendar hours. The latest event is Wed 4 Mar
    # 09:00 (LATE's contact).
    con = funnel_db(
        [
            # From Mon 2 Mar 24:00 (10 h) to 00:00 (34 h): in time or late, not judged.
            lead("EITHER", "2026-03-02", "2026-03-03 10:00:00"),
            # At most 11 hours (had it come in at 00:00): in time.
            lead("SOON", "2026-03-02", "2026-03-02 11:00:00"),
            # At least 33 hours (had it come in at 24:00): late.
            lead("LATE", "2026-03-02", "2026-03-04 09:00:00"),
            # Never contacted, waiting at least 9 hours (from Tue 3 Mar 24:00): not due yet.
            lead("FRESH", "2026-03-03"),
            # Never contacted, waiting at least 57 hours (from Sun 1 Mar 24:00): late.
            lead("WAITED", "2026-03-01"),
        ]
    )
    rows = judged(con)
    assert {lead_id: row["is_within_agreed_time"] for lead_id, row in rows.items()} == {
        "EITHER": None,
        "SOON": True,
        "LATE": False,
        "FRESH": None,
        "WAITED": False,
    }
    # The hour is unknown, so no time is measured; the bounds are the day's.
    assert all(pd.isna(row["hours_to_first_contact"]) for row in rows.values())
    bounds = con.execute(
        "select lead_id, earliest_hours_to_first_contact, latest_hours_to_first_contact "
        "from funnel_revenue where has_lead order by lead_id"
    ).fetchall()
    assert bounds == [
        ("EITHER", 10.0, 34.0),
        ("FRESH", 9.0, None),
        ("LATE", 33.0, 57.0),
        ("SOON", 0.0, 11.0),
        ("WAITED", 57.0, None),
    ]


def test_a_contact_before_creation_is_excluded_and_counted(funnel_db):
    con = funnel_db(
        [
            lead("B", "2026-03-03 10:00:00", "2026-03-03 09:00:00"),
            lead("G", "2026-03-03 10:00:00", "2026-03-03 11:00:00"),
        ],
        agreements=[agreement(working(4))],
    )
    rows = judged(con)
    assert pd.isna(rows["B"]["hours_to_first_contact"])
    assert rows["B"]["is_within_agreed_time"] is None
    speed = metric(con, "follow_up_speed", start_date=date(2026, 3, 1), end_date=date(2026, 3, 31))
    everyone = speed[speed["grouped_by"] == "all"].iloc[0]
    assert everyone["count_contacted_before_created"] == 1
    assert everyone["count_contacted"] == 1  # G only
    # G within 4 working hours (1 h), B out of the denominator: 1 of 1.
    assert everyone["share_within_sla"] == pytest.approx(1.0)


def test_a_timestamp_with_an_offset_is_converted_to_local_time(funnel_db):
    # 15:00 UTC on 2 Mar is 16:00 in Amsterdam (CET, +01:00): Mon 16:00-17:00 (1) + Tue 09:00-
    # 09:30 (0.5). Read as 15:00 local it would be 2.5.
    con = funnel_db(
        [lead("O", "2026-03-02T15:00:00+00:00", "2026-03-03 09:30:00")],
        agreements=[agreement(working(8))],
    )
    assert hours_of(con)["O"] == pytest.approx(1.5)


def test_each_lead_is_judged_by_the_agreement_in_force_when_it_was_created(funnel_db):
    # Both contacted 6 working hours after creation (09:00 -> 15:00). v1 (from 1 Jan) allows
    # 8 working hours for Paid search; v2, from Tue 10 Mar, allows 4.
    con = funnel_db(
        [
            lead("OLD", "2026-03-09 09:00:00", "2026-03-09 15:00:00", "Paid Search"),
            lead("NEW", "2026-03-11 09:00:00", "2026-03-11 15:00:00", "Paid Search"),
            lead("EARLY", "2025-12-01 09:00:00", "2025-12-01 15:00:00", "Paid Search"),
        ],
        agreements=[
            agreement(working(8, "Paid search"), calendar(24)),
            agreement(working(4, "Paid search"), calendar(24), effective_from=date(2026, 3, 10)),
        ],
    )
    rows = judged(con)
    assert (rows["OLD"]["agreement_version"], rows["OLD"]["agreed_response_hours"]) == (1, 8)
    assert rows["OLD"]["is_within_agreed_time"] is True
    assert (rows["NEW"]["agreement_version"], rows["NEW"]["agreed_response_hours"]) == (2, 4)
    assert rows["NEW"]["is_within_agreed_time"] is False
    # Created before the first agreement's date: measured against the first.
    assert rows["EARLY"]["agreement_version"] == 1


def test_of_two_versions_on_one_date_the_later_saved_judges(funnel_db):
    # v1 from 1 Jan allows 8 working hours for Paid search; v2 and v3 both take effect on
    # Tue 10 Mar, v2 with 4 hours, v3 (saved after it, fixing it) with 5. NEW waited 6
    # working hours (09:00 -> 15:00 on 11 Mar): judged by v3, late; EARLY (before any
    # version's date) by the version in force on the first one's date, v1.
    con = funnel_db(
        [
            lead("NEW", "2026-03-11 09:00:00", "2026-03-11 15:00:00", "Paid Search"),
            lead("EARLY", "2025-12-01 09:00:00", "2025-12-01 15:00:00", "Paid Search"),
        ],
        agreements=[
            agreement(working(8, "Paid search"), calendar(24)),
            *(
                agreement(
                    working(hours, "Paid search"), calendar(24), effective_from=date(2026, 3, 10)
                )
                for hours in (4, 5)
            ),
        ],
    )
    rows = judged(con)
    assert (rows["NEW"]["agreement_version"], rows["NEW"]["agreed_response_hours"]) == (3, 5)
    assert rows["NEW"]["is_within_agreed_time"] is False
    assert rows["EARLY"]["agreement_version"] == 1


def test_a_channel_without_a_rule_follows_the_default(funnel_db):
    con = funnel_db(
        [lead("R", "2026-03-02 09:00:00", "2026-03-02 11:00:00", "Referral")],
        agreements=[agreement(working(1, "Paid search"), calendar(24))],
    )
    row = judged(con)["R"]
    assert (row["response_basis"], row["agreed_response_hours"]) == ("calendar", 24)
    assert row["hours_to_first_contact"] == pytest.approx(2.0)
    assert row["is_within_agreed_time"] is True


def test_a_nurtured_lead_has_no_agreed_time_and_is_never_a_breach(funnel_db):
    nurture = FollowUp("Content marketing", "nurture", None, "working")
    con = funnel_db(
        [
            lead("W", "2026-03-02 09:00:00", "", "Content Marketing"),
            lead("P", "2026-03-02 09:00:00", "2026-03-02 10:00:00", "Paid Search"),
            lead("LAST", "2026-03-20 09:00:00", "2026-03-20 09:30:00", "Paid Search"),
        ],
        agreements=[agreement(nurture, working(4))],
    )
    row = judged(con)["W"]
    assert row["follow_up_kind"] == "nurture"
    assert pd.isna(row["agreed_response_hours"])
    assert row["is_within_agreed_time"] is None
    speed = metric(con, "follow_up_speed", start_date=date(2026, 3, 1), end_date=date(2026, 3, 31))
    everyone = speed[speed["grouped_by"] == "all"].iloc[0]
    assert everyone["count_nurture"] == 1
    # P (1 h) and LAST (0.5 h) within 4 working hours; W not in the denominator: 2 of 2.
    assert everyone["share_within_sla"] == pytest.approx(1.0)
    waiting = metric(
        con, "leads_waiting_past_sla", start_date=date(2026, 3, 1), end_date=date(2026, 3, 31)
    )
    assert waiting.empty


def test_a_lead_waits_past_its_agreed_time_in_its_own_basis(funnel_db):
    # The data ends Tue 3 Mar 10:00 (the latest event). Working 4 h: LATE, created Mon 09:00,
    # was due Mon 13:00; FRESH, created Mon 16:00, is due Tue 12:00, not yet. Calendar 24 h
    # (Referral): CLOCK, created Mon 09:00, was due Tue 09:00.
    con = funnel_db(
        [
            lead("LATE", "2026-03-02 09:00:00", "", "Paid Search"),
            lead("FRESH", "2026-03-02 16:00:00", "", "Paid Search"),
            lead("CLOCK", "2026-03-02 09:00:00", "", "Referral"),
            lead("DONE", "2026-03-02 09:00:00", "2026-03-03 10:00:00", "Paid Search"),
        ],
        agreements=[agreement(working(4, "Paid search"), calendar(24))],
    )
    rows = judged(con)
    assert rows["LATE"]["is_within_agreed_time"] is False
    assert rows["FRESH"]["is_within_agreed_time"] is None
    assert rows["CLOCK"]["is_within_agreed_time"] is False
    # DONE: Mon 09:00-17:00 (8) + Tue 09:00-10:00 (1) = 9 working hours > 4.
    assert rows["DONE"]["hours_to_first_contact"] == pytest.approx(9.0)
    waiting = metric(
        con, "leads_waiting_past_sla", start_date=date(2026, 3, 1), end_date=date(2026, 3, 31)
    )
    assert sorted(waiting["lead_id"]) == ["CLOCK", "LATE"]


@pytest.mark.parametrize(
    ("last_event", "expected", "judged_and_within"),
    [
        # Saturday noon: the clock has stood still since Fri 17:00, when the 8 hours ran out.
        ("2026-03-07 12:00:00", False, (1, 0)),
        # Fri 17:00, the last working minute: the 8 hours run out now, not before.
        ("2026-03-06 17:00:00", None, (0, 0)),
    ],
)
def test_a_wait_that_reached_its_time_is_a_miss_once_the_clock_stands_still(
    funnel_db, last_event, expected, judged_and_within
):
    # WAIT came in Thu 5 Mar 20:00, after hours, and is never contacted: its 8 working hours
    # are Fri 6 Mar 09:00-17:00. LAST (calendar 24 h) only sets the data's latest event.
    con = funnel_db(
        [
            lead("WAIT", "2026-03-05 20:00:00", "", "Paid Search"),
            lead("LAST", last_event, "", "Referral"),
        ],
        agreements=[agreement(working(8, "Paid search"), calendar(24))],
    )
    assert judged(con)["WAIT"]["is_within_agreed_time"] is expected
    # The what-if at the agreed 8 hours judges WAIT as the agreed share does; LAST, waiting 0
    # hours, is not due under it either.
    whatif = metric(
        con,
        "share_within_hours",
        start_date=date(2026, 3, 1),
        end_date=date(2026, 3, 31),
        response_hours=8.0,
    ).iloc[-1]
    assert (whatif["count_leads"], whatif["count_within"]) == judged_and_within


def test_a_lunch_break_is_not_working_time(funnel_db):
    # Mon 09:00-12:30 and 13:00-17:00: created 12:00, contacted 13:30 -> 0.5 + 0.5 = 1.0.
    lunch = tuple(
        span
        for day in range(1, 6)
        for span in (
            WorkingHours(day, time(9), time(12, 30)),
            WorkingHours(day, time(13), time(17)),
        )
    )
    con = funnel_db(
        [lead("L", "2026-03-02 12:00:00", "2026-03-02 13:30:00")],
        agreements=[agreement(working(8), working_hours=lunch)],
    )
    assert hours_of(con)["L"] == pytest.approx(1.0)


def test_with_no_agreement_every_lead_has_24_calendar_hours(funnel_db):
    con = funnel_db([lead("A", "2026-03-02 09:00:00", "2026-03-03 09:00:00")])
    row = judged(con)["A"]
    assert row["agreement_version"] == 0
    assert (row["follow_up_kind"], row["response_basis"]) == ("call", "calendar")
    assert row["agreed_response_hours"] == 24
    assert row["hours_to_first_contact"] == pytest.approx(24.0)
    assert row["is_within_agreed_time"] is True
    assert con.execute("select count(*) from agreement_days_off").fetchone()[0] == 0


def test_staging_version_zero_is_the_models_default_agreement(funnel_db):
    con = funnel_db([lead("A", "2026-03-02 09:00:00")])
    default = default_agreement("Europe/Amsterdam")
    ((rule),) = default.follow_up
    assert execute(con, "staging/stg_agreement_follow_up").to_dict("records") == [
        {
            "version": 0,
            "channel": None,
            "follow_up_kind": rule.kind,
            "response_hours": rule.response_hours,
            "basis": rule.basis,
        }
    ]
    hours = execute(con, "staging/stg_agreement_working_hours")
    assert [(row.iso_weekday, row.starts, row.ends) for row in hours.itertuples()] == [
        (span.weekday, span.starts, span.ends) for span in default.working_hours
    ]
    (version,) = execute(con, "staging/stg_agreement_versions").itertuples()
    assert version.answer_within_working_days == default.answer_within_working_days


def test_a_deadline_falls_in_the_span_where_the_working_time_runs_out(funnel_db):
    # Created Fri 6 Mar 15:00, 4 working hours: Fri 15:00-17:00 (2), Mon 09:00-11:00 (2) ->
    # due Mon 9 Mar 11:00. The data ends Mon 11:30 (CONTACTED's contact): past due.
    con = funnel_db(
        [
            lead("DUE", "2026-03-06 15:00:00", "", "Paid Search"),
            lead("CONTACTED", "2026-03-06 15:00:00", "2026-03-09 11:30:00", "Paid Search"),
        ],
        agreements=[agreement(working(4, "Paid search"), calendar(24))],
    )
    rows = judged(con)
    assert rows["DUE"]["is_within_agreed_time"] is False
    assert rows["CONTACTED"]["hours_to_first_contact"] == pytest.approx(4.5)
    assert rows["CONTACTED"]["is_within_agreed_time"] is False


def test_the_last_working_minute_is_still_in_time(funnel_db):
    # Created Fri 6 Mar 15:00, 2 working hours: due Fri 17:00; the data ends then.
    con = funnel_db(
        [
            lead("EDGE", "2026-03-06 15:00:00", "", "Paid Search"),
            lead("END", "2026-03-06 16:00:00", "2026-03-06 17:00:00", "Paid Search"),
        ],
        agreements=[agreement(working(2, "Paid search"), calendar(24))],
    )
    rows = judged(con)
    assert rows["EDGE"]["is_within_agreed_time"] is None  # due at 17:00, not past it
    assert rows["END"]["is_within_agreed_time"] is True


def test_working_hours_are_local_to_the_agreements_time_zone(funnel_db):
    # The data is in Amsterdam time; the agreement works 09:00-17:00 in London, an hour
    # behind. Created 09:30 Amsterdam (08:30 London, before opening), contacted 10:30
    # Amsterdam (09:30 London): half a working hour. In Amsterdam's hours it would be 1.0.
    con = funnel_db(
        [lead("Z", "2026-03-02 09:30:00", "2026-03-02 10:30:00")],
        agreements=[agreement(working(8), time_zone="Europe/London")],
    )
    assert hours_of(con)["Z"] == pytest.approx(0.5)


# Europe/Amsterdam moves its clocks on 29 Mar and 25 Oct 2026, America/New_York on 8 Mar and
# 1 Nov, Australia/Lord_Howe by half an hour on 5 Apr and 4 Oct; Asia/Kathmandu (+05:45) never.
@pytest.mark.parametrize(
    ("time_zone", "days_the_clocks_move"),
    [
        ("Europe/Amsterdam", ["2026-03-29", "2026-10-25"]),
        ("America/New_York", ["2026-03-08", "2026-11-01"]),
        ("Australia/Lord_Howe", ["2026-04-05", "2026-10-04"]),
        ("Asia/Kathmandu", []),
    ],
)
def test_a_wall_time_s_instant_is_the_time_zone_library_s_every_minute_of_a_year(
    time_zone, days_the_clocks_move
):
    # funnel_revenue turns each lead's wall times into instants with wall_second and its day's
    # offsets (data_zone_days): a subtraction on days the clocks stay put, the library's answer
    # on the days they move. Every minute of 2026, and the last microsecond of each day,
    # must give what epoch(timezone(...)) gives.
    con = duckdb.connect()
    define(con, MACROS)
    params = {"zone": time_zone}
    days = con.execute(
        "create table days as select cast(range as date) as local_date, "
        "utc_offset_us($zone, range) as at_start, "
        "utc_offset_us($zone, range + interval 1 day - interval 1 microsecond) as at_end "
        "from range(timestamp '2026-01-01', timestamp '2027-01-01', interval 1 day)",
        params,
    )
    moved = [
        str(day)
        for (day,) in days.execute(
            "select local_date from days where at_start <> at_end order by local_date"
        ).fetchall()
    ]
    assert moved == days_the_clocks_move
    [(count_walls, count_differing)] = con.execute(
        "with walls as ("
        "select range as wall from range(timestamp '2026-01-01', timestamp '2027-01-01', "
        "interval 1 minute) "
        "union all select local_date + interval 1 day - interval 1 microsecond from days) "
        "select count(*), count(*) filter (where wall_second(wall, $zone, at_start, at_end) "
        "is distinct from epoch(timezone($zone, wall))) "
        "from walls join days on cast(walls.wall as date) = days.local_date",
        params,
    ).fetchall()
    assert count_walls == 365 * 24 * 60 + 365
    assert count_differing == 0
