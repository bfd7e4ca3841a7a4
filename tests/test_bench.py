"""The benchmark's pandas reference computes the same numbers as the metric queries.

A correctness check of the yardstick, not a timed test: if the two disagree, the benchmark's
speed ratio compares different work (or a query has a bug).
"""

import asyncio
import os
from datetime import date, timedelta
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from benchmarks import browser as browser_timing
from benchmarks import pages as page_timing
from benchmarks import reference, sessions, upload
from benchmarks.run import upload_cap_for
from benchmarks.timing import in_fresh_process
from benchmarks.working_time import bench_agreements, with_working_time
from revcycle import sample, settings
from revcycle.agreements.model import default_agreement
from revcycle.build import build
from revcycle.db import connect, execute
from tests.conftest import copy_database, require_browser
from tests.support.browser import running_dashboard

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
@pytest.mark.parametrize("name", reference.REFERENCES)
def test_pandas_reference_agrees_with_metric_query(generated, name, filters, period):
    con, funnel, periods = generated
    params = reference.metric_params(name, **periods[period]) | filters
    duckdb_result = execute(con, f"metrics/{name}", **params)
    pandas_result = reference.REFERENCES[name](funnel, **params)
    assert reference.mismatches(name, duckdb_result, pandas_result) == []
    # Two empty results agree vacuously; only the filter that matches nothing may give one.
    assert len(duckdb_result) > 0 or filters is FILTERS["filter matching nothing"]


def test_mismatches_names_a_value_that_differs(generated):
    _, funnel, periods = generated
    params = reference.metric_params("revenue_by_channel", **periods["all time"])
    result = reference.reference_revenue_by_channel(funnel, **params)
    changed = result.copy()
    changed.loc[0, "won_revenue"] *= 1.00001  # 1e-5 relative: beyond the 1e-6 tolerance

    problems = reference.mismatches("revenue_by_channel", result, changed)

    assert len(problems) == 1
    assert "won_revenue" in problems[0]


@pytest.fixture(scope="module")
def page_rows(generated):
    """The page timings, one run per row, on the 3,000-lead database."""
    con, _, _ = generated
    path = con.execute(
        "select path from duckdb_databases() where database_name = current_database()"
    ).fetchone()[0]
    return page_timing.time_pages(Path(path), "Referral", repeat=1)


def test_every_timed_page_run_shows_its_tiles_without_an_error(page_rows):
    assert len(page_rows) == 1 + 2 * len(page_timing.PAGES) + 1  # first run, cold and warm, filter
    assert {row.label: row.failures for row in page_rows} == {row.label: [] for row in page_rows}


def test_warm_page_runs_send_no_query_and_cold_ones_do(page_rows):
    warm = [row for row in page_rows if ": warm" in row.label]
    uncached = [row for row in page_rows if ": warm" not in row.label]
    assert len(warm) == len(page_timing.PAGES)
    assert all(row.count_queries == [0] for row in warm)
    # Cold runs and the filter change must reach DuckDB, or they measure the cache instead.
    assert all(row.count_queries[0] > 0 for row in uncached)


# Two channels show every kind of filter step (chosen for the first time, removed, chosen
# again); a third only repeats them.
BROWSER_CHANNELS = ["Referral"]  # one is enough to time every kind of step


@pytest.fixture(scope="module")
def browser_run(tmp_path_factory):
    """The browser timings, one run per kind and one channel, on 2,000 generated leads.

    The database is one of its own: ``generated`` keeps its file open, and the dashboard's
    server must open the file read-write, which DuckDB allows one process at a time.
    """
    require_browser()
    folder = tmp_path_factory.mktemp("bench-browser")
    leads_csv, deals_csv = sample.write(folder, n_leads=2_000)
    con = connect(folder / "bench.duckdb")
    try:
        build(con, {"leads": leads_csv, "deals": deals_csv})
    finally:
        con.close()
    return browser_timing.time_browser(
        folder / "bench.duckdb", BROWSER_CHANNELS, repeat=1, workdir=folder
    )


@pytest.mark.browser
def test_every_browser_step_is_timed_once_per_run_without_a_failure(browser_run):
    # One server and one reload; the channel chosen twice and removed after each choice.
    expected_runs = {
        "overview first load, cold (new server, first visit)": 1,
        "overview first load, warm (reload)": 1,
        "channel filter: a channel chosen for the first time (uncached)": 1,
        "channel filter: the channel removed, back to all channels (cached)": 2,
        "channel filter: a channel chosen again (cached)": 1,
    }
    assert {row.label: row.failures for row in browser_run.rows} == {
        label: [] for label in expected_runs
    }
    assert {row.label: len(row.ms) for row in browser_run.rows} == expected_runs


