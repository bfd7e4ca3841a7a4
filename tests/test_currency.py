"""Currency is never assumed: amounts carry the currency the deals state (or the setting names,
for deals that state none), sums over several currencies are refused, and amounts of unknown
currency are plain numbers."""

import base64
import functools
import json
import logging
from datetime import date, datetime
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from revcycle import settings
from revcycle.build import build
from revcycle.db import connect, execute
from revcycle.importer import problems as codes
from revcycle.importer.touches import Arriving
from revcycle.importer.validate import prepare
from revcycle.meeting import numbers, pack, week_view
from revcycle.meeting.week import Week
from revcycle.paths import REPO_ROOT
from tests.conftest import building, connect_built, inputs_key, made_copy, write_export
from tests.support.injection import unescaped
from tests.test_cli_load import revcycle  # noqa: F401 (a fixture, used by name)

# Each deal has its own lead: the period's end is the latest lead's first win.
LEADS = [
    {"lead_id": "L1", "created_at": "2026-03-02 09:00:00", "channel": "Referral"},
    {"lead_id": "L2", "created_at": "2026-03-02 09:00:00", "channel": "Referral"},
]


def deals(first_currency: str, second_currency: str) -> list[dict]:
    """Two won deals in March, L1's 1,000.00 and L2's 500.00, in the currencies given."""
    won = {"stage": "Closed Won"}
    return [
        won
        | {
            "lead_id": "L1",
            "deal_id": "D1",
            "created_at": "2026-03-05 09:00:00",
            "closed_at": "2026-03-10 09:00:00",
        }
        | {"amount": "1000.00", "currency": first_currency},
        won
        | {
            "lead_id": "L2",
            "deal_id": "D2",
            "created_at": "2026-03-06 09:00:00",
            "closed_at": "2026-03-09 09:00:00",
        }
        | {"amount": "500.00", "currency": second_currency},
    ]


def built(tmp_path, built_databases, first_currency: str, second_currency: str):
    """A connection to, and the path of, a database of LEADS and the two deals in the
    currencies given: built once a session for each pair, copied for each test."""
    path = tmp_path / "currency.duckdb"
    exports = {
        "leads": write_export(tmp_path / "leads.csv", "leads", LEADS),
        "deals": write_export(
            tmp_path / "deals.csv", "deals", deals(first_currency, second_currency)
        ),
    }
    return connect_built(exports, path, built_databases), path


@pytest.mark.parametrize(
    ("stated", "setting", "expected"),
    [
        (("EUR", "eur"), None, (1, "EUR", "EUR: 2 deals")),  # codes are upper-cased
        (("EUR", "USD"), None, (2, None, "EUR: 1 deal, USD: 1 deal")),
        (("", ""), None, (1, None, "no currency stated: 2 deals")),
        (("", ""), "BRL", (1, "BRL", "BRL: 2 deals")),
        # The setting covers only deals that state none: here it makes a second currency.
        (("EUR", ""), "USD", (2, None, "EUR: 1 deal, USD: 1 deal")),
        (("EUR", ""), None, (2, None, "EUR: 1 deal, no currency stated: 1 deal")),
    ],
)
def test_the_amounts_currency_is_what_the_data_or_the_setting_says(
    tmp_path, built_databases, stated, setting, expected
):
    con, _ = built(tmp_path, built_databases, *stated)
    row = execute(con, "metrics/amount_currencies", default_currency=setting).iloc[0]
    con.close()
    assert (row["count_currencies"], row["currency"], row["currencies_listed"]) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [("", None), (" usd ", "USD"), ("BRL", "BRL"), ("euro", None), ("EUT", None), ("$", None)],
)
def test_the_currency_setting_is_an_iso_code_or_nothing(monkeypatch, value, expected):
    # EUT has three letters, and is no ISO 4217 code: a typo of EUR, not a currency.
    monkeypatch.setenv(settings.CURRENCY_VARIABLE, value)
    assert settings.currency() == expected


SPEND_OF_NO_CURRENCY = (
    "Day,Campaign,Cost\n2026-03-02,Brand,100.00\n2026-03-03,Brand,50.00\n2026-03-04,Brand,\n"
)


def _unstated(prepared) -> list[str]:
    return [p.reason for p in prepared.problems if "no currency (nor does" in p.reason]


@pytest.mark.parametrize(
    ("stated", "said"),
    [
        # Two days of the three have a cost (the third is blank): 2 amounts.
        (("EUR", "EUR"), "while the loaded deals and spend are in EUR:"),
        # One deal each: the tie goes to the first code, CHF, as the example.
        (("USD", "CHF"), "while the loaded deals and spend are in CHF and USD:"),
    ],
)
def test_spend_stating_no_currency_beside_loaded_currencies_is_warned_about(
    tmp_path, built_databases, monkeypatch, stated, said
):
    """Before, a Google Ads report without its Currency code column loaded silently, and the
    ROI pages then refused its channel's sums as "several currencies"."""
    monkeypatch.delenv(settings.CURRENCY_VARIABLE, raising=False)
    con, _ = built(tmp_path, built_databases, *stated)
    spend = tmp_path / "google-ads.csv"
    spend.write_text(SPEND_OF_NO_CURRENCY, encoding="utf-8")
    prepared = prepare(con, spend, kind="spend", constants={"source": "Google Ads"})
    [reason] = _unstated(prepared)
    example = "EUR" if stated == ("EUR", "EUR") else "CHF"
    assert reason.startswith("2 amounts state no currency (nor does REVCYCLE_CURRENCY), " + said)
    assert reason.endswith(f"(currency={example}; on the command line --set currency={example})")
    [problem] = [p for p in prepared.problems if p.reason == reason]
    assert (problem.line, problem.severity, problem.code) == (None, "warning", "missing_column")
    # Said as it should be, or with the setting, it is no longer unknown.
    fixed = {"source": "Google Ads", "currency": example}
    assert _unstated(prepare(con, spend, kind="spend", constants=fixed)) == []
    monkeypatch.setenv(settings.CURRENCY_VARIABLE, "EUR")
    assert _unstated(prepare(con, spend, kind="spend", constants={"source": "Google Ads"})) == []
    con.close()


