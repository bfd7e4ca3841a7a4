"""Issue 9 point 7: a database holds either the bundled sample or the user's data, never both.

The sample is 20,000 leads and 2,519 deals (data/sample); a person's file is a few hand-written
rows, so every count below says which of the two is loaded.
"""

import csv

from revcycle.build import open_database
from revcycle.db import connect
from revcycle.importer import load
from revcycle.paths import SAMPLE_DIR
from tests import test_cli_load
from tests.conftest import copy_database, write_export

# The command's main() run in this process, as the load tests run it: tests/test_cli_load.py
# starts the real `python -m revcycle` too, so a new Python for every call here adds nothing.
revcycle = test_cli_load.revcycle

TWO_LEADS = [
    {"lead_id": "MINE1", "created_at": "2026-11-02 09:00:00", "channel": "Referral"},
    {"lead_id": "MINE2", "created_at": "2026-11-03 09:00:00", "channel": "Email"},
]


def count_lines(name: str) -> int:
    with (SAMPLE_DIR / name).open(newline="", encoding="utf-8") as handle:
        return sum(1 for _ in csv.DictReader(handle))


def loaded(db) -> tuple[int, int]:
    con = connect(db)
    try:
        return con.execute(
            "select (select count(*) from raw_leads), (select count(*) from raw_deals)"
        ).fetchall()[0]
    finally:
        con.close()


def test_the_command_never_seeds_the_sample(tmp_path, revcycle):
    mine = write_export(tmp_path / "mine.csv", "leads", TWO_LEADS)
    db = tmp_path / "new.duckdb"
    code, out = revcycle(db, "load", mine)
    assert code == 0, out
    # Before: the sample's 20,000 leads and 2,519 deals came first, and the file merged in.
    assert loaded(db) == (2, 0)
    code, out = revcycle(db, "history")
    assert out.count("\n") == 1 and "mine.csv" in out


def test_build_sample_is_the_one_command_that_loads_the_sample(tmp_path, revcycle):
    db = tmp_path / "new.duckdb"
    code, out = revcycle(db, "build")
    assert code == 0 and loaded(db) == (0, 0) and "nothing is loaded" in out
    assert "build the bundled sample with `python -m revcycle build --sample`" in out
    code, out = revcycle(db, "build", "--sample")
    assert code == 0
    assert loaded(db) == (count_lines("leads.csv"), count_lines("deals.csv"))


def test_the_dashboard_opens_a_fresh_database_on_the_sample(tmp_path):
    con = open_database(tmp_path / "fresh.duckdb", seed_sample=True)
    try:
        assert load.holds_sample(con)
        assert con.execute("select count(*) from raw_leads").fetchall()[0][0] == 20_000
    finally:
        con.close()


def test_the_first_real_upload_says_beforehand_that_the_sample_goes(
    tmp_path, sample_db_file, revcycle
):
    db = copy_database(sample_db_file, tmp_path / "sample.duckdb")
    mine = write_export(tmp_path / "mine.csv", "leads", TWO_LEADS)
    code, out = revcycle(db, "load", mine, "--dry-run")
    assert code == 0, out
    assert "holds the bundled sample (20,000 leads, 2,519 deals)" in out
    assert "removes the sample first, leads and deals" in out
    # Compared with nothing, since the sample goes: both leads are new.
    assert "merge: 2 new, 0 changed, 0 unchanged" in out
    assert loaded(db) == (20_000, 2_519)  # a dry run commits nothing


def test_the_first_real_upload_removes_both_kinds_and_restore_brings_them_back(
    tmp_path, sample_db_file, revcycle
):
    db = copy_database(sample_db_file, tmp_path / "sample.duckdb")
    mine = write_export(tmp_path / "mine.csv", "leads", TWO_LEADS)
    code, out = revcycle(db, "load", mine)
    assert code == 0, out
    # Before: 20,002 leads and the sample's 2,519 deals (€14.8M of "(no lead)" revenue).
    assert loaded(db) == (2, 0)
    # Uploads 1-4 are the sample's (leads, deals, touches, spend); 5 removes it; 6 is the
    # file. Undo returns to 4.
    assert "`python -m revcycle restore 4` undoes it" in out
    con = connect(db)
    try:
        assert not load.holds_sample(con)
        kinds = con.execute("select kind from uploads order by upload_id").fetchall()
        assert kinds == [
            ("leads",),
            ("deals",),
            ("touches",),
            ("spend",),
            (load.SAMPLE_REMOVED,),
            ("leads",),
        ]
    finally:
        con.close()
    code, out = revcycle(db, "restore", "4")
    assert code == 0, out
    assert loaded(db) == (20_000, 2_519)


def test_a_second_upload_keeps_the_first(tmp_path, sample_db_file, revcycle):
    db = copy_database(sample_db_file, tmp_path / "sample.duckdb")
    first = write_export(tmp_path / "first.csv", "leads", TWO_LEADS[:1])
    second = write_export(tmp_path / "second.csv", "leads", TWO_LEADS[1:])
    assert revcycle(db, "load", first)[0] == 0
    code, out = revcycle(db, "load", second)
    assert code == 0 and "bundled sample" not in out
    assert loaded(db) == (2, 0)
