"""Cost and return per channel for a period and the sidebar's scope: the one place the Revenue
page, the Overview and the ``roi`` command get these figures from.

- Spend: queries/metrics/spend_by_channel.sql, the days of the period.
- Leads, MQLs, SQLs, opportunities and new customers: conversion_by_channel's events in the
  period, the same counts the overview and the conversion page show, in either mode.
- Won revenue and pipeline: what a model credits each channel (revcycle.attribution.report),
  or the deal's lead source, as the revenue page credits it (in the same period, its own
  revenue_by_channel figures). In the same period (default): deals won in the period, and deals
  created in it and still open. As a cohort: the deals of the
  leads created in the period, won (or open) at any time since.
- Payback: months from the period's first day to the day the won revenue credited to the
  channel from the period's leads (the cohort, whichever mode is shown) first reaches the
  period's spend; "not yet" when it has not by the data's last day.

A channel with no spend has "no spend recorded" (its spend and ratios missing, never 0); a
ratio whose denominator is zero is missing too, and a note says why. ``query`` is how the
caller runs a named query, as in revcycle.attribution.report.
"""

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from revcycle import deal_gaps, filter_values
from revcycle.attribution import report as attribution
from revcycle.attribution.models import MODEL_NAMES as ATTRIBUTION_MODEL_NAMES
from revcycle.attribution.models import MODEL_SENTENCES as ATTRIBUTION_MODEL_SENTENCES
from revcycle.attribution.models import MODELS as ATTRIBUTION_MODELS
from revcycle.roi.currency import (
    UNSTATED,
    SpendMoney,
    currency_refusals,
    several_currencies_notes,
    spend_money,
)

LEAD_SOURCE = "lead_source"
MODELS = (LEAD_SOURCE, *ATTRIBUTION_MODELS)
MODEL_NAMES = {LEAD_SOURCE: "Lead source (as revenue by channel)", **ATTRIBUTION_MODEL_NAMES}
MODEL_SENTENCES = {
    LEAD_SOURCE: "The whole deal goes to the channel of its lead's source (a deal with no lead: "
    "its own source), as the revenue by channel credits it.",
    **ATTRIBUTION_MODEL_SENTENCES,
}
NO_SPEND = "no spend recorded"
NOT_YET = "not yet"
TOTAL = "(channels with spend)"
# Every source no channel rule names (queries/marts/funnel_revenue.sql): a bucket, no channel.
UNMAPPED = "(unmapped)"
UNMAPPED_NOTE = (
    f"{UNMAPPED} gathers every source no channel rule names, so its spend and its revenue need "
    "not come from the same sources: no cost or return is worked out for it, and it is not in "
    f"{TOTAL}. Add channel rules for those sources (on the Upload page, or load --channel-map)."
)
DAYS_PER_MONTH = 365.25 / 12
# conversion_by_channel's stage: the count's column, its cost's column, the cost's name, and
# what is counted.
COSTS = {
    "lead": ("count_leads", "cost_per_lead", "cost per lead", "leads"),
    "mql": ("count_mqls", "cost_per_mql", "cost per MQL", "MQLs"),
    "sql": ("count_sqls", "cost_per_sql", "cost per SQL", "SQLs"),
    "opportunity": (
        "count_opportunities",
        "cost_per_opportunity",
        "cost per opportunity",
        "opportunities",
    ),
    "won": ("count_new_customers", "cac", "CAC", "new customers"),
}
COUNT_COLUMNS = [count for count, *_ in COSTS.values()]
DEAL_STAGES = ("opportunity", "won")  # COSTS' stages that a deals export counts
LEAD_STAGES = ("lead", "mql", "sql")  # those that a leads export counts
RATIO_COLUMNS = [
    *(cost for _, cost, *_ in COSTS.values()),
    "won_per_spent",
    "pipeline_per_spent",
    "roi",
    "payback_months",
]
COLUMNS = [
    "channel",
    "is_total",
    "has_spend",
    "spend_cents",
    # The spend's (a channel without spend: its won revenue's); None where the spend has
    # several, or none is stated nor set.
    "currency",
    "is_spend_mixed",  # the spend is in several currencies: not added, no cost or return
    # Its won revenue is in its currency (and stands beside its spend): ROAS, ROI, payback.
    "is_returnable",
    *COUNT_COLUMNS,
    "won_cents",  # missing where unknown (no amounts) or credited in several currencies
    # The won revenue's currency (None: none stated), of how many (0: no deal credited).
    "won_currency",
    "count_won_currencies",
    "won_currencies_listed",  # "EUR and USD" where several
    "pipeline_cents",  # missing, too, where it is not in the row's currency
    *RATIO_COLUMNS,
    "payback",
]