@pytest.mark.browser
def test_browser_times_are_positive_and_a_page_draws_after_its_script_ends(browser_run):
    for row in browser_run.rows:
        assert all(0 < ms < browser_timing.FIRST_LOAD_TIMEOUT_MS for ms in row.ms), row.label
    for row in browser_run.rows[:2]:  # the first loads
        assert len(row.script_done_ms) == len(row.ms)
        assert all(
            0 < done <= drawn for done, drawn in zip(row.script_done_ms, row.ms, strict=True)
        )


@pytest.mark.browser
def test_browser_report_has_a_row_per_kind_and_names_no_target(browser_run):
    lines = browser_timing.browser_report(browser_run)
    rows = [line for line in lines if line.startswith("| ") and "---" not in line][1:]
    assert [row.split(" | ")[0].removeprefix("| ") for row in rows] == [
        row.label for row in browser_run.rows
    ]
    assert all(row.split(" | ")[2] == "—" for row in rows)


@pytest.fixture(scope="module")
def upload_run(tmp_path_factory):
    """The upload timings, one run, on 1,500 generated leads in a database of its own."""
    folder = tmp_path_factory.mktemp("bench-upload")
    leads_csv, deals_csv = sample.write(folder, n_leads=1_500)
    con = connect(folder / "bench.duckdb")
    try:
        build(con, {"leads": leads_csv, "deals": deals_csv})
    finally:
        con.close()
    return folder / "bench.duckdb", upload.time_upload(
        folder / "bench.duckdb", leads_csv, repeat=1, folder=folder
    )


def test_upload_part_loads_every_generated_lead(upload_run):
    # Otherwise the full load it times would skip the rows it rejects, and look faster.
    _, run = upload_run
    assert (run.count_rows_in_file, run.count_rows_loaded, run.count_raw_leads) == (
        1_500,
        1_500,
        1_500,
    )
    # Every timed commit changed all 1,500 rows: a load that changes nothing skips its work.
    assert run.count_changed_rows == [1_500] * len(run.commit.seconds)
    assert run.failures == []
    # The command line's load ran in a process of its own (a failed one raises), measured from
    # its start: a load of 1,500 rows may give back as much as it takes, so its peak is at
    # least its start, not always above it (it read 317.3 MiB against 317.5 once).
    assert 0 < run.alone.at_start_mib <= run.alone.peak_mib


def test_upload_part_leaves_the_benchmark_database_as_it_was(upload_run):
    db_file, _ = upload_run
    con = connect(db_file, read_only=True)
    try:
        files = con.execute("select file_name from uploads order by upload_id").fetchall()
    finally:
        con.close()
    # Only the benchmark's own build (leads, then deals): the timed loads went into copies.
    assert files == [("leads.csv",), ("deals.csv",)]
    assert sorted(p.name for p in db_file.parent.glob("*.duckdb")) == ["bench.duckdb"]


def test_only_runs_that_query_spend_time_in_queries(page_rows):
    # The queries' column is the page's wait for DuckDB: warm runs send none, so spend none.
    for row in page_rows:
        assert len(row.query_seconds) == len(row.count_queries)
        for count, seconds in zip(row.count_queries, row.query_seconds, strict=True):
            assert (seconds > 0) == (count > 0), row.label


def test_upload_cap_rises_to_fit_the_largest_export_and_falls_back_after(tmp_path, monkeypatch):
    monkeypatch.setenv("REVCYCLE_MAX_UPLOAD_MB", "2")
    small = tmp_path / "small.csv"
    small.write_bytes(b"x" * 1_000)
    large = tmp_path / "large.csv"
    large.write_bytes(b"x" * (2 * 1024 * 1024 + 1))  # one byte over 2 MB: 3 MB are needed

    with upload_cap_for(small, large) as cap_mb:
        assert cap_mb == 3
        assert settings.max_upload_mb() == 3

    assert settings.max_upload_mb() == 2


def test_upload_cap_never_falls_below_the_setting(tmp_path, monkeypatch):
    monkeypatch.setenv("REVCYCLE_MAX_UPLOAD_MB", "50")
    export = tmp_path / "leads.csv"
    export.write_bytes(b"x" * 1_000)

    with upload_cap_for(export) as cap_mb:
        assert cap_mb == 50


# The concurrent-sessions benchmark, against a real server over Streamlit's websocket protocol.


@pytest.fixture(scope="module")
def sessions_server(sample_db_file, tmp_path_factory):
    folder = tmp_path_factory.mktemp("sessions")
    db_file = copy_database(sample_db_file, folder / "sessions.duckdb")
    with running_dashboard(db_file, folder / "server.log") as url:
        yield url


def test_sessions_count_every_page_load_of_every_user(sessions_server):
    # 2 users x 2 loads each = 4 page loads, each run to its script_finished without an error.
    result = asyncio.run(sessions.serve(sessions_server, 2, loads_per_user=2))
    assert len(result.seconds) == 4
    assert result.failures == []
    assert all(seconds > 0 for seconds in result.seconds)
    assert result.wall_seconds >= max(result.seconds)


