"""A real Chromium against a running dashboard: every page draws its tiles and charts for a
person, the sidebar filters change what a page shows, from the URL or from a click, and they
follow a person from page to page and into a shared link.

Launching Chromium, the server, the in-page watches and the locators for tiles and filters are
tests/support/browser.py's, which the benchmark's browser timings use too. Expected numbers are
tests/sample_facts.py's, worked out from the sample CSVs with the csv module, never read back
from the app's own queries. How long a page takes to draw is measured and written to
test-artifacts/filter-latency.txt, never asserted.
"""

import csv
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from urllib.parse import quote, urlencode, urlsplit

import pytest
from playwright.sync_api import (
    Locator,
    Page,
    expect,
)
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from tests import sample_facts
from tests.conftest import copy_database
from tests.support import browser
from tests.support.browser import (
    VIEWPORT,
    KeptTab,
    choose_channel,
    remove_channel_button,
    tile,
)

pytestmark = pytest.mark.browser

TIMINGS_FILE = browser.ARTIFACTS_DIR / "filter-latency.txt"

FIRST_RENDER_MS = 90_000  # a fresh server's first session builds the database from the sample
RENDER_MS = 30_000
NO_DATA_TEXT = "No leads or deals match these filters"
# Every expectation waits for the app's state up to this long, never for a fixed time: on a
# busy machine the lazily loaded widget code (tiles, charts) can take seconds to arrive.
expect.set_options(timeout=RENDER_MS)


# --- Expected values, from the sample exports -------------------------------------------------


def expected_leads_tile(channel: str | None = None) -> str:
    """The Leads tile for the default period: leads created in it (of ``channel``), "2,563"."""
    return f"{sample_facts.count_leads(channel):,}"


def expected_never_contacted_tile(channel: str | None = None) -> str:
    """The Never contacted tile for the default period: leads with no first contact, "1,234"."""
    return f"{sample_facts.count_never_contacted(channel):,}"


def expected_won_revenue_tile(channel: str | None = None) -> str:
    """The Won revenue tile for the default period, to the cent: "€666,723.86"."""
    return f"€{sample_facts.won_revenue_cents(channel) / 100:,.2f}"


# --- The pages --------------------------------------------------------------------------------


@dataclass(frozen=True)
class AppPage:
    """A page as a person meets it, and one tile on it whose value the sample fixes."""

    path: str  # the URL path st.Page derives from the file name; "" for the default page
    link: str  # its name in the sidebar navigation
    heading: str
    tile: str
    expected: Callable[[str | None], str]  # the tile's value for one channel, or for all

    @property
    def name(self) -> str:
        """The page's file name: its screenshots are saved as <name>.png."""
        return self.path or "overview"

    def url(self, **query: str) -> str:
        return f"/{self.path}" + (f"?{urlencode(query, quote_via=quote)}" if query else "")


OVERVIEW = AppPage("", "Overview", "The revenue cycle", "Leads", expected_leads_tile)
CONVERSION = AppPage(
    "conversion", "Conversion by source", "Conversion by source", "Leads", expected_leads_tile
)
FOLLOW_UP = AppPage(
    "follow_up",
    "Follow-up speed",
    "Follow-up speed",
    "Never contacted",
    expected_never_contacted_tile,
)
REVENUE = AppPage(
    "revenue", "Revenue by channel", "Revenue by channel", "Won revenue", expected_won_revenue_tile
)
PAGES = (OVERVIEW, CONVERSION, FOLLOW_UP, REVENUE)
# The upload page draws the filters too, but no tile the sample fixes.
UPLOAD = AppPage("upload", "Upload exports", "Upload exports", "", lambda channel: "")


# --- The running dashboard and the browser ----------------------------------------------------

# Each running dashboard's log, by its URL: a page showing an error says what the server logged.
_SERVER_LOGS: dict[str, Path] = {}


@contextmanager
def running_dashboard(workdir: Path, port: int | None = None) -> Iterator[str]:
    """`streamlit run dashboard.py` on ``port`` (a free one if None) over
    ``workdir``/revcycle.duckdb (built from the sample on the first visit if there is none
    yet); its URL."""
    log_path = workdir / "streamlit.log"
    with browser.running_dashboard(workdir / "revcycle.duckdb", log_path, port) as url:
        _SERVER_LOGS[url] = log_path
        try:
            yield url
        finally:
            del _SERVER_LOGS[url]


