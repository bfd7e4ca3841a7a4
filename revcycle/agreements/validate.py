"""Checks an agreement must pass before it is saved or imported.

Each problem names a ``field``, a dotted path the Agreements page puts the message beside and
the file reader turns into a line number:

- ``effective_from``, ``marketing_name``, ``sales_name``, ``answer_within_working_days``,
  ``green_from``, ``amber_from``
- ``calendar.time_zone``, ``calendar.country``, ``calendar.subdivision``
- ``working_hours.<weekday>`` (``working_hours.monday``)
- ``closing_days.<row index>``
- ``follow_up.<channel or "default">.<channel|kind|response_hours|basis>``, and
  ``follow_up.default`` for a missing or doubled default
- ``targets.<row index>.<month|channel|metric|value>``
- ``budgets.<row index>.<month|channel|amount|currency>``
"""

import math
import re
from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays

from revcycle.agreements.model import (
    BASES,
    FOLLOW_UP_KINDS,
    NURTURE,
    SHARE_METRICS,
    TARGET_METRICS,
    WEEKDAYS,
    Agreement,
    Budget,
    FollowUp,
    Target,
)

# Channels the mart makes itself, so an agreement may name them though no rule does.
BUILT_IN_CHANNELS = ("(unmapped)", "(unknown)")
DEFAULT_KEY = "default"


@dataclass(frozen=True)
class Problem:
    field: str
    message: str
    line: int | None = None
    version: int | None = None  # which version of a file or an import, when there are several

    def __str__(self) -> str:
        where = [f"version {self.version}"] if self.version is not None else []
        where += [f"line {self.line}"] if self.line is not None else []
        return f"{', '.join(where)}: {self.message}" if where else self.message


