"""The dashboard in a real browser: Debian's Chromium, headless, driven by Playwright.

Shared by the browser tests (does every page draw for a person?) and the benchmark's
browser timings (benchmarks/browser.py): how Chromium is launched, a running
``streamlit run dashboard.py`` server, the JavaScript that watches a tab from inside, and the
locators for what both of them click and read.

Playwright is a development requirement, not a runtime one, so it is imported inside the
functions that need it: the app never loads this module, and ``skip_reason`` works without
Playwright installed.
"""

from __future__ import annotations

import importlib.util
import json
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
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, urlparse

from revcycle.paths import REPO_ROOT

if TYPE_CHECKING:
    from playwright.sync_api import (
        Browser,
        BrowserContext,
        Locator,
        Page,
        Playwright,
        StorageState,
    )

CHROMIUM = Path("/usr/bin/chromium")  # Debian's, never a browser Playwright downloads
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

# A bound, not a target: a server that has not answered by then is broken rather than slow.
SERVER_START_S = 120
# How often a starting server is asked whether it answers: a refused connection costs next to
# nothing, and every server start waited half this on average (a quarter second was 125 ms
# a start, a dozen starts a run).
HEALTH_POLL_S = 0.05
LOG_TAIL_LINES = 40

# What Streamlit shows for an uncaught exception, and the frame's st.error sentences.
ERROR_SELECTOR = '[data-testid="stException"], [data-testid="stAlertContentError"]'


class DashboardStartError(RuntimeError):
    """The dashboard's server stopped, or did not answer in time; the message ends with its log."""


def skip_reason() -> str | None:
    """Why the browser cannot be driven here, or None when it can."""
    if not CHROMIUM.exists():
        return f"{CHROMIUM} is missing (install it with: apt-get install -y chromium)"
    if importlib.util.find_spec("playwright") is None:
        return "Playwright is not installed (pip install -r requirements-dev.txt)"
    return None


def launch_chromium(playwright: Playwright) -> Browser:
    """Debian's Chromium, headless, with the flags a container without a GPU needs."""
    return playwright.chromium.launch(
        executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
    )


# CSS keyframe animations off, transitions kept (some widgets wait for a transition's end).
# Streamlit shimmers a grey skeleton where a widget's code is still loading: in headless
# Chromium, painted in software, that took about 4 of the 15 CPU seconds of a page load
# (measured from /proc per Chromium process, 2026-12-02). Nothing a test checks moves.
STILL_JS = """document.addEventListener('DOMContentLoaded', () => {
    const still = document.createElement('style');
    still.textContent = '*, *::before, *::after { animation: none !important; }';
    document.head.appendChild(still);
});"""


@contextmanager
def browser_context(
    browser: Browser, base_url: str, timeout_ms: float, animated: bool = False
) -> Iterator[BrowserContext]:
    """A context of its own (no cache, cookies or storage from any other) at the viewport's
    size; without animations (STILL_JS) unless ``animated``, as the benchmark's timings are."""
    context = browser.new_context(base_url=base_url, viewport=VIEWPORT)
    context.set_default_timeout(timeout_ms)
    if not animated:
        context.add_init_script(STILL_JS)
    try:
        yield context
    finally:
        context.close()


class SharedChromium:
    """One Chromium for a test process's browser files, started when a file asks for it.

    While Playwright's sync API is started, its asyncio loop counts as running in the thread
    between its calls: ``asyncio.run`` and another ``sync_playwright`` fail there. So the
    process stops it before a file that does not use it (``stop``; tests/conftest.py does it
    as such a test sets up) and starts it again for a browser file that comes later.
    """

    def __init__(self) -> None:
        self._playwright: Playwright | None = None
        self._chromium: Browser | None = None
        self._kept: KeptTab | None = None
        self.user: object = None  # the module of the last test that used it

    def chromium(self) -> Browser:
        if self._chromium is None:
            from playwright.sync_api import sync_playwright

            self._playwright = sync_playwright().start()
            self._chromium = launch_chromium(self._playwright)
        return self._chromium

    def kept_tab(self) -> KeptTab:
        if self._kept is None:
            self._kept = KeptTab(self.chromium())
        return self._kept

    def stop(self) -> None:
        if self._kept is not None:
            self._kept.close()
        if self._chromium is not None:
            self._chromium.close()
        if self._playwright is not None:
            self._playwright.stop()
        self._playwright = self._chromium = self._kept = self.user = None


