"""Issue 9, the numbers: deals carry their own source, per-lead rates count leads on both sides,
every event is reachable, impossible durations are left out and counted. Small hand-written
rows in; every expected value is worked out by hand in the comments."""

from datetime import date
from decimal import Decimal

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from revcycle import contract
from revcycle.agreements.model import FollowUp
from revcycle.build import build, open_database
from revcycle.db import connect, execute
from revcycle.importer.load import commit_upload
from revcycle.importer.presets import detect, mapping_for
from revcycle.importer.validate import prepare
from revcycle.paths import REPO_ROOT
from tests.conftest import cents, metric, write_export
from tests.support.working_time import agreement, save
from tests.test_screen import shown_cells

MARCH = {"start_date": date(2026, 3, 1), "end_date": date(2026, 3, 31)}


def lead(lead_id, created_at="2026-03-02 09:00:00", channel="Referral", **values):
    return {"lead_id": lead_id, "created_at": created_at, "channel": channel, **values}


def won(deal_id, amount, closed_at, created_at="2026-03-10 10:00:00", **values):
    return {
        "deal_id": deal_id,
        "created_at": created_at,
        "stage": "Closed Won",
        "amount": amount,
        "closed_at": closed_at,
        "currency": "EUR",
        **values,
    }


def by_stage(rows, channel, column):
    return rows[rows["channel"] == channel].set_index("stage")[column].to_dict()


def open_page(database, path: str, **query) -> AppTest:
    """``path`` run on its own over ``database``, as a link to it opens it."""
    at = AppTest.from_file(str(REPO_ROOT / path), default_timeout=120)
    at.query_params.update(query)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("REVCYCLE_DB", str(database))
        at.run()
    assert not at.exception, at.exception
    assert not at.error, [error.value for error in at.error]
    return at


def database_path(con) -> str:
    return con.execute(
        "select path from duckdb_databases() where database_name = current_database()"
    ).fetchone()[0]


# 1. Deals carry their own source.


def test_a_deal_with_no_lead_takes_the_channel_of_its_own_source(funnel_db):
    con = funnel_db(
        [lead("L1")],
        [
            won("D1", "100.00", "2026-04-01 00:00:00", lead_id="L1"),
            won("D2", "1000.00", "2026-04-02 00:00:00", source="PAID_SEARCH"),
            {
                "deal_id": "D3",
                "created_at": "2026-03-10 10:00:00",
                "stage": "Proposal",
                "amount": "50.00",
                "source": "Carrier pigeon",
            },  # fmt: skip
            won("D4", "200.00", "2026-04-03 00:00:00"),
        ],
    )
    rows = con.execute(
        "select channel, has_lead, won_revenue, open_pipeline from funnel_revenue order by channel"
    ).fetchall()
    # D2's "PAID_SEARCH" has a rule (Paid search); D3's source has none; D4 has no source.
    assert rows == [
        ("(no lead)", False, Decimal("200.00"), Decimal("0.00")),
        ("(unmapped)", False, Decimal("0.00"), Decimal("50.00")),
        ("Paid search", False, Decimal("1000.00"), Decimal("0.00")),
        ("Referral", True, Decimal("100.00"), Decimal("0.00")),
    ]
    conversion = metric(con, "conversion_by_channel")
    # Paid search: no lead, one opportunity and one customer, both from a deal with no lead.
    assert by_stage(conversion, "Paid search", "count_events") == {
        "lead": 0,
        "mql": 0,
        "sql": 0,
        "opportunity": 1,
        "won": 1,
    }
    assert by_stage(conversion, "Paid search", "count_without_lead")["won"] == 1
    assert pd.isna(by_stage(conversion, "Paid search", "share_of_first")["won"])  # no lead


