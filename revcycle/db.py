"""The one place that touches SQL text: read a named query file and run it with bound values."""

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path

import duckdb
import pandas as pd

from revcycle import interrupt, settings
from revcycle.paths import QUERIES_DIR, db_path

log = logging.getLogger(__name__)


class QueryError(RuntimeError):
    """A named query failed; the message says which file and why, in a sentence."""

    def __init__(self, name: str, cause: Exception):
        self.name = name
        self.cause = cause
        super().__init__(f"The query queries/{name}.sql could not run: {_first_line(cause)}")


def _first_line(error: Exception) -> str:
    return str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__


def query_names(folder: str) -> list[str]:
    """Names (``folder/stem``) of the query files in ``queries/<folder>``, sorted."""
    return sorted(f"{folder}/{path.stem}" for path in (QUERIES_DIR / folder).glob("*.sql"))


@cache
def _read(path: Path, modified_ns: int) -> str:
    return path.read_text(encoding="utf-8")


def sql_text(name: str) -> str:
    """The text of ``queries/<name>.sql`` (re-read when the file changes)."""
    path = QUERIES_DIR / f"{name}.sql"
    if not path.is_file():
        raise QueryError(name, FileNotFoundError("there is no such query file"))
    return _read(path, path.stat().st_mtime_ns)


