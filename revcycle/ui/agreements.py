"""The Agreements page's flow as plain functions: the agreement into the editor's tables and
back, its messages by field, the history, the agreement in words, and actual against target.

No Streamlit here, so every step is tested on its own; ``pages/agreements.py`` only lays out.
"""

import datetime
import math
from dataclasses import dataclass, field, replace

import pandas as pd

from revcycle.agreements import document, store, words
from revcycle.agreements.model import (
    NURTURE,
    TARGET_METRICS,
    WEEKDAYS,
    Agreement,
    Budget,
    ClosingDay,
    FollowUp,
    Target,
    Version,
    WorkingHours,
)

# Moved to the core so the meeting's numbers colour by the same rule; the page names stay.
from revcycle.agreements.status import COLOURS as COLOURS
from revcycle.agreements.status import Status as Status
from revcycle.agreements.status import blank as _blank
from revcycle.agreements.status import status, targets_apply
from revcycle.agreements.status import view_targets as view_targets
from revcycle.agreements.validate import AgreementInvalid, Problem
from revcycle.ui import format

# How the editor's tables name a row that has no channel: the follow-up for every channel not
# listed, and the target for all channels together. Brackets, as "(unmapped)": no channel
# from a channel rule is written so.
DEFAULT_CHANNEL = "(every other channel)"
ALL_CHANNELS = "(all channels)"
FOLLOW_UP_COLUMNS = ("channel", "kind", "response_hours", "basis")
# The targets editor: a row per month and channel, a column per metric (a month of nine
# channels is nine rows, not forty-odd).
TARGET_COLUMNS = ("month", "channel", *TARGET_METRICS)
CLOSING_COLUMNS = ("day", "reason")
BUDGET_COLUMNS = ("month", "channel", "amount", "currency")
METRIC_WORDS = {
    "leads": "Leads",
    "mqls": "MQLs",
    "sqls": "SQLs",
    "opportunities": "Opportunities",
    "share_contacted_in_time": "Share of leads contacted within the agreed time",
    "share_mqls_answered": "Share of MQLs accepted or rejected in time",
    "share_mqls_accepted": "Share of MQLs sales accepted",
    "pipeline": "New pipeline (the amounts of the deals created)",
    "won_revenue": "Won revenue",
}


@dataclass
class Form:
    """What the editor's widgets hold: text and tables, read into an Agreement on save."""

    effective_from: datetime.date | None
    marketing_name: str
    sales_name: str
    note: str
    mql_definition: str
    sql_definition: str
    won_definition: str
    rejection_reasons: str  # one reason a line
    time_zone: str
    country: str
    subdivision: str
    answer_within_working_days: int
    green_from: float
    amber_from: float
    hours: dict[str, str] = field(default_factory=dict)  # weekday name -> "09:00-17:00"
    follow_up: pd.DataFrame = field(default_factory=pd.DataFrame)
    targets: pd.DataFrame = field(default_factory=pd.DataFrame)
    closing_days: pd.DataFrame = field(default_factory=pd.DataFrame)
    budgets: pd.DataFrame = field(default_factory=pd.DataFrame)


def hours_text(agreement: Agreement, weekday: int) -> str:
    """One ISO weekday's working hours as written in the file: "09:00-17:00", "" for none."""
    spans = sorted(
        (hours for hours in agreement.working_hours if hours.weekday == weekday),
        key=lambda hours: hours.starts,
    )
    # The file's own writing and reading of a span, so the page and the file never differ.
    return ", ".join(document.span_text(hours) for hours in spans)


def follow_up_frame(agreement: Agreement) -> pd.DataFrame:
    rows = [
        (row.channel or DEFAULT_CHANNEL, row.kind, row.response_hours, row.basis)
        for row in agreement.follow_up
    ]
    return pd.DataFrame(rows, columns=list(FOLLOW_UP_COLUMNS)).astype(
        {"channel": object, "kind": object, "response_hours": float, "basis": object}
    )


