"""The weekly meeting's numbers: the week's tiles against last week, a four-week baseline and
the agreed target; the follow-up breaches by owner; and what sales did with the week's MQLs.

Every function takes a query runner, ``query(name, **params) -> DataFrame`` (the page's cached
``revcycle.ui.data.run``, or ``functools.partial(revcycle.db.execute, con)``), so the page and
the pack read the same numbers. No Streamlit here.
"""

import datetime
from collections.abc import Callable, Mapping
from typing import NamedTuple

import pandas as pd

from revcycle import deal_gaps, lead_gaps, periods, settings
from revcycle.agreements.model import DEFAULT_ANSWER_WITHIN_WORKING_DAYS, FollowUp
from revcycle.agreements.status import blank, status, targets_apply, view_targets
from revcycle.agreements.words import count, follow_up
from revcycle.meeting import shown
from revcycle.meeting.week import Week, last_ending_by

Query = Callable[..., pd.DataFrame]

TILE_METRICS = (
    "leads",
    "mqls",
    "sqls",
    "opportunities",
    "pipeline",
    "won_revenue",
    "share_contacted_in_time",
)
# The tiles in two rows, so that presented they fit one screen: the funnel's counts, then the
# amounts and the follow-up. The page and the pack draw them so.
TILE_ROWS = (TILE_METRICS[:4], TILE_METRICS[4:])
BASELINE_WEEKS = 4

LABELS = {
    "leads": "Leads",
    "mqls": "MQLs",
    "sqls": "SQLs",
    "opportunities": "Opportunities",
    "pipeline": "New pipeline",
    "won_revenue": "Won revenue",
    "share_contacted_in_time": "Within agreed time",
}
UNITS = {"pipeline": "money", "won_revenue": "money", "share_contacted_in_time": "share"}
# The tiles of amounts: the others are counts and a share.
MONEY_METRICS = ("pipeline", "won_revenue")
_BASELINE = (
    "Last week is the week before; the 4-week average is the mean of the four weeks before "
    "this one, a baseline, not a target."
)
DEFINITIONS = {
    "leads": "New leads created in the week.",
    "mqls": "Leads marketing qualified in the week (their MQL date).",
    "sqls": "Leads sales accepted in the week (their SQL date).",
    "opportunities": "Leads whose first deal was created in the week, plus deals with no lead.",
    "pipeline": (
        "Amount of the deals created in the week (their creation date), whatever they became "
        "since: the agreement's pipeline target."
    ),
    "won_revenue": "Amount of the deals won in the week (their close date).",
    "share_contacted_in_time": (
        "Share of the week's leads first contacted within the response time agreed for their "
        "channel; never-contacted leads count as missed once their time ran out, nurtured "
        "leads and leads with no contact data neither way. Its 4-week average is the share "
        "over those four weeks' leads together."
    ),
}
# Which column of weekly_numbers holds each tile's count, and which says whether the week's
# leads could record it (None: always recorded).
_COUNTS = {
    "leads": ("count_leads", None),
    "mqls": ("count_mqls", "count_leads_with_mql_data"),
    "sqls": ("count_sqls", "count_leads_with_sql_data"),
    "opportunities": ("count_opportunities", None),
    "pipeline": ("new_pipeline", None),
    "won_revenue": ("won_revenue", None),
}
# The tiles each export gives, by the column weekly_series holds them in: without that
# export loaded at all they are unknown, not 0, and the reason names the missing export.
_NEEDS_LEADS = {
    "leads": "count_leads",
    "mqls": "count_mqls",
    "sqls": "count_sqls",
    "share_contacted_in_time": "share_contacted_in_time",
}
_NEEDS_DEALS = {
    "opportunities": "count_opportunities",
    "pipeline": "new_pipeline",
    "won_revenue": "won_revenue",
}
NO_LEADS = "No leads export is loaded, so leads, MQLs, SQLs and the follow-up cannot be measured."
NO_DEALS = (
    "No deals export is loaded, so opportunities, the new pipeline and won revenue cannot be "
    "counted."
)
NO_DEAL_OUTCOMES = (
    "The deals loaded have no stage, won or closed value, so won revenue cannot be counted."
)
NO_MQL_DATES = "No leads upload has an MQL date column, so MQLs cannot be counted."
NO_SQL_DATES = "No leads upload has an SQL date or conversion column, so SQLs cannot be counted."
NO_CONTACT_DATES = (
    "No leads upload has a first-contact column, so the follow-up cannot be measured."
)
_NOT_LOADED = (
    ("has_leads", _NEEDS_LEADS, NO_LEADS),  # before the dates: no lead says more
    ("has_deals", _NEEDS_DEALS, NO_DEALS),  # before the outcomes: no deal says more
    ("has_deal_outcomes", {"won_revenue": "won_revenue"}, NO_DEAL_OUTCOMES),
    # Not in any upload: unknown in every week, one that created no lead too.
    ("has_mql_data", {"mqls": "count_mqls"}, NO_MQL_DATES),
    ("has_sql_data", {"sqls": "count_sqls"}, NO_SQL_DATES),
    ("has_contact_data", {"share_contacted_in_time": "share_contacted_in_time"}, NO_CONTACT_DATES),
)
_MISSING_COLUMN = {
    "mqls": "The uploads of this week's leads have no MQL date column, so MQLs cannot be counted.",
    "sqls": "The uploads of this week's leads have no SQL date or conversion column, so SQLs "
    "cannot be counted.",
    "share_contacted_in_time": "The uploads of this week's leads have no first-contact column, "
    "so the follow-up cannot be measured.",
}
TILE_COLUMNS = (
    "metric",
    "label",
    "this_week",
    "last_week",
    "four_week_average",
    "weekly_target",
    "target_status",
    "share_of_target",
    "unit",
    "currency",
    "cannot_measure",
    "definition",
    "is_complete",
    "partly_unmeasured",
    "baseline_gap",
)