def test_an_opportunity_export_names_the_deals_source_and_the_funnel_uses_it(tmp_path):
    leads_csv = write_export(tmp_path / "leads.csv", "leads", [lead("L1")])
    opportunities = tmp_path / "opportunities.csv"
    opportunities.write_text(
        "Opportunity ID,Created Date,Stage,Amount,Close Date,Lead Source\n"
        "006A,2026-03-10,Closed Won,700.00,2026-03-20,Paid Search\n"
        "006B,2026-03-11,Closed Won,300.00,2026-03-21,\n",
        encoding="utf-8",
    )
    con = connect(tmp_path / "test.duckdb")
    try:
        build(con, {"leads": leads_csv, "deals": opportunities})
        stored = con.execute("select deal_id, source from raw_deals order by deal_id").fetchall()
        revenue = metric(con, "revenue_by_channel").set_index("channel")
    finally:
        con.close()
    assert stored == [("006A", "Paid Search"), ("006B", None)]
    assert cents(revenue.loc["Paid search", "won_revenue"]) == 70_000
    assert cents(revenue.loc["(no lead)", "won_revenue"]) == 30_000


@pytest.mark.parametrize(
    ("header", "column"),
    [
        (["Opportunity ID", "Created Date", "Stage", "Lead Source"], "Lead Source"),
        (["Deal - ID", "Deal - Deal created", "Deal - Source channel"], "Deal - Source channel"),
        (
            ["Record ID", "Deal Name", "Deal Stage", "Create Date", "Deal source attribution"],
            "Deal source attribution",
        ),
    ],
)
def test_deal_presets_map_the_deals_own_source(header, column):
    preset = detect(header)
    assert preset.kind == "deals"
    assert mapping_for(preset, header)["source"] == column


def test_a_database_archived_before_deal_sources_gains_the_column(tmp_path):
    path = tmp_path / "old.duckdb"
    con = connect(path)
    build(
        con,
        {
            "leads": write_export(tmp_path / "leads.csv", "leads", [lead("L1")]),
            "deals": write_export(
                tmp_path / "deals.csv", "deals", [won("D1", "5.00", "2026-03-20 00:00:00")]
            ),
        },
    )
    # As an archive made before the field existed: no source column, built by older SQL.
    con.execute("alter table upload_rows_deals drop column source")
    con.execute("update build_info set queries_sha256 = 'older'")
    con.close()
    con = open_database(path)
    try:
        channels = con.execute("select channel from funnel_revenue order by channel").fetchall()
    finally:
        con.close()
    assert channels == [("(no lead)",), ("Referral",)]


def test_the_deal_source_is_a_contract_field():
    source = next(field for field in contract.DEAL_FIELDS if field.name == "source")
    assert (source.type, source.required) == ("text", False)


# 2. Per-lead rates use leads on both sides.


def rates_db(funnel_db):
    """Two Referral leads in March; L1 is accepted by sales (SQL) and won. Three deals with no
    lead are won in March too: D2 names Paid Search as its source, D3 and D4 name none."""
    return funnel_db(
        [lead("L1", sql_at="2026-03-05 09:00:00"), lead("L2")],
        [
            won("D1", "100.00", "2026-03-20 00:00:00", lead_id="L1"),
            won("D2", "200.00", "2026-03-21 00:00:00", source="Paid Search"),
            won("D3", "300.00", "2026-03-22 00:00:00"),
            won("D4", "400.00", "2026-03-23 00:00:00"),
        ],
    )


def test_customers_per_lead_count_only_leads_in_the_total_row(funnel_db):
    rows = metric(rates_db(funnel_db), "conversion_by_channel", **MARCH)
    # Customers: L1, D2, D3, D4 = 4 events, 3 of them deals with no lead.
    assert by_stage(rows, "(all channels)", "count_events")["won"] == 4
    assert by_stage(rows, "(all channels)", "count_without_lead")["won"] == 3
    shares = by_stage(rows, "(all channels)", "share_of_first")
    # Per lead: 1 customer from a lead ÷ 2 leads = 50% (not 4 ÷ 2 = 200%).
    assert shares["won"] == pytest.approx(0.5)
    # Opportunities ÷ SQLs, leads only: 1 ÷ 1 (not 4 ÷ 1).
    assert by_stage(rows, "(all channels)", "share_of_previous")["opportunity"] == 1.0
    # The (no lead) line lists D3 and D4 on their own, with no rate.
    assert by_stage(rows, "(no lead)", "count_events")["won"] == 2
    assert pd.isna(by_stage(rows, "(no lead)", "share_of_first")["won"])


