"""Committing uploads: merge and replace, idempotence, preview, history and restore."""

import datetime
import hashlib
from zoneinfo import ZoneInfo

import pyarrow as pa
import pytest

from revcycle import audit
from revcycle.importer import load as load_module
from revcycle.importer import validate
from revcycle.importer.load import (
    Previewed,
    UploadMeta,
    archive_folder,
    archived_file,
    commit_upload,
    history,
    preview,
    restore,
)
from revcycle.importer.original import Original
from revcycle.importer.problems import FILE_CHANGED, ImportRefused
from revcycle.importer.validate import prepare
from revcycle.rebuild import data_version
from tests.conftest import connect_built, write_export


def leads(*rows):
    return pa.Table.from_pylist(
        [
            {"lead_id": lead_id, "created_at": created, "channel": channel}
            for lead_id, created, channel in rows
        ]
    )


def meta(name="leads.csv", rows=0):
    return UploadMeta(name, Original.of_bytes(f"bytes of {name}".encode()), "generic", rows, 0)


@pytest.fixture
def con(tmp_path, built_databases):
    lead = {"lead_id": "L1", "created_at": "2026-01-01 09:00:00", "channel": "Email"}
    exports = {
        "leads": write_export(tmp_path / "l.csv", "leads", [lead]),
        "deals": write_export(tmp_path / "d.csv", "deals", []),
    }
    connection = connect_built(exports, tmp_path / "load.duckdb", built_databases)
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
    commit_upload(con, "leads", week, "merge", meta(rows=2), changed_by="test")
    assert loaded(con) == [
        ("L1", "2026-01-01 09:00:00", "Partner"),
        ("L2", "2026-01-02 09:00:00", "Email"),
    ]
    # The mart was rebuilt in the same commit.
    assert con.execute("select count(*) from funnel_revenue").fetchone() == (2,)


def test_an_archive_from_before_a_field_existed_gets_the_field_on_the_next_upload(con):
    # As an archive begun before the contract had these fields: its rows have no such column.
    con.execute('drop view raw_leads; alter table upload_rows_leads drop column "segment"')
    con.execute('alter table upload_rows_leads drop column "is_converted"')
    week = pa.Table.from_pylist(
        [{"lead_id": "L2", "created_at": "2026-01-02 09:00:00", "segment": "SMB"}]
    )
    commit_upload(con, "leads", week, "merge", meta(rows=1), changed_by="test")
    assert con.execute(
        "select lead_id, segment, is_converted from raw_leads order by lead_id"
    ).fetchall() == [("L1", None, None), ("L2", "SMB", None)]


def test_a_raw_view_other_code_wrote_is_written_again_and_a_current_one_is_kept(con):
    def view_oid(name):
        query = "select view_oid from duckdb_views() where view_name = $name"
        return con.execute(query, {"name": name}).fetchone()[0]

    # As a view an older version of the code wrote, here one that shows no row.
    con.execute("create or replace view raw_leads as select * from upload_rows_leads where false")
    deals_view = view_oid("raw_deals")
    week = leads(("L2", "2026-01-02 09:00:00", "Email"))
    commit_upload(con, "leads", week, "merge", meta(rows=1), changed_by="test")
    # Today's view again: the loaded L1 and the new L2 (a merge keeps L1).
    assert [lead_id for lead_id, _, _ in loaded(con)] == ["L1", "L2"]
    assert view_oid("raw_deals") == deals_view  # written by today's code: left as it was


def raw_view_form(con, kind: str) -> int:
    """How many loaded uploads the raw_<kind> view in the database is written for: 1 for a
    replace alone (or nothing), 2 for the merging form (the same for any count above 1)."""
    query = "select comment from duckdb_views() where view_name = $name"
    mark = con.execute(query, {"name": f"raw_{kind}"}).fetchone()[0]
    forms = {
        hashlib.sha256(load_module._loaded_rows_sql(kind, count).encode()).hexdigest(): count
        for count in (1, 2)
    }
    return forms[mark]


