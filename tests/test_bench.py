"""The benchmark's pandas reference computes the same numbers as the metric queries.

A correctness check of the yardstick, not a timed test: if the two disagree, the benchmark's
speed ratio compares different work (or a query has a bug).
"""

from datetime import date, timedelta
from pathlib import Path

import pytest

from revcycle import bench, sample
from revcycle.build import build
from revcycle.db import connect, execute

FILTERS = {
    "no filter": {},
    "channel filter": {"channels": ["Paid search", "Referral", "(no lead)"]},
    "owner and segment filter": {"owners": ["Anna Keller", "(unassigned)"], "segments": ["SMB"]},
    "filter matching nothing": {"channels": ["No such channel"]},
}


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    """3,000 generated leads in a real database, its funnel as a DataFrame, and two periods."""
    folder = tmp_path_factory.mktemp("bench")
    leads_csv, deals_csv = sample.write(folder, n_leads=3_000)
    con = connect(folder / "bench.duckdb")
    build(con, {"leads": leads_csv, "deals": deals_csv})
    last_date = execute(con, "metrics/data_period")["last_date"].iloc[0].date()
    periods = {
        "12 weeks": {"start_date": last_date - timedelta(days=83), "end_date": last_date},
        "all time": {"start_date": date(2000, 1, 1), "end_date": date(2099, 12, 31)},
    }
    yield con, con.execute("select * from funnel_revenue").df(), periods
    con.close()


@pytest.mark.parametrize("period", ["12 weeks", "all time"])
@pytest.mark.parametrize("filters", FILTERS.values(), ids=FILTERS.keys())
@pytest.mark.parametrize("name", bench.REFERENCES)
def test_pandas_reference_agrees_with_metric_query(generated, name, filters, period):
    con, funnel, periods = generated
    params = bench.metric_params(name, **periods[period]) | filters
    duckdb_result = execute(con, f"metrics/{name}", **params)
    pandas_result = bench.REFERENCES[name](funnel, **params)
    assert bench.mismatches(name, duckdb_result, pandas_result) == []
    # Two empty results agree vacuously; only the filter that matches nothing may give one.
    assert len(duckdb_result) > 0 or filters is FILTERS["filter matching nothing"]


def test_mismatches_names_a_value_that_differs(generated):
    _, funnel, periods = generated
    params = bench.metric_params("revenue_by_channel", **periods["all time"])
    result = bench.reference_revenue_by_channel(funnel, **params)
    changed = result.copy()
    changed.loc[0, "won_revenue"] *= 1.00001  # 1e-5 relative: beyond the 1e-6 tolerance

    problems = bench.mismatches("revenue_by_channel", result, changed)

    assert len(problems) == 1
    assert "won_revenue" in problems[0]


@pytest.fixture(scope="module")
def page_rows(generated):
    """The page timings, one run per row, on the 3,000-lead database."""
    con, _, _ = generated
    path = con.execute(
        "select path from duckdb_databases() where database_name = current_database()"
    ).fetchone()[0]
    return bench.time_pages(Path(path), "Referral", repeat=1)


def test_every_timed_page_run_shows_its_tiles_without_an_error(page_rows):
    assert len(page_rows) == 1 + 2 * len(bench.PAGES) + 1  # first run, cold and warm, filter
    assert {row.label: row.failures for row in page_rows} == {row.label: [] for row in page_rows}


def test_warm_page_runs_send_no_query_and_cold_ones_do(page_rows):
    warm = [row for row in page_rows if ": warm" in row.label]
    uncached = [row for row in page_rows if ": warm" not in row.label]
    assert len(warm) == len(bench.PAGES)
    assert all(row.count_queries == [0] for row in warm)
    # Cold runs and the filter change must reach DuckDB, or they measure the cache instead.
    assert all(row.count_queries[0] > 0 for row in uncached)
