"""Ctrl-C on the command line ends with one line and exit code 130 from the moment its own code
runs, while Python still imports DuckDB, pandas and pyarrow (about half a second), never with
Python's KeyboardInterrupt traceback. (Python's own start, before ``revcycle/__main__.py`` runs,
is beyond its reach.) So does a query DuckDB stopped, however the error that says so was wrapped
(a query's QueryError, a refused file, a table check's problem), and nothing is committed.

The moment is made certain rather than guessed: a ``sitecustomize`` module on PYTHONPATH,
which Python imports as it starts, holds up the import of ``duckdb`` — which ``python -m
revcycle`` reaches only through its own imports — and says so in a file; the test then sends a
real SIGINT to the process, which is waiting inside that import. For a command at work, another
``sitecustomize`` interrupts it from a thread once a function of the command is entered.
"""

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from revcycle.paths import REPO_ROOT
from tests.test_cli_usage import run as run_here

INTERRUPTED = "error: interrupted; what was not committed was not changed\n"

# Imported by Python at start-up (site.py) from the first PYTHONPATH folder: when anything
# imports duckdb, it writes $HELD_UP and sleeps inside that import, to be interrupted; with
# $AS_EXTENSION set, it then says the KeyboardInterrupt as pybind11 does for an extension module
# Ctrl-C stopped while it loaded (duckdb's, seen at 210 ms): an ImportError raised from it.
HOLD_UP_DUCKDB = """\
import os
import sys
import time


class HoldUpDuckDB:
    def find_spec(self, name, path=None, target=None):
        if name != "duckdb":
            return None
        open(os.environ["HELD_UP"], "w").close()
        try:
            time.sleep(60)
        except KeyboardInterrupt as interrupt:
            if os.environ.get("AS_EXTENSION"):
                message = "Encountered an error while initializing the extension."
                raise ImportError(message) from interrupt
            raise


sys.meta_path.insert(0, HoldUpDuckDB())
"""


@pytest.mark.parametrize("as_extension", ["", "1"], ids=["KeyboardInterrupt", "ImportError"])
def test_ctrl_c_while_the_modules_load_says_interrupted_and_exits_130(tmp_path, as_extension):
    (tmp_path / "sitecustomize.py").write_text(HOLD_UP_DUCKDB, encoding="utf-8")
    held_up = tmp_path / "held_up"
    command = subprocess.Popen(
        [sys.executable, "-m", "revcycle", "history"],
        cwd=REPO_ROOT,
        env={
            **os.environ,
            "PYTHONPATH": str(tmp_path),
            "HELD_UP": str(held_up),
            "AS_EXTENSION": as_extension,
            "REVCYCLE_DB": str(tmp_path / "unused.duckdb"),
            "XDG_STATE_HOME": str(tmp_path / "state"),
        },
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while not held_up.exists() and command.poll() is None and time.monotonic() < deadline:
            time.sleep(0.01)
        assert held_up.exists(), "the command never reached its import of duckdb"
        command.send_signal(signal.SIGINT)
        out, err = command.communicate(timeout=60)
    finally:
        command.kill()
    assert "Traceback" not in err, err
    assert (command.returncode, out, err) == (
        130,
        "",
        INTERRUPTED,
    )


# Imported by Python at start-up from the first PYTHONPATH folder: once the command enters the
# function $INTERRUPT_IN ("revcycle/db.py:execute"), a thread of its own interrupts it,
# $INTERRUPT_AFTER seconds later (by then DuckDB is at work on a query of the function, on this
# database). With $INTERRUPT_BY=ctrl_c it sends the process a real SIGINT. With
# $INTERRUPT_BY=duckdb it asks DuckDB itself to stop (DuckDBPyConnection.interrupt) every
# connection and cursor the command's stack holds, over and over while the function runs, so
# its query ends with DuckDB's own InterruptException, as DuckDB says a Ctrl-C in some of its
# paths: the answer every wrapper of DuckDB's errors has to let through.
INTERRUPT_A_COMMAND = """\
import os
import signal
import sys
import threading
import time

_file, _, _function = os.environ["INTERRUPT_IN"].rpartition(":")


def _main_stack():
    frame = sys._current_frames().get(threading.main_thread().ident)
    while frame is not None:
        yield frame
        frame = frame.f_back


def _ctrl_c(entered):
    time.sleep(float(os.environ["INTERRUPT_AFTER"]))
    os.kill(os.getpid(), signal.SIGINT)


def _duckdb_interrupt(entered):
    connection = sys.modules["duckdb"].DuckDBPyConnection
    time.sleep(float(os.environ["INTERRUPT_AFTER"]))
    while any(frame is entered for frame in _main_stack()):
        for frame in _main_stack():
            for value in list(frame.f_locals.values()):
                if isinstance(value, connection):
                    try:
                        value.interrupt()
                    except Exception:  # closed meanwhile: nothing of it left to stop
                        pass
        time.sleep(0.0005)


def _watch(frame, event, arg):
    code = frame.f_code
    if event == "call" and code.co_name == _function and code.co_filename.endswith(_file):
        sys.setprofile(None)
        how = _ctrl_c if os.environ["INTERRUPT_BY"] == "ctrl_c" else _duckdb_interrupt
        threading.Thread(target=how, args=(frame,), daemon=True).start()


sys.setprofile(_watch)
"""


def _cli(env: dict, *argv) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "revcycle", *map(str, argv)],
        cwd=REPO_ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture(scope="module")
