"""The agreements' days off, written at every rebuild: each version's public holidays (from the
``holidays`` package, for its country and subdivision) and its company closing days.

Holidays depend on the years the data spans, which change with every upload, so the table is
rebuilt with the marts rather than saved with the agreement. The working-time SQL
(queries/marts/working_time_calendar.sql) reads it through stg_agreement_days_off.
"""

import datetime

import duckdb
import holidays
import pandas as pd

from revcycle import settings
from revcycle.agreements import tables


def write_in_transaction(con: duckdb.DuckDBPyConnection) -> None:
    """Replace agreement_days_off and data_time_zone; runs inside the caller's rebuild.

    data_time_zone (one row) is the zone the loaded timestamps are wall time in (the importer
    converts offsets into it): the SQL turns them into real instants with it.
    """
    tables.ensure_tables(con)
    con.execute("create or replace table data_time_zone (time_zone varchar)")
    con.execute("insert into data_time_zone values ($zone)", {"zone": settings.timezone()})
    holiday_rows = pd.DataFrame(
        _public_holidays(con, _data_years(con)), columns=["version", "day", "reason"]
    )
    holiday_rows["day"] = pd.to_datetime(holiday_rows["day"]).dt.date
    con.register("public_holidays", holiday_rows)
    try:
        con.execute(
            "create or replace table agreement_days_off as "
            "select cast(version as integer) as version, cast(day as date) as day, "
            "cast(reason as varchar) as reason from public_holidays "
            "union all "
            "select version, day, reason from agreement_closing_days"
        )
    finally:
        con.unregister("public_holidays")


def _data_years(con: duckdb.DuckDBPyConnection) -> list[int]:
    """The years of the leads' creation and first contact, the current year, and the year after
    the latest: a deadline near New Year runs into January."""
    years = {
        year
        for (year,) in con.execute(
            "select distinct year(created_at) from raw_leads where created_at is not null "
            "union select distinct year(first_contacted_at) from raw_leads "
            "where first_contacted_at is not null"
        ).fetchall()
    }
    years.add(settings.today().year)
    years.add(max(years) + 1)
    return sorted(years)


def _public_holidays(
    con: duckdb.DuckDBPyConnection, years: list[int]
) -> list[tuple[int, datetime.date, str]]:
    """(version, day, name) for every version with a country; validation refuses an unknown
    country or subdivision when the agreement is saved, so none is met here."""
    rows = []
    versions = con.execute(
        "select version, country, subdivision from agreement_versions "
        "where country is not null order by version"
    ).fetchall()
    for version, country, subdivision in versions:
        # Names in English where the country has them (the package's own default otherwise),
        # whatever the server's locale.
        calendar = holidays.country_holidays(
            country, subdiv=subdivision, years=years, language="en_US"
        )
        rows.extend((version, day, name) for day, name in sorted(calendar.items()))
    return rows
