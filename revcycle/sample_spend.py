"""The sample's spend export: what the sample's paid channels cost, in EUR, over its two years.

Paid search is bought by the day (as a Google Ads report gives it: a row per campaign and day);
content production and LinkedIn are paid by the month, and each trade show as one bill over
its month (a row over the month's days). The amounts make the channels' returns differ the way
a meeting argues about them: paid search brings back several euros per euro spent, content
marketing a little more than it costs, trade shows less than they cost, and paid social has
no lead of its own (only touches in multi-touch models). Organic channels cost nothing here.

Drawn from its own seeded generator, so the other exports keep their bytes; a few thousand
rows, so building the sample stays fast.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

from revcycle.contract import column_names

CURRENCY = "EUR"
# Paid search campaigns (the sample's own) and what each costs a day at the start; the spend
# grows with the lead volume (half as much again by the end), and halves at weekends.
DAILY_SOURCE = "Google Ads"
DAILY_EUR = {"Brand keywords": 110.0, "Competitor keywords": 190.0, "Generic keywords": 240.0}
WEEKEND_FACTOR = 0.5
GROWTH = 0.5
# (source, campaign, EUR a month): content production and LinkedIn, billed monthly.
MONTHLY_EUR = (
    ("Content Marketing", "State of RevOps report", 4_000.0),
    ("Content Marketing", "Pipeline webinar series", 3_000.0),
    ("Content Marketing", "Blog newsletter", 1_500.0),
    ("LinkedIn Ads", "LinkedIn ABM", 4_000.0),
    ("LinkedIn Ads", "LinkedIn lead gen", 2_500.0),
)
# Each trade show (on the days sample.py gives its badge scans) is billed over its month: stand,
# travel and the team's days.
SHOW_SOURCE = "Trade Show"
SHOW_NAMES = ("SaaStr Europa", "DMEXCO", "Web Summit", "B2B Marketing Expo")
SHOW_EUR = 55_000.0
NOISE_SIGMA = 0.15  # day-to-day and month-to-month variation, log-normal


@dataclass(frozen=True)
class Period:
    """The days spend is written for, both included."""

    first_day: date
    last_day: date

    @property
    def count_days(self) -> int:
        return (self.last_day - self.first_day).days + 1


def write(
    path: Path,
    period: Period,
    *,
    seed: int,
    show_days: tuple[date, ...] = (),
    daily_eur: dict[str, float] | None = None,
) -> int:
    """Write the spend export for ``period`` to ``path``; how many rows it holds: paid search
    by the day, the monthly bills, and a bill per show on ``show_days``. ``daily_eur``
    (campaign -> EUR a day) replaces the sample's paid search campaigns (the benchmark's)."""
    rng = np.random.default_rng(seed + 2)  # its own stream: the other exports keep their bytes
    parts = [
        _daily_rows(rng, period, daily_eur or DAILY_EUR),
        _monthly_rows(rng, period),
        _show_rows(rng, period, show_days),
    ]
    frame = pd.concat(parts, ignore_index=True).reindex(columns=column_names("spend"))
    frame["currency"] = CURRENCY
    frame.to_csv(path, index=False, lineterminator="\n", float_format="%.2f")
    return len(frame)


def _noise(rng: np.random.Generator, count: int) -> np.ndarray:
    return rng.lognormal(0.0, NOISE_SIGMA, size=count)


def _daily_rows(rng, period: Period, daily_eur: dict[str, float]) -> pd.DataFrame:
    """A row per campaign and day, every campaign's days in order."""
    days = pd.date_range(period.first_day, period.last_day, freq="D")
    grown = 1.0 + GROWTH * np.arange(len(days)) / max(len(days) - 1, 1)
    weekday = np.where(days.day_of_week >= 5, WEEKEND_FACTOR, 1.0)
    campaigns = list(daily_eur)
    base = np.repeat([daily_eur[campaign] for campaign in campaigns], len(days))
    factor = np.tile(grown * weekday, len(campaigns))
    return pd.DataFrame(
        {
            "date_from": np.tile(days.strftime("%Y-%m-%d"), len(campaigns)),
            "source": DAILY_SOURCE,
            "campaign": np.repeat(campaigns, len(days)),
            "amount": np.round(base * factor * _noise(rng, len(base)), 2),
        }
    )


def _month_end(day: date) -> date:
    return (day.replace(day=1) + timedelta(days=32)).replace(day=1) - timedelta(days=1)


def _month_spans(period: Period) -> list[tuple[date, date]]:
    """Each calendar month the period touches, cut to the period."""
    spans, start = [], period.first_day
    while start <= period.last_day:
        spans.append((start, min(_month_end(start), period.last_day)))
        start = _month_end(start) + timedelta(days=1)
    return spans


def _monthly_rows(rng, period: Period) -> pd.DataFrame:
    """A row per monthly bill and month, over the month's days; a part month pays its part."""
    rows = [
        (first, last, source, campaign, eur * ((last - first).days + 1) / _month_end(first).day)
        for first, last in _month_spans(period)
        for source, campaign, eur in MONTHLY_EUR
    ]
    return _frame(rows, _noise(rng, len(rows)))


def _show_rows(rng, period: Period, show_days: tuple[date, ...]) -> pd.DataFrame:
    """A row per show in the period, over its month (cut to the period), the show names in
    turn."""
    rows = [
        (
            max(day.replace(day=1), period.first_day),
            min(_month_end(day), period.last_day),
            SHOW_SOURCE,
            SHOW_NAMES[number % len(SHOW_NAMES)],
            SHOW_EUR,
        )
        for number, day in enumerate(show_days)
        if period.first_day <= day <= period.last_day
    ]
    return _frame(rows, _noise(rng, len(rows)))


def _frame(rows: list[tuple], noise: np.ndarray) -> pd.DataFrame:
    columns = ("date_from", "date_to", "source", "campaign", "amount")
    frame = pd.DataFrame(rows, columns=columns)
    frame["date_from"] = [day.isoformat() for day in frame["date_from"]]
    frame["date_to"] = [day.isoformat() for day in frame["date_to"]]
    frame["amount"] = np.round(frame["amount"].to_numpy(dtype=float) * noise, 2)
    return frame