class KeptTab:
    """One tab for every browser test file a process runs, their dashboards served on one port.

    A new tab, even a new page of another port in the same tab, runs a first page load in a
    new renderer without the app's compiled code: Chromium spent 3.7-4.1 CPU s on the overview
    in a new context, 3.0-3.3 in a kept tab on a new port, 1.7-1.8 in a kept tab on a new
    server at the same port (2026-12-06). So a file's dashboard takes ``port()`` and the file
    ``opened_on`` its URL: the tab comes without the cookies and stored data an earlier file
    left, which it checks (``forget``); what it keeps is the browser's cache of the app's code.
    """

    def __init__(self, chromium: Browser) -> None:
        self.chromium = chromium
        self.context: BrowserContext | None = None
        self.page: Page | None = None
        self._port = 0
        self._url = ""
        self._opened = False

    def port(self) -> int:
        """The port for the next dashboard: the kept one unless something else took it.
        Asked while a file has the tab open, it would end that file's tab: an error."""
        if self._opened:
            raise RuntimeError(
                "the kept tab is still open on a dashboard at its port: a test that starts a"
                " dashboard of its own there runs before its module's (first in its file)"
            )
        if self.context is None or not port_is_free(self._port):
            self.close()
            self._port = free_port()
        return self._port

    @contextmanager
    def opened_on(self, url: str, timeout_ms: float) -> Iterator[Page]:
        """The tab, at the viewport's size, on ``url`` (served on ``port()``), with nothing an
        earlier file stored; left on a page without the app's script, before the server ends."""
        if self.context is None or self.page is None:
            self.context = self.chromium.new_context(base_url=url, viewport=VIEWPORT)
            self.context.add_init_script(STILL_JS)
            self.page = self.context.new_page()
            self._url = url
        if url != self._url:
            raise ValueError(f"{url} is not served on the kept tab's port, {self._port}")
        self.forget(url)
        self.page.set_viewport_size(VIEWPORT)
        self.page.set_default_timeout(timeout_ms)
        self.page.set_extra_http_headers({})
        self._opened = True
        try:
            yield self.page
        finally:
            self._opened = False
            self.leave(url)

    def forget(self, url: str) -> None:
        """Clear cookies and stored data (every origin's), then check that none is left."""
        assert self.context is not None and self.page is not None
        self.context.clear_cookies()
        # Off any page of the app's (a test that failed may have left one talking to the
        # server), onto one of its origin without a script.
        self.page.goto(f"{url}/_stcore/health")
        cdp = self.context.new_cdp_session(self.page)
        try:
            for origin in {url, *(kept["origin"] for kept in self.stored()["origins"])}:
                cdp.send("Storage.clearDataForOrigin", {"origin": origin, "storageTypes": STORED})
        finally:
            cdp.detach()
        left = self.stored()
        if left["cookies"] or left["origins"]:
            raise RuntimeError(f"the kept tab still holds data of an earlier file: {left}")

    def stored(self) -> StorageState:
        """The cookies and every origin's local storage and IndexedDB the tab's context holds."""
        assert self.context is not None
        return self.context.storage_state(indexed_db=True)

    def leave(self, url: str) -> None:
        """Leave the app's page, so it stops talking to a server about to end; the same
        origin keeps the renderer."""
        from playwright.sync_api import Error

        assert self.page is not None
        try:
            self.page.goto(f"{url}/_stcore/health")
        except Error:  # the server is gone already: the test has said why
            self.page.goto("about:blank")

    def close(self) -> None:
        if self.context is not None:
            self.context.close()
        self.context = self.page = None


