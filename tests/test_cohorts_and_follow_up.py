"""Cohort conversion, Wilson intervals, weekly shares, the waiting list and response bands."""

from datetime import date

import pytest
from scipy.stats import binomtest

from tests.conftest import metric
from tests.test_missing_exports import open_page

YEAR = {"start_date": date(2026, 1, 1), "end_date": date(2026, 12, 31)}


def lead(lead_id, created_at, channel="Referral", **values):
    return {"lead_id": lead_id, "created_at": created_at, "channel": channel, **values}


def test_cohort_counts_only_stages_reached_within_the_window(funnel_db):
    con = funnel_db(
        [
            lead("L1", "2026-01-05 00:00:00", mql_at="2026-01-10 00:00:00"),  # 5 days: in
            lead("L2", "2026-01-05 00:00:00", mql_at="2026-02-20 00:00:00"),  # 46 days: out
            lead("L3", "2026-01-06 00:00:00"),
            lead("L4", "2026-01-07 00:00:00", mql_at="2026-02-06 00:00:00"),  # exactly 30: in
            # The latest event (1 Mar) makes leads created after 30 Jan immature at 30 days.
            lead("L5", "2026-02-20 00:00:00", mql_at="2026-03-01 00:00:00"),
        ]
    )
    rows = metric(con, "cohort_conversion_by_channel", within_days=30, min_leads=3, **YEAR)
    mql = rows[(rows["channel"] == "Referral") & (rows["stage"] == "mql")].iloc[0]
    assert mql["count_leads"] == 4  # L1..L4 are mature
    assert mql["count_immature_leads"] == 1  # L5
    assert mql["count_reached"] == 2  # L1 and L4
    assert mql["share_reached"] == pytest.approx(2 / 4)
    assert not mql["is_low_volume"]


def test_wilson_interval_matches_scipy(funnel_db):
    # 7 of 40 mature leads became MQL within the window.
    leads = [
        lead(f"L{i}", "2026-01-05 00:00:00", **({"mql_at": "2026-01-06 00:00:00"} if i < 7 else {}))
        for i in range(40)
    ]
    leads.append(lead("LATE", "2026-06-01 00:00:00"))  # moves the data's latest event
    con = funnel_db(leads)
    rows = metric(con, "cohort_conversion_by_channel", within_days=30, min_leads=50, **YEAR)
    mql = rows[(rows["channel"] == "Referral") & (rows["stage"] == "mql")].iloc[0]
    expected = binomtest(7, 40).proportion_ci(confidence_level=0.95, method="wilson")
    assert mql["share_low_95"] == pytest.approx(expected.low, abs=1e-9)
    assert mql["share_high_95"] == pytest.approx(expected.high, abs=1e-9)
    assert mql["is_low_volume"]  # 40 < 50


def test_cohorts_by_month_mark_recent_ones_immature(funnel_db):
    con = funnel_db(
        [
            lead("J1", "2026-01-10 00:00:00", sql_at="2026-01-20 00:00:00"),
            lead("J2", "2026-01-31 00:00:00"),
            lead("M1", "2026-03-15 00:00:00", sql_at="2026-03-20 00:00:00"),
        ]
    )
    rows = metric(con, "cohort_conversion_by_week", within_days=30, cohort_grain="month", **YEAR)
    sql = rows[rows["stage"] == "sql"]
    assert sql["cohort_start"].dt.date.tolist() == [date(2026, 1, 1), date(2026, 3, 1)]
    assert sql["count_leads"].tolist() == [2, 1]
    assert sql["share_reached"].tolist() == [0.5, 1.0]
    # January + 1 month + 30 days = 3 Mar <= latest event 20 Mar; March + 30 days is later.
    assert sql["is_mature"].tolist() == [True, False]


