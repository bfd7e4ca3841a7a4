"""What the data cannot tell is said, never counted as a miss: a lead whose upload had no
column for a date (first contact, MQL, SQL) is neither a hit nor a miss, and the pages say for
how many leads a figure cannot be measured."""

import functools
import html
import json
from datetime import date, datetime

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from benchmarks import reference
from revcycle.build import build
from revcycle.db import connect, execute
from revcycle.importer import load
from revcycle.importer.validate import prepare
from revcycle.meeting import leak, numbers, pack, week_view
from revcycle.meeting.week import Week
from revcycle.paths import REPO_ROOT
from revcycle.rebuild import rebuild_in_transaction
from tests.conftest import building, inputs_key, made_copy, metric, write_export

MARCH = {"start_date": date(2026, 3, 1), "end_date": date(2026, 3, 31)}

# Upload 1 records contacts, MQL and SQL: A1 contacted after 2 h, A2 never.
LEADS_WITH_CONTACTS = [
    {
        "lead_id": "A1",
        "created_at": "2026-03-02 09:00:00",
        "channel": "Referral",
        "first_contacted_at": "2026-03-02 11:00:00",
        "mql_at": "2026-03-03 09:00:00",
        "sql_at": "2026-03-06 09:00:00",  # the latest event: the data is as of 6 March
    },
    {"lead_id": "A2", "created_at": "2026-03-02 09:00:00", "channel": "Referral"},
]
# Upload 2, merged in, is an export with no first-contact, MQL or SQL column at all.
LEADS_WITHOUT_DATES = (
    "lead_id,created_at,channel\n"
    "B1,2026-03-03 09:00:00,Referral\n"
    "B2,2026-03-03 10:00:00,Referral\n"
    "B3,2026-03-03 10:00:00,Referral\n"
)


def merge(con, path) -> None:
    prepared = prepare(con, path, kind="leads")
    load.commit_upload(con, "leads", prepared.rows, "merge", prepared.meta(), changed_by="test")


@pytest.fixture
def mixed_db(tmp_path, built_databases):
    """Two leads from a file that records contacts, three from one that does not."""
    exports = {"leads": write_export(tmp_path / "a.csv", "leads", LEADS_WITH_CONTACTS)}
    without = tmp_path / "b.csv"
    without.write_text(LEADS_WITHOUT_DATES, encoding="utf-8")
    make = building(exports, then=lambda con: merge(con, without))
    key = "mixed-" + inputs_key(exports | {"merged": without})
    path = made_copy(built_databases, key, make, tmp_path / "mixed.duckdb")
    con = connect(path)
    yield con, path
    con.close()


def test_an_upload_records_which_fields_its_file_had(mixed_db):
    con, _ = mixed_db
    fields = dict(con.execute("select file_name, fields from uploads").fetchall())
    assert sorted(fields["b.csv"]) == ["channel", "created_at", "lead_id"]
    assert "first_contacted_at" in fields["a.csv"]


def test_leads_with_no_contact_column_are_neither_within_nor_past_the_sla(mixed_db):
    con, _ = mixed_db
    speed = metric(con, "follow_up_speed", **MARCH)
    overall = speed[speed["grouped_by"] == "all"].iloc[0]
    assert overall["count_leads"] == 5
    assert overall["count_unmeasurable"] == 3  # B1, B2, B3
    assert overall["count_never_contacted"] == 1  # A2 only, not the three B leads
    assert overall["share_within_sla"] == pytest.approx(1 / 2)  # A1 of A1, A2 (was 1 of 5)


def test_weekly_sla_share_is_over_leads_that_record_contacts(mixed_db):
    con, _ = mixed_db
    weekly = metric(con, "sla_share_by_week", **MARCH)
    total = weekly[weekly["is_total"]].iloc[0]  # all five leads fall in the week of 2 March
    assert (total["count_leads"], total["count_unmeasurable"]) == (5, 3)
    assert total["share_within_sla"] == pytest.approx(1 / 2)


