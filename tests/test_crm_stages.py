"""Issue 9 points 9 and 10: what HubSpot's lifecycle stage and response time, and Salesforce's
conversion, say about a lead when the export has no date column for it. Hand-written exports
with the real header names (shared/export-formats.md), a real database."""

import functools
from datetime import date, datetime

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from revcycle.build import build
from revcycle.db import connect, execute
from revcycle.importer.validate import prepare
from revcycle.meeting import numbers
from revcycle.meeting.week import Week
from revcycle.paths import REPO_ROOT
from tests.conftest import metric

OCTOBER_TO_DECEMBER = {"start_date": date(2026, 10, 1), "end_date": date(2026, 12, 31)}
MQL_COLUMN = '“Date entered "Marketing Qualified Lead (Lifecycle Stage Pipeline)"”'
SQL_COLUMN = '“Date entered "Sales Qualified Lead (Lifecycle Stage Pipeline)"”'

# Current-format HubSpot contacts with a Lifecycle Stage but no "Date entered" columns. By
# stage: 1 MQL, 2 SQL (HubSpot's internal value), 3 a lead, 4 a customer, 5 a subscriber
# created two months later, so the data runs to December and leads 1-4 have had 30 days.
# Line 2's response time is 1 h 30 min after assignment; line 3 has no response time; line 4
# no assignment; line 5's "abc" is not a time.
HUBSPOT = (
    '"Record ID","Create Date","Original Traffic Source","Lifecycle Stage",'
    '"Owner assigned date","Lead response time (HH:mm:ss)"\n'
    '"1","2026-10-01 09:00","Direct Traffic","Marketing Qualified Lead","2026-10-01 10:00",'
    '"01:30:00"\n'
    '"2","2026-10-02 09:00","Paid Social","salesqualifiedlead","2026-10-02 09:30",""\n'
    '"3","2026-10-03 09:00","AI Referrals","Lead","","00:10:00"\n'
    '"4","2026-10-04 09:00","Organic Social","Customer","2026-10-04 09:00","abc"\n'
    '"5","2026-12-01 09:00","Social Media","Subscriber","",""\n'
)


@pytest.fixture
def hubspot_file(tmp_path):
    path = tmp_path / "hubspot-contacts.csv"
    path.write_text(HUBSPOT, encoding="utf-8")
    return path


def opened(con, tmp_path, monkeypatch, page: str, last_day: str) -> AppTest:
    """The page over the test's database (closed here), from 1 October to ``last_day``."""
    con.close()
    monkeypatch.setenv("REVCYCLE_DB", str(tmp_path / "crm.duckdb"))
    at = AppTest.from_file(str(REPO_ROOT / f"pages/{page}.py"), default_timeout=120)
    at.query_params["preset"] = "Custom"
    at.query_params["period"] = ["2026-10-01", last_day]
    at.run()
    assert not at.exception, at.exception
    return at


@pytest.fixture
def answered_unassigned_file(tmp_path):
    """Two HubSpot contacts answered (a response time) and never assigned: the export cannot
    tell when either was answered."""
    path = tmp_path / "hubspot-answered.csv"
    path.write_text(
        '"Record ID","Create Date","Original Traffic Source","Owner assigned date",'
        '"Lead response time (HH:mm:ss)"\n'
        '"1","2026-10-05 09:00","Direct Traffic","","00:10:00"\n'
        '"2","2026-10-06 09:00","Direct Traffic","","01:00:00"\n',
        encoding="utf-8",
    )
    return path


@pytest.fixture
def con(tmp_path):
    con = connect(tmp_path / "crm.duckdb")
    yield con
    con.close()


# 9. HubSpot.


def test_a_lifecycle_stage_with_no_date_column_is_warned_about_naming_the_columns(
    con, hubspot_file
):
    prepared = prepare(con, hubspot_file)
    reasons = [problem.reason for problem in prepared.problems if problem.line is None]
    # MQL or later: lines 2, 3 and 5 (MQL, SQL, customer); SQL or later: lines 3 and 5.
    assert any(
        reason.startswith("3 leads' Lifecycle Stage says they reached MQL") and MQL_COLUMN in reason
        for reason in reasons
    )
    assert any(
        reason.startswith("2 leads' Lifecycle Stage says they reached SQL") and SQL_COLUMN in reason
        for reason in reasons
    )