def test_a_channel_filter_names_the_total_row_selected_channels(funnel_db):
    con = rates_db(funnel_db)
    params = MARCH | {"channels": ["Referral", "Paid search"]}
    conversion = metric(con, "conversion_by_channel", **params)
    revenue = metric(con, "revenue_by_channel", **params)
    assert set(conversion[conversion["is_total"]]["channel"]) == {"(selected channels)"}
    assert revenue[revenue["is_total"]]["channel"].tolist() == ["(selected channels)"]
    # Customers: L1 and D2; per lead: L1 ÷ the 2 Referral leads.
    assert by_stage(conversion, "(selected channels)", "count_events")["won"] == 2
    assert by_stage(conversion, "(selected channels)", "share_of_first")["won"] == 0.5
    assert cents(revenue[revenue["is_total"]]["won_revenue"].item()) == 10_000 + 20_000


def test_the_conversion_table_shows_customers_per_lead_over_leads(funnel_db):
    con = rates_db(funnel_db)
    at = open_page(database_path(con), "pages/conversion.py", preset="All time")
    table = at.dataframe[0].value.set_index("Channel")
    assert table.loc["(all channels)", "Customers"] == 4
    assert table.loc["(all channels)", "of which with no lead"] == 3
    # The table keeps the share as a fraction (it sorts by it) and shows it as "50.0%".
    assert table.loc["(all channels)", "Customers per lead"] == pytest.approx(0.5)
    shown = shown_cells(at, "Customers per lead").set_index("Channel")
    assert shown.loc["(all channels)", "Customers per lead"] == "50.0%"


# 3. Every event is reachable.


def events_db(funnel_db):
    """One lead, created 2 March 2026, and deals whose dates reach beyond its own:
    D3 was won (closed) on 1 February 2026, before any lead was created (and before D3
    itself was created); L1's second won deal D2 closed 30 June; a lost deal closed 15 July."""
    return funnel_db(
        [lead("L1", mql_at="2026-03-03 09:00:00", first_contacted_at="2026-03-02 10:00:00")],
        [
            won("D1", "1200.25", "2026-04-01 00:00:00", lead_id="L1"),
            won(
                "D2",
                "300.40",
                "2026-06-30 12:00:00",
                lead_id="L1",
                created_at="2026-03-12 00:00:00",
            ),
            won("D3", "550000.35", "2026-02-01 00:00:00", created_at="2026-03-15 00:00:00"),
            {
                "deal_id": "D4",
                "created_at": "2026-03-16 00:00:00",
                "stage": "Closed Lost",
                "amount": "99.99",
                "currency": "EUR",
                "closed_at": "2026-07-15 08:00:00",
            },  # fmt: skip
        ],
    )


def test_the_period_bounds_cover_every_event_date(funnel_db):
    period = execute(events_db(funnel_db), "metrics/data_period").iloc[0]
    # First: D3 closed 1 Feb. Last: D4 lost on 15 Jul (D2's win on 30 Jun is not the first
    # of L1's wins, and neither is any lead date).
    assert period["first_date"].date() == date(2026, 2, 1)
    assert period["last_date"].date() == date(2026, 7, 15)


def test_an_open_deals_expected_close_date_does_not_move_the_data_into_the_future(funnel_db):
    # Salesforce's Close Date of an open opportunity is when it is expected to close. L1 came
    # in on 2 Mar 2026 and D1 was won on 20 Mar; D2 is open and expected on 30 Sep 2026. The
    # data reaches 20 Mar, and the default period (the last 12 weeks) ends there.
    open_deal = {
        "deal_id": "D2",
        "created_at": "2026-03-12 09:00:00",
        "stage": "Negotiation",
        "amount": "5000.00",
        "currency": "EUR",
        "closed_at": "2026-09-30",
    }
    con = funnel_db([lead("L1")], [won("D1", "100.00", "2026-03-20 10:00:00"), open_deal])
    period = execute(con, "metrics/data_period").iloc[0]
    assert (period["first_date"].date(), period["last_date"].date()) == (
        date(2026, 3, 2),
        date(2026, 3, 20),
    )
    at = open_page(database_path(con), "dashboard.py")
    # 12 weeks ending 20 Mar 2026 would begin on 27 Dec 2025, before the data's first day.
    assert "02 Mar 2026 – 20 Mar 2026" in [caption.value for caption in at.sidebar.caption]
    assert next(tile.value for tile in at.metric if tile.label == "Leads") == "1"