def big_database(tmp_path_factory) -> Path:
    """A folder with a database of 100,000 sample leads (their deals, touches and spend), loaded
    by the command line as a person would, where a query takes a moment; and a leads export
    that changes 13,000 of them."""
    # The entry point of `python -m revcycle` in this process: these commands only set the
    # scene, and a process each would add Python's start and imports (CPU 49-52 s for the
    # file against 37-38 s); the interruptions below each still get a process of their own.
    folder = tmp_path_factory.mktemp("big")
    db = folder / "db" / "revcycle.duckdb"
    exports = folder / "exports"
    assert run_here(db, "sample", "--leads", "100000", "--out", exports).returncode == 0
    for kind in ("leads", "deals", "touches", "spend"):
        loaded = run_here(db, "load", exports / f"{kind}.csv")
        assert loaded.returncode == 0, loaded.stderr
    text = (exports / "leads.csv").read_text(encoding="utf-8")
    (folder / "changed_leads.csv").write_text(text.replace(",Email,", ",E-mail,"), "utf-8")
    return folder


def _contents(folder: Path) -> tuple[dict, list[str]]:
    """Every table's row count and the hash of its rows, and the kept upload files."""
    con = duckdb.connect(str(folder / "revcycle.duckdb"), read_only=True)
    try:
        tables = [
            name
            for (name,) in con.execute(
                "select table_name from information_schema.tables "
                "where table_type = 'BASE TABLE' order by table_name"
            ).fetchall()
        ]
        rows = {
            name: con.table(name).aggregate("count(*), bit_xor(hash(*columns(*)))").fetchall()
            for name in tables
        }
    finally:
        con.close()
    return rows, sorted(path.name for path in (folder / "uploads").iterdir())


def _interrupted_run(tmp_path, big_database, argv, function, by, after):
    """Run ``argv`` on a copy of the big database, interrupted in ``function``, ``after``
    seconds, ``by`` a real SIGINT or DuckDB's own interrupt; the result, and the contents
    before and after."""
    folder = tmp_path / "db"
    shutil.copytree(big_database / "db", folder)
    (tmp_path / "hook").mkdir()
    (tmp_path / "hook" / "sitecustomize.py").write_text(INTERRUPT_A_COMMAND, encoding="utf-8")
    before = _contents(folder)
    argv = [
        arg.format(exports=big_database / "exports", big=big_database, tmp=tmp_path) for arg in argv
    ]
    env = {
        "REVCYCLE_DB": str(folder / "revcycle.duckdb"),
        "PYTHONPATH": str(tmp_path / "hook"),
        "INTERRUPT_IN": function,
        "INTERRUPT_BY": by,
        "INTERRUPT_AFTER": str(after),
        "XDG_STATE_HOME": str(tmp_path / "state"),
    }
    return _cli(env, *argv), before, _contents(folder)


# (command, the function it is interrupted in, seconds after it is entered): a report's
# journeys query (db.execute, whose error is a QueryError), a table check (whose error was a
# problem listed: it starts once the list of tables is read), a load's reading of the file (a
# refused file), a load's and a restore's rebuild of the marts in their transaction.
AT_WORK = {
    "attribution": (
        ["attribution", "--model", "w"],
        "revcycle/attribution/report.py:journeys",
        0.0,
    ),
    "check": (["check"], "revcycle/health.py:table_problems", 0.05),
    "backup": (["backup", "{tmp}/backup"], "revcycle/health.py:table_problems", 0.05),
    "load_reading": (
        ["load", "{exports}/leads.csv"],
        "revcycle/importer/read.py:_duckdb_read",
        0.0,
    ),
    "load_rebuilding": (
        ["load", "{big}/changed_leads.csv"],
        "revcycle/rebuild.py:rebuild_in_transaction",
        0.2,
    ),
    "restore": (["restore", "2"], "revcycle/rebuild.py:rebuild_in_transaction", 0.2),
}


# DuckDB's own interrupt at every place (its InterruptException, wrapped on its way, was said
# as an error there); a real SIGINT (which DuckDB 2.0.1 reports as "Query interrupted" or a
# KeyboardInterrupt, recognised as they come) in a report's query and in a load's commit.
INTERRUPTIONS = [
    *((command, "duckdb") for command in AT_WORK),
    ("attribution", "ctrl_c"),
    ("load_rebuilding", "ctrl_c"),
]


@pytest.mark.parametrize(("command", "by"), INTERRUPTIONS)
def test_an_interrupted_command_says_interrupted_exits_130_and_changes_nothing(
    tmp_path, big_database, command, by
):
    argv, function, seconds = AT_WORK[command]
    result, before, after = _interrupted_run(tmp_path, big_database, argv, function, by, seconds)
    assert "Traceback" not in result.stderr, result.stderr
    assert (result.returncode, result.stderr) == (130, INTERRUPTED)
    assert after == before
    assert not (tmp_path / "backup").exists()
