"""Links that break pages: every query parameter a link can carry is read without breaking a
page. A value the page cannot show is left out, one out of range is clamped, and one plain line
in the sidebar names each of them.

The reading of the filters' values is checked with generated links (hypothesis); every page is
then opened under AppTest with links full of hostile values and must draw its frame.
"""

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from streamlit.testing.v1 import AppTest

from revcycle.paths import REPO_ROOT
from revcycle.periods import PRESETS
from revcycle.ui import filters
from tests.support.injection import unescaped
from tests.test_pages import db_env  # noqa: F401  (the sample database as $REVCYCLE_DB)

FIRST, LAST = date(2024, 11, 20), date(2026, 11, 20)  # the sample's first and last day
OPTIONS = {"channel": ["Referral", "Trade show"], "owner": ["Anna Keller"], "segment": ["SMB"]}
NOTICE = "Changed from the link: "

# Text a link can hold: numbers Python's float reads as infinite or not a number, signs,
# dates out of range or not dates, Markdown and HTML, control characters, long runs.
HOSTILE = st.one_of(
    st.sampled_from(
        ["inf", "-inf", "1e309", "nan", "NaN", "-5", "0", "1e3", "", " ", "0x10", "1_0", "١٢"]
        + ["0001-01-01", "9999-12-31", "2026-02-30", "2026-13-01", "20260101", "Custom"]
        + ["**bold**", "<img src=x>", "\x00", "9" * 400, "Referral", "Anna Keller", "SMB"]
    ),
    st.text(max_size=30),
)
LINKS = st.dictionaries(
    st.sampled_from(filters.FILTER_KEYS), st.lists(HOSTILE, min_size=1, max_size=6), max_size=6
)


# --- reading a link's filters (no page) -----------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(LINKS)
def test_any_link_gives_filters_the_widgets_accept_and_a_note_on_each_change(url):
    values, notes = filters._widget_values(url, (FIRST, LAST), OPTIONS)

    if "period" in values:
        start, end = values["period"]
        assert FIRST <= start <= end <= LAST
    if "preset" in values:
        assert values["preset"] in PRESETS
    for key, options in OPTIONS.items():
        assert set(values[key]) <= set(options)
        assert len(values[key]) == len(set(values[key]))
    # A value the page would write back as it came needs no note; any other value does.
    noted = {note.split(" ")[0] for note in notes}
    written = {
        "preset": url.get("preset", [])[:1] if "preset" in values else None,
        "period": [f"{day}" for day in values["period"]] if "period" in values else None,
    }
    for key, given_values in url.items():
        if key in OPTIONS:
            unknown = set(given_values) - set(OPTIONS[key])
            assert (key in noted) == bool(unknown), (key, given_values, notes)
        else:
            assert (key in noted) == (given_values != written[key]), (key, given_values, notes)


@pytest.mark.parametrize(
    ("given", "expected", "note"),
    [
        (["inf"], None, "not a number of hours, so left out"),
        (["1e309"], None, "not a number of hours, so left out"),
        (["nan"], None, "not a number of hours, so left out"),
        (["abc"], None, "not a number of hours, so left out"),
        (["-5"], 1, "read as 1, in whole hours from 1 to 336"),
        (["1000"], 336, "read as 336, in whole hours from 1 to 336"),
        (["2.5"], 2, "read as 2, in whole hours from 1 to 336"),  # half to even, as round()
        (["48"], 48, None),
    ],
)
def test_a_number_from_a_link_is_a_whole_number_in_range(given, expected, note):
    # As a page's own number input reads its link value (linked_number).
    assert filters._whole_number_from(given, 1, 336, "hours") == (expected, note)


@pytest.mark.parametrize(
    ("given", "expected", "note"),
    [
        (
            ["2026-03-31", "2026-03-01"],
            (date(2026, 3, 1), date(2026, 3, 31)),
            "2026-03-01 – 2026-03-31",
        ),
        (["2020-01-01", "2099-01-01"], (FIRST, LAST), "2024-11-20 – 2026-11-20"),
        (["0001-01-01"], (FIRST, FIRST), "2024-11-20 – 2024-11-20"),
        (["2026-03-01", "2026-03-31"], (date(2026, 3, 1), date(2026, 3, 31)), None),
        (["2026-02-30"], None, "not one or two dates"),
        (["2026-03-01"] * 3, None, "not one or two dates"),
    ],
)
def test_period_from_a_link_is_ordered_and_inside_the_data(given, expected, note):
    period, said = filters._period_from(given, FIRST, LAST)
    assert period == expected
    assert (said is None) if note is None else (note in said)


def test_a_link_with_a_thousand_unknown_channels_gets_one_short_note():
    url = {"channel": [f"channel {number}" for number in range(1000)] + ["Referral"]}
    values, notes = filters._widget_values(url, (FIRST, LAST), OPTIONS)
    assert values["channel"] == ["Referral"]
    assert notes == [
        "channel 'channel 0', 'channel 1', 'channel 2', 'channel 3', 'channel 4' and 995 more: "
        "not in the data, so left out"
    ]


# --- every page under AppTest -----------------------------------------------------------------