@pytest.fixture(scope="module")
def dashboard(kept_tab: KeptTab, sample_db_file: Path, tmp_path_factory) -> Iterator[Page]:
    """A tab on the dashboard over a copy of the sample database, once it has drawn the
    overview: the server has opened its database and the browser has the app's code, as a
    person's would, so the tests' timeouts and timings are about the pages. The tab watches
    every page it opens from then on (browser.LOAD_WATCH_JS).

    The copy is the database the server would build from the sample exports on a first start
    (``test_shared_link_to_a_page_works_on_a_fresh_server`` has it do so); building it once
    per worker instead of once per server saves the build."""
    # kept_tab comes first so a missing browser skips before the server is started.
    workdir = tmp_path_factory.mktemp("dashboard")
    with (
        sample_dashboard(kept_tab, sample_db_file, workdir, OVERVIEW) as tab,
        tab.add_init_script(browser.LOAD_WATCH_JS),  # taken off as the module ends
    ):
        yield tab


@contextmanager
def sample_dashboard(
    kept_tab: KeptTab, sample_db_file: Path, workdir: Path, first_page: AppPage
) -> Iterator[Page]:
    """The process's kept tab on a dashboard over a copy of the sample database in
    ``workdir``, once it has drawn ``first_page``.

    The module's tests share the tab: each opens its page in it, a new document and so a
    Streamlit session of its own. A tab kept open keeps its renderer process and the code it
    compiled: a page load there cost 2.4-3.9 CPU s against 5.5-6.5 s in a new tab (the sample's
    pages, measured 2026-12-03), and the files after the first keep it too (KeptTab)."""
    copy_database(sample_db_file, workdir / "revcycle.duckdb")
    with (
        running_dashboard(workdir, kept_tab.port()) as url,
        kept_tab.opened_on(url, RENDER_MS) as tab,
    ):
        open_page(tab, first_page, timeout=FIRST_RENDER_MS)
        yield tab


@pytest.fixture
def page(dashboard: Page) -> Page:
    """The module's tab at the usual window size, for the test to open its page in."""
    dashboard.set_viewport_size(VIEWPORT)
    return dashboard


@pytest.fixture
def fresh_page(kept_tab: KeptTab, tmp_path: Path) -> Iterator[Page]:
    """The kept tab on a dashboard server of its own that no session has opened yet, at the
    tab's port: so a test using it runs before the module's ``dashboard`` takes the port."""
    with (
        running_dashboard(tmp_path, kept_tab.port()) as url,
        kept_tab.opened_on(url, RENDER_MS) as tab,
    ):
        yield tab


@pytest.fixture(scope="module")
def timings(pytestconfig) -> Iterator[dict[str, float]]:
    """Milliseconds by what was timed; written to TIMINGS_FILE and shown once the module ends."""
    measured: dict[str, float] = {}
    yield measured
    if not measured:
        return
    # The filter change first: it is the number the file is named after.
    order = sorted(measured, key=lambda what: not what.startswith("filter change"))
    lines = [f"{what}: {measured[what]:.0f} ms" for what in order]
    TIMINGS_FILE.parent.mkdir(parents=True, exist_ok=True)
    TIMINGS_FILE.write_text("\n".join(lines) + "\n", encoding="utf-8")
    # Printed past pytest's output capture, so a passing run shows the numbers too.
    capture = pytestconfig.pluginmanager.get_plugin("capturemanager")
    terminal = pytestconfig.pluginmanager.get_plugin("terminalreporter")
    if capture is not None and terminal is not None:
        with capture.global_and_fixture_disabled():
            terminal.write_line("")
            terminal.write_sep("-", f"browser timings, also in {TIMINGS_FILE.name}")
            for line in lines:
                terminal.write_line(line)


# --- Page helpers -----------------------------------------------------------------------------


def open_page(page: Page, app_page: AppPage, timeout: float = RENDER_MS, **query: str) -> None:
    """Open ``app_page`` with ``query`` in the URL and wait until its script has finished."""
    page.goto(app_page.url(**query))
    wait_for_page(page, app_page, timeout)