def test_waiting_list_never_lists_leads_from_a_file_without_contacts(mixed_db):
    con, _ = mixed_db
    waiting = metric(con, "leads_waiting_past_sla", **MARCH)
    # A2 waited from 2 March 09:00 to 6 March 09:00; the B leads' contacts are unknown.
    assert waiting["lead_id"].tolist() == ["A2"]
    assert waiting["days_waiting"].tolist() == [pytest.approx(4.0)]


def test_response_bands_leave_out_leads_without_contact_data(mixed_db):
    con, _ = mixed_db
    bands = metric(con, "conversion_by_response_band", **MARCH)
    assert dict(zip(bands["response_band"], bands["count_leads"], strict=True)) == {
        "1–4 h": 1,  # A1, 2 hours
        "never": 1,  # A2
    }


def test_the_count_of_unmeasurable_leads_names_each_missing_date(mixed_db):
    con, _ = mixed_db
    row = metric(con, "leads_without_date_columns", **MARCH).iloc[0]
    assert row["count_leads"] == 5
    assert row["count_without_contact_column"] == 3
    assert row["count_without_mql_column"] == 3
    assert row["count_without_sql_column"] == 3


def test_coverage_gives_each_date_share_per_upload_and_no_column_as_unknown(mixed_db):
    con, _ = mixed_db
    coverage = execute(con, "metrics/date_coverage_by_upload")
    rows = {
        (file, field): (has_column, leads, with_date, share)
        for file, field, has_column, leads, with_date, share in coverage[
            ["file_name", "field", "has_column", "count_leads", "count_with_date"]
            + ["share_with_date"]
        ].itertuples(index=False)
    }
    # a.csv: A1 has all three dates, A2 none.
    for field in ("mql_at", "sql_at", "first_contacted_at"):
        assert rows[("a.csv", field)] == (True, 2, 1, pytest.approx(0.5))
        has_column, leads, with_date, share = rows[("b.csv", field)]
        assert (has_column, leads, with_date) == (False, 3, 0)
        assert share != share  # no column: unknown (NaN), not 0%


def test_a_lead_sent_again_without_the_columns_keeps_what_was_recorded(mixed_db, tmp_path):
    # again.csv has A1 and A2, now owned by Ann, and no date column: a.csv recorded A1's
    # contact after 2 hours, its MQL and SQL, and A2 never contacted. A column the file lacks
    # is unknown, not blank, so both keep them; the owner is the new file's.
    con, _ = mixed_db
    again = tmp_path / "again.csv"
    again.write_text(
        "lead_id,created_at,channel,owner\n"
        "A1,2026-03-02 09:00:00,Referral,Ann\n"
        "A2,2026-03-02 09:00:00,Referral,Ann\n"
    )
    merge(con, again)
    row = metric(con, "leads_without_date_columns", **MARCH).iloc[0]
    assert row["count_without_contact_column"] == 3  # B1-B3, as before
    waiting = metric(con, "leads_waiting_past_sla", **MARCH)
    assert waiting["lead_id"].tolist() == ["A2"]
    leads = con.execute(
        "select lead_id, owner, hours_to_first_contact, has_reached_mql, has_reached_sql "
        "from funnel_revenue where lead_id in ('A1', 'A2') order by lead_id"
    ).fetchall()
    assert leads == [("A1", "Ann", 2.0, True, True), ("A2", "Ann", None, False, False)]


def test_uploads_recorded_before_fields_were_kept_infer_them_from_values(mixed_db):
    con, _ = mixed_db
    con.execute("update uploads set fields = null")
    con.begin()
    rebuild_in_transaction(con)
    con.commit()
    row = metric(con, "leads_without_date_columns", **MARCH).iloc[0]
    # a.csv has values in all three dates (A1); b.csv has none.
    assert row["count_without_contact_column"] == 3


def open_page(path: str, db_path) -> AppTest:
    at = AppTest.from_file(str(REPO_ROOT / path), default_timeout=120)
    at.query_params["preset"] = "Custom"
    at.query_params["period"] = ["2026-03-01", "2026-03-31"]
    at.run()
    assert not at.exception, at.exception
    return at


@pytest.fixture
def mixed_env(mixed_db, monkeypatch):
    con, path = mixed_db
    con.close()
    monkeypatch.setenv("REVCYCLE_DB", str(path))
    return path


