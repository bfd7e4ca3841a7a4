"""Benchmark: build and metric-query times at scale, checked against a plain-pandas reference.

``python -m revcycle.bench --leads 1000000 [--repeat 5] [--out bench.md] [--skip-pages]
[--skip-browser] [--skip-upload]`` generates a scaled sample, builds it into a fresh DuckDB file
in a temporary folder, times the view build and each metric query, checks every metric against
a pandas version of the same definition, times the importer's full load of the leads export
(read, map, validate, commit, rebuild) against DuckDB alone parsing the same file, times the
overview in Chromium against ``streamlit run dashboard.py`` on that file (first load cold and
warm, channel filter changes; skipped when /usr/bin/chromium is missing), then times full
AppTest runs of each dashboard page on it (cold, warm and a filter change), and prints markdown
tables.

The ``reference_*`` functions are a yardstick and a second opinion only: the dashboard computes
its metrics in ``queries/metrics/*.sql`` and nowhere else.
"""

import argparse
import multiprocessing
import os
import platform
import resource
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from revcycle import sample
from revcycle.build import build
from revcycle.db import connect, create_view, execute, materialise, query_names
from revcycle.importer.load import commit_upload
from revcycle.importer.read import read_export
from revcycle.importer.validate import prepare
from revcycle.rebuild import MART_TABLE, MART_TABLES

PERIOD_WEEKS = 12
SLA_HOURS = 24
MART_TARGET_MS = 500.0
METRIC_TARGET_MS = 100.0
RATIO_TARGET = 3.0
RELATIVE_TOLERANCE = 1e-6
STAGES = ("lead", "mql", "sql", "opportunity", "won")
PERCENTILES = {"median": 0.5, "p90": 0.9, "p10": 0.1, "p25": 0.25, "p75": 0.75}
# The browser part chooses one channel per timed run (each uncached once), within these bounds.
BROWSER_CHANNELS = (3, 5)


# --- pandas reference implementations (for comparison only) -------------------------------


def _filtered(funnel, columns, channels, owners, segments) -> pd.DataFrame:
    """The ``columns`` of the funnel rows the shared filters keep (None keeps everything)."""
    keep = np.ones(len(funnel), dtype=bool)
    for column, values in (("channel", channels), ("owner", owners), ("segment", segments)):
        if values is not None:
            keep &= funnel[column].isin(values).to_numpy()
    return funnel.loc[keep, columns]


def _period(start_date: date, end_date: date) -> tuple[pd.Timestamp, pd.Timestamp]:
    """Both dates included, as the SQL reads them: [start, end + 1 day)."""
    return pd.Timestamp(start_date), pd.Timestamp(end_date) + pd.Timedelta(days=1)


def _in_period(stamps: pd.Series, period: tuple[pd.Timestamp, pd.Timestamp]) -> np.ndarray:
    starts_at, ends_before = period
    # NaT compares False, like a null timestamp failing the SQL filter.
    return ((stamps >= starts_at) & (stamps < ends_before)).to_numpy()


def reference_conversion_by_channel(
    funnel, *, start_date, end_date, channels, owners, segments
) -> pd.DataFrame:
    """pandas version of queries/metrics/conversion_by_channel.sql."""
    rows = _filtered(
        funnel,
        [
            "channel",
            "has_lead",
            "created_at",
            "mql_at",
            "sql_at",
            "first_deal_created_at",
            "first_won_at",
        ],
        channels,
        owners,
        segments,
    )
    period = _period(start_date, end_date)
    events = pd.DataFrame(
        {
            "lead": rows["has_lead"].to_numpy() & _in_period(rows["created_at"], period),
            "mql": _in_period(rows["mql_at"], period),
            "sql": _in_period(rows["sql_at"], period),
            "opportunity": _in_period(rows["first_deal_created_at"], period),
            "won": _in_period(rows["first_won_at"], period),
        }
    )
    per_channel = events.groupby(rows["channel"].to_numpy()).sum()
    names = [*per_channel.index, "(all channels)"]
    is_total = [False] * len(per_channel) + [True]
    counts = np.vstack([per_channel.to_numpy(), events.sum().to_numpy()]).astype(float)

    keep = counts.sum(axis=1) > 0
    names = np.array(names, dtype=object)[keep]
    is_total = np.array(is_total)[keep]
    counts = counts[keep]
    previous = np.hstack([np.full((len(counts), 1), np.nan), counts[:, :-1]])
    first = counts[:, :1]
    result = pd.DataFrame(
        {
            "is_total": np.repeat(is_total, len(STAGES)),
            "channel": np.repeat(names, len(STAGES)),
            "stage": np.tile(STAGES, len(counts)),
            "stage_order": np.tile(np.arange(1, len(STAGES) + 1), len(counts)),
            "count_events": counts.ravel().astype("int64"),
            "share_of_previous": (counts / np.where(previous == 0, np.nan, previous)).ravel(),
            "share_of_first": (counts / np.where(first == 0, np.nan, first)).ravel(),
        }
    )
    result["is_special"] = result["channel"].str.startswith("(")
    return result.sort_values(
        ["is_total", "is_special", "channel", "stage_order"], ignore_index=True
    ).drop(columns="is_special")


