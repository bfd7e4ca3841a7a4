"""The dashboard driven with Streamlit's AppTest on the bundled sample."""

from datetime import date, timedelta

import pytest
from streamlit.testing.v1 import AppTest

from revcycle.paths import REPO_ROOT
from tests import sample_facts

APP = str(REPO_ROOT / "dashboard.py")
EMPTY_STATE = "No leads or deals match these filters"


@pytest.fixture
def app(sample_db, monkeypatch):
    """A fresh AppTest of the dashboard over the session's sample database."""
    monkeypatch.setenv(
        "REVCYCLE_DB",
        sample_db.execute(
            "select path from duckdb_databases() where database_name = current_database()"
        ).fetchone()[0],
    )
    return AppTest.from_file(APP, default_timeout=120)


def tile(at: AppTest, label: str) -> str:
    return next(metric.value for metric in at.metric if metric.label == label)


def shown_count(at: AppTest, label: str) -> int:
    return int(tile(at, label).replace(",", ""))


def test_overview_shows_the_sample_on_first_run(app):
    at = app.run()
    assert not at.exception
    assert not at.error
    assert [metric.label for metric in at.metric] == [
        "Leads",
        "MQLs",
        "SQLs",
        "Opportunities",
        "Won deals",
        "Won revenue",
        "Median follow-up",
        "Within agreed time",
        "Won revenue per € spent",
        "Cost per opportunity",
    ]
    assert shown_count(at, "Leads") == sample_facts.count_leads()
    # The change against the 84 days before the default period.
    start, end = sample_facts.default_period()
    previous = sample_facts.count_leads(
        period=(start - (end - start) - timedelta(days=1), start - timedelta(days=1))
    )
    current = sample_facts.count_leads()
    leads_tile = next(metric for metric in at.metric if metric.label == "Leads")
    assert leads_tile.delta == f"{(current - previous) / previous:+.1%}"
    assert at.selectbox(key="preset").value == "last_12_weeks"
    start, end = sample_facts.default_period()
    assert f"{start:%d %b %Y} – {end:%d %b %Y}" in [caption.value for caption in at.caption]


def test_changing_the_channel_filter_changes_the_lead_count(app):
    at = app.run()
    before = shown_count(at, "Leads")
    at.multiselect(key="channel").select("Referral").run()
    assert not at.exception
    after = shown_count(at, "Leads")
    assert after == sample_facts.count_leads(channel="Referral")
    assert after < before


def test_a_link_with_filters_restores_them(app):
    app.query_params["channel"] = ["Trade show", "Partner"]
    app.query_params["owner"] = ["Anna Keller"]
    at = app.run()
    assert at.multiselect(key="channel").value == ["Trade show", "Partner"]
    assert at.multiselect(key="owner").value == ["Anna Keller"]
    expected = sum(
        sample_facts.count_leads(channel=channel, owner="Anna Keller")
        for channel in ("Trade show", "Partner")
    )
    assert shown_count(at, "Leads") == expected


def test_a_link_with_a_custom_period_restores_it(app):
    app.query_params["preset"] = "Custom"  # the URL carries the label a person reads
    app.query_params["period"] = ["2026-03-01", "2026-03-31"]
    at = app.run()
    assert at.date_input(key="period").value == (date(2026, 3, 1), date(2026, 3, 31))
    assert shown_count(at, "Leads") == sample_facts.count_leads(
        period=(date(2026, 3, 1), date(2026, 3, 31))
    )


def test_an_impossible_filter_shows_the_empty_state(app):
    # Deals without a lead have no segment, so "(no lead)" in segment SMB matches nothing.
    app.query_params["channel"] = ["(no lead)"]
    app.query_params["segment"] = ["SMB"]
    at = app.run()
    assert not at.exception
    assert any(EMPTY_STATE in info.value for info in at.info)
    assert len(at.metric) == 0


def test_reset_returns_every_filter_to_its_default(app):
    at = app.run()
    at.multiselect(key="channel").select("Email").run()
    at.selectbox(key="preset").set_value("custom").run()
    at.date_input(key="period").set_value((date(2026, 1, 1), date(2026, 2, 1))).run()
    assert shown_count(at, "Leads") != sample_facts.count_leads()
    at.button(key="reset_filters").click().run()
    assert at.multiselect(key="channel").value == []
    assert at.selectbox(key="preset").value == "last_12_weeks"
    assert shown_count(at, "Leads") == sample_facts.count_leads()


def test_every_page_says_how_fresh_the_data_is(app):
    last_lead = max(
        row["created_at"][:10] for row in sample_facts._rows("leads.csv")
    )  # ISO text sorts as dates
    at = app.run()
    banner = next(info.value for info in at.sidebar.info)
    assert banner.startswith(f"Leads up to {date.fromisoformat(last_lead):%d %b %Y}, loaded ")


def test_a_script_run_past_its_timeout_is_stopped_and_named():
    # conftest.py replaces AppTest's polling wait with a join of the script thread; a run that
    # overstays must still end the wait with Streamlit's error, not hang or pass silently.
    slow = AppTest.from_string("import time\ntime.sleep(1)", default_timeout=0.2)
    with pytest.raises(RuntimeError, match=r"timed out after 0\.2\(s\)"):
        slow.run()
