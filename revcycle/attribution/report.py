"""Attribution per channel, from the journeys SQL through the models: the glue the page and
the command line share, so both show the same figures.

``query`` is how the caller runs a named query: ``functools.partial(db.execute, con)`` on the
command line and in tests, the cached ``revcycle.ui.data.run`` on a page. ``scope`` holds the
sidebar's ``channels``, ``owners`` and ``segments`` (None or missing: all). Owners and segments
choose the deals; channels choose which channels' credit is shown, so a channel keeps the
credit it earned from journeys that also touched channels outside the filter.
"""

from collections.abc import Callable, Mapping
from datetime import date

import pandas as pd

from revcycle import deal_gaps
from revcycle.attribution.markov import (
    CONVERSION,
    Trust,
    removal_effects_from_counts,
    trust_from_counts,
)
from revcycle.attribution.models import MODELS, credit_all

Query = Callable[..., pd.DataFrame]
BASES = ("revenue", "pipeline")
PER_CHANNEL_COLUMNS = ["channel", "credited_deals", "credited_cents", "share", "is_amount_known"]


def _params(basis: str, start: date, end: date, scope: Mapping | None) -> dict:
    if basis not in BASES:
        raise ValueError(f"The basis is 'revenue' or 'pipeline', not {basis!r}.")
    scope = scope or {}
    return {
        "basis": basis,
        "start_date": start,
        "end_date": end,
        "owners": scope.get("owners"),
        "segments": scope.get("segments"),
    }


def journeys(
    query: Query, basis: str, start: date, end: date, scope=None, cohort: bool = False
) -> pd.DataFrame:
    """The touches of the deals to credit (queries/metrics/attribution_journeys.sql): converted
    in the period, or with ``cohort`` those of the leads created in it, converted at any time."""
    return query("metrics/attribution_journeys", **_params(basis, start, end, scope), cohort=cohort)


def per_channel(credits: pd.DataFrame, channels: list[str] | None = None) -> pd.DataFrame:
    """Credits (one row per deal and channel) summed per channel: credited deals (the sum of
    the deals' shares), credited cents, the share of all credited cents, and whether any of
    its deals has an amount (a channel credited only deals without one has 0 cents, but its
    amount is unknown); then narrowed to ``channels``. Named channels first, most credit
    first; "(no lead)" and the like last."""
    summed = _summed(credits, ["channel"])
    total = int(summed["credited_cents"].sum())
    summed["share"] = summed["credited_cents"] / total if total else 0.0
    if channels is not None:
        summed = summed[summed["channel"].isin(channels)]
    summed = summed.assign(is_bracketed=summed["channel"].str.startswith("("))
    summed = summed.sort_values(
        ["is_bracketed", "credited_cents", "channel"], ascending=[True, False, True]
    )
    return summed[PER_CHANNEL_COLUMNS].reset_index(drop=True)


