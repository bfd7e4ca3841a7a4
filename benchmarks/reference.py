"""The benchmark's yardstick: each metric computed again with plain pandas, and a comparison.

The ``reference_*`` functions are a yardstick and a second opinion only: the dashboard computes
its metrics in ``queries/metrics/*.sql`` and nowhere else.
"""

from collections.abc import Callable
from datetime import date

import numpy as np
import pandas as pd

from benchmarks.working_time import instant_seconds
from revcycle import settings

RELATIVE_TOLERANCE = 1e-6
STAGES = ("lead", "mql", "sql", "opportunity", "won")
# What each stage's count needs loaded somewhere (the funnel's column that says so per lead,
# or "deals"), else it is unknown when 0, as exports_loaded says in SQL.
STAGE_NEEDS = ("has_lead", "has_mql_data", "has_sql_data", "deals", "deals")
PERCENTILES = {"median": 0.5, "p90": 0.9, "p10": 0.1, "p25": 0.25, "p75": 0.75}


def _filtered(funnel, columns, channels, owners, segments) -> pd.DataFrame:
    """The ``columns`` of the funnel rows the shared filters keep (None keeps everything)."""
    keep = np.ones(len(funnel), dtype=bool)
    for column, values in (("channel", channels), ("owner", owners), ("segment", segments)):
        if values is not None:
            keep &= funnel[column].isin(values).to_numpy()
    return funnel.loc[keep, columns]


def _period(start_date: date, end_date: date) -> tuple[pd.Timestamp, pd.Timestamp]:
    """Both dates included, as the SQL reads them: [start, end + 1 day)."""
    return pd.Timestamp(start_date), pd.Timestamp(end_date) + pd.Timedelta(days=1)


def _total_label(channels) -> str:
    return "(all channels)" if channels is None else "(selected channels)"


def _in_period(stamps: pd.Series, period: tuple[pd.Timestamp, pd.Timestamp]) -> np.ndarray:
    starts_at, ends_before = period
    # NaT compares False, like a null timestamp failing the SQL filter.
    return ((stamps >= starts_at) & (stamps < ends_before)).to_numpy()


def _stage_events(rows: pd.DataFrame, period) -> pd.DataFrame:
    """Whether each funnel row has each stage's event in the period, one column per stage."""
    return pd.DataFrame(
        {
            "lead": rows["has_lead"].to_numpy() & _in_period(rows["created_at"], period),
            "mql": _in_period(rows["mql_at"], period),
            "sql": _in_period(rows["sql_at"], period),
            "opportunity": _in_period(rows["first_deal_created_at"], period),
            "won": _in_period(rows["first_won_at"], period),
        }
    )


