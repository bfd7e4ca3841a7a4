"""Won and open deals the export gives no amount (HubSpot leaves Amount blank until someone
fills it in): they count as deals, add nothing to a sum of money, and every place that shows
such a sum says how many it leaves out. A sum over deals none of which has an amount is
unknown ("–", "no amount"), never 0.

Three leads came in on 1 March 2026, in EUR:
- L1 (Paid search): D1 won 10 March for 1,000.00; D2 won 11 March, no amount.
- L2 (Email): D3 won 12 March, no amount; D4 open since 5 March, no amount.
- L3 (Referral): D5 open since 6 March, 400.00.
So March has 3 won deals (2 without an amount) worth 1,000.00, and 2 open deals (1 without)
worth 400.00. Email's won revenue and open pipeline are unknown. Over March, Google Ads
(Paid search) spent 310.00 and the newsletter (Email) 100.00.
"""

import datetime
import functools

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from revcycle.__main__ import main
from revcycle.db import connect, execute
from revcycle.deal_gaps import without_amount
from revcycle.meeting import numbers, pack, week_view
from revcycle.meeting.week import Week
from revcycle.roi import report as roi_report
from tests.conftest import building, inputs_key, made_copy, metric, write_export
from tests.test_missing_exports import open_page, tiles
from tests.test_screen import as_shown, shown_cells

MARCH = {"start_date": datetime.date(2026, 3, 1), "end_date": datetime.date(2026, 3, 31)}
W11 = Week(2026, 11)  # Monday 9 – Sunday 15 March 2026

LEADS = [
    {"lead_id": "L1", "created_at": "2026-03-01 09:00:00", "channel": "Paid search"},
    {"lead_id": "L2", "created_at": "2026-03-01 10:00:00", "channel": "Email"},
    {"lead_id": "L3", "created_at": "2026-03-01 11:00:00", "channel": "Referral"},
]
DEALS = (
    "deal_id,lead_id,created_at,stage,closed_at,amount,currency\n"
    "D1,L1,2026-03-02 09:00:00,Closed Won,2026-03-10 09:00:00,1000.00,EUR\n"
    "D2,L1,2026-03-03 09:00:00,Closed Won,2026-03-11 09:00:00,,EUR\n"
    "D3,L2,2026-03-04 09:00:00,Closed Won,2026-03-12 09:00:00,,EUR\n"
    "D4,L2,2026-03-05 09:00:00,Negotiation,,,EUR\n"
    "D5,L3,2026-03-06 09:00:00,Negotiation,,400.00,EUR\n"
)
SPEND = [
    {
        "date_from": "2026-03-01",
        "date_to": "2026-03-31",
        "source": "Google Ads",
        "campaign": "Generic keywords",
        "amount": "310.00",
        "currency": "EUR",
    },
    {
        "date_from": "2026-03-01",
        "date_to": "2026-03-31",
        "source": "Email",
        "campaign": "Newsletter",
        "amount": "100.00",
        "currency": "EUR",
    },
]
WON_SAID = (
    "2 of the 3 won deals in the period have no amount in the export: the won revenue leaves "
    "them out."
)
OPEN_SAID = (
    "1 of the 2 open deals created in the period has no amount in the export: the open "
    "pipeline leaves it out."
)
EMAIL_WON_SAID = (
    "The won deal in the period has no amount in the export, so the won revenue cannot be "
    "measured: export the deals with their amount."
)


@pytest.fixture
def database(tmp_path, built_databases):
    """The leads, deals and spend above, built once a session."""
    return built_with(DEALS, tmp_path, built_databases)


def built_with(deals_text: str, tmp_path, built_databases):
    """A copy of the database built from LEADS, ``deals_text`` and SPEND."""
    (deals := tmp_path / "deals.csv").write_text(deals_text, encoding="utf-8")
    exports = {
        kind: write_export(tmp_path / f"{kind}.csv", kind, rows)
        for kind, rows in (("leads", LEADS), ("spend", SPEND))
    }
    exports["deals"] = deals
    key = "without-amount-" + inputs_key(exports)
    return made_copy(built_databases, key, building(exports), tmp_path / "amounts.duckdb")


@pytest.fixture
def con(database):
    connection = connect(database)
    yield connection
    connection.close()


