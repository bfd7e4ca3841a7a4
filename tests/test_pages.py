"""Every page under AppTest on the sample: it runs, a filter changes a number shown to the value
worked out from the CSVs, a link restores the filters, and an impossible filter says so."""

import pytest
from streamlit.testing.v1 import AppTest

from tests import sample_facts
from tests.test_app import APP, EMPTY_STATE, shown_count


def whole_euros(text: str) -> int:
    return int(text.replace("€", "").replace(",", ""))


def won_revenue_whole_euros(channel: str | None = None) -> int:
    # The tile rounds to whole euros; half a euro rounds to even, as Python's format does.
    return round(sample_facts.won_revenue_cents(channel) / 100)


# page, tile, how to read the tile, expected value for a channel (None: all channels)
PAGES = [
    ("app_pages/overview.py", "Leads", shown_count, sample_facts.count_leads),
    ("app_pages/conversion.py", "Leads", shown_count, sample_facts.count_leads),
    ("app_pages/follow_up.py", "Never contacted", shown_count, sample_facts.count_never_contacted),
    ("app_pages/revenue.py", "Won revenue", None, won_revenue_whole_euros),
]


@pytest.fixture
def db_env(sample_db, monkeypatch):
    path = sample_db.execute(
        "select path from duckdb_databases() where database_name = current_database()"
    ).fetchone()[0]
    monkeypatch.setenv("REVCYCLE_DB", path)


def open_page(path: str, **query) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params.update(query)
    at.run()
    at.switch_page(path).run()
    assert not at.exception, at.exception
    assert not at.error, [error.value for error in at.error]
    return at


def tile_value(at: AppTest, label: str, read) -> int:
    value = next(metric.value for metric in at.metric if metric.label == label)
    return read(at, label) if read else whole_euros(value)


@pytest.mark.parametrize(("path", "label", "read", "expected"), PAGES, ids=lambda v: str(v))
def test_page_shows_the_sample_and_follows_the_channel_filter(db_env, path, label, read, expected):
    at = open_page(path)
    assert tile_value(at, label, read) == expected()
    assert len(at.get("plotly_chart")) >= 1
    at.multiselect(key="channel").select("Website contact form").run()
    assert not at.exception
    assert tile_value(at, label, read) == expected("Website contact form")


@pytest.mark.parametrize(("path", "label", "read", "expected"), PAGES, ids=lambda v: str(v))
def test_page_link_restores_the_channel_filter(db_env, path, label, read, expected):
    at = open_page(path, channel=["Trade show"])
    assert at.multiselect(key="channel").value == ["Trade show"]
    assert tile_value(at, label, read) == expected("Trade show")


@pytest.mark.parametrize("path", [page for page, *_ in PAGES])
def test_impossible_filter_shows_the_empty_state(db_env, path):
    at = open_page(path, channel=["(no lead)"], segment=["SMB"])
    assert any(EMPTY_STATE in info.value for info in at.info)
    assert len(at.get("plotly_chart")) == 0


def test_cohort_mode_shows_intervals_and_flags_immature_leads(db_env):
    at = open_page("app_pages/conversion.py")
    at.segmented_control(key="conversion_mode").set_value("Cohorts").run()
    assert not at.exception
    assert len(at.get("plotly_chart")) == 2
    assert any("have not had their full window yet" in caption.value for caption in at.caption)
