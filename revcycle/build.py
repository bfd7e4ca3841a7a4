"""Build the database: exports into raw_* tables, staging, then the funnel_revenue table.

The whole rebuild runs in one DuckDB transaction, so a reader sees the old tables or the new
ones, never a mix, and a failed build leaves the previous data as it was.
"""

import hashlib
from dataclasses import dataclass
from pathlib import Path

import duckdb

from revcycle import contract
from revcycle.db import connect, define, materialise, query_names, sql_text
from revcycle.paths import CHANNEL_RULES_CSV, SAMPLE_DIR, db_path

RAW_TABLE_BY_KIND = {"leads": "raw_leads", "deals": "raw_deals"}
SAMPLE_FILE_BY_KIND = {"leads": SAMPLE_DIR / "leads.csv", "deals": SAMPLE_DIR / "deals.csv"}
MART_TABLE = "funnel_revenue"
# Marts in build order: funnel_as_of reads funnel_revenue; the macros every metric query
# starts from are defined over it, leads_created_in over funnel_in_scope.
MART_TABLES = (MART_TABLE, "funnel_as_of")
MART_MACROS = ("funnel_in_scope", "leads_created_in")


class ExportError(ValueError):
    """An export cannot be loaded; the message names the file, line, column, value, reason."""


@dataclass(frozen=True)
class BuildInfo:
    data_version: int
    count_leads: int
    count_deals: int
    count_funnel_rows: int


def _csv_columns(con: duckdb.DuckDBPyConnection, path: Path) -> list[str]:
    rows = con.execute(
        "select * from read_csv($path, all_varchar = true, header = true) limit 0",
        {"path": str(path)},
    )
    return [column[0] for column in rows.description]


def load_export(con: duckdb.DuckDBPyConnection, kind: str, path: Path) -> int:
    """Replace raw_<kind> with the generic-format CSV at ``path``; return the row count.

    Columns of the contract that the file lacks are added empty; other columns are ignored.
    A missing required column, a blank required value or a repeated id is refused.
    """
    path = Path(path)
    fields = contract.FIELDS_BY_KIND[kind]
    present = set(_csv_columns(con, path))
    missing = [f.name for f in fields if f.required and f.name not in present]
    if missing:
        raise ExportError(
            f"{path.name}, line 1: the header has no column {', '.join(missing)}, which a "
            f"{kind} export must have."
        )
    # Identifiers come from the contract (an allow-list); the file path is bound.
    select_list = ", ".join(
        f'"{f.name}"' if f.name in present else f'cast(null as varchar) as "{f.name}"'
        for f in fields
    )
    table = RAW_TABLE_BY_KIND[kind]
    con.execute(
        f"create or replace table {table} as select {select_list} "
        "from read_csv($path, all_varchar = true, header = true)",
        {"path": str(path)},
    )
    _check_required_and_unique(con, kind, table, path.name)
    return con.table(table).aggregate("count(*)").fetchall()[0][0]


def _check_required_and_unique(con, kind: str, table: str, file_name: str) -> None:
    # Line numbers assume one line per record (the generic format has no quoted newlines):
    # the header is line 1, so data row n is line n + 1.
    for field in (f for f in contract.FIELDS_BY_KIND[kind] if f.required):
        blank = con.execute(
            f'select line from (select row_number() over () + 1 as line, "{field.name}" '
            f"as value from {table}) where nullif(trim(value), '') is null limit 1"
        ).fetchall()
        if blank:
            blank = blank[0]
            raise ExportError(
                f"{file_name}, line {blank[0]}, column {field.name}: the value is blank, "
                f"and every {kind[:-1]} needs a {field.name}."
            )
    id_field = contract.ID_FIELD_BY_KIND[kind]
    repeated = con.execute(
        f"select value, list(line order by line) from (select row_number() over () + 1 as "
        f'line, trim("{id_field}") as value from {table}) group by value '
        "having count(*) > 1 order by min(line) limit 1"
    ).fetchall()
    if repeated:
        value, lines = repeated[0]
        raise ExportError(
            f"{file_name}, lines {', '.join(map(str, lines))}, column {id_field}: the value "
            f"{value!r} appears more than once; each {kind[:-1]} must appear once."
        )


