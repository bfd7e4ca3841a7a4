"""Amounts in the currency the data states (or the setting names), never an assumed one:
sums over several currencies are refused, and amounts of unknown currency carry no sign."""

import math
from dataclasses import dataclass

import streamlit as st

from revcycle import settings
from revcycle.ui import charts, format, tables
from revcycle.ui.data import run

# Signs people read at a glance; any other currency is written as its code ("BRL 1,200").
SIGNS = {"EUR": "€", "USD": "$", "GBP": "£"}


@dataclass(frozen=True)
class Currency:
    code: str | None  # the one currency of every amount; None when unknown or several
    is_mixed: bool  # amounts in more than one currency (unknown counts as one): never added
    listed: str  # "EUR: 3 deals, USD: 2 deals", for the sentences
    has_unknown: bool = False  # some amounts state no currency, and the setting names none

    @property
    def unit(self) -> str:
        """How an axis or a column names the amounts' unit: "€", "BRL", or "" if unknown."""
        return SIGNS.get(self.code, self.code or "")

    def amount(self, value) -> str:
        """A booked amount for a tile, to the cent, so it reconciles with the deals export on
        the screen: "€1,234.50", "BRL 1,234.50", or "1,234.50" in an unknown currency; "–" for
        a missing value or a sum over several currencies."""
        return self._written(value, format.to_the_cent)

    def whole(self, value) -> str:
        """A target or an amount per something (cost per opportunity) in whole units: "€1,235"."""
        return self._written(value, format.whole_number)

    def _written(self, value, number_format) -> str:
        if self.is_mixed or value is None or (isinstance(value, float) and math.isnan(value)):
            return "–"
        number = number_format(value)  # half away from zero, as every amount shown
        if self.code in SIGNS:
            return f"{SIGNS[self.code]}{number}"
        # A tile's value is Markdown, and the code is the deals' own text.
        return f"{format.plain(self.code)} {number}" if self.code else number


def currency() -> Currency:
    """The currency of the loaded amounts, from the deals' ``currency`` or the setting."""
    row = run("metrics/amount_currencies", default_currency=settings.currency()).iloc[0]
    return Currency(
        code=row["currency"] if isinstance(row["currency"], str) else None,
        is_mixed=int(row["count_currencies"]) > 1,
        listed=row["currencies_listed"] or "",
        has_unknown=bool(row["has_unknown_currency"]),
    )


def say(money: Currency) -> None:
    """One sentence when the amounts cannot be summed, or their currency is unknown."""
    if money.is_mixed:
        st.warning(
            # The currencies are the deals' own text: plain, never Markdown.
            f"The deals' amounts are in several currencies ({format.plain(money.listed)}). "
            "Revcycle does not add amounts in different currencies, so no sum across them is "
            "shown."
            + (
                f" Give each deal its currency, or set {settings.CURRENCY_VARIABLE} for the "
                "deals that state none."
                if money.has_unknown
                else ""
            ),
            icon=":material/currency_exchange:",
        )
    elif money.code is None and money.listed:
        setting = settings.currency_setting_problem() or f"{settings.CURRENCY_VARIABLE} is not set"
        st.caption(
            format.plain(
                f"The currency of the amounts is unknown: the deals state none and {setting}, so "
                "amounts are plain numbers."
            )
        )


def columns(spec: dict[str, tuple[str, str]], money: Currency) -> dict[str, tuple[str, str]]:
    """A table's columns ({column: (label, kind)}) without its sums of money when the amounts
    are in several currencies."""
    return {
        column: (label, kind)
        for column, (label, kind) in spec.items()
        if not (money.is_mixed and kind in tables.AMOUNT_KINDS)
    }


# sums_per_currency's figures, as a table shows them: each row's amounts are in its currency.
SUMS_COLUMNS = {
    "count_won_deals": ("Won deals", "count"),
    "won_revenue": ("Won revenue", "cents"),
    "count_open_deals": ("Open deals", "count"),
    "open_pipeline": ("Open pipeline", "cents"),
}


def sums_per_currency(params: dict):
    """revenue_by_currency under the page's filters: each currency's sums (is_total), and each
    channel's in each currency; a deal that states no currency is in settings.NO_CURRENCY's row."""
    return _per_currency("metrics/revenue_by_currency", params)


def weekly_won_per_currency(params: dict):
    """weekly_won_revenue_by_currency under the page's filters: each week's won revenue per
    channel and currency; a deal that states no currency is in settings.NO_CURRENCY's rows."""
    return _per_currency("metrics/weekly_won_revenue_by_currency", params)


def _per_currency(name: str, params: dict):
    rows = run(name, **params, default_currency=settings.currency())
    return rows.assign(currency=rows["currency"].fillna(settings.NO_CURRENCY))


def weekly_charts(params: dict, colors: dict[str, str]) -> dict:
    """For amounts in several currencies: a chart of won revenue per week and channel for each
    currency (by its code), titled with it, never adding one to another."""
    weekly = weekly_won_per_currency(params)
    return {
        code: charts.won_revenue_per_week(
            rows, code, colors, f"Won revenue per week, {charts.as_text(code)}"
        )
        for code, rows in weekly.groupby("currency", sort=False)
    }


def per_currency(params: dict, money: Currency, key: str) -> None:
    """When the amounts are in several currencies (and the tiles show no sum), the period's
    won revenue and open pipeline in each, under the page's filters: sums within a currency,
    never across, each reconciling to the deals export's rows in that currency."""
    if not money.is_mixed:
        return
    sums = sums_per_currency(params)
    sums = sums[sums["is_total"]]
    if sums.empty:
        return
    st.subheader("Won revenue and open pipeline per currency")
    tables.show(
        sums,
        {"currency": ("Currency", "text"), **SUMS_COLUMNS},
        key=key,
    )
    st.caption(
        "Each currency's own sums, for the period and filters above: the deals won in the "
        "period, and the deals created in it that are still open. Nothing is converted."
    )
