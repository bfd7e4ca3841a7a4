"""Spend and deals exported further back than the leads: the weeks and periods before the first
lead have no lead counts, not zeros. The spend export runs from Monday 5 October 2026 (W41), the
deals export from Monday 28 September (D0, won 6 October); the leads begin on Tuesday 3
November (W45):
- A and B, created 3 and 4 November (W45, 2-8 November);
- C, created 10 November (W46, 9-15 November).
Before, the meeting read W41-W44 as four weeks of no leads ("Last week 0 · 4-week average 0")
and the overview compared November with an October of no leads loaded: growth from nothing."""

import functools
from datetime import date

import pandas as pd
import pytest

from revcycle.__main__ import main
from revcycle.build import build
from revcycle.db import connect, execute
from revcycle.meeting import charts, numbers
from revcycle.meeting.week import Week
from revcycle.periods import FunnelStart, funnel_start
from tests.conftest import copy_database, write_export
from tests.support.spend import load_spend
from tests.test_pages import open_page

LEADS = [
    {"lead_id": "A", "created_at": "2026-11-03 10:00:00", "channel": "Paid search"},
    {"lead_id": "B", "created_at": "2026-11-04 10:00:00", "channel": "Paid search"},
    {"lead_id": "C", "created_at": "2026-11-10 10:00:00", "channel": "Paid search"},
]
DEALS = [
    {
        "deal_id": "D0",
        "created_at": "2026-09-28 10:00:00",
        "stage": "Closed Won",
        "amount": "1000.00",
        "currency": "EUR",
        "closed_at": "2026-10-06 10:00:00",
    }
]
SPEND = [
    {
        "date_from": "2026-10-05",
        "date_to": "2026-11-08",
        "source": "Google Ads",
        "campaign": "Brand",
        "amount": "3500.00",
        "currency": "EUR",
    }
]


@pytest.fixture(scope="module")
def db_file(tmp_path_factory):
    folder = tmp_path_factory.mktemp("spend_first")
    con = connect(folder / "spend_first.duckdb")
    try:
        exports = {
            "leads": write_export(folder / "leads.csv", "leads", LEADS),
            "deals": write_export(folder / "deals.csv", "deals", DEALS),
        }
        build(con, exports)
        load_spend(con, write_export(folder / "spend.csv", "spend", SPEND))
        period = execute(con, "metrics/data_period").iloc[0]
        assert period["first_date"] == pd.Timestamp("2026-09-28")  # D0's creation
    finally:
        con.close()
    return folder / "spend_first.duckdb"


@pytest.fixture(scope="module")
def query(db_file):
    con = connect(db_file)
    yield functools.partial(execute, con)
    con.close()


def test_the_week_before_the_first_lead_is_unknown_not_zero(query):
    tiles = numbers.week_tiles(query, Week(2026, 45), None).set_index("metric")
    assert tiles.loc["leads", "this_week"] == 2  # A and B
    # W44 (26 October - 1 November) holds spend but no lead or deal: nothing to compare with.
    assert tiles["last_week"].isna().all()
    assert tiles["four_week_average"].isna().all()


def test_the_tiles_say_why_last_week_and_the_average_are_unknown(query, db_file, monkeypatch):
    # W45's last week and baseline (W41-W44) all end before the leads begin; W46's baseline
    # (W42-W45) still starts before them, though last week (W45) is known.
    for week in (Week(2026, 45), Week(2026, 46)):
        tiles = numbers.week_tiles(query, week, None)
        assert set(tiles["baseline_gap"]) == {"the leads begin on 3 Nov 2026"}
    monkeypatch.setenv("REVCYCLE_DB", str(db_file))
    at = open_page("pages/this_week.py", week="2026-W45")
    leads = next(metric for metric in at.metric if metric.label == "Leads")
    assert leads.value == "2"
    lines = [caption.value for caption in at.caption]
    assert "Last week – · 4\\-week average – · the leads begin on 3 Nov 2026" in lines, lines


