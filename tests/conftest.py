"""Shared fixtures: real export files on disk, built into a real DuckDB database."""

import atexit
import csv
import functools
import gc
import hashlib
import os
import shutil
import tempfile
from collections.abc import Callable
from datetime import date
from pathlib import Path

import duckdb
import pytest
from streamlit.components.v2 import manifest_scanner
from streamlit.testing.v1 import local_script_runner

from revcycle import contract, settings
from revcycle.agreements import store
from revcycle.agreements.model import Agreement
from revcycle.build import build
from revcycle.db import connect, execute
from tests.support import browser

# pytest-xdist already runs one worker per core, beside the browser tests' servers and Chromium:
# a DuckDB spreading each small query over every core only hands work between threads. One
# thread each spent 4.6% less CPU on the suite's tests without a browser (240 s against 252 s,
# two runs each way); the servers and CLI runs the tests start inherit the setting.
os.environ.setdefault(settings.DUCKDB_THREADS_VARIABLE, "1")
# The command line logs an unexpected error's details under XDG_STATE_HOME (paths.log_path);
# the tests' own (a disk-fault test causes one on purpose) go to a folder of the run's, never
# the developer's ~/.local/state. Each test process makes its own and removes it as it ends:
# 110 empty ones had gathered in /tmp over a day of runs.
os.environ["XDG_STATE_HOME"] = tempfile.mkdtemp(prefix="revcycle-tests-state-")
atexit.register(shutil.rmtree, os.environ["XDG_STATE_HOME"], ignore_errors=True)

# Every new AppTest scans the metadata of every installed package for Streamlit components:
# about 0.2 s of CPU each here (test_pages.py: 43.4 s of CPU, 38.9 s with one scan). Nothing is
# installed during a run, so each test process scans once and hands later AppTests the same
# (real) result.
manifest_scanner.scan_component_manifests = functools.cache(
    manifest_scanner.scan_component_manifests
)


# Python's full garbage collection walks every object the process holds, and a test process
# holds a great many that live for the whole run: Streamlit's, pandas', Plotly's and DuckDB's
# modules, and the collected tests. Frozen, they are left out of every later collection, and a
# larger first generation runs far fewer collections. In a full run each worker spent 19 s
# collecting garbage (37-39 full collections, 0.4 s each), and 4-5 s after; collecting the
# tests (pytest rewrites their asserts) went from 8-28 s a process to 2.5 s.
COUNT_YOUNG_OBJECTS = 10_000  # Python's default is 700
gc.freeze()
gc.set_threshold(COUNT_YOUNG_OBJECTS, *gc.get_threshold()[1:])


def pytest_collection_finish(session: pytest.Session) -> None:
    gc.freeze()  # the collected test modules live for the whole run too


def _wait_for_script_thread(runner: local_script_runner.LocalScriptRunner, timeout: float = 3):
    """AppTest's wait for a script run, without its polling: Streamlit's own checks the
    runner's events every millisecond, and each wake takes the interpreter lock from the script
    thread it waits for (warm runs of four sample pages: 0.76 s of CPU against 0.69 s joined,
    medians of 16). The script thread ends once the run has shut down, which AppTest then
    joins anyway; a run past ``timeout`` is stopped and raises as Streamlit's wait does."""
    thread = runner._script_thread
    if thread is None:  # not started: nothing to join, so Streamlit's own wait
        return _streamlit_wait(runner, timeout)
    thread.join(timeout)
    if thread.is_alive():
        runner.request_stop()
        runner.join()
        raise RuntimeError(f"AppTest script run timed out after {timeout}(s)")
    return None


_streamlit_wait = local_script_runner.require_widgets_deltas
local_script_runner.require_widgets_deltas = _wait_for_script_thread

ALL_TIME = {"start_date": date(2000, 1, 1), "end_date": date(2099, 12, 31)}
NO_FILTERS = {"channels": None, "owners": None, "segments": None}


def won_deals(rows: list[tuple[str, str, str, str, str]]) -> list[dict]:
    """Deals-export rows won at their close, each (deal_id, lead_id, amount, currency,
    closed_at), all created on 12 March 2026."""
    return [
        {
            "deal_id": deal_id,
            "lead_id": lead_id,
            "created_at": "2026-03-12 09:00:00",
            "stage": "Closed Won",
            "amount": amount,
            "currency": currency,
            "closed_at": closed_at,
        }
        for deal_id, lead_id, amount, currency, closed_at in rows
    ]


def march_touches(rows: list[tuple[str, str, str]]) -> list[dict]:
    """Touches-export rows, each (lead_id, day of March 2026, source), at noon."""
    return [
        {"lead_id": lead_id, "touched_at": f"2026-03-{day} 12:00:00", "source": source}
        for lead_id, day, source in rows
    ]


