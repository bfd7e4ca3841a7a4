"""A won deal the export gives no close date is in no period, but it may have been won in any
period that ends after it was created. A period with no dated win then does not know that it
won nothing: its won deals and won revenue read "–", never 0, and the page says why.

The rows, by hand: L0 (created 10 February) and L1 (2 March), both Referral. D1 and D2 are
L1's, both created 10 March and won: D1 €1,200.25 closed 1 April, D2 €500.00 with no close
date.
- February: D2 was created after it ended, so February knows its wins: none, €0.
- March: no dated win, and D2 may be March's: unknown.
- April: D1's €1,200.25 is known; D2 may be April's too, and the number leaves it out.
- ISO week 11 (9-15 March): like March. Week 10 (2-8 March) ends before D2 was created: €0.
"""

import functools

import pandas as pd
import pytest

from benchmarks import reference
from revcycle.__main__ import main
from revcycle.db import execute
from revcycle.deal_gaps import UNKNOWN_WINS
from revcycle.meeting import numbers
from revcycle.meeting.week import Week
from tests.conftest import metric, write_export
from tests.support.spend import load_spend
from tests.test_true_numbers import database_path, lead, open_page, won

FEBRUARY = {
    "start_date": pd.Timestamp("2026-02-01").date(),
    "end_date": pd.Timestamp("2026-02-28").date(),
}
MARCH = {
    "start_date": pd.Timestamp("2026-03-01").date(),
    "end_date": pd.Timestamp("2026-03-31").date(),
}
APRIL = {
    "start_date": pd.Timestamp("2026-04-01").date(),
    "end_date": pd.Timestamp("2026-04-30").date(),
}


@pytest.fixture
def con(funnel_db):
    return funnel_db(
        [lead("L0", created_at="2026-02-10 09:00:00"), lead("L1")],
        [
            won("D1", "1200.25", "2026-04-01 00:00:00", lead_id="L1"),
            won("D2", "500.00", None, lead_id="L1"),
        ],
    )


def total_row(con, period):
    rows = metric(con, "revenue_by_channel", **period)
    return rows[rows["is_total"]].iloc[0]


def test_a_period_that_may_hold_an_undated_win_does_not_know_its_won_revenue(con):
    march = total_row(con, MARCH)
    assert pd.isna(march["won_revenue"]) and pd.isna(march["count_won_deals"])
    assert pd.isna(march["win_rate"]) and pd.isna(march["average_won_deal"])
    assert march["count_won_without_close_date"] == 1
    assert march["count_opportunities"] == 2  # D1 and D2 were created in March
    assert march["open_pipeline"] == 0  # both are won: nothing is open

    february = total_row(con, FEBRUARY)  # D2 did not exist yet
    assert february["count_won_deals"] == 0 and february["won_revenue"] == 0
    assert february["count_won_without_close_date"] == 0

    april = total_row(con, APRIL)
    assert april["count_won_deals"] == 1
    assert round(float(april["won_revenue"]) * 100) == 120025
    assert april["count_won_without_close_date"] == 1


def tiles(at) -> dict[str, str]:
    return {tile.label: tile.value for tile in at.metric}


def captions(at) -> str:
    return " ".join(caption.value for caption in at.caption)


def test_the_overview_and_revenue_tiles_read_unknown_not_zero(con):
    march = {"preset": "Custom", "period": ["2026-03-01", "2026-03-31"]}
    said = (
        "1 won deal has no close date in the export, so no period, All time included, counts "
        f"it or its revenue: export it with its close date. {UNKNOWN_WINS}"
    )
    overview = open_page(database_path(con), "dashboard.py", **march)
    assert tiles(overview)["Won deals"] == "–" and tiles(overview)["Won revenue"] == "–"
    assert said in captions(overview)
    revenue = open_page(database_path(con), "pages/revenue.py", **march)
    assert tiles(revenue)["Won revenue"] == "–" and tiles(revenue)["Win rate"] == "–"
    assert tiles(revenue)["Open pipeline"] == "€0.00"
    assert said in captions(revenue).replace("\\", "")  # shown as plain text
    april = open_page(
        database_path(con), "pages/revenue.py", preset="Custom", period=["2026-04-01", "2026-04-30"]
    )
    assert tiles(april)["Won revenue"] == "€1,200.25"  # D1's, to the cent


def test_the_revenue_table_says_the_wins_have_no_close_date_not_no_amount(con):
    # D2 has its €500.00; what March lacks is when it was won. The table said "no amount".
    march = {"preset": "Custom", "period": ["2026-03-01", "2026-03-31"]}
    table = open_page(database_path(con), "pages/revenue.py", **march).dataframe[0].value
    won = dict(zip(table["Channel"], table["Won revenue (€)"], strict=True))
    assert won == {"Referral": "no close date", "(all channels)": "no close date"}