def wait_for_page(page: Page, app_page: AppPage, timeout: float = RENDER_MS) -> None:
    """Wait until ``app_page``'s heading is up and its script has finished without an error."""
    heading = page.get_by_role("heading", name=app_page.heading, level=1)
    # An error box ends the wait at once: the page it replaces will not come.
    expect(heading.or_(error_boxes(page)).first).to_be_visible(timeout=timeout)
    wait_for_script(page, timeout)
    assert_no_error_shown(page)
    expect(heading).to_be_visible()


def follow_sidebar_link(page: Page, app_page: AppPage) -> None:
    """Click ``app_page``'s link in the sidebar and wait until that page has been drawn."""
    page.get_by_test_id("stSidebar").get_by_role("link", name=app_page.link, exact=True).click()
    # The address bar changes first; the heading then tells the new page from the old one.
    expect(page).to_have_url(re.compile(rf"/{re.escape(app_page.path)}(\?|$)"))
    wait_for_page(page, app_page)


def wait_for_script(page: Page, timeout: float = RENDER_MS) -> None:
    """Wait until Streamlit reports that no script run is in progress."""
    expect(page.get_by_test_id("stApp")).to_have_attribute(
        "data-test-script-state", "notRunning", timeout=timeout
    )


def error_boxes(page: Page) -> Locator:
    """What Streamlit shows for an uncaught exception, and the frame's st.error sentences."""
    return page.locator(browser.ERROR_SELECTOR)


def assert_no_error_shown(page: Page) -> None:
    errors = error_boxes(page)
    if errors.count():
        origin = "{0.scheme}://{0.netloc}".format(urlsplit(page.url))
        log_path = _SERVER_LOGS.get(origin)
        pytest.fail(
            f"{page.url} shows an error: {errors.all_inner_texts()}\n"
            + (f"The server's log ends:\n{browser.log_tail(log_path)}" if log_path else ""),
            pytrace=False,
        )


def expect_channel_chosen(page: Page, app_page: AppPage, channel: str) -> None:
    """The sidebar shows ``channel`` chosen and the address bar carries it, on ``app_page``."""
    expect(remove_channel_button(page, channel)).to_be_visible()
    in_url = re.escape(quote(channel)).replace("%20", "(%20|\\+)")
    expect(page).to_have_url(
        re.compile(rf"/{re.escape(app_page.path)}\?(.*&)?channel={in_url}(&|$)")
    )


def expect_drawn_without_errors(page: Page) -> None:
    """KPI tiles, every chart drawn as SVG, and no exception or error box."""
    expect(page.get_by_test_id("stMetric").first).to_be_visible()
    # Widgets whose code loads lazily stand as grey skeletons until it has arrived.
    expect(page.get_by_test_id("stSkeleton")).to_have_count(0)
    charts = page.get_by_test_id("stPlotlyChart")
    expect(charts.locator(".main-svg").first).to_be_visible()
    # Charts in tabs not shown are drawn too, so every one of them must have its SVG.
    expect(charts.filter(has_not=page.locator(".main-svg"))).to_have_count(0)
    assert_no_error_shown(page)


def time_tile_change(page: Page, change: Callable[[], None], label: str, expected: str) -> float:
    """Milliseconds from the pointer press in ``change`` to tile ``label`` showing a new value,
    which must be ``expected``: the clock stops on the answer, not on a value in between."""
    before = tile(page, label).inner_text().strip()
    page.evaluate(browser.WATCH_NEW_VALUE_JS, [label, before])
    change()
    expect(tile(page, label)).to_have_text(expected)
    wait_for_script(page)
    page.wait_for_function("() => window.revcycleTileWatch.shownAt !== undefined")
    watch = page.evaluate("window.revcycleTileWatch")
    assert watch["shown"] == expected, f"the {label} tile showed {watch['shown']!r} first"
    return watch["shownAt"] - watch["changedAt"]


# --- Tests: every page ------------------------------------------------------------------------