def write_export(path: Path, kind: str, rows: list[dict]) -> Path:
    """Write ``rows`` as a generic-format CSV; unnamed contract columns are left blank."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=contract.column_names(kind))
        writer.writeheader()
        for row in rows:
            writer.writerow(row)
    return path


@pytest.fixture(scope="session")
def built_databases(tmp_path_factory) -> Path:
    """Where ``funnel_db`` keeps each database it has built, under a key of its inputs."""
    return tmp_path_factory.mktemp("built")


def inputs_key(exports: dict[str, Path], agreements: tuple[Agreement, ...] = ()) -> str:
    """What a build depends on besides the code: the export files' bytes, the agreements saved
    before it, and the settings (``REVCYCLE_*`` variables, ``TZ``) in the environment."""
    digest = hashlib.sha256(repr(agreements).encode())
    for kind in sorted(exports):
        # The file's name too: the uploads table records it.
        digest.update(kind.encode() + b"\0" + exports[kind].name.encode() + b"\0")
        digest.update(exports[kind].read_bytes() + b"\0")
    settings = sorted(
        (k, v) for k, v in os.environ.items() if k.startswith("REVCYCLE_") or k == "TZ"
    )
    digest.update(repr(settings).encode())
    return digest.hexdigest()


def made_once(built_databases: Path, key: str, make: Callable[[Path], None]) -> Path | None:
    """A closed database that ``make(path)`` writes, made on the first call with ``key`` and
    the same file on every later one. None if ``make`` fails (the caller then makes it in
    place, so the test meets the failure as it would without this)."""
    template = built_databases / key / "test.duckdb"
    if template.exists():
        return template
    making = built_databases / f"{key}.partial"
    shutil.rmtree(making, ignore_errors=True)
    try:
        make(making / "test.duckdb")
    except Exception:
        return None
    making.rename(template.parent)  # whole or not at all
    return template


def made_copy(built_databases: Path, key: str, make: Callable[[Path], None], target: Path) -> Path:
    """``target``: a copy of the database ``make`` wrote once a session under ``key``
    (``made_once``), or made in place when that failed, so the test meets the failure."""
    template = made_once(built_databases, key, make)
    if template is None:
        make(target)
        return target
    return copy_database(template, target)


def building(
    exports: dict[str, Path],
    then: Callable[[duckdb.DuckDBPyConnection], object] | None = None,
    agreements: tuple[Agreement, ...] = (),
) -> Callable[[Path], None]:
    """What writes a closed database built from ``exports``, for ``made_once``; ``then(con)``
    runs on it after the build (an upload, an agreement saved). ``agreements`` are saved, in
    order, into the empty database first: the build's one rebuild judges every lead by them,
    where a save after the build would rebuild the marts again."""

    def make(path: Path) -> None:
        con = connect(path)
        try:
            for agreement in agreements:
                store.save(con, agreement, changed_by="test")
            build(con, exports)
            if then is not None:
                then(con)
        finally:
            con.close()

    return make


def connect_built(
    exports: dict[str, Path],
    target: Path,
    built_databases: Path,
    agreements: tuple[Agreement, ...] = (),
):
    """A connection to ``target``, a database built from ``exports`` with ``agreements`` saved
    first (``made_copy``)."""
    make = building(exports, agreements=agreements)
    return connect(made_copy(built_databases, inputs_key(exports, agreements), make, target))


@pytest.fixture
def funnel_db(tmp_path, built_databases):
    """Build a database from hand-written lead and deal rows; returns a connection. With
    ``agreements``, those versions are saved first, in order, as the Agreements page saves them.

    Many tests build from the same rows: the first build with given rows and settings is
    kept, and later ones get a copy of its file (the same file a build writes), not a build.
    """
    connections = []

    def make(leads: list[dict], deals: list[dict] | None = None, agreements=()):
        exports = {
            "leads": write_export(tmp_path / "leads.csv", "leads", leads),
            "deals": write_export(tmp_path / "deals.csv", "deals", deals or []),
        }
        target = tmp_path / "test.duckdb"
        if target.exists():  # a second call in one test builds over the first database
            con = connect(target)
            build(con, exports)
            for agreement in agreements:
                store.save(con, agreement, changed_by="test")
        else:
            con = connect_built(exports, target, built_databases, tuple(agreements))
        connections.append(con)
        return con

    yield make
    for con in connections:
        con.close()


@pytest.fixture
def g1_con(tmp_path, built_databases):
    """A database with one known lead, G1, created on 1 Jan 2026, so deals can link to it."""
    exports = {
        "leads": write_export(
            tmp_path / "l.csv", "leads", [{"lead_id": "G1", "created_at": "2026-01-01 00:00:00"}]
        ),
        "deals": write_export(tmp_path / "d.csv", "deals", []),
    }
    connection = connect_built(exports, tmp_path / "g1.duckdb", built_databases)
    yield connection
    connection.close()


def copy_database(source: Path, target: Path) -> Path:
    """Copy a closed database file with the original files kept beside it (``uploads/``)."""
    shutil.copyfile(source, target)
    if (source.parent / "uploads").is_dir():
        shutil.copytree(source.parent / "uploads", target.parent / "uploads", dirs_exist_ok=True)
    return target


@pytest.fixture(scope="session")
def sample_db_file(tmp_path_factory) -> Path:
    """The bundled sample built once for the session, then closed: tests copy it
    (``copy_database``) rather than build 20,000 leads again."""
    path = tmp_path_factory.mktemp("sample_build") / "sample.duckdb"
    con = connect(path)
    build(con, sample=True)
    con.close()
    return path


@pytest.fixture(scope="session")
def sample_db(sample_db_file, tmp_path_factory):
    """A connection to the bundled sample, shared by the session's read-only tests."""
    con = connect(
        copy_database(sample_db_file, tmp_path_factory.mktemp("sample") / "sample.duckdb")
    )
    yield con
    con.close()


