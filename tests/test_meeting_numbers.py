"""The meeting's numbers on hand-written leads and deals, built into a real DuckDB database.

The meeting's week is 2026-W47, Monday 16 to Sunday 22 November 2026; the four weeks before it
are W46 (9-15 Nov), W45 (2-8 Nov), W44 (26 Oct-1 Nov) and W43 (19-25 Oct). November 2026 starts
on a Sunday: its weekdays are 2-6, 9-13, 16-20, 23-27 and 30, 21 working days, five of them in
W47, so a week's target is 5/21 of the month's. The agreement keeps the default follow-up, a
call within 24 calendar hours. The latest event is a lead of Tuesday 24 November, so every
W47 lead's 24 hours have run out by then.
"""

import functools
from datetime import date

import pandas as pd
import pytest

from revcycle.agreements.model import FollowUp, Target
from revcycle.build import build
from revcycle.db import connect, execute
from revcycle.meeting import charts, headline, numbers
from revcycle.meeting.week import Week
from tests.conftest import write_export
from tests.support.working_time import agreement, save

W47 = Week(2026, 47)
NOVEMBER = date(2026, 11, 1)


def lead(lead_id, created_at, owner="Ann", channel="Referral", **dates):
    row = {"lead_id": lead_id, "created_at": created_at, "owner": owner, "channel": channel}
    return row | dates


LEADS = [
    # W43: OLD became MQL only in W47; neither is contacted.
    lead("OLD", "2026-10-20 10:00:00", mql_at="2026-11-17 10:00:00"),
    lead("W43", "2026-10-21 10:00:00"),
    # W45: one lead, never contacted.
    lead("W45", "2026-11-03 10:00:00"),
    # W46: three leads; W46A contacted after 1 hour, its deal D3 won on 12 Nov.
    lead("W46A", "2026-11-10 10:00:00", first_contacted_at="2026-11-10 11:00:00"),
    lead("W46B", "2026-11-10 11:00:00"),
    lead("W46C", "2026-11-10 12:00:00"),
    # W47: L1 contacted after 2 h, MQL, SQL and a won deal; L2 contacted after 30 h (late);
    # L3 never contacted (late, still waiting); L4 contacted before it was created (not judged).
    lead(
        "L1",
        "2026-11-16 09:00:00",
        first_contacted_at="2026-11-16 11:00:00",
        mql_at="2026-11-16 12:00:00",
        sql_at="2026-11-18 09:00:00",
    ),
    lead("L2", "2026-11-16 10:00:00", owner="Bram", first_contacted_at="2026-11-17 16:00:00"),
    lead("L3", "2026-11-17 10:00:00", owner="Bram", channel="Paid Search"),
    lead("L4", "2026-11-18 10:00:00", first_contacted_at="2026-11-18 09:00:00"),
    # W48: the latest event.
    lead("LATE", "2026-11-24 10:00:00", first_contacted_at="2026-11-24 10:30:00"),
]

DEALS = [
    {
        "deal_id": "D1",
        "lead_id": "L1",
        "created_at": "2026-11-19 10:00:00",
        "stage": "Closed Won",
        "amount": "1000",
        "currency": "EUR",
        "closed_at": "2026-11-20 10:00:00",
    },
    # A deal with no lead: an opportunity of W47 all the same.
    {"deal_id": "D2", "created_at": "2026-11-19 11:00:00", "stage": "Proposal", "currency": "EUR"},
    {
        "deal_id": "D3",
        "lead_id": "W46A",
        "created_at": "2026-11-11 10:00:00",
        "stage": "Closed Won",
        "amount": "500",
        "currency": "EUR",
        "closed_at": "2026-11-12 10:00:00",
    },
]

# Monthly targets chosen so each week's share of them is clear of the thresholds (green from
# 100%, amber from 90%): leads 42 -> 10 a week, mqls 8.82 -> 2.1, sqls 3.36 -> 0.8,
# opportunities 10.5 -> 2.5, new pipeline 4620 -> 1100, won revenue 3150 -> 750, within
# agreed time 50% (a share is not prorated).
TARGETS = (
    Target(NOVEMBER, None, "leads", 42.0),
    Target(NOVEMBER, None, "mqls", 8.82),
    Target(NOVEMBER, None, "sqls", 3.36),
    Target(NOVEMBER, None, "opportunities", 10.5),
    Target(NOVEMBER, None, "pipeline", 4620.0),
    Target(NOVEMBER, None, "won_revenue", 3150.0),
    Target(NOVEMBER, None, "share_contacted_in_time", 0.5),
)


