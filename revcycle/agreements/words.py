"""An agreement in words: what changed between two versions, and a version told in full, for
the Agreements page and `python -m revcycle agreements show`."""

import datetime
from dataclasses import dataclass

from revcycle.agreements.model import (
    SHARE_METRICS,
    WEEKDAYS,
    Agreement,
    FollowUp,
    Version,
)

NONE = "(none)"
OTHER_CHANNELS = "Any other channel"


@dataclass(frozen=True)
class Change:
    field: str  # in words: "Paid search: response time"
    before: str  # "8 working hours"
    after: str  # "4 working hours"


def diff(before: Agreement, after: Agreement) -> list[Change]:
    """What changed from ``before`` to ``after``, one line per thing, in words."""
    changes = [
        *_plain_changes(before, after),
        *_follow_up_changes(before, after),
        *_calendar_changes(before, after),
        *_target_changes(before, after),
        *_budget_changes(before, after),
    ]
    return [change for change in changes if change.before != change.after]


def _plain_changes(before: Agreement, after: Agreement) -> list[Change]:
    def said(agreement: Agreement) -> dict[str, str]:
        return {
            "In force from": date_words(agreement.effective_from),
            "Agreed for marketing by": agreement.marketing_name,
            "Agreed for sales by": agreement.sales_name,
            "Note": agreement.note,
            "What counts as an MQL": agreement.mql_definition,
            "What counts as an SQL": agreement.sql_definition,
            "What counts as a won deal": agreement.won_definition,
            "Reasons to reject a lead": "; ".join(agreement.rejection_reasons) or NONE,
            "Sales answers an MQL within": count(
                agreement.answer_within_working_days, "working day"
            ),
            "Green from": f"{percent(agreement.green_from)} of target",
            "Amber from": f"{percent(agreement.amber_from)} of target",
        }

    old, new = said(before), said(after)
    return [Change(field, old[field], new[field]) for field in old]


def _follow_up_changes(before: Agreement, after: Agreement) -> list[Change]:
    old = {row.channel: row for row in before.follow_up}
    new = {row.channel: row for row in after.follow_up}
    changes = []
    for channel in sorted(old.keys() | new.keys(), key=lambda name: (name is not None, name or "")):
        name = OTHER_CHANNELS if channel is None else channel
        was, now = old.get(channel), new.get(channel)
        if was and now and was.kind == now.kind and now.response_hours is not None:
            changes.append(Change(f"{name}: response time", _hours(was), _hours(now)))
        else:
            changes.append(Change(f"{name}: follow-up", follow_up(was), follow_up(now)))
    return changes


def _hours(row: FollowUp) -> str:
    return count(row.response_hours, f"{row.basis} hour")


def follow_up(row: FollowUp | None) -> str:
    if row is None:
        return "(not listed: the default applies)"
    if row.response_hours is None:
        return f"{row.kind}, no response time"
    return f"{row.kind} within {_hours(row)}"


def _calendar_changes(before: Agreement, after: Agreement) -> list[Change]:
    changes = [
        Change("Time zone", before.time_zone, after.time_zone),
        Change("Public holidays of", region(before), region(after)),
    ]
    for weekday, name in enumerate(WEEKDAYS, start=1):
        changes.append(
            Change(
                f"Working hours on {name.title()}",
                spans(before, weekday),
                spans(after, weekday),
            )
        )
    old = {closing.day: closing.reason for closing in before.closing_days}
    new = {closing.day: closing.reason for closing in after.closing_days}
    for day in sorted(old.keys() | new.keys()):
        changes.append(
            Change(f"Closing day {date_words(day)}", old.get(day, NONE), new.get(day, NONE))
        )
    return changes


def region(agreement: Agreement) -> str:
    if agreement.country is None:
        return NONE
    return agreement.country + (f" ({agreement.subdivision})" if agreement.subdivision else "")


def spans(agreement: Agreement, weekday: int) -> str:
    spans = [
        f"{hours.starts:%H:%M}-{'24:00' if hours.ends is None else f'{hours.ends:%H:%M}'}"
        for hours in agreement.working_hours
        if hours.weekday == weekday
    ]
    return ", ".join(spans) or "closed"


def _target_changes(before: Agreement, after: Agreement) -> list[Change]:
    old = {(t.month, t.channel, t.metric): t.value for t in before.targets}
    new = {(t.month, t.channel, t.metric): t.value for t in after.targets}
    changes = []
    for key in sorted(
        old.keys() | new.keys(), key=lambda k: (k[0], k[1] is not None, k[1] or "", k[2])
    ):
        month, channel, metric = key
        field = f"Target {month:%b %Y}, {channel or 'all channels'}: {metric.replace('_', ' ')}"
        changes.append(Change(field, _target(metric, old.get(key)), _target(metric, new.get(key))))
    return changes