def scope_params(scope: Mapping | None) -> dict:
    """The shared filters minus the period, as the metric queries bind them: a list of the
    values to keep, or None for all (an empty list keeps nothing, as in funnel_in_scope)."""
    scope = scope or {}
    return {
        name: None if scope.get(name) is None else list(scope[name])
        for name in ("channels", "owners", "segments")
    }


def default_week(query: Query) -> Week | None:
    """The last ISO week the data covers whole (metrics/data_complete_through: by its events,
    or by loads after a quiet weekend); None when nothing is loaded."""
    through = query("metrics/data_complete_through")["complete_through_date"].iloc[0]
    return None if blank(through) else last_ending_by(pd.Timestamp(through).date())


def completed_by_loads(query: Query, week: Week) -> str | None:
    """Why ``week`` counts as complete though the data's last event is in it or before its
    end, when the loads after it say so (data_complete_through); else None."""
    row = query("metrics/data_complete_through").iloc[0]
    if not row["is_complete_by_uploads"]:
        return None
    as_of, loaded = (pd.Timestamp(row[day]).date() for day in ("as_of_date", "loaded_date"))
    if not as_of - datetime.timedelta(days=1) < week.end < loaded:
        return None
    return (
        f"The data's last event is on {as_of:%a %d %b %Y}, and the exports were loaded on "
        f"{loaded:%a %d %b %Y}, after this week, with no working day between: the week "
        "counts as complete."
    )


def is_complete(query: Query, week: Week) -> bool:
    """Whether the data reaches past ``week``'s Sunday: a later week's numbers are only the
    days loaded so far, and read low."""
    complete = default_week(query)
    return complete is not None and week <= complete


class Currency(NamedTuple):
    """The amounts' one currency (None when unknown or several), and whether they are in
    several currencies, which are never added."""

    code: str | None
    is_mixed: bool


def currency(query: Query) -> Currency:
    row = query("metrics/amount_currencies", default_currency=settings.currency()).iloc[0]
    return Currency(
        code=row["currency"] if isinstance(row["currency"], str) else None,
        is_mixed=int(row["count_currencies"]) > 1,
    )


