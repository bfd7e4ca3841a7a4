"""An export not loaded at all: what it would measure is said to be unknown, never 0, above
every page, in the tiles ("–"), and in the weekly meeting and its pack. The deals side had
this already; a database with deals and no leads (the first upload replaces the sample) is
the case these tests add."""

import datetime
import functools
import json

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from revcycle.__main__ import main
from revcycle.db import connect, execute
from revcycle.importer import problems as codes
from revcycle.importer.load import commit_upload
from revcycle.importer.validate import prepare
from revcycle.meeting import numbers, pack, week_view
from revcycle.meeting.week import Week
from revcycle.paths import REPO_ROOT
from revcycle.ui import page
from tests.conftest import building, inputs_key, made_copy, metric, write_export

MARCH = {"start_date": datetime.date(2026, 3, 1), "end_date": datetime.date(2026, 3, 31)}
W10 = Week(2026, 10)  # Monday 2 – Sunday 8 March 2026

# Three deals created in the week of 2 March; D1 won for 1,000.00 on 10 March (week 11).
DEALS = [
    {
        "deal_id": "D1",
        "lead_id": "L1",
        "created_at": "2026-03-02 09:00:00",
        "stage": "closedwon",
        "is_won": "true",
        "is_closed": "true",
        "amount": "1000.00",
        "currency": "EUR",
        "closed_at": "2026-03-10 09:00:00",
        "source": "Referral",
    },
    {
        "deal_id": "D2",
        "lead_id": "L2",
        "created_at": "2026-03-03 09:00:00",
        "stage": "open",
        "is_won": "false",
        "is_closed": "false",
        "amount": "500.00",
        "currency": "EUR",
        "source": "Paid search",
    },
    {
        "deal_id": "D3",
        "created_at": "2026-03-04 09:00:00",
        "stage": "closedlost",
        "is_won": "false",
        "is_closed": "true",
        "amount": "200.00",
        "currency": "EUR",
        "closed_at": "2026-03-12 09:00:00",
        "source": "Referral",
    },
]
NO_LEADS_SAID = page.NOT_LOADED["leads"][0]
NO_DEALS_SAID = page.NOT_LOADED["deals"][0]


@pytest.fixture
def deals_only(tmp_path, built_databases):
    """A database built from a deals export alone: no lead is loaded at all."""
    exports = {"deals": write_export(tmp_path / "deals.csv", "deals", DEALS)}
    key = "deals-only-" + inputs_key(exports)
    return made_copy(built_databases, key, building(exports), tmp_path / "deals.duckdb")


@pytest.fixture
def deals_only_con(deals_only):
    con = connect(deals_only)
    yield con
    con.close()


def test_the_data_says_no_lead_is_loaded_and_some_deal_is(deals_only_con):
    row = execute(deals_only_con, "metrics/data_freshness").iloc[0]
    assert (bool(row["has_leads"]), bool(row["has_deals"])) == (False, True)


def test_without_leads_the_lead_stages_are_unknown_and_the_deal_stages_counted(deals_only_con):
    rows = metric(deals_only_con, "conversion_by_channel", **MARCH)
    total = rows[rows["is_total"]].set_index("stage")
    for stage in ("lead", "mql", "sql"):
        assert total.at[stage, "is_unmeasurable"], stage
        assert pd.isna(total.at[stage, "share_of_first"]), stage
    # D1, D2, D3 were created in March; D1 won in March. Deals with no lead loaded count.
    assert not total.at["opportunity", "is_unmeasurable"]
    assert total.at["opportunity", "count_events"] == 3
    assert total.at["won", "count_events"] == 1


def test_the_meeting_says_why_each_lead_number_is_unknown(deals_only_con):
    query = functools.partial(execute, deals_only_con)
    meeting = week_view.gather(query, deals_only_con, W10, {}, datetime.date(2026, 3, 16))
    tiles = meeting.tiles.set_index("metric")
    for metric_name in ("leads", "mqls", "sqls", "share_contacted_in_time"):
        assert pd.isna(tiles.at[metric_name, "this_week"]), metric_name
        assert tiles.at[metric_name, "cannot_measure"] == numbers.NO_LEADS, metric_name
    assert tiles.at["opportunities", "this_week"] == 3  # D1, D2, D3, all in W10
    assert tiles.at["opportunities", "cannot_measure"] is None
    assert meeting.leaks.cannot_measure == numbers.NO_LEADS
    assert meeting.quality.cannot_measure == numbers.NO_LEADS
    # One reason three sections share is said once, and no news is never good news.
    texts = [sentence.text for sentence in meeting.headline]
    assert texts.count(numbers.NO_LEADS) == 1
    assert not [text for text in texts if "No step dropped" in text or "waited" in text]
    document = pack.render(meeting, datetime.datetime(2026, 3, 16, 9, 0))
    assert "No step dropped beyond chance" not in document
    assert "this week waited past its agreed response time" not in document
    assert document.count(f"Cannot be measured: {numbers.NO_LEADS}") >= 3