def targets_frame(agreement: Agreement) -> pd.DataFrame:
    """The targets, a row per month and channel, the latest month first and all channels
    together first in a month (this month's promise is what a reader looks for), a column per
    metric, blank where a row has none."""
    rows: dict[tuple, dict] = {}
    for target in agreement.targets:
        key = (-target.month.toordinal(), target.channel is not None, target.channel or "")
        row = rows.setdefault(
            key, {"month": target.month, "channel": target.channel or ALL_CHANNELS}
        )
        row[target.metric] = target.value
    frame = pd.DataFrame([rows[key] for key in sorted(rows)], columns=list(TARGET_COLUMNS))
    return frame.astype({"month": object, "channel": object} | dict.fromkeys(TARGET_METRICS, float))


def budgets_frame(agreement: Agreement) -> pd.DataFrame:
    """The budgets, the latest month first (as the targets), then by channel."""
    rows = [
        (budget.month, budget.channel, budget.amount, budget.currency)
        for budget in sorted(agreement.budgets, key=lambda b: (-b.month.toordinal(), b.channel))
    ]
    # Built as objects: an empty currency stays None (the data's), not a NaN among codes.
    frame = pd.DataFrame(rows, columns=list(BUDGET_COLUMNS), dtype=object)
    return frame.astype({"amount": float})


def closing_days_frame(agreement: Agreement) -> pd.DataFrame:
    rows = [(closing.day, closing.reason) for closing in agreement.closing_days]
    return pd.DataFrame(rows, columns=list(CLOSING_COLUMNS)).astype(object)


def form_from(agreement: Agreement, effective_from: datetime.date | None) -> Form:
    """The editor filled with ``agreement``, to be saved from ``effective_from``."""
    return Form(
        effective_from=effective_from,
        marketing_name=agreement.marketing_name,
        sales_name=agreement.sales_name,
        note="",  # a note says why this change is made: the last one's note does not
        mql_definition=agreement.mql_definition,
        sql_definition=agreement.sql_definition,
        won_definition=agreement.won_definition,
        rejection_reasons="\n".join(agreement.rejection_reasons),
        time_zone=agreement.time_zone,
        country=agreement.country or "",
        subdivision=agreement.subdivision or "",
        answer_within_working_days=agreement.answer_within_working_days,
        green_from=agreement.green_from,
        amber_from=agreement.amber_from,
        hours={name: hours_text(agreement, index + 1) for index, name in enumerate(WEEKDAYS)},
        follow_up=follow_up_frame(agreement),
        targets=targets_frame(agreement),
        closing_days=closing_days_frame(agreement),
        budgets=budgets_frame(agreement),
    )


def parse_hours(name: str, text: str) -> tuple[list[WorkingHours], list[Problem]]:
    """A weekday's "09:00-12:30, 13:00-17:00" as WorkingHours; "" is a day off."""
    weekday = WEEKDAYS.index(name) + 1
    spans, problems = [], []
    for part in filter(str.strip, text.split(",")):
        span = document.working_span(weekday, part)
        if span is None:
            message = f"“{part.strip()}” is not a span of time: write it like 09:00-17:00."
            problems.append(Problem(f"working_hours.{name}", message, None))
            continue
        spans.append(span)
    return spans, problems


def _rows(frame: pd.DataFrame, columns: tuple[str, ...]) -> list[tuple[int, dict]]:
    """The table's rows a person filled in (an added row left empty is no row)."""
    records = frame.reindex(columns=list(columns)).to_dict("records")
    return [
        (index, record)
        for index, record in enumerate(records)
        if not all(_blank(value) for value in record.values())
    ]


def _number(value) -> float | None:
    if _blank(value):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return math.nan  # said by the caller, as a field it names


def _date(value) -> datetime.date | None:
    if _blank(value):
        return None
    try:
        return pd.Timestamp(value).date()
    except (TypeError, ValueError):
        return None


