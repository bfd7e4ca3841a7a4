"""Benchmark: build and metric-query times at scale, checked against a plain-pandas reference.

``python -m benchmarks.run --leads 1000000 [--repeat 5] [--out bench.md] [--skip-pages]
[--skip-browser] [--skip-upload]``, from the repository's root, generates a scaled sample,
builds it into a fresh DuckDB file in a temporary folder, times the view build and each metric
query, checks every metric against a pandas version of the same definition
(benchmarks/reference.py), times the importer's full load of the leads export (read, map,
validate, commit, rebuild) against DuckDB alone parsing the same file, times the overview in
Chromium against ``streamlit run dashboard.py`` on that file (first load cold and warm, channel
filter changes; skipped when /usr/bin/chromium is missing), then times full AppTest runs of
each dashboard page on it (cold, warm and a filter change), and prints markdown tables.

The generated exports may be larger than the upload cap (``REVCYCLE_MAX_UPLOAD_MB``, 200 MB by
default; 10M leads make 1.9 GB): the benchmark raises the cap for its own process and the
dashboard servers it starts, never for anything else.
"""

import argparse
import math
import os
import resource
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from unittest import mock

import duckdb
import numpy as np
import pandas as pd

from benchmarks import browser as browser_timing
from benchmarks import meeting
from benchmarks.pages import PageRow, pages_facts, pages_report, time_pages
from benchmarks.reference import (
    REFERENCES,
    RELATIVE_TOLERANCE,
    metric_params,
    mismatches,
)
from benchmarks.timing import (
    PartMemory,
    Timing,
    in_fresh_process,
    machine,
    memory_fact,
    memory_of,
    peak_rss_mib,
    repeated,
    timed,
)
from benchmarks.upload import time_upload, upload_report
from benchmarks.working_time import RECOMPUTED, bench_agreements, with_working_time
from revcycle import sample, settings
from revcycle.agreements import calendar, store
from revcycle.build import BuildInfo, build
from revcycle.db import connect, create_view, execute, materialise, query_names
from revcycle.rebuild import MART_TABLE, MART_TABLES

PERIOD_WEEKS = 12
MART_TARGET_MS = 500.0
METRIC_TARGET_MS = 100.0
RATIO_TARGET = 3.0
# The browser part chooses one channel per timed run (each uncached once), within these bounds.
BROWSER_CHANNELS = (3, 5)


# --- the view build ------------------------------------------------------------------------


@dataclass
class ViewBuild:
    days_off: Timing
    staging: Timing
    marts: dict[str, Timing]  # by table, in build order
    commit: Timing


def time_view_build(con: duckdb.DuckDBPyConnection, repeat: int) -> ViewBuild:
    """Rebuild the agreements' days off, staging, then each mart, as revcycle.rebuild does, in
    one transaction per run."""
    days_off = Timing("agreement days off (holidays package) and data time zone")
    staging = Timing("staging views (all stg_*)")
    marts = {table: Timing(f"view build: marts/{table}") for table in MART_TABLES}
    commit = Timing("commit of the rebuild")
    for _ in range(repeat):
        con.begin()
        try:
            timed(lambda: calendar.write_in_transaction(con), days_off)
            timed(lambda: [create_view(con, name) for name in query_names("staging")], staging)
            for table, timing in marts.items():
                timed(lambda t=table: materialise(con, f"marts/{t}"), timing)
        except BaseException:
            con.rollback()
            raise
        timed(con.commit, commit)
    return ViewBuild(days_off, staging, marts, commit)


# --- the metric table ----------------------------------------------------------------------


@dataclass
class Row:
    label: str
    duckdb: Timing
    pandas: Timing | None = None
    target_ms: float | None = None
    ratio_target: float | None = None

    @property
    def ratio(self) -> float | None:
        return self.pandas.median_ms / self.duckdb.median_ms if self.pandas else None

    def verdict(self) -> str:
        misses = []
        if self.target_ms is not None and self.duckdb.median_ms > self.target_ms:
            misses.append(f"{self.duckdb.median_ms:,.0f} ms > {self.target_ms:,.0f}")
        if self.ratio_target is not None and self.ratio < self.ratio_target:
            misses.append(f"{self.ratio:.1f}× < {self.ratio_target:.0f}×")
        if self.target_ms is None and self.ratio_target is None:
            return "—"
        return "yes" if not misses else "**no**: " + "; ".join(misses)

    def markdown(self) -> str:
        duck = (
            f"{self.duckdb.best_ms:,.1f} (once)"
            if len(self.duckdb.seconds) == 1
            else f"{self.duckdb.best_ms:,.1f} / {self.duckdb.median_ms:,.1f}"
        )
        pandas = (
            f"{self.pandas.best_ms:,.1f} / {self.pandas.median_ms:,.1f}" if self.pandas else "—"
        )
        ratio = f"{self.ratio:.1f}×" if self.pandas else "—"
        targets = []
        if self.target_ms is not None:
            targets.append(f"≤ {self.target_ms:,.0f} ms")
        if self.ratio_target is not None:
            targets.append(f"≥ {self.ratio_target:.0f}×")
        target = ", ".join(targets) or "—"
        return f"| {self.label} | {duck} | {pandas} | {ratio} | {target} | {self.verdict()} |"


