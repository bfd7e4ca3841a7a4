"""Open the database and load exports into it: the bundled sample (the dashboard's first run,
`python -m revcycle build --sample`), or files a caller names (the tests, the benchmark).

Files load through the importer, exactly as an upload does — read, map, parse, check, archive —
so there is one way for data to come in. A build refuses a file with any error instead of
loading part of it, and replaces what was loaded; like every upload, it can be undone.
"""

from dataclasses import dataclass
from pathlib import Path

import duckdb

from revcycle.access import os_user
from revcycle.agreements import sample as agreement_sample
from revcycle.db import rollback_after
from revcycle.health import open_database_file
from revcycle.importer.load import (
    commit_in_transaction,
    ensure_storage,
    has_history,
    holds_sample,
    sweep_archive,
)
from revcycle.importer.problems import ERROR, ImportRefused
from revcycle.importer.validate import prepare
from revcycle.paths import SAMPLE_DIR, db_path
from revcycle.rebuild import MART_TABLE, is_current, rebuild_in_transaction

SAMPLE_FILE_BY_KIND = {
    kind: SAMPLE_DIR / f"{kind}.csv" for kind in ("leads", "deals", "touches", "spend")
}


@dataclass(frozen=True)
class BuildInfo:
    data_version: int
    count_leads: int
    count_deals: int
    count_funnel_rows: int


def build(
    con: duckdb.DuckDBPyConnection,
    exports: dict[str, Path] | None = None,
    *,
    sample: bool = False,
) -> BuildInfo:
    """Load ``exports`` (kind -> file, replacing that kind's data) and rebuild, in one
    transaction; with ``sample``, the bundled sample, marked as such. With neither, rebuild
    what is loaded (nothing, in a new database). A database holding the sample and no
    agreement gets the sample's agreement too."""
    if sample:
        exports = SAMPLE_FILE_BY_KIND
    con.begin()
    try:
        ensure_storage(con)
        # Leads first: deals and touches are checked against them.
        for kind in ("leads", "deals", "touches", "spend"):
            if kind in (exports or {}):
                _load_whole_file(con, kind, Path(exports[kind]), sample)
        # A database that held the sample before agreements existed gets it at its next build.
        if sample or holds_sample(con):
            agreement_sample.add_if_none_in_transaction(con, os_user())
        version = rebuild_in_transaction(con)
        con.commit()
    except BaseException as error:
        rollback_after(con, error)
        sweep_archive(con)
        raise
    counts = con.execute(
        "select (select count(*) from raw_leads), (select count(*) from raw_deals), "
        f"(select count(*) from {MART_TABLE})"
    ).fetchall()[0]
    return BuildInfo(version, *counts)


def judged_by_sample_agreement(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether data of a person's own is judged by the sample's agreement, never changed since
    it came with the sample: in a database whose sample went before its agreement went with it
    (agreements/sample.py), it stays in force until a team saves its own."""
    return not holds_sample(con) and agreement_sample.is_all_saved(con)


def _load_whole_file(con: duckdb.DuckDBPyConnection, kind: str, path: Path, sample: bool) -> None:
    prepared = prepare(con, path, kind=kind)
    errors = [problem for problem in prepared.problems if problem.severity == ERROR]
    if errors:
        raise ImportRefused(errors)
    # A build runs as whoever runs it: `python -m revcycle build`, or the server's own user
    # when the dashboard builds the sample on its first start.
    meta = prepared.meta()
    commit_in_transaction(
        con,
        kind,
        prepared.rows,
        "replace",
        meta,
        changed_by=os_user(),
        sample=sample,
        always_record=True,
    )


def open_database(path: Path | None = None, seed_sample: bool = False) -> duckdb.DuckDBPyConnection:
    """Connect; build first when there is no funnel yet or when the macro, staging or mart SQL
    changed since the last build (from the loaded exports). ``seed_sample`` loads the bundled
    sample into a database that has never had an upload: the dashboard does, so a fresh
    clone shows something; the command line does not, so a person's file never meets it.
    Files in the upload archive that no upload names are removed."""
    path = Path(path or db_path())
    path.parent.mkdir(parents=True, exist_ok=True)
    con = open_database_file(path)
    if seed_sample and not has_history(con):
        build(con, sample=True)
    elif not is_current(con):
        build(con)
    sweep_archive(con)  # files a failed or killed load left behind
    return con
