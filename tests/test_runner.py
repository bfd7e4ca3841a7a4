"""The query runner: bound parameters only, errors that name the query, no stale cache."""

import threading

import pyarrow as pa
import pytest
from streamlit.testing.v1 import AppTest

from revcycle import contract, db, settings
from revcycle.build import build, open_database
from revcycle.db import (
    SHARED_SCRATCH_BYTES,
    QueryError,
    connect,
    execute,
    has_table,
    materialise,
    scratch,
)
from revcycle.rebuild import data_version, is_current, rebuild_in_transaction
from revcycle.ui import data as ui_data
from tests.conftest import ALL_TIME, NO_FILTERS, copy_database, write_export
from tests.test_app import APP, shown_count


def test_a_missing_parameter_is_refused_with_the_query_name(sample_db):
    with pytest.raises(QueryError, match=r"queries/metrics/share_within_hours\.sql"):
        execute(sample_db, "metrics/share_within_hours", **ALL_TIME, **NO_FILTERS)


def test_an_extra_parameter_is_refused(sample_db):
    with pytest.raises(QueryError, match="conversion_by_channel"):
        execute(
            sample_db, "metrics/conversion_by_channel", **ALL_TIME, **NO_FILTERS, response_hours=24
        )


def test_an_unknown_query_is_named(sample_db):
    with pytest.raises(QueryError, match="metrics/no_such_metric"):
        execute(sample_db, "metrics/no_such_metric")


def test_a_relation_is_created_only_from_a_query_file_and_as_a_table_or_view(tmp_path):
    # Names are formatted into the DDL (DuckDB binds no identifiers), so both are allow-listed.
    con = connect(tmp_path / "allow.duckdb")
    try:
        with pytest.raises(QueryError, match="marts/x; drop table raw_leads"):
            materialise(con, "marts/x; drop table raw_leads")
        with pytest.raises(ValueError, match="not 'table raw_leads as select 1; create table'"):
            db._create(con, "staging/stg_leads", "table raw_leads as select 1; create table")
        assert con.execute("select count(*) from duckdb_tables()").fetchall() == [(0,)]
    finally:
        con.close()


def test_a_rebuild_never_serves_cached_numbers(tmp_path, monkeypatch):
    def leads(count):
        return [
            {"lead_id": f"L{i}", "created_at": "2026-11-02 09:00:00", "channel": "Email"}
            for i in range(count)
        ]

    db_file = tmp_path / "rebuild.duckdb"
    con = connect(db_file)
    build(
        con,
        {
            "leads": write_export(tmp_path / "a.csv", "leads", leads(3)),
            "deals": write_export(tmp_path / "d.csv", "deals", []),
        },
    )
    monkeypatch.setenv("REVCYCLE_DB", str(db_file))
    at = AppTest.from_file(APP, default_timeout=120).run()
    assert shown_count(at, "Leads") == 3
    build(con, {"leads": write_export(tmp_path / "b.csv", "leads", leads(5))})
    at.run()
    assert shown_count(at, "Leads") == 5
    con.close()


def test_a_page_run_reads_the_data_version_once(sample_db_file, tmp_path, monkeypatch):
    # The overview sends 18 queries, each cached under the data version; the frame reads
    # the version when the run starts and every query of the run is keyed by that one.
    monkeypatch.setenv("REVCYCLE_DB", str(copy_database(sample_db_file, tmp_path / "s.duckdb")))
    reads = []

    def counted(con):
        reads.append(data_version(con))
        return reads[-1]

    monkeypatch.setattr(ui_data, "data_version", counted)
    at = AppTest.from_file(APP, default_timeout=120).run()
    assert not at.exception
    assert len(at.metric) > 0  # the run got past its queries to the tiles
    assert len(reads) == 1
    at.run()  # the next run reads it again: an upload in between shows at once
    assert len(reads) == 2


def test_opening_a_database_built_with_older_sql_rebuilds_it(tmp_path):
    db_file = tmp_path / "old.duckdb"
    con = connect(db_file)
    first = build(
        con,
        {
            "leads": write_export(
                tmp_path / "l.csv",
                "leads",
                [{"lead_id": "L1", "created_at": "2026-11-02 09:00:00"}],
            ),
            "deals": write_export(tmp_path / "d.csv", "deals", []),
        },
    )
    assert is_current(con)
    con.execute("update build_info set queries_sha256 = 'made by an older version'")
    assert not is_current(con)
    con.close()
    con = open_database(db_file)
    assert data_version(con) == first.data_version + 1
    assert is_current(con)
    con.close()


def test_a_new_field_in_the_contract_makes_a_build_stale(tmp_path, monkeypatch):
    """A rebuild of a current database keeps its staging views, which read the loaded rows'
    columns: a field added to the contract (a column they may read) must rebuild them too."""
    leads = write_export(
        tmp_path / "l.csv", "leads", [{"lead_id": "L1", "created_at": "2026-11-02 09:00:00"}]
    )
    con = connect(tmp_path / "db.duckdb")
    build(con, {"leads": leads})
    assert is_current(con)
    added = contract.Field("referrer", "text", False, "who referred the lead")
    fields = {**contract.FIELDS_BY_KIND, "leads": (*contract.FIELDS_BY_KIND["leads"], added)}
    monkeypatch.setattr(contract, "FIELDS_BY_KIND", fields)
    assert not is_current(con)
    con.close()


