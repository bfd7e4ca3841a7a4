"""Spend from the ad platforms' own downloads (the corpus's Google Ads, Meta and LinkedIn files)
and a generic file full of defects: read, checked with line numbers, loaded, and counted in
stg_spend, every total worked out by hand from the file's rows."""

import pytest

from revcycle.importer import problems as codes
from revcycle.importer.problems import ERROR
from revcycle.importer.validate import prepare
from tests.conftest import connect_built, write_export
from tests.support.spend import load_spend, staged_spend
from tests.test_import_corpus import CORPUS, NOW, rows


@pytest.fixture
def con(tmp_path, built_databases):
    leads = [{"lead_id": "L1", "created_at": "2026-01-02 09:00:00", "channel": "Paid Search"}]
    exports = {"leads": write_export(tmp_path / "leads.csv", "leads", leads)}
    connection = connect_built(exports, tmp_path / "spend.duckdb", built_databases)
    yield connection
    connection.close()


def totals_by_channel(con):
    return con.execute(
        "select channel, sum(amount)::varchar, any_value(currency), count(*) from stg_spend "
        "group by channel order by channel"
    ).fetchall()


def test_google_ads_report_skips_titles_and_totals_and_is_paid_search(con):
    prepared = prepare(con, CORPUS / "google_ads_campaigns.csv", now=NOW)
    assert prepared.kind == "spend" and prepared.source == "Google Ads campaign report"
    # Lines 1-2 are titles, 3 the header, 9-11 the account's totals by scope.
    assert prepared.accounting() == (
        "8 data lines in google_ads_campaigns.csv = 5 rows to load + 0 rejected + 3 totals rows "
        "(lines 9, 10, 11)"
    )
    assert rows(prepared, "date_from", "source", "campaign", "amount", "currency") == [
        ("2026-11-01", "Google Ads", "Brand NL", "1204.50", "EUR"),
        ("2026-11-01", "Google Ads", "Competitor keywords", "85.25", "EUR"),
        ("2026-11-02", "Google Ads", "Brand NL", "1010.00", "EUR"),
        ("2026-11-02", "Google Ads", "Competitor keywords", "0.00", "EUR"),
        ("2026-11-03", "Google Ads", "Brand NL", "990.75", "EUR"),
    ]
    load_spend(con, CORPUS / "google_ads_campaigns.csv")
    # 1,204.50 + 85.25 + 1,010.00 + 0.00 + 990.75 = 3,290.50, the report's own total; five
    # campaign days, each a day of its own.
    assert totals_by_channel(con) == [("Paid search", "3290.50", "EUR", 5)]


def test_the_campaign_id_tells_apart_two_campaigns_with_one_name(con, tmp_path):
    export = tmp_path / "ads.csv"
    export.write_text(
        "Day,Campaign,Campaign ID,Currency code,Cost\n"
        "2026-11-01,Brand,111,EUR,10.00\n"
        "2026-11-01,Brand,222,EUR,5.00\n",
        encoding="utf-8",
    )
    prepared, _ = load_spend(con, export)
    assert not prepared.problems
    # One campaign name, two ids: two rows, both counted: 10.00 + 5.00.
    assert staged_spend(con) == [("2026-11-01", "Paid search", "Brand", "15.00", "EUR")]


def test_meta_rows_cover_the_reporting_period_in_the_headers_currency(con):
    prepared, _ = load_spend(con, CORPUS / "meta_ads_manager.csv")
    assert prepared.source == "Meta Ads Manager export"
    assert "currency ← EUR (from the column name Amount spent (EUR))" in prepared.mapping_lines()
    assert rows(prepared, "date_from", "date_to", "campaign", "amount", "currency") == [
        ("2026-11-01", "2026-11-30", "Retargeting Q4", "1500.00", "EUR"),
        ("2026-11-01", "2026-11-30", "Lookalike DE", "299.99", "EUR"),
    ]
    by_campaign = con.execute(
        "select campaign, min(amount)::varchar, max(amount)::varchar, count(*), "
        "sum(amount)::varchar from stg_spend group by campaign order by campaign"
    ).fetchall()
    # 1,500.00 over 30 days is 50.00 each. 299.99 is 29,999 cents: 999 a day and 29 left, so
    # the first 29 days 10.00 and the last 9.99.
    assert by_campaign == [
        ("Lookalike DE", "9.99", "10.00", 30, "299.99"),
        ("Retargeting Q4", "50.00", "50.00", 30, "1500.00"),
    ]
    assert {row[0] for row in totals_by_channel(con)} == {"Paid social"}


