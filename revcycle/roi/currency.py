"""Whether spend can be added up, and set against revenue: never across two currencies.

The deals' amounts have one currency for the whole data, or none can be set against spend
(queries/metrics/amount_currencies.sql). Spend is judged per channel and period
(spend_by_channel.sql): a channel whose spend is in several currencies has no spend, cost or
return; a channel whose spend is in another currency than the deals' has its costs (they need
the spend alone) but no ROAS, ROI or payback. This module says what holds for the whole data;
revcycle.roi.report says it per channel.
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
    if count_deals > 1:
        return_refused = (
            f"The deals' amounts are in several currencies ({deals['currencies_listed']}), so "
            "revenue is not set against spend: no ROAS, ROI or payback is shown."
        )
    elif not count_deals:
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
        return_refused=return_refused,
    )


def currency_refusals(rows: pd.DataFrame, money: SpendMoney) -> list[str]:
    """Per channel with spend (``rows``: spend_by_channel's, one per channel), why its spend
    cannot be added (several currencies) or set against revenue (another currency than the
    deals'): a sentence per set of channels alike."""
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
    others = rows[~rows["is_spend_mixed"] & ~same_currency(rows["currency"], money)]
    for code, channels in others.groupby(others["currency"].fillna(UNSTATED), sort=True):
        *others, last = channels["channel"]
        names = f"{', '.join(others)} and {last}" if others else last
        said.append(
            f"The spend of {names} is in {code}, the deals' amounts in "
            f"{money.deals_currency or UNSTATED}. Revcycle does not set amounts in different "
            "currencies against each other, so no ROAS, ROI or payback is shown for "
            f"{'them' if others else 'it'}."
        )
    return said


def same_currency(codes: pd.Series, money: SpendMoney) -> pd.Series:
    """Per row, whether its spend's currency is the deals' (both unstated counts as the same)."""
    stated = codes.where(codes.notna(), None)
    return stated.map(lambda code: code == money.deals_currency).astype(bool)
