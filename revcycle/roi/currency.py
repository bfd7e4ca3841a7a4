"""Whether spend can be added up, and set against revenue: never across two currencies.

Spend and the deals' amounts each have one currency for the whole data, or none can be added
(queries/metrics/spend_currencies.sql, amount_currencies.sql). Spend in several currencies
refuses every spend figure; spend in one currency and revenue in another (or in several)
refuses what divides one by the other: ROAS, ROI and payback. Costs need the spend alone.
"""

from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from revcycle.settings import CURRENCY_VARIABLE

UNSTATED = "no stated currency"


@dataclass(frozen=True)
class SpendMoney:
    has_spend: bool  # any spend loaded at all, in any period
    currency: str | None  # the spend's one currency; None when unknown or several
    spend_refused: str | None  # why no spend figure can be shown, or None
    return_refused: str | None  # why revenue cannot be set against spend, or None


def _row(query: Callable[..., pd.DataFrame], name: str, default_currency) -> pd.Series:
    return query(name, default_currency=default_currency).iloc[0]


def _code(row: pd.Series) -> str | None:
    return row["currency"] if isinstance(row["currency"], str) else None


def spend_money(query: Callable[..., pd.DataFrame], default_currency: str | None) -> SpendMoney:
    """The spend's currency and, in a sentence each, what it refuses."""
    spend = _row(query, "metrics/spend_currencies", default_currency)
    deals = _row(query, "metrics/amount_currencies", default_currency)
    count_spend, count_deals = int(spend["count_currencies"]), int(deals["count_currencies"])
    spend_code, deals_code = _code(spend), _code(deals)
    spend_refused = return_refused = None
    if count_spend > 1:
        spend_refused = (
            f"The spend is recorded in several currencies ({spend['currencies_listed']}). "
            "Revcycle does not add amounts in different currencies, so no spend, cost or "
            "return is shown. Give each spend row its currency, or set "
            f"{CURRENCY_VARIABLE} for the rows that state none."
        )
        return_refused = spend_refused
    elif count_deals > 1:
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
    elif count_spend == 1 and count_deals == 1 and spend_code != deals_code:
        return_refused = (
            f"The spend is in {spend_code or UNSTATED} and the deals' amounts in "
            f"{deals_code or UNSTATED}. Revcycle does not set amounts in different currencies "
            "against each other, so no ROAS, ROI or payback is shown."
        )
    return SpendMoney(
        has_spend=count_spend > 0,
        currency=spend_code,
        spend_refused=spend_refused,
        return_refused=return_refused,
    )
