"""The REVCYCLE_DUCKDB_THREADS setting, and a quiet progress bar, reach every DuckDB database
the app opens."""

import ast
import logging
import subprocess
import sys

import duckdb

from revcycle import health, settings
from revcycle.db import connect, open_duckdb
from revcycle.paths import REPO_ROOT


def _threads(con: duckdb.DuckDBPyConnection) -> int:
    return con.execute("select current_setting('threads')").fetchone()[0]


def test_every_kind_of_opening_takes_the_setting(monkeypatch, tmp_path):
    monkeypatch.setenv(settings.DUCKDB_THREADS_VARIABLE, "3")
    db_file = tmp_path / "three.duckdb"
    with connect(db_file) as con:
        assert _threads(con) == 3
    with open_duckdb(db_file, read_only=True) as con:
        assert _threads(con) == 3
    with open_duckdb() as con:
        assert _threads(con) == 3
    with health.open_to_read(db_file) as reading:
        assert _threads(reading.con) == 3


def test_unset_or_unreadable_leaves_duckdb_its_own_choice(monkeypatch, tmp_path, caplog):
    with duckdb.connect() as plain:
        duckdbs_own = _threads(plain)
    monkeypatch.delenv(settings.DUCKDB_THREADS_VARIABLE)
    assert settings.duckdb_threads() is None
    with connect(tmp_path / "own.duckdb") as con:
        assert _threads(con) == duckdbs_own
    for text in ("two", "0", "-1", "1.5"):
        monkeypatch.setenv(settings.DUCKDB_THREADS_VARIABLE, text)
        with caplog.at_level(logging.WARNING, logger="revcycle"):
            assert settings.duckdb_threads() is None
        assert f"REVCYCLE_DUCKDB_THREADS={text!r} is not a whole number" in caplog.text
    with open_duckdb() as con:
        assert _threads(con) == duckdbs_own


# Run as the command line runs: under pytest DuckDB leaves its bar off whatever the app does.
_PROGRESS_BARS = """
import sys
from pathlib import Path
import duckdb
from revcycle import health
from revcycle.db import connect, open_duckdb, scratch

def draws_bar(con):
    return con.execute("select current_setting('enable_progress_bar')").fetchone()[0]

db_file = Path(sys.argv[1])
print(draws_bar(duckdb.connect()))  # DuckDB's own default, in a process like the CLI's
with connect(db_file) as con:
    bars = [draws_bar(con), draws_bar(con.cursor())]  # a page query runs on a cursor
with open_duckdb(db_file, read_only=True) as con:
    bars.append(draws_bar(con))
with health.open_to_read(db_file) as reading:
    bars.append(draws_bar(reading.con))
for size in (0, 10**12):  # the shared scratch database, and one of its own
    with scratch(size) as con:
        bars.append(draws_bar(con))
print(bars)
"""


def test_no_opening_or_cursor_draws_a_progress_bar(tmp_path):
    # At 10M leads a rebuild from the command line drew DuckDB's bar over its stderr.
    run = subprocess.run(
        [sys.executable, "-c", _PROGRESS_BARS, str(tmp_path / "quiet.duckdb")],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    assert run.stdout.splitlines() == ["True", str([False] * 6)]


def test_only_the_database_module_opens_duckdb():
    opened_elsewhere = [
        f"{path.relative_to(REPO_ROOT)}:{node.lineno}"
        for path in sorted((REPO_ROOT / "revcycle").rglob("*.py"))
        if path != REPO_ROOT / "revcycle" / "db.py"
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "connect"
        and isinstance(node.func.value, ast.Name)
        and node.func.value.id == "duckdb"
    ]
    assert not opened_elsewhere, "use revcycle.db.open_duckdb, which applies the settings"
