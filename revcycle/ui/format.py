"""Numbers as a meeting reads them, and uploaded text as plain text."""

import math
import re
from datetime import datetime


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def euros(value) -> str:
    """€1,234,567 — whole euros for tiles; exact cents stay in the tables."""
    return "–" if _missing(value) else f"€{float(value):,.0f}"


def count(value) -> str:
    return "–" if _missing(value) else f"{int(value):,}"


def percent(value) -> str:
    return "–" if _missing(value) else f"{float(value):.1%}"


def hours(value) -> str:
    if _missing(value):
        return "–"
    return f"{value:.1f} h" if value < 48 else f"{value / 24:.1f} days"


def change(current, previous) -> str | None:
    """Relative change against the previous period, for st.metric's delta; None if unknown."""
    if _missing(current) or _missing(previous) or float(previous) == 0:
        return None
    return f"{(float(current) - float(previous)) / abs(float(previous)):+.1%}"


def ago(moment: datetime, now: datetime | None = None) -> str:
    """ "2 days ago", "3 hours ago", "just now" — how long since ``moment``."""
    seconds = ((now or datetime.now()) - moment).total_seconds()
    for unit, size in (("day", 86_400), ("hour", 3_600), ("minute", 60)):
        if seconds >= size:
            count = int(seconds // size)
            return f"{count} {unit}{'s' if count != 1 else ''} ago"
    return "just now"


# ASCII punctuation: CommonMark lets a backslash make any of it literal.
_MARKDOWN_SIGNS = re.compile(r"([!-/:-@\[-`{-~])")


def plain(text: str) -> str:
    """``text`` from an upload or a link, made literal inside a Markdown string."""
    return _MARKDOWN_SIGNS.sub(r"\\\1", text)