def test_sessions_name_a_page_the_server_does_not_have(sessions_server):
    seconds, problems = asyncio.run(sessions.load_page(sessions_server, "no_such_page"))
    assert problems == ["page 'no_such_page' not found"]


def test_sessions_report_rates_and_percentiles_from_the_loads():
    # Loads of 1, 2, 3 and 4 s over 5 s of wall time: 0.8 loads a second, median 2.5 s, and
    # the nearest-rank p95 of four loads is the slowest, 4 s.
    result = sessions.LoadResult(users=2, wall_seconds=5.0, seconds=[3.0, 1.0, 4.0, 2.0])
    assert result.markdown() == "| 2 | 4 | 0.80 | 2,500 | 4,000 | 0 |"


def test_the_pandas_follow_up_reads_a_contact_dated_by_its_day_as_the_mart_does(funnel_db):
    # Website contact form: 4 working hours (Monday to Friday, 09:00-17:00) under the bench's
    # first agreement. Tuesday 3 March 2026, contacts dated by the day alone:
    # - DAY-LATE, in at 10:00: by the day's end 7 working hours, over 4: not judged, no hours;
    # - DAY-SOON, in at 16:00: by the day's end 1 working hour: in time, no hours;
    # - TIMED, in at 10:00, called at 11:00: 1 hour, in time;
    # - NEXT-DAY, in at 16:00, contacted "2026-03-04": 1 working hour by that day's start, 9 by
    #   its end: not judged;
    # - FRIDAY, in at 16:00, contacted "2026-03-06": 17 working hours by Friday's start: late.
    form = {"channel": "Website contact form", "first_contacted_at": "2026-03-03"}
    agreements = bench_agreements(date(2026, 1, 1), date(2026, 6, 1))
    # Saved before the build, so its one rebuild judges the leads by them.
    con = funnel_db(
        [
            form | {"lead_id": "DAY-LATE", "created_at": "2026-03-03 10:00:00"},
            form | {"lead_id": "DAY-SOON", "created_at": "2026-03-03 16:00:00"},
            form
            | {
                "lead_id": "TIMED",
                "created_at": "2026-03-03 10:00:00",
                "first_contacted_at": "2026-03-03 11:00:00",
            },
            form
            | {
                "lead_id": "NEXT-DAY",
                "created_at": "2026-03-03 16:00:00",
                "first_contacted_at": "2026-03-04",
            },
            form
            | {
                "lead_id": "FRIDAY",
                "created_at": "2026-03-03 16:00:00",
                "first_contacted_at": "2026-03-06",
            },
        ],
        agreements=agreements,
    )
    funnel = con.execute("select * from funnel_revenue order by lead_id").df()
    as_of = con.execute("select data_as_of from funnel_as_of").fetchone()[0]
    recomputed = with_working_time(funnel, agreements, settings.timezone(), as_of)
    for frame in (funnel, recomputed):
        judged = frame.set_index("lead_id")[["hours_to_first_contact", "is_within_agreed_time"]]
        judged = judged.astype(object).where(judged.notna(), None)
        assert judged.to_dict("index") == {
            "DAY-LATE": {"hours_to_first_contact": None, "is_within_agreed_time": None},
            "DAY-SOON": {"hours_to_first_contact": None, "is_within_agreed_time": True},
            "FRIDAY": {"hours_to_first_contact": None, "is_within_agreed_time": False},
            "NEXT-DAY": {"hours_to_first_contact": None, "is_within_agreed_time": None},
            "TIMED": {"hours_to_first_contact": 1.0, "is_within_agreed_time": True},
        }


def test_the_pandas_follow_up_reads_an_upload_of_creation_days_as_the_mart_does(funnel_db):
    # No agreement saved: a call within 24 calendar hours. Creations by the day alone; the
    # latest event is Wed 4 Mar 09:00. EITHER took 10 to 34 hours (not judged), SOON at most
    # 11 (in time), LATE at least 33 (late); FRESH has waited at least 9 (not due), WAITED at
    # least 57 (late).
    con = funnel_db(
        [
            {
                "lead_id": "EITHER",
                "created_at": "2026-03-02",
                "first_contacted_at": "2026-03-03 10:00",
            },
            {
                "lead_id": "SOON",
                "created_at": "2026-03-02",
                "first_contacted_at": "2026-03-02 11:00",
            },
            {
                "lead_id": "LATE",
                "created_at": "2026-03-02",
                "first_contacted_at": "2026-03-04 09:00",
            },
            {"lead_id": "FRESH", "created_at": "2026-03-03"},
            {"lead_id": "WAITED", "created_at": "2026-03-01"},
        ]
    )
    funnel = con.execute("select * from funnel_revenue order by lead_id").df()
    as_of = con.execute("select data_as_of from funnel_as_of").fetchone()[0]
    zone = settings.timezone()
    recomputed = with_working_time(funnel, [default_agreement(zone)], zone, as_of)
    for frame in (funnel, recomputed):
        judged = frame.set_index("lead_id")["is_within_agreed_time"]
        assert judged.astype(object).where(judged.notna(), None).to_dict() == {
            "EITHER": None,
            "FRESH": None,
            "LATE": False,
            "SOON": True,
            "WAITED": False,
        }
        assert frame["hours_to_first_contact"].isna().all()  # no hour of creation is known