def test_a_rebuild_turns_a_table_of_a_view_s_name_into_the_view_and_back(tmp_path):
    """An older layout stored a staging relation as a table, or a mart as a view: the rebuild
    replaces each with the kind its query file makes, and the numbers come from the rows."""
    leads = [
        {"lead_id": "L1", "created_at": "2026-11-02 09:00:00"},
        {"lead_id": "L2", "created_at": "2026-11-03 09:00:00"},
    ]
    con = connect(tmp_path / "old.duckdb")
    build(con, {"leads": write_export(tmp_path / "l.csv", "leads", leads)})
    con.execute("drop view stg_leads")
    con.execute("create table stg_leads as select 'stale' as lead_id")
    con.execute("drop table funnel_revenue")
    con.execute("create view funnel_revenue as select 'stale' as lead_id")
    # A build of that layout was made with other SQL than today's.
    con.execute("update build_info set queries_sha256 = 'an older layout'")
    con.execute("begin")
    rebuild_in_transaction(con)
    con.execute("commit")
    kinds = dict(
        con.execute(
            "select table_name, table_type from information_schema.tables "
            "where table_name in ('stg_leads', 'funnel_revenue')"
        ).fetchall()
    )
    assert kinds == {"stg_leads": "VIEW", "funnel_revenue": "BASE TABLE"}
    assert con.execute("select lead_id from funnel_revenue order by 1").fetchall() == [
        ("L1",),
        ("L2",),
    ]
    con.close()


def test_scratch_cursors_in_two_threads_each_read_the_table_they_registered():
    # Two sessions parsing at once register their columns under the same name ("pieces"):
    # both register before either reads.
    both_registered = threading.Barrier(2)
    counts = {}

    def count(rows: int) -> None:
        with scratch() as con:
            con.register("pieces", pa.table({"piece": list(range(rows))}))
            both_registered.wait(timeout=30)
            # Many reads each, so the two threads' calls overlap.
            seen = {con.execute("select count(*) from pieces").fetchone()[0] for _ in range(200)}
            counts[rows] = seen

    threads = [threading.Thread(target=count, args=(rows,)) for rows in (3, 5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert counts == {3: {3}, 5: {5}}


def test_scratch_work_over_the_share_limit_gets_a_database_of_its_own():
    # The shared database has the macros; one of its own, made to hand its memory back, not.
    with scratch() as shared:
        assert shared.execute("select source_key('Paid Search')").fetchone() == ("paid_search",)
    with scratch(SHARED_SCRATCH_BYTES + 1) as own:
        count_macros = "select count(*) from duckdb_functions() where function_name = 'source_key'"
        assert own.execute(count_macros).fetchone() == (0,)


def test_has_table_finds_tables_and_views_even_one_whose_table_is_gone(tmp_path):
    con = connect(tmp_path / "kinds.duckdb")
    con.execute("create table kept (a integer)")
    con.execute("create table dropped (a integer)")
    con.execute("create view of_kept as select * from kept")
    con.execute("create view of_dropped as select * from dropped")
    con.execute("create temporary table scratchpad (a integer)")
    con.execute("drop table dropped")  # of_dropped no longer binds, but it is there
    found = {
        name: has_table(con, name)
        for name in ("kept", "of_kept", "of_dropped", "scratchpad", "dropped", "never_made")
    }
    assert found == {
        "kept": True,
        "of_kept": True,
        "of_dropped": True,
        "scratchpad": True,
        "dropped": False,
        "never_made": False,
    }
    con.close()


def memory_limit_now(con) -> str:
    return con.execute("select current_setting('memory_limit')").fetchone()[0]


def test_the_rebuild_writes_the_marts_under_the_memory_cap_set_and_then_lifts_it(
    g1_con, monkeypatch
):
    default = memory_limit_now(g1_con)
    monkeypatch.delenv(settings.REBUILD_MEMORY_MB_VARIABLE, raising=False)
    with db.memory_limit(g1_con, settings.rebuild_memory_mb()):  # unset: DuckDB's own limit
        assert memory_limit_now(g1_con) == default
    # 1 MiB is far too little for any mart: the rebuild can only fail if the cap is in force.
    monkeypatch.setenv(settings.REBUILD_MEMORY_MB_VARIABLE, "1")
    g1_con.begin()
    with pytest.raises(QueryError, match="Out of Memory"):
        rebuild_in_transaction(g1_con)
    g1_con.rollback()
    assert memory_limit_now(g1_con) == default  # put back after the failure too
    monkeypatch.setenv(settings.REBUILD_MEMORY_MB_VARIABLE, "300")
    with db.memory_limit(g1_con, settings.rebuild_memory_mb()):
        assert memory_limit_now(g1_con) == "300.0 MiB"
    assert memory_limit_now(g1_con) == default