# First in the file: its server takes the kept tab's port before the module's dashboard does.
def test_shared_link_to_a_page_works_on_a_fresh_server(fresh_page: Page):
    # Streamlit's older multipage mode ran a page opened by its URL without the frame, so the
    # link came up with no filters in the sidebar.
    trade_show = expected_won_revenue_tile("Trade show")
    assert trade_show != expected_won_revenue_tile(), "the sample must make the filter visible"

    open_page(fresh_page, REVENUE, timeout=FIRST_RENDER_MS, channel="Trade show")

    sidebar = fresh_page.get_by_test_id("stSidebar")
    expect(sidebar.get_by_role("heading", name="Filters")).to_be_visible()
    # The frame ran: its navigation lists every page, the four here and Upload exports, and
    # every link carries the filter.
    for app_page in (*PAGES, UPLOAD):
        link = sidebar.get_by_role("link", name=app_page.link, exact=True)
        expect(link).to_have_attribute("href", re.compile(r"[?&]channel=Trade(\+|%20)show(&|$)"))
    expect_channel_chosen(fresh_page, REVENUE, "Trade show")
    expect_drawn_without_errors(fresh_page)
    expect(tile(fresh_page, "Won revenue")).to_have_text(trade_show)
    browser.screenshot(fresh_page, "revenue-shared-link")


@pytest.mark.parametrize("app_page", PAGES, ids=lambda app_page: app_page.name)
def test_page_draws_tiles_and_charts_without_errors(
    page: Page, app_page: AppPage, timings: dict[str, float]
):
    open_page(page, app_page)

    expect_drawn_without_errors(page)
    # A drawn trace, not just an empty Plotly canvas.
    expect(page.locator(".js-plotly-plot .main-svg .trace").first).to_be_visible()
    expect(tile(page, app_page.tile)).to_have_text(app_page.expected(None))

    page.wait_for_function("() => window.revcycleLoad.drawnAt !== undefined")
    load = page.evaluate("window.revcycleLoad")
    first_load = f"first load (warm server) {app_page.url()}"
    timings[f"{first_load} -> script finished"] = load["scriptDoneAt"]
    timings[f"{first_load} -> tiles and charts drawn"] = load["drawnAt"]
    browser.screenshot(page, app_page.name, in_docs=True)

    # The same page on a laptop screen: only the layout changes, so the page is not loaded again.
    expect_nothing_cut_off_at_1280_by_720(page, app_page)


def test_chosen_channel_follows_every_sidebar_link(page: Page):
    open_page(page, OVERVIEW)
    choose_channel(page, "Referral")
    expect_channel_chosen(page, OVERVIEW, "Referral")
    wait_for_script(page)

    # Straight to the revenue page first, then around the rest of the navigation, the upload
    # page (which draws the filters too) included.
    for app_page in (REVENUE, CONVERSION, UPLOAD, FOLLOW_UP, OVERVIEW):
        follow_sidebar_link(page, app_page)
        expect_channel_chosen(page, app_page, "Referral")
        if app_page is UPLOAD:
            continue
        expect_drawn_without_errors(page)
        expect(tile(page, app_page.tile)).to_have_text(app_page.expected("Referral"))
        if app_page is REVENUE:
            browser.screenshot(page, "revenue-referral")


def test_a_tables_csv_download_adds_up_to_the_deals_export_to_the_cent(page: Page, tmp_path):
    # The CSV is written when the button is clicked; it keeps the amounts as numbers, so the
    # won revenue of all channels, and of Trade show, is the deals export's to the cent.
    open_page(page, REVENUE)
    # By its key: the page has a Download CSV button under every table.
    button = page.locator(".st-key-revenue_by_channel_download button")
    with page.expect_download() as download:
        button.click()
    assert download.value.suggested_filename == "revcycle-revenue-by-channel.csv"
    path = tmp_path / download.value.suggested_filename
    download.value.save_as(path)
    with path.open(encoding="utf-8-sig", newline="") as rows:
        won = {row["Channel"]: row["Won revenue (€)"] for row in csv.DictReader(rows)}
    for channel in ("(all channels)", "Trade show"):
        expected = sample_facts.won_revenue_cents(None if channel.startswith("(") else channel)
        assert round(Decimal(won[channel]) * 100) == expected, channel


def test_reset_on_one_page_holds_on_the_next(page: Page):
    open_page(page, CONVERSION, channel="Referral")
    expect_channel_chosen(page, CONVERSION, "Referral")
    page.get_by_test_id("stSidebar").get_by_role("button", name="Reset filters").click()
    expect(remove_channel_button(page, "Referral")).to_have_count(0)
    expect(page).to_have_url(re.compile(r"/conversion$"))
    follow_sidebar_link(page, REVENUE)
    expect(remove_channel_button(page, "Referral")).to_have_count(0)
    expect(tile(page, REVENUE.tile)).to_have_text(REVENUE.expected(None))


