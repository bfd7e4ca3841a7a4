"""The leak finder: where the funnel lost this week beyond chance, and what the loss costs.

For each channel and step, the share of the recent cohort that took the next step is tested
against the same channel's baseline cohort (queries/metrics/step_conversion_by_channel.sql
sets the cohorts, their windows and maturity). The test is a one-sided Fisher exact test on
the two proportions, corrected for testing many channel × step pairs at once by Holm's method,
so a week of pure noise over many channels flags nothing. Flagged drops are ranked by their
expected cost: the conversions lost times what one conversion at that step went on to bring in
the channel's baseline, in revenue (when every amount is in one currency) or opportunities.
"""

import math
from collections.abc import Callable, Mapping
from datetime import date
from typing import NamedTuple

import pandas as pd

from revcycle import settings
from revcycle.meeting.numbers import NO_LEADS
from revcycle.meeting.week import Week

STEPS = (("lead", "mql"), ("mql", "sql"), ("sql", "opportunity"), ("opportunity", "won"))

# The chance of flagging anything at all in a week where nothing changed (family-wise).
FAMILY_ALPHA = 0.05

STAGE_WORDS = {
    "lead": "lead",
    "mql": "MQL",
    "sql": "SQL",
    "opportunity": "opportunity",
    "won": "won",
}

ENTRANTS = {"lead": "leads", "mql": "MQLs", "sql": "SQLs", "opportunity": "opportunities"}

# Why a step with no measurable entrant but some unmeasured ones cannot be measured.
UNMEASURABLE = {
    "lead": "the uploads do not record when these leads became MQLs",
    "mql": "the uploads do not record when these leads became MQLs or SQLs",
    "sql": "the uploads do not record when these leads became SQLs",
}

STEP_QUERY = "metrics/step_conversion_by_channel"
SCOPE_KEYS = ("channels", "owners", "segments")

Query = Callable[..., pd.DataFrame]


class Leak(NamedTuple):
    """One flagged drop: a channel's step converted less in the recent cohort than in its
    baseline, beyond chance."""

    channel: str
    step_from: str
    step_to: str
    recent_rate: float
    recent_entered: int
    baseline_rate: float
    baseline_entered: int
    recent_low: float
    recent_high: float
    baseline_low: float
    baseline_high: float
    p_value: float | None  # Holm-adjusted: compare it with FAMILY_ALPHA as it is
    expected_cost: float
    cost_unit: str  # "opportunities" | "revenue"
    words: str  # "Paid search MQL → SQL fell from 41% to 22%"
    # The step's own weeks: later steps need longer to mature, so theirs lie further back.
    recent: tuple[date, date] | None = None
    baseline: tuple[date, date] | None = None


class LeakReport(NamedTuple):
    """Everything the leak section and the pack show: the flagged drops, every comparison made,
    and the test stated in words."""

    flagged: list[Leak]  # ranked, costliest first
    checked: pd.DataFrame  # every channel × step compared, with rates, intervals, flagged
    method: str  # the stated test, one or two sentences for the page and the pack
    recent: tuple[date, date]  # the lead → MQL step's recent weeks (the freshest)
    baseline: tuple[date, date]  # and its baseline weeks
    currency: str | None = None  # of expected_cost when cost_unit is "revenue"; None if unknown
    # Why no step can be compared at all (no leads export is loaded, or no step has a cohort on
    # both sides that records its dates): no leak is then no news.
    cannot_measure: str | None = None


def find_leaks(query: Query, week: Week, scope: Mapping | None = None) -> LeakReport:
    """The leaks of ``week`` within ``scope`` (channels, owners, segments: lists or None):
    the cohorts matured by the end of its Sunday (or the data's latest event, if earlier)."""
    params = {key: _as_list((scope or {}).get(key)) for key in SCOPE_KEYS}
    rows = query(STEP_QUERY, end_date=week.end, **params)
    money = query("metrics/amount_currencies", default_currency=settings.currency()).iloc[0]
    # Revenue only when every amount is in one currency: several are never added.
    is_revenue = int(money["count_currencies"]) == 1
    flagged, checked = compare(rows, cost_unit="revenue" if is_revenue else "opportunities")
    first_step = rows[rows["step_from"] == STEPS[0][0]].iloc[0]
    return LeakReport(
        flagged=flagged,
        checked=checked,
        method=describe(checked, rows),
        recent=(_day(first_step["recent_start_date"]), _day(first_step["recent_end_date"])),
        baseline=(_day(first_step["baseline_start_date"]), _day(first_step["baseline_end_date"])),
        currency=money["currency"] if is_revenue and isinstance(money["currency"], str) else None,
        cannot_measure=_cannot_compare(query, checked),
    )


NOTHING_TO_COMPARE = (
    "No step of the funnel had leads in both the recent and the baseline weeks whose uploads "
    "record its dates, so no drop can be told."
)


