"""The cost and return figures on the Revenue page and the Overview, under AppTest, on the
hand-built March (tests/test_roi.py has its rows). The period is 2 to 31 March: the data's
first day is 2 March (L1's creation), so the sidebar cannot pick the 1st.

Paid search's 1,000.00 over March is spread in cents: 100,000 / 31 = 3,225 rest 25, so the
first 25 days take 3,226 cents; 1 March is one of them, so 2-31 March hold 96,774 cents."""

import pytest

from revcycle.build import build
from revcycle.db import connect
from tests.conftest import write_export
from tests.support.spend import load_spend
from tests.test_pages import open_page
from tests.test_roi import LEADS, SPEND, build_march
from tests.test_screen import as_shown, shown_cells

PERIOD = {"preset": "Custom", "period": ["2026-03-02", "2026-03-31"]}


@pytest.fixture(scope="module")
def march_file(tmp_path_factory):
    return build_march(tmp_path_factory.mktemp("roi_pages"))


@pytest.fixture(scope="module")
def march_without_spend(tmp_path_factory):
    return build_march(tmp_path_factory.mktemp("roi_pages_no_spend"), None)


def table(at, column: str):
    return next(frame.value for frame in at.dataframe if column in frame.value.columns)


def row(frame, channel: str):
    return frame.set_index("Channel").loc[channel]


def chart_keys(at) -> list[str]:
    # A keyed element's id ends with its key: "$$ID-<hash>-<key>".
    return [chart.proto.id.rsplit("-", 1)[-1] for chart in at.get("plotly_chart")]


def tile(at, label: str) -> str:
    return next(metric.value for metric in at.metric if metric.label == label)


def test_revenue_page_shows_cost_and_return_per_channel(march_file, monkeypatch):
    monkeypatch.setenv("REVCYCLE_DB", str(march_file))
    at = open_page("pages/revenue.py", **PERIOD)
    assert "Cost and return per channel" in [header.value for header in at.header]
    costs = table(at, "Per opportunity (€)")
    # 967.74 / 2 opportunities (D1, D2) = 483.87; CAC 967.74 / 1 new customer (L1).
    assert row(costs, "Paid search")["Per opportunity (€)"] == pytest.approx(483.87)
    assert row(costs, "Paid search")["CAC (€)"] == pytest.approx(967.74)
    returns = table(at, "ROI")
    # D1's 3,000.00 won on 20 March: (3,000 - 967.74) / 967.74 = 2.1000 (210%); 18 days after
    # 2 March, 18 / 30.4375 = 0.59 months.
    assert row(returns, "Paid search")["ROI"] == pytest.approx(2032.26 / 967.74)
    assert row(returns, "Paid search")["Payback"] == "0.6 months"
    # Organic search spent nothing: no spend recorded, not 0; and no ratio.
    organic = row(shown_cells(at, "ROI"), "Organic search")
    assert organic["Spend (€)"] == "no spend recorded"
    assert organic["ROI"] == "–" and organic["Payback"] == "–"
    assert row(shown_cells(at, "ROI"), "Paid search")["Spend (€)"] == "968"
    captions = " ".join(caption.value for caption in at.caption)
    assert "No spend recorded in the period for Organic search" in captions
    assert "roi_spend_and_return" in chart_keys(at)


def test_the_cohort_toggle_counts_what_the_leads_won_later(march_file, monkeypatch):
    monkeypatch.setenv("REVCYCLE_DB", str(march_file))
    at = open_page("pages/revenue.py", **PERIOD)
    # Same period: Trade show won nothing in March: (0 - 1,200) / 1,200 = -1.
    assert row(table(at, "ROI"), "Trade show")["ROI"] == pytest.approx(-1.0)
    at.toggle(key="roi_cohort").set_value(True).run()
    assert not at.exception and not at.error
    # Its lead L4 (10 March) won D3, 800.00, on 15 May: (800 - 1,200) / 1,200 = -1/3.
    assert row(table(at, "ROI"), "Trade show")["ROI"] == pytest.approx(-1 / 3)
    assert at.query_params["roi_cohort"] == "1"


def test_the_model_is_chosen_on_the_page_and_kept_in_the_link(march_file, monkeypatch):
    monkeypatch.setenv("REVCYCLE_DB", str(march_file))
    at = open_page("pages/revenue.py", **PERIOD, roi_model="w")
    assert at.selectbox(key="roi_model").value == "w"
    # No touches loaded: each journey is the lead's own source, so W-shaped credits Paid
    # search with D1's 3,000.00 as the lead source does.
    assert row(table(at, "ROI"), "Paid search")["Won revenue (€)"] == 3000.0
    at.selectbox(key="roi_model").set_value("lead_source").run()
    assert "roi_model" not in at.query_params  # the default is left out of the link


