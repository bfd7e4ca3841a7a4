"""Period arithmetic shared by the pages and the tests."""

from datetime import date, timedelta


def previous_period(start: date, end: date) -> tuple[date, date]:
    """The period of the same length that ends the day before ``start``."""
    length = end - start
    previous_end = start - timedelta(days=1)
    return previous_end - length, previous_end
