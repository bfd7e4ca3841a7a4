"""Faults and the disk (issue 10, section 5), each provoked for real: a full disk, a file size
limit, a damaged file, another process holding the database.

A full disk needs a small tmpfs, which only root may mount: that test is skipped elsewhere, and
the file size limit (which anyone may set) provokes the other write failures.
"""

import hashlib
import os
import resource
import shutil
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from revcycle import health
from revcycle.__main__ import main
from revcycle.access import os_user
from revcycle.build import open_database
from revcycle.db import connect, rollback_after
from revcycle.importer.validate import prepare
from revcycle.paths import REPO_ROOT
from revcycle.ui import upload
from tests.conftest import building, inputs_key, made_copy, write_export

TEN_LEADS = [{"lead_id": f"L{i}", "created_at": "2026-01-01 00:00:00"} for i in range(10)]
HELD = "holding the database"
HOLDER = textwrap.dedent(f"""
    import sys, time
    from revcycle.db import connect
    con = connect(sys.argv[1])
    print("{HELD}", flush=True)
    time.sleep(300)
""")


@pytest.fixture
def small_database(built_databases):
    """Ten leads and no deals, built as the CLI builds, then closed: uploads 1 and 2. Built
    once for the session; each test gets its own copy of the file and its archive."""

    def make(folder: Path) -> Path:
        exports = {
            "leads": write_export(folder / "leads.csv", "leads", TEN_LEADS),
            "deals": write_export(folder / "deals.csv", "deals", []),
        }
        key = inputs_key(exports)
        return made_copy(built_databases, key, building(exports), folder / "small.duckdb")

    return make


def big_leads_file(path: Path, count: int) -> Path:
    """``count`` leads whose company names do not compress: a file that fills a small disk."""
    rows = [
        {"lead_id": f"B{i}", "created_at": "2026-01-02 00:00:00", "company": os.urandom(40).hex()}
        for i in range(count)
    ]
    return write_export(path, "leads", rows)


def command(db_file: Path, *args, preexec_fn=None, state: Path | None = None):
    """`python -m revcycle ARGS` as its own process: exit code, stdout, stderr."""
    env = {**os.environ, "REVCYCLE_DB": str(db_file)}
    if state is not None:
        env["XDG_STATE_HOME"] = str(state)
    result = subprocess.run(
        [sys.executable, "-m", "revcycle", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        env=env,
        timeout=300,
        preexec_fn=preexec_fn,
    )
    return result.returncode, result.stdout, result.stderr


@pytest.fixture
def cli(monkeypatch, capsys):
    """main() in this process on ``db_file``: exit code and everything it printed."""

    def run(db_file: Path, *args):
        monkeypatch.setenv("REVCYCLE_DB", str(db_file))
        code = main([str(arg) for arg in args])
        captured = capsys.readouterr()
        return code, captured.out + captured.err

    return run


@pytest.fixture
def holder():
    """Another process holding a database open for writing, as the dashboard does."""
    started = []

    def hold(db_file: Path) -> subprocess.Popen:
        process = subprocess.Popen(
            [sys.executable, "-c", HOLDER, str(db_file)],
            cwd=REPO_ROOT,
            stdout=subprocess.PIPE,
            text=True,
        )
        started.append(process)
        assert process.stdout.readline().strip() == HELD
        return process

    yield hold
    for process in started:
        process.kill()
        process.wait(timeout=60)


def archive(db_file: Path) -> list[str]:
    return sorted(path.name for path in (db_file.parent / "uploads").iterdir())


# --- a failed commit says why it failed --------------------------------------------------------


def test_a_failed_commit_raises_its_own_error_not_the_rollbacks(tmp_path):
    # A real commit failure anyone can provoke: two transactions insert the same key, and the
    # second one's commit is refused. DuckDB has then ended it, so a rollback is refused too.
    con = duckdb.connect(str(tmp_path / "conflict.duckdb"))
    con.execute("create table keys (key integer primary key)")
    other = con.cursor()
    con.begin()
    other.begin()
    con.execute("insert into keys values (1)")
    other.execute("insert into keys values (1)")
    other.commit()
    with pytest.raises(duckdb.TransactionException) as raised:
        try:
            con.commit()
        except BaseException as error:
            rollback_after(con, error)
            raise
    assert "Failed to commit" in str(raised.value)
    assert "cannot rollback" not in str(raised.value)
    assert any("cannot rollback" in note for note in raised.value.__notes__)


@pytest.fixture
def small_disk(tmp_path):
    """A 16 MB tmpfs: a real disk that fills up (see ``on_small_disk``). Mounting it needs root."""
    mount_point = tmp_path / "disk"
    mount_point.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", str(mount_point)],
        capture_output=True,
        text=True,
    )
    if mounted.returncode != 0:
        pytest.skip(f"a small tmpfs cannot be mounted here: {mounted.stderr.strip()}")
    yield mount_point
    subprocess.run(["umount", str(mount_point)], check=True)