# page, its heading's start, whether it shows KPI tiles
PAGES = [
    ("dashboard.py", "The revenue cycle", True),
    ("pages/conversion.py", "Conversion by source", True),
    ("pages/follow_up.py", "Follow-up speed", True),
    ("pages/revenue.py", "Revenue by channel", True),
    ("pages/upload.py", "Upload exports", False),
]
# Rounds of hostile links: each round gives every filter one bad value at once. Every value is
# one the page must leave out or change, so the notice must name every parameter.
ROUNDS = [
    {
        "preset": "zzz",
        "period": ["2030-01-01", "2020-01-01"],
        "channel": ["<img src=x>"],
        "owner": ["**bold**"] * 3,
        "segment": [f"segment {number}" for number in range(900)],
        "sla": "inf",
    },
    {
        "preset": ["Custom", "Last 12 weeks"],
        "period": ["9999-12-31", "abc"],
        "channel": ["Referral", "nope"],
        "owner": [""],
        "segment": ["9" * 5000],
        "sla": "1e309",
    },
    {
        "preset": "",
        "period": ["0001-01-01"],
        "channel": ["\x00", "a=b=c"],
        "owner": ["$x$"],
        "segment": [":red[x]"],
        "sla": ["nan", "24"],
    },
]
# The conversion page's own choices in the link; the cohort ones show in Cohorts mode only.
CONVERSION_ROUNDS = [
    {"conversion_mode": "zzz"},
    {"conversion_mode": "Cohorts", "within_days": "inf", "cohort_grain": "yr", "cohort_stage": "x"},
    {"conversion_mode": "Cohorts", "within_days": "2.5", "cohort_grain": "", "cohort_stage": ""},
    {"conversion_mode": ["Cohorts", "x"], "within_days": "-5"},
]


def notice(at: AppTest) -> str:
    said = [unescaped(caption.value) for caption in at.sidebar.caption]
    return next((text for text in said if text.startswith(NOTICE)), "")


def expect_frame_drawn(at: AppTest, heading: str, has_tiles: bool) -> None:
    """No exception or error box, the page's heading, its numbers (tiles, or the cohort mode's
    charts), and the Reset button."""
    assert not at.exception, [exception.message for exception in at.exception]
    assert not at.error, [error.value for error in at.error]
    assert any(title.value.startswith(heading) for title in at.title)
    assert len(at.metric) + len(at.get("plotly_chart")) > 0 or not has_tiles
    assert at.button(key="reset_filters")


@pytest.mark.usefixtures("db_env")
@pytest.mark.parametrize(("path", "heading", "has_tiles"), PAGES, ids=[page for page, *_ in PAGES])
def test_every_page_draws_from_a_hostile_link_and_names_each_bad_value(path, heading, has_tiles):
    rounds = ROUNDS + (CONVERSION_ROUNDS if path == "pages/conversion.py" else [])
    for query in rounds:
        at = AppTest.from_file(str(REPO_ROOT / path), default_timeout=120)
        at.query_params.update(query)
        at.run()
        expect_frame_drawn(at, heading, has_tiles)
        said = notice(at)
        for key, value in query.items():
            if value != "Cohorts":  # the one good value, so the cohort widgets show
                assert f"{key} " in said, (key, query, said)
        assert len(said) < 1000, "one short line, however long the link"

    # Reset, which such a link broke too, brings the defaults back and the page still draws.
    at.button(key="reset_filters").click().run()
    expect_frame_drawn(at, heading, has_tiles)
    assert not set(filters.FILTER_KEYS) & set(at.query_params)


@pytest.mark.usefixtures("db_env")
@pytest.mark.parametrize("path", ["pages/follow_up.py", "pages/revenue.py", "pages/attribution.py"])
def test_a_link_to_a_view_with_nothing_in_it_still_says_what_it_changed(path):
    # A period after the data (read as its last day, when no Partner lead came in) and a
    # channel it lacks: the page has nothing to draw, and says so, and the line on what the
    # link changed is still there (st.stop() used to drop it).
    at = AppTest.from_file(str(REPO_ROOT / path), default_timeout=120)
    at.query_params.update(
        {"preset": "Custom", "period": ["2030-01-01", "2030-02-01"], "channel": ["Partner", "Nope"]}
    )
    at.run()
    assert not at.exception, [exception.message for exception in at.exception]
    said = notice(at)
    assert "period " in said and "channel " in said, said


@pytest.mark.usefixtures("db_env")
def test_a_link_with_dates_and_no_preset_means_those_dates():
    # ?period=2026-10-01&period=2026-10-31 alone: a person wrote the dates they want, so the
    # period is Custom with them (before, the default 12 weeks, and the dates vanished).
    at = AppTest.from_file(str(REPO_ROOT / "dashboard.py"), default_timeout=120)
    at.query_params.update({"period": ["2026-10-01", "2026-10-31"]})
    at.run()
    assert not at.exception
    assert at.selectbox(key="preset").value == "custom"
    assert at.date_input(key="period").value == (date(2026, 10, 1), date(2026, 10, 31))
    assert at.query_params["period"] == ["2026-10-01", "2026-10-31"]


@pytest.mark.usefixtures("db_env")
def test_a_good_link_to_the_cohort_window_is_read_without_a_notice():
    at = AppTest.from_file(str(REPO_ROOT / "pages/conversion.py"), default_timeout=120)
    at.query_params.update({"conversion_mode": "Cohorts", "within_days": "60"})
    at.run()
    assert at.number_input(key="within_days").value == 60
    assert notice(at) == ""
    assert at.query_params["within_days"] == "60"

    at.number_input(key="within_days").set_value(90).run()
    assert at.query_params["within_days"] == "90"


@pytest.mark.usefixtures("db_env")
def test_an_old_link_with_a_response_time_opens_and_says_the_agreement_decides():
    # Before agreements, ?sla= set the sidebar's response time; now no link can change it.
    at = AppTest.from_file(str(REPO_ROOT / "pages/follow_up.py"), default_timeout=120)
    at.query_params.update({"sla": "48", "channel": "Referral"})
    at.run()
    expect_frame_drawn(at, "Follow-up speed", True)
    said = notice(at)
    assert "sla '48': the response time now comes from the agreement" in said
    assert "sla" not in at.query_params
    assert at.multiselect(key="channel").value == ["Referral"]