def test_the_sentence_counts_the_deals_without_an_amount_and_says_when_none_has_one():
    deals = ("won deal in the period", "won deals in the period")
    assert without_amount(0, 3, deals, "the won revenue") is None
    assert without_amount(1, 3, deals, "the won revenue") == (
        "1 of the 3 won deals in the period has no amount in the export: the won revenue "
        "leaves it out."
    )
    assert without_amount(2, 2, deals, "the won revenue") == (
        "None of the 2 won deals in the period has an amount in the export, so the won revenue "
        "cannot be measured: export the deals with their amount."
    )
    assert without_amount(1, 1, deals, "the won revenue") == EMAIL_WON_SAID


def test_revenue_counts_the_deals_without_an_amount_and_leaves_unknown_sums_blank(con):
    revenue = metric(con, "revenue_by_channel", **MARCH).set_index("channel")
    total = revenue.loc["(all channels)"]
    assert (total["won_revenue"], total["count_won_deals"]) == (1000, 3)
    assert total["count_won_without_amount"] == 2
    assert total["average_won_deal"] == 1000  # over D1, the one win with an amount
    assert (total["open_pipeline"], total["count_open_deals"]) == (400, 2)
    assert total["count_open_without_amount"] == 1
    paid = revenue.loc["Paid search"]
    assert (paid["won_revenue"], paid["count_won_without_amount"]) == (1000, 1)
    email = revenue.loc["Email"]  # D3 won and D4 open, neither with an amount: unknown
    assert (email["count_won_deals"], email["count_open_deals"]) == (1, 1)
    assert email[["won_revenue", "open_pipeline", "average_won_deal"]].isna().all()
    referral = revenue.loc["Referral"]  # no win: 0 won is true
    assert (referral["won_revenue"], referral["open_pipeline"]) == (0, 400)


def test_a_currency_whose_wins_have_no_amount_has_no_won_revenue(
    tmp_path, built_databases, monkeypatch
):
    # In USD: D6 (Referral's L3), won on 13 March, has no amount; D7 (Paid search's L1) won
    # 50.00 on 14 March. The EUR deals are as above.
    usd = (
        "D6,L3,2026-03-07 09:00:00,Closed Won,2026-03-13 09:00:00,,USD\n"
        "D7,L1,2026-03-07 09:00:00,Closed Won,2026-03-14 09:00:00,50.00,USD\n"
    )
    database = built_with(DEALS + usd, tmp_path, built_databases)
    con = connect(database)
    try:
        sums = metric(con, "revenue_by_currency", **MARCH, default_currency=None)
    finally:
        con.close()
    totals = sums[sums["is_total"]].set_index("currency")
    assert (totals.at["EUR", "won_revenue"], totals.at["EUR", "count_won_deals"]) == (1000, 3)
    assert (totals.at["USD", "won_revenue"], totals.at["USD", "count_won_deals"]) == (50, 2)
    referral = sums[~sums["is_total"] & (sums["channel"] == "Referral")].set_index("currency")
    assert pd.isna(referral.at["USD", "won_revenue"])
    assert referral.at["EUR", "open_pipeline"] == 400
    monkeypatch.setenv("REVCYCLE_DB", str(database))
    at = open_page("pages/revenue.py")
    # The first table with a Currency column is each currency's totals.
    totals_shown = shown_cells(at, "Currency").set_index("Currency")
    assert totals_shown.at["USD", "Won revenue"] == "50.00"
    tables = [table for table in at.dataframe if {"Channel", "Currency"} <= set(table.value)]
    per_channel = tables[0].value.set_index(["Channel", "Currency"])
    assert pd.isna(per_channel.at[("Referral", "USD"), "Won revenue"])  # unknown, not 0


def captions(at: AppTest) -> list[str]:
    """The captions as they read on screen (format.plain escapes Markdown's characters)."""
    return [as_shown(caption.value) for caption in at.caption]


def test_the_overview_and_revenue_page_say_what_their_sums_leave_out(database, monkeypatch):
    monkeypatch.setenv("REVCYCLE_DB", str(database))
    for path in ("dashboard.py", "pages/revenue.py"):
        at = open_page(path)
        assert WON_SAID in captions(at) and OPEN_SAID in captions(at), path
        assert tiles(at)["Won revenue"] == "€1,000.00", path
    assert tiles(at)["Open pipeline"] == "€400.00"
    table = shown_cells(at, "Win rate").set_index("Channel")
    assert table.loc["Email", "Won revenue (€)"] == "no amount"
    assert table.loc["Email", "Open pipeline (€)"] == "no amount"
    assert table.loc["Paid search", "Won revenue (€)"] == "1,000.00"
    assert table.loc["Referral", "Won revenue (€)"] == "0.00"