def test_sla_share_by_week_counts_never_contacted_as_missed(funnel_db):
    con = funnel_db(
        [
            # Week of Monday 5 Jan: one within 24 h, one after 30 h, one never contacted.
            lead("A", "2026-01-05 09:00:00", first_contacted_at="2026-01-05 10:00:00"),
            lead(
                "B",
                "2026-01-06 09:00:00",
                first_contacted_at="2026-01-07 15:00:00",
                channel="Email",
            ),
            lead("C", "2026-01-07 09:00:00"),
            # Week of Monday 12 Jan: one within.
            lead("D", "2026-01-12 09:00:00", first_contacted_at="2026-01-12 09:30:00"),
        ]
    )
    rows = metric(con, "sla_share_by_week", **YEAR)
    totals = rows[rows["is_total"]]
    assert totals["week_start"].dt.date.tolist() == [date(2026, 1, 5), date(2026, 1, 12)]
    assert totals["share_within_sla"].tolist() == pytest.approx([1 / 3, 1.0])
    email = rows[rows["channel"] == "Email"].iloc[0]
    assert (email["count_leads"], email["count_within_sla"]) == (1, 0)


def test_waiting_list_holds_uncontacted_leads_past_the_sla_oldest_first(funnel_db):
    con = funnel_db(
        [
            lead("OLD", "2026-01-01 00:00:00", owner="Ann"),
            lead("NEW", "2026-01-09 12:00:00", owner="Bo"),  # 12 h before the latest event
            lead("MID", "2026-01-05 00:00:00", owner="Bo"),
            lead("CALLED", "2026-01-02 00:00:00", first_contacted_at="2026-01-10 00:00:00"),
        ]
    )
    rows = metric(con, "leads_waiting_past_sla", **YEAR)
    # Latest event: CALLED's contact on 10 Jan 00:00. OLD waits 9 days, MID 5, NEW 12 h.
    assert rows["lead_id"].tolist() == ["OLD", "MID"]
    assert rows["days_waiting"].tolist() == pytest.approx([9.0, 5.0])
    assert rows["owner"].tolist() == ["Ann", "Bo"]


def test_response_bands_split_leads_by_time_to_first_contact(funnel_db):
    contacted = {  # lead id -> hours to first contact
        "H0": 0.5,
        "H2": 2,
        "H5": 5,
        "H30": 30,
        "H100": 100,
    }
    leads = [
        lead(
            lead_id,
            "2026-01-01 00:00:00",
            first_contacted_at=f"2026-01-{1 + int(hours) // 24:02d} "
            f"{int(hours) % 24:02d}:{int(hours * 60) % 60:02d}:00",
            **({"sql_at": "2026-01-10 00:00:00"} if hours < 4 else {}),
        )
        for lead_id, hours in contacted.items()
    ]
    leads.append(lead("NEVER", "2026-01-01 00:00:00"))
    # A time of day in the upload, so its midnights are read as moments (has_creation_time);
    # contacted before it came in, TIMED is in no band.
    leads.append(lead("TIMED", "2026-01-01 09:30:00", first_contacted_at="2026-01-01 09:00:00"))
    con = funnel_db(leads)
    rows = metric(con, "conversion_by_response_band", **YEAR).set_index("response_band")
    assert rows["count_leads"].to_dict() == {
        "under 1 h": 1,
        "1–4 h": 1,
        "4–24 h": 1,
        "1–3 days": 1,
        "later": 1,
        "never": 1,
    }
    assert rows["share_sql"].tolist() == [1.0, 1.0, 0.0, 0.0, 0.0, 0.0]


# No agreement saved: every lead a call within 24 calendar hours. The latest event is E2's
# creation, 5 March 09:00, the "now" of never-contacted leads.
DAY_ONLY_AND_WAITING = [
    # Contacted on its creation day, by the date alone: between 0 and 14 hours.
    lead("A", "2026-03-02 10:00:00", first_contacted_at="2026-03-02"),
    # Contacted the next day, by the date alone: between 13 and 37 hours.
    lead("B", "2026-03-02 11:00:00", first_contacted_at="2026-03-03"),
    lead("C", "2026-03-03 09:00:00", first_contacted_at="2026-03-03 10:00:00"),  # 1 hour
    lead("E1", "2026-03-04 08:00:00"),  # never contacted, waiting 25 hours by 5 March 09:00
    lead("E2", "2026-03-05 09:00:00"),  # never contacted, waiting 0 hours
]
MARCH = {"start_date": date(2026, 3, 1), "end_date": date(2026, 3, 31)}