def tile(at: AppTest, label: str) -> str:
    return next(metric.value for metric in at.metric if metric.label == label)


def test_follow_up_page_says_what_it_cannot_measure(mixed_env):
    at = open_page("pages/follow_up.py", mixed_env)
    assert tile(at, "Never contacted") == "1"
    assert tile(at, "Within agreed time") == "50.0%"
    captions = [caption.value for caption in at.caption]
    assert (
        "Follow-up speed cannot be measured for 3 of 5 leads: their upload has no "
        "first-contact column."
    ) in captions
    waiting = [frame.value for frame in at.dataframe if "Waiting" in frame.value.columns]
    assert waiting[0]["Lead"].tolist() == ["A2"]
    warnings = [warning.value for warning in at.sidebar.warning]
    assert any(text.startswith("3 leads come from files with no column") for text in warnings)


def test_one_lead_without_a_date_column_is_named_in_the_singular(tmp_path, monkeypatch):
    # One lead, from an export with no first-contact, MQL or SQL column.
    leads = tmp_path / "one.csv"
    leads.write_text("lead_id,created_at,channel\nC1,2026-03-03 09:00:00,Referral\n")
    con = connect(tmp_path / "one.duckdb")
    build(con, {"leads": leads})
    con.close()
    monkeypatch.setenv("REVCYCLE_DB", str(tmp_path / "one.duckdb"))
    at = open_page("pages/follow_up.py", tmp_path / "one.duckdb")
    warnings = [warning.value for warning in at.sidebar.warning]
    assert any(text.startswith("1 lead comes from a file with no column") for text in warnings)


def test_conversion_page_says_mql_and_sql_cannot_be_measured(mixed_env):
    at = open_page("pages/conversion.py", mixed_env)
    captions = [caption.value for caption in at.caption]
    assert "MQL cannot be measured for 3 of 5 leads: their upload has no MQL date column." in (
        captions
    )
    assert "SQL cannot be measured for 3 of 5 leads: their upload has no SQL date column." in (
        captions
    )


def test_a_channel_none_of_whose_leads_records_mqls_shows_no_count_not_zero(tmp_path, monkeypatch):
    # An export with no MQL or SQL column: Paid search's 2 leads and Referral's 1 cannot say
    # how many became MQLs or SQLs, so the table shows "–" (missing) for them, never 0; the
    # leads are counted.
    leads = tmp_path / "bare.csv"
    leads.write_text(
        "lead_id,created_at,channel\n"
        "P1,2026-03-03 09:00:00,Paid Search\n"
        "P2,2026-03-04 09:00:00,Paid Search\n"
        "R1,2026-03-05 09:00:00,Referral\n"
    )
    con = connect(tmp_path / "bare.duckdb")
    build(con, {"leads": leads})
    con.close()
    monkeypatch.setenv("REVCYCLE_DB", str(tmp_path / "bare.duckdb"))
    at = open_page("pages/conversion.py", tmp_path / "bare.duckdb")
    table = next(frame.value for frame in at.dataframe if "MQLs" in frame.value.columns)
    table = table.set_index("Channel")
    assert table.loc["Paid search", "Leads"] == 2 and table.loc["Referral", "Leads"] == 1
    for channel in ("Paid search", "Referral", "(all channels)"):
        assert pd.isna(table.loc[channel, "MQLs"]) and pd.isna(table.loc[channel, "SQLs"])
    # Each channel's funnel says so on the rows, where a blank row read as nothing at all.
    funnels = next(
        json.loads(chart.proto.spec)
        for chart in at.get("plotly_chart")
        if "funnel" in json.loads(chart.proto.spec)["layout"]["title"]["text"]
    )
    drawn = {
        trace["name"]: dict(
            zip(trace["y"], zip(trace["x"], trace["text"], strict=True), strict=True)
        )
        for trace in funnels["data"]
    }
    assert drawn["Paid search"]["Leads"] == (2, "2")
    assert drawn["Referral"]["Leads"] == (1, "1")
    for channel in ("Paid search", "Referral"):
        for stage in ("MQLs", "SQLs"):
            assert drawn[channel][stage] == (0, "not measured"), (channel, stage)