def test_meta_takes_any_currency_code_from_the_header(con, tmp_path):
    export = tmp_path / "meta.csv"
    export.write_text(
        "Reporting starts,Reporting ends,Campaign name,Amount spent (usd)\n"
        "2026-11-01,2026-11-01,Launch,12.34\n",
        encoding="utf-8",
    )
    load_spend(con, export)
    assert staged_spend(con) == [("2026-11-01", "Paid social", "Launch", "12.34", "USD")]


def test_linkedin_utf16_tab_separated_with_title_lines_and_month_first_dates(con):
    prepared, _ = load_spend(con, CORPUS / "linkedin_campaign_manager.csv")
    assert prepared.source == "LinkedIn Campaign Manager export"
    # 11/13/2026 only reads month-first, so the column is month-first: 12 and 13 November.
    assert rows(prepared, "date_from", "campaign", "amount", "currency") == [
        ("2026-11-12", "ABM Decision makers", "410.12", "EUR"),
        ("2026-11-12", "ABM Engineers", "95.50", "EUR"),
        ("2026-11-13", "ABM Decision makers", "388.00", "EUR"),
    ]
    # 410.12 + 95.50 + 388.00 = 893.62 over three campaign days.
    assert totals_by_channel(con) == [("Paid social", "893.62", "EUR", 3)]


def test_every_defect_names_its_line_column_and_reason_and_the_rest_loads(con):
    prepared = prepare(con, CORPUS / "spend_defects_decimal_comma.csv", now=NOW)
    found = sorted((p.line, p.column, p.code) for p in prepared.problems)
    assert found == [
        (3, "amount", codes.NEGATIVE_AMOUNT),
        (4, "date_to", codes.ENDS_BEFORE_START),
        (5, "amount", codes.NOT_A_NUMBER),
        (6, "date_from", codes.BLANK_REQUIRED),
        (7, "currency", codes.NOT_A_CURRENCY),  # "EURO": no code, as for a deal
    ]
    assert all(p.severity == ERROR and p.reason for p in prepared.problems)
    # The column's amounts show a decimal comma ("10,00"), so "1.234,56" is 1234.56.
    assert rows(prepared, "date_from", "amount", "currency") == [
        ("2026-03-01", "1234.56", "EUR"),
        ("2026-03-13", "2000.00", None),
    ]


def test_a_blank_currency_takes_the_setting(con, monkeypatch):
    monkeypatch.setenv("REVCYCLE_CURRENCY", "eur")
    prepared = prepare(con, CORPUS / "spend_defects_decimal_comma.csv", now=NOW)
    assert rows(prepared, "amount", "currency") == [("1234.56", "EUR"), ("2000.00", "EUR")]
    assert "1 rows state no currency: taken as EUR, the REVCYCLE_CURRENCY setting" in (
        prepared.notes
    )


def test_a_report_split_by_device_names_the_repeated_lines(con, tmp_path):
    export = tmp_path / "ads.csv"
    export.write_text(
        "Day,Campaign,Device,Cost\n2026-11-01,Brand,Mobile,3.00\n2026-11-01,Brand,Desktop,4.00\n",
        encoding="utf-8",
    )
    prepared = prepare(con, export, now=NOW)
    assert [(p.line, p.code) for p in prepared.problems] == [(3, codes.REPEATED_SPEND)]
    assert "download it by campaign and day only" in prepared.problems[0].reason
    assert prepared.problems[0].reason.startswith("the same days, source and campaign as line 2;")
