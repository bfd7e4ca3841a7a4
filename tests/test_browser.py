"""A real Chromium against a running dashboard: the overview draws its tiles and charts for a
person, and the sidebar filters change what it shows, from the URL or from a click.

Expected numbers are worked out here from the sample CSVs with the csv module, never read back
from the app's own queries.
"""

import csv
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from functools import cache
from pathlib import Path
from urllib.parse import quote, urlencode

import pytest
from playwright.sync_api import Browser, Locator, Page, expect, sync_playwright

pytestmark = pytest.mark.browser

REPO_ROOT = Path(__file__).resolve().parents[1]
LEADS_CSV = REPO_ROOT / "data" / "sample" / "leads.csv"
DEALS_CSV = REPO_ROOT / "data" / "sample" / "deals.csv"
CHANNEL_RULES_CSV = REPO_ROOT / "data" / "channel_rules.csv"
ARTIFACTS_DIR = REPO_ROOT / "test-artifacts"
DOCS_SCREENSHOT = REPO_ROOT / "docs" / "overview.png"

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT = {"width": 1400, "height": 1000}

DEFAULT_PERIOD_DAYS = 12 * 7  # the sidebar's default period: the last 12 weeks, ends included
SERVER_START_SECONDS = 90
FIRST_RENDER_MS = 90_000  # the first session builds the database from the sample exports
RENDER_MS = 30_000
NO_DATA_TEXT = "No leads or deals match these filters"


# --- Expected values, from the sample exports -------------------------------------------------


def _rows(path: Path) -> list[dict]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _at(text: str) -> datetime | None:
    return datetime.fromisoformat(text.strip()) if text.strip() else None


def _source_key(source: str) -> str:
    """A lead-source value as channel_rules.csv is matched: runs of non-alphanumerics -> "_"."""
    return re.sub(r"[^A-Za-z0-9]+", "_", source.strip()).lower()


def _is_won(deal: dict) -> bool:
    flag = deal["is_won"].strip().lower()
    if flag:
        return flag in ("true", "t", "1")
    return deal["stage"].strip().lower() in ("closed won", "won")  # blank flag: the stage says


@cache
def _sample() -> tuple[list[dict], list[dict], dict[str, str]]:
    rules = {
        _source_key(rule["source"]): rule["channel"].strip()
        for rule in _rows(CHANNEL_RULES_CSV)
        if rule["source"].strip()
    }
    return _rows(LEADS_CSV), _rows(DEALS_CSV), rules


def _last_data_date() -> date:
    """The last day with a funnel event, as queries/metrics/data_period.sql defines it.

    Events: a lead created, a lead's first deal created, a lead's first deal won; a deal that
    no lead explains (by lead_id, else the earliest lead with its email) counts on its own.
    A lead's later deals are not events, so this is not simply the newest date in deals.csv.
    """
    leads, deals, _ = _sample()
    lead_ids = {lead["lead_id"].strip() for lead in leads}
    first_lead_by_email: dict[str, str] = {}
    for lead in sorted(leads, key=lambda lead: _at(lead["created_at"])):
        if email := lead["email"].strip().lower():
            first_lead_by_email.setdefault(email, lead["lead_id"].strip())
    first_deal_at: dict[str, datetime] = {}
    first_won_at: dict[str, datetime] = {}
    for deal in deals:
        lead_id = deal["lead_id"].strip()
        if lead_id not in lead_ids:
            lead_id = first_lead_by_email.get(deal["email"].strip().lower(), deal["deal_id"])
        created_at, closed_at = _at(deal["created_at"]), _at(deal["closed_at"])
        first_deal_at[lead_id] = min(created_at, first_deal_at.get(lead_id, created_at))
        if _is_won(deal) and closed_at:
            first_won_at[lead_id] = min(closed_at, first_won_at.get(lead_id, closed_at))
    events = [_at(lead["created_at"]) for lead in leads]
    return max(events + list(first_deal_at.values()) + list(first_won_at.values())).date()