@pytest.fixture
def deals_only_env(deals_only, monkeypatch):
    monkeypatch.setenv("REVCYCLE_DB", str(deals_only))
    return deals_only


def open_page(path: str, **query) -> AppTest:
    at = AppTest.from_file(str(REPO_ROOT / path), default_timeout=120)
    at.query_params.update({"preset": "Custom", "period": ["2026-03-01", "2026-03-31"]} | query)
    at.run()
    assert not at.exception, at.exception
    return at


def tiles(at: AppTest) -> dict[str, str]:
    return {metric.label: metric.value for metric in at.metric}


def infos(at: AppTest) -> list[str]:
    return [box.value for box in at.info]


def test_the_overview_shows_no_lead_number_as_zero_and_says_why(deals_only_env):
    at = open_page("dashboard.py")
    shown = tiles(at)
    for label in ("Leads", "MQLs", "SQLs", "Median follow-up", "Within agreed time"):
        assert shown[label] == "–", label
    assert (shown["Opportunities"], shown["Won deals"], shown["Won revenue"]) == (
        "3",
        "1",
        "€1,000.00",
    )
    assert infos(at).count(NO_LEADS_SAID) == 1
    # No empty chart of leads per week (its axis drew -1 to 4): a line says why.
    assert "No leads export is loaded, so there is nothing to chart per week." in captions(at)
    assert "overview_weekly_leads" not in chart_keys(at)
    # D1's 1,000.00 won on 10 March: its week has a bar.
    assert "overview_weekly_revenue" in chart_keys(at)


def captions(at: AppTest) -> list[str]:
    return [caption.value for caption in at.caption]


def chart_keys(at: AppTest) -> list[str]:
    # A keyed element's id ends with its key: "$$ID-<hash>-<key>".
    return [chart.proto.id.rsplit("-", 1)[-1] for chart in at.get("plotly_chart")]


@pytest.mark.parametrize(
    "path", ["pages/follow_up.py", "pages/conversion.py", "pages/revenue.py", "pages/upload.py"]
)
def test_every_page_says_no_leads_export_is_loaded(deals_only_env, path):
    said = infos(open_page(path))
    assert said.count(NO_LEADS_SAID) == 1, said
    assert not [text for text in said if "match these filters" in text]


def test_follow_up_and_cohorts_end_without_blaming_the_filters(deals_only_env):
    follow_up = open_page("pages/follow_up.py")
    assert not follow_up.metric and not follow_up.dataframe
    cohorts = open_page("pages/conversion.py", conversion_mode="Cohorts")
    assert infos(cohorts) == [NO_LEADS_SAID]
    assert not cohorts.dataframe


def test_this_week_says_the_leads_cannot_be_measured_not_that_all_is_well(deals_only_env):
    at = AppTest.from_file(str(REPO_ROOT / "pages" / "this_week.py"), default_timeout=120)
    at.query_params["week"] = "2026-W10"
    at.run()
    assert not at.exception, at.exception
    assert not at.success, [box.value for box in at.success]
    shown = tiles(at)
    assert (shown["Leads"], shown["MQLs"], shown["Within agreed time"]) == ("–", "–", "–")
    said = [text.replace("\\", "") for text in infos(at)]
    assert f"Cannot be measured: {numbers.NO_LEADS}" in said
    # Week by week: the opportunities alone have a line; leads, MQLs and SQLs are not in the
    # legend as if they had been counted.
    trend = next(chart for chart in at.get("plotly_chart") if "meeting_trend" in chart.proto.id)
    assert [trace["name"] for trace in json.loads(trend.proto.spec)["data"]] == ["Opportunities"]