def weekly_series(
    query: Query, week: Week, scope: Mapping | None, weeks: int, money: Currency | None = None
) -> pd.DataFrame:
    """weekly_numbers for the ``weeks`` weeks up to ``week``: one row per week, oldest first,
    for the charts. Set to missing (NaN) rather than 0: every number of a week the data does
    not reach (is_in_data false), a count the week's uploads could not record, a week's won
    revenue in another currency than the others' (_won_in_one_currency), whose currency
    ``won_currency`` names, and every week's new pipeline when the deals' amounts are in
    several currencies (``amounts_in_currencies``). ``is_whole``: the data covers every day of
    the week (_covers_whole). ``money``: the amounts' currency, when the caller has it
    already."""
    params = scope_params(scope)
    series = query("metrics/weekly_numbers", end_date=week.end, weeks=weeks, **params)
    reach = _data_reach(query)
    shown = series.assign(
        is_in_data=[_outside(row, reach) is None for _, row in series.iterrows()],
        is_whole=[_covers_whole(row, reach) for _, row in series.iterrows()],
    )
    for column, recorded in _COUNTS.values():
        if recorded is not None:
            unknown = (shown[column] == 0) & (shown["count_leads"] > 0) & (shown[recorded] == 0)
            shown[column] = shown[column].astype(float).mask(unknown)
    # No SQL dated in the week, but some of its leads reached SQL on no known day: unknown.
    undated = (shown["count_sqls"] == 0) & (shown["count_reached_sql_without_date"] > 0)
    shown["count_sqls"] = shown["count_sqls"].astype(float).mask(undated)
    money = money or currency(query)
    shown = shown.assign(
        won_currency=money.code, won_currencies_apart=None, amounts_in_currencies=money.is_mixed
    )
    if money.is_mixed:
        shown = _won_in_one_currency(query, shown, params)
        shown["new_pipeline"] = float("nan")  # never added (PIPELINE_IN_CURRENCIES)
    for loaded, needs, _ in _NOT_LOADED:  # the export is not loaded: not 0, unknown
        for column in needs.values():
            shown[column] = shown[column].astype(float).mask(~shown[loaded].astype(bool))
    numbers = [column for column in series.columns if column not in ("week_start", "week_end")]
    shown[numbers] = shown[numbers].astype(float).where(shown["is_in_data"])
    return shown


def _won_in_one_currency(query: Query, shown: pd.DataFrame, params: dict) -> pd.DataFrame:
    """For deals in several currencies, which are never added or compared: the won revenue
    of the weeks whose wins are all in one currency, that of the latest such week
    (``won_currency``; a week without a win is 0 in it). Any other week's is missing, and
    ``won_currencies_apart`` names the currencies of its wins ("USD", "EUR and USD")."""
    wins = query(
        "metrics/weekly_won_revenue_by_currency",
        start_date=shown["week_start"].min(),
        end_date=shown["week_end"].max(),
        default_currency=settings.currency(),
        **params,
    )
    found: dict[pd.Timestamp, set] = {}
    for row in wins[wins["count_won_with_amount"] > 0].itertuples():
        code = row.currency if isinstance(row.currency, str) else None
        found.setdefault(pd.Timestamp(row.week_start), set()).add(code)
    alone = [next(iter(codes)) for _, codes in sorted(found.items()) if len(codes) == 1]
    code = alone[-1] if alone else None
    apart = [
        None if found.get(week, {code}) == {code} else _currencies_in_words(found[week])
        for week in pd.to_datetime(shown["week_start"])
    ]
    return shown.assign(
        won_revenue=shown["won_revenue"].mask([words is not None for words in apart]),
        won_currency=code,
        won_currencies_apart=apart,
    )


def _currencies_in_words(codes: set) -> str:
    """ "USD", "EUR and USD", "EUR, USD and no stated currency"."""
    words = [*sorted(code for code in codes if code), *(["no stated currency"] * (None in codes))]
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"


def _value(row: pd.Series, metric: str):
    """A tile's number in one week's row of weekly_series; None where it cannot be known."""
    if metric == "share_contacted_in_time":
        value = row["share_contacted_in_time"]
    else:
        value = row[_COUNTS[metric][0]]
    return None if blank(value) else float(value)


def _some(count) -> bool:
    """A count of a week's row that is known and above 0."""
    return not blank(count) and count > 0


def _average(rows: pd.DataFrame, metric: str):
    """The baseline: the mean of the weeks' numbers (a share pooled over their leads); None
    when any of the weeks cannot tell."""
    if metric == "share_contacted_in_time":
        measured = rows["count_contact_measured"].sum()
        return float(rows["count_contacted_in_time"].sum() / measured) if measured else None
    values = [_value(row, metric) for _, row in rows.iterrows()]
    return None if not values or None in values else sum(values) / len(values)