def expected_leads_tile(channel: str | None = None) -> str:
    """The Leads tile for the default period: leads created in it (of ``channel``), "2,563"."""
    leads, _, rules = _sample()
    last_date = _last_data_date()
    first_date = last_date - timedelta(days=DEFAULT_PERIOD_DAYS - 1)

    def channel_of(lead: dict) -> str:
        source = lead["channel"].strip()
        return rules.get(_source_key(source), "(unmapped)") if source else "(unknown)"

    count = sum(
        1
        for lead in leads
        if first_date <= _at(lead["created_at"]).date() <= last_date
        and (channel is None or channel_of(lead) == channel)
    )
    return f"{count:,}"


# --- The running dashboard and the browser ----------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _log_tail(path: Path, lines: int = 40) -> str:
    return "\n".join(path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])


def _wait_until_healthy(server: subprocess.Popen, health_url: str, log_path: Path) -> None:
    deadline = time.monotonic() + SERVER_START_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(
                f"streamlit exited with code {server.returncode} before answering "
                f"{health_url}:\n{_log_tail(log_path)}",
                pytrace=False,
            )
        try:
            with urllib.request.urlopen(health_url, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.5)
    pytest.fail(
        f"{health_url} did not answer within {SERVER_START_SECONDS} s:\n{_log_tail(log_path)}",
        pytrace=False,
    )


def _stop(server: subprocess.Popen) -> None:
    """End the server's whole process group (streamlit may have started children)."""
    for sig, grace_seconds in ((signal.SIGTERM, 10), (signal.SIGKILL, 5)):
        try:
            os.killpg(server.pid, sig)
        except ProcessLookupError:
            return
        try:
            server.wait(timeout=grace_seconds)
            return
        except subprocess.TimeoutExpired:
            continue


@pytest.fixture(scope="module")
def chromium() -> Iterator[Browser]:
    """Debian's Chromium, headless, driven by Playwright (never a downloaded browser)."""
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} is missing (install it with: apt-get install -y chromium)"
        if os.environ.get("CI"):
            pytest.fail(f"{reason}; CI must run the browser tests, not skip them", pytrace=False)
        pytest.skip(reason)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def dashboard_url(tmp_path_factory) -> Iterator[str]:
    """`streamlit run dashboard.py` on a free port, over a fresh database built from the sample."""
    workdir = tmp_path_factory.mktemp("dashboard")
    port = _free_port()
    log_path = workdir / "streamlit.log"
    with log_path.open("wb") as log:
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "streamlit",
                "run",
                "dashboard.py",
                "--server.headless",
                "true",
                "--server.port",
                str(port),
                "--server.address",
                "127.0.0.1",
            ],
            cwd=REPO_ROOT,
            env=os.environ | {"REVCYCLE_DB": str(workdir / "revcycle.duckdb")},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, so teardown can end all of it
        )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_healthy(server, f"{url}/_stcore/health", log_path)
        yield url
    finally:
        _stop(server)


@pytest.fixture
def page(chromium: Browser, dashboard_url: str) -> Iterator[Page]:
    # chromium comes first so a missing browser skips before the server is started.
    context = chromium.new_context(base_url=dashboard_url, viewport=VIEWPORT)
    context.set_default_timeout(RENDER_MS)
    yield context.new_page()
    context.close()


# --- Page helpers -----------------------------------------------------------------------------


def open_overview(page: Page, **query: str) -> None:
    """Open the overview with ``query`` in the URL and wait until the script has finished."""
    page.goto("/" + (f"?{urlencode(query, quote_via=quote)}" if query else ""))
    expect(page.get_by_role("heading", name="The revenue cycle")).to_be_visible(
        timeout=FIRST_RENDER_MS
    )
    wait_for_script(page)


def wait_for_script(page: Page) -> None:
    """Wait until Streamlit reports that no script run is in progress."""
    expect(page.get_by_test_id("stApp")).to_have_attribute(
        "data-test-script-state", "notRunning", timeout=FIRST_RENDER_MS
    )


def leads_tile(page: Page) -> Locator:
    """The value shown on the "Leads" KPI tile."""
    label = page.get_by_test_id("stMetricLabel").get_by_text("Leads", exact=True)
    return page.get_by_test_id("stMetric").filter(has=label).get_by_test_id("stMetricValue")