def test_upload_page_shows_the_coverage_table(mixed_env):
    at = open_page("pages/upload.py", mixed_env)
    coverage = next(frame.value for frame in at.dataframe if "Column in file" in frame.value)
    b_rows = coverage[coverage["File"] == "b.csv"]
    assert b_rows["Column in file"].tolist() == ["no column"] * 3
    assert b_rows["Leads"].tolist() == [3, 3, 3]


def database_without_dates(tmp_path, monkeypatch):
    """The dashboard's database holding only the three leads of a file with no date columns."""
    path = tmp_path / "none.duckdb"
    without = tmp_path / "b.csv"
    without.write_text(LEADS_WITHOUT_DATES, encoding="utf-8")
    con = connect(path)
    build(con, {"leads": without})
    con.close()
    monkeypatch.setenv("REVCYCLE_DB", str(path))
    return path


def test_with_no_lead_recording_contacts_never_contacted_is_unknown_not_zero(tmp_path, monkeypatch):
    path = database_without_dates(tmp_path, monkeypatch)
    at = open_page("pages/follow_up.py", path)
    assert tile(at, "Never contacted") == "–"
    assert tile(at, "Within agreed time") == "–"
    # No empty chart, list or trend that would read as "nobody was contacted": one sentence.
    assert not at.dataframe and not at.get("plotly_chart")
    assert not [header for header in at.header if header.value == "Waiting past the SLA"]
    said = " ".join(info.value for info in at.info)
    assert "how fast sales followed up cannot be measured" in said
    assert "Follow-up speed cannot be measured for 3 of 3 leads" in " ".join(
        caption.value for caption in at.caption
    )


def test_overview_shows_no_zero_mqls_when_no_file_records_them(tmp_path, monkeypatch):
    # Three leads from a file with no MQL or SQL column: 0 MQLs would be a false figure.
    path = database_without_dates(tmp_path, monkeypatch)
    at = open_page("dashboard.py", path)
    assert tile(at, "Leads") == "3"
    assert tile(at, "MQLs") == "–"
    assert tile(at, "SQLs") == "–"
    notes = " ".join(caption.value for caption in at.caption)
    assert "MQL cannot be measured for 3 of 3 leads" in notes


def test_overview_counts_mqls_when_some_file_records_them(mixed_env):
    # A1 (the file with an MQL column) became MQL on 3 March; B1-B3 cannot tell: 1, not "–".
    at = open_page("dashboard.py", mixed_env)
    assert tile(at, "MQLs") == "1"


def rates(frame, stage: str):
    return frame[frame["is_total"] & (frame["stage"] == stage)].iloc[0]


def test_period_mql_and_sql_rates_leave_out_leads_whose_file_has_no_such_column(mixed_db):
    con, _ = mixed_db
    conversion = metric(con, "conversion_by_channel", **MARCH)
    mql, sql = rates(conversion, "mql"), rates(conversion, "sql")
    # A1 became MQL, of A1 and A2; B1-B3 come from a file with no MQL column (was 1 of 5).
    assert (mql["count_for_previous"], mql["count_previous"]) == (1, 2)
    assert mql["share_of_previous"] == pytest.approx(1 / 2)
    assert mql["share_of_first"] == pytest.approx(1 / 2)
    # A1's SQL, of the one MQL (A1); of the first stage, of A1 and A2 (was 1 of 5).
    assert sql["share_of_previous"] == pytest.approx(1)
    assert sql["share_of_first"] == pytest.approx(1 / 2)


def test_cohort_mql_and_sql_rates_leave_out_leads_whose_file_cannot_tell(mixed_db):
    con, _ = mixed_db
    # Within 1 day every lead is mature (the data is as of 6 March): A1's MQL on 3 March
    # 09:00 is within its day, its SQL on 6 March is not.
    cohort = metric(con, "cohort_conversion_by_channel", within_days=1, min_leads=1, **MARCH)
    mql, sql, won = rates(cohort, "mql"), rates(cohort, "sql"), rates(cohort, "won")
    assert (mql["count_leads"], mql["count_reached"]) == (2, 1)  # was 5 leads, 1 reached
    assert mql["share_reached"] == pytest.approx(1 / 2)
    assert (sql["count_leads"], sql["count_reached"]) == (2, 0)
    # No deals export is loaded: no lead can tell it won, and the share is unknown, not 0.
    assert won["count_leads"] == 0 and pd.isna(won["share_reached"])
    weekly = metric(con, "cohort_conversion_by_week", within_days=1, cohort_grain="week", **MARCH)
    assert weekly[weekly["stage"] == "mql"][["count_leads", "count_reached"]].values.tolist() == [
        [2, 1]
    ]


