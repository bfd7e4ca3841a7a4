"""The meeting's numbers as the page and the pack both write them, so a tile reads the same on
the shared screen and in the file sent round afterwards."""

import math

import pandas as pd

# Signs people read at a glance; any other currency is written as its code ("BRL 1,200").
SIGNS = {"EUR": "€", "USD": "$", "GBP": "£"}
STATUS_SIGN = {"green": "🟢", "amber": "🟠", "red": "🔴"}


def missing(value) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))


def value(number, unit: str, currency: str | None = None) -> str:
    """A tile's number: "1,234", "€84,120", "BRL 84,120", "93%"; "–" when there is none."""
    if missing(number):
        return "–"
    if unit == "share":
        return f"{round(float(number), 3) + 0.0:.0%}"
    whole = f"{round(float(number)) + 0:,}"
    if unit != "money" or missing(currency) or not currency:
        return whole
    return f"{SIGNS[currency]}{whole}" if currency in SIGNS else f"{currency} {whole}"


def colour_of(status) -> str | None:
    """The colour of a target status: "green", "amber", "red", or None without a target."""
    if hasattr(status, "colour"):  # revcycle's Status
        return status.colour
    return None if missing(status) else str(status)


def share_of_target(actual, target) -> str:
    """ "104% of target", or "" when either is unknown or the target is nothing."""
    if missing(actual) or missing(target) or float(target) <= 0:
        return ""
    return f"{float(actual) / float(target):.0%} of target"


def against_target(actual, target, status, unit: str, currency: str | None) -> str:
    """ "🟢 104% of target · target 1,200", or "no target" where the agreement sets none."""
    if missing(target):
        return "no target"
    colour = colour_of(status)
    sign = f"{STATUS_SIGN[colour]} " if colour in STATUS_SIGN else ""
    share = share_of_target(actual, target)
    return f"{sign}{share + ' · ' if share else ''}target {value(target, unit, currency)}"


def rate(number) -> str:
    """A conversion rate: "41%", or "–"."""
    return "–" if missing(number) else f"{round(float(number), 3) + 0.0:.0%}"