def _cannot_measure(row: pd.Series, metric: str) -> str | None:
    if metric == "pipeline" and row["amounts_in_currencies"]:
        return PIPELINE_IN_CURRENCIES
    if metric == "won_revenue" and isinstance(row["won_currencies_apart"], str):
        return (
            f"This week's won deals are in several currencies ({row['won_currencies_apart']}); "
            "Revcycle does not add amounts in different currencies."
        )
    for loaded, needs, reason in _NOT_LOADED:
        if metric in needs and not row[loaded]:
            return reason
    if metric == "share_contacted_in_time":
        if not (row["count_leads"] > 0 and row["count_leads_with_contact_data"] == 0):
            return None
        answered = int(row["count_leads_contact_time_unknown"])
        if answered == row["count_leads"]:  # their files have the column: no time is known
            return lead_gaps.contact_time_unknown(answered, answered)
        return _MISSING_COLUMN[metric]
    if metric in _MISSING_COLUMN and _value(row, metric) is None:
        if metric == "sqls" and _some(row["count_reached_sql_without_date"]):
            count_undated = row["count_reached_sql_without_date"]
            return lead_gaps.sqls_unknown(count_undated, row["count_leads"], "week")
        return _MISSING_COLUMN[metric]
    if metric == "won_revenue" and _value(row, metric) is None:
        if blank(row["count_won_deals"]):  # no dated win, and wins with no close date
            return deal_gaps.unknown_wins(row["count_won_without_close_date"], "this week")
        return _without_amount(row, "won_revenue")
    if metric == "pipeline" and _value(row, metric) is None:
        return _without_amount(row, "pipeline")
    return None


_STAGE_OF = {"mqls": "MQL", "sqls": "SQL"}  # the tiles whose leads may reach them undated


def _partly_unmeasured(row: pd.Series, metric: str, in_currencies: str | None) -> str | None:
    """What part of the week a number leaves out, when some of its leads' files lack the
    column it needs (others have it), or some of its deals lack an outcome (others have one),
    or some of its leads reached MQL or SQL on no known day, or, for deals in several currencies,
    what it is in each or which weeks it is not compared with: said beside the number, never
    blamed on anyone. ``in_currencies``: that last sentence (_won_per_currency's or
    _weeks_apart's), or None."""
    if metric == "won_revenue":
        known = _value(row, metric) is not None
        without = _without_amount(row, metric) if known else None
        undated = deal_gaps.undated_maybe_in(row["count_won_without_close_date"], "this week")
        return " ".join(filter(None, (without, undated if known else None, in_currencies))) or None
    if metric == "opportunities":
        return _deals_without_outcome(row)
    if metric == "pipeline":  # none with an amount: the reason says it then
        return _without_amount(row, metric) if _value(row, metric) is not None else None
    if stage := _STAGE_OF.get(metric):
        undated = row[f"count_reached_{stage.lower()}_without_date"]
        if not _some(undated) or _value(row, metric) is None:  # the reason says it then
            return None
        return lead_gaps.reached_without_date(stage, undated, row["count_leads"], "week")
    if metric != "share_contacted_in_time" or blank(row["count_leads"]):  # no leads loaded
        return None
    count, known = int(row["count_leads"]), int(row["count_leads_with_contact_data"])
    if not 0 < known < count:
        return None
    answered = int(row["count_leads_contact_time_unknown"])  # their files have the column
    without_column = (
        f"{count - known - answered:,} of the week's {count:,} leads come from files without a "
        "first-contact column: their follow-up is not known."
    )
    said = [without_column] if count - known - answered else []
    if answered:
        said.append(lead_gaps.contact_time_unknown(answered, count))
    return " ".join(said)


# The deals each amount tile sums, by its weekly_numbers columns: (deals without an amount,
# all its deals, the deals in words, the figure).
_AMOUNT_OF = {
    "won_revenue": (
        "count_won_without_amount",
        "count_won_deals",
        ("won deal of the week", "won deals of the week"),
        "the won revenue",
    ),
    "pipeline": (
        "count_created_without_amount",
        "count_deals_created",
        ("deal created in the week", "deals created in the week"),
        "the new pipeline",
    ),
}


def _without_amount(row: pd.Series, metric: str) -> str | None:
    """The week's deals that add nothing to an amount tile (won revenue, new pipeline), having
    no amount; when none has one, why the tile cannot be measured."""
    count_without, count_all, deals, figure = _AMOUNT_OF[metric]
    return deal_gaps.without_amount(row[count_without], row[count_all], deals, figure)


PIPELINE_IN_CURRENCIES = (
    "The deals' amounts are in several currencies, which Revcycle does not add, so the new "
    "pipeline is not summed; the Revenue page shows each currency's open pipeline."
)


def _deals_without_outcome(row: pd.Series) -> str | None:
    """The week's deals that count as opportunities but not as won or lost. Not said when no
    deal has an outcome: the won revenue tile says that already."""
    if not row["has_deal_outcomes"] or blank(row["count_deals_without_outcome"]):
        return None
    count = int(row["count_deals_without_outcome"])
    if not count:
        return None
    one = count == 1
    return (
        f"{count:,} {'deal' if one else 'deals'} created in the week {'has' if one else 'have'} "
        "no stage, won or closed value in the export: counted as "
        f"{'an opportunity' if one else 'opportunities'}, not as won or lost."
    )