def test_cohorts_count_a_lifecycle_stage_as_reached_with_the_date_unknown(con, hubspot_file):
    build(con, {"leads": hubspot_file})
    cohort = metric(
        con, "cohort_conversion_by_channel", within_days=30, min_leads=1, **OCTOBER_TO_DECEMBER
    )
    total = cohort[cohort["is_total"]].set_index("stage")
    # Leads 1-4 are mature; MQL or later: 1, 2, 4; SQL or later: 2, 4. Before: 0 and 0, the
    # stage silently ignored.
    assert total.loc["mql", ["count_leads", "count_reached"]].tolist() == [4, 3]
    assert total.loc["sql", ["count_leads", "count_reached"]].tolist() == [4, 2]


def test_first_contact_is_owner_assignment_plus_hubspot_response_time(con, hubspot_file):
    prepared = prepare(con, hubspot_file)
    contacted = prepared.rows.column("first_contacted_at").to_pylist()
    assert contacted == [datetime(2026, 10, 1, 11, 30), None, None, None, None]
    assert "first_contacted_at" in prepared.mapping  # the upload records contacts
    assert [(p.line, p.value) for p in prepared.problems if p.code == "not_a_duration"] == [
        (5, "abc")
    ]
    assert not [p for p in prepared.problems if "first_contacted_at is unknown" in p.reason]


@pytest.mark.parametrize(
    ("dropped", "said_missing"),
    [
        # The response time counts from the assignment: without it, the time alone says nothing.
        ("Owner assigned date", "“Owner assigned date”"),
        ("Lead response time (HH:mm:ss)", "“Lead response time (HH:mm:ss)”"),
        (None, "“Owner assigned date” or “Lead response time (HH:mm:ss)”"),
    ],
)
def test_a_hubspot_export_that_cannot_give_the_first_contact_says_which_column_to_add(
    con, tmp_path, dropped, said_missing
):
    """Before, the response time was listed among the ignored columns and nothing said that
    follow-up speed would go unmeasured until the pages did."""
    header, *lines = HUBSPOT.splitlines()
    names = header.split(",")
    gone = {dropped} if dropped else {"Owner assigned date", "Lead response time (HH:mm:ss)"}
    kept = [at for at, name in enumerate(names) if name.strip('"') not in gone]
    path = tmp_path / "hubspot-contacts.csv"
    text = [",".join(line.split(",")[at] for at in kept) for line in (header, *lines)]
    path.write_text("\n".join(text) + "\n", encoding="utf-8")
    prepared = prepare(con, path)
    assert "first_contacted_at" not in prepared.mapping
    [said] = [p for p in prepared.problems if "first_contacted_at is unknown" in p.reason]
    assert (said.line, said.column, said.severity, said.code) == (
        None,
        None,
        "warning",
        "missing_column",
    )
    assert said.reason.startswith(f"the file has no column {said_missing}: HubSpot gives")
    assert "follow-up speed cannot be measured for them" in said.reason