def test_currencies_arriving_in_the_batch_are_named_as_a_list(tmp_path, monkeypatch):
    """An empty database, and a batch whose deals, checked before this spend, state USD once,
    CHF and EUR twice each: the tie of most rows goes to the first code, CHF."""
    monkeypatch.delenv(settings.CURRENCY_VARIABLE, raising=False)
    con = connect(tmp_path / "empty.duckdb")
    spend = tmp_path / "google-ads.csv"
    spend.write_text(SPEND_OF_NO_CURRENCY, encoding="utf-8")
    batch = Arriving(None, None, (("USD", 1), ("EUR", 2), ("CHF", 2)))
    prepared = prepare(con, spend, kind="spend", constants={"source": "Google Ads"}, arriving=batch)
    [reason] = _unstated(prepared)
    assert reason.startswith(
        "2 amounts state no currency (nor does REVCYCLE_CURRENCY), while the deals and spend "
        "loaded or in this batch are in CHF, EUR and USD:"
    )
    assert reason.endswith("(currency=CHF; on the command line --set currency=CHF)")
    con.close()


def test_no_currency_anywhere_is_no_warning(tmp_path, monkeypatch):
    """A database of amounts in no stated currency shows them as plain numbers, consistently:
    nothing to warn of."""
    monkeypatch.delenv(settings.CURRENCY_VARIABLE, raising=False)
    con = connect(tmp_path / "empty.duckdb")
    spend = tmp_path / "google-ads.csv"
    spend.write_text(SPEND_OF_NO_CURRENCY, encoding="utf-8")
    assert _unstated(prepare(con, spend, kind="spend", constants={"source": "Google Ads"})) == []
    con.close()


def test_a_currency_setting_that_is_no_code_is_said_in_the_log(monkeypatch, caplog):
    monkeypatch.setenv(settings.CURRENCY_VARIABLE, "euro")
    with caplog.at_level(logging.WARNING, logger="revcycle"):
        settings.currency()
    assert (
        "REVCYCLE_CURRENCY is set to 'EURO', which is not a current ISO 4217 currency code"
        in caplog.text
    )


def open_page(path: str, **link) -> AppTest:
    at = AppTest.from_file(str(REPO_ROOT / path), default_timeout=120)
    at.query_params["preset"] = "Custom"
    at.query_params["period"] = ["2026-03-01", "2026-03-31"]
    for name, value in link.items():  # more of the link: channel="Email"
        at.query_params[name] = value
    at.run()
    assert not at.exception, at.exception
    assert not at.error, [error.value for error in at.error]
    return at


@pytest.fixture
def pages_over(tmp_path, built_databases, monkeypatch):
    """Pages over a database of the two deals in the currencies given, with the setting."""

    def make(first_currency: str, second_currency: str, setting: str = ""):
        con, path = built(tmp_path, built_databases, first_currency, second_currency)
        con.close()
        monkeypatch.setenv("REVCYCLE_DB", str(path))
        monkeypatch.setenv(settings.CURRENCY_VARIABLE, setting)

    return make


def plotted(values) -> list:
    """A trace's values as Plotly writes them: a list, or numbers packed as base64 bytes."""
    if isinstance(values, dict):
        return np.frombuffer(base64.b64decode(values["bdata"]), values["dtype"]).tolist()
    return list(values)


def tile(at: AppTest, label: str) -> str:
    return next(metric.value for metric in at.metric if metric.label == label)


def table_columns(at: AppTest) -> list[str]:
    return [column for frame in at.dataframe for column in frame.value.columns]


@pytest.mark.parametrize(
    ("stated", "setting", "won_revenue", "column"),
    [
        (("EUR", "EUR"), "", "€1,500.00", "Won revenue (€)"),  # 1,000 + 500, to the cent
        (("BRL", "BRL"), "", "BRL 1,500.00", "Won revenue (BRL)"),
        (("", ""), "USD", "$1,500.00", "Won revenue ($)"),
        (("", ""), "", "1,500.00", "Won revenue"),  # unknown: no sign, no unit
    ],
)
def test_revenue_is_shown_in_the_currency_the_data_or_setting_says(
    pages_over, stated, setting, won_revenue, column
):
    pages_over(*stated, setting)
    at = open_page("pages/revenue.py")
    assert tile(at, "Won revenue") == won_revenue
    assert column in table_columns(at)
    assert not at.warning