# What ``KeptTab.forget`` clears per origin (the HTTP cache, kept on purpose, is not listed);
# local_storage covers session storage as well (test_browser_sign_in.py checks both).
STORED = (
    "cookies,local_storage,indexeddb,websql,service_workers,cache_storage,file_systems,"
    "shared_storage,storage_buckets"
)


# --- the running dashboard ------------------------------------------------------------------


def log_tail(path: Path) -> str:
    """The last lines of a server's log, to say why a page or the server failed."""
    lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    return "\n".join(lines[-LOG_TAIL_LINES:])


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def port_is_free(port: int) -> bool:
    """Whether a server could listen on ``port`` now: bound as the dashboard's server binds,
    so the connections a stopped one left closing do not count."""
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
            probe.listen()
        except OSError:
            return False
        return True


def stop_process_group(server: subprocess.Popen) -> None:
    """End a server's whole process group (streamlit may have started children)."""
    for sig, grace_s in ((signal.SIGTERM, 10), (signal.SIGKILL, 5)):
        try:
            os.killpg(server.pid, sig)
        except ProcessLookupError:
            return
        try:
            server.wait(timeout=grace_s)
            return
        except subprocess.TimeoutExpired:
            continue


def wait_until_healthy(server: subprocess.Popen, health_url: str, log_path: Path) -> None:
    """Return once ``health_url`` answers 200; raise DashboardStartError if it never does."""
    deadline = time.monotonic() + SERVER_START_S
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise DashboardStartError(
                f"streamlit exited with code {server.returncode} before answering {health_url}"
                f"; its log ends:\n{log_tail(log_path)}"
            )
        try:
            with urllib.request.urlopen(health_url, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(HEALTH_POLL_S)
    raise DashboardStartError(
        f"{health_url} did not answer within {SERVER_START_S} s; its log ends:\n"
        f"{log_tail(log_path)}"
    )


@contextmanager
def running_dashboard(
    db_file: Path,
    log_path: Path,
    port: int | None = None,
    options: tuple[str, ...] = (),
    env: dict[str, str] | None = None,
) -> Iterator[str]:
    """``streamlit run dashboard.py`` over ``db_file``; its URL once healthy.

    On ``port`` (a free one if None), with Streamlit ``options`` (``--secrets.files`` …) and
    ``env`` added to this process's environment. The server's output goes to ``log_path``. The
    server opens ``db_file`` read-write, and DuckDB lets one process at a time do that: the
    caller must hold no connection to it.
    """
    port = port or free_port()
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
                *options,
            ],
            cwd=REPO_ROOT,
            env=os.environ | (env or {}) | {"REVCYCLE_DB": str(db_file)},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, so it can be ended whole
        )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_healthy(server, f"{url}/_stcore/health", log_path)
        yield url
    finally:
        stop_process_group(server)


# --- in the page ----------------------------------------------------------------------------


# Pictures of what the tests saw, for a person to look at, are taken only when asked: with
# REVCYCLE_SCREENSHOTS=1 in test-artifacts/, and with REVCYCLE_SCREENSHOT_DOCS=1 the README's
# in docs/ as well. A run takes about 35, and each cost about a CPU second of Chromium painting
# and encoding (test_browser.py: 91 CPU s with them, 77 without, 2026-12-03).
ARTIFACTS_DIR = REPO_ROOT / "test-artifacts"
DOCS_DIR = REPO_ROOT / "docs"


