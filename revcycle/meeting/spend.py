"""Spend against budget for the weekly meeting: per channel, this week's spend against the
week's share of the agreed monthly budget, and the month so far against the budget due by the
week's end, with the weekly series behind its chart.

The numbers are metrics/spend_against_budget's; this module only words them, so the page and
the pack say the same. No Streamlit here. A missing spend is "no spend recorded", a missing
budget "no budget agreed", never 0; amounts in different currencies are never compared.
"""

import datetime
from collections import Counter
from typing import NamedTuple

import pandas as pd

from revcycle import settings
from revcycle.agreements.status import blank, spend_colour
from revcycle.meeting import shown
from revcycle.meeting.numbers import Query, scope_params
from revcycle.meeting.week import Week

NO_SPEND = "no spend recorded"
NO_BUDGET = "no budget agreed"
NOT_ADDED = "several currencies, not added"
# The table's columns as the page and the pack head them.
COLUMNS = {
    "channel": "Channel",
    "week_spend": "Spend this week",
    "week_budget": "Weekly budget",
    "week_status": "Spent of weekly budget",
    "month_spend": "Month to date",
    "month_status": "Spent of budget due so far",
}
DEFINITION = (
    "Spend is what the spend exports record per day; a row over several days is spread evenly "
    "over them. The weekly budget is the month's budget in the agreement in force, prorated by "
    "working days as the targets are; the month to date runs from the 1st of the month of this "
    "week's Sunday (or the day the spend data begins, if later) to that Sunday, against the "
    "budget due by then. Green while the spend stays "
    "within its budget, amber up to the agreement's amber margin over it, red beyond."
)


class SpendReport(NamedTuple):
    """``rows``: one per channel, the cells of COLUMNS as text beside the raw amounts (for a
    CSV); ``series``: the weekly spend and budget per channel, oldest week first, for the
    chart; ``month_start`` and ``week_end``: the month to date's first and last day;
    ``notes``: sentences on what is not measured or not compared."""

    rows: pd.DataFrame
    series: pd.DataFrame
    month_start: datetime.date
    week_end: datetime.date
    notes: list[str]


def report(query: Query, week: Week, scope: dict | None, weeks: int) -> SpendReport:
    """Spend against budget for ``week`` and the ``weeks`` - 1 weeks before it (the chart), in
    the scope's channels; the agreement in force on the week's Sunday gives the colours'
    thresholds."""
    params = scope_params(scope)
    found = query(
        "metrics/spend_against_budget",
        end_date=week.end,
        weeks=weeks,
        channels=params["channels"],
        default_currency=settings.currency(),
    )
    in_force = query("metrics/agreement_in_force", end_date=week.end)
    in_force = None if in_force.empty else in_force.iloc[0]
    spans = {span: found[found["span"] == span].set_index("channel") for span in SPANS}
    this_week = spans["week"][pd.to_datetime(spans["week"]["span_end"]).dt.date == week.end]
    to_date = spans["month_to_date"]["span_start"]
    month_start = pd.Timestamp(to_date.iloc[0]).date() if len(to_date) else week.end.replace(day=1)
    rows = pd.DataFrame(
        [
            _row(channel, this_week.loc[channel], spans, in_force)
            for channel in this_week.index.unique()
        ],
        columns=[*COLUMNS, *RAW_COLUMNS],
    )
    series = found[found["span"] == "week"].reset_index(drop=True)
    week_from = pd.Timestamp(this_week["span_start"].iloc[0]).date() if len(this_week) else None
    notes = _notes(rows, this_week, params) + _data_begins_note(week, week_from, month_start)
    return SpendReport(rows, series, month_start, week.end, notes)


def _data_begins_note(week: Week, week_from, month_start: datetime.date) -> list[str]:
    """Where the spend data begins within this week or this month so far, the sentence saying
    those spans run from that day (metrics/spend_against_budget starts them there)."""
    begins = [
        day
        for day, whole in ((week_from, week.start), (month_start, month_start.replace(day=1)))
        if day is not None and day > whole
    ]
    if not begins:
        return []
    return [
        f"Spend is recorded from {max(begins):%-d %B %Y}: this week and the month to date run "
        "from that day, and owe no budget for the days before it."
    ]


SPANS = ("week", "month_to_date", "month")
RAW_COLUMNS = (
    "spend_week",
    "budget_week",
    "spend_month_to_date",
    "budget_to_date",
    "budget_month",
    "spend_currency",
    "budget_currency",
)


def money(amount, currency) -> str:
    """ "€1,750", "USD 800": spend set against budgets in whole units; amounts of an unknown
    currency as a bare number."""
    return shown.value(amount, "money", None if blank(currency) else currency, whole=True)