def test_a_lead_dated_decades_ahead_does_not_move_now_but_stays_in_all_time(funnel_db):
    # L2 came in on 2 Mar 2026 and was called on 3 Mar at 10:30; L1 came in on 3 Mar at 09:00
    # and is not called yet. L3's year is a typo, decades after the build: the data is as of
    # 3 Mar 10:30, so L1 has waited 1.5 of its 24 agreed hours (the default agreement) and is
    # not judged yet; with "now" in the typo's year it would be a breach.
    typo_year = date.today().year + 36
    con = funnel_db(
        [
            lead("L1", "2026-03-03 09:00:00"),
            lead("L2", "2026-03-02 09:00:00", first_contacted_at="2026-03-03 10:30:00"),
            lead("L3", f"{typo_year}-03-02 09:00:00"),
        ]
    )
    period = execute(con, "metrics/data_period").iloc[0]
    assert [period[f"{day}_date"].date() for day in ("first", "as_of", "last")] == [
        date(2026, 3, 2),
        date(2026, 3, 3),
        date(typo_year, 3, 2),
    ]
    judged = con.execute("select is_within_agreed_time from funnel_revenue where lead_id = 'L1'")
    assert judged.fetchall() == [(None,)]
    at = open_page(database_path(con), "dashboard.py")
    # 12 weeks ending 3 Mar 2026 begin before the data's first day, 2 Mar: L1 and L2.
    captions = [caption.value for caption in at.sidebar.caption]
    assert "02 Mar 2026 – 03 Mar 2026" in captions
    assert any(f"(the latest 02 Mar {typo_year})" in caption for caption in captions)
    assert next(tile.value for tile in at.metric if tile.label == "Leads") == "2"
    # All time reaches the typo: 3 leads.
    at = open_page(database_path(con), "dashboard.py", preset="All time")
    assert f"02 Mar 2026 – 02 Mar {typo_year}" in [c.value for c in at.sidebar.caption]
    assert next(tile.value for tile in at.metric if tile.label == "Leads") == "3"


def test_a_deal_marked_won_is_closed_and_a_win_without_an_amount_has_no_size(funnel_db):
    # L1's deals in March: E1 is marked Won (a Salesforce report with no Closed column and a
    # stage of the org's own), E2 Closed Won with no amount, E3 Closed Lost.
    # Won 2 (E1, E2) of 3 closed: 2/3. Open pipeline: none is open, 0. Won revenue 1,234.56,
    # and the average won deal is over the one win with an amount: 1,234.56.
    con = funnel_db(
        [lead("L1")],
        [
            won("E1", "1234.56", "2026-03-20 10:00:00", lead_id="L1", stage="Signed", is_won="1"),
            won("E2", "", "2026-03-21 10:00:00", lead_id="L1"),
            won("E3", "100.00", "2026-03-22 10:00:00", lead_id="L1", stage="Closed Lost"),
        ],
    )
    total = metric(con, "revenue_by_channel", **MARCH).query("is_total").iloc[0]
    assert total["count_won_deals"] == 2
    assert total["count_closed_deals"] == 3
    assert total["win_rate"] == pytest.approx(2 / 3)
    assert cents(total["won_revenue"]) == 123_456
    assert cents(total["average_won_deal"]) == 123_456
    assert cents(total["open_pipeline"]) == 0
    assert total["count_open_deals"] == 0