def this_week(week: str) -> AppTest:
    at = AppTest.from_file(str(REPO_ROOT / "pages" / "this_week.py"), default_timeout=120)
    at.query_params["week"] = week
    at.run()
    assert not at.exception, at.exception
    return at


def test_the_meeting_says_which_leads_it_could_not_judge(mixed_env):
    # 2026-W10 (2-8 March) holds all five leads: A1 called after 2 hours, A2 never called (a
    # breach once its 24 hours ran out), and B1-B3 from the file without a first-contact column.
    at = this_week("2026-W10")
    said = "3 of the week's 5 leads come from files without a first-contact column: their "
    said += "follow-up is not known."
    assert said in [caption.value.replace("\\", "") for caption in at.caption]


def test_with_no_lead_judged_there_is_no_good_news_only_the_reason(tmp_path, monkeypatch):
    leads = tmp_path / "b.csv"
    leads.write_text(LEADS_WITHOUT_DATES, encoding="utf-8")
    con = connect(tmp_path / "b.duckdb")
    build(con, {"leads": leads})
    con.close()
    monkeypatch.setenv("REVCYCLE_DB", str(tmp_path / "b.duckdb"))
    at = this_week("2026-W10")
    assert not [box.value for box in at.success if "waited past" in box.value]
    infos = [box.value.replace("\\", "") for box in at.info]
    assert any(text.startswith("Cannot be measured: ") for text in infos), infos


def test_without_deals_the_conversion_page_knows_no_customer(mixed_env):
    # Only leads are loaded: how many became customers cannot be known, so "–", never 0.
    at = open_page("pages/conversion.py", mixed_env)
    assert tile(at, "Customers") == "–"
    table = next(frame.value for frame in at.dataframe if "Customers per lead" in frame.value)
    assert table["Customers per lead"].isna().all()


def test_does_speed_pay_leaves_unknown_shares_unknown(mixed_db, tmp_path):
    # A1 was called after 2 hours and became an SQL; A2 was never called, and its file records
    # SQLs: 0 of 1. B1-B3 have no first-contact column: in no band. No deal is loaded: the
    # share won is unknown in every band.
    con, _ = mixed_db
    bands = metric(con, "conversion_by_response_band", **MARCH)
    bands = bands.astype(object).where(bands.notna(), None)
    assert bands[["response_band", "count_leads", "share_sql", "share_won"]].values.tolist() == [
        ["1–4 h", 1, 1.0, None],
        ["never", 1, 0.0, None],
    ]
    # A file with a first-contact column and no SQL column: the share that became SQL is unknown.
    leads = tmp_path / "k.csv"
    leads.write_text(
        "lead_id,created_at,channel,first_contacted_at\n"
        "K1,2026-03-02 09:00:00,Referral,2026-03-02 10:00:00\n",
        encoding="utf-8",
    )
    other = connect(tmp_path / "k.duckdb")
    build(other, {"leads": leads})
    bands = metric(other, "conversion_by_response_band", **MARCH)
    other.close()
    assert bands["share_sql"].isna().all() and bands["count_leads"].tolist() == [1]


@pytest.mark.parametrize("path", ["pages/revenue.py", "pages/attribution.py"])
def test_without_deals_revenue_pages_say_so_instead_of_blaming_the_filters(mixed_env, path):
    at = open_page(path, mixed_env)
    infos = [info.value for info in at.info]
    assert any(text.startswith("No deals export is loaded, so revenue cannot") for text in infos)
    assert not any("match these filters" in text for text in infos)