def test_the_meeting_s_week_that_may_hold_an_undated_win_does_not_know_its_won_revenue(con):
    query = functools.partial(execute, con)
    week_11 = numbers.week_tiles(query, Week(2026, 11), {}).set_index("metric")
    assert pd.isna(week_11.at["won_revenue", "this_week"])
    assert week_11.at["won_revenue", "cannot_measure"] == (
        "1 won deal has no close date in the export and no deal with one was won this week, so "
        "the won revenue this week is unknown, not 0: export it with its close date."
    )
    assert week_11.at["won_revenue", "last_week"] == 0  # week 10 ended before D2 was created
    week_14 = numbers.week_tiles(query, Week(2026, 14), {}).set_index("metric")  # 30 Mar - 5 Apr
    assert week_14.at["won_revenue", "this_week"] == pytest.approx(1200.25)
    assert week_14.at["won_revenue", "partly_unmeasured"] == (
        "1 won deal has no close date in the export and may have been won this week too: the "
        "won revenue leaves it out."
    )
    page = open_page(database_path(con), "pages/this_week.py", week="2026-W11")
    assert tiles(page)["Won revenue"] == "–"
    assert "no deal with one was won this week" in captions(page).replace("\\", "")


def test_cost_and_return_do_not_set_spend_against_a_zero_the_period_may_not_have(
    con, tmp_path, capsys, monkeypatch
):
    # Referral spent €100.00 on 5 March. March credits Referral no dated win, and D2 (whose
    # journey is its lead's source, Referral) may be March's: its return is unknown, not
    # €0.00 and an ROI of -100%. Payback follows the cohort of March's leads (L1), whose D1
    # won €1,200.25 on 1 April, 31 days (1.0 months) after 1 March: known.
    spend = write_export(
        tmp_path / "spend.csv",
        "spend",
        [{"date_from": "2026-03-05", "source": "Referral", "amount": "100.00", "currency": "EUR"}],
    )
    load_spend(con, spend)
    said = (
        "The won revenue, new customers, ROAS, ROI and CAC of Referral in the period are "
        "unknown, not 0: 1 won deal that would credit it has no close date in the export and "
        "may have been won in the period. Export the deals with their close date."
    )
    database = database_path(con)
    monkeypatch.setenv("REVCYCLE_DB", database)
    con.close()
    assert main(["roi", "--start", "2026-03-01", "--end", "2026-03-31"]) == 0
    out, err = capsys.readouterr()
    assert f"note: {said}" in err.splitlines()
    assert "no deals export is loaded" not in err  # CAC's reason is the note above
    referral = next(line.split() for line in out.splitlines() if line.startswith("Referral"))
    # channel, spend, currency, leads, opps, won, won revenue, cost/lead, cost/opp, CAC, ROI
    assert referral[:11] == [
        "Referral", "100.00", "EUR", "1", "1", "–", "–", "100.00", "100.00", "–", "–"
    ]  # fmt: skip
    assert referral[11:] == ["1.0", "months"]
    march = {"preset": "Custom", "period": ["2026-03-01", "2026-03-31"]}
    overview = open_page(database, "dashboard.py", **march)
    assert tiles(overview)["Won revenue per € spent"] == "–"
    revenue = open_page(database, "pages/revenue.py", **march)
    assert said in captions(revenue).replace("\\", "")  # shown as plain text
    april = open_page(
        database, "pages/revenue.py", preset="Custom", period=["2026-04-01", "2026-04-30"]
    )
    assert said not in captions(april).replace("\\", "")  # April credits Referral D1's €1,200.25


def test_the_funnel_s_customers_of_such_a_period_are_unknown_not_zero(con):
    # March: L1's first deal was created (an opportunity), and no deal was won on a known day;
    # D2 may have been won in March, so the customers are unknown for Referral and in total.
    rows = metric(con, "conversion_by_channel", **MARCH)
    won_rows = rows[rows["stage"] == "won"].set_index("channel")
    assert won_rows["is_unmeasurable"].to_dict() == {"Referral": True, "(all channels)": True}
    opportunities = rows[rows["stage"] == "opportunity"]
    assert opportunities["count_events"].tolist() == [1, 1]
    assert not opportunities["is_unmeasurable"].any()
    # April: D1 won on 1 April, L1's first win: one customer, known.
    april = metric(con, "conversion_by_channel", **APRIL)
    won_in_april = april[april["stage"] == "won"]
    assert won_in_april["count_events"].tolist() == [1, 1]
    assert not won_in_april["is_unmeasurable"].any()


@pytest.mark.parametrize("name", reference.REFERENCES)
def test_the_benchmark_s_pandas_reference_reads_undated_wins_alike(con, name):
    funnel = con.execute("select * from funnel_revenue").df()
    for period in (FEBRUARY, MARCH, APRIL):
        params = reference.metric_params(name, **period) | {"owners": None, "segments": None}
        duckdb_result = execute(con, f"metrics/{name}", **params)
        pandas_result = reference.REFERENCES[name](funnel, **params)
        assert reference.mismatches(name, duckdb_result, pandas_result) == [], period
