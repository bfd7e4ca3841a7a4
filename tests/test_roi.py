"""Cost and return per channel (revcycle.roi.report) on a hand-built March: three channels, five
leads, four deals and the spend of two channels, written as real exports and built into a real
database; every expected figure is worked out by hand from the rows below.

March 2026 (the period the tests read):
- Paid search: L1 (created 2 Mar, MQL 3 Mar, SQL 4 Mar; D1 created 5 Mar, won 20 Mar,
  3,000.00), L2 (3 Mar; D2 created 6 Mar, still open, 500.00), L3 (4 Mar, nothing more).
  Spend 1,000.00, one row over all of March (source "Google Ads").
- Trade show: L4 (10 Mar; D3 created 11 Mar, won 15 May, after March, 800.00).
  Spend 1,200.00 on 10 Mar.
- Organic search: L5 (12 Mar; D4 created 13 Mar, won 25 Mar, 2,000.00). No spend.
Every deal is in EUR.
"""

import functools
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from revcycle.build import build
from revcycle.db import connect, execute
from revcycle.roi import report
from tests.conftest import write_export

MARCH = ("2026-03-01", "2026-03-31")

LEADS = [
    {
        "lead_id": "L1",
        "created_at": "2026-03-02 09:00:00",
        "channel": "Paid Search",
        "mql_at": "2026-03-03 09:00:00",
        "sql_at": "2026-03-04 09:00:00",
    },
    {"lead_id": "L2", "created_at": "2026-03-03 09:00:00", "channel": "Paid Search"},
    {"lead_id": "L3", "created_at": "2026-03-04 09:00:00", "channel": "Paid Search"},
    {"lead_id": "L4", "created_at": "2026-03-10 09:00:00", "channel": "Trade Show"},
    {"lead_id": "L5", "created_at": "2026-03-12 09:00:00", "channel": "Organic Search"},
]


def _deal(deal_id, lead_id, created, closed, stage, amount):
    return {
        "deal_id": deal_id,
        "lead_id": lead_id,
        "created_at": f"{created} 10:00:00",
        "closed_at": f"{closed} 10:00:00" if closed else "",
        "stage": stage,
        "amount": amount,
        "currency": "EUR",
    }


DEALS = [
    _deal("D1", "L1", "2026-03-05", "2026-03-20", "Closed Won", "3000.00"),
    _deal("D2", "L2", "2026-03-06", None, "Proposal", "500.00"),
    _deal("D3", "L4", "2026-03-11", "2026-05-15", "Closed Won", "800.00"),
    _deal("D4", "L5", "2026-03-13", "2026-03-25", "Closed Won", "2000.00"),
]

SPEND = [
    {
        "date_from": "2026-03-01",
        "date_to": "2026-03-31",
        "source": "Google Ads",
        "campaign": "Generic keywords",
        "amount": "1000.00",
        "currency": "EUR",
    },
    {
        "date_from": "2026-03-10",
        "source": "Trade Show",
        "campaign": "DMEXCO",
        "amount": "1200.00",
        "currency": "EUR",
    },
]


def build_march(folder: Path, spend: list[dict] | None = SPEND) -> Path:
    """The March database in ``folder`` (its file's path), with ``spend`` (None: none loaded)."""
    exports = {
        "leads": write_export(folder / "leads.csv", "leads", LEADS),
        "deals": write_export(folder / "deals.csv", "deals", DEALS),
    }
    if spend is not None:
        exports["spend"] = write_export(folder / "spend.csv", "spend", spend)
    path = folder / "roi.duckdb"
    con = connect(path)
    try:
        build(con, exports)
    finally:
        con.close()
    return path


START, END = date(2026, 3, 1), date(2026, 3, 31)


@pytest.fixture(scope="module")
def march(tmp_path_factory):
    con = connect(build_march(tmp_path_factory.mktemp("roi")))
    yield functools.partial(execute, con)
    con.close()


def figures_of(query, model="lead_source", scope=None, **options) -> dict:
    figures = report.per_channel(query, model, START, END, scope, **options)
    return {row["channel"]: row for row in figures.rows.to_dict("records")}, figures.notes


def test_roi_of_a_channel_is_its_won_revenue_less_spend_over_spend(march):
    rows, _ = figures_of(march)
    paid = rows["Paid search"]
    # Spend 1,000.00; won in March: D1, 3,000.00. ROI = (3,000 - 1,000) / 1,000 = 2 (200%).
    assert paid["spend_cents"] == 100_000
    assert paid["won_cents"] == 300_000
    assert paid["roi"] == pytest.approx(2.0)
    # Won revenue per euro spent 3,000 / 1,000 = 3; open pipeline D2 500 / 1,000 = 0.5.
    assert paid["won_per_spent"] == pytest.approx(3.0)
    assert paid["pipeline_per_spent"] == pytest.approx(0.5)