def report(
    rows: list[Row],
    facts: list[str],
    problems: list[str],
    page_rows: list[PageRow] | None = None,
    browser_lines: list[str] | None = None,
    upload_lines: list[str] | None = None,
) -> str:
    """The benchmark as markdown: machine and data facts, the table, any mismatch, the pages,
    the browser, the upload."""
    lines = [
        "## Benchmark",
        "",
        *[f"- {fact}" for fact in facts],
        "",
        "| metric | DuckDB best / median ms | pandas best / median ms | ratio "
        "(pandas / DuckDB, medians) | target | met? |",
        "|---|---:|---:|---:|---|---|",
        *[row.markdown() for row in rows],
        "",
    ]
    if problems:
        lines += [
            f"**pandas and DuckDB disagree in {len(problems)} value(s):**",
            "",
            *[f"- {problem}" for problem in problems[:50]],
            "",
        ]
    if page_rows:
        lines += pages_report(page_rows)
    if browser_lines:
        lines += browser_lines
    if upload_lines:
        lines += upload_lines
    return "\n".join(lines)


# --- the run ------------------------------------------------------------------------------


@dataclass
class Generated:
    leads_csv: Path
    deals_csv: Path
    seconds: float
    peak_rss_mib: float  # the generator's process


def _generate(folder: Path, n_leads: int) -> Generated:
    # In a child process, so the generator's arrays do not count in this process's peak
    # memory, which is then DuckDB's (in-process) plus the Python around it.
    started = time.perf_counter()
    # Leads and deals only: nothing here reads touches, which at 10M would be 42M rows.
    leads_csv, deals_csv = in_fresh_process(sample.write, folder, n_leads, touches=False)
    # Read now: the browser part's server and Chromium are children too, and would count.
    return Generated(
        leads_csv, deals_csv, time.perf_counter() - started, peak_rss_mib(resource.RUSAGE_CHILDREN)
    )


@contextmanager
def upload_cap_for(*paths: Path) -> Iterator[int]:
    """The upload cap raised, while inside, to fit the largest of ``paths``; yields it in MB.

    Set in this process's environment, so ``build`` and the importer read it as they would the
    person's setting, and the dashboard servers the browser part starts inherit it.
    """
    largest_mb = math.ceil(max(path.stat().st_size for path in paths) / settings.MB)
    cap_mb = max(settings.max_upload_mb(), largest_mb)
    with mock.patch.dict(os.environ, {settings.MAX_UPLOAD_MB_VARIABLE: str(cap_mb)}):
        yield cap_mb


@dataclass
class MetricPart:
    """The metric table's rows and what the report says about them."""

    rows: list[Row]
    problems: list[str]
    facts: list[str]
    busiest: list[str]  # the channels, most leads first
    channels: list[str]  # the channel filter: the two busiest


def _metric_cases(con, busiest: list[str]) -> tuple[date, date, list[tuple[str, str, dict]]]:
    """The period (the data's last 12 weeks) and each metric's runs: unfiltered, filtered."""
    end_date = execute(con, "metrics/data_period")["last_date"].iloc[0].date()
    start_date = end_date - timedelta(weeks=PERIOD_WEEKS) + timedelta(days=1)
    cases = [
        (name, label, metric_params(name, start_date, end_date, filter_value))
        for name in REFERENCES
        for label, filter_value in (("no filter", None), ("channel filter", busiest[:2]))
    ]
    return start_date, end_date, cases


def _busiest_channels(con) -> list[str]:
    values = execute(con, "metrics/filter_values")
    channels = values[
        (values["dimension"] == "channel") & ~values["dimension_value"].str.startswith("(")
    ]
    return channels["dimension_value"].tolist()


