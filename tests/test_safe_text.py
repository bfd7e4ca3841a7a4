"""Text that renders: channel, owner, segment, currency and file names from uploads are shown
as text on every page, never as Markdown or as Plotly's HTML.

Every page runs under AppTest over a database holding the injection corpus
(tests/support/injection.py). What a page hands to an element that renders Markdown (titles,
captions, alerts, tiles) must carry no name unescaped; what it hands to Plotly must carry no
"<" of a name; and every name must still show whole somewhere on the page, escaped signs read
back as the reader sees them. The real browser's side is tests/test_browser_injection.py.
"""

import html
import json
from collections.abc import Iterator

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from revcycle.paths import REPO_ROOT
from revcycle.ui import charts
from tests.conftest import copy_database, write_export
from tests.support import injection
from tests.test_upload_page import upload_files

PORT = 9  # nothing listens here: AppTest renders nothing, it only keeps what pages hand over
# page, whether it shows amounts (so the currency)
PAGES = [
    ("dashboard.py", True),
    ("pages/conversion.py", False),
    ("pages/follow_up.py", False),
    ("pages/revenue.py", True),
    ("pages/upload.py", False),
]
# Elements whose text Streamlit renders as Markdown.
MARKDOWN_ELEMENTS = (
    "title",
    "header",
    "subheader",
    "markdown",
    "caption",
    "info",
    "warning",
    "error",
    "success",
)


@pytest.fixture(scope="module")
def corpus_db(tmp_path_factory) -> tuple:
    path = tmp_path_factory.mktemp("corpus") / "revcycle.duckdb"
    return path, injection.build_database(path, PORT, write_export)


@pytest.fixture
def corpus(corpus_db, monkeypatch) -> injection.Corpus:
    path, corpus = corpus_db
    monkeypatch.setenv("REVCYCLE_DB", str(path))
    return corpus


def markdown_texts(at: AppTest) -> Iterator[str]:
    """Every Markdown source a page handed to Streamlit, tiles' labels and values included."""
    for kind in MARKDOWN_ELEMENTS:
        yield from (element.value for element in getattr(at, kind))
    for metric in at.metric:
        yield from (metric.label, metric.value)


def figure_texts(at: AppTest) -> Iterator[str]:
    """Every string in every Plotly figure on the page, as Plotly reads it (HTML and all)."""

    def strings(value) -> Iterator[str]:
        if isinstance(value, str):
            yield value
        elif isinstance(value, dict):
            for item in value.values():
                yield from strings(item)
        elif isinstance(value, list):
            for item in value:
                yield from strings(item)

    for chart in at.get("plotly_chart"):
        yield from strings(json.loads(chart.proto.spec))


def shown_texts(at: AppTest) -> set[str]:
    """The page's text as a reader gets it: Markdown unescaped, figures' entities decoded,
    table cells and choice lists as they are."""
    shown = {injection.unescaped(text) for text in markdown_texts(at)}
    shown |= {html.unescape(text) for text in figure_texts(at)}
    for frame in at.dataframe:
        shown |= {str(cell) for cell in frame.value.to_numpy().ravel()}
        shown |= {str(column) for column in frame.value.columns}
    for choice in [*at.selectbox, *at.multiselect]:
        shown |= {str(option) for option in choice.options}
    return shown


def expect_names_as_text(at: AppTest, names: list[str]) -> None:
    """No name reaches Markdown or Plotly unescaped; each one shows whole."""
    assert not at.exception, [exception.message for exception in at.exception]
    for text in markdown_texts(at):
        assert not [name for name in names if name in text], text
    for text in figure_texts(at):
        assert "<a " not in text.lower() and "<img" not in text.lower(), text
    shown = " | ".join(shown_texts(at))
    assert not [name for name in names if name not in shown], shown[:2000]


def open_page(path: str, **query) -> AppTest:
    at = AppTest.from_file(str(REPO_ROOT / path), default_timeout=120)
    at.query_params.update(query)
    return at.run()