def test_costs_divide_spend_by_the_periods_funnel_events(march):
    paid = figures_of(march)[0]["Paid search"]
    # Paid search in March: 3 leads (L1-L3), 1 MQL and 1 SQL (L1), 2 opportunities (D1, D2
    # created), 1 new customer (L1's D1 won).
    assert [paid[column] for column in report.COUNT_COLUMNS] == [3, 1, 1, 2, 1]
    # 1,000.00 / 3 = 333.33…; / 1 = 1,000; / 2 = 500; CAC 1,000 / 1 = 1,000.
    assert paid["cost_per_lead"] == pytest.approx(1000 / 3)
    assert paid["cost_per_mql"] == pytest.approx(1000.0)
    assert paid["cost_per_sql"] == pytest.approx(1000.0)
    assert paid["cost_per_opportunity"] == pytest.approx(500.0)
    assert paid["cac"] == pytest.approx(1000.0)


def test_a_channel_without_spend_has_none_recorded_not_zero(march):
    rows, notes = figures_of(march)
    organic = rows["Organic search"]
    # L5 and D4 (2,000.00 won in March) count, but nothing was spent on the channel.
    assert organic["count_leads"] == 1 and organic["won_cents"] == 200_000
    assert not organic["has_spend"]
    assert organic["spend_cents"] is None or str(organic["spend_cents"]) == "<NA>"
    for column in report.RATIO_COLUMNS:
        assert organic[column] != organic[column], column  # NaN: missing, never 0 or inf
    assert any("No spend recorded in the period for Organic search" in note for note in notes)


def test_a_zero_denominator_is_missing_with_its_reason(march):
    rows, notes = figures_of(march)
    trade = rows["Trade show"]
    # Trade show: 1 lead (L4), 1 opportunity (D3), no MQL and no customer in March.
    assert trade["count_new_customers"] == 0 and trade["cac"] != trade["cac"]
    assert trade["cost_per_opportunity"] == pytest.approx(1200.0)
    assert (
        "No cost per MQL, cost per SQL or CAC for Trade show: no MQLs, SQLs or new customers "
        "in the period."
    ) in notes


def test_the_cohort_counts_what_the_periods_leads_won_later(march):
    same = figures_of(march)[0]["Trade show"]
    cohort = figures_of(march, cohort=True)[0]["Trade show"]
    # Same period: D3 was won on 15 May, not in March: ROI = (0 - 1,200) / 1,200 = -1.
    assert same["won_cents"] == 0 and same["roi"] == pytest.approx(-1.0)
    # Cohort: L4 came in March, so its D3 (800.00) counts: (800 - 1,200) / 1,200 = -1/3.
    assert cohort["won_cents"] == 80_000
    assert cohort["roi"] == pytest.approx(-1 / 3)


def test_payback_counts_months_until_the_cohorts_revenue_reaches_the_spend(march):
    rows, _ = figures_of(march)
    # Paid search: D1's 3,000.00 on 20 Mar passes the 1,000.00 spent; 19 days after 1 Mar,
    # 19 / (365.25 / 12) = 0.624 months.
    assert rows["Paid search"]["payback_months"] == pytest.approx(19 / (365.25 / 12))
    assert rows["Paid search"]["payback"] == "0.6 months"
    # Trade show: its leads won 800.00 so far, short of 1,200.00.
    assert rows["Trade show"]["payback"] == report.NOT_YET


def test_the_total_sums_the_channels_with_spend_only(march):
    total = figures_of(march)[0][report.TOTAL]
    # Paid search + Trade show: spend 2,200.00, won 3,000.00 (Organic search's 2,000 is out):
    # ROI (3,000 - 2,200) / 2,200 = 0.3636…; opportunities 2 + 1 = 3: 2,200 / 3 = 733.33.
    assert total["spend_cents"] == 220_000 and total["won_cents"] == 300_000
    assert total["roi"] == pytest.approx(800 / 2200)
    assert total["cost_per_opportunity"] == pytest.approx(2200 / 3)


def test_every_model_credits_the_same_single_touch_journeys_alike(march):
    # No touches loaded: every journey is the lead's own source, so every model agrees.
    for model in ("first", "linear", "w"):
        assert figures_of(march, model)[0]["Paid search"]["won_cents"] == 300_000, model