def test_amounts_of_unknown_currency_say_so(pages_over):
    pages_over("", "")
    at = open_page("pages/revenue.py")
    assert any(
        caption.value.startswith("The currency of the amounts is unknown") for caption in at.caption
    )


def test_a_currency_setting_with_a_typo_is_named_rather_than_called_unset(pages_over):
    # The deals state no currency and the setting says EUT, no currency: the amounts are plain
    # numbers (1,000 + 500), and the page names the setting's value, not "not set".
    pages_over("", "", "EUT")
    at = open_page("pages/revenue.py")
    assert tile(at, "Won revenue") == "1,500.00"
    [said] = [
        unescaped(caption.value)
        for caption in at.caption
        if caption.value.startswith("The currency of the amounts is unknown")
    ]
    assert said == (
        "The currency of the amounts is unknown: the deals state none and REVCYCLE_CURRENCY is "
        "set to 'EUT', which is not a current ISO 4217 currency code such as EUR or USD, so "
        "amounts are plain numbers."
    )


def test_revenue_in_two_currencies_is_not_added_up(pages_over):
    pages_over("EUR", "USD")
    at = open_page("pages/revenue.py")
    assert tile(at, "Won revenue") == "–"  # not €1,500, nor 1,500 of anything
    assert tile(at, "Open pipeline") == "–"
    assert tile(at, "Win rate") == "100.0%"  # 2 won of 2 closed: no money, still shown
    warning = unescaped(at.warning[0].value)  # the currencies are the deals' text: escaped
    assert "several currencies (EUR: 1 deal, USD: 1 deal)" in warning
    # Each deal states its currency: there is nothing to give it, nor a setting to make.
    assert "Give each deal its currency" not in warning
    # Sums of money only in the tables per currency, each within its currency.
    per_channel = [frame.value for frame in at.dataframe if "Currency" not in frame.value.columns]
    columns = [column for frame in per_channel for column in frame.columns]
    assert "Won deals" in columns
    assert not [column for column in columns if "revenue" in column or "Velocity" in column]
    # The velocity's table keeps its parts without money, and says why the others are gone.
    velocity = [frame for frame in per_channel if "× Win rate" in frame.columns]
    assert [list(frame.columns) for frame in velocity] == [
        ["Channel", "Deals created", "× Win rate", "÷ Sales cycle"]
    ]
    assert any(
        "the deals are in several currencies, which are never added: only the parts without "
        "money are shown" in caption.value
        for caption in at.caption
    )
    # A chart per currency, each of its own deal: Referral won €1,000.00 (D1) and $500.00 (D2).
    charts = [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]
    drawn = [
        (chart["layout"]["title"]["text"], plotted(trace["y"]), plotted(trace["x"]))
        for chart in charts
        for trace in chart["data"]
    ]
    # Beside each, its weeks: both deals closed in the week of Monday 9 March (D1 on the 10th,
    # D2 on the 9th), each in its own chart. (A legend-only trace has no values.)
    drawn = [(title, y, x) for title, y, x in drawn if y != [None]]
    assert drawn == [
        ("Won revenue by channel, EUR", ["Referral"], [1000.0]),
        ("Won revenue per week, EUR", [1000.0], ["2026-03-09T00:00:00"]),
        ("Won revenue by channel, USD", ["Referral"], [500.0]),
        ("Won revenue per week, USD", [500.0], ["2026-03-09T00:00:00"]),
    ]
    [table] = [frame.value for frame in at.dataframe if "Channel" in frame.value.columns
               and "Currency" in frame.value.columns]  # fmt: skip
    assert table.to_dict("records") == [
        {"Channel": "Referral", "Currency": "EUR", "Won deals": 1, "Won revenue": 1000.0,
         "Open deals": 0, "Open pipeline": 0.0},
        {"Channel": "Referral", "Currency": "USD", "Won deals": 1, "Won revenue": 500.0,
         "Open deals": 0, "Open pipeline": 0.0},
    ]  # fmt: skip


def test_attribution_shows_no_share_of_amounts_in_two_currencies(pages_over):
    # A share of €1,000 and $500 would add euros to dollars: the shares and the spread's share
    # go with the amounts.
    pages_over("EUR", "USD")
    at = open_page("pages/attribution.py")
    # Amounts only in the table per currency, each within its currency.
    per_channel = [frame.value for frame in at.dataframe if "Currency" not in frame.value.columns]
    columns = [column for frame in per_channel for column in frame.columns]
    assert "Credited deals" in columns
    assert not {"Share", "Spread ÷ highest", "Credited amount"} & set(columns)


def test_a_deal_stating_no_currency_beside_one_that_does_is_said_to_need_one(pages_over):
    # D1 in EUR, D2 states none and no setting names one: two currencies, one of them unknown.
    pages_over("EUR", "")
    at = open_page("pages/revenue.py")
    warning = unescaped(at.warning[0].value)
    assert "several currencies (EUR: 1 deal, no currency stated: 1 deal)" in warning
    assert (
        "Give each deal its currency, or set REVCYCLE_CURRENCY for the deals that state none."
        in (warning)
    )