def follow_up_unknowns(tiles: pd.DataFrame) -> tuple[str | None, str | None]:
    """Why this week's follow-up cannot be measured at all, and what part of it cannot be (the
    tiles' own words), for the headline, the breaches section and the pack."""
    rows = tiles[tiles["metric"] == "share_contacted_in_time"]
    if rows.empty:
        return None, None
    return rows["cannot_measure"].iloc[0], rows["partly_unmeasured"].iloc[0]


class DataReach(NamedTuple):
    """How far the loaded data reaches, for its weeks."""

    start: periods.FunnelStart  # where the funnel begins (periods.funnel_start)
    last: datetime.date  # the day the data is as of
    complete_through: datetime.date  # the last day it covers whole (data_complete_through)


def _data_reach(query: Query) -> DataReach | None:
    """Where the funnel begins (spend or deals exported further back than the leads do not
    move it, so a week before the first lead has no lead counts, not zeros), the day the data
    is as of (an event dated after the data was loaded, a typo, does not stretch it) and the
    last day it covers whole; None when nothing is loaded."""
    row = query("metrics/data_period").iloc[0]
    start = periods.funnel_start(row)
    if start is None or blank(row["as_of_date"]):
        return None
    through = query("metrics/data_complete_through")["complete_through_date"].iloc[0]
    last = pd.Timestamp(row["as_of_date"]).date()
    return DataReach(start, last, pd.Timestamp(through).date())


def _outside(row: pd.Series, reach: DataReach | None) -> str | None:
    """Why a week of weekly_series is not in the data, or None when the data reaches it: its
    zeros then mean "not loaded", never a quiet week."""
    if reach is None:
        return "No data is loaded."
    start, last = reach.start, reach.last
    if pd.Timestamp(row["week_end"]).date() < start.day:
        return f"{start.begins.capitalize()} on {start.day:%-d %b %Y}, after this week."
    if pd.Timestamp(row["week_start"]).date() > last:
        return f"The data ends on {last:%-d %b %Y}, before this week."
    return None


def _baseline_gap(series: pd.DataFrame, reach: DataReach | None) -> str | None:
    """Why last week or the 4-week average is unknown on every tile, when it is: the earliest
    of those weeks ends before the funnel begins ("the leads begin on 3 Nov 2026"); ``series``
    is the baseline weeks and this one."""
    if reach is None or pd.Timestamp(series.iloc[0]["week_end"]).date() >= reach.start.day:
        return None
    return f"{reach.start.begins} on {reach.start.day:%-d %b %Y}"


def _covers_whole(row: pd.Series, reach: DataReach | None) -> bool:
    """Whether the data covers every day of a week of weekly_series: not the week the funnel
    begins in after its Monday, nor the one the data ends in before its Sunday, whose counts
    hold only some of their days and read low; a week loaded after a quiet weekend it ends in
    is covered (data_complete_through)."""
    if reach is None:
        return False
    week_start, week_end = (pd.Timestamp(row[day]).date() for day in ("week_start", "week_end"))
    return reach.start.day <= week_start and week_end <= max(reach.last, reach.complete_through)