def screenshot(page: Page, name: str, *, whole_page: bool = True, in_docs: bool = False) -> None:
    """``name``.png of ``page`` in test-artifacts/ (and docs/, ``in_docs``) when asked for.

    ``whole_page``: the page's whole height at the window's width. Streamlit scrolls inside its
    main section, not the document, so Playwright's full_page alone stops at the window: the
    window is made as tall as the content for the shot, then restored. Otherwise the window
    as a person sees it.
    """
    folders = [ARTIFACTS_DIR] if os.environ.get("REVCYCLE_SCREENSHOTS") == "1" else []
    if in_docs and os.environ.get("REVCYCLE_SCREENSHOT_DOCS") == "1":
        folders.append(DOCS_DIR)
    if not folders:
        return
    from playwright.sync_api import expect

    # Widgets whose code loads lazily stand as grey skeletons until it has arrived.
    expect(page.get_by_test_id("stSkeleton")).to_have_count(0)
    window = page.viewport_size or VIEWPORT
    if whole_page:
        height = page.get_by_test_id("stMain").evaluate("main => main.scrollHeight")
        page.set_viewport_size({"width": window["width"], "height": max(height, window["height"])})
        # Two animation frames: the resized layout has been painted.
        page.evaluate(
            "() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))"
        )
    for folder in folders:
        folder.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=folder / f"{name}.png", full_page=whole_page)
    if whole_page:  # a window left as it was needs no resize, and its page no new layout
        page.set_viewport_size(window)


def settled(page: Page) -> None:
    """Wait until the server has finished running the page's script (Streamlit marks its root
    ``data-test-script-state``), so what is on screen is what that run drew."""
    from playwright.sync_api import expect

    app = page.get_by_test_id("stApp")
    expect(app).to_have_attribute("data-test-script-state", "notRunning")


def open_tab(page: Page, label: str, param: str | None) -> None:
    """Open the page's tab ``label`` as a person does, and wait for the run that opening it
    starts (a tab in the link reruns the page, writing ``?tab=param``, or taking ``tab`` out
    when ``param`` is None) to end: a click on the page while that run redraws it is lost."""
    from playwright.sync_api import expect

    page.get_by_role("tab", name=label).click()
    expect(page.get_by_role("tab", name=label)).to_have_attribute("aria-selected", "true")
    linked = rf"[?&]tab={param}(&|$)" if param else r"^(?!.*[?&]tab=)"
    expect(page).to_have_url(re.compile(linked))
    settled(page)


def tile(page: Page, label: str) -> Locator:
    """The value shown on the KPI tile ``label``."""
    name = page.get_by_test_id("stMetricLabel").get_by_text(label, exact=True)
    return page.get_by_test_id("stMetric").filter(has=name).get_by_test_id("stMetricValue")


def channels_filter(page: Page) -> Locator:
    """The sidebar's Channels multiselect."""
    sidebar = page.get_by_test_id("stSidebar")
    return sidebar.get_by_test_id("stMultiSelect").filter(has_text="Channels")


def remove_channel_button(page: Page, channel: str) -> Locator:
    """The button on a chosen ``channel`` in the Channels filter; it is there once chosen."""
    return channels_filter(page).get_by_role("button", name=f"Remove {channel}")


def choose_channel(page: Page, channel: str) -> None:
    """Add ``channel`` to the sidebar's Channels filter, as a person typing it does.

    Typed, then Enter: on a busy machine a pointer click on an option in the open list is
    sometimes shown as chosen but never sent to the server (Streamlit's list, not ours; seen
    1 time in 8 under load, before and after the frame moved to pages/). The keyboard path
    was sent every time in the same conditions.
    """
    box = channels_filter(page).locator("input")
    box.click()
    box.press_sequentially(channel)
    page.get_by_role("option", name=channel, exact=True).wait_for()
    box.press("Enter")
    page.wait_for_url(lambda url: channel in parse_qs(urlparse(url).query).get("channel", []))
    # Close the list, as a person moving on would (and so a screenshot shows the page).
    page.keyboard.press("Escape")
    remove_channel_button(page, channel).wait_for(state="visible")