def reference_follow_up_speed(
    funnel, *, start_date, end_date, channels, owners, segments, sla_hours
) -> pd.DataFrame:
    """pandas version of queries/metrics/follow_up_speed.sql."""
    rows = _filtered(
        funnel,
        ["has_lead", "created_at", "channel", "owner", "hours_to_first_contact"],
        channels,
        owners,
        segments,
    )
    rows = rows[
        rows["has_lead"].to_numpy() & _in_period(rows["created_at"], _period(start_date, end_date))
    ]
    hours = rows["hours_to_first_contact"]
    within_sla = hours <= sla_hours  # NaN (never contacted) is False, as in SQL
    parts = []
    for grouped_by, keys in (
        ("channel", rows["channel"].to_numpy()),
        ("owner", rows["owner"].to_numpy()),
        ("all", np.full(len(rows), "(all leads)", dtype=object)),
    ):
        groups = hours.groupby(keys)
        summary = pd.DataFrame(
            {
                "count_leads": groups.size(),
                "count_contacted": groups.count(),
                # pandas' default interpolation is linear, like quantile_cont.
                **{
                    f"{label}_hours_to_first_contact": groups.quantile(quantile)
                    for label, quantile in PERCENTILES.items()
                },
                "count_within_sla": within_sla.groupby(keys).sum(),
            }
        )
        parts.append(summary.rename_axis("group_value").reset_index().assign(grouped_by=grouped_by))
    result = pd.concat(parts, ignore_index=True)
    result["count_never_contacted"] = result["count_leads"] - result["count_contacted"]
    result["share_within_sla"] = result["count_within_sla"] / result["count_leads"]
    columns = [
        "grouped_by",
        "group_value",
        "count_leads",
        "count_contacted",
        "count_never_contacted",
        "median_hours_to_first_contact",
        "p90_hours_to_first_contact",
        "p10_hours_to_first_contact",
        "p25_hours_to_first_contact",
        "p75_hours_to_first_contact",
        "count_within_sla",
        "share_within_sla",
    ]
    result["is_special"] = result["group_value"].str.startswith("(")
    return result.sort_values(["grouped_by", "is_special", "group_value"], ignore_index=True)[
        columns
    ]