def test_a_merge_keeps_the_fields_its_file_has_no_column_for(funnel_db, tmp_path):
    # F1 is open at 800.00 EUR; this week's file says it is Closed Won on 20 March, and has no
    # amount or currency column. The 800.00 EUR stay: won revenue 800.00, not 0.
    con = funnel_db(
        [lead("L1")],
        [won("F1", "800.00", "", lead_id="L1", stage="Proposal")],
    )
    update = tmp_path / "update.csv"
    update.write_text(
        "deal_id,created_at,stage,closed_at\nF1,2026-03-10 10:00:00,Closed Won,2026-03-20\n",
        encoding="utf-8",
    )
    prepared = prepare(con, update, kind="deals")
    meta = prepared.meta()
    commit_upload(con, "deals", prepared.rows, "merge", meta, changed_by="test")
    total = metric(con, "revenue_by_channel", **MARCH).query("is_total").iloc[0]
    assert (total["count_won_deals"], cents(total["won_revenue"])) == (1, 80_000)
    assert con.execute("select currency from stg_deals").fetchall() == [("EUR",)]
    # The same file again changes nothing, and a file with a column fewer (no closed_at)
    # and the same stage changes nothing either: nothing is loaded.
    assert commit_upload(con, "deals", prepared.rows, "merge", meta, changed_by="test")[0] is None
    fewer = tmp_path / "fewer.csv"
    fewer.write_text("deal_id,created_at,stage\nF1,2026-03-10 10:00:00,Closed Won\n")
    prepared = prepare(con, fewer, kind="deals")
    upload_id, change = commit_upload(
        con, "deals", prepared.rows, "merge", prepared.meta(), changed_by="test"
    )
    assert upload_id is None and (change.count_changed, change.count_unchanged) == (0, 1)


def test_a_first_contact_dated_by_its_day_alone_on_the_creation_day_is_no_date_error(
    funnel_db,
):
    # The default agreement: a call within 24 calendar hours. M1 came in on 9 Nov at 14:00 and
    # its contact says "2026-11-09": at the latest midnight, 10 hours, in time. M3: 11 Nov
    # 10:00, contacted "2026-11-11", 14 hours at most, in time. M2: 10 Nov 10:00, contacted
    # "2026-11-12", at least 38 hours: late. 2 of 3 in time; none contacted before created,
    # and no hours measured for any of them, whose hour is unknown.
    con = funnel_db(
        [
            lead("M1", "2026-11-09 14:00:00", first_contacted_at="2026-11-09"),
            lead("M2", "2026-11-10 10:00:00", first_contacted_at="2026-11-12"),
            lead("M3", "2026-11-11 10:00:00", first_contacted_at="2026-11-11"),
        ]
    )
    judged = con.execute(
        "select lead_id, is_contacted_before_created, hours_to_first_contact, "
        "is_within_agreed_time from funnel_revenue order by lead_id"
    ).fetchall()
    assert judged == [
        ("M1", False, None, True),
        ("M2", False, None, False),
        ("M3", False, None, True),
    ]
    november = {"start_date": date(2026, 11, 1), "end_date": date(2026, 11, 30)}
    overall = metric(con, "follow_up_speed", **november).query("grouped_by == 'all'").iloc[0]
    assert overall["share_within_sla"] == pytest.approx(2 / 3)
    assert overall["count_contacted_before_created"] == 0
    # Agreed within 4 hours: M1 might have been called at 15:00 or at 23:00; not judged.
    save(con, agreement(FollowUp(None, "call", 4, "calendar")))
    judged = con.execute(
        "select is_within_agreed_time from funnel_revenue where lead_id = 'M1'"
    ).fetchall()
    assert judged == [(None,)]


def test_a_first_contact_dated_by_a_later_day_alone_is_judged_by_both_ends_of_that_day(
    funnel_db,
):
    # Within 8 working hours (Monday to Friday, 09:00-17:00, Europe/Amsterdam). Wednesday 4
    # November 2026:
    # - D1 in at 10:00, contacted "2026-11-05": by the start of Thursday 7 working hours, by
    #   its end 15. Maybe in time, maybe not: not judged (it was "7 hours, in time").
    # - D2 in at 16:00, contacted "2026-11-05": by the end of Thursday 9 working hours, but by
    #   its start only 1: not judged either.
    # - D3 in at 16:00, contacted "2026-11-09" (Monday): by Monday's start 17 working hours
    #   (1 on Wednesday, 8 each on Thursday and Friday): late whatever the hour.
    # - D4 in at 16:30, contacted "2026-11-04": by the day's end half an hour: in time.
    con = funnel_db(
        [
            lead("D1", "2026-11-04 10:00:00", first_contacted_at="2026-11-05"),
            lead("D2", "2026-11-04 16:00:00", first_contacted_at="2026-11-05"),
            lead("D3", "2026-11-04 16:00:00", first_contacted_at="2026-11-09"),
            lead("D4", "2026-11-04 16:30:00", first_contacted_at="2026-11-04"),
        ]
    )
    save(con, agreement(FollowUp(None, "call", 8, "working")))
    judged = con.execute(
        "select lead_id, hours_to_first_contact, is_within_agreed_time "
        "from funnel_revenue order by lead_id"
    ).fetchall()
    assert judged == [
        ("D1", None, None),
        ("D2", None, None),
        ("D3", None, False),
        ("D4", None, True),
    ]