def _metric_rows(load, view, cases, duckdb_timings, pandas_timings, lookups) -> list[Row]:
    return [
        Row(load.label, load),
        Row(view.days_off.label, view.days_off),
        Row(view.staging.label, view.staging),
        *[
            Row(timing.label, timing, target_ms=MART_TARGET_MS if table == MART_TABLE else None)
            for table, timing in view.marts.items()
        ],
        Row(view.commit.label, view.commit),
        *[
            Row(
                f"metrics/{name} ({label})",
                duckdb_timings[name, label],
                pandas_timings[name, label],
                METRIC_TARGET_MS,
                RATIO_TARGET,
            )
            for name, label, _ in cases
        ],
        *[Row(timing.label, timing) for timing in lookups],
    ]


def _time_queries(con, cases, repeat: int):
    """Each metric case's checked result and timings, and the two lookups' timings."""
    # One untimed run each first: the results to check, and a warm cache for the timed runs.
    results = {
        (name, label): execute(con, f"metrics/{name}", **params) for name, label, params in cases
    }
    timings = {
        (name, label): repeated(
            name, lambda n=name, p=params: execute(con, f"metrics/{n}", **p), repeat
        )
        for name, label, params in cases
    }
    lookups = [
        repeated(f"metrics/{name} (lookup)", lambda n=name: execute(con, f"metrics/{n}"), repeat)
        for name in ("filter_values", "data_period")
    ]
    return results, timings, lookups


def _time_references(funnel: pd.DataFrame, cases, results, repeat: int):
    """How pandas disagrees with each checked result, and the pandas timings."""
    problems = [
        problem
        for name, label, params in cases
        for problem in mismatches(name, results[name, label], REFERENCES[name](funnel, **params))
    ]
    timings = {
        (name, label): repeated(name, lambda n=name, p=params: REFERENCES[n](funnel, **p), repeat)
        for name, label, params in cases
    }
    return problems, timings


def _data_facts(con, info: BuildInfo, generated: Generated) -> list[str]:
    """The machine, the data, and this process's memory once the DuckDB part is done."""
    threads = con.execute("select current_setting('threads')").fetchone()[0]
    count_deals_exploded = con.execute(
        "select coalesce(sum(count_deals), 0) from funnel_revenue"
    ).fetchone()[0]
    duckdb_memory_mib = (
        con.execute("select sum(memory_usage_bytes) from duckdb_memory()").fetchone()[0] / 2**20
    )
    return [
        f"Machine: {machine()}; DuckDB threads {threads}.",
        f"Data: {info.count_leads:,} leads, {info.count_deals:,} deals, "
        f"{info.count_funnel_rows:,} funnel_revenue rows ({count_deals_exploded:,} deals in its "
        f"lists); generating the CSVs took {generated.seconds:,.1f} s (not in the table).",
        f"Memory: duckdb_memory() reported {duckdb_memory_mib:,.0f} MiB in use after the "
        "metric queries. The generator ran in a child process, so its memory is not in this "
        f"process's peaks: its peak RSS was {generated.peak_rss_mib:,.0f} MiB.",
    ]


def _method_facts(start_date: date, end_date: date, channels: list[str], repeat: int):
    return [
        f"Metric parameters: {start_date} to {end_date} ({PERIOD_WEEKS} weeks ending at the "
        f"data's last date), no owner or segment filter; channel filter = {channels}. Each "
        "lead is judged by the benchmark's agreement (benchmarks/working_time.py: two "
        "versions, the second from six weeks before the data's last date; working-hour rules "
        "for four channels, one nurtured, NL holidays), saved before the view build, so the "
        "build and the follow-up metric include working time.",
        f"Runs: {repeat} per row (load once). Metric times go through revcycle.db.execute, "
        "so they include fetching the result as a DataFrame; the checked run comes first "
        "and is not timed. pandas works from funnel_revenue fetched once as a DataFrame.",
        "View build: each run rewrites the agreements' days off, replaces the stg_* views, "
        "then the marts in build order "
        f"({', '.join(MART_TABLES)}), in one transaction, as revcycle.rebuild does; the "
        "commit is timed on its own.",
    ]


