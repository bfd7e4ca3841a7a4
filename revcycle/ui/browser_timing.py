"""The benchmark's browser part: how long a person waits, in Chromium, for the dashboard.

``time_browser`` starts ``streamlit run dashboard.py`` on a database file, drives Debian's
Chromium (headless, through Playwright) against it and times, with clocks read inside the page:
the first load of the overview, cold and on reload, and the channel filter changing the Leads
tile, uncached and cached. It measures and says what went wrong in the row it was measuring;
it asserts nothing. The technique is tests/test_browser.py's (the same Chromium flags, the
same animation-frame watches); the JavaScript is repeated here because revcycle/ does not
import from tests/.

Playwright is a development requirement, not a runtime one, so it is imported inside the
functions that drive the browser: the app never loads this module, and ``skip_reason`` works
without Playwright installed.
"""

from __future__ import annotations

import importlib.util
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from revcycle.paths import REPO_ROOT

if TYPE_CHECKING:
    from playwright.sync_api import Locator, Page

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [  # as tests/test_browser.py launches it
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT = {"width": 1400, "height": 1000}
TILE = "Leads"  # the overview tile a channel filter changes

# Bounds, not targets: generous enough for 1M leads on a slow shared machine, so a wait that
# runs out means something is broken rather than slow.
SERVER_START_S = 120
FIRST_LOAD_TIMEOUT_MS = 180_000  # the cold load imports the page's libraries and runs queries
STEP_TIMEOUT_MS = 120_000
LOG_TAIL_LINES = 30

ERROR_SELECTOR = '[data-testid="stException"], [data-testid="stAlertContentError"]'

# Added to a tab before it opens a page: notes, in ms since the navigation began, the first
# animation frame after the server's script run ended, and the first in which a KPI tile is
# shown and every chart has drawn its SVG (their code loads lazily, Plotly's is several MB).
# An error box ends the watch too, so a broken page fails at once instead of timing out.
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
        if (scriptState() === 'running') load.ran = true;
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

# Started just before a filter change: notes the last press of a pointer (the option chosen;
# opening the list is an earlier press) and the first animation frame in which the tile
# ``label`` shows a value other than ``before``, and that value. Both clocks are the page's
# performance.now(). The press listener goes once the new value is seen.
WATCH_NEW_VALUE_JS = """([label, before]) => {
    const watch = window.revcycleTileWatch = {};
    const pressed = event => { watch.changedAt = event.timeStamp; };
    addEventListener('pointerdown', pressed, {capture: true});
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


class BrowserStepError(RuntimeError):
    """A timed step could not be measured; the message says why, in a sentence."""


# --- rows -----------------------------------------------------------------------------------


@dataclass
class BrowserRow:
    """One kind of browser timing: its times in ms, what it spans, what went wrong."""

    label: str
    note: str
    ms: list[float] = field(default_factory=list)
    script_done_ms: list[float] = field(default_factory=list)  # first loads only
    failures: list[str] = field(default_factory=list)

    def markdown(self) -> str:
        times = "—"  # no run got as far as being timed
        if len(self.ms) == 1:
            times = f"{self.ms[0]:,.1f} (once)"
        elif self.ms:
            times = f"{min(self.ms):,.1f} / {statistics.median(self.ms):,.1f}"
        note = f"{self.note}; {len(self.ms)} run{'s' if len(self.ms) != 1 else ''}"
        if self.script_done_ms:
            script_done = statistics.median(self.script_done_ms)
            note += f"; the server's script run had ended at {script_done:,.0f} ms (median)"
        if self.failures:
            note = "**failed**: " + "; ".join(dict.fromkeys(self.failures)) + ". " + note
        # No target is named for these; the column keeps the report's tables alike.
        return f"| {self.label} | {times} | — | {note} |"


@dataclass
class BrowserRun:
    rows: list[BrowserRow]
    browser_version: str
    channels: list[str]

    @property
    def failed(self) -> bool:
        return any(row.failures for row in self.rows)


def browser_report(run: BrowserRun | None, skipped: str | None = None) -> list[str]:
    """The browser timings as markdown lines, a table of their own; or why there are none."""
    lines = ["### Browser (Chromium, headless)", ""]
    if run is None:
        return [*lines, f"Skipped: {skipped}.", ""]
    return [
        *lines,
        "| browser timing | best / median ms | target | note |",
        "|---|---:|---|---|",
        *[row.markdown() for row in run.rows],
        "",
    ]


def skip_reason() -> str | None:
    """Why the browser part cannot run here, or None when it can."""
    if not CHROMIUM.exists():
        return f"{CHROMIUM} is missing (install it with: apt-get install -y chromium)"
    if importlib.util.find_spec("playwright") is None:
        return "Playwright is not installed (pip install -r requirements-dev.txt)"
    return None


# --- the running dashboard ------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _log_tail(path: Path) -> str:
    lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    return "\n".join(lines[-LOG_TAIL_LINES:])


def _stop(server: subprocess.Popen) -> None:
    """End the server's whole process group (streamlit may have started children)."""
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


@contextmanager
def running_dashboard(db_file: Path, log_path: Path) -> Iterator[str]:
    """``streamlit run dashboard.py`` on a free port over ``db_file``; its URL once healthy.

    The server opens ``db_file`` read-write, and DuckDB lets one process at a time do that:
    the caller must hold no connection to it.
    """
    port = _free_port()
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
            env=os.environ | {"REVCYCLE_DB": str(db_file)},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, so _stop can end all of it
        )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_healthy(server, f"{url}/_stcore/health", log_path)
        yield url
    finally:
        _stop(server)


