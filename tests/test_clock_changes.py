"""Durations across the nights the clocks change are real elapsed time, not wall-clock time.

Loaded times are wall-clock times in REVCYCLE_TIMEZONE, pinned here to Europe/Amsterdam. In
2026 its clocks go forward on Sunday 29 March (02:00 -> 03:00, UTC+1 -> UTC+2: that day has 23
hours) and back on Sunday 25 October (03:00 -> 02:00, UTC+2 -> UTC+1: 25 hours). Every expected
value is worked out by hand below from the rows of its test.
"""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pandas as pd
import pytest

from revcycle import settings
from revcycle.attribution import report
from revcycle.db import execute
from revcycle.ui.format import ago
from revcycle.ui.page import loaded_instant
from tests.conftest import connect_built, metric, write_export
from tests.test_attribution_journeys_touches import won

HOUR_IN_DAYS = 1 / 24
AUTUMN = (date(2026, 10, 1), date(2026, 11, 30))


@pytest.fixture(autouse=True)
def amsterdam(monkeypatch):
    monkeypatch.setenv(settings.TIMEZONE_VARIABLE, "Europe/Amsterdam")


def test_time_decay_weighs_each_touch_by_the_real_time_before_the_win(tmp_path, built_databases):
    # L1's two touches: Email on Tue 20 Oct 12:00 (summer time, 10:00 UTC) and Paid Search on
    # Mon 26 Oct 12:00 (winter time, 11:00 UTC); D1 won 1,000.00 on Wed 28 Oct 12:00 (11:00
    # UTC): the email came 8 days 1 hour before the win, the paid search 2 days, as the night
    # of 25 Oct had 25 hours. Once normalised only the gap of 6 days 1 hour counts; with the
    # 7-day half-life, against the newest touch's weight 1:
    #   Email  2^-((6 + 1/24) / 7) = 2^-0.863095 = 0.549772
    #   shares: Paid search 1 / 1.549772 = 0.6452563, Email 0.549772 / 1.549772 = 0.3547437
    #   of 100,000 cents: 64,525.63 and 35,474.37; floors 99,999, the spare cent to the larger
    #   fraction (.63): Paid search 64,526, Email 35,474.
    # Read as wall-clock time (6 days): 2^-(6/7) = 0.552045, 64,431.13 and 35,568.87 -> 644.31
    # and 355.69.
    exports = {
        "leads": write_export(
            tmp_path / "leads.csv",
            "leads",
            [{"lead_id": "L1", "created_at": "2026-10-19 09:00:00", "channel": "Referral"}],
        ),
        "deals": write_export(
            tmp_path / "deals.csv",
            "deals",
            [won("D1", "L1", "2026-10-22 09:00:00", "2026-10-28 12:00:00", "1000.00")],
        ),
        "touches": write_export(
            tmp_path / "touches.csv",
            "touches",
            [
                {"lead_id": "L1", "touched_at": "2026-10-20 12:00:00", "source": "Email"},
                {"lead_id": "L1", "touched_at": "2026-10-26 12:00:00", "source": "Paid Search"},
            ],
        ),
    }
    con = connect_built(exports, tmp_path / "test.duckdb", built_databases)
    try:
        rows = report.attribution(
            lambda name, **params: execute(con, name, **params), "time_decay", "revenue", *AUTUMN
        )
    finally:
        con.close()
    credited = dict(zip(rows["channel"], rows["credited_cents"].tolist(), strict=True))
    assert credited == {"Paid search": 64_526, "Email": 35_474}


def revenue_row(funnel_db, channel: str, lead_created_at, deal_created_at, closed_at):
    con = funnel_db(
        [{"lead_id": "L1", "created_at": lead_created_at, "channel": channel}],
        [won("D1", "L1", deal_created_at, closed_at, "1000.00")],
    )
    return metric(con, "revenue_by_channel").set_index("channel").loc[channel]


