"""Committing uploads: merge and replace, idempotence, preview, history and restore."""

import hashlib
from decimal import Decimal

import pandas as pd
import pytest

from revcycle import contract
from revcycle.build import build
from revcycle.db import connect
from revcycle.importer.load import (
    UploadMeta,
    archived_file,
    commit_upload,
    history,
    preview,
    restore,
)
from tests.conftest import write_export


def leads(*rows):
    return pd.DataFrame(
        [
            {"lead_id": lead_id, "created_at": created, "channel": channel}
            for lead_id, created, channel in rows
        ]
    )


def meta(name="leads.csv", rows=0):
    return UploadMeta(name, f"bytes of {name}".encode(), "generic", rows, 0)


@pytest.fixture
def con(tmp_path):
    connection = connect(tmp_path / "load.duckdb")
    build(
        connection,
        {
            "leads": write_export(
                tmp_path / "l.csv",
                "leads",
                [{"lead_id": "L1", "created_at": "2026-01-01 09:00:00", "channel": "Email"}],
            ),
            "deals": write_export(tmp_path / "d.csv", "deals", []),
        },
    )
    yield connection
    connection.close()


def loaded(con):
    return con.execute(
        "select lead_id, strftime(created_at, '%Y-%m-%d %H:%M:%S'), channel from raw_leads "
        "order by lead_id"
    ).fetchall()


def test_merge_inserts_new_and_updates_changed_rows(con):
    week = leads(("L1", "2026-01-01 09:00:00", "Partner"), ("L2", "2026-01-02 09:00:00", "Email"))
    assert preview(con, "leads", week, "merge").__dict__ == {
        "count_new": 1,
        "count_changed": 1,
        "count_unchanged": 0,
        "count_removed": 0,
    }
    commit_upload(con, "leads", week, "merge", meta(rows=2))
    assert loaded(con) == [
        ("L1", "2026-01-01 09:00:00", "Partner"),
        ("L2", "2026-01-02 09:00:00", "Email"),
    ]
    # The mart was rebuilt in the same commit.
    assert con.execute("select count(*) from funnel_revenue").fetchone() == (2,)


def test_loading_the_same_file_twice_changes_nothing(con):
    week = leads(("L2", "2026-01-02 09:00:00", "Email"))
    commit_upload(con, "leads", week, "merge", meta(rows=1))
    before = loaded(con)
    assert preview(con, "leads", week, "merge").count_unchanged == 1
    commit_upload(con, "leads", week, "merge", meta(rows=1))
    assert loaded(con) == before


def test_overlapping_weekly_exports_give_one_row_per_id(con):
    commit_upload(
        con,
        "leads",
        leads(("L2", "2026-01-02 09:00:00", "Email"), ("L3", "2026-01-03 09:00:00", "Email")),
        "merge",
        meta(),
    )
    commit_upload(
        con,
        "leads",
        leads(("L3", "2026-01-03 09:00:00", "Referral"), ("L4", "2026-01-04 09:00:00", "Email")),
        "merge",
        meta(),
    )
    assert [row[0] for row in loaded(con)] == ["L1", "L2", "L3", "L4"]
    assert dict((row[0], row[2]) for row in loaded(con))["L3"] == "Referral"


def test_replace_drops_rows_the_new_file_lacks(con):
    fresh = leads(("L9", "2026-02-01 09:00:00", "Email"))
    assert preview(con, "leads", fresh, "replace").count_removed == 1
    commit_upload(con, "leads", fresh, "replace", meta())
    assert [row[0] for row in loaded(con)] == ["L9"]


def test_restore_returns_exactly_the_state_after_an_upload(con):
    first, _ = commit_upload(
        con, "leads", leads(("L2", "2026-01-02 09:00:00", "Email")), "merge", meta("week1.csv")
    )
    after_first = loaded(con)
    commit_upload(
        con,
        "leads",
        leads(("L2", "2026-01-02 09:00:00", "Partner"), ("L3", "2026-01-03 09:00:00", "Email")),
        "merge",
        meta("week2.csv"),
    )
    restore(con, first)
    assert loaded(con) == after_first
    assert con.execute("select count(*) from funnel_revenue").fetchone() == (2,)
    # Back to the state the build left: it loaded leads as upload 1, then deals as upload 2.
    restore(con, 2)
    assert loaded(con) == [("L1", "2026-01-01 09:00:00", "Email")]


def test_an_upload_after_a_restore_builds_on_the_restored_state(con):
    first, _ = commit_upload(
        con, "leads", leads(("L2", "2026-01-02 09:00:00", "Email")), "merge", meta()
    )
    commit_upload(con, "leads", leads(("L3", "2026-01-03 09:00:00", "Email")), "merge", meta())
    restore(con, first)
    later, _ = commit_upload(
        con, "leads", leads(("L4", "2026-01-04 09:00:00", "Email")), "merge", meta()
    )
    assert [row[0] for row in loaded(con)] == ["L1", "L2", "L4"]
    restore(con, later)
    assert [row[0] for row in loaded(con)] == ["L1", "L2", "L4"]


