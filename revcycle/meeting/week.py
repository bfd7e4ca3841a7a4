"""The ISO week the weekly meeting looks at: Monday to Sunday, named like "2026-W47"."""

import datetime
import re
from dataclasses import dataclass

_LABEL = re.compile(r"^\s*(\d{4})-?W(\d{1,2})\s*$", re.IGNORECASE)


@dataclass(frozen=True, order=True)
class Week:
    """One ISO week; ``Week(2026, 47)`` runs from Monday 16 to Sunday 22 November 2026."""

    year: int
    number: int

    def __post_init__(self):
        # Four digits, and room for the week after: a label reads back as the same week, and
        # "next" never leaves the calendar Python counts.
        if not 1000 <= self.year <= 9998:
            raise ValueError(f"{self.year} is no year the meeting shows: use 1000 to 9998.")
        # ISO years have 52 or 53 weeks: the 28th of December is always in the last one.
        last = datetime.date(self.year, 12, 28).isocalendar().week
        if not 1 <= self.number <= last:
            raise ValueError(
                f"{self.year} has weeks 1 to {last}, so there is no week {self.number}."
            )

    @property
    def start(self) -> datetime.date:
        """The week's Monday."""
        return datetime.date.fromisocalendar(self.year, self.number, 1)

    @property
    def end(self) -> datetime.date:
        """The week's Sunday (the last day, included)."""
        return datetime.date.fromisocalendar(self.year, self.number, 7)

    @property
    def label(self) -> str:
        """ "2026-W47", as the URL and the pack's file name carry it."""
        return f"{self.year}-W{self.number:02d}"

    def previous(self) -> "Week":
        return Week.containing(self.start - datetime.timedelta(days=7))

    def next(self) -> "Week":
        return Week.containing(self.start + datetime.timedelta(days=7))

    def minus(self, weeks: int) -> "Week":
        """The week ``weeks`` weeks before this one."""
        return Week.containing(self.start - datetime.timedelta(days=7 * weeks))

    @classmethod
    def containing(cls, day: datetime.date) -> "Week":
        """The ISO week ``day`` (a date or a datetime) falls in."""
        year, number, _ = day.isocalendar()
        return cls(year, number)

    @classmethod
    def parse(cls, text: str) -> "Week":
        """ "2026-W47" (also "2026W47", "2026-w7") as a Week; ValueError with a sentence
        naming the text otherwise."""
        found = _LABEL.match(text or "")
        if found is None:
            raise ValueError(
                f"“{text}” is not a week: write the ISO year and week number like 2026-W47."
            )
        return cls(int(found.group(1)), int(found.group(2)))

    def __str__(self) -> str:
        return self.label


def last_complete(data_as_of: datetime.datetime | datetime.date) -> Week:
    """The latest ISO week whose Sunday is before the day of ``data_as_of`` (the data's
    latest event): data up to a Sunday evening does not yet make that week complete, as
    events of that Sunday may still arrive; from Monday on it does."""
    day = data_as_of.date() if isinstance(data_as_of, datetime.datetime) else data_as_of
    return last_ending_by(day - datetime.timedelta(days=1))


def last_ending_by(day: datetime.date) -> Week:
    """The latest ISO week whose Sunday is ``day`` or before it."""
    return Week.containing(day + datetime.timedelta(days=1)).previous()