@dataclass(frozen=True)
class Figures:
    rows: pd.DataFrame  # COLUMNS: one row per channel, then the total of the channels with spend
    refusals: tuple[str, ...]  # why kinds of figure are withheld (currencies, filters)
    notes: tuple[str, ...]  # why single figures are missing, a sentence each
    money: SpendMoney


def _scope(scope) -> dict:
    scope = scope or {}
    return {name: scope.get(name) for name in ("channels", "owners", "segments")}


def deal_credits(
    query, model, basis, start, end, scope=None, cohort=False, default_currency=None
) -> pd.DataFrame:
    """Each deal's credit per channel under ``model``, with the moment the deal converted and
    its currency (else ``default_currency``): deal_id, channel, credit_cents, credit_share,
    converted_at, currency, and has_amount when some deal has no amount
    (attribution.deal_credit). Not narrowed by channel."""
    if model not in MODELS:
        raise ValueError(f"There is no model {model!r}; the models: {', '.join(MODELS)}.")
    touches = attribution.journeys(query, basis, start, end, scope, cohort=cohort)
    used = model
    if model == LEAD_SOURCE:
        # One touch per deal, its lead source: first touch then credits the whole deal to it.
        first = touches[touches["position"] == 0]
        touches, used = first.assign(channel=first["lead_source_channel"]), "first"
    credits = attribution.deal_credit(query, touches, (used,), basis, start, end, scope)[used]
    converted = touches.drop_duplicates("deal_id")[["deal_id", "converted_at", "currency"]]
    credits = credits.merge(converted, on="deal_id", how="left")
    if default_currency:
        credits["currency"] = credits["currency"].fillna(default_currency)
    return credits


def credited_in_one_currency(credits: pd.DataFrame, scope=None) -> pd.DataFrame:
    """Per channel in scope, the cents its deals' ``credits`` give it, in one currency
    (in_one_currency); cents missing for a channel credited only deals without an amount."""
    known = credits["has_amount"] if "has_amount" in credits else True
    rows = credits.assign(cents=credits["credit_cents"].astype("int64"), known=known)
    summed = rows.groupby(["channel", "currency"], dropna=False, as_index=False).agg(
        cents=("cents", "sum"), known=("known", "any")
    )
    channels = _scope(scope)["channels"]
    if channels is not None:
        summed = summed[summed["channel"].isin(channels)]
    return in_one_currency(summed.assign(cents=summed["cents"].where(summed["known"])))


def in_one_currency(rows: pd.DataFrame) -> pd.DataFrame:
    """Per channel (indexed by it), from ``rows`` of channel, currency, cents (missing where
    unknown): cents (Int64; missing where every amount is unknown, or the known amounts are in
    several currencies, which are never added), currency (the one, None when none is stated),
    count_currencies and currencies_listed ("EUR and USD"). ``rows`` has a row per channel
    and currency, a handful: a loop over them takes a fraction of pandas' groupby."""
    cents: dict[str, int | None] = {}
    codes: dict[str, set] = {}
    for channel, currency, amount in rows[["channel", "currency", "cents"]].itertuples(False):
        cents.setdefault(channel, None)
        codes.setdefault(channel, set())
        if pd.notna(amount):
            cents[channel] = (cents[channel] or 0) + int(amount)
            codes[channel].add(currency if isinstance(currency, str) else UNSTATED)
    one = {
        channel: next(iter(found)) if len(found) == 1 else None for channel, found in codes.items()
    }
    return pd.DataFrame(
        {
            "cents": pd.array(
                [cents[c] if len(codes[c]) <= 1 else None for c in cents], dtype="Int64"
            ),
            "currency": [None if one[c] == UNSTATED else one[c] for c in cents],
            "count_currencies": [len(codes[c]) for c in cents],
            "currencies_listed": [" and ".join(sorted(codes[c])) or None for c in cents],
        },
        index=pd.Index(list(cents), name="channel", dtype=object),
    )