def _load(db_file: Path, generated: Generated, parts: dict[str, PartMemory]):
    """Load both generated exports through the importer and build, timed, on a connection of
    its own."""
    load = Timing("load + build from CSV (both files through the importer)")
    exports = {"leads": generated.leads_csv, "deals": generated.deals_csv}
    con = connect(db_file)  # threads: DuckDB's default
    try:
        with memory_of(parts, "load + build (the importer, both files)"):
            info = timed(lambda: build(con, exports), load)
    finally:
        con.close()
    return load, info


def time_metrics(
    db_file: Path, generated: Generated, repeat: int, parts: dict[str, PartMemory]
) -> MetricPart:
    """Load and build the generated exports, time the view build and every metric query, then
    the pandas reference of each on the same rows; closes its connections before returning.
    Notes each part's memory in ``parts``."""
    load, info = _load(db_file, generated, parts)
    con = connect(db_file)  # a fresh connection, as the app opens the file
    try:
        agreements = _save_agreements(con)
        with memory_of(parts, "view build + metric queries"):
            view = time_view_build(con, repeat)
            busiest = _busiest_channels(con)
            start_date, end_date, cases = _metric_cases(con, busiest)
            results, duckdb_timings, lookups = _time_queries(con, cases, repeat)
            data_facts = _data_facts(con, info, generated)
        with memory_of(parts, "funnel_revenue fetched as a DataFrame"):
            funnel = con.execute("select * from funnel_revenue").df()  # once, not timed
        data_as_of = pd.Timestamp(con.execute("select data_as_of from funnel_as_of").fetchone()[0])
    finally:
        con.close()  # the app opens the file itself, as the dashboard does
    with memory_of(parts, "the pandas reference of every metric"):
        problems, pandas_timings, working = _pandas_part(
            funnel, agreements, data_as_of, cases, results, repeat
        )
    del funnel
    facts = [
        *data_facts,
        *_method_facts(start_date, end_date, busiest[:2], repeat),
        "Check: pandas and DuckDB results "
        + ("agree" if not problems else f"DISAGREE ({len(problems)} values)")
        + f" for all {len(cases)} metric runs (relative tolerance {RELATIVE_TOLERANCE:g}), "
        "and lead by lead for the follow-up columns pandas recomputes (kind, hours in the "
        "agreed basis, within the agreed time).",
    ]
    rows = _metric_rows(load, view, cases, duckdb_timings, pandas_timings, lookups)
    rows.append(Row(working.label, working))
    return MetricPart(rows, problems, facts, busiest, busiest[:2])


def _pandas_part(funnel, agreements, data_as_of, cases, results, repeat: int):
    """Working time per lead recomputed in pandas (timed once), checked lead by lead against
    the mart; then every metric's reference on pandas' own per-lead columns."""
    working = Timing("pandas: working time per lead (once, as the build does in SQL)")
    recomputed = timed(
        lambda: with_working_time(funnel, agreements, settings.timezone(), data_as_of), working
    )
    problems, pandas_timings = _time_references(recomputed, cases, results, repeat)
    return _per_lead_mismatches(funnel, recomputed) + problems, pandas_timings, working


def _save_agreements(con) -> list:
    """The benchmark's two agreement versions, saved as the Agreements page saves them (with a
    rebuild, not timed): from the data's first day, and from six weeks before its last."""
    period = execute(con, "metrics/data_period").iloc[0]
    first_day, last_day = (pd.Timestamp(period[key]).date() for key in ("first_date", "last_date"))
    agreements = bench_agreements(first_day, last_day - timedelta(weeks=6))
    for agreement in agreements:
        store.save(con, agreement, "benchmark")
    return agreements


def _per_lead_mismatches(funnel: pd.DataFrame, recomputed: pd.DataFrame) -> list[str]:
    """Where the mart's per-lead follow-up columns differ from pandas' own; at most 5 named."""
    problems = []
    for column in RECOMPUTED:
        ours, theirs = funnel[column], recomputed[column]
        if column == "hours_to_first_contact":
            same = np.isclose(
                ours.astype(float),
                theirs.astype(float),
                rtol=RELATIVE_TOLERANCE,
                atol=1e-6,
                equal_nan=True,
            )
        else:
            same = (ours.isna() & theirs.isna()) | (ours.astype(object) == theirs.astype(object))
            same = np.asarray(same, dtype=bool)
        for index in np.flatnonzero(~same)[:5]:
            problems.append(
                f"lead {funnel['lead_id'].iloc[index]!r}: {column} is {ours.iloc[index]!r} "
                f"(DuckDB) vs {theirs.iloc[index]!r} (pandas)"
            )
    return problems