def test_the_overview_refuses_a_won_revenue_over_two_currencies(pages_over):
    pages_over("EUR", "USD")
    at = open_page("dashboard.py")
    assert tile(at, "Won revenue") == "–"
    assert tile(at, "Won deals") == "2"
    assert "several currencies" in at.warning[0].value
    # The weekly won revenue tab: a chart per currency, €1,000.00 and $500.00 in one week.
    charts = [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]
    weekly = [
        (chart["layout"]["title"]["text"], plotted(trace["y"]))
        for chart in charts
        for trace in chart["data"]
        if chart["layout"]["title"]["text"].startswith("Won revenue per week")
    ]
    # (A legend-only trace has no values.)
    assert [(title, y) for title, y in weekly if y != [None]] == [
        ("Won revenue per week, EUR", [1000.0]),
        ("Won revenue per week, USD", [500.0]),
    ]


def test_an_amount_written_in_a_currency_gives_a_blank_currency_and_never_contradicts_it(
    g1_con, tmp_path, monkeypatch
):
    # The currency column is blank but on line 6; the setting is EUR. "£99.00" is pounds: GBP.
    # "USD 1,200.00" is dollars: USD. "$10.00" is some dollar, and the setting's EUR is none:
    # rejected. "1,234.56" writes no currency: the setting's, as before. Line 6 says GBP in
    # its amount and USD in its currency column: rejected, never pounds loaded as dollars.
    monkeypatch.setenv("REVCYCLE_CURRENCY", "EUR")
    export = tmp_path / "deals.csv"
    export.write_text(
        "deal_id,created_at,stage,amount,currency\n"
        'P1,2026-03-05 09:00:00,Won,"£99.00",\n'
        'P2,2026-03-05 09:00:00,Won,"USD 1,200.00",\n'
        'P3,2026-03-05 09:00:00,Won,"$10.00",\n'
        'P4,2026-03-05 09:00:00,Won,"1,234.56",\n'
        'P5,2026-03-05 09:00:00,Won,"GBP 5.00",USD\n',
        encoding="utf-8",
    )
    prepared = prepare(g1_con, export, kind="deals")
    loaded = dict(
        zip(
            prepared.rows.column("deal_id").to_pylist(),
            prepared.rows.column("currency").to_pylist(),
            strict=True,
        )
    )
    assert loaded == {"P1": "GBP", "P2": "USD", "P4": None}  # P4: staging reads it as EUR
    # (The file has won deals and no close date column: a warning of its own, left aside.)
    mismatches = [p for p in prepared.problems if p.code != codes.NO_CLOSE_DATE]
    assert [(p.line, p.code, p.value, p.reason) for p in mismatches] == [
        (
            4,
            codes.CURRENCY_MISMATCH,
            "$10.00",
            "the amount is written in $, but the row's currency is EUR (the REVCYCLE_CURRENCY "
            "setting); give each row its own currency in a currency column",
        ),
        (
            6,
            codes.CURRENCY_MISMATCH,
            "GBP 5.00",
            "the amount is written in GBP, but the row's currency is USD; give each row its own "
            "currency in a currency column",
        ),
    ]


def test_a_dollar_amount_with_no_currency_known_loads_with_its_currency_unknown(
    g1_con, tmp_path, monkeypatch
):
    # A US org's opportunities report writes "$1,500.00" and has no currency column, and no
    # REVCYCLE_CURRENCY is set: "$" is one of several currencies, none is known, so nothing
    # contradicts it. The rows load with no currency, as "1,500.00" would; the amounts are
    # read as written. (Every row was rejected: "the row's currency is None".)
    monkeypatch.delenv("REVCYCLE_CURRENCY", raising=False)
    export = tmp_path / "sf_opps.csv"
    export.write_text(
        "Opportunity ID,Created Date,Close Date,Stage,Amount\n"
        '006A1,11/10/2026,11/24/2026,Closed Won,"$1,500.00"\n'
        "006A2,11/17/2026,11/26/2026,Closed Won,$99.99\n",
        encoding="utf-8",
    )
    prepared = prepare(g1_con, export, kind="deals")
    assert [p.code for p in prepared.problems if p.severity == codes.ERROR] == []
    assert prepared.rows.select(["deal_id", "amount", "currency"]).to_pylist() == [
        {"deal_id": "006A1", "amount": Decimal("1500.00"), "currency": None},
        {"deal_id": "006A2", "amount": Decimal("99.99"), "currency": None},
    ]


# A Salesforce opportunities report from an org with several currencies, as Salesforce's help
# shows one exported: each currency field has its code in a column of its own beside it, and
# the converted amount in the corporate currency follows.
SALESFORCE_SEVERAL_CURRENCIES = (
    "Opportunity ID,Created Date,Close Date,Stage,Amount Currency,Amount,"
    "Amount (Converted) Currency,Amount (Converted)\n"
    '006A1,3/15/2026,3/20/2026,Closed Won,JPY,"10,000",USD,83.86\n'
    '006A2,3/16/2026,3/19/2026,Closed Won,USD,"10,000.00",USD,"10,000.00"\n'
)
SALESFORCE_LEADS = (
    "Lead ID,Created Date,Lead Source,Converted,Converted Opportunity ID\n"
    "00Q1,3/13/2026,Web,TRUE,006A1\n"
    "00Q2,3/13/2026,Web,TRUE,006A2\n"
)