def make_db(folder, leads, deals=(), **agreed):
    con = connect(folder / "meeting.duckdb")
    exports = {
        "leads": write_export(folder / "leads.csv", "leads", leads),
        "deals": write_export(folder / "deals.csv", "deals", list(deals)),
    }
    if agreed:  # saved first, so the build's one rebuild judges by it
        save(con, agreement(FollowUp(None, "call", 24, "calendar"), **agreed))
    build(con, exports)
    return con


@pytest.fixture(scope="module")
def query(tmp_path_factory):
    con = make_db(
        tmp_path_factory.mktemp("meeting"),
        LEADS,
        DEALS,
        targets=TARGETS,
        rejection_reasons=("No budget", "Not a fit"),
    )
    yield functools.partial(execute, con)
    con.close()


@pytest.fixture(scope="module")
def tiles(query):
    return numbers.week_tiles(query, W47, None).set_index("metric")


def test_there_is_one_tile_per_metric_in_order(query):
    tiles = numbers.week_tiles(query, W47, None)
    assert tuple(tiles["metric"]) == numbers.TILE_METRICS
    assert list(tiles.columns[:11]) == [
        "metric",
        "label",
        "this_week",
        "last_week",
        "four_week_average",
        "weekly_target",
        "target_status",
        "share_of_target",
        "unit",
        "currency",
        "cannot_measure",
    ]


def test_a_baseline_the_data_covers_names_no_gap(tiles):
    # W47's baseline, W43-W46, ends its first week on 25 October, after the leads begin (20th).
    assert set(tiles["baseline_gap"]) == {None}


def test_leads_count_in_the_week_they_were_created(tiles):
    # W47: L1-L4; W46: three; baseline (W43 2, W44 0, W45 1, W46 3) / 4 = 1.5.
    assert tiles.loc["leads", ["this_week", "last_week", "four_week_average"]].tolist() == [
        4,
        3,
        1.5,
    ]


def test_an_mql_counts_in_the_week_of_its_mql_date(tiles):
    # L1 and OLD (created in W43) became MQL in W47; no MQL in the weeks before.
    assert tiles.loc["mqls", ["this_week", "last_week", "four_week_average"]].tolist() == [2, 0, 0]
    assert tiles.loc["sqls", "this_week"] == 1


def test_opportunities_count_first_deals_and_deals_with_no_lead(tiles):
    # W47: D1 (L1's first deal) and D2 (no lead); W46: D3; baseline 1 / 4.
    assert tiles.loc["opportunities", ["this_week", "last_week", "four_week_average"]].tolist() == [
        2,
        1,
        0.25,
    ]


def test_won_revenue_counts_in_the_week_the_deal_closed(tiles):
    row = tiles.loc["won_revenue"]
    assert [row["this_week"], row["last_week"], row["four_week_average"]] == [1000, 500, 125]
    assert (row["unit"], row["currency"]) == ("money", "EUR")


def test_new_pipeline_is_the_amount_of_the_deals_created_in_the_week(tiles):
    # W47: D1 (1,000, won since) and D2 (no amount), created on 19 Nov; W46: D3 (500), created
    # on 11 Nov; baseline (0 + 0 + 0 + 500) / 4. D2 adds nothing, and the tile says so.
    row = tiles.loc["pipeline"]
    assert [row["this_week"], row["last_week"], row["four_week_average"]] == [1000, 500, 125]
    assert (row["label"], row["unit"], row["currency"]) == ("New pipeline", "money", "EUR")
    assert row["cannot_measure"] is None
    assert row["partly_unmeasured"] == (
        "1 of the 2 deals created in the week has no amount in the export: the new pipeline "
        "leaves it out."
    )


def test_a_week_whose_new_deals_all_lack_an_amount_has_no_new_pipeline(tmp_path):
    # W47's one deal has no amount: its new pipeline is unknown, never 0.
    deals = [{"deal_id": "N1", "created_at": "2026-11-17 10:00:00", "stage": "Proposal"}]
    con = make_db(tmp_path, LEADS, deals)
    try:
        tiles = numbers.week_tiles(functools.partial(execute, con), W47, None).set_index("metric")
    finally:
        con.close()
    assert pd.isna(tiles.loc["pipeline", "this_week"])
    assert tiles.loc["pipeline", "cannot_measure"] == (
        "The deal created in the week has no amount in the export, so the new pipeline cannot "
        "be measured: export the deals with their amount."
    )
    assert tiles.loc["pipeline", "last_week"] == 0  # W46 created no deal: a true 0