def test_a_link_s_cohort_switch_other_than_1_or_0_is_said(march_file, monkeypatch):
    monkeypatch.setenv("REVCYCLE_DB", str(march_file))
    at = open_page("pages/revenue.py", **PERIOD, roi_cohort="yes")
    assert at.toggle(key="roi_cohort").value is False
    notes = [caption.value.replace("\\", "") for caption in at.sidebar.caption]
    assert any("roi_cohort 'yes': not 1 or 0, so off" in note for note in notes)


def test_overview_tiles_set_won_revenue_against_spend(march_file, monkeypatch):
    monkeypatch.setenv("REVCYCLE_DB", str(march_file))
    at = open_page("dashboard.py", **PERIOD)
    # Channels with spend: Paid search 967.74 + Trade show 1,200.00 = 2,167.74 spent; they
    # won D1's 3,000.00 (Organic search's D4 is not theirs): 3,000 / 2,167.74 = 1.38 per euro.
    assert tile(at, "Won revenue per € spent") == "€1.38"
    # Their opportunities: D1, D2, D3: 2,167.74 / 3 = 722.58, shown whole.
    assert tile(at, "Cost per opportunity") == "€723"


def test_without_spend_the_tiles_and_table_say_no_spend_recorded(march_without_spend, monkeypatch):
    monkeypatch.setenv("REVCYCLE_DB", str(march_without_spend))
    at = open_page("dashboard.py", **PERIOD)
    # The deals are in EUR, so the label names the euro.
    assert tile(at, "Won revenue per € spent") == "no spend recorded"
    assert tile(at, "Cost per opportunity") == "no spend recorded"
    at = open_page("pages/revenue.py", **PERIOD)
    captions = " ".join(caption.value for caption in at.caption)
    assert "No spend is loaded" in captions
    assert "roi_spend_and_return" not in chart_keys(at)


def test_spend_in_another_currency_shows_costs_but_refuses_returns(tmp_path, monkeypatch):
    in_dollars = [{**row, "currency": "USD"} for row in SPEND]
    monkeypatch.setenv("REVCYCLE_DB", str(build_march(tmp_path, in_dollars)))
    at = open_page("pages/revenue.py", **PERIOD)
    warnings = " ".join(warning.value for warning in at.warning)
    assert "The spend of Trade show and Paid search is in USD, the deals' amounts in EUR" in (
        warnings.replace("\\", "")  # Markdown's escapes, which show the text as it is
    )
    # Costs need the spend alone, in its own currency: 967.74 USD / 2 opportunities.
    costs = table(at, "Per opportunity ($)")
    assert row(costs, "Paid search")["Per opportunity ($)"] == pytest.approx(483.87)
    returns = shown_cells(at, "ROI")
    assert "Won revenue ($)" not in returns.columns  # the revenue is in EUR
    assert row(returns, "Paid search")["ROI"] == "–"
    assert "roi_spend_and_return" not in chart_keys(at)


def test_channels_spending_in_different_currencies_show_each_in_its_own(tmp_path, monkeypatch):
    # Paid search spends EUR (967.74 in 2-31 March), Trade show GBP 1,200.00 (10 March).
    in_pounds = [SPEND[0], {**SPEND[1], "currency": "GBP"}]
    monkeypatch.setenv("REVCYCLE_DB", str(build_march(tmp_path, in_pounds)))
    at = open_page("pages/revenue.py", **PERIOD)
    costs = shown_cells(at, "Per opportunity")
    paid, trade = row(costs, "Paid search"), row(costs, "Trade show")
    assert (paid["Currency"], paid["Spend"], paid["Per opportunity"]) == ("EUR", "968", "484")
    trade_shown = (trade["Currency"], trade["Spend"], trade["Per opportunity"])
    assert trade_shown == ("GBP", "1,200", "1,200")
    total = row(costs, "(channels with spend)")
    assert total["Spend"] == "not added: several currencies" and total["Per lead"] == "–"
    returns = shown_cells(at, "ROI")
    # Paid search's D1, EUR 3,000.00, beside its EUR spend: (3,000 - 967.74) / 967.74 = 210%.
    assert row(returns, "Paid search")["Won revenue"] == "3,000"
    assert row(returns, "Paid search")["ROI"] == "210.0%"
    assert row(returns, "Trade show")["Won revenue"] == "–"
    assert row(returns, "Trade show")["ROI"] == "–"
    warnings = as_shown(" ".join(warning.value for warning in at.warning))
    assert "The spend of Trade show is in GBP, the deals' amounts in EUR." in warnings
    # The Overview's tiles would add EUR to GBP: neither is shown, and the caption says why.
    at = open_page("dashboard.py", **PERIOD)
    assert tile(at, "Won revenue per unit spent") == "–"
    assert tile(at, "Cost per opportunity") == "–"
    captions = as_shown(" ".join(caption.value for caption in at.caption))
    assert "(channels with spend) adds up no spend" in captions