def test_a_day_without_deal_activity_wins_zero_and_without_deals_nothing_is_known(funnel_db):
    # Deals are loaded (D1, won €500 on 5 March); on 20 March only L2 came in: 0 won deals and
    # €0 won, true numbers, not "–". With no deals export at all, opportunities, won deals
    # and won revenue cannot be known: "–".
    con = funnel_db(
        [lead("L1"), lead("L2", "2026-03-20 09:00:00")],
        [won("D1", "500.00", "2026-03-05 10:00:00", lead_id="L1", created_at="2026-03-03")],
    )
    day = {"preset": "Custom", "period": ["2026-03-20", "2026-03-20"]}
    tiles = {
        tile.label: tile.value
        for tile in open_page(database_path(con), "dashboard.py", **day).metric
    }
    assert (tiles["Leads"], tiles["Won deals"], tiles["Won revenue"]) == ("1", "0", "€0.00")
    revenue = open_page(database_path(con), "pages/revenue.py", **day)
    assert {tile.label: tile.value for tile in revenue.metric}["Won revenue"] == "€0.00"
    con = funnel_db([lead("L1"), lead("L2", "2026-03-20 09:00:00")])
    tiles = {
        tile.label: tile.value
        for tile in open_page(database_path(con), "dashboard.py", **day).metric
    }
    assert (tiles["Opportunities"], tiles["Won deals"], tiles["Won revenue"]) == ("–", "–", "–")


def test_all_time_shows_every_won_euro_of_the_deals_file(funnel_db):
    con = events_db(funnel_db)
    # Won in the deals file: 1,200.25 + 300.40 + 550,000.35 = 551,501.00 (D4 was lost).
    at = open_page(database_path(con), "pages/revenue.py", preset="All time")
    assert at.selectbox(key="preset").value == "all_time"
    assert next(tile.value for tile in at.metric if tile.label == "Won revenue") == "€551,501.00"
    table = at.dataframe[0].value.set_index("Channel")
    assert table.loc["(all channels)", "Won deals"] == 3
    assert cents(table.loc["(all channels)", "Won revenue (€)"]) == 55_150_100
    # All time runs from D3's close to D4's; to the cent, the query the tile reads over it.
    assert "01 Feb 2026 – 15 Jul 2026" in [caption.value for caption in at.sidebar.caption]
    total = metric(
        con, "revenue_by_channel", start_date=date(2026, 2, 1), end_date=date(2026, 7, 15)
    )
    assert cents(total[total["is_total"]]["won_revenue"].item()) == 120_025 + 30_040 + 55_000_035


# 4. Durations leave out rows whose end is before their start, and say how many.


def durations_db(funnel_db):
    """L1 (created 2 Mar 09:00) has three won deals, each created 10 Mar 10:00:
    D1 closed 20 Mar 10:00 (10 days after creation, 18 days 1 hour after the lead),
    D2 closed 5 Mar 10:00 (before its creation; 3 days 1 hour after the lead),
    D3 closed 1 Mar 09:00 (before its creation and before the lead)."""
    return funnel_db(
        [lead("L1")],
        [
            won("D1", "100.00", "2026-03-20 10:00:00", lead_id="L1"),
            won("D2", "200.00", "2026-03-05 10:00:00", lead_id="L1"),
            won("D3", "300.00", "2026-03-01 09:00:00", lead_id="L1"),
        ],
    )