# Added to a tab before it opens a page: notes in ``window.revcycleLoad``, in ms since the
# navigation began, the first animation frame after the server's script run ended
# (``scriptDoneAt``), and the first in which a KPI tile is shown and every chart has drawn its
# SVG (``drawnAt``; their code loads lazily, Plotly's is several MB). An error box ends the
# watch too (``failedAt``), so a broken page fails at once instead of timing out.
LOAD_WATCH_JS = (
    """(() => {
    const load = window.revcycleLoad = {};
    const scriptState = () =>
        document.querySelector('[data-testid="stApp"]')?.dataset.testScriptState;
    const drawn = () => {
        const charts = [...document.querySelectorAll('[data-testid="stPlotlyChart"]')];
        return document.querySelector('[data-testid="stMetric"]') !== null
            && document.querySelector('[data-testid="stSkeleton"]') === null
            && charts.length > 0
            && charts.every(chart => chart.querySelector('.main-svg') !== null);
    };
    const check = now => {
        // A run seen running, or its tiles drawn on this new document: a warm run's start and
        // end can reach the page within one frame, never seen running.
        if (scriptState() === 'running' || document.querySelector('[data-testid="stMetric"]'))
            load.ran = true;
        if (load.ran && scriptState() === 'notRunning') {
            load.scriptDoneAt ??= now;
            if (drawn()) return (load.drawnAt = now);
            if (document.querySelector(ERRORS) !== null) return (load.failedAt = now);
        }
        requestAnimationFrame(check);
    };
    requestAnimationFrame(check);
})();"""
).replace("ERRORS", json.dumps(ERROR_SELECTOR))

# Evaluated with [label, before] just before a filter change: notes in
# ``window.revcycleTileWatch`` the last press of a pointer (``changedAt``; the option chosen,
# opening the list is an earlier press) and the first animation frame in which the tile
# ``label`` shows a value other than ``before`` (``shownAt``), and that value (``shown``).
# Both clocks are the page's performance.now(). The press listener goes once the value is seen.
WATCH_NEW_VALUE_JS = """([label, before]) => {
    const watch = window.revcycleTileWatch = {};
    // The last press before the new value counts: a pointer press, or the Enter that picks a
    // typed option.
    const pressed = event => { watch.changedAt = event.timeStamp; };
    const entered = event => { if (event.key === 'Enter') pressed(event); };
    addEventListener('pointerdown', pressed, {capture: true});
    addEventListener('keydown', entered, {capture: true});
    const shown = () => {
        for (const metric of document.querySelectorAll('[data-testid="stMetric"]')) {
            const name = metric.querySelector('[data-testid="stMetricLabel"]');
            if (name?.innerText.trim() === label) {
                return metric.querySelector('[data-testid="stMetricValue"]')?.innerText.trim();
            }
        }
        return undefined;
    };
    const check = now => {
        const value = shown();
        if (watch.changedAt !== undefined && value !== undefined && value !== before) {
            removeEventListener('pointerdown', pressed, {capture: true});
            removeEventListener('keydown', entered, {capture: true});
            watch.shownAt = now;
            watch.shown = value;
            return;
        }
        requestAnimationFrame(check);
    };
    requestAnimationFrame(check);
}"""

# True once no script run is in progress and the page is drawn (every chart has its SVG) or
# shows an error box: the state a next step may start from.
SETTLED_JS = (
    """() => {
    const state = document.querySelector('[data-testid="stApp"]')?.dataset.testScriptState;
    const charts = [...document.querySelectorAll('[data-testid="stPlotlyChart"]')];
    return state === 'notRunning' && (
        document.querySelector(ERRORS) !== null
        || (document.querySelector('[data-testid="stSkeleton"]') === null
            && charts.every(chart => chart.querySelector('.main-svg') !== null))
    );
}"""
).replace("ERRORS", json.dumps(ERROR_SELECTOR))