def _wait_until_healthy(server: subprocess.Popen, health_url: str, log_path: Path) -> None:
    deadline = time.monotonic() + SERVER_START_S
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise BrowserStepError(
                f"streamlit exited with code {server.returncode} before answering {health_url}"
                f"; its log ends:\n{_log_tail(log_path)}"
            )
        try:
            with urllib.request.urlopen(health_url, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.25)
    raise BrowserStepError(
        f"{health_url} did not answer within {SERVER_START_S} s; the log ends:\n"
        f"{_log_tail(log_path)}"
    )


# --- steps in the page ----------------------------------------------------------------------


def _tile(page: Page, label: str) -> Locator:
    name = page.get_by_test_id("stMetricLabel").get_by_text(label, exact=True)
    return page.get_by_test_id("stMetric").filter(has=name).get_by_test_id("stMetricValue")


def _channels_filter(page: Page) -> Locator:
    sidebar = page.get_by_test_id("stSidebar")
    return sidebar.get_by_test_id("stMultiSelect").filter(has_text="Channels")


def _raise_if_error_shown(page: Page) -> None:
    errors = page.locator(ERROR_SELECTOR)
    if errors.count():
        raise BrowserStepError(f"the page shows an error: {errors.all_inner_texts()}")


def _settle(page: Page) -> None:
    """Wait until no script run is in progress and the page is drawn; fail on an error box."""
    page.wait_for_function(SETTLED_JS, timeout=STEP_TIMEOUT_MS)
    _raise_if_error_shown(page)


def _load_ms(row: BrowserRow, page: Page, navigate: Callable[[], object], timeout_ms: float):
    """Navigate; the ms from navigation start to the page drawn (LOAD_WATCH_JS must be an init
    script of the tab). Notes when the script run ended on ``row``."""
    navigate()
    page.wait_for_function(
        "() => window.revcycleLoad?.drawnAt !== undefined"
        " || window.revcycleLoad?.failedAt !== undefined",
        timeout=timeout_ms,
    )
    _raise_if_error_shown(page)
    load = page.evaluate("window.revcycleLoad")
    if load.get("drawnAt") is None:
        raise BrowserStepError("the page's script ended without drawing tiles and charts")
    row.script_done_ms.append(load["scriptDoneAt"])
    return load["drawnAt"]


def _choose_channel(page: Page, channel: str) -> None:
    """Add ``channel`` to the sidebar's Channels filter, as a person does."""
    _channels_filter(page).click()
    page.get_by_role("option", name=channel, exact=True).click()
    page.keyboard.press("Escape")  # close the list, as a person moving on would


def _remove_channel(page: Page, channel: str) -> None:
    _channels_filter(page).get_by_role("button", name=f"Remove {channel}").click()


def _time_tile_change(page: Page, change: Callable[[], None]) -> float:
    """Milliseconds from the pointer press in ``change`` to the Leads tile showing a new value.

    The value seen first must be the one the page settles on: a value in between would mean
    the clock stopped on something a person would not call the answer.
    """
    before = _tile(page, TILE).inner_text().strip()
    page.evaluate(WATCH_NEW_VALUE_JS, [TILE, before])
    change()
    page.wait_for_function(
        "() => window.revcycleTileWatch.shownAt !== undefined"
        f" || document.querySelector({json.dumps(ERROR_SELECTOR)}) !== null",
        timeout=STEP_TIMEOUT_MS,
    )
    _settle(page)
    watch = page.evaluate("window.revcycleTileWatch")
    settled = _tile(page, TILE).inner_text().strip()
    if watch["shown"] != settled:
        raise BrowserStepError(
            f"the {TILE} tile first showed {watch['shown']!r}, then settled on {settled!r}"
        )
    return watch["shownAt"] - watch["changedAt"]


