"""A commit is all or nothing: a killed load leaves every table as it was, and a reader working
meanwhile sees the old data or the new, never a mix."""

import os
import signal
import subprocess
import sys
import textwrap
import threading

import pyarrow as pa

from revcycle.build import build
from revcycle.db import connect
from revcycle.importer.load import UploadMeta, commit_upload
from revcycle.importer.original import Original
from revcycle.paths import REPO_ROOT
from tests.conftest import write_export

TABLES = (
    "raw_leads",
    "raw_deals",
    "stg_leads",
    "funnel_revenue",
    "uploads",
    "upload_rows_leads",
    "loaded_uploads",
)

# Runs commit_upload with the rebuild slowed down, so the parent can kill it mid-transaction.
KILLED_LOAD = textwrap.dedent("""
    import sys, time
    import pyarrow as pa
    import revcycle.importer.load as load

    real_rebuild = load.rebuild_in_transaction

    def slow_rebuild(con, **options):
        version = real_rebuild(con, **options)
        print("inside the transaction", flush=True)
        time.sleep(120)
        return version

    load.rebuild_in_transaction = slow_rebuild
    con = load.duckdb.connect(sys.argv[1])
    rows = pa.table({"lead_id": [f"N{i}" for i in range(5000)],
                         "created_at": ["2026-02-01 00:00:00"] * 5000})
    meta = load.UploadMeta("big.csv", load.Original.of_bytes(b"x"), "generic", 5000, 0)
    load.commit_upload(con, "leads", rows, "replace", meta, changed_by="test")
""")


def checksums(con) -> dict[str, tuple]:
    existing = {
        row[0] for row in con.execute("select table_name from information_schema.tables").fetchall()
    }
    return {
        table: con.execute(
            f"select count(*), md5(coalesce(string_agg(cast(t as varchar), chr(10) "
            f"order by cast(t as varchar)), '')) from {table} as t"
        ).fetchall()[0]
        for table in TABLES
        if table in existing
    }


def small_database(tmp_path):
    db_file = tmp_path / "atomic.duckdb"
    con = connect(db_file)
    build(
        con,
        {
            "leads": write_export(
                tmp_path / "l.csv",
                "leads",
                [{"lead_id": f"L{i}", "created_at": "2026-01-01 00:00:00"} for i in range(10)],
            ),
            "deals": write_export(tmp_path / "d.csv", "deals", []),
        },
    )
    commit_upload(
        con,
        "leads",
        pa.table({"lead_id": ["L10"], "created_at": ["2026-01-02 00:00:00"]}),
        "merge",
        UploadMeta("one.csv", Original.of_bytes(b"1"), "generic", 1, 0),
        changed_by="test",
    )
    return db_file, con


def test_a_load_killed_mid_commit_leaves_every_table_as_it_was(tmp_path):
    db_file, con = small_database(tmp_path)
    before = checksums(con)
    con.close()
    loader = subprocess.Popen(
        [sys.executable, "-c", KILLED_LOAD, str(db_file)],
        cwd=REPO_ROOT,
        stdout=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        assert loader.stdout.readline().strip() == "inside the transaction"
    finally:
        os.killpg(loader.pid, signal.SIGKILL)
        loader.wait(timeout=60)
    con = connect(db_file)
    after = checksums(con)
    con.close()
    assert after == before
    assert after["raw_leads"][0] == 11


def test_a_reader_sees_old_or_new_data_never_a_mix(tmp_path):
    db_file, con = small_database(tmp_path)
    seen, problems = set(), []
    first_read, writes_done = threading.Event(), threading.Event()

    def read_continuously():
        reader = con.cursor()
        while True:
            # Checked before the read: the last read starts after the last commit, so the
            # reader is sure to see the newest data as well as the oldest.
            last = writes_done.is_set()
            raw, funnel = reader.execute(
                "select (select count(*) from raw_leads), "
                "(select count(*) from funnel_revenue where has_lead)"
            ).fetchall()[0]
            seen.add(raw)
            if raw != funnel:
                problems.append((raw, funnel))
            first_read.set()
            if last:
                break
        reader.close()

    thread = threading.Thread(target=read_continuously)
    thread.start()
    writer = con.cursor()
    try:
        assert first_read.wait(timeout=60)  # the oldest data is read before the first write
        for size in (50, 400, 20, 3000):
            rows = pa.table(
                {
                    "lead_id": [f"B{i}" for i in range(size)],
                    "created_at": ["2026-03-01 00:00:00"] * size,
                }
            )
            commit_upload(
                writer,
                "leads",
                rows,
                "replace",
                UploadMeta(f"{size}.csv", Original.of_bytes(b"x"), "generic", size, 0),
                changed_by="test",
            )
    finally:
        writes_done.set()
        thread.join(timeout=60)
    writer.close()
    con.close()
    assert not thread.is_alive()
    assert problems == []
    # 11 leads before the writes, 3000 after the last: the reader saw two versions at least,
    # so the check above compared real reads across commits, and every read was one version.
    assert {11, 3000} <= seen <= {11, 50, 400, 20, 3000}