def test_the_weekly_chart_draws_no_zeros_before_the_first_lead(query):
    series = numbers.weekly_series(query, Week(2026, 45), None, 5)
    # W41-W44, then W45 with A and B.
    assert series["count_leads"].isna().tolist() == [True, True, True, True, False]
    assert series["count_leads"].iloc[-1] == 2


def test_the_weekly_chart_begins_with_the_week_the_leads_begin(query):
    # The page's 13 weeks up to W46 reach back to W34 (17 August); the leads begin in W45.
    series = numbers.weekly_series(query, Week(2026, 46), None, 13)
    figure = charts.weekly_trend(series, Week(2026, 46).start)
    leads = next(trace for trace in figure.data if trace.name == "Leads")
    assert list(leads.x) == [pd.Timestamp("2026-11-02"), pd.Timestamp("2026-11-09")]
    assert list(leads.y) == [2, 1]  # A and B; C
    # Two weeks: a tick on each Monday, from the first.
    assert figure.layout.xaxis.tick0 == "2026-11-02"
    assert figure.layout.xaxis.dtick == 7 * 24 * 3600 * 1000


def test_a_week_after_the_first_lead_compares_with_it(query):
    tiles = numbers.week_tiles(query, Week(2026, 46), None).set_index("metric")
    assert (tiles.loc["leads", "this_week"], tiles.loc["leads", "last_week"]) == (1, 2)
    # The baseline would be W42-W45, three of them before the first lead.
    assert pd.isna(tiles.loc["leads", "four_week_average"])


def test_the_overview_does_not_compare_with_days_before_the_first_lead(db_file, monkeypatch):
    monkeypatch.setenv("REVCYCLE_DB", str(db_file))
    at = open_page("dashboard.py", preset="Custom", period=["2026-11-02", "2026-11-08"])
    assert next(metric.value for metric in at.metric if metric.label == "Leads") == "2"
    assert [metric.delta for metric in at.metric if metric.delta] == []
    assert at.caption[0].value == (
        "02 Nov 2026 – 08 Nov 2026. No changes are shown: the leads begin on 03 Nov 2026, "
        "after the period before (26 Oct 2026 – 01 Nov 2026), so that period would compare "
        "with days when nothing was loaded."
    )


def test_a_week_before_the_first_lead_says_when_the_leads_begin(query):
    tiles = numbers.week_tiles(query, Week(2026, 44), None)
    assert tiles["this_week"].isna().all()
    assert set(tiles["cannot_measure"]) == {"The leads begin on 3 Nov 2026, after this week."}


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        # Leads loaded: their first day, however far back the deals and the spend reach.
        (("2026-09-28", "2026-11-03", "leads"), FunnelStart(date(2026, 11, 3), "leads")),
        # No lead loaded: the deals' first day.
        (("2026-09-28", "2026-09-28", "deals"), FunnelStart(date(2026, 9, 28), "deals")),
        # Spend alone: its first day.
        (("2026-10-05", None, None), FunnelStart(date(2026, 10, 5), "data")),
        ((None, None, None), None),
    ],
)
def test_the_funnel_begins_with_the_leads(row, expected):
    first_date, start_date, starts = row
    period = pd.Series(
        {
            "first_date": pd.Timestamp(first_date) if first_date else pd.NaT,
            "funnel_start_date": pd.Timestamp(start_date) if start_date else pd.NaT,
            "funnel_starts": starts,
        }
    )
    assert funnel_start(period) == expected


def test_the_pack_says_why_last_week_is_unknown(db_file, tmp_path, monkeypatch):
    # A copy: the module's ``query`` holds the file open, as the dashboard would.
    monkeypatch.setenv("REVCYCLE_DB", str(copy_database(db_file, tmp_path / "copy.duckdb")))
    out = tmp_path / "pack.html"
    assert main(["pack", "--week", "2026-W45", "--out", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    # Under each of the seven tiles (the exports have every column, so all seven are known).
    shown = (
        "<div>Last week –</div><div>4-week average –</div><div>the leads begin on 3 Nov 2026</div>"
    )
    assert text.count(shown) == 7, text.count(shown)