def week_tiles(
    query: Query, week: Week, scope: Mapping | None, series: pd.DataFrame | None = None
) -> pd.DataFrame:
    """One row per tile metric (TILE_METRICS): this week, last week, the four-week baseline,
    the week's target (the months' targets prorated by working days) and its status colour.
    A number that cannot be known is NaN (``cannot_measure`` says why when the uploads lack
    a column or the amounts are in several currencies, or the data does not reach the week);
    a status, a currency or a reason that does not apply is None. ``is_complete`` is false
    for the week the data ends in: its numbers are the days so far, and get no status.
    ``partly_unmeasured`` says what part of the week a number leaves out. ``series``: weekly_
    series of BASELINE_WEEKS + 1 weeks or more up to ``week``, when the caller has it (the
    page's charts), so the weeks are counted once."""
    params, money = scope_params(scope), currency(query)
    if series is None:
        series = weekly_series(query, week, params, BASELINE_WEEKS + 1, money)
    series = series.iloc[-(BASELINE_WEEKS + 1) :]
    reach = _data_reach(query)
    outside = [_outside(row, reach) for _, row in series.iterrows()]
    this_row, last_row = series.iloc[-1], series.iloc[-2]
    baseline = series.iloc[:-1][[reason is None for reason in outside[:-1]]]
    gap = _baseline_gap(series, reach)
    agreed, in_force = _agreed(query, week, params)
    # A week the data ends in holds only its first days, and one it begins in only its last:
    # no colour against a whole week's target.
    complete = reach is not None and week.end <= reach.complete_through
    whole = complete and week.start >= reach.start.day
    rows = []
    # For deals in several currencies (never added): each one's sum of the week's wins when
    # they are in several, else the weeks before that are not compared for their currency.
    if isinstance(this_row["won_currencies_apart"], str):
        in_currencies = _won_per_currency(query, week, params)
    else:
        in_currencies = _weeks_apart(series, this_row["won_currency"])
    for metric in TILE_METRICS:
        this_week = None if outside[-1] else _value(this_row, metric)
        target = None if money.is_mixed and metric in MONEY_METRICS else agreed.get(metric)
        found = status(this_week, target, in_force) if whole else None
        rows.append(
            (
                metric,
                LABELS[metric],
                this_week,
                None if outside[-2] else _value(last_row, metric),
                _average(baseline, metric) if len(baseline) == BASELINE_WEEKS else None,
                target,
                found and found.colour,
                found and found.share_of_target,
                UNITS.get(metric, "count"),
                this_row["won_currency"] if metric in MONEY_METRICS else None,
                outside[-1] or _cannot_measure(this_row, metric),
                f"{DEFINITIONS[metric]} {_BASELINE}",
                complete,
                None if outside[-1] else _partly_unmeasured(this_row, metric, in_currencies),
                gap,
            )
        )
    return _tiles_frame(rows)


# The tile columns holding text: None for "none", never pandas' NaN (the page tests `is None`).
_TEXT_COLUMNS = ("target_status", "currency", "cannot_measure", "partly_unmeasured", "baseline_gap")


def _tiles_frame(rows: list[tuple]) -> pd.DataFrame:
    tiles = pd.DataFrame(rows, columns=list(TILE_COLUMNS))
    for column in _TEXT_COLUMNS:
        tiles[column] = tiles[column].astype(object).where(tiles[column].notna(), None)
    return tiles


def _weeks_apart(series: pd.DataFrame, code: str | None) -> str | None:
    """The weeks before this one (the last row) that its won revenue is not compared with,
    their wins being in another currency or in several: "Compared only with weeks whose won
    deals are in EUR: not with last week (USD) or the week of 26 Oct (EUR and USD)." """
    last = len(series) - 2
    names = [
        f"{'last week' if at == last else f'the week of {row.week_start:%-d %b}'} "
        f"({row.won_currencies_apart})"
        for at, row in enumerate(series.iloc[:-1].itertuples())
        if isinstance(row.won_currencies_apart, str) and row.is_in_data
    ]
    if not names:
        return None
    listed = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]}"
    return (
        f"Compared only with weeks whose won deals are in {_currencies_in_words({code})}: "
        f"not with {listed}."
    )


def _won_per_currency(query: Query, week: Week, params: dict) -> str:
    """The week's won revenue in each currency, for amounts in several, which are never
    added: "Won this week, per currency: €1,000.00 (1 deal), $500.00 (1 deal)." """
    sums = query(
        "metrics/revenue_by_currency",
        start_date=week.start,
        end_date=week.end,
        default_currency=settings.currency(),
        **params,
    )
    won = sums[sums["is_total"] & (sums["count_won_deals"] > 0)]
    if won.empty:
        return "No deal was won this week, in any currency."
    parts = [
        (
            shown.value(row.won_revenue, "money", row.currency)
            if isinstance(row.currency, str)
            else f"{shown.value(row.won_revenue, 'money')} in no stated currency"
        )
        + f" ({row.count_won_deals:,} deal{'' if row.count_won_deals == 1 else 's'})"
        for row in won.itertuples()
    ]
    return f"Won this week, per currency: {', '.join(parts)}."


def _agreed(query: Query, week: Week, params: dict) -> tuple[dict, pd.Series | None]:
    """The week's targets in the view's scope, and the agreement in force on its Sunday."""
    targets = query(
        "metrics/targets_in_period",
        start_date=week.start,
        end_date=week.end,
        channels=params["channels"],
    )
    in_force = query("metrics/agreement_in_force", end_date=week.end)
    return view_targets(targets, params), None if in_force.empty else in_force.iloc[0]