@pytest.mark.parametrize(("path", "shows_amounts"), PAGES, ids=[path for path, _ in PAGES])
def test_every_page_shows_uploaded_names_as_text(corpus, path, shows_amounts):
    # Filtered by every name, so the heading and the sidebar name them too.
    at = open_page(path, channel=corpus.names, owner=corpus.names, segment=corpus.names)
    expect_names_as_text(at, corpus.names + ([corpus.currency] if shows_amounts else []))
    if path == "pages/upload.py":
        shown = " | ".join(shown_texts(at))
        assert not [name for name in corpus.file_names if name not in shown]


def test_cohorts_warn_of_low_volume_channels_as_text(corpus):
    at = open_page("pages/conversion.py", conversion_mode="Cohorts", within_days="7")
    (warning,) = at.warning
    assert "Fewer than 30 mature leads" in warning.value
    expect_names_as_text(at, corpus.names)


def test_the_markov_warning_names_thin_channels_as_text(corpus):
    at = open_page("pages/attribution.py", preset="All time")
    [warning] = [w for w in at.warning if "data-driven (Markov)" in w.value]
    assert "too few to say" in warning.value  # it names the channels in few journeys
    expect_names_as_text(at, corpus.names)


def test_the_roi_markov_warning_names_thin_channels_as_text(corpus):
    at = open_page("pages/revenue.py", preset="All time", roi_model="markov")
    warnings = [w.value for w in at.warning if "data-driven (Markov) credit" in w.value]
    assert warnings and "too few to say" in warnings[0]
    expect_names_as_text(at, corpus.names)


def test_facet_titles_are_channel_names_as_text_cut_only_past_a_line(corpus):
    # Plotly Express cut "a=b=c" at "=". A name past 30 characters is cut to fit its panel,
    # here within its long "word" (a link's markup): its first 29 characters and "…".
    at = open_page("pages/conversion.py")
    (funnels,) = [
        json.loads(chart.proto.spec)
        for chart in at.get("plotly_chart")
        if "annotations" in json.loads(chart.proto.spec)["layout"]
    ]
    titles = {annotation["text"] for annotation in funnels["layout"]["annotations"]}
    whole = {charts.as_text(name) for name in corpus.names if len(name) <= 30}
    cut = {charts.as_text(name[:29]) + "…" for name in corpus.names if len(name) > 30}
    assert len(cut) == 1 and titles == whole | cut
    # Each panel's bars carry the whole name, which their hover shows.
    assert {trace["name"] for trace in funnels["data"]} == {
        charts.as_text(name) for name in corpus.names
    }


def test_a_legend_keeps_a_channel_name_with_a_comma():
    weeks = pd.DataFrame(
        {
            "week_start": pd.to_datetime(["2026-11-02", "2026-11-02"]),
            "channel": ["Events, fairs", "Web"],
            "count_leads": [3, 2],
            "is_partial_week": [False, False],
        }
    )
    colors = {"Events, fairs": "#000000", "Web": "#ffffff"}
    figure = charts.trend_by_channel(weeks, "count_leads", "New leads", "leads", colors)
    assert {trace.name for trace in figure.data} == {"Events, fairs", "Web"}


def test_an_uploaded_file_name_is_shown_as_text(corpus_db, tmp_path, monkeypatch):
    # A load changes the database: this test loads into a copy of its own.
    monkeypatch.setenv("REVCYCLE_DB", str(copy_database(corpus_db[0], tmp_path / "own.duckdb")))
    name = "**bold** [click](http:\\\\127.0.0.1:9\\l) $x$.csv"
    export = "lead_id,created_at,channel\nN1,2026-11-12 09:00,source a\n"
    at = open_page("pages/upload.py")
    upload_files(at, (name, export))
    expect_names_as_text(at, [name])
    at.button(key="upload_commit").click().run()
    expect_names_as_text(at, [name])
    assert any(name in injection.unescaped(success.value) for success in at.success)