@pytest.mark.parametrize(
    ("lead_created_at", "deal_created_at", "closed_at", "real_hour"),
    [
        # Across 25 October, 15 Oct 09:00 (UTC+2) -> 20 Oct 09:00 (UTC+2) -> 1 Nov 09:00
        # (UTC+1): each span holds the night of 25 hours, an hour more than the wall clock.
        ("2026-10-15 09:00:00", "2026-10-20 09:00:00", "2026-11-01 09:00:00", +HOUR_IN_DAYS),
        # Across 29 March, 20 Mar 09:00 (UTC+1) -> 25 Mar 09:00 (UTC+1) -> 6 Apr 09:00
        # (UTC+2): each holds the night of 23 hours, an hour less.
        ("2026-03-20 09:00:00", "2026-03-25 09:00:00", "2026-04-06 09:00:00", -HOUR_IN_DAYS),
    ],
    ids=["october", "march"],
)
def test_the_sales_cycle_and_lead_to_won_count_the_hour_the_clocks_moved(
    funnel_db, lead_created_at, deal_created_at, closed_at, real_hour
):
    row = revenue_row(funnel_db, "Referral", lead_created_at, deal_created_at, closed_at)
    # Deal created -> won: 12 days on the wall clock, 12 days plus or minus the hour.
    assert row["average_sales_cycle_days"] == pytest.approx(12 + real_hour, abs=1e-9)
    # Lead created -> won: 17 days on the wall clock, plus or minus the hour.
    assert row["median_days_lead_to_won"] == pytest.approx(17 + real_hour, abs=1e-9)
    # Velocity: 1 opportunity × 1,000.00 × a win rate of 1 ÷ the sales cycle's days.
    assert row["pipeline_velocity_per_day"] == pytest.approx(1000 / (12 + real_hour))


def test_a_lead_waiting_past_its_agreed_time_waits_real_hours(funnel_db):
    # No agreement saved: a call within 24 calendar hours. WAITING came in on Sat 24 Oct 12:00
    # (UTC+2, 10:00 UTC) and nobody called; the data's latest event is CALLED's call on Mon
    # 26 Oct 12:30 (UTC+1, 11:30 UTC). It has waited 10:00 UTC Saturday -> 11:30 UTC Monday
    # = 49.5 real hours (48.5 on the wall clock), 49.5 / 24 = 2.0625 days.
    con = funnel_db(
        [
            {"lead_id": "WAITING", "created_at": "2026-10-24 12:00:00", "channel": "Referral"},
            {
                "lead_id": "CALLED",
                "created_at": "2026-10-26 12:00:00",
                "first_contacted_at": "2026-10-26 12:30:00",
                "channel": "Referral",
            },
        ]
    )
    waiting = metric(con, "leads_waiting_past_sla").set_index("lead_id")
    assert waiting.index.tolist() == ["WAITING"]
    assert waiting.loc["WAITING", "hours_waiting"] == pytest.approx(49.5)
    assert waiting.loc["WAITING", "days_waiting"] == pytest.approx(49.5 / 24)


def test_the_banner_counts_the_hours_since_a_load_as_they_passed():
    # Loaded at 01:00 on Sun 25 October (summer time, 23:00 UTC on the 24th); now 05:00 that
    # morning (winter time, 04:00 UTC): 5 hours, for 02:00-03:00 came twice. On the wall clock
    # it was 4.
    loaded = loaded_instant(pd.Timestamp("2026-10-25 01:00"))
    assert loaded == datetime(2026, 10, 24, 23, 0, tzinfo=UTC)
    assert ago(loaded, now=datetime(2026, 10, 25, 4, 0, tzinfo=UTC)) == "5 hours ago"
    # Loaded at 01:00 on Sun 29 March (winter time, 00:00 UTC); now 05:00 (summer time, 03:00
    # UTC): 3 hours, for 02:00-03:00 never came. On the wall clock it was 4.
    loaded = loaded_instant(pd.Timestamp("2026-03-29 01:00"))
    assert ago(loaded, now=datetime(2026, 3, 29, 3, 0, tzinfo=UTC)) == "3 hours ago"


def test_ago_measures_two_times_of_one_zone_in_real_time():
    # Python subtracts two datetimes of the same time zone as wall clocks: 05:00 - 01:00 = 4 h
    # on 25 October in Amsterdam, which really had 5 hours between them (see above).
    amsterdam = ZoneInfo("Europe/Amsterdam")
    loaded, now = (datetime(2026, 10, 25, hour, 0, tzinfo=amsterdam) for hour in (1, 5))
    assert ago(loaded, now) == "5 hours ago"