def _target(metric: str, value: float | None) -> str:
    if value is None:
        return NONE
    return percent(value) if metric in SHARE_METRICS else f"{value:,.10g}"


def _budget_changes(before: Agreement, after: Agreement) -> list[Change]:
    old = {(b.month, b.channel): money(b.amount, b.currency) for b in before.budgets}
    new = {(b.month, b.channel): money(b.amount, b.currency) for b in after.budgets}
    return [
        Change(f"Budget {key[0]:%b %Y}, {key[1]}", old.get(key, NONE), new.get(key, NONE))
        for key in sorted(old.keys() | new.keys())
    ]


def money(amount: float, currency: str | None) -> str:
    """A budget in words: "EUR 6,000", "EUR 6,000.50"; "6,000 in the data's currency" when
    the agreement names none."""
    number = f"{amount:,.2f}".removesuffix(".00")
    return f"{currency} {number}" if currency else f"{number} in the data's currency"


def date_words(date: datetime.date) -> str:
    """1 Nov 2024."""
    return f"{date.day} {date:%b %Y}"


def count(value: float, unit: str) -> str:
    return f"{value:g} {unit}{'' if value == 1 else 's'}"


def percent(share: float) -> str:
    return f"{share * 100:.10g}%"


def describe(version: Version) -> list[str]:
    """A version told in full, a line each: who agreed what, from when."""
    agreement = version.agreement
    lines = [
        f"Agreement version {version.number}, in force from "
        f"{date_words(agreement.effective_from)}{_saved(version)}.",
        f"Agreed by {agreement.marketing_name} (marketing) and {agreement.sales_name} (sales).",
    ]
    if agreement.note:
        lines.append(f"Note: {agreement.note}")
    lines += [
        f"What counts as an MQL: {agreement.mql_definition}",
        f"What counts as an SQL: {agreement.sql_definition}",
        f"What counts as a won deal: {agreement.won_definition}",
        f"Reasons to reject a lead: {'; '.join(agreement.rejection_reasons) or NONE}",
        "Follow-up:",
    ]
    for row in agreement.follow_up:
        lines.append(
            f"  {OTHER_CHANNELS if row.channel is None else row.channel}: {follow_up(row)}"
        )
    answer_within = count(agreement.answer_within_working_days, "working day")
    lines += [
        f"Sales answers an MQL within {answer_within}.",
        f"Working calendar in {agreement.time_zone}; public holidays of {region(agreement)}:",
        *(f"  {name.title()}: {spans(agreement, day)}" for day, name in enumerate(WEEKDAYS, 1)),
        "Closing days: "
        + ("; ".join(f"{date_words(c.day)} ({c.reason})" for c in agreement.closing_days) or NONE),
        _targets_line(agreement),
        _budgets_line(agreement),
    ]
    return lines


def _saved(version: Version) -> str:
    by = f" by {version.saved_by}" if version.saved_by else ""
    at = f" on {version.saved_at:%Y-%m-%d %H:%M}" if version.saved_at else ""
    return f" (saved{by}{at})" if by or at else ""


def _targets_line(agreement: Agreement) -> str:
    status = (
        f"green from {percent(agreement.green_from)} of target, "
        f"amber from {percent(agreement.amber_from)}"
    )
    if not agreement.targets:
        return f"Targets: none ({status})."
    span = _month_span({target.month for target in agreement.targets})
    return f"Targets: {len(agreement.targets):,} figures for {span} ({status})."


def _month_span(months: set[datetime.date]) -> str:
    """ "Nov 2024 to Nov 2026", or one month."""
    first, last = min(months), max(months)
    return f"{first:%b %Y}" + (f" to {last:%b %Y}" if last != first else "")


def _budgets_line(agreement: Agreement) -> str:
    if not agreement.budgets:
        return "Budgets: none."
    span = _month_span({budget.month for budget in agreement.budgets})
    channels = ", ".join(sorted({budget.channel for budget in agreement.budgets}))
    return f"Budgets: {len(agreement.budgets):,} monthly figures for {span}, for {channels}."


def version_line(version: Version, mark: str = "") -> str:
    """One line of the list of versions, ``mark`` after it ("  ← in force today")."""
    return (
        f"{version.number:>4}  in force from {date_words(version.agreement.effective_from):<11}"
        f"{_saved(version)}{mark}"
    )
