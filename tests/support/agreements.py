"""Agreements for tests: a small one built in a line, and saved into a real database.

``save`` writes the version's rows into the tables the shared design fixes and rebuilds, in
one transaction, as ``revcycle.agreements.store.save`` does; it skips the store's validation
and audit, so a test can set up exactly the calendar it measures against.
"""

import datetime
from dataclasses import replace

import duckdb

from revcycle.agreements import store
from revcycle.agreements.model import Agreement, ClosingDay, FollowUp, default_agreement
from revcycle.rebuild import rebuild_in_transaction


def agreement(
    *follow_up: FollowUp,
    effective_from: datetime.date = datetime.date(2026, 1, 1),
    country: str | None = None,
    closing_days: tuple[ClosingDay, ...] = (),
    time_zone: str = "Europe/Amsterdam",
    **changes,
) -> Agreement:
    """The default agreement (Mon-Fri 09:00-17:00) with these follow-up rules and calendar."""
    return replace(
        default_agreement(time_zone),
        effective_from=effective_from,
        marketing_name="Mia",
        sales_name="Sam",
        country=country,
        closing_days=closing_days,
        follow_up=follow_up or default_agreement(time_zone).follow_up,
        **changes,
    )


def save(con: duckdb.DuckDBPyConnection, agreement: Agreement) -> int:
    """Save ``agreement`` as the next version and rebuild; returns its number."""
    con.begin()
    try:
        store.ensure_tables(con)
        number = con.execute(
            "select coalesce(max(version), 0) + 1 from agreement_versions"
        ).fetchone()[0]
        _insert(con, number, agreement)
        rebuild_in_transaction(con)
        con.commit()
    except BaseException:
        con.rollback()
        raise
    return number


def _insert(con: duckdb.DuckDBPyConnection, number: int, agreement: Agreement) -> None:
    con.execute(
        "insert into agreement_versions (version, effective_from, time_zone, country, "
        "subdivision) values ($number, $effective_from, $zone, $country, $subdivision)",
        {
            "number": number,
            "effective_from": agreement.effective_from,
            "zone": agreement.time_zone,
            "country": agreement.country,
            "subdivision": agreement.subdivision,
        },
    )
    for rule in agreement.follow_up:
        con.execute(
            "insert into agreement_follow_up values (?, ?, ?, ?, ?)",
            [number, rule.channel, rule.kind, rule.response_hours, rule.basis],
        )
    for span in agreement.working_hours:
        con.execute(
            "insert into agreement_working_hours values (?, ?, ?, ?)",
            [number, span.weekday, span.starts, span.ends],
        )
    for closing in agreement.closing_days:
        con.execute(
            "insert into agreement_closing_days values (?, ?, ?)",
            [number, closing.day, closing.reason],
        )