def load_salesforce(tmp_path, deals_text: str, path):
    """Check the opportunities report and build ``path`` from it and SALESFORCE_LEADS: the
    upload as prepared, and the deals as stored (id, amount, currency)."""
    leads, deals_csv = tmp_path / "sf_leads.csv", tmp_path / "sf_opps.csv"
    leads.write_text(SALESFORCE_LEADS, encoding="utf-8")
    deals_csv.write_text(deals_text, encoding="utf-8")
    con = connect(path)
    try:
        prepared = prepare(con, deals_csv, kind="deals")
        build(con, {"leads": leads, "deals": deals_csv})
        stored = con.sql("select deal_id, amount, currency from raw_deals order by 1").fetchall()
    finally:
        con.close()
    return prepared, stored


@pytest.mark.parametrize(
    ("header", "deals_text"),
    [
        ("Amount Currency", SALESFORCE_SEVERAL_CURRENCIES),
        # The record's own currency field, added to a report.
        (
            "Opportunity Currency",
            SALESFORCE_SEVERAL_CURRENCIES.replace("Amount Currency", "Opportunity Currency"),
        ),
    ],
)
def test_a_salesforce_report_in_several_currencies_never_adds_yen_to_dollars(
    tmp_path, monkeypatch, header, deals_text
):
    # Read without the code column, the two won deals would be 10,000 + 10,000.00 = 20,000 of
    # one currency. Each amount carries its own: JPY 10,000 and USD 10,000.00, so no sum of
    # money is shown. The converted columns are not the deal's amount.
    path = tmp_path / "sf.duckdb"
    prepared, stored = load_salesforce(tmp_path, deals_text, path)
    con = connect(path)
    try:
        row = execute(con, "metrics/amount_currencies", default_currency=None).iloc[0]
    finally:
        con.close()
    assert prepared.mapping["currency"] == header
    assert prepared.mapping["amount"] == "Amount"
    assert (row["count_currencies"], row["currencies_listed"]) == (2, "JPY: 1 deal, USD: 1 deal")
    assert [(deal, float(amount), code) for deal, amount, code in stored] == [
        ("006A1", 10_000.0, "JPY"),
        ("006A2", 10_000.0, "USD"),
    ]
    monkeypatch.setenv("REVCYCLE_DB", str(path))
    monkeypatch.setenv(settings.CURRENCY_VARIABLE, "")
    at = open_page("dashboard.py")
    assert tile(at, "Won revenue") == "–"  # not 20,000
    assert tile(at, "Won deals") == "2"
    assert "several currencies (JPY: 1 deal, USD: 1 deal)" in unescaped(at.warning[0].value)


def test_a_salesforce_report_of_converted_amounts_only_is_in_the_corporate_currency(
    tmp_path, monkeypatch
):
    # The same two deals, the report showing only the amounts converted to US dollars:
    # 83.86 + 10,000.00 = 10,083.86, one currency, which the tile sums to the cent.
    deals_text = (
        "Opportunity ID,Created Date,Close Date,Stage,Amount (Converted) Currency,"
        "Amount (Converted)\n"
        "006A1,3/15/2026,3/20/2026,Closed Won,USD,83.86\n"
        '006A2,3/16/2026,3/19/2026,Closed Won,USD,"10,000.00"\n'
    )
    path = tmp_path / "converted.duckdb"
    prepared, stored = load_salesforce(tmp_path, deals_text, path)
    assert (prepared.mapping["amount"], prepared.mapping["currency"]) == (
        "Amount (Converted)",
        "Amount (Converted) Currency",
    )
    assert [(deal, float(amount), code) for deal, amount, code in stored] == [
        ("006A1", 83.86, "USD"),
        ("006A2", 10_000.0, "USD"),
    ]
    monkeypatch.setenv("REVCYCLE_DB", str(path))
    monkeypatch.setenv(settings.CURRENCY_VARIABLE, "")
    at = open_page("dashboard.py")
    assert tile(at, "Won revenue") == "$10,083.86"


def test_a_deal_s_currency_is_a_code_a_sign_reads_as_one_and_a_name_is_refused(tmp_path):
    # A spreadsheet's currency column: codes in any case and spacing, a euro sign, a name, a
    # dollar sign (many currencies), a typo of EUR, and a withdrawn code (the kuna, 2023).
    export = tmp_path / "deals.csv"
    export.write_text(
        "deal_id,created_at,stage,amount,currency,closed_at\n"
        "D1,2026-03-01,Closed Won,100.00,EUR,2026-03-05\n"
        "D2,2026-03-01,Closed Won,200.00, eur ,2026-03-05\n"
        "D3,2026-03-01,Closed Won,300.00,€,2026-03-05\n"
        "D4,2026-03-01,Closed Won,400.00,Euro,2026-03-05\n"
        "D5,2026-03-01,Closed Won,500.00,$,2026-03-05\n"
        "D6,2026-03-01,Closed Won,600.00,EUD,2026-03-05\n"
        "D7,2026-03-01,Closed Won,700.00,£,2026-03-05\n"
        "D8,2022-03-01,Closed Won,800.00,HRK,2022-03-05\n",
        encoding="utf-8",
    )
    con = connect(tmp_path / "deals.duckdb")
    try:
        prepared = prepare(con, export, kind="deals", now=datetime(2026, 12, 1))
    finally:
        con.close()
    found = [(p.line, p.column, p.value, p.code, p.severity) for p in prepared.problems]
    assert found == [
        (5, "currency", "Euro", codes.NOT_A_CURRENCY, "error"),
        (6, "currency", "$", codes.NOT_A_CURRENCY, "error"),
        (7, "currency", "EUD", codes.UNKNOWN_CURRENCY, "warning"),
        (9, "currency", "HRK", codes.UNKNOWN_CURRENCY, "warning"),
    ]
    # Lines 5 and 6 are rejected; the others load, € as EUR and £ as GBP.
    loaded = zip(
        prepared.rows.column("deal_id").to_pylist(),
        prepared.rows.column("currency").to_pylist(),
        strict=True,
    )
    assert [(deal, code.upper()) for deal, code in loaded] == [
        ("D1", "EUR"),
        ("D2", "EUR"),
        ("D3", "EUR"),
        ("D6", "EUD"),
        ("D7", "GBP"),
        ("D8", "HRK"),
    ]