def test_with_leads_and_no_deals_every_page_says_no_deals_export_is_loaded(
    tmp_path, built_databases, monkeypatch
):
    leads = [{"lead_id": "L1", "created_at": "2026-03-02 09:00:00", "channel": "Referral"}]
    exports = {"leads": write_export(tmp_path / "leads.csv", "leads", leads)}
    path = made_copy(
        built_databases, inputs_key(exports), building(exports), tmp_path / "leads.duckdb"
    )
    monkeypatch.setenv("REVCYCLE_DB", str(path))
    at = open_page("dashboard.py")
    assert infos(at).count(NO_DEALS_SAID) == 1
    assert NO_LEADS_SAID not in infos(at)
    shown = tiles(at)
    assert (shown["Leads"], shown["Opportunities"], shown["Won revenue"]) == ("1", "–", "–")
    assert "No deals export is loaded, so there is nothing to chart per week." in captions(at)
    assert chart_keys(at).count("overview_weekly_leads") == 1  # L1, on 2 March
    assert "overview_weekly_revenue" not in chart_keys(at)


def test_the_revenue_page_over_days_without_a_win_draws_no_empty_chart(deals_only_env):
    # 2-9 March: D1, D2 and D3 were created, none won yet (D1 wins on the 10th).
    at = open_page("pages/revenue.py", period=["2026-03-02", "2026-03-09"])
    assert tiles(at)["Won revenue"] == "€0.00"
    assert "No deal with an amount was won in the period, for the filters above." in captions(at)
    assert not {"revenue_by_channel_bar", "revenue_weekly"} & set(chart_keys(at))


def test_a_channel_of_deals_alone_says_it_has_no_lead_per_week(
    tmp_path, built_databases, monkeypatch
):
    # Paid search has no lead, only D9, a deal that names none (Pipedrive's, whose lead left
    # the leads export), won for 100.00 on 5 March.
    leads = [{"lead_id": "L1", "created_at": "2026-03-02 09:00:00", "channel": "Referral"}]
    deals = [
        {
            "deal_id": "D9",
            "created_at": "2026-03-03 09:00:00",
            "closed_at": "2026-03-05 09:00:00",
            "stage": "Closed Won",
            "amount": "100.00",
            "currency": "EUR",
            "source": "Paid search",
        }
    ]
    exports = {
        "leads": write_export(tmp_path / "leads.csv", "leads", leads),
        "deals": write_export(tmp_path / "deals.csv", "deals", deals),
    }
    path = made_copy(
        built_databases, inputs_key(exports), building(exports), tmp_path / "alone.duckdb"
    )
    monkeypatch.setenv("REVCYCLE_DB", str(path))
    at = open_page("dashboard.py", channel="Paid search")
    assert tiles(at)["Won revenue"] == "€100.00"
    assert "No lead was created in the period, for the filters above." in captions(at)
    assert chart_keys(at) == ["overview_funnel", "overview_weekly_revenue"]


# A deals export with no stage, won or closed column: D1 and D2 were created in March, D1 has
# a close date, and nothing says whether either was won, lost or is open.
DEALS_WITHOUT_OUTCOMES = (
    "deal_id,lead_id,created_at,closed_at,amount,currency\n"
    "D1,L1,2026-03-02 09:00:00,2026-03-10 09:00:00,1000.00,EUR\n"
    "D2,L2,2026-03-03 09:00:00,,500.00,EUR\n"
)
OUTCOMES_SAID = page.NOT_LOADED["deal_outcomes"][0]


@pytest.fixture
def no_outcomes(tmp_path, built_databases):
    leads = [
        {"lead_id": "L1", "created_at": "2026-03-01 09:00:00", "channel": "Referral"},
        {"lead_id": "L2", "created_at": "2026-03-01 10:00:00", "channel": "Paid search"},
    ]
    deals = tmp_path / "deals.csv"
    deals.write_text(DEALS_WITHOUT_OUTCOMES, encoding="utf-8")
    spend = tmp_path / "spend.csv"
    spend.write_text("date_from,source,amount,currency\n2026-03-01,Referral,100.00,EUR\n")
    exports = {
        "leads": write_export(tmp_path / "leads.csv", "leads", leads),
        "deals": deals,
        "spend": spend,
    }
    key = "no-outcomes-" + inputs_key(exports)
    return made_copy(built_databases, key, building(exports), tmp_path / "outcomes.duckdb")


