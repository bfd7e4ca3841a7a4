"""Everything the weekly meeting shows for one week, gathered once: the page and the pack both
draw from ``gather``, so the screen and the file sent round afterwards never disagree."""

import datetime
import importlib
from types import ModuleType
from typing import Any, NamedTuple

import duckdb
import pandas as pd

from revcycle.agreements import store, words
from revcycle.meeting.week import Week, last_complete

# The weeks the charts show: this week and the twelve before, a quarter of context.
SERIES_WEEKS = 13
# The meeting's sections, in the order the meeting goes through them; the headline's
# sentences name one each (revcycle.meeting.headline.SECTIONS) and link to it.
SECTIONS = ("tiles", "leak", "breaches", "quality", "actions")
SECTION_TITLES = {
    "tiles": "The week in numbers",
    "leak": "Where the funnel leaked",
    "breaches": "Follow-up breaches, by owner",
    "quality": "Lead quality",
    "actions": "Decisions and actions",
}
# What a part of the meeting that is not in this build yet shows instead of numbers.
NOT_BUILT = "Not built yet: this part of the meeting comes in a later version of Revcycle."


def _part(name: str) -> ModuleType | None:
    """The meeting's part ``name`` (one of PARTS), or None while this build lacks it: the page
    and the pack then say "not built yet" instead of showing made-up numbers."""
    try:
        return importlib.import_module(f"revcycle.meeting.{name}")
    except ModuleNotFoundError as missing:
        if missing.name != f"revcycle.meeting.{name}":
            raise  # a part that is there but fails to import is a bug, not a missing part
        return None


PARTS = ("numbers", "leak", "log", "headline")


class MeetingWeek(NamedTuple):
    """One week of the meeting. A part this build does not have yet is None, and named in
    ``not_built``; a number the uploads cannot measure is the part's own None with a reason."""

    week: Week
    scope: dict
    today: datetime.date
    data_as_of: datetime.date | None  # the day of the latest lead loaded
    loaded_at: datetime.datetime | None
    is_sample: bool
    agreement_lines: list[str]  # the agreement in force on the week's Sunday, in words
    agreement_version: int | None
    tiles: pd.DataFrame | None
    series: pd.DataFrame | None  # one row per week, the SERIES_WEEKS up to this one
    leaks: Any  # revcycle.meeting.leak.LeakReport
    breaches: pd.DataFrame | None
    breach_leads: pd.DataFrame | None
    quality: Any  # revcycle.meeting.numbers.Quality
    decisions: pd.DataFrame | None
    actions: pd.DataFrame | None
    review: pd.DataFrame | None  # older actions still open, overdue first
    headline: list  # revcycle.meeting.headline.Sentence
    not_built: tuple[str, ...]


def freshness(query) -> tuple[datetime.date | None, datetime.datetime | None, bool]:
    """The day of the latest lead, when the data was loaded, and whether it is the sample."""
    row = query("metrics/data_freshness").iloc[0]
    as_of = None if pd.isna(row["last_lead_date"]) else pd.Timestamp(row["last_lead_date"]).date()
    loaded = None if pd.isna(row["loaded_at"]) else pd.Timestamp(row["loaded_at"]).to_pydatetime()
    return as_of, loaded, bool(row["is_sample"])


def default_week(query, today: datetime.date) -> Week:
    """The week the meeting opens on: the last complete ISO week of the data (of today, when
    nothing is loaded)."""
    numbers = _part("numbers")
    found = numbers.default_week(query) if numbers is not None else None
    return found or last_complete(today)


def _agreement(con: duckdb.DuckDBPyConnection, week: Week) -> tuple[list[str], int | None]:
    version = store.in_force_on(con, week.end)
    if version is None:
        return ["No agreement is saved yet: every lead is judged by the default."], None
    return words.describe(version), version.number


def _numbers(query, week: Week, scope: dict) -> dict:
    numbers = _part("numbers")
    if numbers is None:
        return {}
    return {
        "tiles": numbers.week_tiles(query, week, scope),
        "series": query("metrics/weekly_numbers", end_date=week.end, weeks=SERIES_WEEKS, **scope),
        "breaches": numbers.breaches_by_owner(query, week, scope),
        "breach_leads": numbers.breach_leads(query, week, scope),
        "quality": numbers.lead_quality(query, week, scope),
    }


def _log(con: duckdb.DuckDBPyConnection, week: Week, today: datetime.date) -> dict:
    log = _part("log")
    if log is None:
        return {}
    return {
        "decisions": log.decisions(con, week),
        "actions": log.actions(con, week),
        "review": log.review_actions(con, week, today),
    }


def _headline(parts: dict, today: datetime.date) -> list:
    headline = _part("headline")
    if headline is None or parts.get("tiles") is None:
        return []
    review = parts.get("review")
    overdue = 0 if review is None else int(review["is_overdue"].sum())
    return headline.headline(
        parts["tiles"],
        parts.get("leaks"),
        parts.get("breaches"),
        parts.get("quality"),
        overdue,
    )


def gather(query, con: duckdb.DuckDBPyConnection, week: Week, scope: dict, today) -> MeetingWeek:
    """Everything of ``week`` in ``scope`` (channels, owners, segments: lists or None).

    ``query`` runs a named query (the page's cached runner, or ``db.execute`` bound to
    ``con``); ``con`` reads the agreement and the decisions log; ``today`` decides which
    actions are overdue.
    """
    as_of, loaded_at, is_sample = freshness(query)
    agreement_lines, agreement_version = _agreement(con, week)
    leak = _part("leak")
    parts = {
        **_numbers(query, week, scope),
        **_log(con, week, today),
        "leaks": None if leak is None else leak.find_leaks(query, week, scope),
    }
    built = {name: _part(name) is not None for name in PARTS}
    return MeetingWeek(
        week=week,
        scope=dict(scope),
        today=today,
        data_as_of=as_of,
        loaded_at=loaded_at,
        is_sample=is_sample,
        agreement_lines=agreement_lines,
        agreement_version=agreement_version,
        tiles=parts.get("tiles"),
        series=parts.get("series"),
        leaks=parts["leaks"],
        breaches=parts.get("breaches"),
        breach_leads=parts.get("breach_leads"),
        quality=parts.get("quality"),
        decisions=parts.get("decisions"),
        actions=parts.get("actions"),
        review=parts.get("review"),
        headline=_headline(parts, today),
        not_built=tuple(name for name, is_built in built.items() if not is_built),
    )
