"""Every page under AppTest on the sample: it runs, a filter changes a number shown to the value
worked out from the CSVs, a link restores the filters, and an impossible filter says so."""

import pytest
from streamlit.testing.v1 import AppTest

from revcycle.db import connect
from revcycle.paths import REPO_ROOT
from tests import sample_facts
from tests.conftest import copy_database
from tests.test_app import APP, EMPTY_STATE, shown_count, tile


def euro_cents(text: str) -> int:
    """A money tile's cents: "€1,234.50" is 123450. The tile shows booked money to the cent."""
    euros, point, cents = text.removeprefix("€").replace(",", "").partition(".")
    assert point and len(cents) == 2, f"{text!r} is not to the cent"
    return int(euros) * 100 + int(cents)


# page, tile, how to read the tile, expected value for a channel (None: all channels)
PAGES = [
    ("dashboard.py", "Leads", shown_count, sample_facts.count_leads),
    ("pages/conversion.py", "Leads", shown_count, sample_facts.count_leads),
    ("pages/follow_up.py", "Never contacted", shown_count, sample_facts.count_never_contacted),
    ("pages/revenue.py", "Won revenue", None, sample_facts.won_revenue_cents),
]


@pytest.fixture
def db_env(sample_db, monkeypatch):
    path = sample_db.execute(
        "select path from duckdb_databases() where database_name = current_database()"
    ).fetchone()[0]
    monkeypatch.setenv("REVCYCLE_DB", path)


def open_page(path: str, **query) -> AppTest:
    """The page file run on its own, as a link to it on a fresh server runs it."""
    at = AppTest.from_file(str(REPO_ROOT / path), default_timeout=120)
    at.query_params.update(query)
    at.run()
    assert not at.exception, at.exception
    assert not at.error, [error.value for error in at.error]
    return at


def tile_value(at: AppTest, label: str, read) -> int:
    value = next(metric.value for metric in at.metric if metric.label == label)
    return read(at, label) if read else euro_cents(value)


def case_id(value) -> str:
    """A stable id: a function by its name, never its address (pytest-xdist compares ids)."""
    return getattr(value, "__name__", str(value))


@pytest.mark.parametrize(("path", "label", "read", "expected"), PAGES, ids=case_id)
def test_page_shows_the_sample_and_follows_the_channel_filter(db_env, path, label, read, expected):
    at = open_page(path)
    assert tile_value(at, label, read) == expected()
    assert len(at.get("plotly_chart")) >= 1
    at.multiselect(key="channel").select("Website contact form").run()
    assert not at.exception
    assert tile_value(at, label, read) == expected("Website contact form")


@pytest.mark.parametrize(("path", "label", "read", "expected"), PAGES, ids=case_id)
def test_page_link_restores_the_channel_filter(db_env, path, label, read, expected):
    at = open_page(path, channel=["Trade show"])
    assert at.multiselect(key="channel").value == ["Trade show"]
    assert tile_value(at, label, read) == expected("Trade show")


@pytest.mark.parametrize("path", [page for page, *_ in PAGES])
def test_impossible_filter_shows_the_empty_state(db_env, path):
    at = open_page(path, channel=["(no lead)"], segment=["SMB"])
    # Follow-up, which follows leads alone, says the truer reason: no lead has that channel.
    said = "No lead has" if path == "pages/follow_up.py" else EMPTY_STATE
    assert any(said in info.value for info in at.info)
    assert len(at.get("plotly_chart")) == 0


def test_cohort_mode_shows_intervals_and_flags_immature_leads(db_env):
    at = open_page("pages/conversion.py")
    at.segmented_control(key="conversion_mode").set_value("Cohorts").run()
    assert not at.exception
    assert len(at.get("plotly_chart")) == 2
    assert any("have not had their full window yet" in caption.value for caption in at.caption)


def test_filters_follow_the_person_from_page_to_page(db_env):
    at = AppTest.from_file(APP, default_timeout=120).run()
    at.multiselect(key="channel").select("Trade show").run()
    for path, label, read, expected in [*PAGES[1:], PAGES[0]]:
        at.switch_page(path).run()
        assert not at.exception and not at.error, path
        assert at.multiselect(key="channel").value == ["Trade show"], path
        assert tile_value(at, label, read) == expected("Trade show"), path


def test_reset_on_another_page_is_not_undone_by_the_page_before(db_env):
    at = AppTest.from_file(APP, default_timeout=120).run()
    at.multiselect(key="channel").select("Trade show").run()
    at.switch_page("pages/conversion.py").run()
    at.button(key="reset_filters").click().run()
    assert at.multiselect(key="channel").value == []
    at.run()  # a later run on the same page keeps the reset
    assert at.multiselect(key="channel").value == []
    assert shown_count(at, "Leads") == sample_facts.count_leads()


def test_a_link_value_the_data_lacks_is_left_out_and_said(db_env):
    at = open_page("pages/revenue.py", channel=["Trade show", "Carrier *pigeon*"])
    assert at.multiselect(key="channel").value == ["Trade show"]
    note = next(
        caption.value for caption in at.sidebar.caption if "not in the data" in caption.value
    )
    # Shown as text: the asterisks stay asterisks, not emphasis.
    assert "Carrier \\*pigeon\\*" in note
    assert tile(at, "Won revenue") == f"€{sample_facts.won_revenue_cents('Trade show') / 100:,.2f}"


BREAKAGES = {
    # The frame's own queries fail: the sidebar's data period reads funnel_as_of.
    "frame": ("drop table funnel_as_of", "metrics/data_period"),
    # The page's metric queries fail: they start from the funnel_in_scope macro.
    "page": ("drop macro table funnel_in_scope", "metrics/"),
}


@pytest.mark.parametrize("broken_part", BREAKAGES)
@pytest.mark.parametrize("path", [*(page for page, *_ in PAGES), "pages/upload.py"])
def test_a_failing_query_is_one_sentence_on_every_page(
    path, broken_part, sample_db_file, tmp_path, monkeypatch
):
    # A real failure inside DuckDB, in a copy of the sample database.
    statement, query = BREAKAGES[broken_part]
    broken = copy_database(sample_db_file, tmp_path / "broken.duckdb")
    with connect(broken) as con:
        con.execute(statement)
    monkeypatch.setenv("REVCYCLE_DB", str(broken))

    at = AppTest.from_file(str(REPO_ROOT / path), default_timeout=120).run()

    assert not at.exception
    errors = [error.value for error in at.error]
    if broken_part == "page" and path == "pages/upload.py":
        assert errors == []  # the upload page runs no metric query
        return
    assert len(errors) == 1, errors
    assert errors[0].startswith(f"The query queries/{query}")
    assert errors[0].endswith(" The details are in the server log.")


def test_a_database_path_that_is_a_csv_is_said_on_the_page_and_left_as_it_is(tmp_path, monkeypatch):
    # The dashboard would open it as an in-memory database, build the sample there and show
    # it, while nothing it then loaded was kept.
    not_a_database = tmp_path / "leads.csv"
    not_a_database.write_text("lead_id,created_at\nL1,2026-03-02 09:00:00\n", encoding="utf-8")
    monkeypatch.setenv("REVCYCLE_DB", str(not_a_database))
    at = AppTest.from_file(str(REPO_ROOT / "dashboard.py"), default_timeout=120)
    at.run()
    assert not at.exception, at.exception
    said = [error.value.replace("\\", "") for error in at.error]
    assert any(f"REVCYCLE_DB names {not_a_database}, which is not a DuckDB" in s for s in said)
    assert not_a_database.read_text(encoding="utf-8").startswith("lead_id,created_at\nL1,")