def test_a_hubspot_deals_export_reads_each_deal_s_currency(tmp_path):
    # HubSpot's deal property "Currency" (deal_currency_code), in an account with two.
    export = tmp_path / "hubspot_deals.csv"
    export.write_text(
        '"Record ID","Deal Name","Deal Stage","Amount","Currency","Create Date","Close Date"\n'
        '"11","A","Closed won","1200","EUR","2026-03-05 09:00","2026-03-10 09:00"\n'
        '"12","B","Closed won","800","GBP","2026-03-06 09:00","2026-03-09 09:00"\n',
        encoding="utf-8",
    )
    con = connect(tmp_path / "hs.duckdb")
    try:
        prepared = prepare(con, export, kind="deals")
    finally:
        con.close()
    assert prepared.source == "HubSpot deals export"
    assert prepared.mapping["currency"] == "Currency"
    assert prepared.rows.column("currency").to_pylist() == ["EUR", "GBP"]


# Three leads and five deals in three currencies. In March: EUR won 1,000.00 (D1) and open
# 250.50 (D3, created 7 March); USD won 500.00 (D2); no currency stated, won 40.00 (D5). D4
# (EUR 99.00) is won in April. L1 is Referral, L2 and L3 Email.
MIXED_LEADS = [
    {"lead_id": "L1", "created_at": "2026-03-02 09:00:00", "channel": "Referral"},
    {"lead_id": "L2", "created_at": "2026-03-02 09:00:00", "channel": "Email"},
    {"lead_id": "L3", "created_at": "2026-03-03 09:00:00", "channel": "Email"},
]
MIXED_DEALS = [
    {"deal_id": "D1", "lead_id": "L1", "created_at": "2026-03-05 09:00:00", "stage": "Closed Won"}
    | {"closed_at": "2026-03-10 09:00:00", "amount": "1000.00", "currency": "EUR"},
    {"deal_id": "D2", "lead_id": "L2", "created_at": "2026-03-06 09:00:00", "stage": "Closed Won"}
    | {"closed_at": "2026-03-09 09:00:00", "amount": "500.00", "currency": "USD"},
    {"deal_id": "D3", "lead_id": "L3", "created_at": "2026-03-07 09:00:00", "stage": "Proposal"}
    | {"closed_at": "", "amount": "250.50", "currency": "EUR"},
    {"deal_id": "D4", "lead_id": "L1", "created_at": "2026-03-20 09:00:00", "stage": "Closed Won"}
    | {"closed_at": "2026-04-02 09:00:00", "amount": "99.00", "currency": "EUR"},
    {"deal_id": "D5", "lead_id": "L3", "created_at": "2026-03-08 09:00:00", "stage": "Closed Won"}
    | {"closed_at": "2026-03-12 09:00:00", "amount": "40.00", "currency": ""},
]
MARCH = {"start_date": "2026-03-01", "end_date": "2026-03-31"}


@pytest.fixture
def mixed_db(tmp_path, built_databases):
    """The path of a database of MIXED_LEADS and MIXED_DEALS, built once a session."""
    exports = {
        "leads": write_export(tmp_path / "leads.csv", "leads", MIXED_LEADS),
        "deals": write_export(tmp_path / "deals.csv", "deals", MIXED_DEALS),
    }
    make = building(exports)
    return made_copy(built_databases, inputs_key(exports), make, tmp_path / "mixed.duckdb")


def revenue_by_currency(path, **filters) -> pd.DataFrame:
    """The metric over March with no filters, overridden by ``filters``."""
    con = connect(path)
    try:
        params = {"channels": None, "owners": None, "segments": None} | MARCH | filters
        return execute(con, "metrics/revenue_by_currency", **params, default_currency=None)
    finally:
        con.close()


def sums_per_currency(path, **filters) -> list[tuple]:
    frame = revenue_by_currency(path, **filters)
    return [
        (
            row.currency if isinstance(row.currency, str) else None,  # null: stated none
            row.count_won_deals,
            float(row.won_revenue),
            row.count_open_deals,
            float(row.open_pipeline),
        )
        for row in frame[frame["is_total"]].itertuples()
    ]


