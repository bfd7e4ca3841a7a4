"""The agreement tables' definitions, apart from the store: the rebuild (through calendar.py)
creates them when missing, and the store, which itself runs the rebuild, writes them. Kept in a
module of their own so neither imports the other in a circle."""

import duckdb

# The tables, as the working-time SQL reads them (see the shared design of issue 11).
# agreement_days_off is written by calendar.py at rebuild, not here.
TABLES = {
    "agreement_versions": """create table if not exists agreement_versions (
        version integer primary key, effective_from date not null,
        marketing_name varchar, sales_name varchar, note varchar, saved_by varchar,
        saved_at timestamp, time_zone varchar, country varchar, subdivision varchar,
        mql_definition varchar, sql_definition varchar, won_definition varchar,
        rejection_reasons varchar[], answer_within_working_days integer,
        green_from double, amber_from double)""",
    "agreement_follow_up": """create table if not exists agreement_follow_up (
        version integer, channel varchar, follow_up_kind varchar, response_hours double,
        basis varchar)""",
    "agreement_working_hours": """create table if not exists agreement_working_hours (
        version integer, iso_weekday tinyint, starts time, ends time)""",
    "agreement_closing_days": """create table if not exists agreement_closing_days (
        version integer, day date, reason varchar)""",
    "agreement_targets": """create table if not exists agreement_targets (
        version integer, month date, channel varchar, metric varchar, target double)""",
    # Money in decimal: a budget is compared with spend summed in cents.
    "agreement_budgets": """create table if not exists agreement_budgets (
        version integer, month date, channel varchar, amount decimal(18, 2),
        currency varchar)""",
}


# Emptying every table above: only ever for the bundled sample's agreement (sample.py), which
# goes with the sample's data; a team's versions are never deleted.
EMPTY_EVERY_TABLE = (
    "delete from agreement_follow_up",
    "delete from agreement_working_hours",
    "delete from agreement_closing_days",
    "delete from agreement_targets",
    "delete from agreement_budgets",
    "delete from agreement_versions",
)


def ensure_tables(con: duckdb.DuckDBPyConnection) -> None:
    """Create the agreement tables when missing (never drops or alters what is there)."""
    for statement in TABLES.values():
        con.execute(statement).fetchall()