def test_a_week_without_leads_counts_no_mqls_when_no_upload_records_them(tmp_path, monkeypatch):
    # The only leads file has no MQL, SQL or contact column: B1-B3 came in during W10, B4 on
    # 17 March (W12). W11 created no lead, yet lies within the data: its MQLs are unknown too,
    # not 0, and the headline never says "No lead became an MQL this week."
    leads = tmp_path / "b.csv"
    leads.write_text(LEADS_WITHOUT_DATES + "B4,2026-03-17 09:00:00,Referral\n", encoding="utf-8")
    path = tmp_path / "gap.duckdb"
    con = connect(path)
    try:
        build(con, {"leads": leads})
        query = functools.partial(execute, con)
        tiles = numbers.week_tiles(query, Week(2026, 11), None).set_index("metric")
        leaks = leak.find_leaks(query, Week(2026, 11), None)
    finally:
        con.close()
    assert tiles.at["leads", "this_week"] == 0  # a week with no lead is a 0, rightly
    # No step has a cohort to compare: not "no step dropped", which is no news.
    assert leaks.cannot_measure == leak.NOTHING_TO_COMPARE and not leaks.flagged
    for metric_name, reason in (
        ("mqls", numbers.NO_MQL_DATES),
        ("sqls", numbers.NO_SQL_DATES),
        ("share_contacted_in_time", numbers.NO_CONTACT_DATES),
    ):
        assert pd.isna(tiles.at[metric_name, "this_week"]), metric_name
        assert tiles.at[metric_name, "cannot_measure"] == reason, metric_name
    monkeypatch.setenv("REVCYCLE_DB", str(path))
    at = this_week("2026-W11")
    shown = {metric.label: metric.value for metric in at.metric}
    assert (shown["MQLs"], shown["SQLs"], shown["Within agreed time"]) == ("–", "–", "–")
    said = [
        element.value for element in at.main if isinstance(getattr(element, "value", None), str)
    ]
    assert not [text for text in said if "No lead became an MQL" in text], said
    assert not [text for text in said if "No step dropped" in text], said
    assert [text for text in said if numbers.NO_MQL_DATES in text.replace("\\", "")], said


def test_a_period_without_leads_counts_no_mqls_when_no_upload_records_them(tmp_path, monkeypatch):
    # B1-B3 came in on 3 March from the only leads file, which has no MQL or SQL column; B1's
    # deal was won on 10 March. 9-15 March created no lead: 0 leads, 1 customer, and MQLs and
    # SQLs unknown, never 0.
    leads = tmp_path / "b.csv"
    leads.write_text(LEADS_WITHOUT_DATES, encoding="utf-8")
    deals = tmp_path / "d.csv"
    deals.write_text(
        "deal_id,lead_id,created_at,stage,closed_at,amount,currency\n"
        "D1,B1,2026-03-04 09:00:00,Closed Won,2026-03-10 09:00:00,100.00,EUR\n",
        encoding="utf-8",
    )
    path = tmp_path / "won.duckdb"
    con = connect(path)
    try:
        build(con, {"leads": leads, "deals": deals})
        period = {"start_date": date(2026, 3, 9), "end_date": date(2026, 3, 15)}
        conversion = metric(con, "conversion_by_channel", **period)
    finally:
        con.close()
    total = conversion[conversion["is_total"]].set_index("stage")
    assert total.at["lead", "count_events"] == 0 and not total.at["lead", "is_unmeasurable"]
    assert total.at["won", "count_events"] == 1 and not total.at["won", "is_unmeasurable"]
    assert total.at["mql", "is_unmeasurable"] and total.at["sql", "is_unmeasurable"]
    monkeypatch.setenv("REVCYCLE_DB", str(path))
    at = AppTest.from_file(str(REPO_ROOT / "dashboard.py"), default_timeout=120)
    at.query_params.update({"preset": "Custom", "period": ["2026-03-09", "2026-03-15"]})
    at.run()
    assert not at.exception, at.exception
    assert (tile(at, "Leads"), tile(at, "MQLs"), tile(at, "SQLs")) == ("0", "–", "–")
    assert tile(at, "Won deals") == "1"


