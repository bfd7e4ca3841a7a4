"""Text that renders, in a real browser: a database holding the injection corpus
(tests/support/injection.py: names that are Markdown or HTML links and images, all pointing at a
listener this test runs on 127.0.0.1) is served by the dashboard, and Chromium visits every page.

Three things must hold: no request reaches the listener, no link or image to it is in any page,
and every name shows whole in the page's text (in a heading, a legend, a facet title, a table
cell) or, where a chart cuts a long name to fit (a legend, an axis), in the chart's hover. The
AppTest side, which checks what each page hands to Streamlit, is tests/test_safe_text.py.
"""

import http.server
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.parse import quote, urlencode

import pytest
from playwright.sync_api import Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from revcycle.ui.format import WORD_JOINER
from tests.conftest import write_export
from tests.support import browser, injection

pytestmark = pytest.mark.browser

FIRST_RENDER_MS = 120_000
RENDER_MS = 60_000
expect.set_options(timeout=RENDER_MS)  # wait for the app's state, however busy the machine


@dataclass
class Listener:
    """An HTTP server on 127.0.0.1 that counts what reaches it: any request is a name rendered."""

    port: int = 0
    requests: list[str] = field(default_factory=list)


@pytest.fixture(scope="module")
def listener() -> Iterator[Listener]:
    heard = Listener()

    class Count(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (http.server's name)
            heard.requests.append(self.path)
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):  # quiet: the count is the report
            return

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Count)
    heard.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield heard
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def visit(kept_tab: browser.KeptTab, listener, tmp_path_factory) -> Iterator[tuple]:
    """A tab on a dashboard over the corpus, and the corpus."""
    workdir = tmp_path_factory.mktemp("injection")
    corpus = injection.build_database(workdir / "revcycle.duckdb", listener.port, write_export)
    with (
        browser.running_dashboard(
            workdir / "revcycle.duckdb", workdir / "streamlit.log", kept_tab.port()
        ) as url,
        kept_tab.opened_on(url, RENDER_MS) as tab,
    ):
        yield tab, corpus


def open_drawn(page: Page, path: str, heading: str, query: dict, timeout: float) -> None:
    """Open ``path`` and wait until it has drawn: heading, script done, every chart's SVG."""
    page.goto(f"/{path}" + (f"?{urlencode(query, doseq=True, quote_via=quote)}" if query else ""))
    title = page.get_by_role("heading", level=1).filter(has_text=heading)
    expect(title.or_(page.locator(browser.ERROR_SELECTOR)).first).to_be_visible(timeout=timeout)
    page.wait_for_function(browser.SETTLED_JS, timeout=timeout)
    assert page.locator(browser.ERROR_SELECTOR).count() == 0, page.url


# Every element with an address (a link, an image, an SVG link in a Plotly figure, a source
# set) whose address leads to the listener. The sidebar's own links carry the filters, the
# corpus's names among them, in their query: they lead to the dashboard, so they are fine.
TO_LISTENER_JS = """port => [...document.querySelectorAll('*')].flatMap(element =>
    ['href', 'src', 'xlink:href', 'srcset', 'action', 'poster', 'data']
        .map(name => element.getAttribute(name))
        .filter(address => {
            if (!address) return false;
            try { return new URL(address, location.href).host === `127.0.0.1:${port}`; }
            catch { return false; }
        })
        .map(() => element.outerHTML.slice(0, 200)))"""


def expect_nothing_rendered(page: Page, port: int) -> None:
    """No element leads to the listener: no name became a link or an image."""
    assert page.evaluate(TO_LISTENER_JS, port) == []


# The characters of a name that a chart cutting it to fit still shows (a legend keeps 25).
SHOWN_START = 20


def wait_for_text(page: Page, names: list[str], timeout: float) -> str:
    """The page's whole text once it holds the start of every name (tables fill in after the
    script ends), as a reader gets it: without the invisible word joiners ``format.plain`` puts
    in links; with the charts' hover labels when a name is not in it whole (a chart cut it to
    fit, keeping its start: waiting for the whole name there took the whole timeout)."""
    shows_all = """([names, joiner, start]) => names.every(
        name => document.body.textContent.replaceAll(joiner, '').includes(name.slice(0, start)))"""
    try:
        arg = [names, WORD_JOINER, SHOWN_START]
        page.wait_for_function(shows_all, arg=arg, timeout=timeout)
    except PlaywrightTimeoutError:
        pass  # the hover labels, then the assertion below names what is missing
    text = page.locator("body").text_content().replace(WORD_JOINER, "")
    if cut := [name for name in names if name not in text]:
        text += hover_labels(page, cut)
    missing = [name for name in names if name not in text]
    assert not missing, f"not shown whole on {page.url}: {missing}"
    return text