def metric(con, name: str, **params):
    """Run a metric query over all time with no filters, overridden by ``params``."""
    return execute(con, f"metrics/{name}", **(ALL_TIME | NO_FILTERS | params))


def cents(amount) -> int:
    """An amount as whole cents, so money compares exactly."""
    return round(float(amount) * 100)


def require_browser() -> None:
    """Skip a browser test where Chromium or Playwright is missing — but fail in CI, which
    must run the browser tests, never skip them."""
    from tests.support import browser

    reason = browser.skip_reason()
    if reason:
        if os.environ.get("CI"):
            pytest.fail(f"{reason}; CI must run the browser tests, not skip them", pytrace=False)
        pytest.skip(reason)


# Chromium and the kept tab, shared by the browser files a test process runs (the browser files
# come first: pytest_collection_modifyitems).
SHARED_CHROMIUM = browser.SharedChromium()


@pytest.fixture(scope="module")
def chromium():
    """Debian's Chromium, headless, driven by Playwright (never a downloaded browser): one per
    test process, whose test files open contexts of their own in it or share ``kept_tab``."""
    require_browser()
    return SHARED_CHROMIUM.chromium()


@pytest.fixture(scope="module")
def kept_tab(chromium):
    """The tab the process's browser test files share, each on a dashboard of its own at the
    tab's port (``browser.KeptTab``): its first page load costs Chromium half the CPU."""
    return SHARED_CHROMIUM.kept_tab()


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    """Stop the shared Chromium before a test of another file that does not use it: its
    Playwright keeps an asyncio loop running between calls, which ``asyncio.run`` and the
    benchmark's own browser would find (browser.SharedChromium)."""
    if "chromium" in item.fixturenames:
        SHARED_CHROMIUM.user = item.module
    elif item.module is not SHARED_CHROMIUM.user:
        SHARED_CHROMIUM.stop()


def pytest_sessionfinish(session: pytest.Session) -> None:
    SHARED_CHROMIUM.stop()


def require_node() -> None:
    """Skip a sign-in test where Node or npm (for the local OpenID Connect provider) is
    missing — but fail in CI, which must run it against a real provider."""
    from tests.support import oidc

    reason = oidc.skip_reason()
    if reason:
        if os.environ.get("CI"):
            pytest.fail(f"{reason}; CI must run the sign-in tests, not skip them", pytrace=False)
        pytest.skip(reason)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Put the files that take longest first, so the last file a worker starts is a short one.

    pytest-xdist's ``loadfile`` hands whole files to workers in collection order (pyproject
    turns off its own reordering, which puts the files with the most tests first: those are
    quick unit tests, and the browser files, few tests but a server and Chromium each, ended
    the run on one worker while the other stood idle). The browser files come first, the one
    with the most browser tests leading; the rest follow, the most tests first. The tests of
    one file keep their order. Among the browser files, those of the shared Chromium come
    before test_bench.py's browser run, which starts a browser of its own: the shared one stops
    before it (SHARED_CHROMIUM) and would start again, its tab cold, for a file after it.
    """
    by_file: dict[str, list[pytest.Item]] = {}
    for item in items:
        by_file.setdefault(item.nodeid.split("::", 1)[0], []).append(item)

    def cost(tests: list[pytest.Item]) -> tuple[int, int, int]:
        count_browser = sum(1 for test in tests if test.get_closest_marker("browser"))
        count_shared = sum(1 for test in tests if "chromium" in test.fixturenames)
        return (-count_shared, -count_browser, -len(tests))

    items[:] = [test for tests in sorted(by_file.values(), key=cost) for test in tests]