# Every contract column is in the file (write_export), so the upload records SQL dates. U1 is
# converted, but its opportunity is not loaded; U3's lifecycle stage is past SQL with no date
# (a stage skipped); both reached SQL on no known day. U2 has its SQL date; U4's is blank, so
# it comes from its converted opportunity's creation; U5 is a plain lead.
LEADS_REACHING_SQL = [
    {
        "lead_id": "U1",
        "created_at": "2026-03-02 09:00:00",
        "is_converted": "true",
        "converted_deal_id": "006U1",
    },
    {"lead_id": "U2", "created_at": "2026-03-02 10:00:00", "sql_at": "2026-03-05 09:00:00"},
    {"lead_id": "U3", "created_at": "2026-03-03 09:00:00", "lifecycle_stage": "customer"},
    {
        "lead_id": "U4",
        "created_at": "2026-03-03 10:00:00",
        "is_converted": "true",
        "converted_deal_id": "006U4",
    },
    {"lead_id": "U5", "created_at": "2026-03-04 09:00:00"},
]
U4_OPPORTUNITY = [{"deal_id": "006U4", "created_at": "2026-03-04 10:00:00", "stage": "Proposal"}]


@pytest.fixture
def undated_sql_db(tmp_path, built_databases):
    exports = {
        "leads": write_export(tmp_path / "leads.csv", "leads", LEADS_REACHING_SQL),
        "deals": write_export(tmp_path / "opportunities.csv", "deals", U4_OPPORTUNITY),
    }
    key = "undated-sql-" + inputs_key(exports)
    return made_copy(built_databases, key, building(exports), tmp_path / "undated.duckdb")


def test_leads_that_reached_sql_without_a_date_are_counted_for_the_period(undated_sql_db):
    con = connect(undated_sql_db)
    try:
        march = metric(con, "leads_without_date_columns", **MARCH).iloc[0]
        february = metric(
            con,
            "leads_without_date_columns",
            start_date=date(2026, 2, 1),
            end_date=date(2026, 2, 28),
        ).iloc[0]
        events = metric(con, "conversion_by_channel", **MARCH)
    finally:
        con.close()
    assert march["count_leads"] == 5
    assert march["count_reached_sql_without_date"] == 2  # U1 and U3
    assert march["count_without_sql_column"] == 0  # the file has the column
    assert february["count_reached_sql_without_date"] == 0  # created in March
    # The period's SQLs are the dated ones only: U2 (5 March) and U4 (its opportunity, 4 March).
    total_sqls = events[events["is_total"] & (events["stage"] == "sql")]
    assert total_sqls["count_events"].tolist() == [2]


def test_conversion_page_says_how_many_leads_reached_sql_on_no_known_day(
    undated_sql_db, monkeypatch
):
    monkeypatch.setenv("REVCYCLE_DB", str(undated_sql_db))
    at = open_page("pages/conversion.py", undated_sql_db)
    captions = [caption.value for caption in at.caption]
    assert (
        "2 of the period's 5 leads reached SQL (converted, or by their lifecycle stage) but have "
        "no SQL date, "
        "so no period counts them among its SQLs; cohorts count them. A converted lead's SQL "
        "date is its converted opportunity's creation: load the opportunities export that "
        "holds it."
    ) in captions


def test_the_meeting_says_how_many_of_the_week_s_leads_reached_sql_on_no_known_day(
    undated_sql_db,
):
    # All five leads came in the week of 2 March (week 10). Its SQLs: U2 (5 March) and U4 (its
    # opportunity, 4 March); U1 and U3 reached SQL on no known day.
    said = (
        "2 of the week's 5 leads reached SQL (converted, or by their lifecycle stage) but have "
        "no SQL date, so no week counts them among its SQLs; cohorts count them. A converted "
        "lead's SQL date is its converted opportunity's creation: load the opportunities "
        "export that holds it."
    )
    con = connect(undated_sql_db)
    try:
        query = functools.partial(execute, con)
        week = numbers.week_tiles(query, Week(2026, 10), {}).set_index("metric")
        meeting = week_view.gather(query, con, Week(2026, 10), {}, date(2026, 3, 9))
    finally:
        con.close()
    assert week.at["sqls", "this_week"] == 2
    assert week.at["sqls", "partly_unmeasured"] == said
    # U3's lifecycle stage is past MQL too, and the file has an MQL column it left blank: it
    # skipped MQL, and is said beside the MQLs (U1's conversion and U2's SQL date say nothing
    # of an MQL).
    assert week.at["mqls", "partly_unmeasured"] == (
        "1 of the week's 5 leads reached MQL (by their lifecycle stage) but has no MQL date, so "
        "no week counts it among its MQLs; cohorts count it."
    )
    # The pack escapes its text: the apostrophes are entities there.
    assert pack.render(meeting, datetime(2026, 3, 9, 9, 0)).count(html.escape(said)) == 1


