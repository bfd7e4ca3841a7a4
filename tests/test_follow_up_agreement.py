"""The follow-up page against the agreement: which agreed time applies per channel, a "what if"
sandbox that leaves the shared figures and the link alone, and agreement changes marked on the
weekly chart. A small hand-written database with two agreement versions."""

import json
from datetime import date

import pytest
from streamlit.testing.v1 import AppTest

from revcycle.agreements.model import FollowUp
from revcycle.paths import REPO_ROOT
from tests.conftest import building, inputs_key, made_copy, write_export
from tests.support.injection import unescaped
from tests.support.working_time import agreement, save

MARCH = {"preset": "Custom", "period": ["2026-03-01", "2026-03-31"]}


def lead(lead_id, created_at, contacted_at):
    return {
        "lead_id": lead_id,
        "channel": "Paid Search",
        "created_at": created_at,
        "first_contacted_at": contacted_at,
    }


@pytest.fixture
def two_versions(tmp_path, built_databases, monkeypatch):
    """Paid search: 8 working hours in v1 (from 1 Jan), 4 in v2 (from Tue 10 Mar 2026).
    OLD (Mon 9 Mar) and NEW (Wed 11 Mar) are both contacted after 6 working hours."""
    leads = [
        lead("OLD", "2026-03-09 09:00:00", "2026-03-09 15:00:00"),
        lead("NEW", "2026-03-11 09:00:00", "2026-03-11 15:00:00"),
    ]
    # OLD's deal, won on Mon 16 Mar, so the Overview draws its won revenue per week too.
    won = {
        "deal_id": "D1",
        "lead_id": "OLD",
        "created_at": "2026-03-12 09:00:00",
        "closed_at": "2026-03-16 09:00:00",
        "stage": "Closed Won",
        "amount": "100.00",
        "currency": "EUR",
    }
    exports = {
        "leads": write_export(tmp_path / "leads.csv", "leads", leads),
        "deals": write_export(tmp_path / "deals.csv", "deals", [won]),
    }
    default = FollowUp(None, "call", 24, "calendar")

    def save_both(con):
        save(con, agreement(FollowUp("Paid search", "call", 8, "working"), default))
        tighter = FollowUp("Paid search", "call", 4, "working")
        save(con, agreement(tighter, default, effective_from=date(2026, 3, 10)))

    key = "two-versions-" + inputs_key(exports)
    path = made_copy(built_databases, key, building(exports, save_both), tmp_path / "test.duckdb")
    monkeypatch.setenv("REVCYCLE_DB", str(path))


def open_follow_up() -> AppTest:
    at = AppTest.from_file(str(REPO_ROOT / "pages/follow_up.py"), default_timeout=120)
    at.query_params.update(MARCH)
    at.run()
    assert not at.exception, at.exception
    return at


def tile(at: AppTest, label: str) -> str:
    return next(metric.value for metric in at.metric if metric.label == label)


@pytest.mark.usefixtures("two_versions")
def test_the_page_says_which_agreed_time_applies_to_each_channel():
    at = open_follow_up()
    said = " ".join(unescaped(text.value) for text in at.markdown)
    assert "Paid search: call within 8 working hours (agreement v1, from 1 Jan 2026)" in said
    assert "Paid search: call within 4 working hours (agreement v2, from 10 Mar 2026)" in said


@pytest.mark.usefixtures("two_versions")
def test_within_sla_judges_each_lead_by_the_version_in_force():
    # OLD: 6 <= 8 (v1), within; NEW: 6 > 4 (v2), late: 1 of 2.
    assert tile(open_follow_up(), "Within agreed time") == "50.0%"


@pytest.mark.usefixtures("two_versions")
def test_what_if_shows_a_hypothetical_share_and_changes_nothing_shared():
    at = open_follow_up()
    link_before = dict(at.query_params)
    at.number_input(key="what_if_hours").set_value(5).run()
    # Both leads took 6 working hours: none within a hypothetical 5.
    assert tile(at, "Within 5 hours (hypothetical)") == "0.0%"
    assert tile(at, "Within agreed time") == "50.0%"
    at.number_input(key="what_if_hours").set_value(6).run()
    assert tile(at, "Within 6 hours (hypothetical)") == "100.0%"
    assert tile(at, "Within agreed time") == "50.0%"
    assert dict(at.query_params) == link_before


@pytest.mark.usefixtures("two_versions")
def test_the_weekly_chart_marks_the_day_a_new_version_took_effect():
    at = open_follow_up()
    chart = next(c for c in at.get("plotly_chart") if "follow_up_sla_trend" in c.proto.id)
    layout = json.loads(chart.proto.spec)["layout"]
    labels = [annotation["text"] for annotation in layout["annotations"]]
    assert labels == ["v2"]
    (line,) = [shape for shape in layout["shapes"] if shape["type"] == "line"]
    # 10 Mar 2026 00:00 UTC in milliseconds since 1970: 20522 days.
    assert line["x0"] == 20_522 * 86_400_000


@pytest.mark.usefixtures("two_versions")
def test_the_overview_weekly_charts_mark_the_new_version_too():
    at = AppTest.from_file(str(REPO_ROOT / "dashboard.py"), default_timeout=120)
    at.query_params.update(MARCH)
    at.run()
    assert not at.exception, at.exception
    for key in ("overview_weekly_leads", "overview_weekly_revenue"):
        chart = next(c for c in at.get("plotly_chart") if key in c.proto.id)
        layout = json.loads(chart.proto.spec)["layout"]
        assert [annotation["text"] for annotation in layout["annotations"]] == ["v2"]
        (line,) = [shape for shape in layout["shapes"] if shape["type"] == "line"]
        assert line["x0"] == 20_522 * 86_400_000  # 10 Mar 2026, as above