def save_screenshot(page: Page, *paths: Path) -> None:
    """A screenshot of the whole page at the viewport's width.

    Streamlit scrolls inside its main section, not the document, so full_page alone stops at
    the viewport: the viewport is made as tall as the content for the shot, then restored.
    """
    # Widgets whose code loads lazily stand as grey skeletons until it has arrived.
    expect(page.get_by_test_id("stSkeleton")).to_have_count(0)
    height = page.get_by_test_id("stMain").evaluate("main => main.scrollHeight")
    page.set_viewport_size({"width": VIEWPORT["width"], "height": max(height, VIEWPORT["height"])})
    # Two animation frames: the resized layout has been painted.
    page.evaluate(
        "() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))"
    )
    for path in paths:
        path.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=path, full_page=True)
    page.set_viewport_size(VIEWPORT)


# --- Tests ------------------------------------------------------------------------------------


def test_overview_shows_kpi_tiles_and_drawn_charts(page: Page):
    open_overview(page)

    expect(page.get_by_test_id("stMetric").first).to_be_visible()
    # A drawn trace, not just an empty Plotly canvas.
    expect(page.locator(".js-plotly-plot .main-svg .trace path").first).to_be_visible()
    expect(leads_tile(page)).to_have_text(expected_leads_tile())

    docs = [DOCS_SCREENSHOT] if os.environ.get("REVCYCLE_SCREENSHOT_DOCS") == "1" else []
    save_screenshot(page, ARTIFACTS_DIR / "overview.png", *docs)


def test_channel_in_url_filters_leads_tile(page: Page):
    referral = expected_leads_tile("Referral")
    assert referral != expected_leads_tile(), "the sample must make the Referral filter visible"

    open_overview(page, channel="Referral")

    expect(leads_tile(page)).to_have_text(referral)
    save_screenshot(page, ARTIFACTS_DIR / "overview-referral.png")


def test_channel_chosen_in_sidebar_matches_url_view(page: Page):
    unfiltered = expected_leads_tile()
    open_overview(page)
    expect(leads_tile(page)).to_have_text(unfiltered)

    sidebar = page.get_by_test_id("stSidebar")
    sidebar.get_by_test_id("stMultiSelect").filter(has_text="Channels").click()
    page.get_by_role("option", name="Referral", exact=True).click()
    page.keyboard.press("Escape")  # close the dropdown so the screenshot shows the page
    expect(leads_tile(page)).not_to_have_text(unfiltered)
    wait_for_script(page)
    chosen_in_sidebar = leads_tile(page).inner_text()
    # The choice is mirrored in the address bar, so the link reproduces the view.
    expect(page).to_have_url(re.compile(r"[?&]channel=Referral(&|$)"))
    save_screenshot(page, ARTIFACTS_DIR / "overview-referral-sidebar.png")

    open_overview(page, channel="Referral")
    expect(leads_tile(page)).to_have_text(chosen_in_sidebar)
    assert chosen_in_sidebar == expected_leads_tile("Referral")


def test_filters_matching_nothing_say_so(page: Page):
    # Deals without a lead carry the deal's owner, and every sample deal names one, so no row
    # is both "(no lead)" and "(unassigned)"; leads with no owner exist, so both are options.
    leads, deals, _ = _sample()
    assert all(deal["owner"].strip() for deal in deals)
    assert any(not lead["owner"].strip() for lead in leads)

    open_overview(page, channel="(no lead)", owner="(unassigned)")
    # The sidebar took both values from the URL, so the combination is what matches nothing.
    sidebar = page.get_by_test_id("stSidebar")
    expect(sidebar.get_by_role("button", name="Remove (no lead)")).to_be_visible()
    expect(sidebar.get_by_role("button", name="Remove (unassigned)")).to_be_visible()

    expect(page.get_by_text(NO_DATA_TEXT)).to_be_visible()
    expect(page.get_by_test_id("stMetric")).to_have_count(0)
    save_screenshot(page, ARTIFACTS_DIR / "overview-no-data.png")
