"""Whether spend can be added up, and set against revenue: never across two currencies.

Spend is judged per channel and period (spend_by_channel.sql): a channel whose spend is in
several currencies has no spend, cost or return. Its return is judged per channel too: the won
revenue credited to it in the period must be in its spend's currency, or it has its costs (they
need the spend alone) but no ROAS, ROI or payback. When the deals' amounts have one currency
(queries/metrics/amount_currencies.sql), a channel credited no deal is judged by it; when they
have several, a channel credited no deal has won nothing, in any currency. This module says
what holds for the whole data and words the refusals; revcycle.roi.report judges each channel.
"""

from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

UNSTATED = "no stated currency"


@dataclass(frozen=True)
class SpendMoney:
    has_spend: bool  # any spend loaded at all, in any period
    currency: str | None  # the spend's one currency over all of it; None when unknown or several
    is_mixed: bool  # the spend loaded is in several currencies (unknown counts as one)
    deals_currency: str | None  # the deals' one currency; None when unknown or several
    is_deals_mixed: bool  # the deals' amounts are in several currencies: judged per channel
    return_refused: str | None  # why no revenue can be set against any spend, or None


def _row(query: Callable[..., pd.DataFrame], name: str, default_currency) -> pd.Series:
    return query(name, default_currency=default_currency).iloc[0]


def _code(row: pd.Series) -> str | None:
    return row["currency"] if isinstance(row["currency"], str) else None


def spend_money(query: Callable[..., pd.DataFrame], default_currency: str | None) -> SpendMoney:
    """The spend's and the deals' currencies, and in a sentence why no revenue can be set
    against any spend (the deals' side: their currencies, their amounts, their outcomes)."""
    spend = _row(query, "metrics/spend_currencies", default_currency)
    deals = _row(query, "metrics/amount_currencies", default_currency)
    count_deals = int(deals["count_currencies"])
    return_refused = None
    if not count_deals:
        return_refused = (
            "No deal with an amount is loaded, so there is no revenue to set against the spend: "
            "no ROAS, ROI or payback is shown."
        )
    elif not query("metrics/data_freshness").iloc[0]["has_deal_outcomes"]:
        return_refused = (
            "No loaded deal has a stage, won or closed value, so no revenue is known to be won: "
            "no ROAS, ROI or payback is shown."
        )
    return SpendMoney(
        has_spend=int(spend["count_currencies"]) > 0,
        currency=_code(spend),
        is_mixed=int(spend["count_currencies"]) > 1,
        deals_currency=_code(deals),
        is_deals_mixed=count_deals > 1,
        return_refused=return_refused,
    )


def currency_refusals(rows: pd.DataFrame, money: SpendMoney) -> list[str]:
    """Per channel (``rows``: report.per_channel's), why its spend cannot be added (several
    currencies) or set against its won revenue (credited in several currencies, or in another
    than its spend's), and why a channel's won revenue is not shown (several currencies): a
    sentence per set of channels alike."""
    said = [
        f"The spend of {channel} in the period is in several currencies ({listed}). Revcycle "
        "does not add amounts in different currencies, so no spend, cost or return is shown "
        "for it."
        for channel, listed in rows.loc[
            rows["is_spend_mixed"], ["channel", "currencies_listed"]
        ].itertuples(index=False)
    ]
    if money.return_refused:
        return said
    judged = rows[rows["has_spend"] & ~rows["is_spend_mixed"]]
    spend_code = judged["currency"].fillna(UNSTATED)
    several = judged[judged["count_won_currencies"] > 1]
    for listed, channels in several.groupby("won_currencies_listed", sort=True):
        names, it = _names(channels["channel"])
        said.append(
            f"The won revenue credited to {names} in the period is in several currencies "
            f"({listed}). Revcycle does not add amounts in different currencies, so no won "
            f"revenue, ROAS, ROI or payback is shown for {it}."
        )
    won_code = judged["won_currency"].fillna(UNSTATED)
    other = judged[(judged["count_won_currencies"] <= 1) & (won_code != spend_code)]
    for (spent, won), channels in other.groupby([spend_code, won_code], sort=False):
        names, it = _names(channels["channel"])
        revenue = "the deals' amounts"
        if money.is_deals_mixed:
            revenue = f"the won revenue credited to {it}"
        said.append(
            f"The spend of {names} is in {spent}, {revenue} in {won}. Revcycle does not set "
            "amounts in different currencies against each other, so no ROAS, ROI or payback "
            f"is shown for {it}."
        )
    pipeline_code = judged["pipeline_currency"].fillna(UNSTATED)
    apart = (judged["count_pipeline_currencies"] > 1) | (pipeline_code != spend_code)
    apart &= (judged["count_pipeline_currencies"] > 0) & ~judged.index.isin(
        [*several.index, *other.index]
    )
    if apart.any():
        names, it = _names(judged.loc[apart, "channel"])
        own = "its" if it == "it" else "their"
        said.append(
            f"The pipeline of {names} is not all in the currency of {own} spend, so no "
            f"pipeline per unit spent is shown for {it}."
        )
    return said


def several_currencies_notes(rows: pd.DataFrame) -> list[str]:
    """Why a channel without spend shows no won revenue: it was credited in several currencies
    (the revenue page lists each channel's sums per currency)."""
    several = rows[~rows["has_spend"] & (rows["count_won_currencies"] > 1)]
    if several.empty:
        return []
    names, it = _names(several["channel"])
    return [
        f"No won revenue is shown for {names}: what was credited to {it} in the period is in "
        "several currencies, which are never added (the revenue page lists "
        f"{'its' if it == 'it' else 'their'} sums per currency)."
    ]


def _names(channels: pd.Series) -> tuple[str, str]:
    """The channels in words ("Trade show and Paid search"), and "it" or "them"."""
    *others, last = channels
    return (f"{', '.join(others)} and {last}" if others else last), ("them" if others else "it")