def breaches_by_owner(query: Query, week: Week, scope: Mapping | None) -> pd.DataFrame:
    """The week's leads that waited past their agreed time, counted per owner, worst first:
    ``owner, count_breaches, count_leads_measured, count_still_waiting``."""
    return query(
        "metrics/breaches_by_owner", start_date=week.start, end_date=week.end, **scope_params(scope)
    )


BREACH_LEAD_COLUMNS = (
    "lead_id",
    "owner",
    "channel",
    "created_at",
    "agreed",
    "hours_to_first_contact",
    "first_contact_after",
    "still_waiting",
)


def agreed_words(kind: str, response_hours, basis: str) -> str:
    """ "call within 1 working hour", as the agreement words a follow-up rule."""
    hours = None if blank(response_hours) else float(response_hours)
    return follow_up(FollowUp(None, kind, hours, basis))


def breach_leads(query: Query, week: Week, scope: Mapping | None) -> pd.DataFrame:
    """The week's leads that waited past their agreed time, without contact details: the
    still-waiting first, then the longest wait."""
    found = query(
        "metrics/breach_leads", start_date=week.start, end_date=week.end, **scope_params(scope)
    )
    listed = found.assign(
        agreed=[
            agreed_words(kind, hours, basis)
            for kind, hours, basis in zip(
                found["follow_up_kind"],
                found["agreed_response_hours"],
                found["response_basis"],
                strict=True,
            )
        ],
        first_contact_after=[
            shown.first_contact_after(hours, earliest, waiting)
            for hours, earliest, waiting in zip(
                found["hours_to_first_contact"],
                found["earliest_hours_to_first_contact"],
                found["is_still_waiting"],
                strict=True,
            )
        ],
        still_waiting=found["is_still_waiting"].astype(bool),
    )
    return listed[list(BREACH_LEAD_COLUMNS)].reset_index(drop=True)


class Quality(NamedTuple):
    """What sales did with the week's MQLs. ``by_channel``: ``channel, count_mqls,
    count_accepted, count_rejected, count_pending, acceptance_rate, acceptance_target,
    target_status, is_total`` (the last row is all channels in scope; acceptance_rate is over
    the MQLs sales answered, accepted or rejected); ``by_reason``: ``channel, reason,
    count_rejected, is_agreed_reason, is_total`` (is_agreed_reason None while no reasons are
    agreed); ``target``: the agreed acceptance rate, or None; ``cannot_measure``: why the
    counts cannot be told, or None; ``answers``: how many MQLs sales answered within the agreed
    working days (answers_sentence), or None when no MQL came in."""

    by_channel: pd.DataFrame
    by_reason: pd.DataFrame
    target: float | None
    cannot_measure: str | None
    answers: str | None = None


QUALITY_CHANNEL_COLUMNS = (
    "channel",
    "count_mqls",
    "count_accepted",
    "count_rejected",
    "count_pending",
    "acceptance_rate",
    "acceptance_target",
    "target_status",
    "is_total",
)
QUALITY_REASON_COLUMNS = ("channel", "reason", "count_rejected", "is_agreed_reason", "is_total")
NO_SQL_OUTCOME = (
    "The uploads of this week's MQLs record no SQL date, conversion or lifecycle stage, so "
    "whether sales accepted them cannot be told."
)
NO_REJECTION_DATA = (
    "The uploads of this week's MQLs have no lead status or disqualification reason, so "
    "rejected MQLs cannot be told from pending ones."
)


def _reason_key(reason: str) -> str:
    return " ".join(reason.split()).casefold()


def _is_agreed(reasons: pd.Series, agreed) -> list:
    if agreed is None or len(agreed) == 0:
        return [None] * len(reasons)
    keys = {_reason_key(reason) for reason in agreed}
    return [_reason_key(reason) in keys for reason in reasons]


def _with_targets(counts: pd.DataFrame, targets: pd.DataFrame, params: dict, in_force):
    """The channels' rows with their agreed acceptance rate (the total row: the view's) and
    its status colour; none in a view cut by owner or segment (targets_apply)."""
    rows = targets[(targets["metric"] == "share_mqls_accepted") & targets["channel"].notna()]
    if not targets_apply(params):
        rows = rows.iloc[0:0]
    by_channel = dict(zip(rows["channel"], rows["target_in_period"], strict=True))
    view = view_targets(targets, params).get("share_mqls_accepted")
    wanted = [
        view if is_total else by_channel.get(channel)
        for channel, is_total in zip(counts["channel"], counts["is_total"], strict=True)
    ]
    wanted = [None if blank(target) else float(target) for target in wanted]
    found = [
        status(rate, target, in_force)
        for rate, target in zip(counts["acceptance_rate"], wanted, strict=True)
    ]
    return counts.assign(
        acceptance_target=pd.Series(wanted, index=counts.index, dtype=float),
        target_status=pd.Series([f and f.colour for f in found], index=counts.index, dtype=object),
    )


