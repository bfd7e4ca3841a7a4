"""The metric queries on small hand-built funnels, expected values worked out by hand."""

from datetime import date

import pytest

from revcycle.agreements.model import FollowUp
from revcycle.ui import charts
from tests.conftest import cents, metric
from tests.support.working_time import agreement

MARCH = {"start_date": date(2026, 3, 1), "end_date": date(2026, 3, 31)}


def lead(lead_id, created_at="2026-03-02 09:00:00", channel="Referral", **values):
    return {"lead_id": lead_id, "created_at": created_at, "channel": channel, **values}


def ten_lead_funnel():
    """10 leads in March: 6 become MQL, 3 SQL, 2 get a deal, 1 deal is won."""
    leads = [lead(f"L{i}") for i in range(10)]
    for i in range(6):
        leads[i]["mql_at"] = "2026-03-05 09:00:00"
    for i in range(3):
        leads[i]["sql_at"] = "2026-03-06 09:00:00"
    deals = [
        {
            "deal_id": "D0",
            "lead_id": "L0",
            "created_at": "2026-03-10 09:00:00",
            "stage": "Closed Won",
            "amount": "900.00",
            "closed_at": "2026-03-20 09:00:00",
        },
        {
            "deal_id": "D1",
            "lead_id": "L1",
            "created_at": "2026-03-11 09:00:00",
            "stage": "Proposal",
            "amount": "100.00",
        },
    ]
    return leads, deals


def test_share_of_previous_and_of_first_stage(funnel_db):
    con = funnel_db(*ten_lead_funnel())
    rows = metric(con, "conversion_by_channel", **MARCH)
    referral = rows[rows["channel"] == "Referral"].set_index("stage")
    assert referral["count_events"].tolist() == [10, 6, 3, 2, 1]
    # % of previous: 6/10, 3/6, 2/3, 1/2; % of first: 6/10, 3/10, 2/10, 1/10.
    assert referral["share_of_previous"].tolist()[1:] == pytest.approx([0.6, 0.5, 2 / 3, 0.5])
    assert referral["share_of_first"].tolist() == pytest.approx([1.0, 0.6, 0.3, 0.2, 0.1])
    totals = rows[rows["is_total"]]
    assert totals["count_events"].tolist() == [10, 6, 3, 2, 1]


def test_funnel_chart_labels_each_stage_with_the_querys_share_of_previous(funnel_db):
    con = funnel_db(*ten_lead_funnel())
    rows = metric(con, "conversion_by_channel", **MARCH)
    figure = charts.funnel(rows[rows["is_total"]], "From lead to customer")
    # 10 leads, then 6/10, 3/6, 2/3 and 1/2 of the stage before, rounded to whole percent.
    assert list(figure.data[0].text) == ["10", "6 · 60%", "3 · 50%", "2 · 67%", "1 · 50%"]
    assert figure.data[0].connector.visible is True


def test_funnel_chart_shows_no_share_after_an_empty_stage(funnel_db):
    # One lead and one MQL in March, nothing after: SQL is 0 of 1. No deal is loaded, so
    # opportunities and customers cannot be measured: their rows say so, with no bar, never 0.
    con = funnel_db([lead("L1", mql_at="2026-03-03 09:00:00")])
    rows = metric(con, "conversion_by_channel", **MARCH)
    figure = charts.funnel(rows[rows["is_total"]], "From lead to customer")
    assert list(figure.data[0].text) == ["1", "1 · 100%", "0 · 0%", "not measured", "not measured"]
    assert list(figure.data[0].x) == [1, 1, 0, 0, 0]
    assert list(figure.data[0].y) == ["Leads", "MQLs", "SQLs", "Opportunities", "Customers"]
    assert figure.data[0].connector.visible is False  # no band pinched into a point


def test_period_mode_counts_only_events_inside_the_period(funnel_db):
    con = funnel_db(
        [
            # Created in February, MQL in March: an MQL event of March, not a March lead.
            lead("L-feb", created_at="2026-02-20 09:00:00", mql_at="2026-03-01 00:00:00"),
            # Created on the last day of March, late evening: the end date is included.
            lead("L-mar", created_at="2026-03-31 23:59:00"),
            lead("L-apr", created_at="2026-04-01 00:00:00", mql_at="2026-04-02 00:00:00"),
        ]
    )
    rows = metric(con, "conversion_by_channel", **MARCH)
    counts = rows[rows["is_total"]].set_index("stage")["count_events"].to_dict()
    assert counts == {"lead": 1, "mql": 1, "sql": 0, "opportunity": 0, "won": 0}


