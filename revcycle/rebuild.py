"""Staging views, the marts and their macros, rebuilt from the loaded rows.

The rebuild runs inside the caller's transaction (an upload, a restore, a build), so a reader
sees the old tables or the new ones, never a mix, and a failure leaves the previous data as it
was. Staging is views over the loaded rows, which the importer has already typed: the marts are
the only tables written, so a rebuild writes each row once.
"""

import hashlib

import duckdb

from revcycle import contract, settings
from revcycle.agreements import calendar
from revcycle.db import (
    MACROS,
    create_view,
    define,
    drop_other_kinds,
    has_table,
    materialise,
    memory_limit,
    query_names,
    sql_text,
)
from revcycle.paths import CHANNEL_RULES_CSV

MART_TABLE = "funnel_revenue"
# Marts in build order: funnel_as_of reads the staging views, data_zone_days and the
# working-time calendar span its dates (data_zone_days turns a loaded wall time into a real
# instant), funnel_revenue judges each lead's follow-up on that calendar, funnel_events counts
# its events per day and funnel_deals lists its deals one by one for the period metrics,
# deal_journeys (from funnel_deals) and lead_journeys lay out its deals' and leads' touches
# for attribution. The macros every metric query starts from are defined over those tables,
# each after the one it reads.
MART_TABLES = (
    "funnel_as_of",
    "data_zone_days",
    "working_time_calendar",
    MART_TABLE,
    "funnel_events",
    "funnel_deals",
    "deal_journeys",
    "lead_journeys",
)
# agreed_working_days reads only the agreement's staging views: it prorates monthly targets
# and budgets.
MART_MACROS = (
    "exports_loaded",
    "funnel_in_scope",
    "funnel_events_in_scope",
    "funnel_deals_in_scope",
    "deal_journeys_in_view",
    "leads_created_in",
    "cohort_leads",
    "markov_journeys",
    "agreed_working_days",
)


# Marts every rebuild writes: spend_days (stg_spend stored), the one mart that reads spend.
ALWAYS_REBUILT_MARTS = ("spend_days",)
# What each change moves, where it is not every mart. A change not listed (leads, channel
# rules, a restore) moves them all: every mart reads the leads. Spend is read by spend_days
# alone; touches by the journeys (through stg_touches) and spend_days. Deals move every mart
# but lead_journeys, which takes only the lead rows' ids, dates, owners, segments and channels
# (none of them a deal's) and the touches. An agreement version moves its days off, the
# working-time calendar they make and funnel_revenue, which judges each lead's follow-up on
# it; funnel_events, funnel_deals and the journeys read no judged column, and funnel_as_of only
# the loaded rows. It also writes data_time_zone again (calendar.write_in_transaction), so the
# days' offsets in that zone (data_zone_days) are written with it, never left from another.
# At a million leads a whole rebuild takes seconds these changes do not need.
# tests/test_rebuild_what_moved.py checks, for each, that a whole rebuild afterwards changes
# no table.
MARTS_MOVED_BY = {
    "spend": (),
    "touches": ("deal_journeys", "lead_journeys"),
    "deals": tuple(mart for mart in MART_TABLES if mart != "lead_journeys"),
    "agreement": ("data_zone_days", "working_time_calendar", MART_TABLE),
}


def rebuild_in_transaction(con: duckdb.DuckDBPyConnection, moved_by: str | None = None) -> int:
    """Staging, marts and macros from the loaded rows; returns the new data version. With
    ``moved_by`` (a key of MARTS_MOVED_BY), only the marts that change moves are written.
    A database built with today's SQL and contract keeps its staging views and macros, which
    read the rows only when queried (defining them again cost about 40 ms a rebuild, whatever
    the data); one built otherwise, or none yet, gets everything anew."""
    current = is_current(con)
    marts = MARTS_MOVED_BY[moved_by] if moved_by is not None and current else MART_TABLES
    seed_rules(con)
    if "working_time_calendar" in marts:
        # The days off depend on the agreement and on the years the data spans.
        calendar.write_in_transaction(con)
    tables = [f"marts/{table}" for table in (*ALWAYS_REBUILT_MARTS, *marts)]
    if not current:
        _define_staging(con)
    drop_other_kinds(con, dict.fromkeys(tables, "table"))
    with memory_limit(con, settings.rebuild_memory_mb()):
        for name in tables:
            materialise(con, name)
    if not current:
        for macro in MART_MACROS:
            define(con, f"marts/{macro}")
    return _next_data_version(con)


def _define_staging(con: duckdb.DuckDBPyConnection) -> None:
    """The shared macros and the staging views, as today's SQL writes them."""
    define(con, MACROS)
    views = query_names("staging")
    drop_other_kinds(con, dict.fromkeys(views, "view"))
    for name in views:
        create_view(con, name)


def seed_rules(con: duckdb.DuckDBPyConnection) -> None:
    """The bundled channel rules seed a new database, and its stage rules start empty; from
    then on the rules live in the database, where the upload page, `load --channel-map` and
    the `stage-rules` command change them."""
    if not has_table(con, "raw_channel_rules"):
        con.execute(
            "create table raw_channel_rules as select source, channel from "
            "read_csv($path, all_varchar = true, header = true)",
            {"path": str(CHANNEL_RULES_CSV)},
        ).fetchall()
    con.execute(
        "create table if not exists raw_stage_rules (stage varchar, outcome varchar)"
    ).fetchall()


def queries_fingerprint() -> str:
    """A hash of the macros, staging and mart SQL and of the contract's fields (the loaded
    rows' columns the staging views read): when it changes, the build is stale."""
    digest = hashlib.sha256()
    for name in (MACROS, *query_names("staging"), *query_names("marts")):
        digest.update(name.encode() + b"\0" + sql_text(name).encode() + b"\0")
    fields = [
        (kind, [(field.name, field.type) for field in specs])
        for kind, specs in sorted(contract.FIELDS_BY_KIND.items())
    ]
    digest.update(repr(fields).encode())
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
