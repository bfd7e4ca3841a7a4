"""Issue 9, the import: points 4 (a deal closed before it was created), 8 (--map adds to the
automatic mapping, --set, the full mapping shown, typed suggestions) and 11 (grouped warnings,
nothing changed). Hand-written files, a real database, the command's main() in this process."""

import csv

import pytest

from revcycle.__main__ import main
from revcycle.db import connect
from revcycle.importer import presets
from tests.conftest import write_export

# Lines 2-4 and 6 are dated 2099 (the future); line 5 has no lead_id (an error).
FUTURE = "2099-01-01 09:00:00"
LEADS_WITH_FUTURE_DATES = [
    {"lead_id": "F1", "created_at": FUTURE},
    {"lead_id": "F2", "created_at": FUTURE},
    {"lead_id": "F3", "created_at": FUTURE},
    {"lead_id": "", "created_at": "2026-11-02 09:00:00"},
    {"lead_id": "F5", "created_at": FUTURE},
]


@pytest.fixture
def db(funnel_db, tmp_path):
    """A database holding one real lead (upload 1) and no deals (upload 2); its file path."""
    funnel_db([{"lead_id": "OLD1", "created_at": "2026-09-01 09:00:00"}]).close()
    return tmp_path / "test.duckdb"


@pytest.fixture
def revcycle(monkeypatch, capsys):
    """Run `python -m revcycle ARGS` in this process on ``db``; (exit code, output)."""

    def run(db, *args):
        monkeypatch.setenv("REVCYCLE_DB", str(db))
        try:
            code = main([str(arg) for arg in args])
        except SystemExit as exit:
            code = exit.code
        captured = capsys.readouterr()
        return code, captured.out + captured.err

    return run


def history_ids(db) -> list[int]:
    con = connect(db)
    try:
        return [row[0] for row in con.execute("select upload_id from uploads order by 1").fetchall()]
    finally:
        con.close()


# 11. Warnings are grouped.


def test_the_same_warning_on_many_lines_is_one_line_with_its_ranges(db, tmp_path, revcycle):
    export = write_export(tmp_path / "leads.csv", "leads", LEADS_WITH_FUTURE_DATES)
    listed = tmp_path / "problems.csv"
    code, out = revcycle(db, "load", export, "--dry-run", "--problems-csv", listed)
    assert code == 0, out
    assert "1 errors (their rows are rejected), 4 warnings, 2 distinct:" in out
    assert (
        "  warning: leads.csv, 4 lines (2–4, 6), column created_at (e.g. '2099-01-01 09:00:00'): "
        "a date in the future" in out
    )
    assert "  error: leads.csv, line 5, column lead_id: lead_id is blank" in out
    assert out.count("a date in the future") == 1
    with listed.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert sorted((row["line"], row["code"]) for row in rows) == [
        ("2", "future_date"),
        ("3", "future_date"),
        ("4", "future_date"),
        ("5", "blank_required"),
        ("6", "future_date"),
    ]


def test_loading_a_file_that_changes_nothing_adds_no_history_entry(db, tmp_path, revcycle):
    export = write_export(
        tmp_path / "again.csv", "leads", [{"lead_id": "N1", "created_at": "2026-10-01 09:00:00"}]
    )
    assert revcycle(db, "load", export)[0] == 0
    assert history_ids(db) == [1, 2, 3]
    code, out = revcycle(db, "load", export, "--dry-run")
    assert "nothing would change" in out
    code, out = revcycle(db, "load", export)
    assert code == 0 and "nothing changed" in out
    assert history_ids(db) == [1, 2, 3]  # before: a fourth entry, 0 new and 0 changed


# 4. A deal closed before it was created gets a warning with its line.


def test_a_deal_closed_before_it_was_created_is_a_warning_with_its_line(db, tmp_path, revcycle):
    deals = write_export(
        tmp_path / "deals.csv",
        "deals",
        [
            {"deal_id": "D1", "created_at": "2026-10-01 09:00:00", "closed_at": "2026-10-09"},
            {"deal_id": "D2", "created_at": "2026-10-05 09:00:00", "closed_at": "2026-09-30"},
        ],
    )
    code, out = revcycle(db, "load", deals, "--dry-run")
    assert code == 0, out
    assert "0 errors (their rows are rejected), 1 warnings, 1 distinct:" in out
    assert "warning: deals.csv, line 3, column closed_at ('2026-09-30 00:00:00'): the deal " in out
    assert "closes before it was created" in out
    assert "2 rows to load + 0 rejected" in out  # the deal still loads