def unloaded_counts(query, rows: pd.DataFrame) -> None:
    """Mark unknown, in ``rows``, the counts of an export not loaded at all: a channel with
    spend and no lead in a database with no leads export had "0 leads", as if it had none."""
    loaded = query("metrics/data_freshness").iloc[0]
    for kind, stages in (("leads", LEAD_STAGES), ("deals", DEAL_STAGES)):
        if not loaded[f"has_{kind}"]:
            for stage in stages:
                rows[COSTS[stage][0]] = pd.array([pd.NA] * len(rows), dtype="Int64")


def stage_counts(query, start: date, end: date, scope=None) -> pd.DataFrame:
    """Per channel, conversion_by_channel's events in the period: COUNT_COLUMNS, indexed by
    channel. A stage the channel's uploads cannot tell (no MQL or SQL date column for any of
    its leads, or no deals export for opportunities and customers) is missing, never 0."""
    events = query("metrics/conversion_by_channel", start_date=start, end_date=end, **_scope(scope))
    events = events[~events["is_total"].astype(bool)]
    counts = events.pivot(index="channel", columns="stage", values="count_events")
    untold = events.pivot(index="channel", columns="stage", values="is_unmeasurable")
    counts = counts.reindex(columns=list(COSTS), fill_value=0).fillna(0).astype("Int64")
    for stage in counts.columns.intersection(untold.columns):
        counts[stage] = counts[stage].mask(untold[stage].fillna(False).astype(bool))
    counts.columns = [COSTS[stage][0] for stage in counts.columns]
    return counts.rename_axis("channel")


def spend_by_channel(query, start: date, end: date, scope=None, default_currency=None):
    """Per channel with spend in the period (a DataFrame indexed by channel): spend_cents
    (missing where it is in several currencies), currency, is_spend_mixed, currencies_listed."""
    spend = query(
        "metrics/spend_by_channel",
        start_date=start,
        end_date=end,
        channels=_scope(scope)["channels"],
        default_currency=default_currency,
    )
    columns = ["spend_cents", "currency", "is_spend_mixed", "currencies_listed"]
    return spend.set_index("channel")[columns].astype({"spend_cents": "Int64"})


def per_channel(
    query,
    model: str,
    start: date,
    end: date,
    scope=None,
    *,
    cohort: bool = False,
    default_currency: str | None = None,
    brief: bool = False,
) -> Figures:
    """Spend, counts, credited revenue and pipeline, and every ratio, per channel. ``brief``:
    only what the Overview's tiles need, without the pipeline and payback (left missing)."""
    money = spend_money(query, default_currency)
    rows = _joined(
        spend_by_channel(query, start, end, scope, default_currency),
        *_credited(query, model, start, end, scope, cohort, brief, default_currency),
        stage_counts(query, start, end, scope),
    )
    unloaded_counts(query, rows)
    cost_refused = _narrowed(scope)
    _judge_currencies(rows, money, refused=bool(cost_refused or money.return_refused))
    total, total_refused = _total(rows)
    rows = pd.concat([rows, total], ignore_index=True)
    bucket = rows["channel"] == UNMAPPED
    channels = rows[~rows["is_total"]]
    refusals = [cost_refused, money.return_refused, *currency_refusals(channels, money)]
    notes = [*_no_spend_notes(rows, money), *several_currencies_notes(channels)]
    notes += _costs(rows, cost_refused)
    notes += _returns(rows)
    if money.has_spend and not brief:
        notes += _without_amount(query, start, end, scope, cohort)
    rows["payback_months"] = np.nan
    rows["payback"] = None
    if not brief and rows["is_returnable"].any():
        # Payback always follows the period's leads: the cohort's won deals.
        credits = deal_credits(query, model, "revenue", start, end, scope, True, default_currency)
        notes += _payback(rows, credits, start)
    if model == LEAD_SOURCE:
        notes += _not_lead_sources(query, rows)
    if not cohort:
        notes += _undated_wins(query, rows, end, scope)
    if (bucket & rows["has_spend"]).any():
        rows.loc[bucket, RATIO_COLUMNS] = np.nan
        rows.loc[bucket, "payback"] = None
        notes.append(UNMAPPED_NOTE)
    refusals = [sentence for sentence in [*refusals, total_refused] if sentence]
    return Figures(rows[COLUMNS], tuple(dict.fromkeys(refusals)), tuple(notes), money)