def reference_revenue_by_channel(
    funnel, *, start_date, end_date, channels, owners, segments
) -> pd.DataFrame:
    """pandas version of queries/metrics/revenue_by_channel.sql."""
    rows = _filtered(
        funnel, ["count_deals", "channel", "created_at", "deals"], channels, owners, segments
    )
    rows = rows[rows["count_deals"].to_numpy() > 0]
    exploded = rows.explode("deals", ignore_index=True)
    deals = pd.DataFrame.from_records(
        exploded["deals"].tolist(),
        columns=["created_at", "closed_at", "is_won", "is_closed", "amount"],
    )
    period = _period(start_date, end_date)
    amount = deals["amount"].astype("float64")  # Decimal, None -> float, NaN
    closed_at = pd.to_datetime(deals["closed_at"])
    is_closed_in_period = _in_period(closed_at, period)
    is_won_in_period = deals["is_won"].to_numpy(dtype=bool) & is_closed_in_period
    is_closed = deals["is_closed"].to_numpy(dtype=bool)
    deal_created_at = pd.to_datetime(deals["created_at"])
    is_created_in_period = _in_period(deal_created_at, period)
    is_open_from_period = ~is_closed & is_created_in_period
    days_lead_to_won = (closed_at - exploded["created_at"]).dt.total_seconds() / 86_400
    sales_cycle_days = (closed_at - deal_created_at).dt.total_seconds() / 86_400
    measures = pd.DataFrame(
        {
            "won_amount": amount.where(is_won_in_period),
            "is_won": is_won_in_period,
            "is_closed": is_closed & is_closed_in_period,
            "days_lead_to_won": days_lead_to_won.where(is_won_in_period),
            "sales_cycle_days": sales_cycle_days.where(is_won_in_period),
            "is_opportunity": is_created_in_period,
            "open_amount": amount.where(is_open_from_period),
            "is_open": is_open_from_period,
        }
    )
    parts = []
    for is_total, keys in (
        (False, exploded["channel"].to_numpy()),
        (True, np.full(len(measures), "(all channels)", dtype=object)),
    ):
        summary = measures.groupby(keys).agg(
            won_revenue=("won_amount", "sum"),
            count_won_deals=("is_won", "sum"),
            count_closed_deals=("is_closed", "sum"),
            median_days_lead_to_won=("days_lead_to_won", "median"),
            average_sales_cycle_days=("sales_cycle_days", "mean"),
            count_opportunities=("is_opportunity", "sum"),
            open_pipeline=("open_amount", "sum"),
            count_open_deals=("is_open", "sum"),
        )
        parts.append(summary.rename_axis("channel").reset_index().assign(is_total=is_total))
    result = pd.concat(parts, ignore_index=True)
    result = result[result["count_closed_deals"] + result["count_opportunities"] > 0].copy()
    result["average_won_deal"] = result["won_revenue"] / result["count_won_deals"].replace(
        0, np.nan
    )
    result["win_rate"] = result["count_won_deals"] / result["count_closed_deals"].replace(0, np.nan)
    result["pipeline_velocity_per_day"] = (
        result["count_opportunities"]
        * result["average_won_deal"]
        * result["win_rate"]
        / result["average_sales_cycle_days"].replace(0, np.nan)
    )
    columns = [
        "is_total",
        "channel",
        "won_revenue",
        "count_won_deals",
        "average_won_deal",
        "win_rate",
        "count_closed_deals",
        "median_days_lead_to_won",
        "open_pipeline",
        "count_open_deals",
        "count_opportunities",
        "average_sales_cycle_days",
        "pipeline_velocity_per_day",
    ]
    result["is_special"] = result["channel"].str.startswith("(")
    return result.sort_values(
        ["is_total", "is_special", "won_revenue", "channel"],
        ascending=[True, True, False, True],
        ignore_index=True,
    )[columns]


REFERENCES: dict[str, Callable[..., pd.DataFrame]] = {
    "conversion_by_channel": reference_conversion_by_channel,
    "follow_up_speed": reference_follow_up_speed,
    "revenue_by_channel": reference_revenue_by_channel,
}
# The columns that name a row of each metric; the rest are compared as values.
ROW_KEYS: dict[str, list[str]] = {
    "conversion_by_channel": ["is_total", "channel", "stage"],
    "follow_up_speed": ["grouped_by", "group_value"],
    "revenue_by_channel": ["is_total", "channel"],
}


def metric_params(name: str, start_date: date, end_date: date, channels=None) -> dict:
    """The parameters a page binds for metric ``name`` (no owner or segment filter)."""
    params = {
        "start_date": start_date,
        "end_date": end_date,
        "channels": channels,
        "owners": None,
        "segments": None,
    }
    if name == "follow_up_speed":
        params["sla_hours"] = SLA_HOURS
    return params


