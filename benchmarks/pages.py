"""The benchmark's dashboard-page timings: full AppTest runs of each page, cold and warm."""

import contextlib
import gc
import logging
import os
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from unittest import mock

import pandas as pd

from benchmarks.timing import Timing
from revcycle.paths import REPO_ROOT

# Each page file runs on its own, as a link to it on a fresh server runs it.
PAGE_FILES = {
    "overview": "dashboard.py",
    "this_week": "pages/this_week.py",
    "conversion": "pages/conversion.py",
    "follow_up": "pages/follow_up.py",
    "revenue": "pages/revenue.py",
    "attribution": "pages/attribution.py",
    "agreements": "pages/agreements.py",
    "upload": "pages/upload.py",
}
PAGES = tuple(PAGE_FILES)
# Pages that show no KPI tiles: a run of theirs is useful once it shows its title.
PAGES_WITHOUT_TILES = frozenset({"agreements", "upload"})
PAGE_WARM_TARGET_MS = 500.0
PAGE_COLD_TARGET_MS = 1500.0
PAGE_TIMEOUT_S = 300


# --- dashboard pages under AppTest ---------------------------------------------------------


@dataclass
class PageRow:
    """One kind of page run: its times, the DuckDB queries each run sent, what went wrong."""

    label: str
    target_ms: float | None
    shows_tiles: bool = True
    timing: Timing = field(init=False)
    count_queries: list[int] = field(default_factory=list)  # cache misses, one entry per run
    query_seconds: list[float] = field(default_factory=list)  # spent in them, one per run
    failures: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.timing = Timing(self.label)

    def verdict(self) -> str:
        if self.failures:
            return "**failed**: " + "; ".join(dict.fromkeys(self.failures))
        if self.target_ms is None or not self.timing.seconds:
            return "—"
        if self.timing.median_ms <= self.target_ms:
            return "yes"
        return f"**no**: {self.timing.median_ms:,.0f} ms > {self.target_ms:,.0f}"

    def markdown(self) -> str:
        times, queries, query_ms = "—", "—", "—"  # no run got as far as being timed
        if len(self.timing.seconds) == 1:
            times = f"{self.timing.best_ms:,.1f} (once)"
        elif self.timing.seconds:
            times = f"{self.timing.best_ms:,.1f} / {self.timing.median_ms:,.1f}"
        if self.count_queries:
            fewest, most = min(self.count_queries), max(self.count_queries)
            queries = f"{fewest}" if fewest == most else f"{fewest}–{most}"
            query_ms = f"{statistics.median(self.query_seconds) * 1000:,.1f}"
        target = f"≤ {self.target_ms:,.0f} ms" if self.target_ms is not None else "—"
        return f"| {self.label} | {times} | {queries} | {query_ms} | {target} | {self.verdict()} |"


class _BareModeWarnings(logging.Filter):
    """Drops the warnings Streamlit logs when its caches are cleared outside a script run."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        return "missing ScriptRunContext" not in message and "No runtime found" not in message


@contextlib.contextmanager
def _quiet_bare_mode_warnings():
    # The benchmark clears st.cache_data and st.cache_resource between AppTest runs, on
    # purpose, which Streamlit answers with a warning each time.
    quiet = _BareModeWarnings()
    loggers = [
        logging.getLogger(name)
        for name in (
            "streamlit.runtime.scriptrunner_utils.script_run_context",
            "streamlit.runtime.caching.cache_data_api",
        )
    ]
    for logger in loggers:
        logger.addFilter(quiet)
    try:
        yield
    finally:
        for logger in loggers:
            logger.removeFilter(quiet)


def _page_problems(at, shows_tiles: bool) -> list[str]:
    """What makes a run useless as a measurement: an exception, an error box, no title, or
    no KPI tiles on a page that shows them."""
    problems = [f"exception: {element.message}" for element in at.exception]
    # The page frame turns a failure into an error box, so at.exception alone misses it.
    problems += [f"error: {element.value}" for element in at.error]
    if shows_tiles and not at.metric:
        problems.append("no KPI tiles")
    if not at.title:
        problems.append("no title")
    return problems


def _title(at) -> str | None:
    return at.title[0].value if at.title else None


class _Runner:
    """Opens AppTest sessions on the dashboard and times their runs, counting the DuckDB
    queries each run sends (the calls st.cache_data did not answer) and the time spent in them.
    """

    def __init__(self, execute: Callable[..., pd.DataFrame]) -> None:
        self._execute = execute
        self.count_queries = 0
        self.query_seconds = 0.0

    def execute(self, *args, **kwargs) -> pd.DataFrame:
        """The app's revcycle.db.execute, counted and timed; stands in for it during runs."""
        started = time.perf_counter()
        try:
            return self._execute(*args, **kwargs)
        finally:
            self.count_queries += 1
            self.query_seconds += time.perf_counter() - started

    def new_session(self, page: str):
        import streamlit as st
        from streamlit.testing.v1 import AppTest

        st.cache_data.clear()
        st.cache_resource.clear()
        return AppTest.from_file(str(REPO_ROOT / PAGE_FILES[page]), default_timeout=PAGE_TIMEOUT_S)

    def measure(self, row: PageRow, at) -> None:
        count_before, seconds_before = self.count_queries, self.query_seconds
        started = time.perf_counter()
        try:
            at.run()
        except Exception as error:  # a timeout, say: the row fails, the benchmark goes on
            row.failures.append(f"run raised {type(error).__name__}: {error}")
        else:
            row.failures += _page_problems(at, row.shows_tiles)
        row.timing.seconds.append(time.perf_counter() - started)
        row.count_queries.append(self.count_queries - count_before)
        row.query_seconds.append(self.query_seconds - seconds_before)


