"""Cost and return when the deals' amounts are in several currencies: each channel is judged by
the currency of the won revenue credited to it, never by the data's as a whole. The leads and
the spend are tests/test_roi.py's March (Paid search EUR 1,000.00 over March, Trade show EUR
1,200.00 on 10 March); the deals are its own, in two currencies:

- Paid search: L1's D1 won 20 March, EUR 3,000.00; L2's D2 still open, USD 500.00.
- Trade show: L4's D3 won 15 March, EUR 800.00, and its D5 won 18 March, USD 100.00.
- Organic search (no spend): L5's D4 won 25 March, USD 2,000.00.

Every expected figure below is worked out by hand from these rows.
"""

import functools

import pytest

from revcycle.__main__ import main
from revcycle.build import build
from revcycle.db import connect, execute
from revcycle.roi import report
from tests.conftest import write_export
from tests.test_pages import open_page
from tests.test_roi import END, LEADS, MARCH, SPEND, START
from tests.test_roi_pages import row, table, tile
from tests.test_screen import as_shown, shown_cells


def deal(deal_id, lead_id, created, closed, amount, currency, stage="Closed Won"):
    return {
        "deal_id": deal_id,
        "lead_id": lead_id,
        "created_at": f"{created} 10:00:00",
        "closed_at": f"{closed} 10:00:00" if closed else "",
        "stage": stage if closed else "Proposal",
        "amount": amount,
        "currency": currency,
    }


DEALS = [
    deal("D1", "L1", "2026-03-05", "2026-03-20", "3000.00", "EUR"),
    deal("D2", "L2", "2026-03-06", None, "500.00", "USD"),
    deal("D3", "L4", "2026-03-11", "2026-03-15", "800.00", "EUR"),
    deal("D5", "L4", "2026-03-12", "2026-03-18", "100.00", "USD"),
    deal("D4", "L5", "2026-03-13", "2026-03-25", "2000.00", "USD"),
]
# L3 (Paid search, 4 March) wins in April, in dollars: not in March's revenue, but in what the
# period's leads brought in since, which payback adds up.
LATER_IN_DOLLARS = deal("D6", "L3", "2026-03-07", "2026-04-10", "50.00", "USD")


def built(folder, deals=DEALS, spend=SPEND, leads=LEADS):
    path = folder / "currencies.duckdb"
    con = connect(path)
    try:
        build(
            con,
            {
                "leads": write_export(folder / "leads.csv", "leads", leads),
                "deals": write_export(folder / "deals.csv", "deals", deals),
                "spend": write_export(folder / "spend.csv", "spend", spend),
            },
        )
    finally:
        con.close()
    return path


def figures(path, model="lead_source"):
    con = connect(path)
    try:
        return report.per_channel(functools.partial(execute, con), model, START, END)
    finally:
        con.close()


@pytest.fixture(scope="module")
def two_currencies(tmp_path_factory):
    return built(tmp_path_factory.mktemp("roi_currencies"))


@pytest.mark.parametrize("model", ["lead_source", "first", "linear"])
def test_a_channel_won_in_its_spends_currency_gets_its_return(two_currencies, model):
    # No touches loaded: every model credits each deal to its lead's source.
    found = figures(two_currencies, model)
    paid = found.rows.set_index("channel").loc["Paid search"]
    # D1's EUR 3,000.00 against EUR 1,000.00: ROAS 3, ROI (3,000 - 1,000) / 1,000 = 2.
    assert paid["won_cents"] == 300_000 and paid["won_currency"] == "EUR"
    assert paid["is_returnable"]
    assert paid["won_per_spent"] == pytest.approx(3.0)
    assert paid["roi"] == pytest.approx(2.0)
    # Its pipeline is D2's USD 500.00: not set against euros.
    assert str(paid["pipeline_cents"]) == "<NA>"
    assert paid["pipeline_per_spent"] != paid["pipeline_per_spent"]
    assert not any("revenue is not set against spend" in said for said in found.refusals)


def test_a_channel_won_in_two_currencies_has_no_won_revenue_or_return(two_currencies):
    found = figures(two_currencies)
    rows = found.rows.set_index("channel")
    trade = rows.loc["Trade show"]
    # EUR 800.00 and USD 100.00 are never added: no won revenue, ROAS or ROI.
    assert str(trade["won_cents"]) == "<NA>" and trade["count_won_currencies"] == 2
    assert not trade["is_returnable"] and trade["roi"] != trade["roi"]
    assert trade["spend_cents"] == 120_000  # its spend and costs still stand: 1,200.00
    # L4 with two deals is one opportunity, and one new customer: 1,200.00 each.
    assert trade["cost_per_opportunity"] == pytest.approx(1200.0)
    said = (
        "The won revenue credited to Trade show in the period is in several currencies (EUR "
        "and USD). Revcycle does not add amounts in different currencies, so no won revenue, "
        "ROAS, ROI or payback is shown for it."
    )
    assert said in found.refusals
    assert (
        "The pipeline of Paid search is not all in the currency of its spend, so no pipeline "
        "per unit spent is shown for it."
    ) in found.refusals
    # Organic search spent nothing; its won revenue, USD 2,000.00, shows in dollars.
    organic = rows.loc["Organic search"]
    assert organic["currency"] == "USD" and organic["won_cents"] == 200_000
    # The channels with spend: EUR 2,200.00, but Trade show's return is unknown, so theirs is.
    total = rows.loc[report.TOTAL]
    assert total["spend_cents"] == 220_000 and total["currency"] == "EUR"
    assert not total["is_returnable"] and total["roi"] != total["roi"]