def read_follow_up(frame: pd.DataFrame) -> tuple[list[FollowUp], list[Problem]]:
    rows, problems = [], []
    for _, record in _rows(frame, FOLLOW_UP_COLUMNS):
        named = None if _blank(record["channel"]) else str(record["channel"]).strip()
        channel = None if named in (None, DEFAULT_CHANNEL) else named
        where = f"follow_up.{channel or 'default'}"
        hours = _number(record["response_hours"])
        if hours is not None and math.isnan(hours):
            problems.append(
                Problem(f"{where}.response_hours", "Write the hours as a number.", None)
            )
            continue
        kind = "" if _blank(record["kind"]) else str(record["kind"])
        basis = "" if _blank(record["basis"]) else str(record["basis"])
        rows.append(FollowUp(channel, kind, hours, basis or "working"))
    return rows, problems


def _month_and_number(record: dict, row: str, column: str, what: str):
    """A monthly table row's month and number (``column``), and a problem for each that
    cannot be read, named by ``row`` ("targets.3") and said by row number."""
    month, number = _date(record["month"]), _number(record[column])
    index = int(row.rpartition(".")[2])
    problems = []
    if month is None:
        problems.append(Problem(f"{row}.month", f"Row {index + 1}: give the month.", None))
    if number is None or math.isnan(number):
        problems.append(Problem(f"{row}.{column}", f"Row {index + 1}: give the {what}.", None))
    return month, number, problems


def read_targets(frame: pd.DataFrame) -> tuple[list[Target], list[Problem]]:
    """A target per filled metric cell of the editor's rows; a row without a month, or with a
    month and no target, and a cell that is no number, are said by row number."""
    rows, problems = [], []
    for index, record in _rows(frame, TARGET_COLUMNS):
        month, row = _date(record["month"]), f"Row {index + 1}"
        given = {
            metric: _number(record[metric])
            for metric in TARGET_METRICS
            if not _blank(record[metric])
        }
        unread = [metric for metric, value in given.items() if math.isnan(value)]
        problems += [
            Problem(
                f"targets.{index}.{metric}",
                f"{row}: give {METRIC_WORDS[metric]} as a number.",
                None,
            )
            for metric in unread
        ]
        if month is None:
            problems.append(Problem(f"targets.{index}.month", f"{row}: give the month.", None))
        elif not given:
            problems.append(Problem(f"targets.{index}", f"{row}: give a target.", None))
        if month is None or not given or unread:
            continue
        named = None if _blank(record["channel"]) else str(record["channel"]).strip()
        channel = None if named in (None, ALL_CHANNELS) else named
        rows += [Target(month.replace(day=1), channel, *target) for target in given.items()]
    return rows, problems


def read_budgets(frame: pd.DataFrame) -> tuple[list[Budget], list[Problem]]:
    """The budgets table's rows; a month or an amount that cannot be read is said by row.
    Whether the rest makes sense (a known channel, a currency code) is the validator's."""
    rows, problems = [], []
    for index, record in _rows(frame, BUDGET_COLUMNS):
        month, amount, unread = _month_and_number(record, f"budgets.{index}", "amount", "amount")
        problems += unread
        if unread:
            continue
        channel = "" if _blank(record["channel"]) else str(record["channel"]).strip()
        currency = None if _blank(record["currency"]) else str(record["currency"]).strip()
        rows.append(Budget(month.replace(day=1), channel, amount, currency))
    return rows, problems


def read_closing_days(frame: pd.DataFrame) -> tuple[list[ClosingDay], list[Problem]]:
    rows, problems = [], []
    for index, record in _rows(frame, CLOSING_COLUMNS):
        day = _date(record["day"])
        if day is None:
            problems.append(
                Problem(f"closing_days.{index}", f"Row {index + 1}: give the date.", None)
            )
            continue
        reason = "" if _blank(record["reason"]) else str(record["reason"]).strip()
        rows.append(ClosingDay(day, reason))
    return rows, problems