def _measure(row: BrowserRow, step: Callable[[], float]) -> bool:
    """Run ``step`` and add its ms to ``row``; on failure note why there and return False."""
    from playwright.sync_api import Error as PlaywrightError

    try:
        row.ms.append(step())
    except (BrowserStepError, PlaywrightError) as error:  # the row fails, the part goes on
        first_line = (str(error).strip().splitlines() or [""])[0]
        row.failures.append(f"{type(error).__name__}: {first_line}".rstrip(": "))
        return False
    return True


# --- the whole part -------------------------------------------------------------------------


@dataclass
class _Rows:
    cold: BrowserRow
    warm: BrowserRow
    miss: BrowserRow
    back: BrowserRow
    again: BrowserRow

    @classmethod
    def new(cls, channels: list[str]) -> _Rows:
        load = "navigation start → first frame with KPI tiles shown and every Plotly chart drawn"
        change = f"pointer press on the option → first frame with a new {TILE} value"
        return cls(
            BrowserRow(
                "overview first load, cold (new server, first visit)",
                f"{load}; a new server and browser context per run: no cached query or app "
                "code, and the server's first script run imports the page's libraries",
            ),
            BrowserRow(
                "overview first load, warm (reload)",
                f"{load}; the same tab reloaded: a new session on a warm server, app code "
                "in the browser's cache",
            ),
            BrowserRow(
                "channel filter: a channel chosen for the first time (uncached)",
                f"{change}; one run per channel: {', '.join(channels)}",
            ),
            BrowserRow(
                "channel filter: the channel removed, back to all channels (cached)",
                f"{change.replace('the option', 'its remove button')}; after every choice",
            ),
            BrowserRow(
                "channel filter: a channel chosen again (cached)",
                f"{change}; the same channels a second time",
            ),
        )

    def all(self) -> list[BrowserRow]:
        return [self.cold, self.warm, self.miss, self.back, self.again]


def _time_warm_tab(page: Page, rows: _Rows, channels: list[str], repeat: int) -> None:
    """Reload ``page`` ``repeat`` times, then choose and remove each channel, twice over."""
    for _ in range(repeat):
        if not _measure(
            rows.warm, partial(_load_ms, rows.warm, page, page.reload, STEP_TIMEOUT_MS)
        ):
            return
    for chosen in (rows.miss, rows.again):
        for channel in channels:
            choose = partial(_time_tile_change, page, partial(_choose_channel, page, channel))
            remove = partial(_time_tile_change, page, partial(_remove_channel, page, channel))
            # After a failure the filter's state is unknown: later changes would not mean much.
            if not (_measure(chosen, choose) and _measure(rows.back, remove)):
                return


def time_browser(db_file: Path, channels: list[str], repeat: int, workdir: Path) -> BrowserRun:
    """Time the overview in Chromium on ``db_file``: first load cold and warm, filter changes.

    Cold: ``repeat`` runs, each on a server of its own, from a new browser context (nothing
    cached in the server or the browser). Warm: the last cold tab reloaded ``repeat`` times.
    Then, on that tab, each of ``channels`` is chosen in the sidebar (uncached) and removed
    (back to all channels: cached), then each is chosen and removed again (both cached).
    The caller must hold no DuckDB connection to ``db_file``. Server logs go to ``workdir``.
    """
    from playwright.sync_api import sync_playwright

    rows = _Rows.new(channels)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            for run in range(repeat):
                failures_before = sum(len(row.failures) for row in rows.all())
                log_path = workdir / f"streamlit-browser-{run + 1}.log"
                try:
                    with running_dashboard(db_file, log_path) as url:
                        context = browser.new_context(base_url=url, viewport=VIEWPORT)
                        context.set_default_timeout(STEP_TIMEOUT_MS)
                        try:
                            page = context.new_page()
                            page.add_init_script(LOAD_WATCH_JS)
                            cold_load = partial(
                                _load_ms,
                                rows.cold,
                                page,
                                partial(page.goto, "/"),
                                FIRST_LOAD_TIMEOUT_MS,
                            )
                            if _measure(rows.cold, cold_load) and run == repeat - 1:
                                _time_warm_tab(page, rows, channels, repeat)
                        finally:
                            context.close()
                except BrowserStepError as error:  # the server did not start
                    rows.cold.failures.append(str(error).splitlines()[0])
                if sum(len(row.failures) for row in rows.all()) > failures_before:
                    # stdout carries the markdown; the server's side of a failure goes to stderr.
                    print(f"--- {log_path.name}, last lines ---", file=sys.stderr)
                    print(_log_tail(log_path), file=sys.stderr)
            version = browser.version
        finally:
            browser.close()
    for row in rows.all()[1:]:
        if not row.ms and not row.failures:
            row.failures.append("not measured: an earlier step failed")
    return BrowserRun(rows.all(), version, channels)