def test_each_week_s_won_revenue_is_summed_per_channel_and_currency(mixed_db):
    con = connect(mixed_db)
    try:
        params = {"channels": None, "owners": None, "segments": None} | MARCH
        weekly = execute(
            con, "metrics/weekly_won_revenue_by_currency", **params, default_currency=None
        )
    finally:
        con.close()
    rows = [
        (
            str(row.week_start)[:10],
            row.channel,
            row.currency if isinstance(row.currency, str) else None,  # null: stated none
            row.count_won_deals,
            row.won_revenue,
        )
        for row in weekly.itertuples()
    ]
    # D1 (10 Mar), D2 (9 Mar) and D5 (12 Mar) closed in the week of Monday 9 March; D4 closed
    # on 2 April, after March. D5 states no currency: null, last.
    assert [
        (week, channel, code, count, float(won)) for week, channel, code, count, won in rows
    ] == [
        ("2026-03-09", "Referral", "EUR", 1, 1000.00),
        ("2026-03-09", "Email", "USD", 1, 500.00),
        ("2026-03-09", "Email", None, 1, 40.00),
    ]
    assert not weekly["is_partial_week"].any()


def test_each_currency_sums_its_own_won_revenue_and_pipeline(mixed_db):
    assert sums_per_currency(mixed_db) == [
        ("EUR", 1, 1000.00, 1, 250.50),
        ("USD", 1, 500.00, 0, 0.0),
        (None, 1, 40.00, 0, 0.0),
    ]
    # The channel filter narrows them as it narrows every figure: Email is L2 and L3.
    assert sums_per_currency(mixed_db, channels=["Email"]) == [
        ("EUR", 0, 0.0, 1, 250.50),
        ("USD", 1, 500.00, 0, 0.0),
        (None, 1, 40.00, 0, 0.0),
    ]


# A HubSpot deals export as export-formats.md lists its columns, with the deal property
# deal_currency_code beside the amount, in a portal with two currencies. In March: EUR won
# 1,200.50 (7001) + 99.25 (7003) = 1,299.75; GBP won 800.25 (7002), open 300.00 (7005, created
# 6 March); 7004 is lost; 7006 is won on 2 April, so in no March sum.
HUBSPOT_DEALS_TWO_CURRENCIES = (
    '"Record ID","Deal Name","Deal Stage","Amount","Close Date","Create Date","Deal owner",'
    '"Pipeline","Associated Contact IDs","{currency}"\n'
    '"7001","Acme renewal","Closed won","1200.50","2026-03-10 14:00","2026-03-02 09:00",'
    '"Anna Keller","Sales Pipeline","901","EUR"\n'
    '"7002","Beta expansion","Closed won","800.25","2026-03-12 10:00","2026-03-03 09:00",'
    '"Bo Jansen","Sales Pipeline","902","GBP"\n'
    '"7003","Gamma pilot","Closed won","99.25","2026-03-20 16:30","2026-03-04 09:00",'
    '"Anna Keller","Sales Pipeline","903","EUR"\n'
    '"7004","Delta","Closed lost","5000.00","2026-03-15 11:00","2026-03-05 09:00",'
    '"Bo Jansen","Sales Pipeline","904","GBP"\n'
    '"7005","Epsilon","Contract sent","300.00","","2026-03-06 09:00",'
    '"Anna Keller","Sales Pipeline","905","GBP"\n'
    '"7006","Zeta","Closed won","450.00","2026-04-02 12:00","2026-03-07 09:00",'
    '"Bo Jansen","Sales Pipeline","906","EUR"\n'
)


# "Currency" is HubSpot's label for deal_currency_code; some exports use "Deal Currency Code".
@pytest.mark.parametrize("header", ["Currency", "Deal Currency Code"])
def test_a_hubspot_deals_export_in_two_currencies_sums_each_currency_apart(
    tmp_path,
    header,
    revcycle,  # noqa: F811 (the fixture)
):
    export = tmp_path / "hubspot-deals.csv"
    export.write_text(HUBSPOT_DEALS_TWO_CURRENCIES.format(currency=header), encoding="utf-8")
    path = tmp_path / "hubspot.duckdb"
    code, out = revcycle(path, "load", export)
    assert code == 0, out
    assert "read hubspot-deals.csv as deals: HubSpot deals export" in out
    assert f"  currency ← {header}\n" in out
    con = connect(path)
    try:
        stored = con.sql("select deal_id, currency from raw_deals order by deal_id").fetchall()
    finally:
        con.close()
    assert stored == [
        ("7001", "EUR"),
        ("7002", "GBP"),
        ("7003", "EUR"),
        ("7004", "GBP"),
        ("7005", "GBP"),
        ("7006", "EUR"),
    ]
    assert sorted(sums_per_currency(path)) == [
        ("EUR", 2, 1299.75, 0, 0.0),
        ("GBP", 1, 800.25, 1, 300.00),
    ]


def test_each_channel_sums_its_deals_in_each_currency_apart(mixed_db):
    # March, by the deal's lead: Referral is D1 (EUR won 1,000.00); Email is D2 (USD won
    # 500.00), D3 (EUR open 250.50) and D5 (won 40.00, no currency). Each currency's channel
    # rows, most won first, then its total.
    frame = revenue_by_currency(mixed_db)
    rows = [
        (
            row.currency if isinstance(row.currency, str) else None,
            row.channel,
            row.is_total,
            row.count_won_deals,
            float(row.won_revenue),
            row.count_open_deals,
            float(row.open_pipeline),
        )
        for row in frame.itertuples()
    ]
    assert rows == [
        ("EUR", "Referral", False, 1, 1000.00, 0, 0.0),
        ("EUR", "Email", False, 0, 0.0, 1, 250.50),
        ("EUR", "(all channels)", True, 1, 1000.00, 1, 250.50),
        ("USD", "Email", False, 1, 500.00, 0, 0.0),
        ("USD", "(all channels)", True, 1, 500.00, 0, 0.0),
        (None, "Email", False, 1, 40.00, 0, 0.0),
        (None, "(all channels)", True, 1, 40.00, 0, 0.0),
    ]


