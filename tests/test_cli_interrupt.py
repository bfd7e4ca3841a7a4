"""Ctrl-C on the command line ends with one line and exit code 130 from the moment its own code
runs, while Python still imports DuckDB, pandas and pyarrow (about half a second), never with
Python's KeyboardInterrupt traceback. (Python's own start, before ``revcycle/__main__.py`` runs,
is beyond its reach.)

The moment is made certain rather than guessed: a ``sitecustomize`` module on PYTHONPATH,
which Python imports as it starts, holds up the import of ``duckdb`` — which ``python -m
revcycle`` reaches only through its own imports — and says so in a file; the test then sends a
real SIGINT to the process, which is waiting inside that import.
"""

import os
import signal
import subprocess
import sys
import time

import pytest

from revcycle.paths import REPO_ROOT

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
        "error: interrupted; what was not committed was not changed\n",
    )