def test_sales_cycle_and_velocity_leave_out_deals_closed_before_they_were_created(funnel_db):
    revenue = metric(durations_db(funnel_db), "revenue_by_channel", **MARCH)
    referral = revenue.set_index("channel").loc["Referral"]
    # Sales cycle: D1 only, 10 days (with D2 and D3 it was (10 − 5 − 9 1/24) / 3 < 0).
    assert referral["average_sales_cycle_days"] == pytest.approx(10.0)
    assert referral["count_won_before_created"] == 2
    # Lead → won: D1 18 1/24 and D2 3 1/24 days; their median is 10 1/2 + 1/24.
    assert referral["median_days_lead_to_won"] == pytest.approx(10.5 + 1 / 24)
    assert referral["count_won_before_lead"] == 1
    # Velocity: 3 opportunities × €200 average won deal × 100% win rate ÷ 10 days = €60 a day.
    assert referral["pipeline_velocity_per_day"] == pytest.approx(60.0)
    # Every won euro still counts: 100 + 200 + 300.
    assert cents(referral["won_revenue"]) == 60_000


def test_a_deal_won_the_day_it_was_created_with_a_date_only_close_has_a_0_day_cycle(funnel_db):
    # Salesforce's Close Date has no time. D1, created 10 Mar 10:00 and closed "2026-03-10",
    # was won that day: 0 days, not 10 hours before it began. D2, created 10 Mar 10:00 and
    # closed 20 Mar 10:00, took 10 days. L1 came in on 2 Mar 09:00.
    con = funnel_db(
        [lead("L1")],
        [
            won("D1", "100.00", "2026-03-10", lead_id="L1"),
            won("D2", "200.00", "2026-03-20 10:00:00", lead_id="L1"),
        ],
    )
    referral = metric(con, "revenue_by_channel", **MARCH).set_index("channel").loc["Referral"]
    assert referral["count_won_before_created"] == 0
    assert referral["average_sales_cycle_days"] == pytest.approx((0 + 10) / 2)
    # Lead to won: D1 8 days 1 hour (2 Mar 09:00 to 10 Mar 10:00), D2 18 days 1 hour.
    assert referral["median_days_lead_to_won"] == pytest.approx(13 + 1 / 24)
    assert cents(referral["won_revenue"]) == 30_000


def test_a_pipedrive_deal_lost_in_the_period_counts_against_the_win_rate(g1_con):
    # Pipedrive writes a lost deal's close in "Deal - Lost time", not "Deal - Won time": deal
    # 17 won on 1 Feb, deal 18 lost on 2 Feb. Read from the won column alone, 18 never closed
    # and the win rate was 1 of 1.
    export = REPO_ROOT / "tests/fixtures/exports/corpus/pipedrive_deals_semicolon_decimal_comma.csv"
    prepared = prepare(g1_con, export)
    commit_upload(g1_con, "deals", prepared.rows, "merge", prepared.meta(), changed_by="test")
    february = {"start_date": date(2026, 2, 1), "end_date": date(2026, 2, 28)}
    revenue = metric(g1_con, "revenue_by_channel", **february)
    total = revenue[revenue["is_total"]].iloc[0]
    assert (total["count_won_deals"], total["count_closed_deals"]) == (1, 2)
    assert total["win_rate"] == pytest.approx(1 / 2)
    assert cents(total["won_revenue"]) == 123_456


def test_hubspots_internal_stage_ids_say_won_and_lost(funnel_db):
    # A HubSpot deals export may carry the stage's internal id: "closedwon", "closedlost",
    # "appointmentscheduled". D1 (€100) is won, D2 lost, D3 open; all closed or expected in
    # March. Read as labels only, D1 was closed but never won.
    def deal(deal_id, stage, closed_at):
        return {
            "deal_id": deal_id,
            "created_at": "2026-03-03 09:00:00",
            "stage": stage,
            "amount": "100.00",
            "currency": "EUR",
            "closed_at": closed_at,
        }

    con = funnel_db(
        [],
        [
            deal("D1", "closedwon", "2026-03-10 09:00:00"),
            deal("D2", "closedlost", "2026-03-11 09:00:00"),
            deal("D3", "appointmentscheduled", "2026-03-31 09:00:00"),
        ],
    )
    revenue = metric(con, "revenue_by_channel", **MARCH)
    total = revenue[revenue["is_total"]].iloc[0]
    assert (total["count_won_deals"], total["count_closed_deals"]) == (1, 2)
    assert cents(total["won_revenue"]) == 10_000
    assert cents(total["open_pipeline"]) == 10_000