def _time_page(runner: _Runner, page: str, repeat: int) -> list[PageRow]:
    """A page cold ``repeat`` times, then its last session warm ``repeat`` times."""
    tiles = page not in PAGES_WITHOUT_TILES
    cold = PageRow(f"page {page}: cold (empty caches, new session)", PAGE_COLD_TARGET_MS, tiles)
    warm = PageRow(f"page {page}: warm (same session again)", PAGE_WARM_TARGET_MS, tiles)
    for _ in range(repeat):
        at = runner.new_session(page)
        runner.measure(cold, at)
    title = _title(at)
    for _ in range(repeat):
        runner.measure(warm, at)
    if _title(at) != title:
        cold.failures.append(f"showed {title!r}, not {_title(at)!r}")
    if any(warm.count_queries):
        warm.failures.append("a warm run queried DuckDB: the cache was not hit")
    return [cold, warm]


def _time_filter_change(runner: _Runner, channel: str, repeat: int) -> PageRow:
    change = PageRow(f"page overview: channel filter set to {channel} (warm session)", None)
    for _ in range(repeat):
        at = runner.new_session("overview")
        before = PageRow("overview before the filter change", None)  # not reported
        runner.measure(before, at)
        change.failures += before.failures
        try:
            at.multiselect(key="channel").set_value([channel])
        except KeyError:
            change.failures.append("no channel filter to set")
            break
        runner.measure(change, at)
        if at.multiselect(key="channel").value != [channel]:
            change.failures.append("the channel filter did not keep its value")
    return change


def time_pages(
    db_file: Path, channel: str, repeat: int, pages: tuple[str, ...] = PAGES
) -> list[PageRow]:
    """Time full AppTest runs of each of ``pages`` on ``db_file``: cold, warm, filter change.

    Cold: Streamlit's caches cleared and a new AppTest session, so the run opens the app's
    DuckDB connection and sends every query. Warm: the same session run again, which
    st.cache_data serves (its caches are process-wide and outlive a run and an AppTest).
    Filter change: a new session's overview, run once untimed, then the channel filter set to
    ``channel``. Every run counts the DuckDB queries it sent, the cache misses, and the time
    spent in them (running the query and fetching its result as a DataFrame).
    """
    # Imported here, so that --skip-pages runs without loading Streamlit.
    import streamlit as st

    with contextlib.ExitStack() as stack:
        stack.enter_context(mock.patch.dict(os.environ, {"REVCYCLE_DB": str(db_file)}))
        # Nothing the app or Streamlit prints may land in the markdown on stdout.
        stack.enter_context(contextlib.redirect_stdout(sys.stderr))
        stack.enter_context(_quiet_bare_mode_warnings())
        from revcycle.ui import data  # its @st.cache_data, outside a run, warns too

        # The cached query function calls data.execute only on a miss: count and time those.
        runner = _Runner(data.execute)
        stack.enter_context(mock.patch.object(data, "execute", runner.execute))
        # Leave empty caches behind: no app connection to the file outlives the benchmark.
        # The sessions keep the dropped connections in reference cycles, and the agreements and
        # upload pages open theirs read-write: collect them (callbacks run last to first), or
        # the meeting pack's read-only connection after this is refused.
        stack.callback(gc.collect)
        stack.callback(st.cache_resource.clear)
        stack.callback(st.cache_data.clear)

        # The process's first run also imports the page's libraries (plotly and more), which
        # a running server has done long before; it gets a row of its own and no target.
        first = PageRow("first page run in this process (overview, cold + imports)", None)
        runner.measure(first, runner.new_session(PAGES[0]))
        rows = [first]
        for page in pages:
            rows += _time_page(runner, page, repeat)
        rows.append(_time_filter_change(runner, channel, repeat))
    return rows


def pages_report(rows: list[PageRow]) -> list[str]:
    """The page timings as markdown lines: a table of their own, after the metric table."""
    return [
        "### Dashboard pages (AppTest, server side)",
        "",
        "| page run | best / median ms | DuckDB queries per run | ms in those queries "
        "(median) | target | met? |",
        "|---|---:|---:|---:|---|---|",
        *[row.markdown() for row in rows],
        "",
    ]


def pages_facts(channel: str, repeat: int) -> list[str]:
    """How the page timings were made, for the report's list of facts."""
    return [
        "Pages: each row times a full run of one page file (dashboard.py for the overview, "
        "pages/<name>.py for the others; each draws the shared frame, sidebar filters "
        "included) under streamlit.testing.v1.AppTest, in this process, on the same database "
        f"file; {repeat} runs per row. That is the server side of a page view plus "
        "AppTest reading the page's elements back, without the browser. Cold: "
        "st.cache_data and st.cache_resource cleared and a new session, so the run opens "
        "the app's DuckDB connection and sends every query. Warm: that session run "
        "again; st.cache_data is process-wide, so the cache outlives a run (0 queries "
        "sent is the check). The queries' column adds up the time of the DuckDB queries a "
        "run sent (running each and fetching its result, as the page waits for them). "
        "Filter change: a new session's overview run once, untimed, "
        f"then the channel filter set to {channel!r} (the busiest channel). A run "
        "with an exception, an error box, no title or (on a page with tiles) no KPI tiles "
        "marks its row failed.",
    ]