def test_history_lists_uploads_newest_first_with_counts_and_checksum(con):
    commit_upload(
        con,
        "leads",
        leads(("L2", "2026-01-02 09:00:00", "Email")),
        "merge",
        meta("week1.csv", rows=1),
    )
    listed = history(con)
    assert listed["kind"].tolist() == ["leads", "deals", "leads"]
    newest = listed.iloc[0]
    assert newest["file_name"] == "week1.csv"
    assert (newest["count_new"], newest["count_rows_loaded"]) == (1, 1)
    assert newest["sha256"] == hashlib.sha256(b"bytes of week1.csv").hexdigest()
    # The original file is kept beside the database, named by its content.
    assert archived_file(con, newest["sha256"], "week1.csv").read_bytes() == b"bytes of week1.csv"
    assert bool(newest["is_current"])


def test_a_failed_commit_leaves_the_data_as_it_was(con):
    before = loaded(con)
    broken = leads(("L2", "not a timestamp", "Email"))  # the archive's timestamp refuses it
    with pytest.raises(Exception, match="not a timestamp"):
        commit_upload(con, "leads", broken, "merge", meta())
    assert loaded(con) == before
    assert con.execute("select count(*) from funnel_revenue").fetchone() == (1,)


def test_a_database_that_kept_raw_tables_of_text_keeps_its_data(tmp_path):
    """Before uploads were archived typed, raw_leads and raw_deals were tables of text."""
    con = connect(tmp_path / "text_layout.duckdb")
    for kind in ("leads", "deals"):
        columns = ", ".join(f"{name} varchar" for name in contract.column_names(kind))
        con.execute(f"create table raw_{kind} ({columns})")
    con.execute(
        "insert into raw_leads (lead_id, created_at, channel) values "
        "('L1', '2026-01-01 09:00:00', 'Email'), (' L2 ', ' 2026-01-02 10:30:00', '')"
    )
    con.execute(
        "insert into raw_deals (deal_id, lead_id, created_at, amount, is_won) values "
        "('D1', 'L1', '2026-01-05 00:00:00', '1200.50', 'true')"
    )
    build(con)
    assert loaded(con) == [
        ("L1", "2026-01-01 09:00:00", "Email"),
        ("L2", "2026-01-02 10:30:00", None),
    ]
    assert con.execute("select deal_id, amount, is_won from raw_deals").fetchall() == [
        ("D1", Decimal("1200.50"), True)
    ]
    assert history(con)["kind"].tolist() == ["baseline"]
    # The kept data is an entry like any other: after an upload, it can be restored.
    commit_upload(con, "leads", leads(("L3", "2026-01-03 09:00:00", "Email")), "replace", meta())
    restore(con, 0)
    assert [row[0] for row in loaded(con)] == ["L1", "L2"]
    assert con.execute("select sum(won_revenue) from funnel_revenue").fetchone() == (
        Decimal("1200.50"),
    )


def test_an_older_history_keeps_its_uploads_and_files(tmp_path):
    """An older Revcycle kept upload rows as text and the files' bytes inside `uploads`."""
    con = connect(tmp_path / "old_history.duckdb")
    for kind in ("leads", "deals"):
        columns = ", ".join(f"{name} varchar" for name in contract.column_names(kind))
        con.execute(f"create table raw_{kind} ({columns})")
        con.execute(f"create table upload_rows_{kind} (upload_id bigint, {columns})")
    con.execute(
        "create table uploads (upload_id bigint, parent_id bigint, uploaded_at timestamp, "
        "kind varchar, file_name varchar, sha256 varchar, size_bytes bigint, preset varchar, "
        "mode varchar, count_rows_in_file bigint, count_rows_loaded bigint, "
        "count_rows_rejected bigint, count_new bigint, count_changed bigint, "
        "count_unchanged bigint, file_bytes blob)"
    )
    week = b"lead_id,created_at\nL2,2026-01-02 09:00:00\n"
    sha = hashlib.sha256(week).hexdigest()
    con.execute(
        "insert into uploads (upload_id, parent_id, kind, file_name, mode) "
        "values (0, null, 'baseline', 'before', 'replace')"
    )
    con.execute(
        "insert into uploads (upload_id, parent_id, kind, file_name, sha256, mode, file_bytes) "
        "values (1, 0, 'leads', 'week.csv', $sha, 'merge', $bytes)",
        {"sha": sha, "bytes": week},
    )
    con.execute("create table history_head as select 1 as upload_id")
    con.execute(
        "insert into upload_rows_leads (upload_id, lead_id, created_at) values "
        "(0, 'L1', '2026-01-01 09:00:00'), (1, 'L2', '2026-01-02 09:00:00')"
    )
    con.execute(
        "insert into raw_leads (lead_id, created_at) values "
        "('L1', '2026-01-01 09:00:00'), ('L2', '2026-01-02 09:00:00')"
    )
    build(con)
    assert [row[0] for row in loaded(con)] == ["L1", "L2"]
    assert (tmp_path / "uploads" / f"{sha}.csv").read_bytes() == week
    assert "file_bytes" not in [column[0] for column in con.table("uploads").description]
    restore(con, 0)
    assert [row[0] for row in loaded(con)] == ["L1"]