# No credit at all (in_one_currency of no rows).
_NO_CREDIT = pd.DataFrame(
    {"cents": [], "currency": [], "count_currencies": [], "currencies_listed": []},
    index=pd.Index([], name="channel"),
)
# revenue_by_currency's deals counted, and their sum, for each basis.
_PAGE_SUMS = {
    "revenue": ("count_won_deals", "won_revenue"),
    "pipeline": ("count_open_deals", "open_pipeline"),
}


def _credited(query, model, start, end, scope, cohort, brief, default_currency) -> tuple:
    """Per channel, the won revenue and the pipeline (None when ``brief``) credited, each in
    one currency (in_one_currency)."""
    bases = ("revenue",) if brief else ("revenue", "pipeline")
    if model == LEAD_SOURCE and not cohort:
        # The revenue page's own figures: revenue_by_currency credits each deal to its
        # channel, as revenue_by_channel does, currency by currency.
        revenue = query(
            "metrics/revenue_by_currency",
            start_date=start,
            end_date=end,
            default_currency=default_currency,
            **_scope(scope),
        )
        revenue = revenue[~revenue["is_total"].astype(bool)]
        credited = []
        for basis in bases:
            count, column = _PAGE_SUMS[basis]
            cents = (revenue[column].astype(float) * 100).round().astype("Int64")
            rows = revenue[["channel", "currency"]].assign(cents=cents)
            credited.append(in_one_currency(rows[revenue[count] > 0]))
    else:
        credited = [
            credited_in_one_currency(
                deal_credits(query, model, basis, start, end, scope, cohort, default_currency),
                scope,
            )
            for basis in bases
        ]
    return credited[0], None if brief else credited[1]


def _narrowed(scope) -> str | None:
    """Why costs cannot be given under an owner or segment filter, or None."""
    chosen = _scope(scope)
    if chosen["owners"] is None and chosen["segments"] is None:
        return None
    return (
        "Spend is recorded per channel and campaign, not per owner or segment: with an owner "
        "or segment filter, costs and returns would set a channel's whole spend against part "
        "of its leads, so they are not shown."
    )


def _joined(spend, won, pipeline, counts) -> pd.DataFrame:
    """One row per channel with spend, events or credit: missing counts and credit are 0 (the
    channel had none), except a stage its uploads cannot tell, which stays missing."""
    index = spend.index.union(counts.index)
    for frame in (won, pipeline):
        index = index.union(frame.index) if frame is not None else index
    rows = spend.reindex(index).join(counts)
    without_events = ~rows.index.isin(counts.index)
    for column in COUNT_COLUMNS:
        rows[column] = rows[column].astype("Int64").mask(without_events, 0)
    credit = [_credit_columns(index, "won", won), _credit_columns(index, "pipeline", pipeline)]
    rows = pd.concat([rows, *credit], axis=1)
    rows = rows.rename_axis("channel").reset_index()
    rows["has_spend"] = rows["is_spend_mixed"].notna()  # a row from spend_by_channel
    rows["is_spend_mixed"] = rows["is_spend_mixed"].fillna(False).astype(bool)
    rows["is_total"] = False
    order = rows.assign(is_bracketed=rows["channel"].str.startswith("("))
    order = order.sort_values(
        ["has_spend", "is_bracketed", "spend_cents", "channel"],
        ascending=[False, True, False, True],
    )
    return rows.loc[order.index].reset_index(drop=True)