def _cannot_compare(query: Query, checked: pd.DataFrame) -> str | None:
    """Why no step could be tested (no leads export, or no cohort on both sides): "no step
    dropped" would then be good news about nothing."""
    if not query("metrics/data_freshness").iloc[0]["has_leads"]:
        return NO_LEADS
    return None if checked["is_tested"].any() else NOTHING_TO_COMPARE


COUNT_COLUMNS = ("recent_converted", "recent_entered", "baseline_converted", "baseline_entered")


def compare(
    rows: pd.DataFrame, cost_unit: str = "opportunities", alpha: float = FAMILY_ALPHA
) -> tuple[list[Leak], pd.DataFrame]:
    """Test every channel × step of ``rows`` (the columns of step_conversion_by_channel) and
    return the flagged drops, costliest first, and the rows with the test's columns added:
    ``p_value`` (one-sided, raw), ``adjusted_p_value`` (Holm), ``is_tested``, ``is_flagged``,
    ``not_tested_reason``, ``value_per_conversion``, ``expected_cost``, ``cost_unit``."""
    if cost_unit not in ("opportunities", "revenue"):
        raise ValueError(f"The cost unit must be opportunities or revenue, not {cost_unit!r}.")
    checked = rows[rows["channel"].notna()].reset_index(drop=True).copy()
    checked["is_tested"] = (checked["recent_entered"] > 0) & (checked["baseline_entered"] > 0)
    records = checked.to_dict("records")  # plain dicts: a few dozen rows, read field by field
    checked["not_tested_reason"] = [_not_tested_reason(row) for row in records]
    tails = drop_p_value(*(checked[column].to_numpy(dtype=float) for column in COUNT_COLUMNS))
    checked["p_value"] = pd.Series(tails, dtype=object).where(checked["is_tested"], None)
    checked["adjusted_p_value"] = holm(checked["p_value"].tolist())
    is_drop = checked["recent_rate"] < checked["baseline_rate"]
    checked["is_flagged"] = (
        checked["is_tested"] & is_drop & (checked["adjusted_p_value"].fillna(1.0) <= alpha)
    )
    checked["value_per_conversion"] = conversion_values(checked, cost_unit)
    lost = checked["recent_entered"] * (checked["baseline_rate"] - checked["recent_rate"])
    checked["expected_cost"] = (lost.where(is_drop, 0.0) * checked["value_per_conversion"]).fillna(
        0.0
    )
    checked["cost_unit"] = cost_unit
    ranked = checked[checked["is_flagged"]].sort_values(
        ["expected_cost", "adjusted_p_value"], ascending=[False, True]
    )
    return [_leak(row) for row in ranked.itertuples()], checked


def _not_tested_reason(row: dict) -> str | None:
    recent, baseline = row["recent_entered"], row["baseline_entered"]
    if recent > 0 and baseline > 0:
        return None
    unmeasured = row["count_recent_unmeasured"] + row["count_baseline_unmeasured"]
    if unmeasured and not (recent or baseline):
        return f"cannot be measured: {UNMEASURABLE[row['step_from']]}"
    entrants = ENTRANTS[row["step_from"]]
    if recent == 0 and baseline == 0:
        return f"no {entrants} in the recent or the baseline weeks"
    return f"no {entrants} in the {'recent' if recent == 0 else 'baseline'} weeks"


def drop_p_value(recent_converted, recent_entered, baseline_converted, baseline_entered):
    """One-sided Fisher exact test: the chance that the recent cohort converts this few or fewer,
    if both cohorts convert alike (given the conversions of both together): the hypergeometric
    distribution's lower tail. Counts or arrays of counts (a float, or an array of them)."""
    # Imported here: scipy.stats takes about a second to import, paid only by the leak finder.
    import numpy as np
    from scipy.stats import hypergeom

    total = np.add(recent_entered, baseline_entered)
    converted = np.add(recent_converted, baseline_converted)
    tail = np.clip(hypergeom.cdf(recent_converted, total, converted, recent_entered), 0.0, 1.0)
    return float(tail) if np.ndim(tail) == 0 else tail


def holm(p_values: list[float | None]) -> list[float | None]:
    """Holm's step-down adjustment of the p-values (None, not tested, stays None): compared with
    alpha as they are, they keep the chance of any false flag among them at alpha."""
    order = sorted(
        (index for index, p in enumerate(p_values) if p is not None and not math.isnan(p)),
        key=lambda index: p_values[index],
    )
    adjusted: list[float | None] = [None] * len(p_values)
    running = 0.0
    for rank, index in enumerate(order):
        running = max(running, min(1.0, (len(order) - rank) * p_values[index]))
        adjusted[index] = running
    return adjusted