def _has_table(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    return (
        con.execute(
            "select count(*) from duckdb_tables() where table_name = $table", {"table": table}
        ).fetchall()[0][0]
        > 0
    )


def build(con: duckdb.DuckDBPyConnection, exports: dict[str, Path] | None = None) -> BuildInfo:
    """Rebuild staging and the mart in one transaction, first loading ``exports`` if given.

    With no exports and nothing loaded yet, the bundled sample is loaded.
    """
    if exports is None and not all(_has_table(con, t) for t in RAW_TABLE_BY_KIND.values()):
        exports = SAMPLE_FILE_BY_KIND
    con.begin()
    try:
        for kind, path in (exports or {}).items():
            load_export(con, kind, path)
        version = rebuild_in_transaction(con)
        con.commit()
    except BaseException:
        con.rollback()
        raise
    return _build_info(con, version)


def rebuild_in_transaction(con: duckdb.DuckDBPyConnection) -> int:
    """Staging, marts and macros from the raw tables, inside the caller's transaction.

    Returns the new data version. The importer calls this within its own commit, so an
    upload and the rebuild it needs land together or not at all.
    """
    if not _has_table(con, "raw_channel_rules"):
        # The bundled rules seed a new database; from then on the rules live in the
        # database, where the upload page and `load --channel-map` add to them.
        con.execute(
            "create table raw_channel_rules as select source, channel from "
            "read_csv($path, all_varchar = true, header = true)",
            {"path": str(CHANNEL_RULES_CSV)},
        ).fetchall()
    for name in query_names("staging"):
        materialise(con, name)
    for table in MART_TABLES:
        materialise(con, f"marts/{table}")
    for macro in MART_MACROS:
        define(con, f"marts/{macro}")
    return _next_data_version(con)


def _build_info(con: duckdb.DuckDBPyConnection, version: int) -> BuildInfo:
    counts = con.execute(
        "select (select count(*) from stg_leads), (select count(*) from stg_deals), "
        f"(select count(*) from {MART_TABLE})"
    ).fetchall()[0]
    return BuildInfo(version, *counts)


def queries_fingerprint() -> str:
    """A hash of the staging and mart SQL: when it changes, the built tables are stale."""
    digest = hashlib.sha256()
    for name in (*query_names("staging"), *query_names("marts")):
        digest.update(name.encode() + b"\0" + sql_text(name).encode() + b"\0")
    return digest.hexdigest()


def _next_data_version(con: duckdb.DuckDBPyConnection) -> int:
    con.execute("create table if not exists build_info (data_version bigint, built_at timestamp)")
    con.execute("alter table build_info add column if not exists queries_sha256 varchar")
    con.execute(
        "insert into build_info select coalesce(max(data_version), 0) + 1, now(), $sha "
        "from build_info",
        {"sha": queries_fingerprint()},
    )
    return con.execute("select max(data_version) from build_info").fetchall()[0][0]


def is_current(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether the database holds a build made with today's staging and mart SQL."""
    if not (_has_table(con, MART_TABLE) and _has_table(con, "build_info")):
        return False
    try:
        built_with = con.execute(
            "select queries_sha256 from build_info order by data_version desc limit 1"
        ).fetchall()
    except duckdb.BinderException:  # a build from before the fingerprint was recorded
        return False
    return bool(built_with) and built_with[0][0] == queries_fingerprint()


def data_version(con: duckdb.DuckDBPyConnection) -> int:
    """The number of the last build; changes whenever the data does."""
    return con.execute("select max(data_version) from build_info").fetchall()[0][0]


def open_database(path: Path | None = None) -> duckdb.DuckDBPyConnection:
    """Connect; build first when there is no funnel yet (from the sample) or when the
    staging or mart SQL changed since the last build (from the loaded exports)."""
    con = connect(path or db_path())
    if not is_current(con):
        build(con)
    return con