def test_the_revenue_page_says_how_many_deals_its_durations_left_out(funnel_db):
    con = durations_db(funnel_db)
    at = open_page(database_path(con), "pages/revenue.py", preset="All time")
    captions = [caption.value for caption in at.caption]
    assert any(
        text.startswith("2 deals closed before they were created are left out of the sales cycle")
        for text in captions
    ), captions
    assert any(
        text.startswith("1 won deal closed before its lead was created is left out of lead → won")
        for text in captions
    ), captions
    # The velocity table, wherever the page draws it: the one with a sales-cycle column.
    velocity = next(
        frame.value for frame in at.dataframe if "÷ Sales cycle" in frame.value.columns
    ).set_index("Channel")
    assert velocity.loc["Referral", "÷ Sales cycle"] == pytest.approx(10.0)
    assert velocity.loc["Referral", "= Velocity per day (€)"] == 60


def contact_db(funnel_db):
    """Four leads created 2 Mar 09:00: L1 contacted 2 hours later, L2 an hour *before* it was
    created, L3 never, L4 30 hours later."""
    return funnel_db(
        [
            lead("L1", first_contacted_at="2026-03-02 11:00:00"),
            lead("L2", first_contacted_at="2026-03-02 08:00:00"),
            lead("L3"),
            lead("L4", first_contacted_at="2026-03-03 15:00:00"),
        ]
    )


def test_follow_up_times_leave_out_contacts_before_the_lead_was_created(funnel_db):
    con = contact_db(funnel_db)
    speed = metric(con, "follow_up_speed", **MARCH)
    overall = speed[speed["grouped_by"] == "all"].iloc[0]
    assert overall["count_leads"] == 4
    assert overall["count_contacted"] == 2  # L1 and L4
    assert overall["count_never_contacted"] == 1  # L3; L2 was contacted, just misdated
    assert overall["count_contacted_before_created"] == 1
    # Median of 2 and 30 hours (with L2's −1 h it was 2).
    assert overall["median_hours_to_first_contact"] == pytest.approx(16.0)
    # Within 24 h: L1, of the 3 leads with a measurable time (L2's −1 h counted as a hit).
    assert overall["share_within_sla"] == pytest.approx(1 / 3)
    weekly = metric(con, "sla_share_by_week", **MARCH)
    assert weekly[weekly["is_total"]]["share_within_sla"].tolist() == pytest.approx([1 / 3])
    bands = metric(con, "conversion_by_response_band", **MARCH).set_index("response_band")
    # L1 in 1–4 h, L4 in 1–3 days, L3 never; L2 in no band.
    assert bands["count_leads"].to_dict() == {"1–4 h": 1, "1–3 days": 1, "never": 1}


def test_the_follow_up_page_says_how_many_leads_its_times_left_out(funnel_db):
    con = contact_db(funnel_db)
    at = open_page(database_path(con), "pages/follow_up.py", preset="All time")
    assert any(
        caption.value.startswith(
            "1 lead contacted before it was created is left out of follow-up times"
        )
        for caption in at.caption
    )
    assert next(tile.value for tile in at.metric if tile.label == "Median follow-up") == "16.0 h"


def test_won_deals_with_no_close_date_are_said_not_silently_dropped(funnel_db):
    # Two won deals, one closed 1 April (€1,200.25), one with no close date: only the first
    # is in a period; both pages say the other exists instead of showing a smaller total.
    con = funnel_db(
        [lead("L1")],
        [
            won("D1", "1200.25", "2026-04-01 00:00:00", lead_id="L1"),
            won("D2", "500.00", None, lead_id="L1"),
        ],
    )
    for path in ("dashboard.py", "pages/revenue.py"):
        at = open_page(database_path(con), path, preset="All time")
        shown = next(tile.value for tile in at.metric if tile.label == "Won revenue")
        assert shown == "€1,200.25"  # to the cent, as D1's amount in the export
        notes = " ".join(caption.value for caption in at.caption)
        assert "1 won deal has no close date in the export" in notes