def test_an_owner_filter_withholds_costs_but_not_spend(march):
    figures = report.per_channel(march, "lead_source", START, END, {"owners": ["(unassigned)"]})
    paid = figures.rows.set_index("channel").loc["Paid search"]
    assert paid["spend_cents"] == 100_000
    assert paid["cost_per_lead"] != paid["cost_per_lead"] and paid["roi"] != paid["roi"]
    assert any("not per owner or segment" in refusal for refusal in figures.refusals)


def test_spend_in_another_currency_than_revenue_refuses_the_returns_only(tmp_path):
    in_dollars = [{**row, "currency": "USD"} for row in SPEND]
    con = connect(build_march(tmp_path, in_dollars))
    try:
        figures = report.per_channel(functools.partial(execute, con), "lead_source", START, END)
    finally:
        con.close()
    rows = figures.rows.set_index("channel")
    paid = rows.loc["Paid search"]
    # Costs need the spend alone: 1,000.00 USD / 2 opportunities.
    assert paid["cost_per_opportunity"] == pytest.approx(500.0)
    assert paid["currency"] == "USD" and not paid["is_returnable"]
    assert paid["roi"] != paid["roi"] and paid["won_per_spent"] != paid["won_per_spent"]
    assert paid["payback"] is None
    # The total adds USD 2,200.00, and sets none of it against EUR revenue.
    total = rows.loc[report.TOTAL]
    assert total["spend_cents"] == 220_000 and total["currency"] == "USD"
    assert total["roi"] != total["roi"] and not total["is_returnable"]
    # Organic search, no spend, shows its revenue in the deals' currency.
    assert rows.loc["Organic search", "currency"] == "EUR"
    assert figures.money.currency == "USD" and figures.money.return_refused is None
    said = "The spend of Trade show and Paid search is in USD, the deals' amounts in EUR."
    assert any(refusal.startswith(said) for refusal in figures.refusals)


def test_spend_without_any_deal_loaded_refuses_the_returns_instead_of_losing_it_all(tmp_path):
    # Spend and leads, but no deal export yet: revenue is unknown, not 0, so no ROI of -100%.
    exports = {
        "leads": write_export(tmp_path / "leads.csv", "leads", LEADS),
        "deals": write_export(tmp_path / "deals.csv", "deals", []),
        "spend": write_export(tmp_path / "spend.csv", "spend", SPEND),
    }
    con = connect(tmp_path / "no_deals.duckdb")
    try:
        build(con, exports)
        figures = report.per_channel(functools.partial(execute, con), "lead_source", START, END)
    finally:
        con.close()
    assert figures.money.return_refused.startswith("No deal with an amount is loaded")
    paid = figures.rows.set_index("channel").loc["Paid search"]
    assert paid["spend_cents"] == 100_000  # the spend itself still shows: 1,000.00
    assert paid["roi"] != paid["roi"] and paid["won_per_spent"] != paid["won_per_spent"]


def test_channels_with_spend_in_different_currencies_are_never_added(tmp_path):
    mixed = [SPEND[0], {**SPEND[1], "currency": "GBP"}]
    con = connect(build_march(tmp_path, mixed))
    try:
        figures = report.per_channel(functools.partial(execute, con), "lead_source", START, END)
    finally:
        con.close()
    rows = figures.rows.set_index("channel")
    # Paid search: EUR 1,000.00 against the EUR 3,000.00 of D1, as with no other currency.
    paid = rows.loc["Paid search"]
    assert paid["spend_cents"] == 100_000 and paid["currency"] == "EUR"
    assert paid["roi"] == pytest.approx(2.0) and paid["cost_per_opportunity"] == 500.0
    # Trade show: GBP 1,200.00 for its one lead and opportunity, and no return in EUR.
    trade = rows.loc["Trade show"]
    assert trade["spend_cents"] == 120_000 and trade["currency"] == "GBP"
    assert trade["cost_per_lead"] == 1200.0 and trade["roi"] != trade["roi"]
    # The total would add EUR to GBP: no spend, cost or return; its counts still add up.
    total = rows.loc[report.TOTAL]
    assert total["has_spend"] and str(total["spend_cents"]) == "<NA>"
    assert total["count_leads"] == 4 and total["cost_per_lead"] != total["cost_per_lead"]
    assert total["currency"] is None and not total["is_returnable"]
    total_refused = f"{report.TOTAL} adds up no spend"
    assert any(refusal.startswith(total_refused) for refusal in figures.refusals)
    said = "The spend of Trade show is in GBP, the deals' amounts in EUR."
    assert any(refusal.startswith(said) for refusal in figures.refusals)