def _time_browser(db_file: Path, busiest: list[str], repeat: int, wanted: bool):
    """The browser part's run, or None and why it was skipped."""
    fewest, most = BROWSER_CHANNELS
    channels = busiest[: min(max(repeat, fewest), most)]
    skipped = "--skip-browser was given" if not wanted else browser_timing.skip_reason()
    if skipped is not None:
        return None, skipped
    return browser_timing.time_browser(db_file, channels, repeat, db_file.parent), None


def run(
    n_leads: int,
    repeat: int,
    folder: Path,
    pages: bool = True,
    browser: bool = True,
    upload: bool = True,
) -> tuple[str, bool]:
    """Run the whole benchmark in ``folder``; return the markdown and whether all agreed (and,
    with ``pages``, every page run showed its tiles without an error; with ``browser``, every
    browser step was measured; with ``upload``, every generated lead was loaded)."""
    load_before = os.getloadavg()
    generated = _generate(folder, n_leads)
    db_file = folder / "bench.duckdb"
    parts: dict[str, PartMemory] = {}
    upload_run = None
    with upload_cap_for(generated.leads_csv, generated.deals_csv) as cap_mb:
        metrics = time_metrics(db_file, generated, repeat, parts)
        # Here, while no connection holds the file: the upload part copies it, and loads the
        # copies.
        if upload:
            with memory_of(parts, "the upload part"):
                upload_run = time_upload(db_file, generated.leads_csv, repeat, folder)
        # The browser part comes before the AppTest pages: its streamlit server opens the file
        # read-write, which DuckDB allows one process at a time, and here this process holds
        # no connection. After time_pages it would still hold one: st.cache_resource.clear()
        # drops the app's cached connection, but AppTest and the query-counting mock keep it
        # in reference cycles, so the file stays locked until a garbage collection happens to
        # run. Neither part changes the file.
        browser_run, browser_skipped = _time_browser(db_file, metrics.busiest, repeat, browser)
        page_rows = []
        if pages:
            with memory_of(parts, "the AppTest pages"):
                page_rows = time_pages(db_file, metrics.channels[0], repeat)
            page_rows.append(meeting.time_pack(db_file, repeat))
    load_after = os.getloadavg()
    facts = [
        f"Generated {n_leads:,} leads; the upload cap was raised to {cap_mb:,} MB for this run.",
        # Wall-clock times on a shared 2-core box swing with whatever else runs; say so.
        f"Load average (1 min) at start {load_before[0]:.2f}, at end {load_after[0]:.2f}.",
        *metrics.facts,
        memory_fact(parts),
    ]
    if page_rows:
        facts += [*pages_facts(metrics.channels[0], repeat), meeting.pack_fact(repeat)]
    if browser_run is not None:
        facts.append(browser_timing.browser_fact(browser_run, repeat))
    markdown = report(
        metrics.rows,
        facts,
        metrics.problems,
        page_rows,
        browser_timing.browser_report(browser_run, browser_skipped),
        upload_report(upload_run, repeat, "--skip-upload was given"),
    )
    return markdown, _all_passed(metrics, page_rows, browser_run, upload_run)


def _all_passed(metrics, page_rows, browser_run, upload_run) -> bool:
    """Every metric agreed with pandas and no page, browser or upload run failed."""
    return not (
        bool(metrics.problems)
        or any(row.failures for row in page_rows)
        or (browser_run is not None and browser_run.failed)
        or (upload_run is not None and bool(upload_run.failures))
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.run",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--leads", type=int, default=1_000_000, help="leads to generate")
    parser.add_argument("--repeat", type=int, default=5, help="timed runs per row")
    parser.add_argument("--out", type=Path, help="also write the markdown to this file")
    parser.add_argument(
        "--skip-pages", action="store_true", help="leave out the dashboard page timings"
    )
    parser.add_argument(
        "--skip-browser", action="store_true", help="leave out the Chromium timings"
    )
    parser.add_argument(
        "--skip-upload",
        action="store_true",
        help="leave out the upload of the leads export (importer against DuckDB's parse)",
    )
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")

    with tempfile.TemporaryDirectory(prefix="revcycle-bench-") as folder:
        markdown, ok = run(
            args.leads,
            args.repeat,
            Path(folder),
            pages=not args.skip_pages,
            browser=not args.skip_browser,
            upload=not args.skip_upload,
        )
    print(markdown)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(markdown, encoding="utf-8")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
