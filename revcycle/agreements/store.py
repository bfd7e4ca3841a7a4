"""The agreements in DuckDB: one row per version plus its follow-up, working hours, closing days
and targets. Uploads, replaces and restores never touch these tables; a save or an import adds
versions and rebuilds the marts in one transaction, so every lead is judged by the agreement in
force when it was created."""

import datetime
from dataclasses import dataclass

import duckdb

from revcycle.agreements.model import Agreement, Version

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
}


@dataclass(frozen=True)
class Change:
    field: str  # in words: "Paid search: response time"
    before: str  # "8 working hours"
    after: str  # "4 working hours"


def ensure_tables(con: duckdb.DuckDBPyConnection) -> None:
    """Create the agreement tables when missing (never drops or alters what is there)."""
    for statement in TABLES.values():
        con.execute(statement).fetchall()


def versions(con: duckdb.DuckDBPyConnection) -> list[Version]:
    """Every saved version, oldest first."""
    raise NotImplementedError


def current(con: duckdb.DuckDBPyConnection) -> Version | None:
    """The latest version, or None when none is saved."""
    raise NotImplementedError


def in_force_on(con: duckdb.DuckDBPyConnection, day: datetime.date) -> Version | None:
    """The version in force on ``day``: the latest effective on or before it; before the first
    version's date, the first."""
    raise NotImplementedError


def save(con: duckdb.DuckDBPyConnection, agreement: Agreement, changed_by: str) -> int:
    """Validate ``agreement`` and save it as the next version; returns its number."""
    raise NotImplementedError


def import_versions(con: duckdb.DuckDBPyConnection, versions: list[Version], changed_by: str):
    """Add the versions of a file, all or nothing."""
    raise NotImplementedError


def diff(before: Agreement, after: Agreement) -> list[Change]:
    """What changed from ``before`` to ``after``, in words."""
    raise NotImplementedError
