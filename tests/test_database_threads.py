"""The REVCYCLE_DUCKDB_THREADS setting reaches every DuckDB database the app opens."""

import ast
import logging

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