def _credit_columns(index: pd.Index, basis: str, credit: pd.DataFrame | None) -> pd.DataFrame:
    """Per channel of ``index``, its ``basis`` credit (in_one_currency's, by channel) as
    columns: {basis}_cents, {basis}_currency, count_{basis}_currencies and
    {basis}_currencies_listed. A channel not credited has 0 in no currency; credit not asked
    for (``credit`` None: the pipeline, for the Overview) is missing, never 0, and so is a
    channel's credit that is unknown (its deals have no amount, or several currencies)."""
    given = credit if credit is not None else _NO_CREDIT
    found = given.reindex(index)
    cents = found["cents"].mask(~index.isin(given.index), 0)
    if credit is None:
        cents = pd.Series(pd.NA, index=index)
    return pd.DataFrame(
        {
            f"{basis}_cents": pd.array(cents, dtype="Int64"),
            f"{basis}_currency": _or_none(found["currency"]),
            f"count_{basis}_currencies": found["count_currencies"].fillna(0).astype(int),
            f"{basis}_currencies_listed": _or_none(found["currencies_listed"]),
        },
        index=index,
    )


def _or_none(values: pd.Series) -> pd.Series:
    """The values as Python objects, None where missing (never NaN, which is no text)."""
    return values.astype(object).where(values.notna(), None)


def _judge_currencies(rows: pd.DataFrame, money: SpendMoney, refused: bool) -> None:
    """Whether each channel's won revenue is in its currency (is_returnable; with spend, the
    spend's, set against it; without, its won revenue's, shown in it), and its pipeline
    missing where it is not. A channel credited no deal is judged by the deals' one currency,
    or, when they have several, has won nothing in any currency."""
    without_spend = ~rows["has_spend"]
    rows["currency"] = _or_none(rows["currency"])
    for basis in ("won", "pipeline"):
        # For no deal credited: the deals' one currency, or the row's when they have several
        # (its spend's; a channel without spend, its won revenue's, set first).
        fallback = rows["currency"]
        if not money.is_deals_mixed:
            fallback = pd.Series(money.deals_currency, index=rows.index, dtype=object)
        uncredited = rows[f"count_{basis}_currencies"] == 0
        rows[f"{basis}_currency"] = rows[f"{basis}_currency"].mask(uncredited, fallback)
        if basis == "won":
            rows["currency"] = rows["currency"].mask(without_spend, rows["won_currency"])
    spend_code = rows["currency"].fillna(UNSTATED)

    def beside(basis: str) -> pd.Series:
        same = rows[f"{basis}_currency"].fillna(UNSTATED) == spend_code
        return same & (rows[f"count_{basis}_currencies"] <= 1)

    rows["is_returnable"] = ~rows["is_spend_mixed"] & beside("won") & (not refused)
    rows["pipeline_cents"] = rows["pipeline_cents"].mask(~beside("pipeline"))


def _total(rows: pd.DataFrame) -> tuple[pd.DataFrame, str | None]:
    """One row summing the channels with spend: paid marketing as a whole; and why it adds no
    spend up, if so (their spend is in several currencies). A count that some of them cannot
    tell is missing from the total too; its return is there when each of them has one."""
    paid = rows[rows["has_spend"] & (rows["channel"] != UNMAPPED)]
    codes = paid["currency"].where(paid["currency"].notna(), None)
    is_mixed = bool(paid["is_spend_mixed"].any()) or codes.nunique(dropna=False) > 1
    total = {"channel": TOTAL, "is_total": True, "has_spend": not paid.empty}
    total["is_spend_mixed"] = is_mixed
    total["currency"] = None if is_mixed or paid.empty else codes.iloc[0]
    total["is_returnable"] = not (is_mixed or paid.empty) and bool(paid["is_returnable"].all())
    total["won_currency"] = total["currency"]
    total["count_won_currencies"] = 1
    total["won_currencies_listed"] = None
    # No channel with spend: nothing to sum, not 0.
    total["spend_cents"] = pd.NA if is_mixed or paid.empty else int(paid["spend_cents"].sum())
    for column in COUNT_COLUMNS:
        total[column] = paid[column].sum(skipna=False) if not paid.empty else pd.NA
    for column in ("won_cents", "pipeline_cents"):
        # A channel's unknown credit (its deals have no amount) is left out, as the won
        # revenue leaves such deals out everywhere (the notes say how many); all unknown: NA.
        total[column] = paid[column].sum(min_count=1) if not paid.empty else pd.NA
    # A pipeline in another currency than its channel's spend is missing: no sum without it.
    if (paid["pipeline_cents"].isna() & (paid["count_pipeline_currencies"] > 0)).any():
        total["pipeline_cents"] = pd.NA
    if not total["is_returnable"]:
        total["won_cents"] = pd.NA
    amounts = ["spend_cents", "won_cents", "pipeline_cents", *COUNT_COLUMNS]
    total = pd.DataFrame([total]).astype({column: "Int64" for column in amounts})
    refused = None
    if is_mixed and len(paid) > 1:
        refused = (
            f"{TOTAL} adds up no spend, cost or return: its channels' spend is in more than one "
            "currency, and Revcycle does not add amounts in different currencies."
        )
    return total, refused