def test_without_a_stage_no_deal_is_won_lost_or_open_but_each_is_an_opportunity(no_outcomes):
    con = connect(no_outcomes)
    try:
        assert not execute(con, "metrics/data_freshness").iloc[0]["has_deal_outcomes"]
        revenue = metric(con, "revenue_by_channel", **MARCH)
        conversion = metric(con, "conversion_by_channel", **MARCH)
        bands = metric(con, "conversion_by_response_band", **MARCH)
    finally:
        con.close()
    total = revenue[revenue["is_total"]].iloc[0]
    assert total["count_opportunities"] == 2  # D1 and D2, created in March
    for column in ("won_revenue", "count_won_deals", "win_rate", "open_pipeline"):
        assert pd.isna(total[column]), column  # was 0, 0, –, and 1,500 open
    stages = conversion[conversion["is_total"]].set_index("stage")
    assert stages.at["opportunity", "count_events"] == 2
    assert stages.at["won", "is_unmeasurable"]
    assert bands["share_won"].isna().all()


def test_without_a_stage_the_pages_say_so_and_show_no_win_as_zero(no_outcomes, monkeypatch):
    monkeypatch.setenv("REVCYCLE_DB", str(no_outcomes))
    overview = open_page("dashboard.py")
    shown = tiles(overview)
    assert (shown["Opportunities"], shown["Won deals"], shown["Won revenue"]) == ("2", "–", "–")
    assert shown["Won revenue per € spent"] == "–"
    assert shown["Cost per opportunity"] == "€100"  # spend 100.00 ÷ 1 Referral opportunity
    assert infos(overview).count(OUTCOMES_SAID) == 1
    assert NO_DEALS_SAID not in infos(overview)
    revenue = open_page("pages/revenue.py")
    assert infos(revenue).count(OUTCOMES_SAID) == 1
    assert [tile.value for tile in revenue.metric] == ["–", "–", "–"]
    # What the channels cost is still known: the page keeps that section alone (before, the
    # page ended under the line above and took it along).
    assert [header.value for header in revenue.header][0] == "Cost and return per channel"
    costs = revenue.dataframe[0].value.set_index("Channel")
    assert costs.at["Referral", "Spend (€)"] == "100"  # shown as text beside "no spend recorded"
    assert costs.at["Referral", "Per opportunity (€)"] == 100  # 100.00 ÷ D1, Referral's one
    assert pd.isna(costs.at["Referral", "Customers"])  # no deal is known to be won


def test_without_a_stage_the_meeting_says_won_revenue_cannot_be_counted(no_outcomes):
    con = connect(no_outcomes)
    try:
        query = functools.partial(execute, con)
        tiles_of_week = numbers.week_tiles(query, W10, {}).set_index("metric")
    finally:
        con.close()
    assert pd.isna(tiles_of_week.at["won_revenue", "this_week"])
    assert tiles_of_week.at["won_revenue", "cannot_measure"] == numbers.NO_DEAL_OUTCOMES
    assert tiles_of_week.at["opportunities", "this_week"] == 2


# A deals export with a stage column (and no Won or Closed column), one deal's stage blank: D1
# won 1,000.00 on 10 March, D2 is open at 500.00, D3 (700.00) says nothing of its outcome. All
# three were created in March, each for its own lead (L1 and L3 Referral, L2 Paid search).
LEADS_OF_THREE = [
    {"lead_id": "L1", "created_at": "2026-03-01 09:00:00", "channel": "Referral"},
    {"lead_id": "L2", "created_at": "2026-03-01 10:00:00", "channel": "Paid search"},
    {"lead_id": "L3", "created_at": "2026-03-01 11:00:00", "channel": "Referral"},
]
DEALS_ONE_STAGE_BLANK = (
    "deal_id,lead_id,created_at,stage,closed_at,amount,currency\n"
    "D1,L1,2026-03-02 09:00:00,Closed Won,2026-03-10 09:00:00,1000.00,EUR\n"
    "D2,L2,2026-03-03 09:00:00,Negotiation,,500.00,EUR\n"
    "D3,L3,2026-03-04 09:00:00,,,700.00,EUR\n"
)
UNKNOWN_SAID = (
    "1 of the 3 deals created in the period has no stage, won or closed value in the export, "
    "so it counts as an opportunity but not as won, lost or open pipeline."
)


