"""The meeting's one data flow (week_view.gather) and its pack on hand-written rows in a real
DuckDB, and the `pack` command on the sample.

The meeting's week is 2026-W47, Monday 16 to Sunday 22 November 2026; W46 runs 9 to 15
November. The latest lead is of Tuesday 24 November, so W47 is the last complete week.
"""

import datetime
import functools
import html

import pytest
from plotly.offline import get_plotlyjs

from revcycle.db import execute
from revcycle.meeting import charts, leak, log, pack, shown, week_view
from revcycle.meeting.week import Week
from tests import test_cli_load
from tests.conftest import copy_database

W46, W47 = Week(2026, 46), Week(2026, 47)
MONDAY_AFTER = datetime.date(2026, 11, 23)
EVERYONE = {"channels": None, "owners": None, "segments": None}
HOSTILE_OWNER = "<img src=x onerror=alert(1)>"


def lead(lead_id, created_at, channel="Referral", owner="Ann"):
    return {"lead_id": lead_id, "created_at": created_at, "channel": channel, "owner": owner}


LEADS = [
    # W46: one lead. W47: two Referral leads and one Email lead (owned by a hostile name).
    lead("A", "2026-11-10 10:00:00"),
    lead("B", "2026-11-16 10:00:00"),
    lead("C", "2026-11-17 10:00:00"),
    lead("D", "2026-11-18 10:00:00", channel="Email", owner=HOSTILE_OWNER),
    # W48: the latest event.
    lead("E", "2026-11-24 10:00:00"),
]


@pytest.fixture
def meeting_db(funnel_db):
    """The leads above, and a log: an action of W46 due Friday 20 November still open, one of
    W47, a decision of W47 and one of W46."""
    con = funnel_db(LEADS)
    log.add_action(con, W46, "Fix the contact form", "Bram", datetime.date(2026, 11, 20), "ann")
    log.add_action(con, W47, "Call back the webinar leads", "Ann", MONDAY_AFTER, "ann")
    log.add_decision(con, W47, 'Raise the <script>alert("x")</script> threshold', "ann")
    log.add_decision(con, W46, "A decision of the week before", "ann")
    return con


def gather(con, scope=None):
    query = functools.partial(execute, con)
    return week_view.gather(query, con, W47, scope or EVERYONE, MONDAY_AFTER)


def tile(meeting, metric):
    return meeting.tiles.set_index("metric").loc[metric]


def test_the_default_week_is_the_last_complete_one_of_the_data(meeting_db):
    # The latest lead is of Tuesday 24 November: W47 ended on the Sunday before.
    query = functools.partial(execute, meeting_db)
    assert week_view.default_week(query, datetime.date(2030, 1, 1)) == W47


def test_gather_counts_the_week_in_the_scope_it_is_given(meeting_db):
    assert tile(gather(meeting_db), "leads")["this_week"] == 3  # B, C, D
    assert tile(gather(meeting_db), "leads")["last_week"] == 1  # A
    only_email = gather(meeting_db, EVERYONE | {"channels": ["Email"]})
    assert tile(only_email, "leads")["this_week"] == 1  # D
    assert only_email.scope["channels"] == ["Email"]


def test_gather_holds_the_week_s_log_and_the_older_open_actions_first(meeting_db):
    meeting = gather(meeting_db)
    assert meeting.actions["what"].tolist() == ["Call back the webinar leads"]
    assert meeting.decisions["text"].tolist() == ['Raise the <script>alert("x")</script> threshold']
    # The W46 action was due Friday 20 November: on Monday 23 November it is overdue.
    assert meeting.review["what"].tolist() == ["Fix the contact form"]
    assert meeting.review["is_overdue"].tolist() == [True]
    assert meeting.data_as_of == datetime.date(2026, 11, 24)
    assert any("overdue" in sentence.text for sentence in meeting.headline)


def test_the_headline_links_only_to_sections_the_page_has(meeting_db):
    sections = {sentence.section for sentence in gather(meeting_db).headline}
    assert sections <= set(week_view.SECTIONS)
    # A heading for every section, in the meeting's order.
    assert tuple(week_view.SECTION_TITLES) == week_view.SECTIONS


def test_a_week_across_new_year_names_both_years():
    # 2020-W01 runs from Monday 30 December 2019 to Sunday 5 January 2020.
    assert shown.days_of(Week(2020, 1)) == "Mon 30 Dec 2019 – Sun 05 Jan 2020"
    assert shown.days_of(W47) == "Mon 16 Nov – Sun 22 Nov 2026"


def test_the_pack_inlines_plotly_once_and_every_chart_uses_it(meeting_db):
    document = pack.render(gather(meeting_db), datetime.datetime(2026, 11, 23, 9, 0))
    library = get_plotlyjs()
    assert document.count(library[:2000]) == 1
    # Nothing else loads anything (plotly.js names its CDN itself, for maps the pack lacks).
    rest = document.replace(library, "")
    assert "<script src" not in rest and "cdn.plot.ly" not in rest
    charts = document.count('id="chart-')
    # The weekly trend, the breaches by owner (D waited: nobody contacted it) at least.
    assert charts >= 2
    assert document.count("Plotly.newPlot(") == charts


def test_every_text_in_the_pack_is_escaped(meeting_db):
    document = pack.render(gather(meeting_db), datetime.datetime(2026, 11, 23, 9, 0))
    assert "<script>alert" not in document
    assert "<img src=x" not in document
    assert html.escape('Raise the <script>alert("x")</script> threshold') in document
    # The owner's name is in the breaches table as text.
    assert html.escape(HOSTILE_OWNER) in document


# --- the command, on the sample ------------------------------------------------------------

revcycle = test_cli_load.revcycle