# How a share stands against its target, by the agreement's status colour.
_STANDING = {"green": "meeting", "amber": "close to", "red": "short of"}


def answers_sentence(total: pd.Series, target: float | None, in_force) -> str | None:
    """How many of the week's MQLs (``total``: mql_quality_by_channel's all-channels row) sales
    answered within the agreed working days, against the agreed share (``target``), and which
    are not judged: rejections, which no export dates, acceptances on no known day, and MQLs
    whose due day is still to come. None when no MQL came in."""
    count_mqls = int(total["count_mqls"])
    if not count_mqls:
        return None
    days = (
        DEFAULT_ANSWER_WITHIN_WORKING_DAYS
        if in_force is None
        else in_force["answer_within_working_days"]
    )
    agreed = f"the agreed {count(int(days), 'working day')}"
    in_time, late, overdue = (
        int(total[column])
        for column in ("count_answered_in_time", "count_answered_late", "count_unanswered_past_due")
    )
    judged = in_time + late + overdue
    said = []
    if judged:
        found = status(in_time / judged, target, in_force)
        against = "" if shown.missing(target) else f", against an agreed {shown.rate(target)}"
        if found:
            against = f", {_STANDING[found.colour]} the agreed {shown.rate(target)}"
        said.append(
            f"Answered within {agreed}: {in_time:,} of the {judged:,} MQLs that can be judged "
            f"({shown.rate(in_time / judged)}){against}; {late:,} accepted later, {overdue:,} "
            "with no answer by their due day."
        )
    rejected = int(total["count_rejected"])
    if rejected:
        them = "the rejected MQL is" if rejected == 1 else f"the {rejected:,} rejected are"
        said.append(f"No export dates a rejection, so {them} not judged.")
    if rest := count_mqls - judged - rejected:
        said.append(
            f"{rest:,} not judged: not due yet, accepted on no known day, or from an upload "
            "without a lead status or SQL column."
        )
    return " ".join(said)


def _quality_unmeasurable(counts: pd.DataFrame, mqls_unknown: str | None) -> str | None:
    total = counts[counts["is_total"]]
    if not len(total) or total["count_mqls"].iloc[0] == 0:
        return mqls_unknown
    if total["count_with_sql_outcome"].iloc[0] == 0:
        return NO_SQL_OUTCOME
    if total["count_with_rejection_data"].iloc[0] == 0:
        return NO_REJECTION_DATA
    return None


def lead_quality(
    query: Query, week: Week, scope: Mapping | None, mqls_unknown: str | None = None
) -> Quality:
    """The week's MQLs by channel (accepted, rejected, pending, acceptance rate against the
    agreed one) and the rejections by reason, each reason flagged when the agreement in force
    does not list it. ``mqls_unknown``: why the week's MQLs cannot be counted (the MQL tile's
    reason), said instead of "no MQL" when none is found."""
    params = scope_params(scope)
    found = query(
        "metrics/mql_quality_by_channel", start_date=week.start, end_date=week.end, **params
    )
    counts = found[found["reason"].isna()]
    reasons = found[found["reason"].notna()]
    in_force = query("metrics/agreement_in_force", end_date=week.end)
    in_force = None if in_force.empty else in_force.iloc[0]
    by_reason = reasons.assign(
        count_rejected=reasons["count_rejected"].astype(int),
        is_agreed_reason=_is_agreed(
            reasons["reason"], None if in_force is None else in_force["rejection_reasons"]
        ),
    )
    targets = query(
        "metrics/targets_in_period",
        start_date=week.start,
        end_date=week.end,
        channels=params["channels"],
    )
    by_channel = _with_targets(counts, targets, params, in_force)
    total = counts[counts["is_total"]]
    agreed = view_targets(targets, params)
    return Quality(
        by_channel=by_channel[list(QUALITY_CHANNEL_COLUMNS)].reset_index(drop=True),
        by_reason=by_reason[list(QUALITY_REASON_COLUMNS)].reset_index(drop=True),
        target=agreed.get("share_mqls_accepted"),
        cannot_measure=_quality_unmeasurable(counts, mqls_unknown),
        answers=(
            answers_sentence(total.iloc[0], agreed.get("share_mqls_answered"), in_force)
            if len(total)
            else None
        ),
    )
