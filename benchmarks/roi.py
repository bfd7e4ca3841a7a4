"""Benchmark of the cost and return figures at scale: ``python -m benchmarks.roi --leads
1000000 [--campaigns 40] [--repeat 5] [--folder DIR] [--db FILE] [--skip-pages]``, from the
repository's root.

Generates the scaled sample with its touches (benchmarks.attribution.generate_and_build; with
``--folder``, the exports there are reused) and a year of daily spend per campaign
(benchmarks.spend.write_spend_year: ``--campaigns`` paid search campaigns a day, with the
sample's monthly bills for content, LinkedIn and trade shows), loads them through the importer,
then times in the same run: each spend query in DuckDB against the same metric in plain pandas
from ``stg_spend``'s rows fetched once (checked to agree first), the attribution journeys of a
cohort, the whole cost-and-return report (``revcycle.roi.report.per_channel``), and the Overview
and Revenue pages under AppTest, cold and warm. Periods: the data's last 12 weeks, and its last
year. With ``--db`` it reuses a database built before. It measures and prints markdown; it
asserts nothing.
"""

import argparse
import functools
import tempfile
from datetime import timedelta
from pathlib import Path

import numpy as np
import pandas as pd

from benchmarks import pages as page_timing
from benchmarks.attribution import generate_and_build
from benchmarks.spend import write_spend_year
from benchmarks.timing import Timing, machine, peak_rss_mib, repeated
from revcycle.attribution import report as attribution
from revcycle.db import connect, execute
from revcycle.importer.channels import source_keys
from revcycle.roi import report
from tests.support.spend import load_spend

METRIC_TARGET_MS = 100  # the existing query target at 1M leads
RATIO_TARGET = 3.0  # and at least this many times faster than pandas
PERIOD_WEEKS = 12


def build_with_spend(folder: Path, n_leads: int, count_campaigns: int) -> Path:
    """The scaled sample and a year of its daily spend, loaded through the importer."""
    db_file = generate_and_build(folder, n_leads, "roi.duckdb")
    spend_file, _ = write_spend_year(folder, count_campaigns, 365)
    con = connect(db_file)
    try:
        load_spend(con, spend_file)
    finally:
        con.close()
    return db_file


STORED_SPEND_ROWS = """
    select upload_id, date_from, date_to, source, campaign, amount, currency
    from upload_rows_spend
    where upload_id in (select upload_id from loaded_uploads where kind = 'spend')
"""