def _row(channel: str, week_row: pd.Series, spans: dict, in_force) -> dict:
    to_date, month = spans["month_to_date"].loc[channel], spans["month"].loc[channel]
    spend_currency, budget_currency = week_row["spend_currency"], week_row["budget_currency"]
    return {
        "channel": channel,
        "week_spend": _spend_words(week_row),
        "week_budget": _budget_words(week_row),
        "week_status": _status_words(week_row, in_force),
        "month_spend": _month_words(to_date, month),
        "month_status": _status_words(to_date, in_force, due=True),
        "spend_week": week_row["spend_amount"],
        "budget_week": week_row["budget_amount"],
        "spend_month_to_date": to_date["spend_amount"],
        "budget_to_date": to_date["budget_amount"],
        "budget_month": month["budget_amount"],
        "spend_currency": None if blank(spend_currency) else spend_currency,
        "budget_currency": None if blank(budget_currency) else budget_currency,
    }


def _spend_words(row: pd.Series) -> str:
    if row["is_spend_mixed"]:
        return NOT_ADDED
    if blank(row["spend_amount"]):
        return NO_SPEND
    return money(row["spend_amount"], row["spend_currency"])


def _budget_words(row: pd.Series) -> str:
    if row["is_budget_mixed"]:
        return NOT_ADDED
    if blank(row["budget_amount"]):
        return NO_BUDGET
    return money(row["budget_amount"], row["budget_currency"])


def _status_words(row: pd.Series, in_force, due: bool = False) -> str:
    """ "🟢 92%" of the budget spent ("🔴 133% of €1,500 due" for the month so far); "" with
    no spend or no budget to hold it against; why not, when the currencies differ."""
    spend, budget = row["spend_amount"], row["budget_amount"]
    if blank(spend) or blank(budget):
        return ""
    if not row["is_comparable"]:
        spent_in, budget_in = _currency(row["spend_currency"]), _currency(row["budget_currency"])
        return f"not compared: {spent_in} vs {budget_in}"
    if due and float(budget) == 0:  # no working day of the month so far: nothing owed yet
        return "no budget due yet (no working day so far)"
    sign = shown.STATUS_SIGN.get(spend_colour(spend, budget, in_force), "")
    spend, budget = float(spend), float(budget)
    if budget > 0:
        share = f"{spend / budget:.0%}"
    else:  # a budget of nothing: no share of it means anything, never an infinite one
        share = "spent of a budget of 0" if spend > 0 else "none spent, none budgeted"
    owed = f" of {money(budget, row['budget_currency'])} due" if due else ""
    return f"{sign} {share}{owed}".strip()


def _currency(code) -> str:
    return settings.NO_CURRENCY if blank(code) else code


def _month_words(to_date: pd.Series, month: pd.Series) -> str:
    """ "€2,000 of €6,000": the month so far, and the month's whole budget when comparable."""
    spent = _spend_words(to_date)
    if spent in (NO_SPEND, NOT_ADDED) or not to_date["is_comparable"]:
        return spent
    if blank(month["budget_amount"]):
        return f"{spent} ({NO_BUDGET} for the whole month)"
    return f"{spent} of {money(month['budget_amount'], month['budget_currency'])}"


def _notes(rows: pd.DataFrame, this_week: pd.DataFrame, params: dict) -> list[str]:
    notes = []
    if this_week.empty:
        notes.append("No budget is agreed and no spend is loaded.")
    elif not this_week["has_spend"].any():
        notes.append(
            "No spend is loaded for these weeks: upload a spend export (kind spend) on the "
            "Upload page to see it against the budgets."
        )
    for channel, row in this_week.iterrows():
        if row["has_spend"] and row["has_budget"] and not row["is_comparable"]:
            notes.append(
                f"{channel}: spend and budget are in different currencies (or one in "
                "several), and amounts in different currencies are never compared."
            )
    if params["owners"] or params["segments"]:
        notes.append("Spend is per channel: the owner and segment filters do not narrow it.")
    return notes


def chart_series(spend: SpendReport) -> tuple[pd.DataFrame, str | None, list[str]]:
    """The weekly rows the chart draws, their one currency, and the channels it leaves out:
    a chart has one money axis, so only channels whose spend and budget are in its currency
    (the most common one) are drawn."""
    series = spend.series
    currencies = {}
    left_out = []
    for channel, rows in series.groupby("channel", sort=True):
        # Every week's currencies: each week is in one, but two weeks may differ.
        found = {*rows["spend_currency"], *rows["budget_currency"]}
        found = {currency for currency in found if not blank(currency)}
        if rows["is_spend_mixed"].any() or rows["is_budget_mixed"].any() or len(found) > 1:
            left_out.append(channel)
        else:
            currencies[channel] = next(iter(found), None)
    counted = Counter(currencies.values())
    currency = min(counted, key=lambda code: (-counted[code], code or "")) if counted else None
    drawn = [channel for channel, code in currencies.items() if code == currency]
    left_out += [channel for channel, code in currencies.items() if code != currency]
    return series[series["channel"].isin(drawn)], currency, sorted(left_out)


def not_drawn(left_out: list[str]) -> str:
    """The sentence under the chart naming the channels chart_series leaves out."""
    return (
        "Not drawn, as their amounts are in another currency than the chart's, or in several: "
        f"{', '.join(left_out)}."
    )