@pytest.mark.parametrize(
    ("hours", "count_judged", "count_within"),
    [
        # A in (14 <= 24), B can be either (13-37), C in, E1 out (25 > 24), E2 not due.
        (24, 3, 2),
        # A can be either (0-14), B out (13 > 12), C in, E1 out, E2 not due.
        (12, 3, 1),
        # A, B (37 <= 40) and C in; E1 and E2 not due.
        (40, 3, 3),
    ],
)
def test_the_what_if_judges_each_lead_as_the_agreed_share_does(
    funnel_db, hours, count_judged, count_within
):
    con = funnel_db(DAY_ONLY_AND_WAITING)
    total = metric(con, "share_within_hours", response_hours=hours, **MARCH).iloc[-1]
    assert total["is_total"]
    assert (total["count_leads"], total["count_within"]) == (count_judged, count_within)
    assert total["share_within"] == pytest.approx(count_within / count_judged)
    if hours == 24:  # the agreed time of every lead: the agreed share, 2 of 3
        speed = metric(con, "follow_up_speed", **MARCH)
        agreed = speed[speed["grouped_by"] == "all"].iloc[0]
        assert agreed["share_within_sla"] == pytest.approx(2 / 3)


def test_a_contact_dated_by_its_day_alone_is_in_a_band_only_when_its_day_fits_one(funnel_db):
    # A (0-14 hours) and B (13-37) each span two bands: in none. C took 1 hour; E1 and E2
    # were never contacted.
    con = funnel_db(DAY_ONLY_AND_WAITING)
    rows = metric(con, "conversion_by_response_band", **MARCH).set_index("response_band")
    assert rows["count_leads"].to_dict() == {"1–4 h": 1, "never": 2}


def test_contacts_dated_by_their_day_alone_are_left_out_of_the_times_and_said(
    funnel_db, tmp_path, monkeypatch
):
    # A and B were contacted on a day without the hour: no hours for the median. C's hour is
    # known (1 hour); E1 and E2 were never contacted.
    funnel_db(DAY_ONLY_AND_WAITING).close()
    monkeypatch.setenv("REVCYCLE_DB", str(tmp_path / "test.duckdb"))  # funnel_db's file
    at = open_page("pages/follow_up.py")
    assert {metric.label: metric.value for metric in at.metric}["Median follow-up"] == "1.0 h"
    assert (
        "2 of 5 leads have a first contact or a creation that the export dates by the day "
        "alone, without the hour, so the follow-up times (the median and the box plots) leave "
        "them out; the share within the agreed time counts them when even the longest they can "
        "have waited is within the agreed time, as missed when even the shortest is past it, "
        "and not otherwise."
    ) in [caption.value for caption in at.caption]


def test_weekly_trend_adds_up_to_the_period_totals(sample_db):
    params = {"start_date": date(2026, 6, 1), "end_date": date(2026, 8, 31)}
    weekly = metric(sample_db, "weekly_leads_and_revenue_by_channel", **params)
    conversion = metric(sample_db, "conversion_by_channel", **params)
    revenue = metric(sample_db, "revenue_by_channel", **params)
    total_leads = conversion[conversion["is_total"] & (conversion["stage"] == "lead")]
    assert weekly["count_leads"].sum() == total_leads["count_events"].item()
    assert round(weekly["won_revenue"].sum(), 2) == round(
        revenue[revenue["is_total"]]["won_revenue"].item(), 2
    )


def test_an_empty_waiting_list_never_says_every_lead_was_contacted_in_time(
    funnel_db, tmp_path, monkeypatch
):
    # March 2026: LATE was called 48 hours after it came in, past the default 24 calendar
    # hours; ON_TIME within 2. Nobody waits, but one of two was late: 50% within the agreed
    # time, and the page said "Every lead in this view was contacted within the agreed time."
    con = funnel_db(
        [
            lead("LATE", "2026-03-02 09:00:00", first_contacted_at="2026-03-04 09:00:00"),
            lead("ON_TIME", "2026-03-03 09:00:00", first_contacted_at="2026-03-03 11:00:00"),
        ]
    )
    con.close()
    monkeypatch.setenv("REVCYCLE_DB", str(tmp_path / "test.duckdb"))  # funnel_db's file
    at = open_page("pages/follow_up.py")
    said = [box.value for box in at.success]
    assert "Every lead in this view was contacted within the agreed time." not in said
    assert said == [
        "No lead in this view is waiting for a first contact past its agreed time. Leads "
        "contacted late count as missed in the share above."
    ]
    assert {metric.label: metric.value for metric in at.metric}["Within agreed time"] == "50.0%"