def _stage_bases(rows: pd.DataFrame, events: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Per stage, the row flags of each side of its shares: the numerator of the share of the
    previous stage (for_previous), its denominator (previous) and that of the first (first).
    A lead counts only where its upload records the stages compared (has_mql_data ...)."""
    lead = rows["has_lead"].to_numpy(dtype=bool)
    tell_mql = lead & rows["has_mql_data"].fillna(False).to_numpy(dtype=bool)
    tell_sql = lead & rows["has_sql_data"].fillna(False).to_numpy(dtype=bool)
    both = tell_mql & tell_sql
    never = np.zeros(len(rows), dtype=bool)
    column = {stage: events[stage].to_numpy() for stage in STAGES}
    sides = {
        "lead": (never, never, column["lead"]),
        "mql": (column["mql"] & tell_mql, column["lead"] & tell_mql, column["lead"] & tell_mql),
        "sql": (column["sql"] & both, column["mql"] & both, column["lead"] & tell_sql),
        "opportunity": (column["opportunity"] & tell_sql, column["sql"] & tell_sql, column["lead"]),
        "won": (column["won"] & lead, column["opportunity"] & lead, column["lead"]),
    }
    return {
        side: pd.DataFrame({stage: sides[stage][position] for stage in STAGES})
        for position, side in enumerate(("for_previous", "previous", "first"))
    }


CONVERSION_FUNNEL_COLUMNS = [
    "channel",
    "has_lead",
    "has_mql_data",
    "has_sql_data",
    "has_reached_sql",
    "created_at",
    "mql_at",
    "sql_at",
    "first_deal_created_at",
    "first_won_at",
]


def _stages_loaded(funnel: pd.DataFrame) -> np.ndarray:
    """Per stage (STAGES), whether anything loaded can record it: a lead, a lead whose upload
    has the stage's date column, a deal."""
    leads = funnel["has_lead"].to_numpy(dtype=bool)
    has_deals = bool((funnel["count_deals"].to_numpy() > 0).any())
    return np.array(
        [
            has_deals
            if need == "deals"
            else bool((leads & funnel[need].fillna(False).to_numpy(dtype=bool)).any())
            for need in STAGE_NEEDS
        ]
    )


def reference_conversion_by_channel(
    funnel, *, start_date, end_date, channels, owners, segments
) -> pd.DataFrame:
    """pandas version of queries/metrics/conversion_by_channel.sql."""
    rows = _filtered(funnel, CONVERSION_FUNNEL_COLUMNS, channels, owners, segments)
    loaded = _stages_loaded(funnel)
    period = _period(start_date, end_date)
    events = _stage_events(rows, period)
    from_leads = events.mul(rows["has_lead"].to_numpy(dtype=bool), axis=0)
    bases = _stage_bases(rows, events)
    keys = rows["channel"].to_numpy()
    names = [*events.groupby(keys).sum().index, _total_label(channels)]
    is_total = [False] * (len(names) - 1) + [True]
    counts, lead_counts, for_previous, previous, first = (
        np.vstack([frame.groupby(keys).sum().to_numpy(), frame.sum().to_numpy()]).astype(float)
        for frame in (events, from_leads, bases["for_previous"], bases["previous"], bases["first"])
    )
    keep = counts.sum(axis=1) > 0
    names = np.array(names, dtype=object)[keep]
    is_total = np.array(is_total)[keep]
    counts, lead_counts = counts[keep], lead_counts[keep]
    for_previous, previous, first = for_previous[keep], previous[keep], first[keep]
    result = pd.DataFrame(
        {
            "is_total": np.repeat(is_total, len(STAGES)),
            "channel": np.repeat(names, len(STAGES)),
            "stage": np.tile(STAGES, len(counts)),
            "stage_order": np.tile(np.arange(1, len(STAGES) + 1), len(counts)),
            "count_events": counts.ravel().astype("int64"),
            "count_without_lead": (counts - lead_counts).ravel().astype("int64"),
            "count_from_leads": lead_counts.ravel().astype("int64"),
            "count_for_previous": for_previous.ravel().astype("int64"),
            "count_previous": previous.ravel().astype("int64"),
            "count_first": first.ravel().astype("int64"),
            "share_of_previous": (for_previous / np.where(previous == 0, np.nan, previous)).ravel(),
            "share_of_first": (lead_counts / np.where(first == 0, np.nan, first)).ravel(),
            # No event, and no lead of the channel's in the period could record the stage;
            # or nothing loaded at all could (no lead, no upload with the date, no deal).
            "is_unmeasurable": (
                ((counts == 0) & (first == 0) & (counts[:, :1] > 0)) | ((counts == 0) & ~loaded)
            ).ravel(),
        }
    )
    # No customer event, and a won deal of the channel's with no close date may be the period's.
    undated = _undated_win_channels(funnel, end_date, channels, owners, segments)
    result["is_unmeasurable"] |= _count_may_be_wrong(result, "won", undated)
    # No SQL event, and a lead of the channel's of the period reached SQL on no known day.
    result["is_unmeasurable"] |= _count_may_be_wrong(
        result, "sql", _undated_sql_channels(rows, period)
    )
    # An unknown count has unknown shares too.
    result.loc[result["is_unmeasurable"], ["share_of_previous", "share_of_first"]] = np.nan
    result["is_special"] = result["channel"].str.startswith("(")
    return result.sort_values(
        ["is_total", "is_special", "channel", "stage_order"], ignore_index=True
    ).drop(columns="is_special")


# The columns of queries/metrics/follow_up_speed.sql, in its order.
SPEED_COLUMNS = [
    "grouped_by",
    "group_value",
    "count_leads",
    "count_unmeasurable",
    "count_contacted",
    "count_never_contacted",
    "count_contacted_before_created",
    "count_contact_hour_unknown",
    "count_nurture",
    "median_hours_to_first_contact",
    "p90_hours_to_first_contact",
    "p10_hours_to_first_contact",
    "p25_hours_to_first_contact",
    "p75_hours_to_first_contact",
    "count_within_sla",
    "share_within_sla",
]
SPEED_FUNNEL_COLUMNS = [
    "has_lead",
    "created_at",
    "channel",
    "owner",
    "first_contacted_at",
    "hours_to_first_contact",
    "is_contacted_before_created",
    "has_contact_data",
    "follow_up_kind",
    "is_within_agreed_time",
]


def reference_follow_up_speed(
    funnel, *, start_date, end_date, channels, owners, segments
) -> pd.DataFrame:
    """pandas version of queries/metrics/follow_up_speed.sql. ``funnel``'s per-lead follow-up
    columns are pandas' own (benchmarks/working_time.py), recomputed from each lead's times."""
    rows = _filtered(funnel, SPEED_FUNNEL_COLUMNS, channels, owners, segments)
    rows = rows[
        rows["has_lead"].to_numpy() & _in_period(rows["created_at"], _period(start_date, end_date))
    ]
    nurtured = (rows["follow_up_kind"] == "nurture").to_numpy()
    # NaN: never contacted, or before creation; nurtured leads are in no percentile.
    hours = rows["hours_to_first_contact"].where(~nurtured)
    within_sla = rows["is_within_agreed_time"].fillna(False).astype(bool)
    # A lead whose upload had no first-contact column is neither contacted nor not.
    unmeasurable = ~rows["has_contact_data"].astype(bool)
    never_contacted = ~unmeasurable & rows["first_contacted_at"].isna()
    before_created = rows["is_contacted_before_created"].astype(bool)
    nurture = ~unmeasurable & ~before_created & nurtured
    # Contacted on a day the export gives without the hour: no hours, but contacted.
    hour_unknown = (
        rows["first_contacted_at"].notna() & ~before_created & rows["hours_to_first_contact"].isna()
    )
    parts = []
    for grouped_by, keys in (
        ("channel", rows["channel"].to_numpy()),
        ("owner", rows["owner"].to_numpy()),
        ("all", np.full(len(rows), "(all leads)", dtype=object)),
    ):
        groups = hours.groupby(keys)
        summary = pd.DataFrame(
            {
                "count_leads": groups.size(),
                "count_unmeasurable": unmeasurable.groupby(keys).sum(),
                "count_contacted": rows["hours_to_first_contact"].groupby(keys).count(),
                # pandas' default interpolation is linear, like quantile_cont.
                **{
                    f"{label}_hours_to_first_contact": groups.quantile(quantile)
                    for label, quantile in PERCENTILES.items()
                },
                "count_within_sla": within_sla.groupby(keys).sum(),
                "count_judged": rows["is_within_agreed_time"].notna().groupby(keys).sum(),
                "count_never_contacted": never_contacted.groupby(keys).sum(),
                "count_contacted_before_created": before_created.groupby(keys).sum(),
                "count_contact_hour_unknown": hour_unknown.groupby(keys).sum(),
                "count_nurture": nurture.groupby(keys).sum(),
            }
        )
        parts.append(summary.rename_axis("group_value").reset_index().assign(grouped_by=grouped_by))
    result = pd.concat(parts, ignore_index=True)
    judged = result["count_judged"]  # the leads judged, in time or not
    result["share_within_sla"] = result["count_within_sla"] / judged.where(judged > 0)
    result["is_special"] = result["group_value"].str.startswith("(")
    return result.sort_values(["grouped_by", "is_special", "group_value"], ignore_index=True)[
        SPEED_COLUMNS
    ]


REVENUE_COLUMNS = [
    "is_total",
    "channel",
    "won_revenue",
    "count_won_deals",
    "count_won_without_amount",
    "count_won_without_close_date",
    "average_won_deal",
    "win_rate",
    "count_closed_deals",
    "median_days_lead_to_won",
    "count_won_before_lead",
    "open_pipeline",
    "count_open_deals",
    "count_open_without_amount",
    "count_opportunities",
    "count_opportunities_without_outcome",
    "average_sales_cycle_days",
    "count_won_before_created",
    "pipeline_velocity_per_day",
]


def _deal_measures(exploded: pd.DataFrame, start_date: date, end_date: date) -> pd.DataFrame:
    """One row per deal of ``exploded`` (a funnel row per deal): what each adds to the sums."""
    deals = pd.DataFrame.from_records(
        exploded["deals"].tolist(),
        columns=["created_at", "closed_at", "is_won", "is_closed", "amount"],
    )
    period = _period(start_date, end_date)
    amount = deals["amount"].astype("float64")  # Decimal, None -> float, NaN
    closed_at = pd.to_datetime(deals["closed_at"])
    is_closed_in_period = _in_period(closed_at, period)
    # A deal with no stage, won or closed value has both unknown (None): none of won, closed
    # or open.
    is_won_in_period = deals["is_won"].eq(True).to_numpy() & is_closed_in_period
    is_closed = deals["is_closed"].eq(True).to_numpy()
    is_outcome_known = deals["is_closed"].notna().to_numpy()
    deal_created_at = pd.to_datetime(deals["created_at"])
    is_created_in_period = _in_period(deal_created_at, period)
    is_open_from_period = is_outcome_known & ~is_closed & is_created_in_period
    # Real days: the loaded wall times are instants in the data's zone, so the night the
    # clocks go back adds its hour.
    zone = settings.timezone()
    closed_second = instant_seconds(closed_at, zone)
    days_lead_to_won = pd.Series(
        (closed_second - instant_seconds(exploded["created_at"], zone)) / 86_400
    )
    sales_cycle_days = pd.Series((closed_second - instant_seconds(deal_created_at, zone)) / 86_400)
    return pd.DataFrame(
        {
            "won_amount": amount.where(is_won_in_period),
            "is_won": is_won_in_period,
            "is_won_with_amount": is_won_in_period & amount.notna().to_numpy(),
            "is_won_without_amount": is_won_in_period & amount.isna().to_numpy(),
            "is_undated_win": _is_undated_win(deals, end_date),
            "is_closed": is_closed & is_closed_in_period,
            # A duration whose end is before its start is left out, and counted.
            "days_lead_to_won": days_lead_to_won.where(is_won_in_period & (days_lead_to_won >= 0)),
            "is_won_before_lead": is_won_in_period & (days_lead_to_won < 0).to_numpy(),
            "sales_cycle_days": sales_cycle_days.where(is_won_in_period & (sales_cycle_days >= 0)),
            "is_won_before_created": is_won_in_period & (sales_cycle_days < 0).to_numpy(),
            "is_opportunity": is_created_in_period,
            "is_opportunity_without_outcome": is_created_in_period & ~is_outcome_known,
            "open_amount": amount.where(is_open_from_period),
            "is_open": is_open_from_period,
            "is_open_without_amount": is_open_from_period & amount.isna().to_numpy(),
        }
    )


def _is_undated_win(deals: pd.DataFrame, end_date: date) -> np.ndarray:
    """Per deal (created_at, closed_at, is_won): won, no close date, and created by
    ``end_date`` or on a day unknown (queries/macros.sql's is_undated_win)."""
    created_after = pd.to_datetime(deals["created_at"]) >= _period(end_date, end_date)[1]
    return (deals["is_won"].eq(True) & deals["closed_at"].isna() & ~created_after).to_numpy()


def _count_may_be_wrong(result: pd.DataFrame, stage: str, channels: set) -> pd.Series:
    """Per conversion row: a count of 0 of ``stage`` that events of no known day in the row's
    channel (``channels``; any, for the total) may be wrong about."""
    rows = zip(result["channel"], result["is_total"], strict=True)
    may_be = [bool(channels) if total else name in channels for name, total in rows]
    return (result["stage"] == stage) & (result["count_events"] == 0) & np.array(may_be, bool)


def _undated_sql_channels(rows: pd.DataFrame, period) -> set:
    """The channels of the period's leads whose uploads record SQLs that reached SQL on no
    known day (an SQL date, none)."""
    flags = rows[["has_lead", "has_sql_data", "has_reached_sql"]].fillna(False).astype(bool)
    undated = flags.all(axis=1).to_numpy() & rows["sql_at"].isna().to_numpy()
    return set(rows.loc[undated & _in_period(rows["created_at"], period), "channel"])


def _undated_win_channels(funnel, end_date, channels, owners, segments) -> set:
    """The channels of the won deals in scope with no close date that may be won by
    ``end_date``."""
    rows = _filtered(funnel, ["count_deals", "channel", "deals"], channels, owners, segments)
    exploded = rows[rows["count_deals"].to_numpy() > 0].explode("deals", ignore_index=True)
    deals = pd.DataFrame.from_records(
        exploded["deals"].tolist(), columns=["created_at", "closed_at", "is_won", "is_closed"]
    )
    return set(exploded["channel"][_is_undated_win(deals, end_date)])


# The columns summed per channel, each 0 in a total row of no deal.
_SUMMED_REVENUE_COLUMNS = (
    "won_revenue",
    "count_won_deals",
    "count_won_with_amount",
    "count_won_without_amount",
    "count_won_without_close_date",
    "count_closed_deals",
    "count_won_before_lead",
    "count_won_before_created",
    "count_opportunities",
    "count_opportunities_without_outcome",
    "open_pipeline",
    "count_open_deals",
    "count_open_without_amount",
)


def _unknown_sums(result: pd.DataFrame) -> pd.DataFrame:
    """A sum over deals of which none has an amount is unknown (NaN), not 0; so are a
    period's wins when undated ones may be in it and no dated one is."""
    for column, deals, without in (
        ("won_revenue", "count_won_deals", "count_won_without_amount"),
        ("open_pipeline", "count_open_deals", "count_open_without_amount"),
    ):
        unknown = (result[deals] > 0) & (result[without] == result[deals])
        result[column] = result[column].mask(unknown)
    # Undated wins may be the period's: with no dated one, its wins are unknown, not none.
    undated = (result["count_won_deals"] == 0) & (result["count_won_without_close_date"] > 0)
    won = ["won_revenue", "count_won_deals", "count_won_without_amount"]
    result[won] = result[won].astype(float).mask(undated)
    return result


def reference_revenue_by_channel(
    funnel, *, start_date, end_date, channels, owners, segments
) -> pd.DataFrame:
    """pandas version of queries/metrics/revenue_by_channel.sql."""
    in_scope = _filtered(
        funnel, ["count_deals", "channel", "created_at", "deals"], channels, owners, segments
    )
    # A total of zeros is true once deals are loaded and leads in scope came in in the period.
    zeros_are_true = bool((funnel["count_deals"].to_numpy() > 0).any()) and bool(
        _in_period(in_scope["created_at"], _period(start_date, end_date)).any()
    )
    rows = in_scope[in_scope["count_deals"].to_numpy() > 0]
    exploded = rows.explode("deals", ignore_index=True)
    measures = _deal_measures(exploded, start_date, end_date)
    parts = []
    for is_total, keys in (
        (False, exploded["channel"].to_numpy()),
        (True, np.full(len(measures), _total_label(channels), dtype=object)),
    ):
        summary = measures.groupby(keys).agg(
            won_revenue=("won_amount", "sum"),
            count_won_deals=("is_won", "sum"),
            count_won_with_amount=("is_won_with_amount", "sum"),
            count_won_without_amount=("is_won_without_amount", "sum"),
            count_won_without_close_date=("is_undated_win", "sum"),
            count_closed_deals=("is_closed", "sum"),
            median_days_lead_to_won=("days_lead_to_won", "median"),
            count_won_before_lead=("is_won_before_lead", "sum"),
            average_sales_cycle_days=("sales_cycle_days", "mean"),
            count_won_before_created=("is_won_before_created", "sum"),
            count_opportunities=("is_opportunity", "sum"),
            count_opportunities_without_outcome=("is_opportunity_without_outcome", "sum"),
            open_pipeline=("open_amount", "sum"),
            count_open_deals=("is_open", "sum"),
            count_open_without_amount=("is_open_without_amount", "sum"),
        )
        parts.append(summary.rename_axis("channel").reset_index().assign(is_total=is_total))
    result = pd.concat(parts, ignore_index=True)
    if zeros_are_true and not result["is_total"].any():  # no deal in scope: a row of zeros
        zeros = dict.fromkeys(_SUMMED_REVENUE_COLUMNS, 0)
        total = {"channel": _total_label(channels), "is_total": True, **zeros}
        result = pd.concat([result, pd.DataFrame([total])], ignore_index=True)
    result = _unknown_sums(result)
    active = result["count_closed_deals"] + result["count_opportunities"] > 0
    result = result[active | (result["is_total"] & zeros_are_true)].copy()
    # Over the wins with an amount: a win with none is no size.
    result["average_won_deal"] = result["won_revenue"] / result["count_won_with_amount"].replace(
        0, np.nan
    )
    result["win_rate"] = result["count_won_deals"] / result["count_closed_deals"].replace(0, np.nan)
    result["pipeline_velocity_per_day"] = (
        result["count_opportunities"]
        * result["average_won_deal"]
        * result["win_rate"]
        / result["average_sales_cycle_days"].replace(0, np.nan)
    )
    return _in_order(result)


def _in_order(result: pd.DataFrame) -> pd.DataFrame:
    """revenue_by_channel's rows in the query's order: channels by won revenue (an unknown
    one last), the bracketed ones after them, the total row last; its columns in order."""
    result["is_special"] = result["channel"].str.startswith("(")
    return result.sort_values(
        ["is_total", "is_special", "won_revenue", "channel"],
        ascending=[True, True, False, True],
        ignore_index=True,
    )[REVENUE_COLUMNS]


REFERENCES: dict[str, Callable[..., pd.DataFrame]] = {
    "conversion_by_channel": reference_conversion_by_channel,
    "follow_up_speed": reference_follow_up_speed,
    "revenue_by_channel": reference_revenue_by_channel,
}
# The columns that name a row of each metric; the rest are compared as values.
ROW_KEYS: dict[str, list[str]] = {
    "conversion_by_channel": ["is_total", "channel", "stage"],
    "follow_up_speed": ["grouped_by", "group_value"],
    "revenue_by_channel": ["is_total", "channel"],
}


def metric_params(name: str, start_date: date, end_date: date, channels=None) -> dict:
    """The parameters a page binds for metric ``name`` (no owner or segment filter)."""
    params = {
        "start_date": start_date,
        "end_date": end_date,
        "channels": channels,
        "owners": None,
        "segments": None,
    }
    return params


def mismatches(
    name: str,
    duckdb_result: pd.DataFrame,
    pandas_result: pd.DataFrame,
    tolerance: float = RELATIVE_TOLERANCE,
) -> list[str]:
    """How two results of metric ``name`` differ, row by row; empty when they agree.

    Rows are matched by their keys, so row order is not compared.
    """
    if list(duckdb_result.columns) != list(pandas_result.columns):
        return [
            f"{name}: columns differ: {list(duckdb_result.columns)} (DuckDB) vs "
            f"{list(pandas_result.columns)} (pandas)"
        ]
    keys = ROW_KEYS[name]
    left = duckdb_result.set_index(keys).sort_index()
    right = pandas_result.set_index(keys).sort_index()
    problems = [f"{name}: row {key} only in DuckDB" for key in left.index.difference(right.index)]
    problems += [f"{name}: row {key} only in pandas" for key in right.index.difference(left.index)]
    common = left.index.intersection(right.index)
    left, right = left.loc[common], right.loc[common]
    for column in left.columns:
        ours, theirs = left[column].to_numpy(), right[column].to_numpy()
        if pd.api.types.is_numeric_dtype(left[column]):
            same = np.isclose(
                ours.astype(float), theirs.astype(float), rtol=tolerance, atol=0, equal_nan=True
            )
        else:
            same = ours == theirs
        problems += [
            f"{name}: row {key}, {column}: DuckDB {a!r}, pandas {b!r}"
            for key, a, b in zip(common[~same], ours[~same], theirs[~same], strict=True)
        ]
    return problems