def agreement_from(form: Form) -> tuple[Agreement | None, list[Problem]]:
    """The form read as an Agreement, or None and what stops it being read.

    Only what cannot be read is said here; whether it makes sense (a known channel, a positive
    time, no overlap) is the validator's, on save, so the page and the file say the same.
    """
    follow_up, problems = read_follow_up(form.follow_up)
    targets, target_problems = read_targets(form.targets)
    closing_days, closing_problems = read_closing_days(form.closing_days)
    budgets, budget_problems = read_budgets(form.budgets)
    problems += target_problems + closing_problems + budget_problems
    working_hours = []
    for name in WEEKDAYS:
        spans, day_problems = parse_hours(name, form.hours.get(name, ""))
        working_hours += spans
        problems += day_problems
    if form.effective_from is None:
        problems.append(Problem("effective_from", "Give the date this version applies from.", None))
    if problems:
        return None, problems
    reasons = tuple(line.strip() for line in form.rejection_reasons.splitlines() if line.strip())
    return Agreement(
        effective_from=form.effective_from,
        marketing_name=form.marketing_name.strip(),
        sales_name=form.sales_name.strip(),
        note=form.note.strip(),
        mql_definition=form.mql_definition.strip(),
        sql_definition=form.sql_definition.strip(),
        won_definition=form.won_definition.strip(),
        rejection_reasons=reasons,
        time_zone=form.time_zone.strip(),
        country=form.country.strip() or None,
        subdivision=form.subdivision.strip() or None,
        working_hours=tuple(working_hours),
        closing_days=tuple(closing_days),
        follow_up=tuple(follow_up),
        targets=tuple(targets),
        answer_within_working_days=int(form.answer_within_working_days),
        green_from=float(form.green_from),
        amber_from=float(form.amber_from),
        budgets=tuple(budgets),
    ), []


@dataclass(frozen=True)
class Saved:
    """What a save did: the new version's number, or the problems that stopped it."""

    number: int | None
    problems: tuple[Problem, ...] = ()


def save(con, form: Form, editor: str, based_on: int | None = None) -> Saved:
    """Save the form as the next version, as ``editor``; nothing is written on any problem,
    nor when a version was saved since the form was opened on ``based_on`` (store.save)."""
    agreement, problems = agreement_from(form)
    if agreement is None:
        return Saved(None, tuple(problems))
    try:
        return Saved(store.save(con, agreement, changed_by=editor, based_on=based_on))
    except AgreementInvalid as invalid:
        return Saved(None, tuple(named_rows(invalid.problems, agreement)))


def named_rows(problems, agreement: Agreement) -> list[Problem]:
    """Table problems with their row named in the message ("Sep 2026, all channels, leads:
    …"), as the message stands under the whole table."""
    named = []
    for problem in problems:
        parts = problem.field.split(".")
        prefix = None
        if parts[0] == "follow_up" and len(parts) > 2:
            prefix = DEFAULT_CHANNEL if parts[1] == "default" else parts[1]
        elif parts[0] == "targets" and len(parts) > 1 and parts[1].isdigit():
            if int(parts[1]) < len(agreement.targets):
                target = agreement.targets[int(parts[1])]
                prefix = (
                    f"{target.month:%b %Y}, {target.channel or ALL_CHANNELS}, "
                    f"{METRIC_WORDS.get(target.metric, target.metric)}"
                )
        elif parts[0] == "budgets" and len(parts) > 1 and parts[1].isdigit():
            if int(parts[1]) < len(agreement.budgets):
                budget = agreement.budgets[int(parts[1])]
                prefix = f"{budget.month:%b %Y}, {budget.channel or 'no channel'}, budget"
        message = problem.message if prefix is None else f"{prefix}: {problem.message}"
        named.append(replace(problem, message=message))
    return named


def messages(problems, prefix: str) -> list[str]:
    """The messages of ``problems`` whose field is ``prefix`` or under it, to show beside the
    widget for that field."""
    return [
        problem.message
        for problem in problems
        if problem.field == prefix or problem.field.startswith(f"{prefix}.")
    ]


def unplaced(problems, prefixes) -> list[Problem]:
    """The problems no widget shows (a field the page has no place for): said by the button."""
    return [problem for problem in problems if not any(messages([problem], p) for p in prefixes)]


def history_frame(versions: list[Version]) -> pd.DataFrame:
    """One row a version, newest first, as the history table shows them."""
    rows = [
        (
            version.number,
            version.agreement.effective_from,
            version.saved_by,
            version.saved_at,
            version.agreement.note,
        )
        for version in reversed(versions)
    ]
    return pd.DataFrame(rows, columns=["version", "effective_from", "saved_by", "saved_at", "note"])