def test_an_answer_hubspot_cannot_date_is_neither_on_time_late_nor_no_contact(con, hubspot_file):
    """Line 4's lead has a response time (10 minutes) but no owner assignment to count it from,
    line 5's an unreadable one: both were answered, at a time the export cannot tell. Before,
    both were taken for never contacted, and line 4's owner was blamed for a breach."""
    prepared = prepare(con, hubspot_file)
    assert prepared.rows.column("is_contacted").to_pylist() == [True, None, True, True, None]
    assert sorted((p.line, p.code) for p in prepared.problems if p.line is not None) == [
        (4, "contact_time_unknown"),
        (5, "not_a_duration"),
    ]
    build(con, {"leads": hubspot_file})
    judged = con.execute(
        "select lead_id, has_contact_data, is_within_agreed_time from funnel_revenue "
        "order by lead_id"
    ).fetchall()
    # The default agreement: a call within 24 hours. Lead 1 answered in 2.5 hours; lead 2,
    # assigned and never answered, is late by lead 5's creation (the data's latest event), and
    # lead 5 itself is not due yet.
    assert judged == [
        ("1", True, True),
        ("2", True, False),
        ("3", False, None),
        ("4", False, None),
        ("5", True, None),
    ]
    total = metric(con, "follow_up_speed").set_index("grouped_by").loc["all"]
    assert (total["count_never_contacted"], total["count_unmeasurable"]) == (2, 2)
    # The meeting's week of leads 1-4 (1-4 Oct): its share leaves out leads 3 and 4, and says
    # why; before, it said they came from files without a first-contact column.
    query = functools.partial(execute, con)
    week = numbers.week_tiles(query, Week.containing(date(2026, 10, 1)), {}).set_index("metric")
    assert week.at["share_contacted_in_time", "this_week"] == 0.5  # lead 1 on time, 2 late
    assert week.at["share_contacted_in_time", "partly_unmeasured"] == (
        "Follow-up speed cannot be measured for 2 of 4 leads: their export says they were "
        "answered (a response time) but not when (no Owner assigned date), so they are neither "
        "on time nor late, and not counted as never contacted."
    )


def test_answers_hubspot_cannot_date_are_said_so_not_a_missing_column(
    con, answered_unassigned_file
):
    """Both leads were answered (a response time), neither was assigned: the week's follow-up
    cannot be measured, and the reason is that. Before, it said no upload had a first-contact
    column, though the file had one."""
    build(con, {"leads": answered_unassigned_file})
    query = functools.partial(execute, con)
    week = numbers.week_tiles(query, Week.containing(date(2026, 10, 5)), {}).set_index("metric")
    assert pd.isna(week.at["share_contacted_in_time", "this_week"])
    assert week.at["share_contacted_in_time", "cannot_measure"] == (
        "Follow-up speed cannot be measured for 2 of 2 leads: their export says they were "
        "answered (a response time) but not when (no Owner assigned date), so they are neither "
        "on time nor late, and not counted as never contacted."
    )


def test_common_hubspot_sources_have_default_channel_rules(con, hubspot_file):
    build(con, {"leads": hubspot_file})
    channels = con.execute("select lead_id, channel from funnel_revenue order by lead_id")
    assert channels.fetchall() == [
        ("1", "Direct"),
        ("2", "Paid social"),
        ("3", "AI referrals"),
        ("4", "Organic social"),
        ("5", "Organic social"),
    ]


# 10. Salesforce.

SALESFORCE_LEADS = (
    "Lead ID,Created Date,Lead Source,Lead Owner,Converted,Converted Opportunity ID\n"
    "00Q1,2026-10-01 09:00,Web,Ada Byron,TRUE,0061\n"
    "00Q2,2026-10-02 09:00,Web,Alan Kay,FALSE,\n"
)
SALESFORCE_OPPORTUNITIES = (
    "Opportunity ID,Created Date,Stage,Amount,Close Date\n"
    "0061,2026-10-08 14:00,Prospecting,500.00,2026-11-30\n"
)


@pytest.fixture
def salesforce_files(tmp_path):
    leads, opportunities = tmp_path / "leads.csv", tmp_path / "opportunities.csv"
    leads.write_text(SALESFORCE_LEADS, encoding="utf-8")
    opportunities.write_text(SALESFORCE_OPPORTUNITIES, encoding="utf-8")
    return leads, opportunities


def test_a_converted_lead_without_converted_date_takes_its_opportunitys_creation(
    con, salesforce_files
):
    leads, opportunities = salesforce_files
    build(con, {"leads": leads, "deals": opportunities})
    rows = con.execute(
        "select lead_id, owner, sql_at, has_sql_data from funnel_revenue where has_lead "
        "order by lead_id"
    ).fetchall()
    # Before: no SQL date for either, and the SQL "cannot be measured".
    assert rows == [
        ("00Q1", "Ada Byron", datetime(2026, 10, 8, 14, 0), True),
        ("00Q2", "Alan Kay", None, True),
    ]