@pytest.fixture
def one_stage_blank(tmp_path, built_databases):
    deals = tmp_path / "deals.csv"
    deals.write_text(DEALS_ONE_STAGE_BLANK, encoding="utf-8")
    exports = {
        "leads": write_export(tmp_path / "leads.csv", "leads", LEADS_OF_THREE),
        "deals": deals,
    }
    key = "one-stage-blank-" + inputs_key(exports)
    return made_copy(built_databases, key, building(exports), tmp_path / "blank.duckdb")


def revenue_in_march(con) -> pd.DataFrame:
    return metric(con, "revenue_by_channel", **MARCH).set_index("channel")


def test_a_deal_without_a_stage_is_an_opportunity_but_neither_won_lost_nor_open(
    one_stage_blank,
):
    con = connect(one_stage_blank)
    try:
        revenue = revenue_in_march(con)
        leads = dict(con.execute("select lead_id, stage_reached from funnel_revenue").fetchall())
    finally:
        con.close()
    total = revenue[revenue["is_total"]].iloc[0]
    # Before, D3 was open: 1,200.00 of open pipeline in 2 open deals.
    assert total["open_pipeline"] == 500 and total["count_open_deals"] == 1
    assert (total["count_won_deals"], total["count_closed_deals"]) == (1, 1)
    assert total["won_revenue"] == 1000 and total["win_rate"] == 1.0
    assert total["count_opportunities"] == 3
    assert total["count_opportunities_without_outcome"] == 1
    referral = revenue.loc["Referral"]  # D1 won, D3 unknown
    assert (referral["count_opportunities"], referral["count_opportunities_without_outcome"]) == (
        2,
        1,
    )
    assert referral["open_pipeline"] == 0
    assert leads == {"L1": "won", "L2": "opportunity", "L3": "opportunity"}


def test_the_pages_say_how_many_deals_have_no_outcome(one_stage_blank, monkeypatch):
    monkeypatch.setenv("REVCYCLE_DB", str(one_stage_blank))
    for path in ("dashboard.py", "pages/revenue.py"):
        at = open_page(path)
        assert UNKNOWN_SAID in [caption.value for caption in at.caption], path
        assert OUTCOMES_SAID not in infos(at), path
    assert tiles(at)["Open pipeline"] == "€500.00"


def test_a_merge_without_a_stage_column_leaves_its_new_deals_unknown(one_stage_blank, tmp_path):
    # Merged onto the three deals: D2's amount rises to 600.00, D4 (300.00, no lead) is new.
    # The file has no stage column, so D2 keeps its stage (open) and D4 has none.
    merged = tmp_path / "deals_amounts.csv"
    merged.write_text(
        "deal_id,created_at,amount,currency\n"
        "D2,2026-03-03 09:00:00,600.00,EUR\n"
        "D4,2026-03-05 09:00:00,300.00,EUR\n",
        encoding="utf-8",
    )
    con = connect(one_stage_blank)
    try:
        prepared = prepare(con, merged, kind="deals")
        commit_upload(con, "deals", prepared.rows, "merge", prepared.meta(), changed_by="test")
        total = revenue_in_march(con).query("is_total").iloc[0]
    finally:
        con.close()
    assert total["open_pipeline"] == 600 and total["count_open_deals"] == 1  # D2 alone
    assert total["count_opportunities"] == 4
    assert total["count_opportunities_without_outcome"] == 2  # D3 and D4
    assert total["won_revenue"] == 1000 and total["win_rate"] == 1.0


def prepared_deals(database, text: str, path):
    """The file ``text`` at ``path``, prepared as deals against ``database``: the problems
    with code no_outcome, and the rows it would load."""
    path.write_text(text, encoding="utf-8")
    con = connect(database)
    try:
        prepared = prepare(con, path, kind="deals")
    finally:
        con.close()
    return [p for p in prepared.problems if p.code == codes.NO_OUTCOME], prepared.count_rows_loaded


def test_the_upload_warns_of_each_deal_without_an_outcome_by_its_line(one_stage_blank, tmp_path):
    # D3's stage is blank, on line 4.
    found, loaded = prepared_deals(one_stage_blank, DEALS_ONE_STAGE_BLANK, tmp_path / "b.csv")
    assert [(p.line, p.column, p.severity) for p in found] == [(4, "stage", codes.WARNING)]
    assert "counts as an opportunity, but as none of won, lost or open" in found[0].reason
    assert loaded == 3  # a warning: every deal loads