def response_words(row: FollowUp) -> str:
    """ "a call within 4 working hours", "nurture: no response time"."""
    if row.kind == NURTURE:
        return "nurture: no salesperson, no response time"
    hours = f"{row.response_hours:g} {row.basis} hour{'' if row.response_hours == 1 else 's'}"
    return f"{'an' if row.kind == 'email' else 'a'} {row.kind} within {hours}"


def follow_up_lines(agreement: Agreement) -> list[str]:
    """The follow-up per channel, one sentence a channel, the default last."""
    rows = sorted(agreement.follow_up, key=lambda row: (row.channel is None, row.channel or ""))
    return [f"{row.channel or 'Every other channel'}: {response_words(row)}." for row in rows]


def calendar_lines(agreement: Agreement) -> list[str]:
    lines = [f"Time zone {agreement.time_zone}."]
    for index, name in enumerate(WEEKDAYS):
        lines.append(
            f"{name.capitalize()}: {hours_text(agreement, index + 1) or 'no working hours'}."
        )
    if agreement.country:
        region = f" ({agreement.subdivision})" if agreement.subdivision else ""
        lines.append(f"Public holidays of {agreement.country}{region} are days off.")
    else:
        lines.append("No public holidays are days off.")
    lines += [
        f"Closed {closing.day:%d %b %Y}: {closing.reason or 'no reason given'}."
        for closing in sorted(agreement.closing_days, key=lambda closing: closing.day)
    ]
    return lines


# The targets table's column per metric: a short label (the table is read across a screen;
# METRIC_WORDS says each in full) and how it shows (revcycle/ui/tables.py's kinds).
SHOWN_TARGET_COLUMNS = {
    "leads": ("Leads", "count"),
    "mqls": ("MQLs", "count"),
    "sqls": ("SQLs", "count"),
    "opportunities": ("Opportunities", "count"),
    "share_contacted_in_time": ("Contacted in time", "percent"),
    "share_mqls_answered": ("MQLs answered in time", "percent"),
    "share_mqls_accepted": ("MQLs accepted", "percent"),
    "pipeline": ("New pipeline", "euro"),
    "won_revenue": ("Won revenue", "euro"),
}


def targets_shown(agreement: Agreement) -> pd.DataFrame:
    """The targets as the page reads them (targets_frame's rows, all channels together named
    as in the editor): the month as "Nov 2026", and only the metrics some month has a target
    for."""
    frame = targets_frame(agreement)
    if frame.empty:
        return frame
    frame = frame.dropna(axis="columns", how="all")
    return frame.assign(month=[f"{month:%b %Y}" for month in frame["month"]])


def budgets_shown(agreement: Agreement) -> pd.DataFrame:
    """The budgets as the page reads them (budgets_frame's rows): "Nov 2026", "EUR 6,000"."""
    frame = budgets_frame(agreement)
    return pd.DataFrame(
        {
            "month": [f"{month:%b %Y}" for month in frame["month"]],
            "channel": frame["channel"],
            "budget": list(map(words.money, frame["amount"], frame["currency"])),
        },
        columns=["month", "channel", "budget"],
    )


def status_colours_line(agreement: Agreement) -> str:
    return (
        f"A month's actual against its target is green from {agreement.green_from:.0%} of the "
        f"target, amber from {agreement.amber_from:.0%}, red below."
    )


def in_words(agreement: Agreement) -> list[tuple[str, list[str]]]:
    """The agreement as a person reads it, (heading, lines) per part; its targets and budgets,
    a row per month and channel, are tables (targets_shown, budgets_shown)."""
    reasons = [f"{reason}." for reason in agreement.rejection_reasons] or ["None agreed."]
    return [
        (
            "Definitions",
            [
                f"MQL: {agreement.mql_definition}",
                f"SQL (sales acceptance): {agreement.sql_definition}",
                f"Won deal: {agreement.won_definition}",
                f"Sales answers an MQL within {agreement.answer_within_working_days} working "
                "days: accepted, or rejected with a reason.",
            ],
        ),
        ("Reasons sales may give for rejecting a lead", reasons),
        ("Follow-up per channel", follow_up_lines(agreement)),
        ("Working calendar", calendar_lines(agreement)),
    ]


