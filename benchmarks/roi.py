"""Benchmark of the cost and return figures at scale: ``python -m benchmarks.spend --leads
1000000 [--repeat 5] [--db FILE] [--folder DIR] [--skip-pages]``, from the repository's root.

Generates the scaled sample with its touches (in a child process) and a year of daily spend per
campaign up to the data's last day (``write_daily_spend``: the paid campaigns of the sample's
lead sources, one row per campaign and day), loads the four exports through the importer, then
times in the same run: the spend_days mart's build (stg_spend spread and stored), each spend
query in DuckDB against the same metric in plain pandas from ``spend_days`` fetched once
(checked to agree first), the attribution journeys of a cohort, the whole cost-and-return
report (``revcycle.roi.report.per_channel``), and the Overview and Revenue pages under AppTest,
cold and warm. Periods: the data's last 12 weeks, and its last year. With ``--db`` it reuses a
database built before. It measures and prints markdown; it asserts nothing.
"""

import argparse
import csv
import functools
import multiprocessing
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

from benchmarks import pages as page_timing
from benchmarks.run import upload_cap_for
from benchmarks.timing import Timing, machine, peak_rss_mib, repeated
from revcycle import contract, sample
from revcycle.attribution import report as attribution
from revcycle.build import build
from revcycle.db import connect, execute, materialise
from revcycle.roi import report

# The paid campaigns, by the source the ad platform's export names (data/channel_rules.csv
# maps each to its channel), and a typical day's spend in euros.
PAID_CAMPAIGNS = {
    "Google Ads": (sample.CAMPAIGNS["Paid Search"], 400.0),
    "LinkedIn Ads": (("LinkedIn ABM", "LinkedIn lead gen"), 250.0),
    "Trade Show": (sample.CAMPAIGNS["Trade Show"], 900.0),
    "Content Marketing": (sample.CAMPAIGNS["Content Marketing"], 120.0),
}
METRIC_TARGET_MS = 100  # the existing query target at 1M leads
RATIO_TARGET = 3.0  # and at least this many times faster than pandas
PERIOD_WEEKS = 12


def write_daily_spend(path: Path, last_day: date, days: int = 365, seed: int = 14) -> Path:
    """A generic spend export: every paid campaign, every day of the ``days`` up to
    ``last_day``, an amount drawn around the campaign's typical day, in EUR."""
    rng = np.random.default_rng(seed)
    first_day = last_day - timedelta(days=days - 1)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=contract.column_names("spend"))
        writer.writeheader()
        for source, (campaigns, typical) in PAID_CAMPAIGNS.items():
            for campaign in campaigns:
                amounts = rng.gamma(4.0, typical / 4.0, size=days)
                for offset, amount in enumerate(amounts):
                    writer.writerow(
                        {
                            "date_from": f"{first_day + timedelta(days=offset)}",
                            "source": source,
                            "campaign": campaign,
                            "amount": f"{amount:.2f}",
                            "currency": "EUR",
                        }
                    )
    return path


def _generate_and_build(folder: Path, n_leads: int) -> Path:
    exports = {kind: folder / f"{kind}.csv" for kind in ("leads", "deals", "touches")}
    if not all(path.exists() for path in exports.values()):
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
            pool.submit(sample.write, folder, n_leads).result()
    exports["spend"] = write_daily_spend(folder / "daily_spend.csv", sample.SNAPSHOT_AT.date())
    db_file = folder / "spend.duckdb"
    db_file.unlink(missing_ok=True)
    con = connect(db_file)
    started = time.perf_counter()
    with upload_cap_for(*exports.values()):
        build(con, exports)
    print(f"load + build of the four exports: {time.perf_counter() - started:.1f} s")
    con.close()
    return db_file


def reference_spend_by_channel(spend: pd.DataFrame, start_date, end_date, channels):
    """pandas version of queries/metrics/spend_by_channel.sql, from spend_days' rows."""
    days = spend["spend_date"].dt.date
    keep = (days >= start_date) & (days <= end_date)
    if channels is not None:
        keep &= spend["channel"].isin(channels)
    rows = spend[keep]
    summed = rows.groupby("channel").agg(
        spend_cents=("amount_cents", "sum"),
        count_spend_days=("spend_date", "nunique"),
        count_campaigns=("campaign", "nunique"),
    )
    summed = summed.reset_index().sort_values(["spend_cents", "channel"], ascending=[False, True])
    return summed.reset_index(drop=True)


def reference_spend_currencies(spend: pd.DataFrame, default_currency):
    """pandas version of queries/metrics/spend_currencies.sql: how many currencies, which."""
    currency = spend["currency"].fillna(default_currency) if default_currency else spend["currency"]
    days = spend.assign(currency=currency).groupby("currency", dropna=False)["spend_date"]
    per_currency = days.nunique()
    return pd.DataFrame(
        {
            "count_currencies": [len(per_currency)],
            "currency": [per_currency.index[0] if len(per_currency) == 1 else None],
        }
    )


def agrees(duckdb_result: pd.DataFrame, pandas_result: pd.DataFrame) -> bool:
    columns = list(pandas_result.columns)
    left = duckdb_result[columns].reset_index(drop=True).astype(object)
    right = pandas_result[columns].reset_index(drop=True).astype(object)
    return left.where(left.notna(), None).equals(right.where(right.notna(), None))