def _summed(credits: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Credits (one row per deal and channel) summed per ``keys``: credited deals, credited
    cents, and whether any of the deals has an amount (is_amount_known: deal_credit says
    has_amount when some deal has none; credited only such deals, the 0 cents are unknown)."""
    priced = credits["has_amount"].astype(bool) if "has_amount" in credits else True
    summed = (
        credits.assign(has_amount=priced)
        .groupby(keys, as_index=False, dropna=False)
        .agg(
            credited_deals=("credit_share", "sum"),
            credited_cents=("credit_cents", "sum"),
            is_amount_known=("has_amount", "any"),
        )
    )
    return summed.assign(credited_cents=summed["credited_cents"].astype("int64"))


def attribution(
    query: Query, model: str, basis: str, start: date, end: date, scope=None
) -> pd.DataFrame:
    """Per channel: channel, credited_deals, credited_cents, share, under ``model``."""
    if model not in MODELS:
        raise ValueError(f"There is no attribution model {model!r}; the models: {MODELS}.")
    return _credited(query, (model,), basis, start, end, scope)[model]


def per_currency(
    query: Query, model: str, basis: str, start: date, end: date, scope=None, default=None
) -> pd.DataFrame:
    """The credit of ``model`` per channel and currency, for amounts in several, which are
    never added: channel, currency (the deal's, else ``default``; None when neither says),
    credited_deals, credited_cents. Each currency's cents add up to its deals' amounts. By
    currency (none stated last), then most credit first."""
    return _credited_per_currency(query, (model,), basis, start, end, scope, default)[model]


def _credited_per_currency(
    query: Query, models, basis, start, end, scope, default
) -> dict[str, pd.DataFrame]:
    """Per model, the per-channel-and-currency credit (per_currency) of the deals in scope."""
    touches = journeys(query, basis, start, end, scope)
    credits = deal_credit(query, touches, models, basis, start, end, scope)
    currencies = touches[["deal_id", "currency"]].drop_duplicates("deal_id")
    channels = (scope or {}).get("channels")
    return {
        model: _per_channel_and_currency(credits[model], currencies, default, channels)
        for model in models
    }


def _per_channel_and_currency(credits, currencies, default, channels) -> pd.DataFrame:
    credits = credits.merge(currencies, on="deal_id", how="left")
    credits["currency"] = credits["currency"].fillna(default) if default else credits["currency"]
    summed = _summed(credits, ["channel", "currency"])
    if channels is not None:
        summed = summed[summed["channel"].isin(channels)]
    summed = summed.sort_values(
        ["currency", "credited_cents", "channel"], ascending=[True, False, True], na_position="last"
    )
    return summed.reset_index(drop=True)


def _credited(query: Query, models, basis, start, end, scope) -> dict[str, pd.DataFrame]:
    """Per model, the per-channel credit (per_channel) of the deals in scope."""
    touches = journeys(query, basis, start, end, scope)
    credits = deal_credit(query, touches, models, basis, start, end, scope)
    channels = (scope or {}).get("channels")
    return {model: per_channel(credits[model], channels) for model in models}


def deal_credit(
    query: Query, touches: pd.DataFrame, models, basis: str, start: date, end: date, scope=None
) -> dict[str, pd.DataFrame]:
    """Per model, each deal's credit per channel (models.credit_all) over ``touches``, and,
    when some deal has no amount, whether each has one (has_amount); Markov's removal effects
    are learnt from the journeys of the view (``markov``)."""
    effects = markov(query, basis, start, end, scope)[0] if "markov" in models else None
    credits = credit_all(touches, models, markov_effects=effects)
    # Rarely any: a deal the export gives no amount is credited 0, which is not its worth.
    unpriced = touches.loc[~touches["has_amount"].astype(bool), "deal_id"].unique()
    if not len(unpriced):
        return credits
    return {
        model: rows.assign(has_amount=~rows["deal_id"].isin(unpriced))
        for model, rows in credits.items()
    }


def all_models(
    query: Query, basis: str, start: date, end: date, scope=None, by_currency=False, default=None
) -> pd.DataFrame:
    """Every model side by side: one row per channel, a ``<model>`` column of credited cents
    for each model (NaN, unknown, where the model credits the channel only deals without an
    amount), and the spread between the models, in cents (highest − lowest) and as a share of
    the channel's highest credit, so a channel whose credit depends on the model stands out;
    unknown when a model's credit is. Ordered as the Markov column, named channels first.

    With ``by_currency`` (amounts in several, which are never added), one row per channel and
    currency, a deal stating none in ``default``'s (per_currency), ordered by currency first."""
    keys = ["currency", "channel"] if by_currency else ["channel"]
    if by_currency:
        credited = _credited_per_currency(query, MODELS, basis, start, end, scope, default)
    else:
        credited = _credited(query, MODELS, basis, start, end, scope)
    wide = pd.DataFrame({key: pd.Series(dtype=object) for key in keys})
    models = list(MODELS)
    known = [f"{model}_is_known" for model in models]
    for model, rows in credited.items():
        column = rows[[*keys, "credited_cents", "is_amount_known"]]
        column = column.rename(
            columns={"credited_cents": model, "is_amount_known": f"{model}_is_known"}
        )
        wide = wide.merge(column, on=keys, how="outer")
    # A model that credits the channel nothing gives it 0; one that credits it only deals
    # without an amount, an unknown amount (NaN), and so is the spread.
    is_known = wide[known].fillna(True).astype(bool).set_axis(models, axis=1)
    wide[models] = wide[models].fillna(0).astype("float64").where(is_known)
    highest = wide[models].max(axis=1).where(is_known.all(axis=1))
    wide["spread_cents"] = highest - wide[models].min(axis=1)
    # A channel no model credits anything spreads 0; an unknown spread stays unknown.
    wide["spread_share"] = (wide["spread_cents"] / highest.where(highest > 0)).mask(
        highest == 0, 0.0
    )
    wide = wide.drop(columns=known)
    wide["is_bracketed"] = wide["channel"].str.startswith("(").astype(bool)
    order = [*keys[:-1], "is_bracketed", "markov", "channel"]
    wide = wide.sort_values(order, ascending=[True] * (len(keys) - 1) + [True, False, True])
    return wide.drop(columns="is_bracketed").reset_index(drop=True)


def markov(
    query: Query, basis: str, start: date, end: date, scope=None
) -> tuple[dict[str, float], Trust]:
    """The channels' removal effects, learnt from every journey in scope (won or not), and
    whether there are enough journeys to trust them. The journeys are counted in SQL
    (markov_transitions, markov_channel_journeys): Python sees a few thousand counts, never a
    million paths."""
    params = _params(basis, start, end, scope)
    steps = query("metrics/markov_transitions", **params)
    transitions = {
        (from_state, to_state): int(count)
        for from_state, to_state, count in steps[
            ["from_state", "to_state", "count_transitions"]
        ].itertuples(index=False)
    }
    channels = query("metrics/markov_channel_journeys", **params)
    conversions = int(steps.loc[steps["to_state"] == CONVERSION, "count_transitions"].sum())
    journeys_per_channel = dict(
        zip(channels["channel"], channels["count_journeys"].astype(int), strict=True)
    )
    return (
        removal_effects_from_counts(transitions),
        trust_from_counts(conversions, journeys_per_channel),
    )


def top_paths(
    query: Query, channel: str, basis: str, start: date, end: date, scope=None
) -> pd.DataFrame:
    """The most common journeys (up to 10) of the credited deals that touched ``channel``:
    path_rank, path, count_touches, count_deals, amount_cents."""
    paths = query("metrics/attribution_top_paths", **_params(basis, start, end, scope))
    chosen = paths[paths["channel"] == channel]
    return chosen.drop(columns="channel").reset_index(drop=True)


# The deals each basis credits, singular and plural, as deal_gaps.without_amount words them.
BASIS_DEALS = {
    "revenue": ("deal won in the period", "deals won in the period"),
    "pipeline": ("open deal created in the period", "open deals created in the period"),
}


def deals_without_amount(
    query: Query, basis: str, start: date, end: date, scope=None, cohort: bool = False
) -> tuple[int, int]:
    """How many of the deals ``basis`` credits in the view have no amount, and how many it
    credits (whatever channels the view shows): such a deal counts as credited, but adds
    nothing to any channel's amount. ``cohort``: the deals of the period's leads."""
    params = _params(basis, start, end, scope)
    counts = query("metrics/credited_deals_without_amount", **params, cohort=cohort).iloc[0]
    return int(counts["count_deals_without_amount"]), int(counts["count_deals"])


def without_amount_sentence(counts: tuple[int, int], basis: str) -> str | None:
    """deal_gaps' sentence for ``deals_without_amount``'s counts."""
    return deal_gaps.without_amount(*counts, BASIS_DEALS[basis], "each channel's credited amount")