# A chart's bars, a group per trace (a channel), and the hover label Plotly draws for one.
TRACES = '[data-testid="stPlotlyChart"] g.trace.bars'
MARKS = "g.point path"
LABELS = "g.hoverlayer g.hovertext"
HOVER_MS = 5_000


def hover_labels(page: Page, names: list[str]) -> str:
    """The text of hover labels as the browser shows them, where a chart cuts a long name:
    one bar of each trace (a channel) is hovered in turn, until every one of ``names`` has
    shown (hovering every bar of every week took a minute a page). Plotly draws a label a
    moment after the pointer moves: each is awaited, once the last is gone."""
    labels = []
    for trace in page.locator(TRACES).all():
        visible = [mark for mark in trace.locator(MARKS).all() if mark.is_visible()]
        if not visible:  # a chart in a tab not shown, a trace of no height
            continue
        visible[0].scroll_into_view_if_needed()
        box = visible[0].bounding_box()
        page.mouse.move(0, 0)  # off every chart, so the last label goes
        expect(page.locator(LABELS)).to_have_count(0, timeout=HOVER_MS)
        page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        try:
            expect(page.locator(LABELS).first).to_be_visible(timeout=HOVER_MS)
        except AssertionError:
            continue  # no label here: the assertion on the names says what is missing
        labels += page.locator(LABELS).all_text_contents()
        if all(name in " | ".join(labels) for name in names):
            break
    page.mouse.move(0, 0)
    return " | ".join(labels)


# path, heading, extra query, which names it shows: channels (and owners), the currency, files
VISITS = [
    ("", "The revenue cycle", {}, ("names", "currency")),
    ("conversion", "Conversion by source", {}, ("names",)),
    (
        "conversion",
        "Conversion by source",
        {"conversion_mode": "Cohorts", "within_days": "7"},
        ("names",),
    ),
    ("follow_up", "Follow-up speed", {}, ("names",)),
    ("revenue", "Revenue by channel", {}, ("names", "currency")),
    ("upload", "Upload exports", {}, ("file_names",)),
]


@pytest.mark.parametrize(
    ("path", "heading", "query", "shown"),
    VISITS,
    ids=[f"{path or 'overview'}{'-cohorts' if query else ''}" for path, _, query, _ in VISITS],
)
def test_every_page_shows_the_corpus_as_text(visit, listener, path, heading, query, shown):
    page, corpus = visit
    open_drawn(page, path, heading, query, FIRST_RENDER_MS)

    expected = {
        "names": corpus.names,
        "currency": [corpus.currency],
        "file_names": corpus.file_names,
    }
    wait_for_text(page, [name for kind in shown for name in expected[kind]], RENDER_MS)
    expect_nothing_rendered(page, listener.port)
    assert listener.requests == []


# A heading names three of a filter's values and counts the rest: the corpus's eight names in
# three visits, each choosing at most three as channels, owners and segments alike.
HEADING_NAMES = (slice(0, 3), slice(3, 6), slice(6, 8))


@pytest.mark.parametrize("chosen", HEADING_NAMES, ids=["first", "second", "third"])
def test_a_heading_and_the_filters_name_the_corpus_as_text(visit, listener, chosen):
    page, corpus = visit
    names = corpus.names[chosen]
    three = {"channel": names, "owner": names, "segment": names}
    open_drawn(page, "follow_up", "Follow-up speed", three, RENDER_MS)

    wait_for_text(page, names, RENDER_MS)
    heading = page.get_by_role("heading", level=1).text_content().replace(WORD_JOINER, "")
    assert not [name for name in names if name not in heading], heading
    expect_nothing_rendered(page, listener.port)
    assert listener.requests == []


def test_a_link_full_of_markup_is_named_as_text(visit, listener):
    page, _ = visit
    port = listener.port
    hostile = {
        "channel": [f"![x](http://127.0.0.1:{port}/link-img)", "www.example.com"],
        "preset": f"<img src=http://127.0.0.1:{port}/link-h>",
        "sla": "inf",
    }
    open_drawn(page, "revenue", "Revenue by channel", hostile, RENDER_MS)

    # The notice quotes each value it left out.
    wait_for_text(page, [*hostile["channel"], hostile["preset"], "sla 'inf'"], RENDER_MS)
    expect_nothing_rendered(page, port)
    expect(page.locator("a[href*='example.com']")).to_have_count(0)
    assert listener.requests == []