def test_a_channel_spending_in_two_currencies_says_so_where_its_spend_would_be(
    tmp_path, monkeypatch
):
    # Paid search also spends USD 50.00 on 20 March.
    brand = {**SPEND[0], "date_from": "2026-03-20", "date_to": "", "campaign": "Brand"}
    spend = [*SPEND, brand | {"amount": "50.00", "currency": "USD"}]
    monkeypatch.setenv("REVCYCLE_DB", str(build_march(tmp_path, spend)))
    at = open_page("pages/revenue.py", **PERIOD)
    paid = row(shown_cells(at, "Per opportunity"), "Paid search")
    assert paid["Currency"] == "several"
    assert paid["Spend"] == "not added: several currencies" and paid["CAC"] == "–"
    trade = row(shown_cells(at, "ROI"), "Trade show")
    # Trade show keeps its figures: EUR 1,200.00, and L4's D3 won only in May: ROI -100%.
    assert (trade["Currency"], trade["Spend"], trade["ROI"]) == ("EUR", "1,200", "-100.0%")
    warnings = as_shown(" ".join(warning.value for warning in at.warning))
    said = (
        "The spend of Paid search in the period is in several currencies (EUR: 30 days, USD: 1 day)"
    )
    assert said in warnings


def test_spend_loaded_alone_is_shown_over_its_own_days(tmp_path, monkeypatch):
    # The first upload over the sample may be an ad platform's spend, before any lead or deal:
    # the period presets then end on the spend's last day (31 March), not today, so the cost
    # table holds it (Paid search 1,000.00 over March, Trade show 1,200.00 on 10 March).
    con = connect(tmp_path / "spend.duckdb")
    try:
        load_spend(con, write_export(tmp_path / "spend.csv", "spend", SPEND))
    finally:
        con.close()
    monkeypatch.setenv("REVCYCLE_DB", str(tmp_path / "spend.duckdb"))
    at = open_page("pages/revenue.py")
    captions = " ".join(caption.value for caption in at.caption)
    assert "01 Mar 2026 – 31 Mar 2026" in captions
    costs = shown_cells(at, "Per opportunity (€)")
    assert row(costs, "Paid search")["Spend (€)"] == "1,000"
    assert row(costs, "Trade show")["Spend (€)"] == "1,200"
    assert row(costs, "(channels with spend)")["Spend (€)"] == "2,200"


def test_leads_and_spend_without_deals_show_what_each_lead_cost(tmp_path, monkeypatch):
    # Marketing's exports before sales' deals: the cost of each lead, MQL and SQL is known, the
    # opportunities, customers and revenue are not (never 0).
    con = connect(tmp_path / "no_deals.duckdb")
    try:
        build(con, {"leads": write_export(tmp_path / "leads.csv", "leads", LEADS)})
        build(con, {"spend": write_export(tmp_path / "spend.csv", "spend", SPEND)})
    finally:
        con.close()
    monkeypatch.setenv("REVCYCLE_DB", str(tmp_path / "no_deals.duckdb"))
    at = open_page("pages/revenue.py", **PERIOD)
    assert "Cost per channel" in [header.value for header in at.header]
    costs = shown_cells(at, "Per lead (€)")
    # Paid search: 967.74 over 2-31 March, 3 leads (322.58), 1 MQL and 1 SQL (L1).
    paid = row(costs, "Paid search")
    assert (paid["Spend (€)"], paid["Leads"], paid["Per lead (€)"]) == ("968", "3", "323")
    assert (paid["Per MQL (€)"], paid["Per SQL (€)"]) == ("968", "968")
    assert (paid["Per opportunity (€)"], paid["Customers"], paid["CAC (€)"]) == ("–", "–", "–")
    # Both paid channels: 2,167.74 over 4 leads = 541.94.
    assert row(costs, "(channels with spend)")["Per lead (€)"] == "542"
    captions = as_shown(" ".join(caption.value for caption in at.caption))
    said = "No cost per opportunity or CAC for Trade show, Paid search: no deals export is loaded."
    assert said in captions
    assert not [frame for frame in at.dataframe if "ROI" in frame.value.columns]


def test_the_data_driven_model_is_said_to_be_untrustworthy_on_thin_data(march_file, monkeypatch):
    monkeypatch.setenv("REVCYCLE_DB", str(march_file))
    at = open_page("pages/revenue.py", **PERIOD, roi_model="markov")
    # Two deals won in March (D1, D4): far fewer than the 300 converting journeys it needs.
    warnings = " ".join(warning.value for warning in at.warning)
    assert "not to be trusted" in warnings and "journeys ended in a win" in warnings