def test_a_reports_15_character_id_links_the_data_exports_18_character_one(con, tmp_path):
    # A Leads report shows Salesforce's 15-character id, a data export of opportunities the
    # 18-character one: the 15, then a checksum, a letter per 5 characters from their capitals
    # (bit i set when character i is A-Z, read in "A…Z0…5"): "006Hs" has H at bit 3, so 8,
    # "I"; "00000" 0, "A"; "AbCdE" bits 0, 2 and 4, 21, "V". The lead is L1's, created 1 Oct.
    leads, opportunities = tmp_path / "leads.csv", tmp_path / "opportunities.csv"
    leads.write_text(
        "Lead ID,Created Date,Lead Source,Converted,Converted Opportunity ID\n"
        "00QHs00000L1aaa,2026-10-01 09:00,Web,TRUE,006Hs00000AbCdE\n",
        encoding="utf-8",
    )
    opportunities.write_text(
        "Opportunity ID,Created Date,Stage,Amount,Close Date\n"
        "006Hs00000AbCdEIAV,2026-10-08 14:00,Closed Won,500.00,2026-10-30\n"
        # An opportunity no lead was converted into.
        "006Hs00000XyZwQPAA,2026-10-09 14:00,Closed Won,70.00,2026-10-30\n",
        encoding="utf-8",
    )
    build(con, {"leads": leads, "deals": opportunities})
    rows = con.execute(
        "select lead_id, sql_at, count_won_deals, won_revenue from funnel_revenue "
        "order by lead_id nulls last"
    ).fetchall()
    assert rows == [
        ("00QHs00000L1aaa", datetime(2026, 10, 8, 14, 0), 1, 500),
        (None, None, 1, 70),
    ]


def test_a_converted_date_column_gives_the_sql_date(con, tmp_path):
    leads = tmp_path / "leads.csv"
    leads.write_text(
        "Lead ID,Created Date,Converted,Converted Date\n"
        "00Q1,2026-10-01 09:00,TRUE,2026-10-05 10:00\n",
        encoding="utf-8",
    )
    build(con, {"leads": leads})
    assert con.execute("select sql_at from funnel_revenue").fetchall() == [
        (datetime(2026, 10, 5, 10, 0),)
    ]


def test_a_missing_salesforce_column_is_named(con, salesforce_files):
    leads, _ = salesforce_files
    reasons = [p.reason for p in prepare(con, leads).problems if p.code == "missing_column"]
    assert reasons == [
        "the file has no column “Converted Date”, so sql_at is unknown for every lead it adds "
        "(1 lead is converted: its SQL date is its converted opportunity's Created Date, once "
        "the opportunities are loaded); a merge keeps the sql_at of the leads already loaded; add "
        "the column to the export",
        # Salesforce has no first-contact column of its own: said once, after the measured
        # fields' columns, so no page is the first to say follow-up speed is unmeasured.
        "the file has no column for the first contact, so first_contacted_at is unknown for "
        "every lead it adds and follow-up speed cannot be measured for them; a merge keeps the "
        "first_contacted_at of the leads already loaded; if the export has one under another "
        "name, map it: first_contacted_at=<column> under Also map on the Upload page, or --map "
        "first_contacted_at=<column> on the command line",
    ]


def test_the_conversion_page_says_a_lifecycle_stage_tells_cohorts(
    con, hubspot_file, tmp_path, monkeypatch
):
    build(con, {"leads": hubspot_file})
    at = opened(con, tmp_path, monkeypatch, "conversion", "2026-12-31")
    captions = [caption.value for caption in at.caption]
    # All five leads lack an MQL date column, and all five have a lifecycle stage.
    assert (
        "MQL cannot be measured for 5 of 5 leads: their upload has no MQL date column. For 5 "
        "of them a lifecycle stage says whether they got there: cohorts count those, with the "
        "date unknown."
    ) in captions
    # Leads 3 and 4 were answered at a time the export cannot tell; the upload had the column.
    assert (
        "Follow-up speed cannot be measured for 2 of 5 leads: their export says they were "
        "answered (a response time) but not when (no Owner assigned date), so they are neither "
        "on time nor late, and not counted as never contacted."
    ) in captions
    assert not [caption for caption in captions if "no first-contact column" in caption]