def test_channels_split_the_funnel(funnel_db):
    con = funnel_db(
        [
            lead("L1", channel="Partner"),
            lead("L2", channel="Email"),
            lead("L3", channel="Email", mql_at="2026-03-03 00:00:00"),
        ]
    )
    rows = metric(con, "conversion_by_channel", **MARCH)
    leads_by_channel = rows[rows["stage"] == "lead"].set_index("channel")["count_events"]
    assert leads_by_channel.to_dict() == {"Email": 2, "Partner": 1, "(all channels)": 3}


@pytest.mark.parametrize("name", ["conversion_by_channel", "follow_up_speed", "revenue_by_channel"])
@pytest.mark.parametrize(
    "filters",
    [
        {"channels": ["No such channel"]},
        {"channels": []},
        {"owners": ["Nobody"]},
        {"segments": ["Nowhere"]},
        {"start_date": date(1990, 1, 1), "end_date": date(1990, 1, 31)},
    ],
)
def test_filters_matching_nothing_give_zero_rows(funnel_db, name, filters):
    con = funnel_db(*ten_lead_funnel())
    assert len(metric(con, name, **filters)) == 0


def test_owner_and_segment_filters_keep_only_their_leads(funnel_db):
    con = funnel_db(
        [
            lead("L1", owner="Ann", segment="SMB"),
            lead("L2", owner="Ann", segment="Enterprise"),
            lead("L3", owner="Bo", segment="SMB"),
        ]
    )
    rows = metric(con, "conversion_by_channel", owners=["Ann"], segments=["SMB"], **MARCH)
    assert rows[rows["is_total"] & (rows["stage"] == "lead")]["count_events"].item() == 1


def follow_up_leads():
    """Six contacted leads after 1, 2, 3, 4, 10 and 30 hours, and two never contacted."""
    leads = [
        lead(
            f"C{hours}",
            created_at="2026-03-02 00:00:00",
            first_contacted_at=f"2026-03-{2 + hours // 24:02d} {hours % 24:02d}:00:00",
            owner="Ann" if hours < 5 else "Bo",
        )
        for hours in (1, 2, 3, 4, 10, 30)
    ]
    leads += [lead("N1", owner="Bo"), lead("N2", owner="Bo")]
    return leads


def test_follow_up_percentiles_and_sla_share(funnel_db):
    con = funnel_db(follow_up_leads())
    rows = metric(con, "follow_up_speed", **MARCH)
    overall = rows[rows["grouped_by"] == "all"].iloc[0]
    assert overall["count_leads"] == 8
    assert overall["count_contacted"] == 6
    assert overall["count_never_contacted"] == 2
    # Median of 1, 2, 3, 4, 10, 30 = (3 + 4) / 2.
    assert overall["median_hours_to_first_contact"] == pytest.approx(3.5)
    # 90th percentile, linear: rank 0.9 * (6 - 1) = 4.5, between 10 and 30 -> 20.
    assert overall["p90_hours_to_first_contact"] == pytest.approx(20.0)
    # Within 24 h: 1, 2, 3, 4, 10 -> 5. N1 and N2, never contacted, came in on 2 Mar at
    # 09:00 and have waited 21 of their 24 hours by the data's latest event (C30's contact,
    # 3 Mar 06:00): not judged yet, so the share is over the 6 judged, not a miss each.
    assert overall["count_within_sla"] == 5
    assert overall["share_within_sla"] == pytest.approx(5 / 6)


def test_a_lead_never_contacted_counts_as_missed_once_its_agreed_time_has_run_out(funnel_db):
    # The same leads and a later one, L9, created 4 Mar at 12:00 (its own contact data is
    # blank): by then N1 and N2 have waited 51 hours, past their 24, so 5 of 8 are in time.
    # L9 has waited 0 hours: not judged.
    con = funnel_db([*follow_up_leads(), lead("L9", created_at="2026-03-04 12:00:00")])
    overall = metric(con, "follow_up_speed", **MARCH).query("grouped_by == 'all'").iloc[0]
    assert overall["count_within_sla"] == 5
    assert overall["share_within_sla"] == pytest.approx(5 / 8)