def conversion_values(checked: pd.DataFrame, cost_unit: str) -> pd.Series:
    """What one conversion into each row's ``step_to`` went on to bring in the channel's
    baseline. In revenue: a win its revenue per win; an opportunity the baseline share of
    opportunities won times that; an SQL the share of SQLs that became opportunities times the
    opportunity's value; an MQL likewise. In opportunities: an opportunity is one, a lost win
    counts as one lost opportunity, and SQLs and MQLs as above. Where a channel had no baseline
    entrants at a later step, all channels' share together stands in."""
    totals = _baseline_totals(checked)
    pooled = _shares(totals, None)
    values = {}
    for channel in checked["channel"].unique():
        shares = pooled | _shares(totals, channel)
        value = (
            {"won": shares.get("win", math.nan)}
            if cost_unit == "revenue"
            else {"won": 1.0, "opportunity": 1.0}
        )
        for step_from, step_to in reversed(STEPS):
            # A share nobody measured leaves the value unknown (nan): the cost is then 0, unranked.
            value.setdefault(step_from, shares.get(step_from, math.nan) * value[step_to])
        values |= {(channel, stage): amount for stage, amount in value.items()}
    return pd.Series(
        [
            values.get(key, math.nan)
            for key in zip(checked["channel"], checked["step_to"], strict=True)
        ],
        index=checked.index,
        dtype=float,
    )


def _baseline_totals(checked: pd.DataFrame) -> dict:
    """{(channel or None for all, step_from): [entered, converted, won revenue]} of the
    baseline. Plain sums: a handful of rows, where pandas' grouping costs more than it saves."""
    totals: dict = {}
    for row in checked.to_dict("records"):
        for key in ((row["channel"], row["step_from"]), (None, row["step_from"])):
            total = totals.setdefault(key, [0, 0, 0.0])
            total[0] += int(row["baseline_entered"])
            total[1] += int(row["baseline_converted"])
            total[2] += float(row["baseline_won_revenue"])
    return totals


def _shares(totals: dict, channel: str | None) -> dict[str, float]:
    """The baseline share converted at each step of ``channel`` (None: all together), and under
    "win" the revenue per baseline win; a step with no entrants is left out."""
    shares = {
        step: converted / entered
        for (of_channel, step), (entered, converted, _) in totals.items()
        if of_channel == channel and entered > 0
    }
    _, won, revenue = totals.get((channel, "opportunity"), (0, 0, 0.0))
    if won > 0:
        shares["win"] = revenue / won
    return shares


def _leak(row) -> Leak:
    return Leak(
        channel=row.channel,
        step_from=row.step_from,
        step_to=row.step_to,
        recent_rate=float(row.recent_rate),
        recent_entered=int(row.recent_entered),
        baseline_rate=float(row.baseline_rate),
        baseline_entered=int(row.baseline_entered),
        recent_low=float(row.recent_low),
        recent_high=float(row.recent_high),
        baseline_low=float(row.baseline_low),
        baseline_high=float(row.baseline_high),
        p_value=float(row.adjusted_p_value),
        expected_cost=float(row.expected_cost),
        cost_unit=row.cost_unit,
        words=leak_words(
            row.channel, row.step_from, row.step_to, row.baseline_rate, row.recent_rate
        ),
        recent=(_day(row.recent_start_date), _day(row.recent_end_date)),
        baseline=(_day(row.baseline_start_date), _day(row.baseline_end_date)),
    )


def leak_words(
    channel: str, step_from: str, step_to: str, baseline_rate: float, recent_rate: float
) -> str:
    """ "Paid search MQL → SQL fell from 41% to 22%": whole percents, or tenths when whole
    percents would read the same."""
    digits = 0 if round(baseline_rate * 100) != round(recent_rate * 100) else 1
    return (
        f"{channel} {STAGE_WORDS[step_from]} → {STAGE_WORDS[step_to]} fell from "
        f"{baseline_rate:.{digits}%} to {recent_rate:.{digits}%}"
    )


def describe(checked: pd.DataFrame, rows: pd.DataFrame) -> str:
    """The test in words, with the windows, maturity and number of comparisons of ``rows``."""
    steps = rows.drop_duplicates("step_from").sort_values("step_order")
    first = steps.iloc[0]
    recent_weeks = (_day(first.recent_end_date) - _day(first.recent_start_date)).days // 7 + 1
    baseline_weeks = (_day(first.baseline_end_date) - _day(first.baseline_start_date)).days // 7 + 1
    maturity = ", ".join(
        f"{step.maturity_days} days for {STAGE_WORDS[step.step_from]} → {STAGE_WORDS[step.step_to]}"
        for step in steps.itertuples()
    )
    count_tested = int(checked["is_tested"].sum()) if len(checked) else 0
    return (
        f"Each channel's conversion at each step, for those who entered the step in the "
        f"{recent_weeks} latest weeks that have had time to convert ({maturity}), is compared "
        f"with the same channel's {baseline_weeks} weeks before by a one-sided Fisher exact "
        f"test. A drop is flagged only when it stays significant at {FAMILY_ALPHA:.0%} after "
        f"Holm's correction over all {count_tested} comparisons, and flagged drops are ranked "
        "by expected cost: the conversions lost times what one went on to bring in the "
        "baseline."
    )


def _day(value) -> date:
    return pd.Timestamp(value).date()


def _as_list(values) -> list | None:
    return None if values is None else list(values)