def test_within_agreed_time_is_over_the_week_s_judged_leads(tiles):
    # W47: L1 in time, L2 (30 h) and L3 (never) late, L4 contacted before created: 1 of 3.
    # W46: W46A in time, B and C never: 1 of 3. Baseline pooled: W43 0/2, W45 0/1, W46 1/3.
    row = tiles.loc["share_contacted_in_time"]
    assert row["this_week"] == pytest.approx(1 / 3)
    assert row["last_week"] == pytest.approx(1 / 3)
    assert row["four_week_average"] == pytest.approx(1 / 6)
    assert row["unit"] == "share"


def test_a_lead_whose_agreed_time_has_not_run_out_is_not_judged_yet(tmp_path):
    # W47: F1 contacted after 1 hour; F2 came in on Sunday 22 Nov at 23:30 and is not called
    # yet. The data's latest event is Monday 23 Nov at 10:00 (F3): F2 has waited 10.5 of its
    # 24 hours, so it is not a miss yet, and the week is 1 of 1 in time, as the breaches say.
    leads = [
        lead("F1", "2026-11-16 09:00:00", first_contacted_at="2026-11-16 10:00:00"),
        lead("F2", "2026-11-22 23:30:00"),
        lead("F3", "2026-11-23 10:00:00"),
    ]
    con = make_db(tmp_path, leads)
    try:
        query = functools.partial(execute, con)
        tiles = numbers.week_tiles(query, W47, None).set_index("metric")
        breaches = numbers.breaches_by_owner(query, W47, None)
    finally:
        con.close()
    assert tiles.loc["share_contacted_in_time", "this_week"] == pytest.approx(1.0)
    assert breaches["count_breaches"].sum() == 0


def test_the_weekly_target_is_the_month_s_prorated_by_working_days(tiles):
    expected = {
        "leads": 10,
        "mqls": 2.1,
        "sqls": 0.8,
        "opportunities": 2.5,
        "pipeline": 1100,
        "won_revenue": 750,
        "share_contacted_in_time": 0.5,
    }
    assert set(expected) == set(numbers.TILE_METRICS)
    for metric, target in expected.items():
        assert tiles.loc[metric, "weekly_target"] == pytest.approx(target), metric


def test_the_status_colours_by_the_agreement_s_thresholds(tiles):
    # leads 4/10 = 40%, mqls 2/2.1 = 95%, sqls 1/0.8 = 125%, opportunities 2/2.5 = 80%,
    # new pipeline 1000/1100 = 91%, won revenue 1000/750 = 133%, within agreed time
    # (1/3)/0.5 = 67%.
    expected = {
        "leads": ("red", 0.4),
        "mqls": ("amber", 2 / 2.1),
        "sqls": ("green", 1.25),
        "opportunities": ("red", 0.8),
        "pipeline": ("amber", 1000 / 1100),
        "won_revenue": ("green", 1000 / 750),
        "share_contacted_in_time": ("red", 2 / 3),
    }
    for metric, (colour, share) in expected.items():
        assert tiles.loc[metric, "target_status"] == colour, metric
        assert tiles.loc[metric, "share_of_target"] == pytest.approx(share), metric


def test_an_owner_or_segment_view_has_no_target(query):
    tiles = numbers.week_tiles(query, W47, {"owners": ["Bram"]}).set_index("metric")
    # Bram's leads of W47: L2 and L3.
    assert tiles.loc["leads", "this_week"] == 2
    assert tiles["weekly_target"].isna().all()
    assert tiles["target_status"].isna().all()


def test_a_week_with_nothing_in_it_is_zero_not_missing(query):
    series = numbers.weekly_series(query, W47, None, 5)
    assert [day.date() for day in series["week_start"]] == [
        date(2026, 10, 19),
        date(2026, 10, 26),
        date(2026, 11, 2),
        date(2026, 11, 9),
        date(2026, 11, 16),
    ]
    assert series["count_leads"].tolist() == [2, 0, 1, 3, 4]
    assert series["won_revenue"].tolist() == [0, 0, 0, 500, 1000]