# What each basis's deals without an amount leave out of the table, and those deals, singular
# and plural, for the period's leads (cohort); for the period's deals, attribution's words.
_LEFT_OUT = {
    "revenue": (
        "the won revenue (and so ROAS, ROI and payback)",
        ("won deal of the period's leads", "won deals of the period's leads"),
    ),
    "pipeline": (
        "the pipeline (and so pipeline per unit spent)",
        ("open deal of the period's leads", "open deals of the period's leads"),
    ),
}


def _without_amount(query, start: date, end: date, scope, cohort: bool) -> list[str]:
    """What the won revenue, the pipeline and their returns leave out: the won and open deals
    without an amount."""
    sentences = []
    for basis, (figure, of_leads) in _LEFT_OUT.items():
        counts = attribution.deals_without_amount(query, basis, start, end, scope, cohort)
        deals = of_leads if cohort else attribution.BASIS_DEALS[basis]
        sentences.append(deal_gaps.without_amount(*counts, deals, figure))
    return [sentence for sentence in sentences if sentence]


def _names(rows: pd.DataFrame) -> str:
    return ", ".join(rows["channel"].astype(str))


def _no_spend_notes(rows: pd.DataFrame, money: SpendMoney) -> list[str]:
    channels = rows[~rows["has_spend"] & ~rows["is_total"]]
    if not money.has_spend:
        return ["No spend is loaded: load a spend export to see cost and return per channel."]
    if channels.empty:
        return []
    return [f"No spend recorded in the period for {_names(channels)}: no cost or return shown."]


def _costs(rows: pd.DataFrame, refused: str | None) -> list[str]:
    """Spend ÷ each count, in units of the currency; missing where the count is 0 or unknown,
    and a note per channel (or channels alike) saying which and why. Opportunities are unknown
    only without a deals export (every deal has its creation date), and new customers then
    too, or when won deals with no close date may be the period's (the note on the won
    revenue says so); MQLs and SQLs, where the leads' uploads have no date column for them."""
    spend = rows["spend_cents"].astype("Float64")
    # channel -> the (cost, what is counted) it lacks, by why
    zero, undated, no_deals, no_leads = {}, {}, {}, {}
    for stage, (count_column, cost_column, name, counted) in COSTS.items():
        count = rows[count_column].astype("Float64")
        rows[cost_column] = (spend / count.where(count > 0) / 100).astype(float)
        if refused:
            rows[cost_column] = np.nan
            continue
        paid = rows["has_spend"] & ~rows["is_total"] & ~rows["is_spend_mixed"]
        is_deal_stage = stage in DEAL_STAGES
        # Its export not loaded at all: no opportunities (deals), no leads (leads) known.
        without = rows["count_opportunities" if is_deal_stage else "count_leads"].isna()
        reasons = [
            (zero, count == 0),
            (no_deals if is_deal_stage else no_leads, count.isna() & without),
        ]
        if stage in ("mql", "sql"):  # leads known, but no date column for the stage
            reasons.append((undated, count.isna() & ~without))
        for found, lacking in reasons:
            for channel in rows.loc[paid & lacking.fillna(False), "channel"]:
                found.setdefault(channel, []).append((name, counted))
    return [
        *_lacking_notes(zero, lambda counted: f"no {counted} in the period"),
        *_lacking_notes(undated, lambda counted: "their uploads have no date column for it"),
        *_lacking_notes(no_leads, lambda counted: "no leads export is loaded"),
        *_lacking_notes(no_deals, lambda counted: "no deals export is loaded"),
    ]


