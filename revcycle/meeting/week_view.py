"""Everything the weekly meeting shows for one week, gathered once: the page and the pack both
draw from ``gather``, so the screen and the file sent round afterwards never disagree."""

import datetime
from typing import NamedTuple

import duckdb
import pandas as pd

from revcycle import filter_values, periods
from revcycle.agreements import store, words
from revcycle.build import judged_by_sample_agreement
from revcycle.meeting import headline, leak, log, numbers, spend
from revcycle.meeting.headline import Sentence
from revcycle.meeting.leak import LeakReport
from revcycle.meeting.numbers import Quality
from revcycle.meeting.spend import SpendReport
from revcycle.meeting.week import Week, last_complete

# The weeks the charts show: this week and the twelve before, a quarter of context.
SERIES_WEEKS = 13
# The meeting's sections (SECTIONS, in the order the meeting goes through them: the anchors
# the headline's sentences link to), as their headings name them.
SECTIONS = headline.SECTIONS
SECTION_TITLES = {
    "tiles": "The week in numbers",
    "leak": "Where the funnel leaked",
    "breaches": "Follow-up breaches, by owner",
    "quality": "Lead quality",
    "spend": "Spend against budget",
    "actions": "Decisions and actions",
}
# For channels no lead or deal has (filter_values), on the page and in the pack: the sections
# that do not follow leads, and the sentence after filter_values.NOT_LEAD_SOURCES.
SPEND_ALONE_SECTIONS = ("spend", "actions")
SPEND_ALONE = (
    "The week's numbers, leaks, follow-up breaches and lead quality follow leads and deals by "
    "their source, so for {it} the meeting has the spend against the agreed budget, and the "
    "decisions and actions. {Its} share of the revenue is on Attribution."
)


class MeetingWeek(NamedTuple):
    """One week of the meeting; a number the uploads cannot measure is its part's own None,
    with the reason beside it."""

    week: Week
    scope: dict
    today: datetime.date
    completed_by_loads: str | None  # why the week counts as complete past its last event
    data_as_of: datetime.date | None  # the day of the latest lead loaded
    loaded_at: datetime.datetime | None
    is_sample: bool
    is_sample_agreement: bool  # a person's data judged by the sample's agreement (build.py)
    not_lead_sources: tuple[str, ...]  # the scope's channels no lead or deal has
    agreement_lines: list[str]  # the agreement in force on the week's Sunday, in words
    agreement_version: int | None
    tiles: pd.DataFrame
    series: pd.DataFrame  # one row per week, the SERIES_WEEKS up to this one
    leaks: LeakReport
    breaches: pd.DataFrame
    breach_leads: pd.DataFrame
    quality: Quality
    spend: SpendReport
    decisions: pd.DataFrame
    actions: pd.DataFrame
    review: pd.DataFrame  # older actions still open, overdue first
    headline: list[Sentence]


def freshness(query) -> tuple[datetime.date | None, datetime.datetime | None, bool]:
    """The day of the latest lead, when the data was loaded, and whether it is the sample."""
    row = query("metrics/data_freshness").iloc[0]
    as_of = None if pd.isna(row["last_lead_date"]) else pd.Timestamp(row["last_lead_date"]).date()
    loaded = None if pd.isna(row["loaded_at"]) else pd.Timestamp(row["loaded_at"]).to_pydatetime()
    return as_of, loaded, bool(row["is_sample"])


class OpeningWeeks(NamedTuple):
    """The week the meeting opens on, and the week the data's latest event is in (not over
    yet, its numbers still growing; no later week holds any)."""

    default: Week
    latest: Week

    @property
    def is_default_complete(self) -> bool:
        return self.default != self.latest


def opening_weeks(query, today: datetime.date) -> OpeningWeeks:
    """The meeting opens on the last complete ISO week of the data (of today, when nothing is
    loaded); while the data has no complete week (a first weekly export, Monday to Thursday),
    on the week it begins in, with its days so far, rather than on a week before the data."""
    complete = numbers.default_week(query) or last_complete(today)
    start = periods.funnel_start(query("metrics/data_period").iloc[0])
    if start is not None and complete.end < start.day:
        return OpeningWeeks(Week.containing(start.day), Week.containing(start.day))
    return OpeningWeeks(complete, complete.next())


def default_week(query, today: datetime.date) -> Week:
    """The week the meeting opens on (opening_weeks)."""
    return opening_weeks(query, today).default


def _agreement(con: duckdb.DuckDBPyConnection, week: Week) -> tuple[list[str], int | None]:
    version = store.in_force_on(con, week.end)
    if version is None:
        return ["No agreement is saved yet: every lead is judged by the default."], None
    return words.describe(version), version.number


def gather(query, con: duckdb.DuckDBPyConnection, week: Week, scope: dict, today) -> MeetingWeek:
    """Everything of ``week`` in ``scope`` (channels, owners, segments: lists or None).

    ``query`` runs a named query (the page's cached runner, or ``db.execute`` bound to
    ``con``); ``con`` reads the agreement and the decisions log; ``today`` decides which
    actions are overdue.
    """
    as_of, loaded_at, is_sample = freshness(query)
    agreement_lines, agreement_version = _agreement(con, week)
    series = numbers.weekly_series(query, week, scope, SERIES_WEEKS)
    tiles = numbers.week_tiles(query, week, scope, series)
    leaks = leak.find_leaks(query, week, scope)
    breaches = numbers.breaches_by_owner(query, week, scope)
    mqls_unknown = tiles.set_index("metric").at["mqls", "cannot_measure"]
    quality = numbers.lead_quality(query, week, scope, mqls_unknown)
    review = log.review_actions(con, week, today)
    overdue = int(review["is_overdue"].sum())
    other_channels = filter_values.not_lead_sources(query)
    return MeetingWeek(
        week=week,
        scope=dict(scope),
        today=today,
        completed_by_loads=numbers.completed_by_loads(query, week),
        data_as_of=as_of,
        loaded_at=loaded_at,
        is_sample=is_sample,
        is_sample_agreement=judged_by_sample_agreement(con),
        not_lead_sources=tuple(
            channel for channel in scope.get("channels") or () if channel in other_channels
        ),
        agreement_lines=agreement_lines,
        agreement_version=agreement_version,
        tiles=tiles,
        series=series,
        leaks=leaks,
        breaches=breaches,
        breach_leads=numbers.breach_leads(query, week, scope),
        quality=quality,
        spend=spend.report(query, week, scope, SERIES_WEEKS),
        decisions=log.decisions(con, week),
        actions=log.actions(con, week),
        review=review,
        headline=headline.headline(tiles, leaks, breaches, quality, overdue),
    )