def test_payback_is_reached_in_the_spends_currency(two_currencies):
    paid = figures(two_currencies).rows.set_index("channel").loc["Paid search"]
    # D1's 3,000.00 on 20 March passes the 1,000.00: 19 days after 1 March, 19 / 30.4375.
    assert paid["payback_months"] == pytest.approx(19 / 30.4375)


def test_payback_over_leads_that_won_in_another_currency_is_not_given(tmp_path):
    found = figures(built(tmp_path, [*DEALS, LATER_IN_DOLLARS]))
    paid = found.rows.set_index("channel").loc["Paid search"]
    # March alone is unchanged (D6 is won in April): ROI 2. Since then L3 won USD 50.00, which
    # cannot be added to D1's euros, so the day the spend was paid back is not known.
    assert paid["roi"] == pytest.approx(2.0)
    assert paid["payback"] is None and paid["payback_months"] != paid["payback_months"]
    assert any(note.startswith("No payback for Paid search: ") for note in found.notes)


def test_spend_in_another_currency_than_a_channels_won_revenue_refuses_its_return(tmp_path):
    in_dollars = [{**SPEND[0], "currency": "USD"}, SPEND[1]]
    found = figures(built(tmp_path, spend=in_dollars))
    paid = found.rows.set_index("channel").loc["Paid search"]
    assert paid["currency"] == "USD" and not paid["is_returnable"]
    assert paid["roi"] != paid["roi"] and paid["cost_per_lead"] == pytest.approx(1000 / 3)
    said = "The spend of Paid search is in USD, the won revenue credited to it in EUR."
    assert any(refusal.startswith(said) for refusal in found.refusals)


def test_the_roi_command_shows_each_channels_return_in_its_currency(
    two_currencies, monkeypatch, capsys
):
    monkeypatch.setenv("REVCYCLE_DB", str(two_currencies))
    assert main(["roi", "--format", "csv", "--start", MARCH[0], "--end", MARCH[1]]) == 0
    out, err = capsys.readouterr()
    lines = out.splitlines()
    # Trade show: L4 and its first deal, won; nothing of its won revenue added: empty cells.
    assert "Trade show,1200.00,EUR,1,1,1,,1200.00,1200.00,1200.00,,,,," in lines
    # Paid search: 1,000 / 3 leads = 333.33, / 2 opportunities = 500.00; CAC 1,000 / 1.
    # Its pipeline is D2's dollars: none beside the euros; paid back on 20 March (0.6 months).
    paid = "Paid search,1000.00,EUR,3,2,1,3000.00,333.33,500.00,1000.00,2.0,,3.0,,0.6 months"
    assert paid in lines
    assert "Organic search,,USD,1,1,1,2000.00,,,,,0.00,,," in lines
    # The channels with spend: 2,200 / 4 leads, / 3 opportunities, / 2 customers; no return.
    assert "(channels with spend),2200.00,EUR,4,3,2,,550.00,733.33,1100.00,,,,," in lines
    assert "Trade show in the period is in several currencies (EUR and USD)" in err


def test_the_revenue_page_sets_revenue_against_spend_per_channel(two_currencies, monkeypatch):
    monkeypatch.setenv("REVCYCLE_DB", str(two_currencies))
    at = open_page("pages/revenue.py", preset="Custom", period=["2026-03-02", "2026-03-31"])
    returns = table(at, "ROI")
    # 2-31 March hold 967.74 of Paid search's euros (tests/test_roi_pages.py):
    # (3,000 - 967.74) / 967.74.
    assert row(returns, "Paid search")["ROI"] == pytest.approx(2032.26 / 967.74)
    assert row(returns, "Paid search")["Won revenue (€)"] == pytest.approx(3000.0)
    shown = shown_cells(at, "ROI").set_index("Channel")
    assert shown.loc["Trade show", "ROI"] == "–"
    # Organic search's USD 2,000.00 is never shown as euros.
    assert shown.loc["Organic search", "Won revenue (€)"] == "–"
    warnings = as_shown(" ".join(warning.value for warning in at.warning))
    assert "Trade show in the period is in several currencies (EUR and USD)" in warnings
    # The Overview's tiles add up the channels with spend: Trade show's return is unknown.
    overview = open_page("dashboard.py", preset="Custom", period=["2026-03-02", "2026-03-31"])
    assert tile(overview, "Won revenue per € spent") == "–"


def test_a_channel_without_spend_says_why_its_won_revenue_is_not_shown(tmp_path, monkeypatch):
    # L5 (Organic search) also wins EUR 70.00 on 27 March, beside its USD 2,000.00; L6, a
    # referral on 20 March, wins nothing.
    euros = deal("D7", "L5", "2026-03-14", "2026-03-27", "70.00", "EUR")
    referral = {"lead_id": "L6", "created_at": "2026-03-20 09:00:00", "channel": "Referral"}
    path = built(tmp_path, [*DEALS, euros], leads=[*LEADS, referral])
    found = figures(path)
    rows = found.rows.set_index("channel")
    assert str(rows.loc["Organic search", "won_cents"]) == "<NA>"
    said = (
        "No won revenue is shown for Organic search: what was credited to it in the period is "
        "in several currencies, which are never added (the revenue page lists its sums per "
        "currency)."
    )
    # A note, not a warning: with no spend, it has no return to refuse.
    assert said in found.notes and not any("Organic search" in r for r in found.refusals)
    monkeypatch.setenv("REVCYCLE_DB", str(path))
    at = open_page("pages/revenue.py", preset="Custom", period=["2026-03-02", "2026-03-31"])
    shown = shown_cells(at, "ROI").set_index("Channel")
    # Referral won nothing: 0, in whichever currency; Organic search's sum is not shown.
    assert shown.loc["Referral", "Won revenue (€)"] == "0"
    assert shown.loc["Organic search", "Won revenue (€)"] == "–"
    assert said in " ".join(as_shown(caption.value) for caption in at.caption)