def on_small_disk(built: Path, disk: Path, free_bytes: int) -> Path:
    """Copy the closed database ``built`` and its kept files onto ``disk``, then fill the disk
    with a file of its own until ``free_bytes`` are left; the copy's path."""
    db_file = disk / built.name
    shutil.copyfile(built, db_file)
    shutil.copytree(built.parent / "uploads", disk / "uploads")
    stats = os.statvfs(disk)
    with (disk / "filler").open("wb") as filler:
        for _ in range((stats.f_bavail * stats.f_frsize - free_bytes) // (1 << 16)):
            filler.write(b"\0" * (1 << 16))
    return db_file


def test_a_full_disk_is_named_and_the_failed_load_leaves_no_file(
    tmp_path, small_disk, small_database, cli
):
    db_file = on_small_disk(small_database(tmp_path), small_disk, 1 << 20)
    before = archive(db_file)
    # 5,000 leads of 80 random hex digits: a 600 KB file, whose rows then fill the disk's
    # last megabyte when the commit writes them to the write-ahead log.
    big = big_leads_file(tmp_path / "big.csv", 5_000)
    code, out, err = command(db_file, "load", big, "--kind", "leads", state=tmp_path / "state")
    assert code == 1
    assert f"No space left on device, writing {db_file}" in err
    assert "cannot rollback" not in out + err
    assert "Traceback" not in out + err
    assert archive(db_file) == before  # the failed load's copy of big.csv is gone
    # The history is read here, not in a process of its own: the failed load's was the one
    # that had to meet the full disk.
    code, out = cli(db_file, "history")
    assert [line.split()[0] for line in out.splitlines()] == ["2", "1"]


def test_the_upload_page_names_a_full_disk_too(tmp_path, small_disk, small_database):
    db_file = on_small_disk(small_database(tmp_path), small_disk, 1 << 20)
    before = archive(db_file)
    big = big_leads_file(tmp_path / "big.csv", 5_000)
    con = connect(db_file)
    try:
        prepared = prepare(con, big, kind="leads")
        ready = upload.Ready(prepared, "merge", prepared.source, {})
        committed = upload.commit_all(con, [("file-big", ready)], "test")
    finally:
        con.close()
    assert committed.upload_ids == {}
    assert committed.failure == (
        "Loading big.csv failed, so nothing from it was loaded and the data is as it was "
        f"before it. No space left on device, writing {db_file}.wal. Nothing was committed: "
        "the data is as it was. Free some space and try again."
    )
    assert archive(db_file) == before


def test_a_failed_load_keeps_the_file_an_earlier_upload_names(
    tmp_path, small_disk, cli, small_database
):
    built = small_database(tmp_path)
    big = big_leads_file(tmp_path / "big.csv", 5_000)
    assert cli(built, "load", big, "--kind", "leads")[0] == 0  # upload 3 names big.csv's copy
    assert cli(built, "restore", "2")[0] == 0  # entry 4: back to the ten leads
    db_file = on_small_disk(built, small_disk, 300 << 10)
    before = archive(db_file)
    assert len(before) == 3
    code, out, err = command(db_file, "load", big, "--kind", "leads")  # again: the disk is full
    assert code == 1
    assert f"No space left on device, writing {db_file}" in err
    assert archive(db_file) == before  # upload 3's copy of big.csv stays


def _limit_file_size(limit: int):
    def limit_in_child() -> None:
        # Past the limit a write fails with "File too large", instead of the signal ending us.
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return limit_in_child


def test_a_file_the_disk_refuses_leaves_no_partial_file(tmp_path, small_database):
    db_file = small_database(tmp_path)
    before = archive(db_file)
    big = big_leads_file(tmp_path / "big.csv", 20_000)  # 2.4 MB: past a 1 MB limit
    code, out, err = command(
        db_file, "load", big, "--kind", "leads", preexec_fn=_limit_file_size(1 << 20)
    )
    assert code == 1
    assert "File too large, writing " in err
    assert "Traceback" not in out + err
    assert archive(db_file) == before  # neither the partial file nor the archived one


def test_start_up_removes_only_the_archives_leftovers(tmp_path, small_database):
    db_file = small_database(tmp_path)
    uploads = tmp_path / "uploads"
    named = archive(db_file)  # the two files uploads 1 and 2 name
    leftovers = ["a" * 64 + ".csv", "." + "b" * 64 + ".xlsx.partial"]
    others = ["notes.txt", "c" * 63 + ".csv", "D" * 64 + ".csv"]
    for name in leftovers + others:
        (uploads / name).write_text("x")
    open_database(db_file).close()
    assert archive(db_file) == sorted(named + others)


# --- the command line never prints a traceback -----------------------------------------------


def test_an_unexpected_error_is_one_sentence_and_a_log_file(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    state = tmp_path / "state"
    code, out, err = command(
        tmp_path / "db.duckdb", "sample", "--leads", "10", "--out", blocker / "sample", state=state
    )
    log_file = state / "revcycle" / "revcycle.log"
    assert code == 1
    assert "Traceback" not in out + err
    assert err.count("\n") == 1 and err.startswith("error: ")
    assert f"The details are in {log_file}." in err
    details = log_file.read_text()
    assert "Traceback (most recent call last)" in details
    assert "NotADirectoryError" in details
    assert "sample --leads 10 --out" in details


# --- a damaged database -----------------------------------------------------------------------


def test_a_damaged_database_is_named_damaged_not_busy(tmp_path, cli):
    db_file = tmp_path / "damaged.duckdb"
    db_file.write_bytes(b"not a database " * 1000)
    for args in (("history",), ("load", tmp_path / "any.csv"), ("check",)):
        code, out = cli(db_file, *args)
        assert code == 1
        assert f"The database {db_file} is damaged" in out
        assert "restore-backup" in out
        assert "another process" not in out


def test_check_passes_a_healthy_database(tmp_path, cli, small_database):
    db_file = small_database(tmp_path)
    code, out = cli(db_file, "check")
    assert code == 0
    assert out == (f"{db_file}: every table reads and every kept upload file matches its sha256\n")


def test_check_names_each_changed_or_missing_kept_file(tmp_path, cli, small_database):
    db_file = small_database(tmp_path)
    leads_copy, deals_copy = (
        tmp_path / "uploads" / f"{hashlib.sha256((tmp_path / name).read_bytes()).hexdigest()}.csv"
        for name in ("leads.csv", "deals.csv")
    )
    leads_copy.write_text("lead_id\nchanged\n")
    deals_copy.unlink()
    code, out = cli(db_file, "check")
    assert code == 1
    assert out.splitlines() == [
        f"The kept copy of deals.csv is missing: {deals_copy}.",
        f"The kept copy of leads.csv ({leads_copy}) has changed: its sha256 no longer "
        "matches the one recorded when it was uploaded.",
        f"{db_file}: 2 problems",
    ]


def test_check_names_a_table_whose_blocks_are_damaged(tmp_path, cli, small_database):
    db_file = small_database(tmp_path)
    size = db_file.stat().st_size
    with db_file.open("r+b") as handle:  # the file's second half overwritten: its blocks
        handle.seek(size // 2)
        handle.write(os.urandom(size - size // 2))
    code, out = cli(db_file, "check")
    assert code == 1
    assert "cannot be read: " in out
    assert out.splitlines()[-1].startswith(f"{db_file}: ")


# --- reading while the dashboard runs ---------------------------------------------------------


def test_history_dry_run_and_check_read_while_another_process_writes(
    tmp_path, cli, holder, small_database
):
    db_file = small_database(tmp_path)
    # L8 and L9 are loaded as they are here; N1 is new: 1 new, 0 changed, 2 unchanged.
    three = write_export(
        tmp_path / "three.csv",
        "leads",
        [*TEN_LEADS[8:], {"lead_id": "N1", "created_at": "2026-01-03 00:00:00"}],
    )
    holder(db_file)
    note = f"Another process (a running dashboard?) holds {db_file}; this reads a copy"
    code, out = cli(db_file, "history")
    assert code == 0 and out.startswith(note)
    entries = [line.split() for line in out.splitlines()[1:]]
    assert [(entry[0], entry[3], entry[4]) for entry in entries] == [
        ("2", "deals", "deals.csv"),
        ("1", "leads", "leads.csv"),
    ]
    code, out = cli(db_file, "load", three, "--kind", "leads", "--dry-run")
    assert code == 0 and out.startswith(note)
    assert "merge: 1 new, 0 changed, 2 unchanged\n" in out
    code, out = cli(db_file, "check")
    assert code == 0 and out.startswith(note)
    code, out = cli(db_file, "load", three, "--kind", "leads")
    assert code == 1
    assert "(a running dashboard?) holds" in out and "for writing" in out


def test_a_page_whose_database_another_process_holds_says_so_until_it_is_let_go(
    tmp_path, holder, small_database, monkeypatch
):
    # A second dashboard on the same file, or a load from the command line under way when the
    # dashboard starts: the page names the holder and what to do, never "something went wrong".
    db_file = small_database(tmp_path)
    process = holder(db_file)
    monkeypatch.setenv("REVCYCLE_DB", str(db_file))
    at = AppTest.from_file(str(REPO_ROOT / "dashboard.py"), default_timeout=120).run()
    assert not at.exception
    [error] = [element.value.replace("\\", "") for element in at.error]
    assert error == (
        f"Process {process.pid} holds the database {db_file} (another dashboard on it, or a "
        "load from the command line?), and one process at a time can open it. Stop the other "
        "dashboard, or wait for the load to end, then reload this page."
    )
    assert not at.metric  # nothing is drawn from a database the page could not open
    process.kill()
    process.wait(timeout=60)
    at = AppTest.from_file(str(REPO_ROOT / "dashboard.py"), default_timeout=120).run()
    assert not at.error, [element.value for element in at.error]
    # The ten leads of TEN_LEADS, in the period the page opens on (the whole of their data).
    assert next(metric.value for metric in at.metric if metric.label == "Leads") == "10"


# --- backups ----------------------------------------------------------------------------------


def table_rows(db_file: Path) -> dict[str, list]:
    con = duckdb.connect(str(db_file), read_only=True)
    try:
        return {
            "raw_leads": con.execute("select * from raw_leads order by lead_id").fetchall(),
            "raw_deals": con.execute("select * from raw_deals order by deal_id").fetchall(),
            "uploads": con.execute("select * from uploads order by upload_id").fetchall(),
            "funnel": con.execute("select * from funnel_revenue order by all").fetchall(),
        }
    finally:
        con.close()


def test_a_backup_taken_while_the_dashboard_runs_brings_the_data_back(
    tmp_path, cli, holder, small_database
):
    db_file = small_database(tmp_path)
    first = table_rows(db_file)
    dashboard = holder(db_file)
    code, out = cli(db_file, "backup", tmp_path / "backup")
    assert code == 0, out
    dashboard.kill()
    dashboard.wait(timeout=60)
    more = write_export(
        tmp_path / "more.csv", "leads", [{"lead_id": "M1", "created_at": "2026-01-04 00:00:00"}]
    )
    code, out = cli(db_file, "load", more, "--kind", "leads")
    assert code == 0, out
    assert len(table_rows(db_file)["raw_leads"]) == 11  # the ten and M1

    code, out = cli(db_file, "restore-backup", tmp_path / "backup")
    assert code == 1  # not without --replace, and it says what would be replaced
    assert f"{db_file} holds 3 uploads (the latest upload 3)" in out
    assert "more.csv" in out
    assert f"The backup in {tmp_path / 'backup'} holds 2 uploads (the latest upload 2)" in out
    assert len(table_rows(db_file)["raw_leads"]) == 11

    code, out = cli(db_file, "restore-backup", tmp_path / "backup", "--replace")
    assert code == 0, out
    restored = table_rows(db_file)
    assert restored == first
    assert [row[0] for row in restored["raw_leads"]] == sorted(f"L{i}" for i in range(10))
    con = duckdb.connect(str(db_file), read_only=True)
    who, what = con.execute(
        "select changed_by, what from change_log order by changed_at desc limit 1"
    ).fetchall()[0]
    con.close()
    assert who == os_user()
    assert what.startswith(f"Brought back the backup in {tmp_path / 'backup'}")
    replaced = list(tmp_path.glob("small.duckdb.replaced-*"))
    assert len(replaced) == 1 and f"kept as {replaced[0]}" in out


def test_bringing_back_a_backup_waits_for_the_dashboard_to_stop(
    tmp_path, cli, holder, small_database
):
    db_file = small_database(tmp_path)
    code, _ = cli(db_file, "backup", tmp_path / "backup")
    assert code == 0
    holder(db_file)
    code, out = cli(db_file, "restore-backup", tmp_path / "backup", "--replace")
    assert code == 1
    assert "holds" in out and "for writing" in out
    assert not list(tmp_path.glob("small.duckdb.replaced-*"))


def test_a_backup_replaces_a_damaged_database(tmp_path, cli, small_database):
    db_file = small_database(tmp_path)
    first = table_rows(db_file)
    assert cli(db_file, "backup", tmp_path / "backup")[0] == 0
    db_file.write_bytes(b"not a database " * 1000)
    code, out = cli(db_file, "restore-backup", tmp_path / "backup")
    assert code == 1
    assert f"{db_file} holds a damaged database (IO Error: The file" in out
    code, out = cli(db_file, "restore-backup", tmp_path / "backup", "--replace")
    assert code == 0, out
    assert table_rows(db_file) == first


def test_a_backup_never_writes_into_a_folder_that_holds_files(tmp_path, cli, small_database):
    db_file = small_database(tmp_path)
    target = tmp_path / "full"
    target.mkdir()
    (target / "keep.txt").write_text("mine")
    code, out = cli(db_file, "backup", target)
    assert code == 1
    assert f"{target} exists and is not an empty folder" in out
    assert sorted(path.name for path in target.iterdir()) == ["keep.txt"]


def test_a_backup_whose_manifest_is_damaged_is_refused_in_a_sentence(tmp_path, cli, small_database):
    # A backup.json of garbage was "Something unexpected went wrong (JSONDecodeError …)".
    db_file = small_database(tmp_path)
    first = table_rows(db_file)
    assert cli(db_file, "backup", tmp_path / "backup")[0] == 0
    (tmp_path / "backup" / "backup.json").write_text("garbage\n", encoding="utf-8")
    code, out = cli(db_file, "restore-backup", tmp_path / "backup", "--replace")
    assert code == 1
    assert f"error: {tmp_path / 'backup'}'s backup.json cannot be read (" in out
    assert "the backup is damaged. Nothing was changed." in out
    assert "unexpected" not in out
    assert table_rows(db_file) == first


def test_a_folder_this_user_may_not_write_is_named_not_called_unexpected():
    # DuckDB's words when a commit cannot open the .wal beside the database (its folder read
    # only for this user): the command line said "Something unexpected went wrong".
    error = duckdb.TransactionException(
        'TransactionContext Error: Failed to commit: Cannot open file "/data/rc/revcycle.duckdb'
        '.wal": Permission denied'
    )
    assert health.explain(error) == (
        "Permission denied, opening /data/rc/revcycle.duckdb.wal. Nothing was committed: the "
        "data is as it was. This user must be able to write the database's folder (DuckDB keeps "
        "a .wal file beside the database while it commits)."
    )