def test_a_channel_with_spend_in_two_currencies_in_the_period_has_no_spend_cost_or_return(tmp_path):
    # Paid search also spent USD 50.00 on 15 March, beside its EUR 1,000.00 over March.
    brand = {**SPEND[0], "date_from": "2026-03-15", "date_to": "", "campaign": "Brand"}
    con = connect(build_march(tmp_path, [*SPEND, brand | {"amount": "50.00", "currency": "USD"}]))
    query = functools.partial(execute, con)
    try:
        march = report.per_channel(query, "lead_source", START, END)
        before_the_15th = report.per_channel(query, "lead_source", START, date(2026, 3, 14))
    finally:
        con.close()
    paid = march.rows.set_index("channel").loc["Paid search"]
    assert paid["has_spend"] and str(paid["spend_cents"]) == "<NA>"
    assert paid["cost_per_lead"] != paid["cost_per_lead"] and paid["roi"] != paid["roi"]
    said = (
        "The spend of Paid search in the period is in several currencies (EUR: 31 days, USD: 1 day)"
    )
    assert any(refusal.startswith(said) for refusal in march.refusals)
    # Trade show keeps every figure: EUR 1,200.00 for L4, whose D3 was won in May (ROI -100%).
    trade = march.rows.set_index("channel").loc["Trade show"]
    assert trade["spend_cents"] == 120_000 and trade["roi"] == pytest.approx(-1.0)
    # 1-14 March holds no USD: 14 of the row's 31 days, each of the first 25 taking a cent more
    # (100,000 cents = 31 x 3,225 + 25): 14 x 3,226 cents.
    paid = before_the_15th.rows.set_index("channel").loc["Paid search"]
    assert paid["spend_cents"] == 14 * 3_226 and paid["currency"] == "EUR"
    assert not any("several currencies" in refusal for refusal in before_the_15th.refusals)


def test_no_spend_loaded_says_so(tmp_path):
    con = connect(build_march(tmp_path, None))
    try:
        figures = report.per_channel(functools.partial(execute, con), "lead_source", START, END)
    finally:
        con.close()
    assert not figures.money.has_spend
    assert not figures.rows["has_spend"].any()
    assert figures.notes[0].startswith("No spend is loaded")


def test_brief_figures_leave_pipeline_and_payback_missing_not_zero(march):
    rows, _ = figures_of(march, brief=True)
    paid = rows["Paid search"]
    assert paid["won_cents"] == 300_000 and paid["roi"] == pytest.approx(2.0)
    assert paid["pipeline_cents"] is None and paid["payback"] is None
    assert paid["pipeline_per_spent"] != paid["pipeline_per_spent"]


def test_payback_is_not_yet_when_no_lead_of_the_period_won_for_a_paid_channel(march):
    # 12-31 March: Paid search spent (20 days) but only L5, an organic lead, came in and won.
    figures = report.per_channel(march, "lead_source", date(2026, 3, 12), END)
    paid = figures.rows.set_index("channel").loc["Paid search"]
    assert paid["payback"] == report.NOT_YET


def test_unmapped_spend_is_never_set_against_unmapped_revenue(tmp_path):
    # Spend 70.00 on "Mystery Network", a source no rule names, and L6 of source "Weird", no
    # rule either, won D6, 10.00: both land in (unmapped), but nothing says the one brought
    # the other. (unmapped) keeps its spend and its revenue, no ROI, and stays out of the total
    # (Paid search + Trade show: 2,200.00 spent, 3,000.00 won).
    leads = [*LEADS, {"lead_id": "L6", "created_at": "2026-03-05 09:00:00", "channel": "Weird"}]
    deals = [*DEALS, _deal("D6", "L6", "2026-03-06", "2026-03-09", "Closed Won", "10.00")]
    mystery = {"date_from": "2026-03-11", "source": "Mystery Network", "currency": "EUR"}
    spend = [*SPEND, mystery | {"amount": "70.00"}]
    exports = {
        "leads": write_export(tmp_path / "leads.csv", "leads", leads),
        "deals": write_export(tmp_path / "deals.csv", "deals", deals),
        "spend": write_export(tmp_path / "spend.csv", "spend", spend),
    }
    con = connect(tmp_path / "unmapped.duckdb")
    build(con, exports)
    rows, notes = figures_of(functools.partial(execute, con))
    con.close()
    bucket = rows["(unmapped)"]
    assert (bucket["spend_cents"], bucket["won_cents"]) == (7_000, 1_000)
    assert all(pd.isna(bucket[column]) for column in ("roi", "won_per_spent", "cac"))
    total = rows[report.TOTAL]
    assert (total["spend_cents"], total["won_cents"]) == (220_000, 300_000)
    assert report.UNMAPPED_NOTE in notes