def test_the_upload_warns_once_of_a_deals_file_without_an_outcome_column(tmp_path, no_outcomes):
    found, loaded = prepared_deals(no_outcomes, DEALS_WITHOUT_OUTCOMES, tmp_path / "p.csv")
    assert [(p.line, p.column, p.severity) for p in found] == [(None, None, codes.WARNING)]
    assert found[0].reason.startswith("the file has no stage, won or closed column")
    assert loaded == 2


def test_the_meeting_says_which_deals_of_the_week_have_no_outcome(one_stage_blank, monkeypatch):
    # W10 (2-8 March) created D1, D2 and D3; D3 has no stage. D1 was won in W11 (10 March),
    # which created no deal.
    said = (
        "1 deal created in the week has no stage, won or closed value in the export: counted "
        "as an opportunity, not as won or lost."
    )
    con = connect(one_stage_blank)
    try:
        query = functools.partial(execute, con)
        week_10 = numbers.week_tiles(query, W10, {}).set_index("metric")
        week_11 = numbers.week_tiles(query, Week(2026, 11), {}).set_index("metric")
        meeting = week_view.gather(query, con, W10, {}, datetime.date(2026, 3, 16))
    finally:
        con.close()
    assert week_10.at["opportunities", "this_week"] == 3
    assert week_10.at["opportunities", "partly_unmeasured"] == said
    assert week_10.at["won_revenue", "this_week"] == 0
    assert week_10.at["won_revenue", "partly_unmeasured"] is None
    assert week_11.at["won_revenue", "this_week"] == 1000
    assert week_11.at["opportunities", "partly_unmeasured"] is None
    assert pack.render(meeting, datetime.datetime(2026, 3, 16, 9, 0)).count(said) == 1
    monkeypatch.setenv("REVCYCLE_DB", str(one_stage_blank))
    at = AppTest.from_file(str(REPO_ROOT / "pages" / "this_week.py"), default_timeout=120)
    at.query_params["week"] = "2026-W10"
    at.run()
    assert not at.exception, at.exception
    shown = [str(element.value) for element in at.main if hasattr(element, "value")]
    assert [text for text in shown if said in text.replace("\\", "")], shown


@pytest.fixture
def spend_only(tmp_path, built_databases):
    spend = tmp_path / "spend.csv"
    spend.write_text("date_from,source,amount,currency\n2026-03-02,Referral,100.00,EUR\n")
    exports = {"spend": spend}
    key = "spend-only-" + inputs_key(exports)
    return made_copy(built_databases, key, building(exports), tmp_path / "spend.duckdb")


def test_with_spend_alone_no_count_is_zero_and_nothing_blames_the_filters(
    spend_only, monkeypatch, capsys
):
    # Referral spent 100.00 on 2 March and no leads or deals export is loaded: its leads and
    # customers read "0" ("no leads … in the period"), and the Overview said to widen the period.
    monkeypatch.setenv("REVCYCLE_DB", str(spend_only))
    assert main(["roi", "--start", "2026-03-01", "--end", "2026-03-31", "--format", "csv"]) == 0
    out, err = capsys.readouterr()
    row = next(line for line in out.splitlines() if line.startswith("Referral,"))
    header = out.splitlines()[0].split(",")
    cells = dict(zip(header, row.split(","), strict=True))
    assert (cells["spend"], cells["leads"], cells["won_deals"]) == ("100.00", "", "")
    assert (
        "No cost per lead, cost per MQL or cost per SQL for Referral: no leads export is loaded."
        in err
    )
    assert "in the period" not in err
    revenue = open_page("pages/revenue.py")
    costs = revenue.dataframe[0].value.set_index("Channel")
    assert pd.isna(costs.at["Referral", "Leads"]) and pd.isna(costs.at["Referral", "Customers"])
    overview = open_page("dashboard.py")
    said = [element.value for element in overview.info]
    assert not any("Widen the period" in text for text in said)
    nothing = "No leads or deals export is loaded, so there is nothing to count here yet"
    assert any(text.startswith(nothing) for text in said), said
