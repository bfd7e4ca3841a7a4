"""Benchmark of spend at scale: ``python -m benchmarks.spend --leads 1000000 [--campaigns 40]
[--days 365] [--repeat 5] [--folder DIR]``, from the repository's root.

Generates the scaled sample (in a child process; with ``--folder``, its exports are reused when
there) and a year of daily spend per campaign (``spend_year.csv``: ``--campaigns`` paid search
campaigns a day for ``--days`` days, with the sample's monthly bills over the same days), loads
the leads, deals and touches through the importer (``build``), then times loading the spend
file as an upload is loaded: reading and checking it, then the commit with its rebuild. Then
stg_spend read whole and by channel and month, as a metric reads it; and again once a month of
spend from a source no channel rule knows is loaded, so every read looks the campaigns up among
the leads and touches. It measures and prints a markdown table; it asserts nothing.
"""

import argparse
import tempfile
from datetime import timedelta
from pathlib import Path

from benchmarks.attribution import generate_and_build
from benchmarks.timing import Timing, machine, peak_rss_mib, repeated, timed
from revcycle import sample, sample_spend
from revcycle.db import connect
from revcycle.importer.load import commit_upload
from revcycle.importer.validate import prepare

SPEND_FILE = "spend_year.csv"
UNMAPPED_FILE = "spend_unmapped_month.csv"
_READ_WHOLE = "select count(*), sum(amount) from stg_spend"
_BY_CHANNEL_AND_MONTH = (
    "select channel, date_trunc('month', spend_date) as month, sum(amount) as amount "
    "from stg_spend group by all"
)


def write_spend_year(folder: Path, count_campaigns: int, count_days: int) -> tuple[Path, Path]:
    """The year of daily spend per campaign, ending the day before the sample's snapshot; and a
    month of it from a source no rule knows, under the sample's own campaign names."""
    last_day = sample.SNAPSHOT_AT.date() - timedelta(days=1)
    period = sample_spend.Period(last_day - timedelta(days=count_days - 1), last_day)
    daily_eur = {f"Search campaign {n:02d}": 40.0 + 5 * n for n in range(count_campaigns)}
    sample_spend.write(folder / SPEND_FILE, period, seed=sample.SEED, daily_eur=daily_eur)
    month = sample_spend.Period(last_day - timedelta(days=29), last_day)
    unmapped = folder / UNMAPPED_FILE
    sample_spend.write(unmapped, month, seed=sample.SEED, daily_eur=sample_spend.DAILY_EUR)
    text = unmapped.read_text(encoding="utf-8").replace(sample_spend.DAILY_SOURCE, "DSP invoice")
    unmapped.write_text(text, encoding="utf-8")
    return folder / SPEND_FILE, unmapped


def _load_timed(con, path: Path) -> list[Timing]:
    """The spend file loaded as the page and the CLI load it, in two timed steps."""
    checked = Timing(f"read + check {path.name} (prepare)")
    committed = Timing(f"commit {path.name} + rebuild (staging views: no mart reads spend)")
    prepared = timed(lambda: prepare(con, path, kind="spend"), checked)
    timed(
        lambda: commit_upload(
            con, "spend", prepared.rows, "merge", prepared.meta(), changed_by="benchmark"
        ),
        committed,
    )
    checked.label += f": {prepared.count_rows_loaded:,} rows"
    return [checked, committed]


def _reads(con, label: str, repeat: int) -> list[Timing]:
    return [
        repeated(
            f"stg_spend read whole{label}", lambda: con.execute(_READ_WHOLE).fetchall(), repeat
        ),
        repeated(
            f"stg_spend by channel and month{label}",
            lambda: con.execute(_BY_CHANNEL_AND_MONTH).fetchall(),
            repeat,
        ),
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.spend")
    parser.add_argument("--leads", type=int, default=1_000_000)
    parser.add_argument("--campaigns", type=int, default=40)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument(
        "--folder", type=Path, help="generate into (or reuse the exports of) this folder"
    )
    args = parser.parse_args(argv)
    print(machine())
    folder = args.folder or Path(tempfile.mkdtemp())
    db_file = generate_and_build(folder, args.leads, "spend.duckdb")
    spend_file, unmapped_file = write_spend_year(folder, args.campaigns, args.days)
    con = connect(db_file)
    try:
        timings = _load_timed(con, spend_file)
        days = con.execute("select count(*) from stg_spend").fetchone()[0]
        timings += _reads(con, f" ({days:,} rows)", args.repeat)
        timings += _load_timed(con, unmapped_file)
        timings += _reads(con, ", a source no rule knows", args.repeat)
        counts = con.execute(
            "select (select count(*) from raw_leads), (select count(*) from raw_touches), "
            "(select count(*) from upload_rows_spend)"
        ).fetchone()
    finally:
        con.close()
    print("leads {:,}, touches {:,}, spend rows stored {:,}".format(*counts))
    print("\n| step | best / median ms |\n|---|---:|")
    for timing in timings:
        print(f"| {timing.label} | {timing.best_ms:,.1f} / {timing.median_ms:,.1f} |")
    print(f"\npeak memory of this process: {peak_rss_mib():,.0f} MiB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
