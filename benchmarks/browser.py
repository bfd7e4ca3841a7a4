"""The benchmark's browser part: how long a person waits, in Chromium, for the dashboard.

``time_browser`` starts ``streamlit run dashboard.py`` on a database file, drives Debian's
Chromium (headless, through Playwright) against it and times, with clocks read inside the page:
the first load of the overview, cold and on reload, and the channel filter changing the Leads
tile, uncached and cached. It measures and says what went wrong in the row it was measuring;
it asserts nothing. Launching Chromium, the server and the in-page watches are
tests/support/browser.py's, which the browser tests use too.

Playwright is a development requirement, not a runtime one, so it is imported inside the
functions that drive the browser: the app never loads this module, and ``skip_reason`` works
without Playwright installed.
"""

from __future__ import annotations

import json
import statistics
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from tests.support import browser
from tests.support.browser import skip_reason as skip_reason  # run.py asks this module

if TYPE_CHECKING:
    from playwright.sync_api import Page

TILE = "Leads"  # the overview tile a channel filter changes

# Bounds, not targets: generous enough for 1M leads on a slow shared machine, so a wait that
# runs out means something is broken rather than slow.
FIRST_LOAD_TIMEOUT_MS = 180_000  # the cold load imports the page's libraries and runs queries
STEP_TIMEOUT_MS = 120_000


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


# --- steps in the page ----------------------------------------------------------------------


def _raise_if_error_shown(page: Page) -> None:
    errors = page.locator(browser.ERROR_SELECTOR)
    if errors.count():
        raise BrowserStepError(f"the page shows an error: {errors.all_inner_texts()}")


def _settle(page: Page) -> None:
    """Wait until no script run is in progress and the page is drawn; fail on an error box."""
    page.wait_for_function(browser.SETTLED_JS, timeout=STEP_TIMEOUT_MS)
    _raise_if_error_shown(page)


def _load_ms(row: BrowserRow, page: Page, navigate: Callable[[], object], timeout_ms: float):
    """Navigate; the ms from navigation start to the page drawn (browser.LOAD_WATCH_JS must be
    an init script of the tab). Notes when the script run ended on ``row``."""
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


def _time_tile_change(page: Page, change: Callable[[], None]) -> float:
    """Milliseconds from the pointer press in ``change`` to the Leads tile showing a new value.

    The value seen first must be the one the page settles on: a value in between would mean
    the clock stopped on something a person would not call the answer.
    """
    before = browser.tile(page, TILE).inner_text().strip()
    page.evaluate(browser.WATCH_NEW_VALUE_JS, [TILE, before])
    change()
    page.wait_for_function(
        "() => window.revcycleTileWatch.shownAt !== undefined"
        f" || document.querySelector({json.dumps(browser.ERROR_SELECTOR)}) !== null",
        timeout=STEP_TIMEOUT_MS,
    )
    _settle(page)
    watch = page.evaluate("window.revcycleTileWatch")
    settled = browser.tile(page, TILE).inner_text().strip()
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
        shown = f"first frame with a new {TILE} value"
        change = f"the Enter that picks the typed channel → {shown}"
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
                f"pointer press on its remove button → {shown}; after every choice",
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
            choose = partial(browser.choose_channel, page, channel)
            remove = browser.remove_channel_button(page, channel).click
            # After a failure the filter's state is unknown: later changes would not mean much.
            if not (
                _measure(chosen, partial(_time_tile_change, page, choose))
                and _measure(rows.back, partial(_time_tile_change, page, remove))
            ):
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
        chromium = browser.launch_chromium(playwright)
        try:
            for run in range(repeat):
                failures_before = sum(len(row.failures) for row in rows.all())
                log_path = workdir / f"streamlit-browser-{run + 1}.log"
                try:
                    with (
                        browser.running_dashboard(db_file, log_path) as url,
                        browser.browser_context(
                            chromium, url, STEP_TIMEOUT_MS, animated=True
                        ) as context,
                    ):
                        page = context.new_page()
                        page.add_init_script(browser.LOAD_WATCH_JS)
                        cold_load = partial(
                            _load_ms,
                            rows.cold,
                            page,
                            partial(page.goto, "/"),
                            FIRST_LOAD_TIMEOUT_MS,
                        )
                        if _measure(rows.cold, cold_load) and run == repeat - 1:
                            _time_warm_tab(page, rows, channels, repeat)
                except browser.DashboardStartError as error:
                    rows.cold.failures.append(str(error).splitlines()[0])
                if sum(len(row.failures) for row in rows.all()) > failures_before:
                    # stdout carries the markdown; the server's side of a failure goes to stderr.
                    print(f"--- {log_path.name}, last lines ---", file=sys.stderr)
                    print(browser.log_tail(log_path), file=sys.stderr)
            version = chromium.version
        finally:
            chromium.close()
    for row in rows.all()[1:]:
        if not row.ms and not row.failures:
            row.failures.append("not measured: an earlier step failed")
    return BrowserRun(rows.all(), version, channels)


def browser_fact(run: BrowserRun, repeat: int) -> str:
    """How the browser timings were made, for the report's list of facts."""
    return (
        f"Browser: Debian's Chromium {run.browser_version}, headless, driven by "
        "Playwright against `streamlit run dashboard.py`, a server process of its own on "
        "the same database file (run before the AppTest pages, once this process had "
        "closed its connection). Times come from the page's own clock (performance.now() "
        "at animation frames), so they span the websocket, the server's script run, the "
        "transfer and the drawing. First load, cold: "
        f"{repeat} runs, each on a new server and a new browser context; warm: the last "
        f"of those tabs reloaded {repeat} times. Filter change, on that warm tab: each of "
        f"{run.channels} (the busiest channels) chosen in the sidebar's Channels "
        "list (uncached: no session on that server had chosen it) and removed again (back "
        "to all channels: cached), then each chosen and removed a second time (cached). "
        "An error box, a timeout or a Leads value that changes again after its first "
        "change marks a row failed; the server's log then goes to stderr."
    )