# A chosen value in the sidebar whose text its chip cuts off ("Paid social (not a le…").
CUT_CHIPS_JS = """() => [...document.querySelectorAll(
    "[data-testid='stSidebar'] [data-testid='stMultiSelectTagsContainer'] [data-tag] > span")]
    .filter(text => text.scrollWidth > text.clientWidth || text.scrollHeight > text.clientHeight)
    .map(text => text.textContent)"""


def test_a_chosen_channel_shows_its_whole_name_in_the_sidebar(page: Page):
    # The sample's Paid social has spend and no lead: its option reads "Paid social (not a
    # lead source)", longer than a chip in the sidebar of a laptop screen.
    page.set_viewport_size({"width": 1280, "height": 720})
    open_page(page, OVERVIEW, channel="Paid social")
    name = "Paid social (not a lead source)"
    sidebar = page.get_by_test_id("stSidebar")
    expect(sidebar.get_by_role("button", name=f"Remove {name}")).to_be_visible()
    assert page.evaluate(CUT_CHIPS_JS) == []


def chart_title(page: Page, text: str) -> Locator:
    """A Plotly chart's title, drawn in its SVG."""
    return page.locator(".gtitle", has_text=text)


def test_a_link_to_a_tab_opens_on_it_and_opening_another_takes_it_out_of_the_link(page: Page):
    # Follow-up's "By owner" tab was the browser's alone: a link could not open on it.
    open_page(page, FOLLOW_UP, tab="owner", channel="Referral")
    expect(page.get_by_role("tab", name="By owner")).to_have_attribute("aria-selected", "true")
    expect(chart_title(page, "Hours to first contact by owner")).to_be_visible()
    expect(chart_title(page, "Hours to first contact by channel")).to_be_hidden()
    expect(page).to_have_url(re.compile(r"[?&]tab=owner(&|$)"))

    page.get_by_role("tab", name="By channel").click()
    # The first tab is the default, left out of the link; the filter stays.
    expect(page).to_have_url(re.compile(r"/follow_up\?channel=Referral$"))
    expect(chart_title(page, "Hours to first contact by channel")).to_be_visible()
    expect(chart_title(page, "Hours to first contact by owner")).to_be_hidden()


# --- Tests: the overview's filters ------------------------------------------------------------


def test_channel_chosen_in_sidebar_redraws_the_tiles_and_its_link_shows_the_same(
    page: Page, timings: dict[str, float]
):
    # A channel no other test chooses on this server, so its queries are not cached yet.
    channel = "Paid search"
    unfiltered, filtered = expected_leads_tile(), expected_leads_tile(channel)
    assert filtered != unfiltered, "the sample must make the filter visible"
    open_page(page, OVERVIEW)
    expect(tile(page, "Leads")).to_have_text(unfiltered)

    timings["filter change -> new KPI visible"] = time_tile_change(
        page, lambda: choose_channel(page, channel), "Leads", filtered
    )
    # The choice is mirrored in the address bar, so the link reproduces the view.
    expect_channel_chosen(page, OVERVIEW, channel)
    link = page.url
    browser.screenshot(page, "overview-channel-sidebar")

    remove = remove_channel_button(page, channel)
    timings["filter change back, cached -> new KPI visible"] = time_tile_change(
        page, remove.click, "Leads", unfiltered
    )

    # The link alone, in a new session of the same tab, shows the same view.
    page.goto(link)
    wait_for_page(page, OVERVIEW)
    expect(tile(page, "Leads")).to_have_text(filtered)
    expect_channel_chosen(page, OVERVIEW, channel)
    browser.screenshot(page, "overview-channel-link")


def test_filters_matching_nothing_say_so(page: Page):
    # Deals without a lead carry the deal's owner, and every sample deal names one, so no row
    # is both "(no lead)" and "(unassigned)"; leads with no owner exist, so both are options.
    assert sample_facts.count_deals_without_owner() == 0
    assert sample_facts.count_leads(owner="(unassigned)", period=(date.min, date.max)) > 0

    open_page(page, OVERVIEW, channel="(no lead)", owner="(unassigned)")
    # The sidebar took both values from the URL, so the combination is what matches nothing.
    sidebar = page.get_by_test_id("stSidebar")
    expect(sidebar.get_by_role("button", name="Remove (no lead)")).to_be_visible()
    expect(sidebar.get_by_role("button", name="Remove (unassigned)")).to_be_visible()

    expect(page.get_by_text(NO_DATA_TEXT)).to_be_visible()
    expect(page.get_by_test_id("stMetric")).to_have_count(0)
    browser.screenshot(page, "overview-no-data")


