"""The meeting's numbers as the page and the pack both write them, so a tile reads the same on
the shared screen and in the file sent round afterwards."""

from revcycle.agreements.status import blank as missing
from revcycle.rounding import grouped

# Signs people read at a glance; any other currency is written as its code ("BRL 1,200").
SIGNS = {"EUR": "€", "USD": "$", "GBP": "£"}
STATUS_SIGN = {"green": "🟢", "amber": "🟠", "red": "🔴"}

__all__ = [
    "missing",
    "value",
    "rate",
    "share_of_target",
    "against_target",
    "rate_targets",
    "days_of",
    "first_contact_after",
]


def value(number, unit: str, currency: str | None = None, whole: bool = False) -> str:
    """A tile's number: "1,234", "€84,120.50", "BRL 84,120.50", "93%"; "–" when there is none.
    Money is to the cent, as booked, so the week's revenue reconciles with the deals export on
    the screen; ``whole`` rounds it to whole units (a target: "€30,000")."""
    if missing(number):
        return "–"
    if unit == "share":
        return rate(number)
    number = float(number)
    if unit != "money" and not number.is_integer():  # a 4-week average of counts: 0.5, not 0
        return f"{number:,.1f}"
    # Half away from zero, as a person rounds (Python's round takes 0.5 to 0 and 2.5 to 2).
    if unit != "money":
        return grouped(number, 0)
    written = grouped(number, 0 if whole else 2)
    if missing(currency):
        return written
    return f"{SIGNS[currency]}{written}" if currency in SIGNS else f"{currency} {written}"


def rate(number) -> str:
    """A share or a conversion rate: "41%", or "–"."""
    return "–" if missing(number) else f"{round(float(number), 3) + 0.0:.0%}"


def share_of_target(tile) -> str:
    """ "104% of target", or "" where the tile has no status (no target, or no number)."""
    return "" if missing(tile.share_of_target) else f"{tile.share_of_target:.0%} of target"


def against_target(tile) -> str:
    """A tile row's line against its target: "🟢 104% of target · target 1,200", or
    "no target" where the agreement sets none for the week."""
    if missing(tile.weekly_target):
        return "no target"
    sign = f"{STATUS_SIGN[tile.target_status]} " if tile.target_status in STATUS_SIGN else ""
    share = share_of_target(tile)
    target = value(tile.weekly_target, tile.unit, tile.currency, whole=True)
    return f"{sign}{share + ' · ' if share else ''}target {target}"


def rate_targets(rows) -> list[str]:
    """Each row's rate against its ``acceptance_target`` with its ``target_status`` colour:
    "🟢 target 70%", or "" where none is agreed."""
    return [
        "" if missing(target) else f"{STATUS_SIGN.get(status, '')} target {rate(target)}".strip()
        for target, status in zip(rows["acceptance_target"], rows["target_status"], strict=True)
    ]


def days_of(week) -> str:
    """ "Mon 16 Nov – Sun 22 Nov 2026"; the Monday's year too when the week spans two."""
    first = "%a %d %b %Y" if week.start.year != week.end.year else "%a %d %b"
    return f"{week.start:{first}} – {week.end:%a %d %b %Y}"


def first_contact_after(hours, earliest_hours, still_waiting: bool) -> str:
    """A breach lead's time to first contact: "30.0 h", "3.2 days", "still waiting", or for a
    contact or creation dated by its day alone "over 13.0 h (the export gives the day, not the
    hour)"."""
    if still_waiting:
        return "still waiting"
    if missing(hours):
        return f"over {_hours(earliest_hours)} (the export gives the day, not the hour)"
    return _hours(hours)


def _hours(hours) -> str:
    hours = float(hours)
    return f"{hours:.1f} h" if hours < 48 else f"{hours / 24:.1f} days"
