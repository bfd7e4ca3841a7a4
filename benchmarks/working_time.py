"""The benchmark's agreement, and working time recomputed per lead with plain pandas and numpy.

The build measures each lead's follow-up in SQL (queries/marts/working_time_calendar.sql and
funnel_revenue.sql). Here the same definitions are written a second way — spans from the
``holidays`` package and the agreement's own values, ``numpy.searchsorted`` for "working seconds
since the calendar began" — so the pandas reference of the follow-up metrics starts from its
own per-lead hours, and a mistake in the SQL shows as a disagreement.
"""

import datetime
from dataclasses import replace

import holidays
import numpy as np
import pandas as pd

from revcycle.agreements.model import (
    Agreement,
    ClosingDay,
    FollowUp,
    default_agreement,
    follow_up_for,
)

# Columns the pandas version recomputes and the reference then reads in place of the mart's.
RECOMPUTED = ["follow_up_kind", "hours_to_first_contact", "is_within_agreed_time"]


def bench_agreements(first_day: datetime.date, change_day: datetime.date) -> list[Agreement]:
    """Two versions, as a team might agree them: working-hour rules for the fast channels, a
    nurture channel, NL holidays and a closing day; the second tightens the contact form from 4
    to 1 working hour on ``change_day``."""
    first = replace(
        default_agreement("Europe/Amsterdam"),
        effective_from=first_day,
        marketing_name="Marketing",
        sales_name="Sales",
        country="NL",
        closing_days=(ClosingDay(datetime.date(first_day.year, 12, 24), "Christmas closing"),),
        follow_up=(
            FollowUp(None, "call", 24.0, "calendar"),
            FollowUp("Content marketing", "nurture", None, "working"),
            FollowUp("Paid search", "call", 8.0, "working"),
            FollowUp("Website contact form", "call", 4.0, "working"),
            FollowUp("Trade show", "call", 16.0, "working"),
        ),
    )
    tightened = tuple(
        replace(rule, response_hours=1.0) if rule.channel == "Website contact form" else rule
        for rule in first.follow_up
    )
    return [first, replace(first, effective_from=change_day, follow_up=tightened)]


def instant_seconds(stamps: pd.Series | pd.DatetimeIndex, zone: str) -> np.ndarray:
    """Naive wall times in ``zone`` as seconds since 1970 UTC (NaN for none); a time the clocks
    skip is read an hour on and a repeated one as standard time, as DuckDB's ICU reads them."""
    local = pd.DatetimeIndex(stamps).tz_localize(
        zone, ambiguous=np.zeros(len(stamps), dtype=bool), nonexistent=pd.Timedelta(hours=1)
    )
    seconds = local.as_unit("us").asi8.astype(float) / 1e6
    return np.where(local.isna(), np.nan, seconds)


class Calendar:
    """One version's working spans as arrays: start second, length, seconds before."""

    def __init__(self, agreement: Agreement, first: datetime.date, last: datetime.date):
        days = pd.date_range(first, last, freq="D")
        off = {closing.day for closing in agreement.closing_days}
        if agreement.country:
            years = range(first.year, last.year + 1)
            off |= set(holidays.country_holidays(agreement.country, years=years))
        starts, ends = [], []
        for span in agreement.working_hours:
            chosen = days[(days.isocalendar().day == span.weekday).to_numpy()]
            chosen = chosen[[day.date() not in off for day in chosen]]
            starts.append(chosen + pd.Timedelta(hours=span.starts.hour, minutes=span.starts.minute))
            end = span.ends or datetime.time(0)
            ends.append(
                chosen
                + pd.Timedelta(days=0 if span.ends else 1, hours=end.hour, minutes=end.minute)
            )
        start_seconds = instant_seconds(
            pd.DatetimeIndex(np.concatenate(starts)), agreement.time_zone
        )
        end_seconds = instant_seconds(pd.DatetimeIndex(np.concatenate(ends)), agreement.time_zone)
        order = np.argsort(start_seconds)
        self.starts = start_seconds[order]
        self.lengths = (end_seconds - start_seconds)[order]
        self.before = np.concatenate([[0.0], np.cumsum(self.lengths)[:-1]])

    def working_second(self, seconds: np.ndarray) -> np.ndarray:
        """Working seconds since the calendar began at each instant (NaN stays NaN)."""
        index = np.searchsorted(self.starts, np.nan_to_num(seconds, nan=-np.inf), "right") - 1
        at = np.clip(index, 0, None)
        passed = np.minimum(seconds - self.starts[at], self.lengths[at])
        # Before the first span no working time has passed; no instant (NaN) stays unknown.
        return np.where(
            np.isnan(seconds), np.nan, np.where(index < 0, 0.0, self.before[at] + passed)
        )

    def deadline(self, working_second: np.ndarray) -> np.ndarray:
        """The instant the working seconds reach ``working_second`` (NaN where they do not)."""
        index = np.searchsorted(self.before, np.nan_to_num(working_second, nan=-np.inf), "left")
        at = np.clip(index - 1, 0, None)
        into = working_second - self.before[at]
        inside = (index > 0) & (into <= self.lengths[at])
        return np.where(inside, self.starts[at] + into, np.nan)