class AgreementInvalid(ValueError):
    """The agreement (or the file) was refused; ``problems`` says every reason."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(problem) for problem in problems))


def problems(
    agreement: Agreement,
    *,
    known_channels: Collection[str] | None,
    previous: Agreement | None,
) -> list[Problem]:
    """Every reason ``agreement`` cannot be saved after ``previous``. ``known_channels`` are
    the channels the channel rules make; None skips the channel check (a file read on its
    own, before it meets a database)."""
    channels = None if known_channels is None else set(known_channels) | set(BUILT_IN_CHANNELS)
    return [
        *_people_and_dates(agreement, previous),
        *_calendar(agreement),
        *_follow_up(agreement.follow_up, channels),
        *_targets(agreement.targets, channels),
        *_budgets(agreement.budgets, channels),
    ]


def _people_and_dates(agreement: Agreement, previous: Agreement | None) -> list[Problem]:
    found = []
    for field, label in (("marketing_name", "marketing"), ("sales_name", "sales")):
        if not getattr(agreement, field).strip():
            found.append(Problem(field, f"Name who agreed for {label}."))
    if previous is not None and agreement.effective_from < previous.effective_from:
        found.append(
            Problem(
                "effective_from",
                f"The effective date {agreement.effective_from:%Y-%m-%d} is before the previous "
                f"version's ({previous.effective_from:%Y-%m-%d}); a new version cannot start "
                "earlier than the one it follows.",
            )
        )
    if agreement.answer_within_working_days < 1:
        found.append(
            Problem(
                "answer_within_working_days", "Sales answers MQLs within 1 working day or more."
            )
        )
    found += _thresholds(agreement.green_from, agreement.amber_from)
    return found


def _thresholds(green_from: float, amber_from: float) -> list[Problem]:
    found = []
    for field, value in (("green_from", green_from), ("amber_from", amber_from)):
        if not (math.isfinite(value) and value > 0):
            found.append(Problem(field, f"{value} is not a share above 0 (1.0 = the target)."))
    if not found and amber_from > green_from:
        found.append(
            Problem("amber_from", f"Amber from {amber_from} is above green from {green_from}.")
        )
    return found


def _calendar(agreement: Agreement) -> list[Problem]:
    found = []
    try:
        ZoneInfo(agreement.time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        found.append(
            Problem(
                "calendar.time_zone",
                f"{agreement.time_zone!r} is not a time zone name such as Europe/Amsterdam.",
            )
        )
    found += _holidays_region(agreement.country, agreement.subdivision)
    found += _working_hours(agreement)
    for index, closing in enumerate(agreement.closing_days):
        if sum(other.day == closing.day for other in agreement.closing_days) > 1:
            found.append(
                Problem(f"closing_days.{index}", f"{closing.day:%Y-%m-%d} is listed twice.")
            )
    return found


@cache
def _supported_regions() -> dict[str, tuple[str, ...]]:
    return {code: tuple(parts) for code, parts in holidays.list_supported_countries().items()}


def _holidays_region(country: str | None, subdivision: str | None) -> list[Problem]:
    regions = _supported_regions()
    if country is None:
        if subdivision is not None:
            return [Problem("calendar.subdivision", "A subdivision needs a country.")]
        return []
    if country not in regions:
        return [
            Problem(
                "calendar.country",
                f"{country!r} is not a country the holidays package knows (a code such as NL).",
            )
        ]
    if subdivision is not None and subdivision not in regions[country]:
        known = ", ".join(regions[country]) or "none"
        return [
            Problem(
                "calendar.subdivision",
                f"{country} has no subdivision {subdivision!r} (it has: {known}).",
            )
        ]
    return []


def _working_hours(agreement: Agreement) -> list[Problem]:
    found = []
    for weekday, name in enumerate(WEEKDAYS, start=1):
        spans = sorted(
            (hours.starts, hours.ends)
            for hours in agreement.working_hours
            if hours.weekday == weekday
        )
        field = f"working_hours.{name}"
        for starts, ends in spans:
            if ends is not None and ends <= starts:
                found.append(
                    Problem(field, f"{starts:%H:%M}-{ends:%H:%M} does not end after it starts.")
                )
        for (_, ends), (next_starts, _) in zip(spans, spans[1:], strict=False):
            if ends is None or ends > next_starts:
                found.append(
                    Problem(
                        field, f"Working hours overlap on {name.title()} at {next_starts:%H:%M}."
                    )
                )
    for hours in agreement.working_hours:
        if not 1 <= hours.weekday <= 7:
            found.append(Problem("working_hours", f"{hours.weekday} is not a weekday 1-7."))
    return found


def _follow_up_key(row: FollowUp) -> str:
    return DEFAULT_KEY if row.channel is None else row.channel


def _follow_up(rows: tuple[FollowUp, ...], channels: set[str] | None) -> list[Problem]:
    found = []
    defaults = sum(row.channel is None for row in rows)
    if defaults == 0:
        found.append(Problem("follow_up.default", "Add a default row for channels not listed."))
    elif defaults > 1:
        found.append(Problem("follow_up.default", "There is more than one default row."))
    named = Counter(row.channel for row in rows if row.channel is not None)
    for channel in sorted(name for name, count in named.items() if count > 1):
        found.append(Problem(f"follow_up.{channel}.channel", f"{channel} has more than one row."))
    for row in rows:
        found += _follow_up_row(row, channels)
    return found


def _follow_up_row(row: FollowUp, channels: set[str] | None) -> list[Problem]:
    field = f"follow_up.{_follow_up_key(row)}"
    found = []
    if row.channel is not None and channels is not None and row.channel not in channels:
        found.append(Problem(f"{field}.channel", _unknown_channel(row.channel)))
    if row.kind not in FOLLOW_UP_KINDS:
        found.append(
            Problem(f"{field}.kind", f"{row.kind!r} is not one of {', '.join(FOLLOW_UP_KINDS)}.")
        )
    if row.basis not in BASES:
        found.append(Problem(f"{field}.basis", f"{row.basis!r} is not working or calendar."))
    hours = row.response_hours
    if row.kind not in FOLLOW_UP_KINDS:
        return found  # whether a time is due depends on the kind
    if row.kind == NURTURE and hours is not None:
        found.append(
            Problem(f"{field}.response_hours", "Nurture has no response time; leave it empty.")
        )
    elif row.kind != NURTURE and (hours is None or not math.isfinite(hours) or hours <= 0):
        found.append(
            Problem(
                f"{field}.response_hours",
                f"A {row.kind} needs a response time above 0 hours"
                + ("." if hours is None else f", not {hours:g}."),
            )
        )
    return found


def _unknown_channel(channel: str) -> str:
    return f"{channel!r} is not a channel: no channel rule makes it."


def _targets(rows: tuple[Target, ...], channels: set[str] | None) -> list[Problem]:
    found = []
    seen = set()
    for index, row in enumerate(rows):
        field = f"targets.{index}"
        if row.month.day != 1:
            found.append(Problem(f"{field}.month", "A target's month starts on day 1."))
        if row.channel is not None and channels is not None and row.channel not in channels:
            found.append(Problem(f"{field}.channel", _unknown_channel(row.channel)))
        if row.metric not in TARGET_METRICS:
            found.append(Problem(f"{field}.metric", f"{row.metric!r} is not a target we measure."))
        found += _target_value(row, field)
        key = (row.month, row.channel, row.metric)
        if key in seen:
            found.append(Problem(f"{field}.metric", f"{row.metric} is set twice for this month."))
        seen.add(key)
    return found


def _target_value(row: Target, field: str) -> list[Problem]:
    if not math.isfinite(row.value):
        return [Problem(f"{field}.value", f"{row.value} is not a number.")]
    if row.metric in SHARE_METRICS and not 0 <= row.value <= 1:
        return [
            Problem(f"{field}.value", f"A share is between 0 and 1 (0.8 = 80%), not {row.value:g}.")
        ]
    if row.value < 0:
        return [Problem(f"{field}.value", f"A target cannot be negative ({row.value:g}).")]
    return []


CURRENCY_CODE = re.compile(r"[A-Z]{3}")
# DECIMAL(18,2), as the budgets are stored: amounts below 10^16, to the cent.
LARGEST_AMOUNT = 1e16


def _budgets(rows: tuple[Budget, ...], channels: set[str] | None) -> list[Problem]:
    found = []
    seen = set()
    for index, row in enumerate(rows):
        field = f"budgets.{index}"
        if row.month.day != 1:
            found.append(Problem(f"{field}.month", "A budget's month starts on day 1."))
        if not row.channel.strip():
            found.append(Problem(f"{field}.channel", "A budget is for one channel: name it."))
        elif channels is not None and row.channel not in channels:
            found.append(Problem(f"{field}.channel", _unknown_channel(row.channel)))
        found += _budget_amount(row.amount, f"{field}.amount")
        if row.currency is not None and not CURRENCY_CODE.fullmatch(row.currency):
            found.append(
                Problem(
                    f"{field}.currency",
                    f"{row.currency!r} is not a currency code of three capital letters such "
                    "as EUR; leave it empty for the data's currency.",
                )
            )
        key = (row.month, row.channel)
        if key in seen:
            found.append(
                Problem(f"{field}.channel", f"{row.channel} has two budgets for this month.")
            )
        seen.add(key)
    return found


def _budget_amount(amount: float, field: str) -> list[Problem]:
    if not math.isfinite(amount) or amount >= LARGEST_AMOUNT:
        return [Problem(field, f"{amount} is not an amount.")]
    if amount < 0:
        return [Problem(field, f"A budget cannot be negative ({amount:g}).")]
    if round(amount, 2) != amount:
        return [Problem(field, f"A budget is to the cent at most, not {amount:g}.")]
    return []