def test_a_view_whose_wins_have_no_amount_shows_no_revenue_not_zero(database, monkeypatch):
    monkeypatch.setenv("REVCYCLE_DB", str(database))
    at = open_page("dashboard.py", channel="Email")
    assert tiles(at)["Won revenue"] == "–" and tiles(at)["Won deals"] == "1"
    assert EMAIL_WON_SAID in captions(at)
    at = open_page("pages/revenue.py", channel="Email")
    assert tiles(at)["Won revenue"] == "–" and tiles(at)["Open pipeline"] == "–"


def test_the_meeting_says_which_wins_of_the_week_have_no_amount(con):
    query = functools.partial(execute, con)
    week = numbers.week_tiles(query, W11, {}).set_index("metric")
    said = (
        "2 of the 3 won deals of the week have no amount in the export: the won revenue leaves "
        "them out."
    )
    assert week.at["won_revenue", "this_week"] == 1000
    assert week.at["won_revenue", "partly_unmeasured"] == said
    email = numbers.week_tiles(query, W11, {"channels": ["Email"]}).set_index("metric")
    assert pd.isna(email.at["won_revenue", "this_week"])
    assert email.at["won_revenue", "cannot_measure"] == (
        "The won deal of the week has no amount in the export, so the won revenue cannot be "
        "measured: export the deals with their amount."
    )
    meeting = week_view.gather(query, con, W11, {}, datetime.date(2026, 3, 16))
    assert said in pack.render(meeting, datetime.datetime(2026, 3, 16, 9, 0))


def test_attribution_says_which_credited_deals_have_no_amount(database, monkeypatch, capsys):
    monkeypatch.setenv("REVCYCLE_DB", str(database))
    assert main(["attribution", "--start", "2026-03-01", "--end", "2026-03-31"]) == 0
    out, err = capsys.readouterr()
    said = (
        "2 of the 3 deals won in the period have no amount in the export: each channel's "
        "credited amount leaves them out."
    )
    assert f"note: {said}" in err.splitlines()
    assert out.splitlines()[-1].split() == ["total", "3.00", "1,000.00"]
    at = open_page("pages/attribution.py")
    assert said in captions(at)
    assert tiles(at)["Won revenue credited"] == "€1,000.00"
    at = open_page("pages/attribution.py", basis="pipeline", channel="Email")
    # Both open deals are credited (the channel filter chooses the channels shown), D4 has
    # no amount.
    assert (
        "1 of the 2 open deals created in the period has no amount in the export: each "
        "channel's credited amount leaves it out."
    ) in captions(at)


def test_cost_and_return_say_which_won_deals_have_no_amount(database, monkeypatch, capsys):
    monkeypatch.setenv("REVCYCLE_DB", str(database))
    said = (
        "2 of the 3 deals won in the period have no amount in the export: the won revenue (and "
        "so ROAS, ROI and payback) leaves them out."
    )
    open_said = (
        "1 of the 2 open deals created in the period has no amount in the export: the pipeline "
        "(and so pipeline per unit spent) leaves it out."
    )
    assert main(["roi", "--start", "2026-03-01", "--end", "2026-03-31"]) == 0
    notes = capsys.readouterr().err.splitlines()
    assert f"note: {said}" in notes and f"note: {open_said}" in notes
    shown = captions(open_page("pages/revenue.py"))
    assert said in shown and open_said in shown


@pytest.mark.parametrize("model", ["lead_source", "linear"])
def test_a_channel_whose_wins_have_no_amount_has_no_return_not_minus_100_percent(con, model):
    query = functools.partial(execute, con)
    rows = roi_report.per_channel(query, model, MARCH["start_date"], MARCH["end_date"]).rows
    rows = rows.set_index("channel")
    # Paid search: 1,000.00 won (D2 has no amount) against 310.00: (1,000 - 310) / 310.
    assert rows.at["Paid search", "won_cents"] == 100_000
    assert rows.at["Paid search", "roi"] == pytest.approx(690 / 310)
    # Email won D3 and spent 100.00: what D3 brought is unknown, so no ROAS, ROI or payback.
    assert pd.isna(rows.at["Email", "won_cents"]) and rows.at["Email", "spend_cents"] == 10_000
    assert rows.loc["Email", ["won_per_spent", "roi", "payback_months", "payback"]].isna().all()
    # The channels with spend: 410.00 spent, and the 1,000.00 known won, as the notes say.
    total = rows.loc["(channels with spend)"]
    assert (total["spend_cents"], total["won_cents"]) == (41_000, 100_000)
    assert total["roi"] == pytest.approx(590 / 410)


