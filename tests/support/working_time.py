"""Agreements for the working-time tests: the default agreement (Mon-Fri 09:00-17:00, no
holidays) with the follow-up rules and calendar a test is about, saved into a real database."""

import datetime
from dataclasses import replace

import duckdb

from revcycle.agreements import store
from revcycle.agreements.model import Agreement, ClosingDay, FollowUp, default_agreement


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
    """Save ``agreement`` as the next version, as the Agreements page does (validated, with
    the rebuild); returns its number."""
    return store.save(con, agreement, "test")
