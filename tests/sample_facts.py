"""Facts about the bundled sample computed straight from its CSV files, with no SQL.

The app tests compare what the dashboard shows with these independent counts.
"""

import csv
import re
from datetime import date, datetime, timedelta
from functools import cache
from types import MappingProxyType

from revcycle.paths import CHANNEL_RULES_CSV, SAMPLE_DIR

DEFAULT_WEEKS = 12  # the dashboard's default period: the last 12 weeks with data


# Read once a process, as read-only rows: the tests without a browser read a file 89 times a
# run, and parsing the 20,000 leads again each time cost about 0.3 s a question.
@cache
def _rows(name: str) -> tuple[MappingProxyType, ...]:
    with (SAMPLE_DIR / name).open(newline="", encoding="utf-8") as handle:
        return tuple(MappingProxyType(row) for row in csv.DictReader(handle))


@cache
def _day(text: str) -> date:
    return datetime.strptime(text, "%Y-%m-%d %H:%M:%S").date()


def _source_key(source: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", source.strip().lower())


@cache
def channel_by_source_key() -> dict[str, str]:
    with CHANNEL_RULES_CSV.open(newline="", encoding="utf-8") as handle:
        return {_source_key(row["source"]): row["channel"] for row in csv.DictReader(handle)}


def channel_of(lead: dict) -> str:
    if not lead["channel"].strip():
        return "(unknown)"
    return channel_by_source_key().get(_source_key(lead["channel"]), "(unmapped)")


@cache
def last_day_with_data() -> date:
    """The last day of any lead creation, deal creation or deal win in the sample."""
    days = [_day(lead["created_at"]) for lead in _rows("leads.csv")]
    for deal in _rows("deals.csv"):
        days.append(_day(deal["created_at"]))
        if deal["stage"] == "Closed Won":
            days.append(_day(deal["closed_at"]))
    return max(days)


def default_period() -> tuple[date, date]:
    end = last_day_with_data()
    return end - timedelta(days=7 * DEFAULT_WEEKS - 1), end


def count_leads(
    channel: str | None = None,
    owner: str | None = None,
    period: tuple[date, date] | None = None,
) -> int:
    """Leads created in ``period`` (default: the default period), of a channel and owner."""
    start, end = period or default_period()
    return sum(
        1
        for lead in _rows("leads.csv")
        if start <= _day(lead["created_at"]) <= end
        and (channel is None or channel_of(lead) == channel)
        and (owner is None or (lead["owner"] or "(unassigned)") == owner)
    )


def count_never_contacted(channel: str | None = None) -> int:
    """Leads created in the default period with no first contact, optionally of a channel."""
    start, end = default_period()
    return sum(
        1
        for lead in _rows("leads.csv")
        if start <= _day(lead["created_at"]) <= end
        and not lead["first_contacted_at"]
        and (channel is None or channel_of(lead) == channel)
    )


def _channel_of_deal() -> dict[str, str]:
    """Deal id -> channel: the lead by lead_id, else the earliest lead with the email."""
    leads = _rows("leads.csv")
    by_id = {lead["lead_id"]: lead for lead in leads}
    by_email: dict[str, dict] = {}
    for lead in sorted(leads, key=lambda row: row["created_at"]):
        if lead["email"]:
            by_email.setdefault(lead["email"].lower(), lead)
    channels = {}
    for deal in _rows("deals.csv"):
        lead = by_id.get(deal["lead_id"]) or by_email.get(deal["email"].lower())
        channels[deal["deal_id"]] = channel_of(lead) if lead else "(no lead)"
    return channels


def won_revenue_cents(channel: str | None = None, period: tuple[date, date] | None = None) -> int:
    """Cents won by deals closed in ``period`` (default: the default period), optionally of one
    channel's leads."""
    start, end = period or default_period()
    channels = _channel_of_deal()
    return sum(
        round(float(deal["amount"]) * 100)
        for deal in _rows("deals.csv")
        if deal["stage"] == "Closed Won"
        and start <= _day(deal["closed_at"]) <= end
        and (channel is None or channels[deal["deal_id"]] == channel)
    )


def channels() -> set[str]:
    """Every channel the sample's leads come from."""
    return {channel_of(lead) for lead in _rows("leads.csv")}


def count_deals() -> int:
    """The rows of the deals' file: every deal, won, lost or open."""
    return len(_rows("deals.csv"))


def count_deals_without_owner() -> int:
    """Deals with a blank owner (one without a lead would be shown as "(unassigned)")."""
    return sum(1 for deal in _rows("deals.csv") if not deal["owner"].strip())