def reference_stg_spend(stored: pd.DataFrame, rules: pd.DataFrame) -> pd.DataFrame:
    """pandas version of queries/staging/stg_spend.sql from the stored export rows and the
    channel rules: each row spread over its days in cents (the first cents-mod-n days take a
    cent more), then per day, channel and campaign only the newest upload counted. Sources the
    rules do not map are "(unmapped)" here (the SQL also looks their campaign up among leads
    and touches; the benchmark's sources are all mapped)."""
    sources = stored["source"].dropna().unique().tolist()
    keys = dict(zip(sources, source_keys(sources), strict=True))
    by_key = rules.set_index("source_key")["channel"]
    channel = stored["source"].map(keys).map(by_key).fillna("(unmapped)")
    date_from = pd.to_datetime(stored["date_from"])
    date_to = pd.to_datetime(stored["date_to"]).fillna(date_from)
    count_days = ((date_to - date_from).dt.days + 1).to_numpy()
    cents = (stored["amount"].astype(float) * 100).round().astype("int64").to_numpy()
    row = np.repeat(np.arange(len(stored)), count_days)
    day_index = np.arange(len(row)) - np.repeat(np.cumsum(count_days) - count_days, count_days)
    extra = (day_index < (cents % count_days)[row]).astype("int64")
    days = pd.DataFrame(
        {
            "upload_id": stored["upload_id"].to_numpy()[row],
            "spend_date": date_from.to_numpy()[row] + day_index.astype("timedelta64[D]"),
            "channel": channel.to_numpy()[row],
            "campaign": stored["campaign"].to_numpy()[row],
            "currency": stored["currency"].str.upper().to_numpy()[row],
            "amount_cents": (cents // count_days)[row] + extra,
        }
    )
    keys = ["spend_date", "channel", "campaign"]
    newest = days.groupby(keys, dropna=False)["upload_id"].transform("max")
    counted = days[days["upload_id"] == newest]
    return counted.groupby([*keys, "currency"], dropna=False, as_index=False)["amount_cents"].sum()


def reference_spend_by_channel(spend: pd.DataFrame, start_date, end_date, channels, currency):
    """pandas version of queries/metrics/spend_by_channel.sql, from stg_spend's rows; a row
    stating no currency takes ``currency``; a channel in several currencies sums nothing."""
    days = spend["spend_date"].dt.date
    keep = (days >= start_date) & (days <= end_date)
    if channels is not None:
        keep &= spend["channel"].isin(channels)
    rows = spend[keep]
    rows = rows.assign(currency=rows["currency"].fillna(currency) if currency else rows["currency"])
    summed = rows.groupby("channel").agg(
        spend_cents=("amount_cents", "sum"),
        count_spend_days=("spend_date", "nunique"),
        count_campaigns=("campaign", "nunique"),
        count_currencies=("currency", lambda values: values.nunique(dropna=False)),
        currency=("currency", "first"),
    )
    mixed = summed["count_currencies"] > 1
    summed["spend_cents"] = summed["spend_cents"].astype("Int64").mask(mixed)
    summed["currency"] = summed["currency"].mask(mixed)
    summed["is_spend_mixed"] = mixed
    summed = summed.drop(columns="count_currencies").reset_index()
    order = summed.sort_values(
        ["spend_cents", "channel"], ascending=[False, True], na_position="last"
    )
    return order.reset_index(drop=True)


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
    """Each spend query timed against its pandas version, after checking they agree: from
    stg_spend's rows fetched once, and, the same work as the SQL's, from the stored rows."""
    start, end = period
    stored = con.execute(STORED_SPEND_ROWS).df()
    rules = con.execute("select source_key, channel from stg_channel_rules").df()
    cases = {
        "metrics/spend_by_channel (no filter)": (
            {"start_date": start, "end_date": end, "channels": None, "default_currency": "EUR"},
            lambda: reference_spend_by_channel(spend, start, end, None, "EUR"),
        ),
        "metrics/spend_by_channel (channel filter)": (
            {"start_date": start, "end_date": end, "channels": channels, "default_currency": "EUR"},
            lambda: reference_spend_by_channel(spend, start, end, channels, "EUR"),
        ),
        "metrics/spend_by_channel (pandas from the stored rows, spreading too)": (
            {"start_date": start, "end_date": end, "channels": None, "default_currency": "EUR"},
            lambda: reference_spend_by_channel(
                reference_stg_spend(stored, rules), start, end, None, "EUR"
            ),
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
    parser = argparse.ArgumentParser(prog="python -m benchmarks.roi")
    parser.add_argument("--leads", type=int, default=1_000_000)
    parser.add_argument("--campaigns", type=int, default=40)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--db", type=Path, help="a database built before (skips generating)")
    parser.add_argument("--folder", type=Path, help="generate into (or reuse) this folder")
    parser.add_argument("--skip-pages", action="store_true", help="leave the AppTest pages out")
    args = parser.parse_args(argv)
    print(machine())
    folder = args.folder or Path(tempfile.mkdtemp())
    db_file = args.db or build_with_spend(folder, args.leads, args.campaigns)
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
        "select *, cast(amount * 100 as bigint) as amount_cents from stg_spend"
    ).df()
    busiest = spend.groupby("channel")["amount_cents"].sum().nlargest(2).index.tolist()
    spend_rows = _spend_rows(con, spend, weeks, busiest, args.repeat)
    report_rows = [
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