def _lacking_notes(lacking: dict[str, list], why) -> list[str]:
    """One sentence per set of channels that lack the same costs: "No cost per MQL or CAC for
    Trade show: no MQLs or new customers in the period." """
    by_costs: dict[tuple, list[str]] = {}
    for channel, costs in lacking.items():
        by_costs.setdefault(tuple(costs), []).append(channel)
    return [
        f"No {_listed([name for name, _ in costs])} for {', '.join(channels)}: "
        f"{why(_listed([counted for _, counted in costs]))}."
        for costs, channels in by_costs.items()
    ]


def _listed(words: list[str]) -> str:
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} or {words[-1]}"


def _returns(rows: pd.DataFrame) -> list[str]:
    """Revenue and pipeline per unit spent, and ROI, where the row is_returnable; missing
    where the spend is 0."""
    spend = rows["spend_cents"].astype("Float64").where(rows["is_returnable"])
    spent = spend.where(spend > 0)
    rows["won_per_spent"] = (rows["won_cents"] / spent).astype(float)
    rows["pipeline_per_spent"] = (rows["pipeline_cents"] / spent).astype(float)
    rows["roi"] = ((rows["won_cents"] - spend) / spent).astype(float)
    nothing_spent = rows[rows["has_spend"] & ~rows["is_total"] & (spend == 0).fillna(False)]
    if nothing_spent.empty:
        return []
    return [
        f"No ROAS, ROI or payback for {_names(nothing_spent)}: the spend recorded is 0, and "
        "nothing can be divided by it."
    ]


def _payback(rows: pd.DataFrame, credits: pd.DataFrame, start: date) -> list[str]:
    """Fill payback_months and payback: months from ``start`` to the day the cohort's credited
    won revenue first reaches the spend (DAYS_PER_MONTH days a month), or "not yet"; and why a
    channel has none though it has a return (its cohort won in another currency)."""
    paid = rows[rows["is_returnable"] & (rows["spend_cents"] > 0).fillna(False)]
    spend = paid.set_index("channel")["spend_cents"].astype("int64")
    notes = []
    if foreign := _credited_in_other_currencies(rows, credits, spend.index):
        spend = spend.drop([*foreign, TOTAL], errors="ignore")
        notes.append(
            f"No payback for {', '.join(foreign)}: what the period's leads won since is not all "
            "in the currency of the spend, and Revcycle does not add amounts in different "
            "currencies."
        )
    if spend.empty:
        return notes
    paid_back_on = _paid_back_on(credits, spend)
    days = (paid_back_on.dt.normalize() - pd.Timestamp(start)).dt.days.clip(lower=0)
    months = rows["channel"].map(days / DAYS_PER_MONTH)
    # Credited only deals without an amount: whether they paid it back is unknown.
    credited = attribution.per_channel(credits)
    unknown = credited.loc[~credited["is_amount_known"].astype(bool), "channel"]
    is_paid = rows["channel"].isin(spend.index) & ~rows["channel"].isin(unknown)
    rows["payback_months"] = months.where(is_paid)
    rows["payback"] = [
        payback_words(month) if paid else None for month, paid in zip(months, is_paid, strict=True)
    ]
    return notes


# What a channel's won revenue gives: unknown with it.
_WON = ["won_cents", "won_per_spent", "roi"]