def test_a_replace_alone_is_read_as_the_merging_view_would_read_it(con):
    rows = pa.Table.from_pylist(
        [
            {"lead_id": "L7", "created_at": "2026-01-07 09:00:00", "channel": "Email"}
            | {"owner": "Ana", "email": "l7@example.com", "segment": "SMB"},
            {"lead_id": "L8", "created_at": "2026-01-08 10:30:00", "channel": "Partner"}
            | {"owner": None, "email": None, "segment": "Enterprise"},
        ]
    )
    commit_upload(con, "leads", rows, "replace", meta(rows=2), changed_by="test")
    assert raw_view_form(con, "leads") == 1
    as_they_are = con.execute("select * from raw_leads order by lead_id").fetchall()
    merging = load_module._loaded_rows_sql("leads", 2)
    assert con.execute(f"select * from ({merging}) order by lead_id").fetchall() == as_they_are
    assert [(row[0], row[4]) for row in as_they_are] == [("L7", "Ana"), ("L8", None)]


def test_a_merge_writes_the_merging_view_and_a_restore_of_the_replace_the_plain_one(con):
    assert raw_view_form(con, "leads") == 1  # the build's replace alone
    week = leads(("L1", "2026-01-01 09:00:00", "Partner"), ("L2", "2026-01-02 09:00:00", "Email"))
    commit_upload(con, "leads", week, "merge", meta(rows=2), changed_by="test")
    assert raw_view_form(con, "leads") == 2
    assert [row[2] for row in loaded(con)] == ["Partner", "Email"]
    restore(con, 1, changed_by="test")  # the build loaded the leads as upload 1
    assert raw_view_form(con, "leads") == 1
    assert loaded(con) == [("L1", "2026-01-01 09:00:00", "Email")]


def test_loading_the_same_file_twice_changes_nothing(con):
    week = leads(("L2", "2026-01-02 09:00:00", "Email"))
    commit_upload(con, "leads", week, "merge", meta(rows=1), changed_by="test")
    before = loaded(con)
    assert preview(con, "leads", week, "merge").count_unchanged == 1
    commit_upload(con, "leads", week, "merge", meta(rows=1), changed_by="test")
    assert loaded(con) == before


def test_overlapping_weekly_exports_give_one_row_per_id(con):
    commit_upload(
        con,
        "leads",
        leads(("L2", "2026-01-02 09:00:00", "Email"), ("L3", "2026-01-03 09:00:00", "Email")),
        "merge",
        meta(),
        changed_by="test",
    )
    commit_upload(
        con,
        "leads",
        leads(("L3", "2026-01-03 09:00:00", "Referral"), ("L4", "2026-01-04 09:00:00", "Email")),
        "merge",
        meta(),
        changed_by="test",
    )
    assert [row[0] for row in loaded(con)] == ["L1", "L2", "L3", "L4"]
    assert dict((row[0], row[2]) for row in loaded(con))["L3"] == "Referral"


def test_replace_drops_rows_the_new_file_lacks(con):
    fresh = leads(("L9", "2026-02-01 09:00:00", "Email"))
    assert preview(con, "leads", fresh, "replace").count_removed == 1
    commit_upload(con, "leads", fresh, "replace", meta(), changed_by="test")
    assert [row[0] for row in loaded(con)] == ["L9"]


def test_a_preview_is_the_commit_s_change_only_while_nothing_has_loaded_since(con):
    """The upload page previews a file, then loads it: the commit takes the preview's counts
    while the data is at the version they were found at, and compares again once anything
    has loaded in between. L1 (Email) is loaded."""
    week = leads(("L1", "2026-01-01 09:00:00", "Partner"), ("L2", "2026-01-02 09:00:00", "Email"))
    found = preview(con, "leads", week, "merge")
    assert (found.count_new, found.count_changed) == (1, 1)  # L2 new, L1's channel changed
    at = data_version(con)
    # Another upload lands first: it changes L1 to Partner and adds L2 itself.
    commit_upload(con, "leads", week, "merge", meta("other.csv", 2), changed_by="colleague")
    assert data_version(con) != at
    # Stale, the preview is not taken: the file now changes nothing, and adds no upload.
    upload_id, change = commit_upload(
        con,
        "leads",
        week,
        "merge",
        meta(rows=2),
        changed_by="test",
        previewed=Previewed(at, found),
    )
    assert upload_id is None
    assert (change.count_new, change.count_changed, change.count_unchanged) == (0, 0, 2)
    # Current, it is the change as found: here one that says L3 is new, which it is.
    three = leads(("L3", "2026-01-03 09:00:00", "Email"))
    found = preview(con, "leads", three, "merge")
    current = Previewed(data_version(con), found)
    upload_id, change = commit_upload(
        con, "leads", three, "merge", meta("l3.csv", 1), changed_by="test", previewed=current
    )
    assert upload_id is not None and change == found
    assert [row[0] for row in loaded(con)] == ["L1", "L2", "L3"]


