"""A shared link reproduces the view a manager sees: every choice on a page that changes what
it shows (a tab, a model, a basis, a toggle, a mode, a version compared, a week) is read from
the link, written to it when the choice changes, and left out at its default, so a plain link
stays short; a value the page has not falls back to the default with a note in the sidebar.

The sample database under AppTest; the browser's side is tests/test_browser.py's.
"""

import json

import pytest
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.element_tree import Block

from tests.test_links import notice
from tests.test_pages import db_env, open_page  # noqa: F401 (db_env: a fixture)

pytestmark = pytest.mark.usefixtures("db_env")

# Every page's choices at a value other than their default, as a link carries them. The
# sample has agreement versions 1 and 2; its data reach 2026-W47.
EVERY_CHOICE = {
    "dashboard.py": {"tab": "revenue"},
    "pages/conversion.py": {
        "conversion_mode": "Cohorts",
        "within_days": "60",
        "cohort_grain": "week",
        "cohort_stage": "SQLs",
    },
    "pages/follow_up.py": {"tab": "owner"},
    "pages/revenue.py": {"roi_model": "w", "roi_cohort": "1"},
    "pages/attribution.py": {"model": "w", "basis": "pipeline", "journeys": "Direct"},
    "pages/agreements.py": {"tab": "history", "compare": "2", "with": "1", "read": "1"},
    "pages/this_week.py": {"week": "2026-W40", "present": "1", "section": "leak"},
}


def open_tab(at: AppTest) -> Block:
    """The tab a browser opens the page on: the tab container's ``default_tab_index``."""
    containers = [
        node
        for node in walk(at.main)
        if type(node) is Block and node.proto is not None
        if node.proto.WhichOneof("type") == "tab_container"
    ]
    assert len(containers) == 1, "one set of tabs on the page"
    tabs = list(containers[0].children.values())
    return tabs[containers[0].proto.tab_container.default_tab_index]


def walk(node):
    for child in getattr(node, "children", {}).values():
        yield child
        yield from walk(child)


def chart_titles(where) -> list[str]:
    return [
        json.loads(chart.proto.spec)["layout"]["title"]["text"]
        for chart in where.get("plotly_chart")
    ]


@pytest.mark.parametrize("path", EVERY_CHOICE)
def test_a_link_with_every_choice_of_a_page_is_kept_whole_and_said_nothing_of(path):
    at = open_page(path, **EVERY_CHOICE[path])
    assert notice(at) == ""
    assert {key: at.query_params[key] for key in at.query_params} == EVERY_CHOICE[path]


@pytest.mark.parametrize("path", EVERY_CHOICE)
def test_a_plain_link_stays_plain(path):
    # Every choice at its default is left out. The meeting's week is the one exception: its
    # default, the last complete week, moves every Monday, so a link names the week it showed.
    at = open_page(path)
    expected = {"week": "2026-W46"} if path == "pages/this_week.py" else {}
    assert {key: at.query_params[key] for key in at.query_params} == expected


def test_a_link_opens_follow_up_on_the_owner_tab_with_its_chart_and_table():
    at = open_page("pages/follow_up.py", tab="owner", channel="Referral")
    shown = open_tab(at)
    assert shown.label == "By owner"
    assert chart_titles(shown) == ["Hours to first contact by owner"]
    assert "Owner" in shown.dataframe[0].value.columns
    assert at.query_params["tab"] == "owner"
    assert at.query_params["channel"] == "Referral"


def test_opening_another_tab_puts_it_in_the_link_and_the_first_tab_leaves_it():
    at = open_page("pages/follow_up.py")
    assert open_tab(at).label == "By channel"
    # What the browser sends when the person opens a tab: the tabs' state is its label.
    at.session_state["follow_up_tab"] = "By owner"
    at.run()
    assert at.query_params["tab"] == "owner"
    assert open_tab(at).label == "By owner"
    at.session_state["follow_up_tab"] = "By channel"
    at.run()
    assert "tab" not in at.query_params


def test_a_link_opens_the_overview_on_the_won_revenue_tab():
    at = open_page("dashboard.py", tab="revenue")
    shown = open_tab(at)
    assert shown.label == "Won revenue per week"
    assert chart_titles(shown) == ["Won revenue per week"]


@pytest.mark.parametrize(
    ("path", "first"),
    [
        ("pages/follow_up.py", "By channel"),
        ("dashboard.py", "Leads per week"),
        ("pages/agreements.py", "In force today"),
    ],
)
def test_a_tab_the_page_has_not_opens_the_first_and_says_so(path, first):
    at = open_page(path, tab="nonsense")
    assert open_tab(at).label == first
    assert f"tab 'nonsense': not a tab of this page, so {first} is shown" in notice(at)
    assert "tab" not in at.query_params


def versions_chosen(at: AppTest) -> list[int]:
    """The History tab's versions: compared, compared with, read in full (keys by the count
    of versions, the sample's two)."""
    return [at.selectbox(key=f"agreement_{which}_2").value for which in ("before", "after", "read")]


def test_a_link_opens_the_agreements_history_on_the_versions_it_names():
    at = open_page("pages/agreements.py", tab="history", compare="2", read="1", **{"with": "1"})
    assert open_tab(at).label == "History"
    assert versions_chosen(at) == [2, 1, 1]
    assert [expander.label for expander in at.expander][-1] == "Version 1 in full"
    # Back to the newest two: the choices leave the link.
    at.selectbox(key="agreement_before_2").set_value(1).run()
    at.selectbox(key="agreement_after_2").set_value(2).run()
    assert "compare" not in at.query_params and "with" not in at.query_params
    assert at.query_params["read"] == "1"


def test_a_version_never_saved_compares_the_newest_two_and_says_so():
    at = open_page("pages/agreements.py", tab="history", compare="9")
    assert versions_chosen(at) == [1, 2, 2]
    assert "compare '9': not a version saved, so version 1 is shown" in notice(at)
    assert "compare" not in at.query_params


def test_attribution_leaves_its_default_model_and_basis_out_of_the_link():
    at = open_page("pages/attribution.py")
    at.selectbox(key="attribution_model").set_value("w").run()
    at.button_group(key="attribution_basis").set_value("pipeline").run()
    assert (at.query_params["model"], at.query_params["basis"]) == ("w", "pipeline")
    at.selectbox(key="attribution_model").set_value("linear").run()
    at.button_group(key="attribution_basis").set_value("revenue").run()
    assert "model" not in at.query_params and "basis" not in at.query_params