def mismatches(
    name: str,
    duckdb_result: pd.DataFrame,
    pandas_result: pd.DataFrame,
    tolerance: float = RELATIVE_TOLERANCE,
) -> list[str]:
    """How two results of metric ``name`` differ, row by row; empty when they agree.

    Rows are matched by their keys, so row order is not compared.
    """
    if list(duckdb_result.columns) != list(pandas_result.columns):
        return [
            f"{name}: columns differ: {list(duckdb_result.columns)} (DuckDB) vs "
            f"{list(pandas_result.columns)} (pandas)"
        ]
    keys = ROW_KEYS[name]
    left = duckdb_result.set_index(keys).sort_index()
    right = pandas_result.set_index(keys).sort_index()
    problems = [f"{name}: row {key} only in DuckDB" for key in left.index.difference(right.index)]
    problems += [f"{name}: row {key} only in pandas" for key in right.index.difference(left.index)]
    common = left.index.intersection(right.index)
    left, right = left.loc[common], right.loc[common]
    for column in left.columns:
        ours, theirs = left[column].to_numpy(), right[column].to_numpy()
        if pd.api.types.is_numeric_dtype(left[column]):
            same = np.isclose(
                ours.astype(float), theirs.astype(float), rtol=tolerance, atol=0, equal_nan=True
            )
        else:
            same = ours == theirs
        problems += [
            f"{name}: row {key}, {column}: DuckDB {a!r}, pandas {b!r}"
            for key, a, b in zip(common[~same], ours[~same], theirs[~same], strict=True)
        ]
    return problems


# --- timing -------------------------------------------------------------------------------


@dataclass
class Timing:
    label: str
    seconds: list[float] = field(default_factory=list)

    @property
    def best_ms(self) -> float:
        return min(self.seconds) * 1000

    @property
    def median_ms(self) -> float:
        return statistics.median(self.seconds) * 1000


def _timed(function: Callable[[], object], timing: Timing) -> object:
    started = time.perf_counter()
    result = function()
    timing.seconds.append(time.perf_counter() - started)
    return result


def _repeat(label: str, function: Callable[[], object], repeat: int) -> Timing:
    timing = Timing(label)
    for _ in range(repeat):
        _timed(function, timing)
    return timing


@dataclass
class ViewBuild:
    staging: Timing
    marts: dict[str, Timing]  # by table, in build order
    commit: Timing


def time_view_build(con: duckdb.DuckDBPyConnection, repeat: int) -> ViewBuild:
    """Rebuild staging, then each mart, as revcycle.rebuild does, in one transaction per run."""
    staging = Timing("staging views (all stg_*)")
    marts = {table: Timing(f"view build: marts/{table}") for table in MART_TABLES}
    commit = Timing("commit of the rebuild")
    for _ in range(repeat):
        con.begin()
        try:
            _timed(
                lambda: [create_view(con, name) for name in query_names("staging")],
                staging,
            )
            for table, timing in marts.items():
                _timed(lambda t=table: materialise(con, f"marts/{t}"), timing)
        except BaseException:
            con.rollback()
            raise
        _timed(con.commit, commit)
    return ViewBuild(staging, marts, commit)


# --- upload of a leads export --------------------------------------------------------------

UPLOAD_RATIO_TARGET = 6.0  # full load ÷ DuckDB parsing the same file into a table (issue 4)
# The yardstick: DuckDB alone, every value kept as text (as the importer keeps it), and with
# its type sniffer, for comparison. The path is bound, never formatted in.
PARSE_AS_TEXT_SQL = (
    "create or replace table parsed as select * from read_csv($path, all_varchar = true)"
)
PARSE_TYPED_SQL = "create or replace table parsed as select * from read_csv($path)"


@dataclass
class UploadRun:
    """The upload part: DuckDB's parse alone and each step of the importer's full load."""

    parse_as_text: Timing
    parse_typed: Timing
    read: Timing  # read_export alone
    prepare: Timing  # read_export, mapping, parsing and validation
    commit: Timing  # commit_upload, mode replace: preview, archive, rebuild, commit
    full: Timing  # prepare + commit, run by run
    file_mib: float
    count_rows_in_file: int
    count_rows_loaded: int
    count_raw_leads: int  # raw_leads after the last timed commit
    count_problems: int
    load_before: float  # 1-minute load average when the part began
    load_after: float = 0.0
    peak_rss_mib: float = 0.0

    @property
    def failures(self) -> list[str]:
        """Why the runs did not time the full load of every lead; empty when they did."""
        failures = []
        if self.count_rows_loaded != self.count_rows_in_file:
            failures.append(
                f"{self.count_rows_in_file - self.count_rows_loaded:,} of "
                f"{self.count_rows_in_file:,} rows rejected"
            )
        if self.count_raw_leads != self.count_rows_loaded:
            failures.append(
                f"raw_leads holds {self.count_raw_leads:,} rows after the commit, not "
                f"{self.count_rows_loaded:,}"
            )
        return failures