def test_weeks_before_the_data_begins_give_no_baseline(query):
    # W44's baseline would be W40-W43: the data begins on 20 October, in W43.
    tiles = numbers.week_tiles(query, Week(2026, 44), None).set_index("metric")
    assert tiles["four_week_average"].isna().all()
    assert tiles.loc["leads", "last_week"] == 2


def test_breaches_are_counted_per_owner_worst_first(query):
    found = numbers.breaches_by_owner(query, W47, None)
    # Bram: L2 late, L3 never contacted (still waiting), 2 of 2; Ann: L1 in time, 0 of 1
    # (L4, contacted before it was created, is not judged).
    assert found.to_dict("records") == [
        {"owner": "Bram", "count_breaches": 2, "count_leads_measured": 2, "count_still_waiting": 1},
        {"owner": "Ann", "count_breaches": 0, "count_leads_measured": 1, "count_still_waiting": 0},
    ]


def test_the_breach_list_has_no_contact_details_and_says_the_agreed_time(query):
    found = numbers.breach_leads(query, W47, None)
    assert list(found.columns) == list(numbers.BREACH_LEAD_COLUMNS)
    assert found["lead_id"].tolist() == ["L3", "L2"]  # the one still waiting first
    assert found["agreed"].tolist() == ["call within 24 calendar hours"] * 2
    assert found["still_waiting"].tolist() == [True, False]
    assert found["hours_to_first_contact"].isna().tolist() == [True, False]
    assert found["hours_to_first_contact"].iloc[1] == pytest.approx(30)
    assert found["first_contact_after"].tolist() == ["still waiting", "30.0 h"]
    assert found["channel"].tolist() == ["Paid search", "Referral"]


def test_a_late_contact_dated_by_its_day_alone_is_not_said_to_be_still_waiting(tmp_path):
    # Default agreement: a call within 24 calendar hours. DAY came in Mon 16 Nov 10:00 and was
    # contacted on Wed 18 Nov, the hour not given: between 38 and 62 hours, late either way.
    # NEXT, created Thu 19 Nov 10:00, only sets the data's latest event.
    con = make_db(
        tmp_path,
        [
            lead("DAY", "2026-11-16 10:00:00", first_contacted_at="2026-11-18"),
            lead("NEXT", "2026-11-19 10:00:00", first_contacted_at="2026-11-19 10:30:00"),
        ],
    )
    try:
        found = numbers.breach_leads(functools.partial(execute, con), W47, None)
    finally:
        con.close()
    assert found["lead_id"].tolist() == ["DAY"]
    assert found["still_waiting"].tolist() == [False]
    assert found["first_contact_after"].tolist() == [
        "over 38.0 h (the export gives the day, not the hour)"
    ]


def test_the_scope_narrows_the_breaches(query):
    found = numbers.breach_leads(query, W47, {"channels": ["Referral"]})
    assert found["lead_id"].tolist() == ["L2"]


MIXED_DEALS = [
    DEALS[0],
    {
        "deal_id": "D4",
        "lead_id": "L2",
        "created_at": "2026-11-19 10:00:00",
        "stage": "Closed Won",
        "amount": "700",
        "currency": "USD",
        "closed_at": "2026-11-20 10:00:00",
    },
]


def test_won_revenue_in_several_currencies_is_not_added(tmp_path):
    con = make_db(tmp_path, LEADS, MIXED_DEALS, targets=TARGETS)
    try:
        tiles = numbers.week_tiles(functools.partial(execute, con), W47, None).set_index("metric")
    finally:
        con.close()
    row = tiles.loc["won_revenue"]
    assert pd.isna(row["this_week"])  # missing, never 1,700
    assert pd.isna(row["weekly_target"])
    assert row["target_status"] is None
    assert "several currencies (EUR and USD)" in row["cannot_measure"]
    pipeline = tiles.loc["pipeline"]  # never a sum of euros and dollars either
    assert pd.isna(pipeline["this_week"]) and pd.isna(pipeline["last_week"])
    assert pd.isna(pipeline["weekly_target"])
    assert pipeline["cannot_measure"] == numbers.PIPELINE_IN_CURRENCIES
    assert tiles.loc["leads", "this_week"] == 4  # the other tiles stand