def test_restore_returns_exactly_the_state_after_an_upload(con):
    first, _ = commit_upload(
        con,
        "leads",
        leads(("L2", "2026-01-02 09:00:00", "Email")),
        "merge",
        meta("week1.csv"),
        changed_by="test",
    )
    after_first = loaded(con)
    commit_upload(
        con,
        "leads",
        leads(("L2", "2026-01-02 09:00:00", "Partner"), ("L3", "2026-01-03 09:00:00", "Email")),
        "merge",
        meta("week2.csv"),
        changed_by="test",
    )
    restore(con, first, changed_by="test")
    assert loaded(con) == after_first
    assert con.execute("select count(*) from funnel_revenue").fetchone() == (2,)
    # Back to the state the build left: it loaded leads as upload 1, then deals as upload 2.
    restore(con, 2, changed_by="test")
    assert loaded(con) == [("L1", "2026-01-01 09:00:00", "Email")]


def test_an_upload_after_a_restore_builds_on_the_restored_state(con):
    first, _ = commit_upload(
        con,
        "leads",
        leads(("L2", "2026-01-02 09:00:00", "Email")),
        "merge",
        meta(),
        changed_by="test",
    )
    commit_upload(
        con,
        "leads",
        leads(("L3", "2026-01-03 09:00:00", "Email")),
        "merge",
        meta(),
        changed_by="test",
    )
    restore(con, first, changed_by="test")
    later, _ = commit_upload(
        con,
        "leads",
        leads(("L4", "2026-01-04 09:00:00", "Email")),
        "merge",
        meta(),
        changed_by="test",
    )
    assert [row[0] for row in loaded(con)] == ["L1", "L2", "L4"]
    restore(con, later, changed_by="test")
    assert [row[0] for row in loaded(con)] == ["L1", "L2", "L4"]