# No SQL is dated: V1 is converted but its opportunity is not loaded, V2's lifecycle stage is
# past SQL with the date blank, V3 is a plain lead; all three are Referral leads of the week of
# 2 March. E1, an Email lead, reached no SQL at all: its channel's 0 SQLs are a true 0.
LEADS_WITH_ONLY_UNDATED_SQLS = [
    {
        "lead_id": "V1",
        "created_at": "2026-03-02 09:00:00",
        "channel": "Referral",
        "is_converted": "true",
        "converted_deal_id": "006V1",
    },
    {
        "lead_id": "V2",
        "created_at": "2026-03-03 09:00:00",
        "channel": "Referral",
        "lifecycle_stage": "customer",
    },
    {"lead_id": "V3", "created_at": "2026-03-04 09:00:00", "channel": "Referral"},
    {"lead_id": "E1", "created_at": "2026-03-04 10:00:00", "channel": "Email"},
]


@pytest.fixture
def only_undated_sql_db(tmp_path, built_databases):
    exports = {"leads": write_export(tmp_path / "leads.csv", "leads", LEADS_WITH_ONLY_UNDATED_SQLS)}
    key = "only-undated-sql-" + inputs_key(exports)
    return made_copy(built_databases, key, building(exports), tmp_path / "only.duckdb")


def test_no_dated_sql_and_some_reached_on_no_known_day_is_unknown_not_0(only_undated_sql_db):
    con = connect(only_undated_sql_db)
    try:
        conversion = metric(con, "conversion_by_channel", **MARCH)
        query = functools.partial(execute, con)
        week = numbers.week_tiles(query, Week(2026, 10), {}).set_index("metric")
        funnel = con.execute("select * from funnel_revenue").df()
    finally:
        con.close()
    # The benchmark's pandas version of the metric reads them alike.
    params = reference.metric_params("conversion_by_channel", **MARCH)
    pandas_result = reference.reference_conversion_by_channel(funnel, **params)
    assert reference.mismatches("conversion_by_channel", conversion, pandas_result) == []
    sqls = conversion[conversion["stage"] == "sql"].set_index("channel")
    total = sqls[sqls["is_total"]].iloc[0]
    # V1 and V2 may have reached SQL in March: the count of 0 is not known to be all.
    assert total["count_events"] == 0 and total["is_unmeasurable"]
    assert sqls.at["Referral", "is_unmeasurable"]
    # E1's channel has no lead that reached SQL: nothing is missing, its 0 is 0.
    assert sqls.at["Email", "count_events"] == 0 and not sqls.at["Email", "is_unmeasurable"]
    assert week.at["leads", "this_week"] == 4
    assert pd.isna(week.at["sqls", "this_week"])
    assert week.at["sqls", "cannot_measure"] == (
        "No SQL is dated in the week, but 2 of its 4 leads reached SQL (converted, or by their "
        "lifecycle stage) on no known day, so the week's SQLs cannot be counted. A converted "
        "lead's SQL date is its converted opportunity's creation: load the opportunities "
        "export that holds it."
    )
    assert week.at["sqls", "partly_unmeasured"] is None  # said once, as the reason


def test_the_overview_shows_an_unknown_sql_count_as_unknown_not_0(only_undated_sql_db, monkeypatch):
    monkeypatch.setenv("REVCYCLE_DB", str(only_undated_sql_db))
    at = open_page("dashboard.py", only_undated_sql_db)
    assert (tile(at, "Leads"), tile(at, "SQLs")) == ("4", "–")
    captions = [caption.value for caption in at.caption]
    assert any(caption.startswith("2 of the period's 4 leads reached SQL") for caption in captions)