def next_effective_date(current: Version | None, today: datetime.date) -> datetime.date:
    """The date a new version starts from unless changed: today, never before the last one."""
    if current is None:
        return today
    return max(today, current.agreement.effective_from)


# The agreement's definition behind each metric a tile or column shows.
DEFINED_BY = {
    "MQLs": ("MQL", "mql_definition"),
    "SQLs": ("SQL", "sql_definition"),
    "Sales acceptance": ("SQL", "sql_definition"),
    "Won deals": ("Won deal", "won_definition"),
    "Won revenue": ("Won deal", "won_definition"),
    "Customers": ("Won deal", "won_definition"),
}


def _as_agreed(in_force) -> str:
    return f"as agreed on {in_force['effective_from']:%-d %b %Y}, version {in_force['version']}"


def definition_help(label: str, definition: str, in_force) -> str:
    """A metric's help on hover: its own one-line definition, then the agreed definition in
    force at the period's end ("MQL, as agreed on 1 Sep 2026, version 3: …"). The agreed text
    is anyone's text: plain, never Markdown."""
    if in_force is None:
        return f"{definition}\n\nNo agreement is saved yet: see the Agreements page."
    named, column = DEFINED_BY.get(label, (None, None))
    if named is None:
        return f"{definition}\n\nMeasured against the agreement {_as_agreed(in_force)}."
    return f"{definition}\n\n{named}, {_as_agreed(in_force)}: {format.plain(in_force[column])}"


def status_help(in_force) -> str:
    """What the colours mean, on hover."""
    return (
        f"Green from {in_force['green_from']:.0%} of the target, amber from "
        f"{in_force['amber_from']:.0%}, red below, {_as_agreed(in_force)}. The target is each "
        "month's target prorated to the period by working days."
    )


# Which target each overview tile and conversion column is measured against.
TARGET_OF = {
    "Leads": "leads",
    "MQLs": "mqls",
    "SQLs": "sqls",
    "Opportunities": "opportunities",
    "Won revenue": "won_revenue",
    "Within agreed time": "share_contacted_in_time",
}
STAGE_TARGETS = (("lead", "leads", "Leads"), ("mql", "mqls", "MQLs"), ("sql", "sqls", "SQLs"))
SIGN = {"green": "🟢", "amber": "🟠", "red": "🔴"}  # the colour, in a table that shows text


def status_cell(actual, target, in_force) -> str:
    """A table's "vs target" cell: "🟢 104% of 42.5", or "" with no target (never a made-up
    status). The target is the period's share of the months' targets, so it may be a
    fraction; one decimal at most."""
    found = status(actual, target, in_force)
    if found is None:
        return ""
    owed = f"{target:,.1f}".removesuffix(".0")
    return f"{SIGN[found.colour]} {found.share_of_target:.0%} of {owed}"


def with_targets(counts: pd.DataFrame, targets: pd.DataFrame, in_force, params) -> pd.DataFrame:
    """The conversion table's rows (one per channel, and the total) with, for leads, MQLs and
    SQLs, the period's target and actual against it."""
    shown = counts.copy()
    if not targets_apply(params):
        targets = targets.iloc[0:0]
    for stage, metric, _ in STAGE_TARGETS:
        rows = targets[targets["metric"] == metric]
        by_channel = dict(zip(rows["channel"], rows["target_in_period"], strict=True))
        view = rows.loc[rows["is_view"], "target_in_period"]
        shown[f"{stage}_target"] = [
            (view.iloc[0] if len(view) else None) if is_total else by_channel.get(channel)
            for is_total, channel in zip(shown["is_total"], shown["channel"], strict=True)
        ]
        shown[f"{stage}_status"] = [
            status_cell(actual, target, in_force)
            for actual, target in zip(shown[stage], shown[f"{stage}_target"], strict=True)
        ]
    return shown
