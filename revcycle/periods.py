"""Period arithmetic shared by the pages and the tests: presets and the previous period."""

from datetime import date, timedelta
from typing import NamedTuple

import pandas as pd

# Preset key -> label, in the order the sidebar offers them.
PRESETS = {
    "last_4_weeks": "Last 4 weeks",
    "last_12_weeks": "Last 12 weeks",
    "this_quarter": "This quarter",
    "last_quarter": "Last quarter",
    "year_to_date": "Year to date",
    "all_time": "All time",
    "custom": "Custom",
}
DEFAULT_PRESET = "last_12_weeks"


def _quarter_start(day: date) -> date:
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def preset_period(
    preset: str, today: date, first_day: date = date.min, last_day: date | None = None
) -> tuple[date, date]:
    """The first and last day (both included) of a preset, as seen on ``today``.

    ``today`` is the day the data is as of, so a preset over an export from last Friday means
    the weeks up to last Friday, not empty days up to the real today. "All time" runs from
    ``first_day``, the first day with data, to ``last_day``, the last (``today`` by default):
    an event dated after the data was loaded, a typo, is in All time only.
    """
    if preset == "last_4_weeks":
        return today - timedelta(weeks=4) + timedelta(days=1), today
    if preset == "last_12_weeks":
        return today - timedelta(weeks=12) + timedelta(days=1), today
    if preset == "this_quarter":
        return _quarter_start(today), today
    if preset == "last_quarter":
        end = _quarter_start(today) - timedelta(days=1)
        return _quarter_start(end), end
    if preset == "year_to_date":
        return date(today.year, 1, 1), today
    if preset == "all_time":
        return first_day, last_day or today
    raise ValueError(f"no period preset {preset!r}")


def previous_period(start: date, end: date) -> tuple[date, date]:
    """The period of the same length that ends the day before ``start``."""
    length = end - start
    previous_end = start - timedelta(days=1)
    return previous_end - length, previous_end


def argument_date(text: str) -> date:
    """A command-line date, YYYY-MM-DD, as argparse's ``type``: a refusal reads "invalid date
    value" and exits with code 2."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError(text) from None


argument_date.__name__ = "date"  # the word argparse uses in its refusal


class FunnelStart(NamedTuple):
    """Where the funnel's numbers begin: the first lead event's day (``what`` "leads"), else
    with no lead loaded the first deal event's ("deals"), else with spend alone the spend's
    first day ("data"). A day before it has no lead counts, never zero ones."""

    day: date
    what: str

    @property
    def begins(self) -> str:
        """ "the leads begin", "the deals begin" or "the data begins", for a sentence."""
        return f"the {self.what} {'begins' if self.what == 'data' else 'begin'}"


def funnel_start(data_period: pd.Series) -> FunnelStart | None:
    """From the row of metrics/data_period; None while nothing is loaded."""
    if not pd.isna(data_period["funnel_start_date"]):
        what = data_period["funnel_starts"]
        return FunnelStart(pd.Timestamp(data_period["funnel_start_date"]).date(), what)
    if not pd.isna(data_period["first_date"]):
        return FunnelStart(pd.Timestamp(data_period["first_date"]).date(), "data")
    return None


def comparison_line(previous_start: date, previous_end: date, start: FunnelStart | None) -> str:
    """The line under the overview's heading: what its tiles' changes compare with, or why none
    is shown (the funnel, from ``start``, begins after the period before does; None: nothing
    is loaded, so there is nothing to say)."""
    before = f"{previous_start:%d %b %Y} – {previous_end:%d %b %Y}"
    if start is None or previous_start >= start.day:
        return f"Changes are against {before}."
    where = "after" if previous_end < start.day else "within"
    return (
        f"No changes are shown: {start.begins} on {start.day:%d %b %Y}, {where} the period "
        f"before ({before}), so that period would compare with days when nothing was loaded."
    )