@pytest.mark.parametrize("path", ["dashboard.py", "pages/revenue.py"])
def test_a_page_over_several_currencies_shows_each_currency_s_sums(mixed_db, monkeypatch, path):
    monkeypatch.setenv("REVCYCLE_DB", str(mixed_db))
    monkeypatch.setenv(settings.CURRENCY_VARIABLE, "")
    at = open_page(path)
    assert tile(at, "Won revenue") == "–"  # never 1,540 of no currency
    [table] = [
        frame.value
        for frame in at.dataframe
        if "Currency" in frame.value.columns and "Channel" not in frame.value.columns
    ]
    assert table.to_dict("records") == [
        {
            "Currency": "EUR",
            "Won deals": 1,
            "Won revenue": 1000.0,
            "Open deals": 1,
            "Open pipeline": 250.5,
        },
        {
            "Currency": "USD",
            "Won deals": 1,
            "Won revenue": 500.0,
            "Open deals": 0,
            "Open pipeline": 0.0,
        },
        {
            "Currency": "no currency stated",
            "Won deals": 1,
            "Won revenue": 40.0,
            "Open deals": 0,
            "Open pipeline": 0.0,
        },
    ]


def test_one_currency_shows_no_table_per_currency(pages_over):
    pages_over("EUR", "EUR")
    at = open_page("pages/revenue.py")
    assert not [frame for frame in at.dataframe if "Currency" in frame.value.columns]


def test_the_meeting_says_each_currency_s_wins_of_the_week(mixed_db, monkeypatch):
    # W11 (9-15 March) won D2 ($500, 9 March), D1 (€1,000, 10 March) and D5 (40 in no stated
    # currency, 12 March). W10 (2-8 March) won nothing. The tile's sum stays unknown.
    said = (
        "Won this week, per currency: €1,000.00 (1 deal), $500.00 (1 deal), 40.00 in no stated "
        "currency (1 deal)."
    )
    monkeypatch.setenv(settings.CURRENCY_VARIABLE, "")
    con = connect(mixed_db)
    try:
        query = functools.partial(execute, con)
        week_11 = numbers.week_tiles(query, Week(2026, 11), {}).set_index("metric")
        week_10 = numbers.week_tiles(query, Week(2026, 10), {}).set_index("metric")
        meeting = week_view.gather(query, con, Week(2026, 11), {}, date(2026, 3, 16))
    finally:
        con.close()
    assert pd.isna(week_11.at["won_revenue", "this_week"])
    assert week_11.at["won_revenue", "partly_unmeasured"] == said
    assert "several currencies" in week_11.at["won_revenue", "cannot_measure"]
    # A week without a win won 0, in whatever currency: nothing is added across currencies.
    assert week_10.loc[
        "won_revenue", ["this_week", "cannot_measure", "partly_unmeasured"]
    ].tolist() == [0, None, None]
    assert pack.render(meeting, datetime(2026, 3, 16, 9, 0)).count(said) == 1
    monkeypatch.setenv("REVCYCLE_DB", str(mixed_db))
    at = AppTest.from_file(str(REPO_ROOT / "pages" / "this_week.py"), default_timeout=120)
    at.query_params["week"] = "2026-W11"
    at.run()
    assert not at.exception, at.exception
    texts = [
        str(element.value).replace("\\", "") for element in at.main if hasattr(element, "value")
    ]
    assert [text for text in texts if said in text], texts


def test_attribution_credits_each_currency_apart(mixed_db, monkeypatch):
    # No touches are loaded: each deal's journey is its lead's source, so every model credits
    # D1's €1,000.00 to Referral, D2's $500.00 and D5's 40.00 (no currency) to Email. The
    # shares and the tiles add no currencies together; this table keeps each apart.
    monkeypatch.setenv("REVCYCLE_DB", str(mixed_db))
    monkeypatch.setenv(settings.CURRENCY_VARIABLE, "")
    at = open_page("pages/attribution.py")
    [table] = [
        frame.value for frame in at.dataframe if {"Currency", "Credited deals"} <= set(frame.value)
    ]
    assert table.to_dict("records") == [
        {
            "Channel": "Referral",
            "Currency": "EUR",
            "Credited deals": 1.0,
            "Credited amount": 1000.0,
        },
        {"Channel": "Email", "Currency": "USD", "Credited deals": 1.0, "Credited amount": 500.0},
        {
            "Channel": "Email",
            "Currency": "no currency stated",
            "Credited deals": 1.0,
            "Credited amount": 40.0,
        },
    ]
    # The channel filter narrows the channels shown, as it does the table above.
    at = open_page("pages/attribution.py", channel="Email")
    [table] = [
        frame.value for frame in at.dataframe if {"Currency", "Credited deals"} <= set(frame.value)
    ]
    assert [(row["Channel"], row["Currency"]) for row in table.to_dict("records")] == [
        ("Email", "USD"),
        ("Email", "no currency stated"),
    ]
