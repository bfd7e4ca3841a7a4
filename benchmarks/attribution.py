"""Benchmark of attribution at scale: ``python -m benchmarks.attribution --leads 1000000
[--repeat 5] [--db FILE]``, from the repository's root.

Generates the scaled sample with its touches (in a child process, so its arrays do not count
in this process's peak memory), loads it through the importer (``build``), then times: the
deal_journeys mart on its own, the two queries the report runs, every model's credit at once,
Markov's solve, the whole side-by-side report, and a warm switch of the model (the queries'
results already cached, as on the page: one model's credit and its per-channel sums). Periods:
all time, and the last 12 weeks. Then, unless ``--skip-pages``, the attribution page itself
under AppTest, cold and warm, as ``benchmarks.run`` times the other pages. With ``--db`` it
reuses a database built before. It measures and prints markdown tables; it asserts nothing.
"""

import argparse
import functools
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from benchmarks.pages import pages_report, time_pages
from benchmarks.run import upload_cap_for
from benchmarks.timing import Timing, in_fresh_process, machine, peak_rss_mib, repeated, timed
from revcycle import sample, settings
from revcycle.attribution import report
from revcycle.attribution.models import MODELS, credit_all
from revcycle.build import build
from revcycle.db import connect, execute, materialise, memory_limit

ALL_TIME = (date(1900, 1, 1), date(9999, 12, 31))


def generate_and_build(folder: Path, n_leads: int, db_name: str = "attribution.duckdb") -> Path:
    """The scaled sample's leads, deals and touches (generated in a child process unless
    ``folder`` holds them) built through the importer into ``folder / db_name``, anew."""
    exports = {kind: folder / f"{kind}.csv" for kind in ("leads", "deals", "touches")}
    if not all(path.exists() for path in exports.values()):
        in_fresh_process(sample.write, folder, n_leads)
    db_file = folder / db_name
    db_file.unlink(missing_ok=True)
    con = connect(db_file)
    started = time.perf_counter()
    with upload_cap_for(*exports.values()):
        build(con, exports)
    print(f"load + build through the importer: {time.perf_counter() - started:.1f} s")
    con.close()
    return db_file


def _cached(con):
    """Runs each query once per parameters, as the page's cache does when warm."""
    results = {}

    def query(name, **params):
        key = (name, tuple(sorted((k, str(v)) for k, v in params.items())))
        if key not in results:
            results[key] = execute(con, name, **params)
        return results[key]

    return query


def _rows(con, period: tuple[date, date], label: str, repeat: int) -> list[Timing]:
    query = functools.partial(execute, con)
    start, end = period
    journeys = report.journeys(query, "revenue", start, end)
    print(
        f"{label}: {journeys['deal_id'].nunique():,} won deals, "
        f"{len(journeys):,} touches in their journeys"
    )
    effects, _ = report.markov(query, "revenue", start, end)
    timings = [
        repeated(
            f"{label}: journeys query",
            lambda: report.journeys(query, "revenue", start, end),
            repeat,
        ),
        repeated(
            f"{label}: Markov: transition counts (SQL) + solve + trust",
            lambda: report.markov(query, "revenue", start, end),
            repeat,
        ),
        repeated(
            f"{label}: credit, all 8 models at once",
            lambda: credit_all(journeys, MODELS, markov_effects=effects),
            repeat,
        ),
        repeated(
            f"{label}: all models, end to end (report.all_models)",
            lambda: report.all_models(query, "revenue", start, end),
            repeat,
        ),
    ]
    warm = Timing(f"{label}: switch model, warm (one model's credit, queries cached)")
    cached = _cached(con)
    report.all_models(cached, "revenue", start, end)
    for _ in range(repeat):
        for model in MODELS:
            timed(functools.partial(report.attribution, cached, model, "revenue", start, end), warm)
    return [*timings, warm]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.attribution")
    parser.add_argument("--leads", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--db", type=Path, help="a database built before (skips generating)")
    parser.add_argument(
        "--folder", type=Path, help="generate into (or reuse the exports of) this folder"
    )
    parser.add_argument(
        "--skip-pages", action="store_true", help="leave out the attribution page's timings"
    )
    args = parser.parse_args(argv)
    print(machine())
    folder = args.folder or Path(tempfile.mkdtemp())
    db_file = args.db or generate_and_build(folder, args.leads)
    con = connect(db_file)
    counts = con.execute(
        "select (select count(*) from raw_leads), (select count(*) from raw_deals), "
        "(select count(*) from raw_touches), (select count(*) from deal_journeys)"
    ).fetchone()
    print("leads {:,}, deals {:,}, touches {:,}, deal_journeys rows {:,}".format(*counts))
    last = con.execute("select max(converted_at)::date from deal_journeys").fetchone()[0]
    busiest = con.execute(
        "select channel from funnel_revenue group by channel order by count(*) desc limit 1"
    ).fetchone()[0]
    # Under the rebuild's memory cap when one is set, as the app writes every mart.
    with memory_limit(con, settings.rebuild_memory_mb()):
        timings = [
            repeated(
                f"mart: {name}", functools.partial(materialise, con, f"marts/{name}"), args.repeat
            )
            for name in ("deal_journeys", "lead_journeys")
        ]
    timings += _rows(con, ALL_TIME, "all time", args.repeat)
    timings += _rows(
        con, (last - timedelta(weeks=12) + timedelta(days=1), last), "12 weeks", args.repeat
    )
    print("\n| step | best / median ms |\n|---|---:|")
    for timing in timings:
        print(f"| {timing.label} | {timing.best_ms:,.1f} / {timing.median_ms:,.1f} |")
    con.close()
    if not args.skip_pages:
        page_rows = time_pages(db_file, busiest, args.repeat, pages=("attribution",))
        print("", *pages_report(page_rows), sep="\n")
    print(f"\npeak memory of this process: {peak_rss_mib():,.0f} MiB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