def _version_index(created: pd.Series, agreements: list[Agreement]) -> np.ndarray:
    """Each lead's version: the latest in force on its creation date; before the first, the
    first."""
    effective = np.array([agreement.effective_from for agreement in agreements], "datetime64[D]")
    days = created.to_numpy().astype("datetime64[D]")
    return np.clip(np.searchsorted(effective, days, "right") - 1, 0, None)


def _judge(rule: FollowUp, calendar: Calendar, created: np.ndarray, contacted: np.ndarray):
    """Hours to first contact in the rule's basis, and the deadline's instant, for some leads."""
    if rule.basis == "working":
        created, contacted = calendar.working_second(created), calendar.working_second(contacted)
    hours = (contacted - created) / 3600
    if rule.response_hours is None:
        return hours, np.full(len(created), np.nan)
    target = created + rule.response_hours * 3600
    return hours, calendar.deadline(target) if rule.basis == "working" else target


def _latest_creations(funnel: pd.DataFrame, data_zone: str) -> tuple[np.ndarray, np.ndarray]:
    """Per row, whether its upload gives the day of creation alone (every creation of it a
    midnight), and the latest instant the lead can have come in: the end of that day, else
    its creation."""
    created_at = funnel["created_at"]
    midnight = (created_at == created_at.dt.normalize()).groupby(funnel["upload_id"])
    day_alone = midnight.transform("all").fillna(False).to_numpy(dtype=bool, copy=True)
    day_alone &= funnel["has_lead"].to_numpy(dtype=bool)
    latest = created_at.mask(day_alone, created_at + pd.Timedelta(days=1))
    return day_alone, instant_seconds(latest, data_zone)


def with_working_time(
    funnel: pd.DataFrame, agreements: list[Agreement], data_zone: str, data_as_of: pd.Timestamp
) -> pd.DataFrame:
    """``funnel`` with RECOMPUTED worked out again from each lead's creation, first contact,
    channel and the agreements (oldest first)."""
    created_at, contacted_at = funnel["created_at"], funnel["first_contacted_at"]
    # A contact dated by its day alone, on the creation day or later: contacted by the end of
    # that day, and at the earliest at its start (or the creation, on that day).
    hour_unknown = (
        (contacted_at == contacted_at.dt.normalize())
        & (contacted_at.dt.normalize() >= created_at.dt.normalize())
    ).to_numpy()
    contacted_by = contacted_at.mask(hour_unknown, contacted_at + pd.Timedelta(days=1))
    contacted_from = instant_seconds(np.maximum(contacted_at, created_at), data_zone)
    created = instant_seconds(created_at, data_zone)
    contacted = instant_seconds(contacted_by, data_zone)
    as_of = instant_seconds(pd.DatetimeIndex([data_as_of]), data_zone)[0]
    creation_unknown, created_by = _latest_creations(funnel, data_zone)
    # The earliest the contact can have been (the start of its day when only the day is
    # known), and the latest the lead can have come in before it.
    earliest_contact = np.where(hour_unknown, contacted_from, contacted)
    latest_creation = np.fmin(created_by, np.where(np.isnan(contacted), as_of, earliest_contact))
    first = (created_at.min() - pd.Timedelta(days=2)).date()
    last = (data_as_of + pd.Timedelta(days=366)).date()
    leads = funnel["has_lead"].to_numpy(dtype=bool)
    version = _version_index(created_at, agreements)
    channel = funnel["channel"].to_numpy()
    kind = np.full(len(funnel), None, dtype=object)
    hours, deadline = np.full(len(funnel), np.nan), np.full(len(funnel), np.nan)
    hours_from = np.full(len(funnel), np.nan)
    agreed = np.full(len(funnel), np.nan)
    for number, agreement in enumerate(agreements):
        calendar = Calendar(agreement, first, last)
        in_version = leads & (version == number)
        for name in pd.unique(channel[in_version]):
            rows = in_version & (channel == name)
            rule = follow_up_for(agreement, name)
            kind[rows] = rule.kind
            agreed[rows] = np.nan if rule.response_hours is None else rule.response_hours
            hours[rows] = _judge(rule, calendar, created[rows], contacted[rows])[0]
            hours_from[rows], deadline[rows] = _judge(
                rule, calendar, latest_creation[rows], earliest_contact[rows]
            )
    before_created = (contacted_at < created_at).to_numpy() & ~hour_unknown
    within = pd.array([pd.NA] * len(funnel), dtype="boolean")
    is_contacted = contacted_at.notna().to_numpy() & ~before_created
    within[is_contacted & (hours_from > agreed)] = False  # late even at the least
    within[is_contacted & (hours <= agreed)] = True  # in time even at the most; else unknown
    hours[before_created | hour_unknown | creation_unknown] = np.nan
    late = ~contacted_at.notna().to_numpy() & funnel["has_contact_data"].fillna(False).to_numpy(
        dtype=bool
    )
    late &= deadline < as_of
    within[late] = False
    within[kind == "nurture"] = pd.NA
    return funnel.assign(
        follow_up_kind=kind, hours_to_first_contact=hours, is_within_agreed_time=within
    )