MARCH_ARGS = ["--start", "2026-03-01", "--end", "2026-03-31"]


def march_credit_csv(capsys) -> list[str]:
    """`attribution --format csv` over March, on $REVCYCLE_DB: its lines."""
    assert main(["attribution", *MARCH_ARGS, "--format", "csv"]) == 0
    return capsys.readouterr().out.splitlines()


def test_a_channel_credited_only_deals_without_an_amount_says_so(database, monkeypatch, capsys):
    # No touches are loaded: each deal's journey is its lead's source. Email is credited D3
    # alone, which has no amount; Paid search D1 (1,000.00) and D2 (none).
    monkeypatch.setenv("REVCYCLE_DB", str(database))
    assert march_credit_csv(capsys) == [
        "channel,credited_deals,credited_amount,share",
        "Paid search,2.0,1000.00,1.0",
        "Email,1.0,,0.0",
    ]
    assert main(["attribution", *MARCH_ARGS]) == 0
    table = capsys.readouterr().out.splitlines()
    assert table[3].split() == ["Email", "1.00", "no", "amount", "0.0%"]
    at = open_page("pages/attribution.py")
    cells = shown_cells(at, "Credited deals").set_index("Channel")
    assert cells.loc["Email", "Credited amount (€)"] == "no amount"
    assert cells.loc["Paid search", "Credited amount (€)"] == "1,000.00"  # to the cent
    # Every model side by side: each credits Email D3 alone, so none knows its amount.
    side_by_side = shown_cells(at, "First touch (€)").set_index("Channel")
    assert side_by_side.loc["Email", ["First touch (€)", "Linear (€)"]].tolist() == [
        "no amount",
        "no amount",
    ]
    assert side_by_side.loc["Paid search", "Linear (€)"] == "1,000.00"


# Email's won deal D3 in dollars, and Referral's D6 won in dollars for 10.00: amounts in two
# currencies, credited per currency. Email is credited D3 alone, which has no amount.
DEALS_IN_TWO_CURRENCIES = (
    "deal_id,lead_id,created_at,stage,closed_at,amount,currency\n"
    "D1,L1,2026-03-02 09:00:00,Closed Won,2026-03-10 09:00:00,1000.00,EUR\n"
    "D2,L1,2026-03-03 09:00:00,Closed Won,2026-03-11 09:00:00,,EUR\n"
    "D3,L2,2026-03-04 09:00:00,Closed Won,2026-03-12 09:00:00,,USD\n"
    "D6,L3,2026-03-06 09:00:00,Closed Won,2026-03-13 09:00:00,10.00,USD\n"
)


def test_a_channel_credited_only_deals_without_an_amount_says_so_in_each_currency(
    tmp_path, built_databases, monkeypatch, capsys
):
    # Each currency's credit apart: Email's dollars are unknown, never 0.00 (they were 0.00
    # on the command line, in its CSV, and in both tables of the page).
    monkeypatch.setenv(
        "REVCYCLE_DB", str(built_with(DEALS_IN_TWO_CURRENCIES, tmp_path, built_databases))
    )
    assert march_credit_csv(capsys) == [
        "channel,currency,credited_deals,credited_amount,share",
        "Paid search,EUR,2.0,1000.00,1.0",
        "Referral,USD,1.0,10.00,1.0",
        "Email,USD,1.0,,0.0",
    ]
    at = open_page("pages/attribution.py")
    per_currency = shown_cells(at, "Currency").set_index(["Channel", "Currency"])
    assert per_currency.loc[("Email", "USD"), "Credited amount"] == "no amount"
    assert per_currency.loc[("Referral", "USD"), "Credited amount"] == "10.00"
    side_by_side = shown_cells(at, "First touch").set_index(["Channel", "Currency"])
    # No touches are loaded: every model credits each deal to its lead's source.
    assert side_by_side.loc[("Email", "USD"), ["First touch", "Linear"]].tolist() == [
        "no amount",
        "no amount",
    ]
    assert side_by_side.loc[("Paid search", "EUR"), "First touch"] == "1,000.00"


def test_a_report_on_a_database_built_by_older_queries_says_to_rebuild(
    database, monkeypatch, capsys
):
    older = connect(database)
    older.execute("update build_info set queries_sha256 = 'older'")
    older.close()
    monkeypatch.setenv("REVCYCLE_DB", str(database))
    assert main(["attribution"]) == 1
    err = capsys.readouterr().err
    assert "was built by an earlier version of Revcycle" in err
    assert "`python -m revcycle build`" in err
