"""Numbers as a meeting reads them, and uploaded text as plain text."""

import math
import re
from datetime import UTC, datetime

import numpy as np
import pandas as pd

from revcycle import rounding


def _missing(value) -> bool:
    # pd.NA too: a nullable integer column's unknown (a count the data cannot give).
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))


def count(value) -> str:
    return "–" if _missing(value) else f"{int(value):,}"


def count_in_part(value) -> str:
    """A count that may hold parts (deals a model credits in part to the channels shown):
    whole when it is ("12"), else to two decimals ("0.67"), never rounded to a whole one."""
    if _missing(value):
        return "–"
    whole = round(value)
    return f"{whole:,}" if abs(value - whole) < 0.005 else f"{value:,.2f}"


def grouped(value, decimals: int = 0) -> str:
    """1,234.5: a number with its thousands grouped, to ``decimals`` places, rounded as every
    amount shown is (revcycle.rounding)."""
    return "–" if _missing(value) else rounding.grouped(value, decimals)


def whole_number(value) -> str:
    """1,234,568: an amount in whole units, for a table whose header names the currency."""
    return grouped(value, 0)


def to_the_cent(value) -> str:
    """1,234.50: an amount to the cent, for a table whose header names the currency."""
    return grouped(value, 2)


def multiple(value) -> str:
    """A ratio of two amounts, to the cent of the unit: "3.42" (won per euro spent)."""
    return grouped(value, 2)


def percent(value) -> str:
    return "–" if _missing(value) else f"{rounding.as_shown(value, 3):.1%}"


def days(value) -> str:
    return "–" if _missing(value) else f"{rounding.as_shown(value, 0):,.0f} days"


def moment(value) -> str:
    """2026-03-12 14:05: the narrowest readable form, so a table of them fits a laptop."""
    return "–" if _missing(value) or value is pd.NaT else f"{value:%Y-%m-%d %H:%M}"


def probability(value) -> str:
    """A p-value: "0.032", "<0.001"."""
    if _missing(value):
        return "–"
    return "<0.001" if float(value) < 0.001 else f"{float(value):.3f}"


def day(value) -> str:
    """Sun 22 Nov 2026: a due date as a person says it."""
    return "–" if _missing(value) or value is pd.NaT else f"{pd.Timestamp(value):%a %d %b %Y}"


def text(value) -> str:
    """A table cell of text: "yes"/"no" for a flag, "–" for nothing."""
    if _missing(value) or value is pd.NA:
        return "–"
    if isinstance(value, bool | np.bool_):
        return "yes" if value else "no"
    return str(value)


def hours(value) -> str:
    if _missing(value):
        return "–"
    return f"{value:.1f} h" if value < 48 else f"{value / 24:.1f} days"


def points(current, previous) -> str | None:
    """Change of a share against the previous period in percentage points, "+2.4 pts";
    a relative change of a share (30% to 33% is "+10%") reads as a far bigger move."""
    if _missing(current) or _missing(previous):
        return None
    return f"{rounding.as_shown((float(current) - float(previous)) * 100, 1):+.1f} pts"


def change(current, previous) -> str | None:
    """Relative change against the previous period, for st.metric's delta; None if unknown."""
    if _missing(current) or _missing(previous) or float(previous) == 0:
        return None
    return f"{(float(current) - float(previous)) / abs(float(previous)):+.1%}"


def ago(moment: datetime, now: datetime | None = None) -> str:
    """ "2 days ago", "3 hours ago", "just now" — how long from the instant ``moment`` to the
    instant ``now`` (this one by default), both aware datetimes. Python subtracts two of one
    time zone as wall clocks, an hour off across a clock change: both are taken to UTC first."""
    now = now or datetime.now(UTC)
    if moment.tzinfo is None or now.tzinfo is None:
        raise ValueError(f"ago measures between instants, not wall times: {moment!r}, {now!r}")
    seconds = (now.astimezone(UTC) - moment.astimezone(UTC)).total_seconds()
    for unit, size in (("day", 86_400), ("hour", 3_600), ("minute", 60)):
        if seconds >= size:
            count = int(seconds // size)
            return f"{count} {unit}{'s' if count != 1 else ''} ago"
    return "just now"


# ASCII punctuation: CommonMark lets a backslash make any of it literal.
_MARKDOWN_SIGNS = re.compile(r"([!-/:-@\[-`{-~])")
# Streamlit's Markdown (GitHub's flavour) turns text that looks like a URL or an email address
# into a link after parsing, so escaping its signs does not stop it. A word joiner (U+2060:
# invisible, and no letter) inside each trigger does: after "http", "https", "www" and "@".
_AUTOLINK_TRIGGERS = re.compile(r"(https?(?=:)|www(?=\.)|@)", re.IGNORECASE)
WORD_JOINER = "\u2060"


def plain(text: str) -> str:
    """``text`` from an upload or a link, made literal inside a Markdown string: no sign in it
    formats, and no URL or email address in it becomes a link."""
    return _MARKDOWN_SIGNS.sub(r"\\\1", _AUTOLINK_TRIGGERS.sub(rf"\1{WORD_JOINER}", text))


def follow_up_rule(kind: str, response_hours, basis: str) -> str:
    """An agreed follow-up in words: "call within 4 working hours", "nurture (no response
    time)"."""
    if kind == "nurture" or _missing(response_hours):
        return f"{kind} (no response time)"
    unit = "hour" if float(response_hours) == 1 else "hours"
    return f"{kind} within {float(response_hours):g} {basis} {unit}"


def agreement_version(number, effective_from) -> str:
    """Which agreement a figure is judged by: "agreement v2, from 1 Jun 2026"."""
    if _missing(number) or int(number) == 0:
        return "no agreement saved yet: the default"
    return f"agreement v{int(number)}, from {pd.Timestamp(effective_from):%-d %b %Y}"