def test_the_weekly_share_s_total_under_a_channel_filter_is_the_selected_channels(funnel_db):
    con = funnel_db(follow_up_leads())  # every lead Referral, in the week of 2 March
    totals = metric(con, "sla_share_by_week", **MARCH).query("is_total")
    assert totals["channel"].tolist() == ["(all channels)"]
    totals = metric(con, "sla_share_by_week", channels=["Referral"], **MARCH).query("is_total")
    assert totals["channel"].tolist() == ["(selected channels)"]


def test_follow_up_by_owner_against_the_agreed_time(funnel_db):
    con = funnel_db(
        follow_up_leads(), agreements=[agreement(FollowUp(None, "call", 3, "calendar"))]
    )
    rows = metric(con, "follow_up_speed", **MARCH)
    by_owner = rows[rows["grouped_by"] == "owner"].set_index("group_value")
    # Ann: 1, 2, 3, 4 h -> within 3 h: 3 of 4. Bo: 10, 30 h and two never -> 0 of 4.
    assert by_owner.loc["Ann", "share_within_sla"] == pytest.approx(3 / 4)
    assert by_owner.loc["Bo", "share_within_sla"] == 0
    assert by_owner.loc["Bo", "count_never_contacted"] == 2
    assert by_owner.loc["Bo", "median_hours_to_first_contact"] == pytest.approx(20.0)


def test_revenue_by_channel_rates_and_pipeline(funnel_db):
    leads = [
        lead("L1", created_at="2026-01-01 00:00:00"),
        lead("L2", created_at="2026-01-11 00:00:00"),
    ]
    deals = [
        # Won 10 and 30 days after their leads; one lost; one open created in March.
        {
            "deal_id": "D1",
            "lead_id": "L1",
            "created_at": "2026-01-05 00:00:00",
            "stage": "Closed Won",
            "amount": "1000.50",
            "closed_at": "2026-01-11 00:00:00",
        },
        {
            "deal_id": "D2",
            "lead_id": "L2",
            "created_at": "2026-01-20 00:00:00",
            "stage": "Closed Won",
            "amount": "2000.25",
            "closed_at": "2026-02-10 00:00:00",
        },
        {
            "deal_id": "D3",
            "lead_id": "L2",
            "created_at": "2026-01-21 00:00:00",
            "stage": "Closed Lost",
            "amount": "500.00",
            "closed_at": "2026-02-15 00:00:00",
        },
        {
            "deal_id": "D4",
            "lead_id": "L1",
            "created_at": "2026-03-01 00:00:00",
            "stage": "Negotiation",
            "amount": "750.00",
        },
    ]
    con = funnel_db(leads, deals)
    row = (
        metric(con, "revenue_by_channel", start_date=date(2026, 1, 1), end_date=date(2026, 3, 31))
        .set_index("channel")
        .loc["Referral"]
    )
    assert cents(row["won_revenue"]) == 100_050 + 200_025
    assert row["count_won_deals"] == 2
    assert cents(row["average_won_deal"]) == round((100_050 + 200_025) / 2)
    assert row["win_rate"] == pytest.approx(2 / 3)
    assert row["median_days_lead_to_won"] == pytest.approx((10 + 30) / 2)
    assert cents(row["open_pipeline"]) == 75_000
    # Sales cycle of the won deals: D1 5 Jan -> 11 Jan = 6 days, D2 20 Jan -> 10 Feb = 21.
    assert row["average_sales_cycle_days"] == pytest.approx((6 + 21) / 2)
    # All four deals were created in the period.
    assert row["count_opportunities"] == 4
    # Velocity: 4 opportunities × 1500.375 average × 2/3 win rate ÷ 13.5 days = 296.37 €/day.
    assert row["pipeline_velocity_per_day"] == pytest.approx(4 * 1500.375 * (2 / 3) / 13.5)
    # February only: D2 won and D3 lost closed then; D4 was created in March.
    february = (
        metric(con, "revenue_by_channel", start_date=date(2026, 2, 1), end_date=date(2026, 2, 28))
        .set_index("channel")
        .loc["Referral"]
    )
    assert cents(february["won_revenue"]) == 200_025
    assert february["win_rate"] == pytest.approx(1 / 2)
    assert cents(february["open_pipeline"]) == 0
