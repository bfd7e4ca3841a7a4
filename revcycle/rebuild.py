"""Staging views, the marts and their macros, rebuilt from the loaded rows.

The rebuild runs inside the caller's transaction (an upload, a restore, a build), so a reader
sees the old tables or the new ones, never a mix, and a failure leaves the previous data as it
was. Staging is views over the loaded rows, which the importer has already typed: the marts are
the only tables written, so a rebuild writes each row once.
"""

import hashlib

import duckdb

from revcycle.agreements import calendar
from revcycle.db import (
    MACROS,
    create_view,
    define,
    drop_other_kinds,
    has_table,
    materialise,
    query_names,
    sql_text,
)
from revcycle.paths import CHANNEL_RULES_CSV

MART_TABLE = "funnel_revenue"
# Marts in build order: funnel_as_of reads the staging views, the working-time calendar spans
# its dates, funnel_revenue judges each lead's follow-up on that calendar, deal_journeys and
# lead_journeys lay out its deals' and leads' touches for attribution. The macros every
# metric query starts from are defined over funnel_revenue, each after the one it reads.
MART_TABLES = (
    "funnel_as_of",
    "working_time_calendar",
    MART_TABLE,
    "deal_journeys",
    "lead_journeys",
)
# agreed_working_days reads only the agreement's staging views: it prorates monthly targets
# and budgets.
MART_MACROS = (
    "deals_loaded",
    "funnel_in_scope",
    "leads_created_in",
    "cohort_leads",
    "markov_journeys",
    "agreed_working_days",
)


# Kinds no funnel mart reads: loading one replaces the staging views and moves the data
# version, but writes none of MART_TABLES (at a million leads they take seconds a month of
# spend does not need). tests/test_spend_import.py checks that none of them reads spend.
KINDS_NO_MART_READS = frozenset({"spend"})
# Marts every rebuild writes, one that loads only spend included: spend_days (stg_spend
# stored), the one mart that reads spend.
ALWAYS_REBUILT_MARTS = ("spend_days",)


def rebuild_in_transaction(con: duckdb.DuckDBPyConnection, with_marts: bool = True) -> int:
    """Staging, marts and macros from the loaded rows; returns the new data version. Without
    ``with_marts`` the marts stay as they are (only for a change no mart reads), unless there
    are none yet."""
    with_marts = with_marts or not has_table(con, MART_TABLE)
    seed_channel_rules(con)
    if with_marts:
        # The days off depend on the years the data spans, so they are rewritten with the marts.
        calendar.write_in_transaction(con)
    define(con, MACROS)
    _write(con, (*ALWAYS_REBUILT_MARTS, *(MART_TABLES if with_marts else ())))
    if with_marts:
        for macro in MART_MACROS:
            define(con, f"marts/{macro}")
    return _next_data_version(con)


# What a saved agreement version can move: its days off, the working-time calendar they make,
# and funnel_revenue, which judges each lead's follow-up on it. The other marts read no column
# that depends on the agreement (the journeys take funnel_revenue's leads, channels and deals;
# funnel_as_of and spend_days read the loaded rows), so they stay as they are:
# tests/test_agreements_store.py checks that a full rebuild after a save changes nothing.
AGREEMENT_MARTS = ("working_time_calendar", MART_TABLE)


def rebuild_after_agreement_change(con: duckdb.DuckDBPyConnection) -> int:
    """After agreement versions were added in the caller's transaction: the days off, the
    staging views and AGREEMENT_MARTS again; returns the new data version. A database built
    with other SQL than today's gets the whole rebuild."""
    if not is_current(con):
        return rebuild_in_transaction(con)
    calendar.write_in_transaction(con)
    _write(con, AGREEMENT_MARTS)
    return _next_data_version(con)


def _write(con: duckdb.DuckDBPyConnection, marts: tuple[str, ...]) -> None:
    """The staging views again (cheap: a view is its SQL), then ``marts`` in order."""
    views = query_names("staging")
    tables = [f"marts/{table}" for table in marts]
    drop_other_kinds(con, dict.fromkeys(views, "view") | dict.fromkeys(tables, "table"))
    for name in views:
        create_view(con, name)
    for name in tables:
        materialise(con, name)


def seed_channel_rules(con: duckdb.DuckDBPyConnection) -> None:
    """The bundled rules seed a new database; from then on the rules live in the database,
    where the upload page and `load --channel-map` add to them."""
    if not has_table(con, "raw_channel_rules"):
        con.execute(
            "create table raw_channel_rules as select source, channel from "
            "read_csv($path, all_varchar = true, header = true)",
            {"path": str(CHANNEL_RULES_CSV)},
        ).fetchall()


def queries_fingerprint() -> str:
    """A hash of the macros, staging and mart SQL: when it changes, the build is stale."""
    digest = hashlib.sha256()
    for name in (MACROS, *query_names("staging"), *query_names("marts")):
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
    """Whether the database holds a build made with today's macro, staging and mart SQL."""
    if not (has_table(con, MART_TABLE) and has_table(con, "build_info")):
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