def _spend_rows(con, spend, period, channels, repeat) -> list[tuple]:
    """Each spend query timed against its pandas version, after checking they agree."""
    start, end = period
    cases = {
        "metrics/spend_by_channel (no filter)": (
            {"start_date": start, "end_date": end, "channels": None},
            lambda: reference_spend_by_channel(spend, start, end, None),
        ),
        "metrics/spend_by_channel (channel filter)": (
            {"start_date": start, "end_date": end, "channels": channels},
            lambda: reference_spend_by_channel(spend, start, end, channels),
        ),
        "metrics/spend_currencies": (
            {"default_currency": "EUR"},
            lambda: reference_spend_currencies(spend, "EUR"),
        ),
    }
    rows = []
    for label, (params, in_pandas) in cases.items():
        name = label.split(" ")[0]
        if not agrees(execute(con, name, **params), in_pandas()):
            print(f"DISAGREE: {label}")
        duckdb_timing = repeated(label, lambda n=name, p=params: execute(con, n, **p), repeat)
        rows.append((duckdb_timing, repeated(label, in_pandas, repeat)))
    return rows


def _report_rows(con, period, label, repeat) -> list[Timing]:
    query = functools.partial(execute, con)
    start, end = period
    return [
        repeated(
            f"{label}: attribution journeys of a cohort (revenue)",
            lambda: attribution.journeys(query, "revenue", start, end, cohort=True),
            repeat,
        ),
        *[
            repeated(
                f"{label}: report.per_channel, {model}{', cohort' if cohort else ''} end to end",
                lambda m=model, c=cohort: report.per_channel(
                    query, m, start, end, cohort=c, default_currency="EUR"
                ),
                repeat,
            )
            for model, cohort in (("lead_source", False), ("lead_source", True), ("linear", False))
        ],
    ]


def _print_tables(spend_rows, report_rows, page_rows) -> None:
    print(
        "\n| metric | DuckDB best / median ms | pandas best / median ms | ratio (medians) "
        "| target | met? |\n|---|---:|---:|---:|---|---|"
    )
    for duckdb_timing, pandas_timing in spend_rows:
        ratio = pandas_timing.median_ms / duckdb_timing.median_ms
        met = duckdb_timing.median_ms <= METRIC_TARGET_MS and ratio >= RATIO_TARGET
        print(
            f"| {duckdb_timing.label} | {duckdb_timing.best_ms:,.1f} / "
            f"{duckdb_timing.median_ms:,.1f} | {pandas_timing.best_ms:,.1f} / "
            f"{pandas_timing.median_ms:,.1f} | {ratio:.1f}× | ≤ {METRIC_TARGET_MS} ms, "
            f"≥ {RATIO_TARGET:.0f}× | {'yes' if met else '**no**'} |"
        )
    print("\n| step | best / median ms |\n|---|---:|")
    for timing in report_rows:
        print(f"| {timing.label} | {timing.best_ms:,.1f} / {timing.median_ms:,.1f} |")
    if page_rows:
        print("\n" + "\n".join(page_timing.pages_report(page_rows)))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.spend")
    parser.add_argument("--leads", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--db", type=Path, help="a database built before (skips generating)")
    parser.add_argument("--folder", type=Path, help="generate into (or reuse) this folder")
    parser.add_argument("--skip-pages", action="store_true", help="leave the AppTest pages out")
    args = parser.parse_args(argv)
    print(machine())
    db_file = args.db or _generate_and_build(args.folder or Path(tempfile.mkdtemp()), args.leads)
    con = connect(db_file)
    counts = con.execute(
        "select (select count(*) from raw_leads), (select count(*) from raw_deals), "
        "(select count(*) from raw_touches), (select count(*) from upload_rows_spend), "
        "(select count(*) from stg_spend)"
    ).fetchone()
    print(
        "leads {:,}, deals {:,}, touches {:,}, spend rows {:,}, stg_spend days {:,}".format(*counts)
    )
    last = execute(con, "metrics/data_period")["last_date"].iloc[0].date()
    weeks = (last - timedelta(weeks=PERIOD_WEEKS) + timedelta(days=1), last)
    year = (last - timedelta(days=364), last)
    spend = con.execute(
        "select *, cast(amount * 100 as bigint) as amount_cents from spend_days"
    ).df()
    busiest = spend.groupby("channel")["amount_cents"].sum().nlargest(2).index.tolist()
    spend_rows = _spend_rows(con, spend, weeks, busiest, args.repeat)
    report_rows = [
        repeated(
            "view build: marts/spend_days (stg_spend: spread, overlaps, channels; stored)",
            functools.partial(materialise, con, "marts/spend_days"),
            args.repeat,
        ),
        *_report_rows(con, weeks, "12 weeks", args.repeat),
        *_report_rows(con, year, "last year", args.repeat),
    ]
    con.close()
    page_rows = []
    if not args.skip_pages:
        pages = ("overview", "revenue")
        page_rows = page_timing.time_pages(db_file, busiest[0], args.repeat, pages)
    _print_tables(spend_rows, report_rows, page_rows)
    print(f"\npeak memory of this process: {peak_rss_mib():,.0f} MiB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