def connect(path: Path | None = None, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open the Revcycle database (``$REVCYCLE_DB`` by default)."""
    path = Path(path or db_path())
    path.parent.mkdir(parents=True, exist_ok=True)
    return open_duckdb(path, read_only)


def open_duckdb(path: Path | None = None, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Every DuckDB database the app opens, a file at ``path`` or one in memory (None), is
    opened here, with the ``REVCYCLE_DUCKDB_THREADS`` setting. DuckDB's progress bar is off
    (its cursors inherit that): a query over two seconds, a rebuild at millions of leads, would
    draw it on the command line's stderr or in the dashboard server's log."""
    threads = settings.duckdb_threads()
    config = {} if threads is None else {"threads": threads}
    database = ":memory:" if path is None else str(path)
    con = duckdb.connect(database, read_only=read_only, config=config)
    con.execute("set enable_progress_bar = false")  # a setting of the connection, not the file
    return con


@contextmanager
def memory_limit(con: duckdb.DuckDBPyConnection, megabytes: int | None) -> Iterator[None]:
    """DuckDB's memory limit at ``megabytes`` MiB while the block runs (None: left as it is),
    then back to DuckDB's default (open_duckdb sets none). It is the database's setting, so a
    reader of the same database meanwhile has it too. Set and reset on a cursor of their own:
    a statement that failed in the block has aborted ``con``'s transaction, which then refuses
    every statement but a rollback, and the limit must come back all the same."""
    if megabytes is None:
        yield
        return
    with con.cursor() as setting:
        setting.execute("set memory_limit = $limit", {"limit": f"{int(megabytes)}MiB"})
        try:
            yield
        finally:
            setting.execute("reset memory_limit")


def rollback_after(con: duckdb.DuckDBPyConnection, error: BaseException) -> None:
    """Roll back after ``error`` without hiding it: the caller re-raises ``error``.

    A commit that fails (a full disk) has already ended the transaction, so DuckDB refuses the
    rollback with "cannot rollback - no transaction is active"; raised here, that would replace
    the real reason. The refusal is logged and noted on ``error`` instead.
    """
    try:
        con.rollback()
    except duckdb.Error as refused:
        log.info("rollback after %r was refused: %s", error, refused)
        error.add_note(f"(the rollback after it was refused too: {_first_line(refused)})")


def is_interrupt(error: BaseException) -> bool:
    """Whether ``error`` is a Ctrl-C's doing: any error once the command line noted a Ctrl-C
    (interrupt.stopped_by_ctrl_c), else a KeyboardInterrupt or DuckDB's answer to an
    interrupted query (an InterruptException, or, from a result being read, a RuntimeError
    "Query interrupted"), as ``error`` itself or as what it was raised from or while handling:
    a QueryError, a refused file or a refused backup around it is an interruption too."""
    seen = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        if interrupt.stopped_by_ctrl_c(error) or isinstance(error, duckdb.InterruptException):
            return True
        if isinstance(error, RuntimeError) and "Query interrupted" in str(error):
            return True
        error = error.__cause__ or error.__context__
    return False


def execute(con: duckdb.DuckDBPyConnection, name: str, **params) -> pd.DataFrame:
    """Run the named query with ``params`` bound as ``$name`` values; return a DataFrame.

    DuckDB refuses a missing or an extra parameter, so every call is checked against the
    query's own parameters.
    """
    sql = sql_text(name)
    cursor = con.cursor()
    try:
        return cursor.execute(sql, params).df()
    except duckdb.Error as error:
        raise QueryError(name, error) from error
    finally:
        cursor.close()


def define(con: duckdb.DuckDBPyConnection, name: str) -> None:
    """Run the definitions in ``queries/<name>.sql`` (macros) as they are written."""
    try:
        con.execute(sql_text(name))
    except duckdb.Error as error:
        raise QueryError(name, error) from error


MACROS = "macros"  # queries/macros.sql: the macros staging, marts and metrics share


@cache
def _scratch_database() -> duckdb.DuckDBPyConnection:
    con = open_duckdb()
    define(con, MACROS)
    return con


# Work on more bytes than this gets an in-memory database of its own: closing it hands its
# memory back at once, where the shared one's allocator keeps freed pages for a while (reading
# a 190 MB export through it left about 200 MB behind).
SHARED_SCRATCH_BYTES = 16 * 2**20


def scratch(size_bytes: int = 0) -> duckdb.DuckDBPyConnection:
    """A cursor on the process's in-memory scratch database, which holds the shared macros
    and no data: for work that reads nothing stored (reading an export, parsing a column, a
    macro's rule asked from Python). A new in-memory database costs 10-30 ms (DuckDB builds its
    catalogue), and an upload used to open one per typed column; a cursor on this one costs
    0.2 ms. Work on over SHARED_SCRATCH_BYTES (``size_bytes``) gets a database of its own,
    without the macros. What a cursor registers is its own; the caller closes it, and a thread
    uses its own."""
    if size_bytes > SHARED_SCRATCH_BYTES:
        return open_duckdb()
    return _scratch_database().cursor()


def materialise(con: duckdb.DuckDBPyConnection, name: str) -> None:
    """Replace the table named after the parameterless query ``name`` with its result.

    ``marts/funnel_revenue`` becomes the table ``funnel_revenue``: the table names are the
    query files' names, an allow-list no input reaches.
    """
    _create(con, name, "table")


def create_view(con: duckdb.DuckDBPyConnection, name: str) -> None:
    """Replace the view named after the parameterless query ``name`` (``stg_leads`` …)."""
    _create(con, name, "view")


_TABLE_TYPE = {"table": "BASE TABLE", "view": "VIEW"}  # as information_schema names them


def _create(con: duckdb.DuckDBPyConnection, name: str, what: str) -> None:
    relation = _allowed_relation(name)
    # DuckDB cannot bind identifiers: the relation's name is formatted in, and only after it is
    # found among the query files' names, the allow-list; `what` is one of _TABLE_TYPE's words.
    if what not in _TABLE_TYPE:
        raise ValueError(f"a query is created as one of {sorted(_TABLE_TYPE)}, not {what!r}")
    try:
        con.execute(f"create or replace {what} {relation} as {sql_text(name)}")
    except duckdb.Error as error:
        raise QueryError(name, error) from error


def _allowed_relation(name: str) -> str:
    """The relation named after the query ``name`` (``marts/funnel_revenue``: funnel_revenue),
    once ``name`` is found among the query files' names."""
    folder, _, relation = name.partition("/")
    if name not in query_names(folder):
        raise QueryError(name, FileNotFoundError("there is no such query file"))
    return relation


def drop_other_kinds(con: duckdb.DuckDBPyConnection, kinds: dict[str, str]) -> None:
    """Drop each relation of ``kinds`` ({query name: "table" or "view"}) that exists as the
    other kind: ``create or replace`` refuses to turn a table into a view, or the reverse.
    One look at the catalog for them all (a rebuild creates about twenty)."""
    found = dict(
        con.execute("select table_name, table_type from information_schema.tables").fetchall()
    )
    for name, what in kinds.items():
        relation = _allowed_relation(name)
        other = "view" if what == "table" else "table"
        if found.get(relation) == _TABLE_TYPE[other]:  # `other`: one of its words, see _create
            con.execute(f"drop {other} {relation}")


def relation_type(con: duckdb.DuckDBPyConnection, name: str) -> str | None:
    """'BASE TABLE', 'VIEW' or 'LOCAL TEMPORARY' for the relation ``name``; None if absent."""
    rows = con.execute(
        "select table_type from information_schema.tables where table_name = $name",
        {"name": name},
    ).fetchall()
    return rows[0][0] if rows else None


def has_table(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    """Whether a table or view called ``name`` exists. Binding it answers in 0.3-0.5 ms for
    one that does, where information_schema takes 2-3 ms (a page run asks 3 to 8 times, a
    build 15); only a failed binding asks information_schema, for a view whose tables
    are gone fails to bind but exists."""
    try:
        con.table(name)
    except duckdb.CatalogException:
        return relation_type(con, name) is not None
    return True