def test_a_file_without_date_columns_cannot_measure_mqls_sqls_or_follow_up(tmp_path):
    path = tmp_path / "leads.csv"
    path.write_text(
        "lead_id,created_at,channel\nB1,2026-11-16 09:00:00,Referral\nB2,2026-11-24 09:00:00,"
        "Referral\n",
        encoding="utf-8",
    )
    con = connect(tmp_path / "bare.duckdb")
    build(con, {"leads": path})
    try:
        query = functools.partial(execute, con)
        tiles = numbers.week_tiles(query, W47, None).set_index("metric")
        quality = numbers.lead_quality(query, W47, None, tiles.at["mqls", "cannot_measure"])
    finally:
        con.close()
    assert tiles.loc["leads", "this_week"] == 1
    for metric in ("mqls", "sqls", "share_contacted_in_time"):
        assert pd.isna(tiles.loc[metric, "this_week"]), metric  # not 0
        assert "cannot be" in tiles.loc[metric, "cannot_measure"], metric
    # No upload has the column at all, so the reason names every upload, not the week's.
    assert tiles.loc["mqls", "cannot_measure"] == numbers.NO_MQL_DATES
    assert tiles.loc["leads", "cannot_measure"] is None
    # Lead quality and its headline say so too, never "no lead became an MQL".
    assert quality.cannot_measure == tiles.at["mqls", "cannot_measure"]
    assert headline.quality_sentence(quality).text == quality.cannot_measure


def test_without_a_deals_export_opportunities_and_won_revenue_cannot_be_counted(tmp_path):
    # Leads only: W47's opportunities and won revenue are unknown, never 0, and the headline
    # does not open with "Won revenue 0".
    leads = [lead("B1", "2026-11-16 09:00:00"), lead("B2", "2026-11-24 09:00:00")]
    con = make_db(tmp_path, leads)
    try:
        tiles = numbers.week_tiles(functools.partial(execute, con), W47, None).set_index("metric")
    finally:
        con.close()
    assert tiles.loc["leads", "this_week"] == 1
    for metric in ("opportunities", "pipeline", "won_revenue"):
        assert pd.isna(tiles.loc[metric, "this_week"]), metric
        assert tiles.loc[metric, "cannot_measure"] == numbers.NO_DEALS
    # The headline skips what cannot be known: it opens with the next tile it can tell.
    assert not headline.tiles_sentence(tiles.reset_index()).text.startswith("Won revenue")


def test_the_default_week_is_the_last_complete_one(query):
    # The latest event is Tuesday 24 November (W48), so W47 is the last complete week.
    assert numbers.default_week(query) == W47


def test_the_week_the_data_ends_in_is_not_complete(query):
    assert numbers.is_complete(query, W47)
    assert not numbers.is_complete(query, W47.next())  # data up to Tuesday 24 November


def test_any_day_of_the_last_week_names_the_same_weeks(query):
    by_sunday = execute_weeks(query, date(2026, 11, 22))
    by_wednesday = execute_weeks(query, date(2026, 11, 18))
    assert by_wednesday.equals(by_sunday)
    assert by_sunday["count_mqls"].tolist() == [0, 0, 0, 0, 2]


def execute_weeks(query, end_date):
    params = {"channels": None, "owners": None, "segments": None}
    return query("metrics/weekly_numbers", end_date=end_date, weeks=5, **params)


def test_a_week_before_the_data_begins_is_not_a_week_of_zeros(query):
    tiles = numbers.week_tiles(query, Week(2026, 42), None)
    assert tiles["this_week"].isna().all()
    assert tiles["last_week"].isna().all()
    assert set(tiles["cannot_measure"]) == {"The leads begin on 20 Oct 2026, after this week."}
    assert set(tiles["target_status"]) == {None}


def test_a_week_after_the_data_ends_is_not_a_week_of_zeros(query):
    # The data ends on Tuesday 24 November (W48); W49 has nothing loaded, W48 has LATE.
    tiles = numbers.week_tiles(query, Week(2026, 49), None).set_index("metric")
    assert tiles["this_week"].isna().all()
    assert tiles.loc["leads", "cannot_measure"] == "The data ends on 24 Nov 2026, before this week."
    assert tiles.loc["leads", "last_week"] == 1


