"""A valid agreement to start tests from: each test changes the one thing it is about."""

import dataclasses
import datetime

from revcycle.agreements.model import (
    Agreement,
    Budget,
    ClosingDay,
    FollowUp,
    Target,
    WorkingHours,
)

NINE, FIVE = datetime.time(9), datetime.time(17)
NOVEMBER = datetime.date(2024, 11, 1)
DECEMBER = datetime.date(2024, 12, 1)
# Two months of budgets for paid search and trade shows, one in the data's currency.
BUDGETS = (
    Budget(NOVEMBER, "Paid search", 6000.0, "EUR"),
    Budget(NOVEMBER, "Trade show", 9000.0, "EUR"),
    Budget(DECEMBER, "Paid search", 6250.5, "EUR"),
    Budget(DECEMBER, "Trade show", 3000.0, None),
)


def office_hours() -> tuple[WorkingHours, ...]:
    return tuple(WorkingHours(day, NINE, FIVE) for day in range(1, 6))


def agreement(**changes) -> Agreement:
    """Contact form within 4 working hours, paid search 8, content to nurture, anything else a
    call within 24 calendar hours; Mon-Fri 09:00-17:00 in NL; two targets for November 2024."""
    base = Agreement(
        effective_from=NOVEMBER,
        marketing_name="Mara Jansen",
        sales_name="Sven de Vries",
        note="First agreement.",
        mql_definition="Fits the profile and asked for contact.",
        sql_definition="Sales accepted it after a first call.",
        won_definition="Contract signed.",
        rejection_reasons=("No budget", "Not the right person"),
        time_zone="Europe/Amsterdam",
        country="NL",
        subdivision=None,
        working_hours=office_hours(),
        closing_days=(ClosingDay(datetime.date(2024, 12, 27), "Christmas closing"),),
        follow_up=(
            FollowUp(None, "call", 24.0, "calendar"),
            FollowUp("Content marketing", "nurture", None, "working"),
            FollowUp("Paid search", "call", 8.0, "working"),
            FollowUp("Website contact form", "call", 4.0, "working"),
        ),
        targets=(
            Target(NOVEMBER, None, "leads", 1500.0),
            Target(NOVEMBER, "Paid search", "share_contacted_in_time", 0.8),
        ),
        answer_within_working_days=2,
    )
    return dataclasses.replace(base, **changes)