def test_the_follow_up_page_with_only_answers_hubspot_cannot_date_names_that_reason(
    con, answered_unassigned_file, tmp_path, monkeypatch
):
    """Both leads were answered (a response time) and neither assigned: the page draws nothing
    of follow-up speed, and says why without claiming the upload had no first-contact column
    (it had one). Before, its last word was that none of the leads came from such a file."""
    build(con, {"leads": answered_unassigned_file})
    at = opened(con, tmp_path, monkeypatch, "follow_up", "2026-10-31")
    tiles = {tile.label: tile.value for tile in at.metric}
    assert tiles["Never contacted"] == "–"  # unknown, not 0: both were answered
    assert tiles["Within agreed time"] == "–"
    assert (
        "Follow-up speed cannot be measured for 2 of 2 leads: their export says they were "
        "answered (a response time) but not when (no Owner assigned date), so they are neither "
        "on time nor late, and not counted as never contacted."
    ) in [caption.value for caption in at.caption]
    said = [info.value for info in at.info]
    assert [text for text in said if "first contact" in text] == [
        "No lead in this view has a time of first contact (the notes above say why), so how fast "
        "sales followed up cannot be measured: no chart, list or share of it is drawn. Load a "
        "leads export that says when each lead was first contacted (a HubSpot contacts export "
        "needs its Owner assigned date beside the response time), or map such a column to "
        "first_contacted_at on the Upload page."
    ]


def test_leads_past_mql_with_the_mql_date_blank_are_said_to_be_in_no_period_s_mqls(
    con, tmp_path, monkeypatch
):
    """The export has HubSpot's MQL column. Lead 1 has its MQL date; leads 2 (an SQL) and 3 (a
    customer) skipped the stage, their MQL date blank: cohorts count them as MQLs, no period
    does. Before, the pages said nothing of them: October showed 1 MQL, as if complete."""
    path = tmp_path / "hubspot-contacts.csv"
    path.write_text(
        '"Record ID","Create Date","Original Traffic Source","Lifecycle Stage",'
        '"Date entered ""Marketing Qualified Lead (Lifecycle Stage Pipeline)"""\n'
        '"1","2026-10-01 09:00","Direct Traffic","Marketing Qualified Lead","2026-10-02 09:00"\n'
        '"2","2026-10-03 09:00","Direct Traffic","Sales Qualified Lead",""\n'
        '"3","2026-10-05 09:00","Direct Traffic","Customer",""\n',
        encoding="utf-8",
    )
    build(con, {"leads": path})
    gaps = metric(con, "leads_without_date_columns", **OCTOBER_TO_DECEMBER).iloc[0]
    assert (gaps["count_reached_mql_without_date"], gaps["count_without_mql_column"]) == (2, 0)
    # The meeting's week of 28 Sep - 4 Oct holds leads 1 and 2: lead 1's MQL (2 Oct) counts,
    # lead 2's is said beside the tile.
    query = functools.partial(execute, con)
    week = numbers.week_tiles(query, Week.containing(date(2026, 10, 1)), {}).set_index("metric")
    assert week.at["mqls", "this_week"] == 1
    assert week.at["mqls", "partly_unmeasured"] == (
        "1 of the week's 2 leads reached MQL (by their lifecycle stage) but has no MQL date, so "
        "no week counts it among its MQLs; cohorts count it."
    )
    at = opened(con, tmp_path, monkeypatch, "conversion", "2026-10-31")
    assert (
        "2 of the period's 3 leads reached MQL (by their lifecycle stage) but have no MQL date, "
        "so no period counts them among its MQLs; cohorts count them."
    ) in [caption.value for caption in at.caption]