def test_the_week_the_data_ends_in_shows_its_days_so_far_without_a_status(query):
    # W48: LATE, created on Tuesday 24 November, the data's last day; the target is there.
    tiles = numbers.week_tiles(query, W47.next(), None).set_index("metric")
    assert tiles.loc["leads", "this_week"] == 1
    assert tiles.loc["leads", "weekly_target"] == pytest.approx(10)
    assert set(tiles["target_status"]) == {None}
    assert not tiles["is_complete"].any()
    assert numbers.week_tiles(query, W47, None)["is_complete"].all()


def test_the_week_the_data_begins_in_gets_no_status_against_a_whole_week(tmp_path):
    # The data begins on Wednesday 18 November (W47) and reaches Monday 30 November (W49):
    # W47 holds its last five days only, so no colour against its whole week's target of 10
    # leads; W48 is whole, and is judged (0 of 10 leads: red).
    leads = [
        lead("F1", "2026-11-18 09:00:00"),
        lead("F2", "2026-11-19 09:00:00"),
        lead("F3", "2026-11-30 09:00:00"),
    ]
    con = make_db(tmp_path, leads, targets=TARGETS)
    try:
        query = functools.partial(execute, con)
        first = numbers.week_tiles(query, W47, None).set_index("metric")
        whole = numbers.week_tiles(query, W47.next(), None).set_index("metric")
    finally:
        con.close()
    assert first.loc["leads", "this_week"] == 2
    assert first.loc["leads", "weekly_target"] == pytest.approx(10)
    assert set(first["target_status"]) == {None}
    assert whole.loc["leads", "target_status"] == "red"


def test_an_empty_choice_of_channels_keeps_nothing(query):
    # As every page's filter: an empty list is no channel, never "all channels".
    tiles = numbers.week_tiles(query, W47, {"channels": []}).set_index("metric")
    assert tiles.loc["leads", "this_week"] == 0
    assert numbers.breaches_by_owner(query, W47, {"channels": []}).empty


def test_the_charts_series_leaves_weeks_outside_the_data_empty(query):
    # W41-W42 come before the data's first day (20 October, W43); W44 is in it, with nothing.
    series = numbers.weekly_series(query, W47, None, 7)
    assert series["is_in_data"].tolist() == [False, False, True, True, True, True, True]
    assert series["count_leads"].isna().tolist() == [True, True, False, False, False, False, False]
    assert series["count_leads"].iloc[2:].tolist() == [2, 0, 1, 3, 4]


def test_the_weeks_the_data_covers_in_part_have_open_points(query):
    # The leads begin on Tuesday 20 October, inside W43 (19-25 October); the data is as of
    # Tuesday 24 November, inside W48 (23-29 November). W44-W47 are covered whole.
    series = numbers.weekly_series(query, W47.next(), None, 8)  # W41-W48
    assert series["is_whole"].tolist() == [False, False, False, True, True, True, True, False]
    figure = charts.weekly_trend(series, W47.next().start)
    leads = next(trace for trace in figure.data if trace.name == "Leads")
    open_point, point = "circle-open", "circle"
    # W41-W42 are not drawn (no data): the axis begins with W43, which is open, as is W48.
    assert list(leads.x) == list(pd.date_range("2026-10-19", "2026-11-23", freq="7D"))
    assert list(leads.marker.symbol) == [open_point, *[point] * 4, open_point]
    assert "open points: weeks the data covers in part" in figure.layout.title.text


def test_the_weekly_chart_draws_each_stage_in_the_pages_colour_for_it(query):
    # Set on the traces, so the pack (plain Plotly) shows what the page shows: leads in the
    # neutral blue, MQLs, SQLs and opportunities in the stage oranges, darker further on.
    figure = charts.weekly_trend(numbers.weekly_series(query, W47, None, 5), W47.start)
    drawn = {trace.name: (trace.line.color, trace.marker.color) for trace in figure.data}
    assert drawn == {
        "Leads": ("#4477AA", "#4477AA"),
        "MQLs": ("#F6C141", "#F6C141"),
        "SQLs": ("#F1932D", "#F1932D"),
        "Opportunities": ("#E8601C", "#E8601C"),
    }


def test_tiles_from_the_charts_13_weeks_are_the_tiles_from_their_own_5(query):
    # The page counts the weeks once: the tiles take the last 5 of the charts' 13 weeks.
    own = numbers.week_tiles(query, W47, None)
    series = numbers.weekly_series(query, W47, None, 13)
    assert len(series) == 13
    shared = numbers.week_tiles(query, W47, None, series)
    pd.testing.assert_frame_equal(shared, own)