def time_upload(db_file: Path, leads_csv: Path, repeat: int, folder: Path) -> UploadRun:
    """Time DuckDB parsing ``leads_csv`` alone against the importer loading it into ``db_file``.

    Each run parses the file with DuckDB (as text, then typed) in an in-memory database, reads
    it with read_export, then loads it as the CLI does — prepare, then commit_upload in replace
    mode — into a fresh copy of ``db_file`` (which the benchmark built through the same
    importer), so every run does the same work. ``db_file`` itself is not changed.
    """
    load_before = os.getloadavg()[0]
    template = folder / "upload-template.duckdb"
    shutil.copyfile(db_file, template)

    size = leads_csv.stat().st_size
    run = UploadRun(
        parse_as_text=Timing("DuckDB alone: read_csv(all_varchar = true) into a table"),
        parse_typed=Timing("DuckDB alone: read_csv (types sniffed) into a table"),
        read=Timing("read_export: sniff, read as text, line numbers"),
        prepare=Timing("prepare: read_export + map + parse + validate"),
        commit=Timing("commit_upload (replace): preview, archive, rebuild, commit"),
        full=Timing("full load: prepare + commit_upload"),
        file_mib=size / 2**20,
        count_rows_in_file=0,
        count_rows_loaded=0,
        count_raw_leads=0,
        count_problems=0,
        load_before=load_before,
    )
    parse_con = duckdb.connect()  # in memory: the yardstick writes no file
    copy = folder / "upload-run.duckdb"
    try:
        for _ in range(repeat):
            # Interleaved, so that a busy moment on the machine falls on every step alike.
            for sql, timing in (
                (PARSE_AS_TEXT_SQL, run.parse_as_text),
                (PARSE_TYPED_SQL, run.parse_typed),
            ):
                _timed(
                    lambda s=sql: parse_con.execute(s, {"path": str(leads_csv)}).fetchall(),
                    timing,
                )
            parse_con.execute("drop table parsed")
            _timed(lambda: read_export(leads_csv, max_bytes=size), run.read)

            shutil.copyfile(template, copy)  # not timed
            con = connect(copy)
            try:
                prepared = _timed(
                    lambda c=con: prepare(c, leads_csv, kind="leads", max_bytes=size), run.prepare
                )
                meta = prepared.meta()
                _timed(
                    lambda c=con, p=prepared, m=meta: commit_upload(
                        c, p.kind, p.rows, "replace", m
                    ),
                    run.commit,
                )
                run.full.seconds.append(run.prepare.seconds[-1] + run.commit.seconds[-1])
                run.count_rows_in_file = prepared.count_rows_in_file
                run.count_rows_loaded = prepared.count_rows_loaded
                run.count_problems = len(prepared.problems)
                run.count_raw_leads = con.execute("select count(*) from raw_leads").fetchone()[0]
                del prepared, meta  # before the next run reads the file again
            finally:
                con.close()
            copy.unlink()
    finally:
        parse_con.close()
        template.unlink()
    run.load_after = os.getloadavg()[0]
    run.peak_rss_mib = peak_rss_mib()
    return run


def _upload_heading(count_rows: int | None) -> str:
    if count_rows is None:
        return "### Upload of a leads export"
    rows = "1M" if count_rows == 1_000_000 else f"{count_rows:,}"
    return f"### Upload of a {rows}-row leads export"