def test_the_pandas_conversion_knows_a_stage_no_upload_records(tmp_path):
    # Leads from a file with no MQL or SQL column (3 March); L1's deal won on 10 March. In 9-15
    # March, MQLs and SQLs are unknown, not 0, in both versions of the metric.
    leads, deals = tmp_path / "leads.csv", tmp_path / "deals.csv"
    leads.write_text(
        "lead_id,created_at,channel\nL1,2026-03-03 09:00:00,Referral\n"
        "L2,2026-03-03 10:00:00,Referral\n",
        encoding="utf-8",
    )
    deals.write_text(
        "deal_id,lead_id,created_at,stage,closed_at,amount,currency\n"
        "D1,L1,2026-03-04 09:00:00,Closed Won,2026-03-10 09:00:00,100.00,EUR\n",
        encoding="utf-8",
    )
    con = connect(tmp_path / "bare.duckdb")
    try:
        build(con, {"leads": leads, "deals": deals})
        params = reference.metric_params(
            "conversion_by_channel", date(2026, 3, 9), date(2026, 3, 15)
        )
        duckdb_result = execute(con, "metrics/conversion_by_channel", **params)
        funnel = con.execute("select * from funnel_revenue").df()
    finally:
        con.close()
    pandas_result = reference.reference_conversion_by_channel(funnel, **params)
    assert reference.mismatches("conversion_by_channel", duckdb_result, pandas_result) == []
    unknown = pandas_result[pandas_result["is_total"] & pandas_result["is_unmeasurable"]]
    assert sorted(unknown["stage"]) == ["mql", "sql"]


def test_the_pandas_revenue_counts_the_hour_the_clocks_went_back_as_the_query_does(
    funnel_db, monkeypatch
):
    # Europe/Amsterdam's clocks went back on 25 October 2026. L1 came in on 15 Oct 09:00
    # (UTC+2), its D1 was created on 20 Oct 09:00 (UTC+2) and won on 1 Nov 09:00 (UTC+1): a
    # sales cycle of 12 days and 1 hour = 12 + 1/24 days, lead to won 17 + 1/24, where the wall
    # clock says 12 and 17.
    monkeypatch.setenv(settings.TIMEZONE_VARIABLE, "Europe/Amsterdam")
    con = funnel_db(
        [{"lead_id": "L1", "created_at": "2026-10-15 09:00:00", "channel": "Referral"}],
        [
            {
                "deal_id": "D1",
                "lead_id": "L1",
                "created_at": "2026-10-20 09:00:00",
                "stage": "Closed Won",
                "amount": "100.00",
                "closed_at": "2026-11-01 09:00:00",
            }
        ],
    )
    params = reference.metric_params("revenue_by_channel", date(2026, 10, 1), date(2026, 11, 30))
    duckdb_result = execute(con, "metrics/revenue_by_channel", **params)
    funnel = con.execute("select * from funnel_revenue").df()
    pandas_result = reference.reference_revenue_by_channel(funnel, **params)
    for result in (duckdb_result, pandas_result):
        total = result[result["is_total"]].iloc[0]
        assert total["average_sales_cycle_days"] == pytest.approx(12 + 1 / 24)
        assert total["median_days_lead_to_won"] == pytest.approx(17 + 1 / 24)
    assert reference.mismatches("revenue_by_channel", duckdb_result, pandas_result) == []


def test_a_fresh_process_does_not_run_again_the_page_an_apptest_ran(tmp_path):
    # AppTest leaves the page it ran as sys.modules["__main__"], and a spawned process runs its
    # parent's __main__ before its task: after a page test, the benchmark's child processes ran
    # the whole dashboard on the checkout's own database. The page here counts its runs.
    runs = tmp_path / "runs.txt"
    page = tmp_path / "page.py"
    page.write_text(f"with open({str(runs)!r}, 'a') as runs:\n    runs.write('ran\\n')\n")
    AppTest.from_file(str(page)).run()
    assert in_fresh_process(os.getpid) != os.getpid()
    assert runs.read_text() == "ran\n"  # AppTest's run, and no other