# --- Tests: a laptop screen -------------------------------------------------------------------

LAPTOP = {"width": 1280, "height": 720}

# True once every table on view has drawn its grid (a table in a tab not shown, or in a closed
# expander, draws none).
TABLES_DRAWN_JS = """() => [...document.querySelectorAll('[data-testid="stDataFrame"]')]
    .filter(table => table.offsetParent !== null && !table.closest('details:not([open])'))
    .every(table => table.querySelector('.dvn-scroller') !== null)"""

# What does not fit its box: tile values (any part of one wider than its box is cut off with
# "…") and tables (a grid wider than its box hides its last columns behind a scroll bar).
CUT_OFF_JS = """() => {
    const cut = element => element.scrollWidth > element.clientWidth;
    const tiles = [...document.querySelectorAll('[data-testid="stMetricValue"]')]
        .filter(value => [value, ...value.querySelectorAll('*')].some(cut))
        .map(value => value.innerText);
    const tables = [...document.querySelectorAll('[data-testid="stDataFrame"] .dvn-scroller')]
        .filter(cut)
        .map(grid => `${grid.scrollWidth} px of columns in ${grid.clientWidth} px`);
    return {tiles, tables};
}"""


# True once nothing is cut off, so a resized page is judged after its tables have reflowed.
NOTHING_CUT_OFF_JS = (
    f"() => {{ const cut = ({CUT_OFF_JS})(); return !cut.tiles.length && !cut.tables.length; }}"
)


def expect_nothing_cut_off_at_1280_by_720(page: Page, app_page: AppPage) -> None:
    """No tile value or table column of ``app_page``, drawn, is cut off in a 1280x720 window.

    The window is narrowed from the wider one the page was drawn in: tiles are laid out by CSS
    and the tables' grids measure their box again on a resize, so nothing is kept from the
    wider layout (a grid keeping its wider columns would show as cut off, not hide it).
    """
    page.set_viewport_size(LAPTOP)
    if app_page is OVERVIEW:
        # The widest value of the sample's tiles, a quarter of the page wide: "€2,466,216".
        expect(tile(page, "Won revenue")).to_have_text(expected_won_revenue_tile())
    page.wait_for_function(TABLES_DRAWN_JS)
    try:
        page.wait_for_function(NOTHING_CUT_OFF_JS, timeout=RENDER_MS / 3)
    except PlaywrightTimeoutError:
        pass  # the assertion below names what is cut off
    assert page.evaluate(CUT_OFF_JS) == {"tiles": [], "tables": []}
    browser.screenshot(page, f"{app_page.name}-1280x720")


def test_reset_after_changing_every_filter_in_the_sidebar_brings_back_the_defaults(page: Page):
    page.set_viewport_size(LAPTOP)
    open_page(page, OVERVIEW)
    sidebar = page.get_by_test_id("stSidebar")
    # Each filter changed as a person does it: a preset picked from its list, a channel typed
    # and picked; each change waits for the address bar to carry it.
    sidebar.get_by_test_id("stSelectbox").click()
    page.get_by_role("option", name="Last 4 weeks", exact=True).click()
    page.wait_for_url(re.compile(r"[?&]preset=Last(\+|%20)4(\+|%20)weeks"))
    wait_for_script(page)
    choose_channel(page, "Referral")
    wait_for_script(page)
    expect(tile(page, "Leads")).not_to_have_text(expected_leads_tile())

    sidebar.get_by_role("button", name="Reset filters").click()

    expect(page).to_have_url(re.compile(r"/$"))
    expect(tile(page, "Leads")).to_have_text(expected_leads_tile())
    expect(remove_channel_button(page, "Referral")).to_have_count(0)
    # The default preset's dates, under the Period box.
    start, end = sample_facts.default_period()
    expect(sidebar.get_by_text(f"{start:%d %b %Y} – {end:%d %b %Y}", exact=True)).to_be_visible()
    # The reset holds on the next run: a later change starts from the defaults.
    choose_channel(page, "Email")
    expect(page).to_have_url(re.compile(r"/\?channel=Email$"))