def upload_report(run: UploadRun | None, repeat: int, skipped: str | None = None) -> list[str]:
    """The upload timings as markdown lines: the method, then a table of their own."""
    lines = [_upload_heading(run.count_rows_in_file if run else None), ""]
    if run is None:
        return [*lines, f"Skipped: {skipped}.", ""]
    base_ms = run.parse_as_text.median_ms
    ratio = run.full.median_ms / base_ms
    # On a busy machine one slow yardstick run moves the median a lot: show bests too.
    best_ratio = f"(best to best {run.full.best_ms / run.parse_as_text.best_ms:.1f}×)"
    if run.failures:
        verdict = "**failed**: " + "; ".join(run.failures)
    elif ratio <= UPLOAD_RATIO_TARGET:
        verdict = f"yes {best_ratio}"
    else:
        verdict = f"**no**: {ratio:.1f}× > {UPLOAD_RATIO_TARGET:.0f}× {best_ratio}"

    def row(label: str, times: str, median_ms: float, target: str = "—", met: str = "—") -> str:
        return f"| {label} | {times} | {median_ms / base_ms:.1f}× | {target} | {met} |"

    def timed(timing: Timing, target: str = "—", met: str = "—") -> str:
        times = (
            f"{timing.best_ms:,.1f} (once)"
            if len(timing.seconds) == 1
            else f"{timing.best_ms:,.1f} / {timing.median_ms:,.1f}"
        )
        return row(timing.label, times, timing.median_ms, target, met)

    map_validate_ms = run.prepare.median_ms - run.read.median_ms
    return [
        *lines,
        f"- Method: the generated leads.csv ({run.count_rows_in_file:,} data lines, "
        f"{run.file_mib:,.0f} MiB, the generic Revcycle format), {repeat} runs, each step once "
        "per run in turn. The yardstick is DuckDB alone parsing the file into a table in an "
        f"in-memory database with its default threads, every value as text (`{PARSE_AS_TEXT_SQL}`"
        "; the importer reads every value as text too, then parses it); the × column divides "
        "each step's "
        "median by the yardstick's. The typed read_csv is shown for comparison. The full load "
        "is what `python -m revcycle load leads.csv --kind leads --mode replace` does, run by "
        "run: prepare (read_export, preset detection and mapping, parsing each column, the "
        "contract's rules, the channel rules) then commit_upload (comparing with what is loaded, "
        "archiving the file and its rows, which then are the loaded leads, rebuilding the marts, "
        "commit), into a fresh copy of the benchmark's database (the generated data, loaded "
        "through the same importer), copied before each run and not timed. Map + parse + "
        "validate is the difference of the prepare and read_export medians.",
        f"- Result: {run.count_rows_loaded:,} rows loaded, "
        f"{run.count_rows_in_file - run.count_rows_loaded:,} rejected, "
        f"{run.count_problems:,} problems; raw_leads holds {run.count_raw_leads:,} rows after "
        f"the commit. Load average (1 min) before this part {run.load_before:.2f}, after "
        f"{run.load_after:.2f}; peak RSS of this process after it {run.peak_rss_mib:,.0f} MiB.",
        "",
        "| step | best / median ms | × DuckDB parse as text (medians) | target | met? |",
        "|---|---:|---:|---|---|",
        timed(run.parse_as_text, "the yardstick"),
        timed(run.parse_typed),
        timed(run.read),
        row(
            "map + parse + validate (prepare − read_export)",
            f"— / {map_validate_ms:,.1f}",
            map_validate_ms,
        ),
        timed(run.prepare),
        timed(run.commit),
        timed(run.full, f"≤ {UPLOAD_RATIO_TARGET:.0f}× DuckDB parse", verdict),
        "",
    ]


# --- the machine and the report -----------------------------------------------------------


def _first_field(path: str, prefix: str) -> str | None:
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except OSError:
        return None
    return next((line.split(":", 1)[1].strip() for line in lines if line.startswith(prefix)), None)


def machine() -> str:
    """One line describing the CPU, memory and library versions, and when it ran."""
    cpu = _first_field("/proc/cpuinfo", "model name") or platform.processor() or "unknown CPU"
    mem_kib = _first_field("/proc/meminfo", "MemTotal")
    ram = f"{int(mem_kib.split()[0]) / 2**20:.1f} GiB RAM" if mem_kib else "RAM unknown"
    return (
        f"{cpu}, {os.cpu_count()} cores, {ram}; Python {platform.python_version()}, "
        f"DuckDB {duckdb.__version__}, pandas {pd.__version__}, numpy {np.__version__}; "
        f"{platform.system()} {platform.release()}; {datetime.now():%Y-%m-%d %H:%M}"
    )


def peak_rss_mib(who: int = resource.RUSAGE_SELF) -> float:
    """Peak resident set size so far, in MiB (ru_maxrss is KiB on Linux, bytes on macOS)."""
    peak = resource.getrusage(who).ru_maxrss
    return peak / 2**20 if sys.platform == "darwin" else peak / 2**10


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
    page_rows: list | None = None,  # revcycle.ui.page_timing.PageRow
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
        from revcycle.ui.page_timing import pages_report  # ui/ is not imported at the top

        lines += pages_report(page_rows)
    if browser_lines:
        lines += browser_lines
    if upload_lines:
        lines += upload_lines
    return "\n".join(lines)


# --- the run ------------------------------------------------------------------------------