@pytest.fixture
def sample_copy(tmp_path, sample_db_file):
    return copy_database(sample_db_file, tmp_path / "sample.duckdb")


def test_pack_writes_the_week_asked_for_under_5_mb(revcycle, sample_copy, tmp_path):
    out = tmp_path / "meeting.html"
    code, said = revcycle(sample_copy, "pack", "--week", "2026-W45", "-o", out)
    assert code == 0, said
    assert "wrote the meeting pack of 2026-W45 (02 Nov – 08 Nov 2026)" in said
    document = out.read_text(encoding="utf-8")
    assert out.stat().st_size < 5_000_000
    assert "<h1>Weekly meeting — 2026-W45</h1>" in document
    for section in ("headline", *week_view.SECTIONS, "agreement"):
        assert f'<section id="{section}">' in document
    assert "This is the bundled sample data." in document


def test_pack_takes_the_scope_of_the_filters(revcycle, sample_copy, tmp_path):
    out = tmp_path / "referral.html"
    code, said = revcycle(
        sample_copy, "pack", "--week", "2026-W45", "--channel", "Referral", "-o", out
    )
    assert code == 0, said
    assert "channels Referral" in out.read_text(encoding="utf-8")


def test_pack_refuses_a_channel_the_data_does_not_have(revcycle, sample_copy, tmp_path):
    out = tmp_path / "typo.html"
    code, said = revcycle(sample_copy, "pack", "--channel", "Refferal", "-o", out)
    assert code == 2
    assert "no channel 'Refferal' in the data; nothing was written" in said
    assert not out.exists()


def test_pack_refuses_a_week_that_is_no_week_in_a_sentence(revcycle, sample_copy, tmp_path):
    code, said = revcycle(sample_copy, "pack", "--week", "week 47", "-o", tmp_path / "x.html")
    assert code == 2
    assert "“week 47” is not a week: write the ISO year and week number like 2026-W47." in said
    assert "Traceback" not in said and not (tmp_path / "x.html").exists()


def test_pack_without_a_database_says_how_to_make_one(revcycle, tmp_path):
    code, said = revcycle(tmp_path / "none.duckdb", "pack")
    assert code == 1
    assert "there is no database" in said and "python -m revcycle build" in said


def test_the_benchmark_times_the_pack_on_a_read_only_connection(sample_copy):
    from benchmarks import meeting

    row = meeting.time_pack(sample_copy, repeat=1)
    assert row.failures == [] and len(row.timing.seconds) == 1


def planted_leak(channel: str) -> leak.Leak:
    """A drop from 41% (41 of 100) to 22% (11 of 50), with made-up interval ends."""
    return leak.Leak(
        channel=channel,
        step_from="mql",
        step_to="sql",
        recent_rate=0.22,
        recent_entered=50,
        baseline_rate=0.41,
        baseline_entered=100,
        recent_low=0.13,
        recent_high=0.35,
        baseline_low=0.32,
        baseline_high=0.51,
        p_value=0.01,
        expected_cost=9.5,
        cost_unit="opportunities",
        words=f"{channel} MQL → SQL fell from 41% to 22%",
    )


def test_a_flagged_leak_is_drawn_with_both_intervals_and_its_words_escaped(meeting_db):
    meeting = gather(meeting_db)
    drop = planted_leak("<b>Paid</b> search")
    with_leak = meeting._replace(leaks=meeting.leaks._replace(flagged=[drop], cannot_measure=None))

    figure = charts.leaks([drop])
    baseline, recent = figure.data
    assert (baseline.x[0], recent.x[0]) == (0.41, 0.22)
    # Error bars reach from each rate to its interval's ends: 0.51 - 0.41 up, 0.41 - 0.32 down.
    assert baseline.error_x.array[0] == pytest.approx(0.10)
    assert baseline.error_x.arrayminus[0] == pytest.approx(0.09)
    assert recent.error_x.array[0] == pytest.approx(0.13)
    assert recent.error_x.arrayminus[0] == pytest.approx(0.09)
    assert "<b>" not in recent.y[0]

    section = pack.leak_html(with_leak)
    assert "&lt;b&gt;Paid&lt;/b&gt; search MQL → SQL fell from 41% to 22%" in section
    assert 'id="chart-leaks"' in section


def test_the_pack_s_tiles_stand_in_the_page_s_two_rows_new_pipeline_opening_the_second(
    meeting_db, funnel_db
):
    # W47's deals: P1 (2,500.50) and P2 (1,000.25) created in the week, P3 (9,999) in W46.
    deals = [
        {"deal_id": "P1", "created_at": "2026-11-17 09:00:00", "amount": "2500.50"},
        {"deal_id": "P2", "created_at": "2026-11-19 09:00:00", "amount": "1000.25"},
        {"deal_id": "P3", "created_at": "2026-11-12 09:00:00", "amount": "9999"},
    ]
    deals = [deal | {"stage": "Proposal", "currency": "EUR"} for deal in deals]
    document = pack.render(gather(funnel_db(LEADS, deals)), datetime.datetime(2026, 11, 23, 9))
    rows = document.split('<div class="tiles">')[1:]
    labels = [row.split('<div class="label">')[1:] for row in rows]
    firsts = [[label.split("<", 1)[0] for label in row] for row in labels]
    assert firsts == [
        ["Leads", "MQLs", "SQLs", "Opportunities"],
        ["New pipeline", "Won revenue", "Within agreed time"],
    ]
    new_pipeline = rows[1].split('<div class="tile">')[1]
    # 2,500.50 + 1,000.25 to the cent, as the won revenue tile shows its amount.
    assert '<div class="value">€3,500.75</div>' in new_pipeline
    assert "<div>Last week €9,999.00</div>" in new_pipeline