def _not_lead_sources(query, rows: pd.DataFrame) -> list[str]:
    """Under the lead source model, a channel no lead or deal has (spend's or touches' alone)
    can be credited nothing: its won revenue, pipeline, returns and payback are unknown, never
    0 (its spend still counts in the total, which sets the lead sources' credit against it)."""
    outside = rows[~rows["is_total"] & rows["channel"].isin(filter_values.not_lead_sources(query))]
    if outside.empty:
        return []
    paid = rows[rows["has_spend"] & ~rows["is_total"] & (rows["channel"] != UNMAPPED)]
    unknown = outside.index
    if paid["channel"].isin(outside["channel"]).all():  # the total holds no lead source's
        unknown = unknown.union(rows.index[rows["is_total"]])
    rows.loc[unknown, [*_WON, "pipeline_cents", "pipeline_per_spent"]] = pd.NA
    rows.loc[unknown, "payback_months"] = np.nan
    rows.loc[unknown, "payback"] = None
    them = "it" if len(outside) == 1 else "them"
    return [
        f"No won revenue, pipeline, ROAS, ROI or payback for {_names(outside)} under "
        f"{MODEL_NAMES[LEAD_SOURCE]}: no lead or deal has {them} as its source, so this model "
        f"cannot credit {them}. A touch model (First touch, Linear, …) credits the touches."
    ]


def _undated_wins(query, rows: pd.DataFrame, end, scope) -> list[str]:
    """In the same period: a channel the period credits no won deal, but which won deals with
    no close date would credit (undated_win_channels), may have won in it: its won revenue,
    ROAS and ROI are unknown, never 0 (its new customers and CAC, by conversion_by_channel);
    the total's too when it is a channel with spend."""
    chosen = _scope(scope)
    undated = query(
        "metrics/undated_win_channels",
        end_date=end,
        owners=chosen["owners"],
        segments=chosen["segments"],
    )
    counts = undated.set_index("channel")["count_won_without_close_date"]
    unknown = rows[
        ~rows["is_total"] & rows["channel"].isin(counts.index) & (rows["count_won_currencies"] == 0)
    ]
    if unknown.empty:
        return []
    index = unknown.index
    if (unknown["has_spend"] & (unknown["channel"] != UNMAPPED)).any():
        index = index.union(rows.index[rows["is_total"]])
    rows.loc[index, _WON] = pd.NA
    count = int(counts[unknown["channel"]].sum())
    deals, has = ("won deal", "has") if count == 1 else ("won deals", "have")
    them = "it" if len(unknown) == 1 else "them"
    return [
        "The won revenue, new customers, ROAS, ROI and CAC of "
        f"{_names(unknown)} in the period are unknown, not 0: {count:,} {deals} that would "
        f"credit {them} {has} no close date in the export and may have been won in the period. "
        "Export the deals with their close date."
    ]


def _credited_in_other_currencies(rows: pd.DataFrame, credits: pd.DataFrame, paid) -> list:
    """The ``paid`` channels whose cohort was credited won deals with an amount in another
    currency than their spend's: those cannot be added up to it."""
    spend_code = rows.set_index("channel")["currency"].fillna(UNSTATED)
    code = credits["currency"].fillna(UNSTATED)
    priced = credits["has_amount"] if "has_amount" in credits else True
    other = priced & credits["channel"].isin(paid) & (code != credits["channel"].map(spend_code))
    return sorted(credits.loc[other, "channel"].unique())


def _paid_back_on(credits: pd.DataFrame, spend: pd.Series) -> pd.Series:
    """Per channel of ``spend`` (the total's included) whose credited won revenue has reached
    its spend, the moment it did; a channel that has not is left out."""
    own = credits[credits["channel"].isin(spend.index)]
    total = [own.assign(channel=TOTAL)] if TOTAL in spend.index else []
    credits = pd.concat([own, *total], ignore_index=True)
    if credits.empty:
        return pd.Series(dtype="datetime64[ns]")
    credits = credits.sort_values(["channel", "converted_at"], kind="stable")
    reached = credits["credit_cents"].astype("int64").groupby(credits["channel"]).cumsum()
    crossing = credits[reached >= credits["channel"].map(spend).astype("int64")]
    return crossing.groupby("channel")["converted_at"].min()


def payback_words(months: float) -> str:
    """ "3.5 months", or "not yet" for a missing number of months (the spend not reached)."""
    if pd.isna(months):
        return NOT_YET
    return f"{months:.1f} months"