def _generate(folder: Path, n_leads: int) -> tuple[Path, Path]:
    # In a child process, so the generator's DataFrames do not count in this process's peak
    # memory, which is then DuckDB's (in-process) plus the Python around it.
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        return pool.submit(sample.write, folder, n_leads).result()


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
    started = time.perf_counter()
    leads_csv, deals_csv = _generate(folder, n_leads)
    generate_s = time.perf_counter() - started
    # Read now: the browser part's server and Chromium are children too, and would count.
    generator_peak_mib = peak_rss_mib(resource.RUSAGE_CHILDREN)

    con = connect(folder / "bench.duckdb")  # threads: DuckDB's default
    load = Timing("load + build from CSV (both files through the importer)")
    info = _timed(lambda: build(con, {"leads": leads_csv, "deals": deals_csv}), load)
    view = time_view_build(con, repeat)

    period = execute(con, "metrics/data_period")
    end_date = period["last_date"].iloc[0].date()
    start_date = end_date - timedelta(weeks=PERIOD_WEEKS) + timedelta(days=1)
    values = execute(con, "metrics/filter_values")
    busiest = values[
        (values["dimension"] == "channel") & ~values["dimension_value"].str.startswith("(")
    ]
    channels = busiest["dimension_value"].head(2).tolist()

    cases = [
        (name, label, metric_params(name, start_date, end_date, filter_value))
        for name in REFERENCES
        for label, filter_value in (("no filter", None), ("channel filter", channels))
    ]
    # One untimed run each first: the results to check, and a warm cache for the timed runs.
    results = {
        (name, label): execute(con, f"metrics/{name}", **params) for name, label, params in cases
    }
    duckdb_timings = {
        (name, label): _repeat(
            name, lambda n=name, p=params: execute(con, f"metrics/{n}", **p), repeat
        )
        for name, label, params in cases
    }
    lookups = [
        _repeat(f"metrics/{name} (lookup)", lambda n=name: execute(con, f"metrics/{n}"), repeat)
        for name in ("filter_values", "data_period")
    ]
    duckdb_peak_mib = peak_rss_mib()
    duckdb_memory_mib = (
        con.execute("select sum(memory_usage_bytes) from duckdb_memory()").fetchone()[0] / 2**20
    )
    threads = con.execute("select current_setting('threads')").fetchone()[0]
    count_deals_exploded = con.execute(
        "select coalesce(sum(count_deals), 0) from funnel_revenue"
    ).fetchone()[0]

    funnel = con.execute("select * from funnel_revenue").df()  # fetched once, not timed
    problems = [
        problem
        for name, label, params in cases
        for problem in mismatches(name, results[name, label], REFERENCES[name](funnel, **params))
    ]
    pandas_timings = {
        (name, label): _repeat(name, lambda n=name, p=params: REFERENCES[n](funnel, **p), repeat)
        for name, label, params in cases
    }
    con.close()  # the app opens the file itself, as the dashboard does

    # Here, while no connection holds the file: the upload part copies it, and loads the copies.
    upload_run = time_upload(folder / "bench.duckdb", leads_csv, repeat, folder) if upload else None
    upload_failed = upload_run is not None and bool(upload_run.failures)

    # The browser part comes before the AppTest pages: its streamlit server opens the file
    # read-write, which DuckDB allows one process at a time, and here this process holds no
    # connection (the one above is closed, explicitly). After time_pages it would still hold
    # one: st.cache_resource.clear() drops the app's cached connection, but AppTest and the
    # query-counting mock keep it in reference cycles, so the file stays locked until a
    # garbage collection happens to run. Neither part changes the file.
    from revcycle.ui import browser_timing  # not at the top: revcycle/ keeps ui/ out

    fewest, most = BROWSER_CHANNELS
    browser_channels = busiest["dimension_value"].head(min(max(repeat, fewest), most)).tolist()
    browser_run = None
    browser_skipped = "--skip-browser was given" if not browser else browser_timing.skip_reason()
    if browser_skipped is None:
        browser_run = browser_timing.time_browser(
            folder / "bench.duckdb", browser_channels, repeat, folder
        )

    if pages:
        from revcycle.ui.page_timing import time_pages  # ui/ is not imported at the top

        page_rows = time_pages(folder / "bench.duckdb", channels[0], repeat)
    else:
        page_rows = []
    pages_failed = any(row.failures for row in page_rows)

    rows = [
        Row(load.label, load),
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
    load_after = os.getloadavg()
    facts = [
        f"Machine: {machine()}; DuckDB threads {threads}.",
        # Wall-clock times on a shared 2-core box swing with whatever else runs; say so.
        f"Load average (1 min) at start {load_before[0]:.2f}, at end {load_after[0]:.2f}.",
        f"Data: {n_leads:,} leads generated → {info.count_leads:,} leads, "
        f"{info.count_deals:,} deals, {info.count_funnel_rows:,} funnel_revenue rows "
        f"({count_deals_exploded:,} deals in its lists); generating the CSVs took "
        f"{generate_s:,.1f} s (not in the table).",
        f"Metric parameters: {start_date} to {end_date} ({PERIOD_WEEKS} weeks ending at the "
        f"data's last date), no owner or segment filter, sla_hours {SLA_HOURS}; channel "
        f"filter = {channels}.",
        f"Runs: {repeat} per row (load once). Metric times go through revcycle.db.execute, "
        "so they include fetching the result as a DataFrame; the checked run comes first "
        "and is not timed. pandas works from funnel_revenue fetched once as a DataFrame.",
        "View build: each run replaces the stg_* views, then the marts in build order "
        f"({', '.join(MART_TABLES)}), in one transaction, as revcycle.rebuild does; the "
        "commit is timed on its own.",
        f"Peak RSS of this process after the DuckDB part: {duckdb_peak_mib:,.0f} MiB "
        f"(DuckDB runs in-process, so this includes its buffers; duckdb_memory() reported "
        f"{duckdb_memory_mib:,.0f} MiB in use at that point). After the pandas part: "
        f"{peak_rss_mib():,.0f} MiB. The generator ran in a child process: peak "
        f"{generator_peak_mib:,.0f} MiB.",
        "Check: pandas and DuckDB results "
        + ("agree" if not problems else f"DISAGREE ({len(problems)} values)")
        + f" for all {len(cases)} metric runs (relative tolerance {RELATIVE_TOLERANCE:g}).",
    ]
    if page_rows:
        facts += [
            "Pages: each row times a full run of dashboard.py (the sidebar filters and the "
            "page) under streamlit.testing.v1.AppTest, in this process, on the same database "
            f"file; {repeat} runs per row. That is the server side of a page view plus "
            "AppTest reading the page's elements back, without the browser. Cold: "
            "st.cache_data and st.cache_resource cleared and a new session, so the run opens "
            "the app's DuckDB connection and sends every query. Warm: that session run "
            "again; st.cache_data is process-wide, so the cache outlives a run (0 queries "
            "sent is the check). Filter change: a new session's overview run once, untimed, "
            f"then the channel filter set to {channels[0]!r} (the busiest channel). A run "
            "with an exception, an error box or no KPI tiles marks its row failed.",
            f"Peak RSS of this process after the pages: {peak_rss_mib():,.0f} MiB.",
        ]
    if browser_run is not None:
        facts.append(
            f"Browser: Debian's Chromium {browser_run.browser_version}, headless, driven by "
            "Playwright against `streamlit run dashboard.py`, a server process of its own on "
            "the same database file (run before the AppTest pages, once this process had "
            "closed its connection). Times come from the page's own clock (performance.now() "
            "at animation frames), so they span the websocket, the server's script run, the "
            "transfer and the drawing. First load, cold: "
            f"{repeat} runs, each on a new server and a new browser context; warm: the last "
            f"of those tabs reloaded {repeat} times. Filter change, on that warm tab: each of "
            f"{browser_run.channels} (the busiest channels) chosen in the sidebar's Channels "
            "list (uncached: no session on that server had chosen it) and removed again (back "
            "to all channels: cached), then each chosen and removed a second time (cached). "
            "An error box, a timeout or a Leads value that changes again after its first "
            "change marks a row failed; the server's log then goes to stderr."
        )
    browser_failed = browser_run is not None and browser_run.failed
    markdown = report(
        rows,
        facts,
        problems,
        page_rows,
        browser_timing.browser_report(browser_run, browser_skipped),
        upload_report(upload_run, repeat, "--skip-upload was given"),
    )
    ok = not problems and not pages_failed and not browser_failed and not upload_failed
    return markdown, ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m revcycle.bench",
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