def test_history_lists_uploads_newest_first_with_counts_and_checksum(con):
    commit_upload(
        con,
        "leads",
        leads(("L2", "2026-01-02 09:00:00", "Email")),
        "merge",
        meta("week1.csv", rows=1),
        changed_by="test",
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
        commit_upload(con, "leads", broken, "merge", meta(), changed_by="test")
    assert loaded(con) == before
    assert con.execute("select count(*) from funnel_revenue").fetchone() == (1,)


def archive_names(con) -> list[str]:
    folder = archive_folder(con)
    return sorted(path.name for path in folder.iterdir()) if folder.is_dir() else []


def test_a_file_from_disk_is_archived_as_it_was_read(con, tmp_path):
    path = write_export(
        tmp_path / "week2.csv", "leads", [{"lead_id": "L3", "created_at": "2026-01-03 09:00:00"}]
    )
    prepared = prepare(con, path, kind="leads")
    assert prepared.original.data is None  # read again from disk when archived
    upload_id, _ = commit_upload(
        con, "leads", prepared.rows, "merge", prepared.meta(), changed_by="test"
    )
    sha256, size = con.execute(
        "select sha256, size_bytes from uploads where upload_id = $id", {"id": upload_id}
    ).fetchone()
    assert sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert size == len(path.read_bytes())
    assert archived_file(con, sha256, "week2.csv").read_bytes() == path.read_bytes()


def wide_leads(tmp_path):
    """20,000 leads with a 100-character company each: 2 MB of text in one field."""
    rows = [
        {"lead_id": f"L{n}", "created_at": "2026-01-03 09:00:00", "company": f"{n:0100d}"}
        for n in range(20_000)
    ]
    return rows, write_export(tmp_path / "wide.csv", "leads", rows)


def test_a_text_field_keeps_the_export_s_own_text_from_reading_to_the_prepared_rows(
    con, tmp_path, monkeypatch
):
    # 20,000 leads with a 100-character company each: 2 MB of text in one field. Parsing,
    # checking and preparing take the export's own array: no copy per field, and none to let
    # the export's other columns go (each is an array of its own, see test_read).
    rows, path = wide_leads(tmp_path)
    text_bytes = []  # the address of the company text: as read, as parsed and checked
    read_export, without_rejected = validate.read_export, validate._without_rejected

    def reading(*args):
        table = read_export(*args)
        text_bytes.append(table.rows.column("company").chunk(0).buffers()[2].address)
        return table

    def keeping(parsed, *args):
        text_bytes.append(parsed.column("company").chunk(0).buffers()[2].address)
        return without_rejected(parsed, *args)

    monkeypatch.setattr(validate, "read_export", reading)
    monkeypatch.setattr(validate, "_without_rejected", keeping)
    prepared = prepare(con, path, kind="leads")
    assert prepared.rows.column("company").to_pylist() == [row["company"] for row in rows]
    [as_read, as_parsed] = text_bytes
    assert as_parsed == as_read
    assert prepared.rows.column("company").chunk(0).buffers()[2].address == as_read


@pytest.mark.parametrize("change", ["rewritten", "removed"])
def test_a_file_changed_on_disk_before_it_is_archived_loads_nothing(con, tmp_path, change):
    path = write_export(
        tmp_path / "week2.csv", "leads", [{"lead_id": "L3", "created_at": "2026-01-03 09:00:00"}]
    )
    prepared = prepare(con, path, kind="leads")
    before, kept_before = loaded(con), archive_names(con)
    if change == "rewritten":  # another export saved over it, one row longer
        write_export(
            path,
            "leads",
            [{"lead_id": f"L{n}", "created_at": "2026-01-03 09:00:00"} for n in (3, 4)],
        )
    else:
        path.unlink()
    with pytest.raises(ImportRefused) as refusal:
        commit_upload(con, "leads", prepared.rows, "merge", prepared.meta(), changed_by="test")
    [problem] = refusal.value.problems
    assert (problem.file, problem.code) == ("week2.csv", FILE_CHANGED)
    assert "changed on disk" in problem.reason
    assert loaded(con) == before  # nothing loaded, the upload not recorded
    assert len(history(con)) == 2
    assert archive_names(con) == kept_before  # and no copy, whole or partial, left behind


def test_an_upload_and_a_change_are_stamped_on_the_data_s_wall_clock(con, monkeypatch):
    # UTC+14, far from any server's clock: the upload's time and the change log's are the
    # wall time there, as an agreement version's and a meeting action's are.
    monkeypatch.setenv("REVCYCLE_TIMEZONE", "Pacific/Kiritimati")
    week = leads(("L9", "2026-01-09 09:00:00", "Email"))
    commit_upload(con, "leads", week, "merge", meta(rows=1), changed_by="test")
    audit.record(con, "test", "a change")
    there = datetime.datetime.now(ZoneInfo("Pacific/Kiritimati")).replace(tzinfo=None)
    uploaded = con.execute("select max(uploaded_at) from uploads").fetchone()[0]
    changed = con.execute("select max(changed_at) from change_log").fetchone()[0]
    for stamp in (uploaded, changed):
        assert abs(stamp - there) < datetime.timedelta(minutes=5), (stamp, there)


def test_the_commit_lets_the_rows_go_once_stored_before_the_marts_are_rebuilt(
    con, tmp_path, monkeypatch
):
    # 20,000 leads with a 100-character company: 2 MB of text the reader keeps in the system
    # allocator. Handed over alone (as the command line does), the rows are let go once they
    # are stored: DuckDB reads them as a relation, not a registered view, which a transaction
    # keeps until its commit. At 10M leads that is 2 GiB beside the rebuild.
    rows, path = wide_leads(tmp_path)
    pool = pa.system_memory_pool()
    before = pool.bytes_allocated()
    prepared = prepare(con, path, kind="leads")
    company_bytes = 100 * len(rows)
    assert pool.bytes_allocated() - before >= company_bytes
    held_at_rebuild = []
    rebuild = load_module.rebuild_in_transaction

    def rebuilding(*args, **kwargs):
        held_at_rebuild.append(pool.bytes_allocated() - before)
        return rebuild(*args, **kwargs)

    monkeypatch.setattr(load_module, "rebuild_in_transaction", rebuilding)
    handed_over, file_meta = [prepared.rows], prepared.meta()
    del prepared
    commit_upload(con, "leads", handed_over.pop(), "replace", file_meta, changed_by="test")
    assert held_at_rebuild and held_at_rebuild[0] < company_bytes // 10
    stored = con.execute("select count(*), max(company) from raw_leads").fetchone()
    assert stored == (20_000, f"{19_999:0100d}")
