"""The agreement as one readable YAML file: every version, oldest first, so the two teams can
review it like any document, and `python -m revcycle agreements import` can bring it back.

Reading names the line of every problem: a YAML syntax error, a key the file does not know (a
typo must not be ignored), a value of the wrong type, and every check of ``validate``.
"""

import datetime
import difflib
import io
import math

from ruamel.yaml import YAML, YAMLError
from ruamel.yaml.comments import CommentedMap
from ruamel.yaml.error import MarkedYAMLError
from ruamel.yaml.scalarstring import DoubleQuotedScalarString, LiteralScalarString

from revcycle import settings
from revcycle.agreements.model import (
    TARGET_METRICS,
    WEEKDAYS,
    Agreement,
    Budget,
    ClosingDay,
    FollowUp,
    Target,
    Version,
    WorkingHours,
    canonical,
)
from revcycle.agreements.validate import DEFAULT_KEY, AgreementInvalid, Problem, problems

ALL_CHANNELS = "all"  # the targets' key for all channels together
MIDNIGHT = "24:00"

HEADER = """\
The agreement between marketing and sales, kept by Revcycle.

Every version is here, oldest first. A lead is judged by the version in force on the
day it was created; a new version never rewrites the figures of the months before it.
To change the agreement, use the Agreements page, or add a version at the end of this
file (the next number, a later effective_from) and run
    python -m revcycle agreements import THIS_FILE
The import adds the new versions, or refuses the whole file and names the line of each
problem. A saved version is never changed.

follow_up, per channel ("default" = any channel not listed):
    kind: call, email or nurture (nurture has no response time and is never late)
    response_hours: within how many hours the first contact is due
    basis: working (counted in the working hours below) or calendar (every hour)
working_hours: local times in time_zone, e.g. "09:00-12:30, 13:00-17:00"; "" = closed;
    24:00 = midnight at the end of the day. country: public holidays of that country
    (a code such as NL), closed like closing_days.
targets, per month and channel ("all" = all channels together): leads, mqls, sqls,
    opportunities, pipeline (the amounts of the deals created) and won_revenue are
    counts or amounts;
    share_contacted_in_time, share_mqls_answered and share_mqls_accepted (MQLs sales
    accepted) are shares, 0.8 = 80%. A month's actual / target at or above
    green_from is green, at or above amber_from amber, below that red.
budgets, per month and channel: the marketing spend agreed for the month, an amount
    in units of its currency, to the cent at most (2200.50, not 220050), and its currency
    (left out: the data's currency, REVCYCLE_CURRENCY).
    A week's budget is the month's prorated by working days, as targets are."""


def _yaml() -> YAML:
    yaml = YAML()  # round-trip mode: it keeps the line of every key and value
    yaml.indent(mapping=2, sequence=4, offset=2)
    # A target row or a definition stays on one line, however long: wrapped, a row of targets
    # breaks mid-pair and a reader cannot scan the month.
    yaml.width = 1_000_000
    # Two versions that share a date would otherwise be written as an anchor and an alias.
    yaml.representer.ignore_aliases = lambda _data: True
    return yaml


# ---- writing ---------------------------------------------------------------------------------


def dump(versions: list[Version]) -> str:
    """The file for ``versions`` (oldest first)."""
    document = CommentedMap()
    document["versions"] = [_version_map(version) for version in versions]
    document.yaml_set_start_comment(HEADER)
    stream = io.StringIO()
    _yaml().dump(document, stream)
    return stream.getvalue()


def _version_map(version: Version) -> CommentedMap:
    agreement = canonical(version.agreement)
    out = CommentedMap()
    out["version"] = version.number
    out["effective_from"] = agreement.effective_from
    if version.saved_by:
        out["saved_by"] = version.saved_by
    if version.saved_at is not None:
        out["saved_at"] = DoubleQuotedScalarString(f"{version.saved_at:%Y-%m-%d %H:%M:%S}")
    for key in ("marketing_name", "sales_name", "note"):
        out[key] = _text_out(getattr(agreement, key))
    out["definitions"] = CommentedMap(
        mql=_text_out(agreement.mql_definition),
        sql=_text_out(agreement.sql_definition),
        won=_text_out(agreement.won_definition),
        rejection_reasons=[_text_out(reason) for reason in agreement.rejection_reasons],
    )
    out["follow_up"] = _follow_up_map(agreement.follow_up)
    out["answer_within_working_days"] = agreement.answer_within_working_days
    out["calendar"] = _calendar_map(agreement)
    out["green_from"] = _number_out(agreement.green_from)
    out["amber_from"] = _number_out(agreement.amber_from)
    out["targets"] = _targets_map(agreement.targets)
    if agreement.budgets:  # a file from before budgets reads the same as it was written
        out["budgets"] = _budgets_map(agreement.budgets)
    return out


def _text_out(text: str):
    # A definition of several lines stays readable as a block, not one escaped string.
    return LiteralScalarString(text) if "\n" in text and text == text.strip() else text


def _number_out(value: float) -> int | float:
    return int(value) if float(value).is_integer() and abs(value) < 2**53 else value


def _flow(**values) -> CommentedMap:
    row = CommentedMap(values)
    row.fa.set_flow_style()  # one line per channel keeps the table readable
    return row


def _follow_up_map(rows: tuple[FollowUp, ...]) -> CommentedMap:
    out = CommentedMap()
    for row in rows:
        values = {"kind": row.kind}
        if row.response_hours is not None:
            values["response_hours"] = _number_out(row.response_hours)
        out[DEFAULT_KEY if row.channel is None else row.channel] = _flow(**values, basis=row.basis)
    return out


def _calendar_map(agreement: Agreement) -> CommentedMap:
    out = CommentedMap()
    out["time_zone"] = agreement.time_zone
    out["country"] = agreement.country
    out["subdivision"] = agreement.subdivision
    hours = CommentedMap()
    for weekday, name in enumerate(WEEKDAYS, start=1):
        spans = [h for h in agreement.working_hours if h.weekday == weekday]
        hours[name] = DoubleQuotedScalarString(", ".join(map(span_text, spans)))
    out["working_hours"] = hours
    out["closing_days"] = CommentedMap(
        (closing.day, _text_out(closing.reason)) for closing in agreement.closing_days
    )
    return out


def span_text(hours: WorkingHours) -> str:
    ends = MIDNIGHT if hours.ends is None else f"{hours.ends:%H:%M}"
    return f"{hours.starts:%H:%M}-{ends}"


def _targets_map(targets: tuple[Target, ...]) -> CommentedMap:
    out = CommentedMap()
    for target in targets:
        month = out.setdefault(f"{target.month:%Y-%m}", CommentedMap())
        channel = ALL_CHANNELS if target.channel is None else target.channel
        month.setdefault(channel, _flow())[target.metric] = _number_out(target.value)
    return out


def _budgets_map(budgets: tuple[Budget, ...]) -> CommentedMap:
    out = CommentedMap()
    for budget in budgets:
        month = out.setdefault(f"{budget.month:%Y-%m}", CommentedMap())
        values = {"amount": _number_out(budget.amount)}
        if budget.currency is not None:
            values["currency"] = budget.currency
        month[budget.channel] = _flow(**values)
    return out


# ---- reading ---------------------------------------------------------------------------------


def load(text: str, source: str = "the agreement file") -> list[Version]:
    """The versions in ``text``, oldest first; raises ``AgreementInvalid`` naming the line of
    every problem. ``source`` names the file in messages."""
    return [version for version, _ in load_with_lines(text, source)]


def load_with_lines(text: str, source: str = "the agreement file") -> list[tuple[Version, dict]]:
    """Each version with a map from a problem's field to its line in ``text``, so a check made
    later (against the database's channels) can still name the line."""
    try:
        document = _yaml().load(text)
    except YAMLError as error:
        raise AgreementInvalid([_syntax_problem(error, source)]) from None
    reader = _Reader()
    found = reader.document(document)
    if reader.problems:
        raise AgreementInvalid(sorted(reader.problems, key=_in_file_order))
    checked = []
    for index, (version, lines) in enumerate(found):
        previous = found[index - 1][0].agreement if index else None
        for problem in problems(version.agreement, known_channels=None, previous=previous):
            checked.append(located(problem, lines, version.number))
    if checked:
        raise AgreementInvalid(sorted(checked, key=_in_file_order))
    return found


def _in_file_order(problem: Problem) -> tuple[int, int]:
    return (problem.version or 0, problem.line or 0)


def located(problem: Problem, lines: dict[str, int], number: int | None) -> Problem:
    """``problem`` with the line of its field (or of the nearest enclosing key) and version."""
    parts = problem.field.split(".")
    while parts and ".".join(parts) not in lines:
        parts.pop()
    line = lines[".".join(parts)] if parts else lines.get("")
    return Problem(problem.field, problem.message, line, number)


def _syntax_problem(error: YAMLError, source: str) -> Problem:
    if isinstance(error, MarkedYAMLError) and error.problem_mark is not None:
        what = error.problem or error.context or "the file is not valid YAML"
        return Problem("", f"{source} is not valid YAML: {what}.", error.problem_mark.line + 1)
    return Problem("", f"{source} is not valid YAML: {error}.")


VERSION_KEYS = {
    "version": True,
    "effective_from": True,
    "saved_by": False,
    "saved_at": False,
    "marketing_name": True,
    "sales_name": True,
    "note": False,
    "definitions": False,
    "follow_up": True,
    "answer_within_working_days": False,
    "calendar": True,
    "green_from": False,
    "amber_from": False,
    "targets": False,
    "budgets": False,
}  # key -> required
DEFINITION_KEYS = {"mql": False, "sql": False, "won": False, "rejection_reasons": False}
FOLLOW_UP_KEYS = {"kind": True, "response_hours": False, "basis": True}
BUDGET_KEYS = {"amount": True, "currency": False}
CALENDAR_KEYS = {
    "time_zone": False,
    "country": False,
    "subdivision": False,
    "working_hours": True,
    "closing_days": False,
}
DEFAULTS = {"answer_within_working_days": 2, "green_from": 1.0, "amber_from": 0.9}


class _Reader:
    """Walks the loaded YAML into versions, collecting every problem with its line instead of
    stopping at the first, and remembering the line of each field for later checks."""

    def __init__(self):
        self.problems: list[Problem] = []
        self.lines: dict[str, int] = {}
        self.version_number: int | None = None

    def problem(self, field: str, message: str, line: int | None) -> None:
        self.problems.append(Problem(field, message, line, self.version_number))

    def mapping(self, value, allowed, field: str, line: int | None, label: str = ""):
        """``value`` as a mapping with only ``allowed`` keys and every required one."""
        label = label or field
        if not isinstance(value, dict):
            what = "nothing" if value is None else _kind_of(value)
            self.problem(field, f"{label} should be a set of keys, not {what}.", line)
            return None
        for key in value:
            if str(key) not in allowed:
                self.problem(field, _unknown_key(key, field, allowed), _key_line(value, key))
        for key, required in allowed.items():
            if required and key not in value:
                self.problem(field, f"{label} is missing {key}.", line)
        return value

    def document(self, document) -> list[tuple[Version, dict]]:
        top = self.mapping(document, {"versions": True}, "", 1, label="The file")
        if top is None or "versions" not in top:
            return []
        items = top["versions"]
        if not isinstance(items, list) or not items:
            self.problem(
                "", "versions should be a list of one or more versions.", _key_line(top, "versions")
            )
            return []
        found = []
        for index, item in enumerate(items):
            self.lines, self.version_number = {"": items.lc.item(index)[0] + 1}, None
            version = self.version(item, self.lines[""])
            if version is not None:
                found.append((version, self.lines))
        self._check_numbers(found)
        return found

    def _check_numbers(self, found: list[tuple[Version, dict]]) -> None:
        for index, (version, lines) in enumerate(found):
            expected = found[0][0].number + index if index else None
            if version.number < 1 or (expected is not None and version.number != expected):
                self.version_number = version.number
                want = "1 or more" if expected is None else f"{expected}, following on"
                self.problem("version", f"The version number should be {want}.", lines["version"])

    def version(self, item, line: int) -> Version | None:
        if isinstance(item, dict) and type(item.get("version")) is int:
            self.version_number = item["version"]  # so every problem below names it
        values = self.mapping(item, VERSION_KEYS, "", line, label="The version")
        if values is None:
            return None
        self.remember(values, "")
        before = len(self.problems)
        self.version_number = self.integer(values, "version", "")
        agreement = self.agreement(values)
        saved_at = self.timestamp(values, "saved_at")
        saved_by = self.text(values, "saved_by", "", required=False)
        if len(self.problems) > before:
            return None
        agreement = canonical(agreement)
        self.locate_rows(agreement)
        return Version(self.version_number, saved_by, saved_at, agreement)

    def remember(self, values: dict, prefix: str) -> None:
        for key in values:
            self.lines[_join(prefix, str(key))] = _key_line(values, key)

    def locate_rows(self, agreement: Agreement) -> None:
        # validate names rows by their place in the canonical order, not the file's
        for index, closing in enumerate(agreement.closing_days):
            self.lines[f"closing_days.{index}"] = self.lines[f"closing_day {closing.day}"]
        for index, target in enumerate(agreement.targets):
            key = f"target {target.month} {target.channel} {target.metric}"
            self.lines[f"targets.{index}"] = self.lines[key]
        for index, budget in enumerate(agreement.budgets):
            self.lines[f"budgets.{index}"] = self.lines[f"budget {budget.month} {budget.channel}"]

    def agreement(self, values: dict) -> Agreement:
        definitions = self.section(values, "definitions", DEFINITION_KEYS)
        calendar = self.section(values, "calendar", CALENDAR_KEYS)
        self.remember(calendar, "calendar")
        return Agreement(
            effective_from=self.date(values, "effective_from"),
            marketing_name=self.text(values, "marketing_name", ""),
            sales_name=self.text(values, "sales_name", ""),
            note=self.text(values, "note", "", required=False),
            mql_definition=self.text(definitions, "mql", "definitions", required=False),
            sql_definition=self.text(definitions, "sql", "definitions", required=False),
            won_definition=self.text(definitions, "won", "definitions", required=False),
            rejection_reasons=self.reasons(definitions),
            time_zone=self.text(calendar, "time_zone", "calendar", required=False)
            or settings.timezone(),
            country=self.text(calendar, "country", "calendar", required=False) or None,
            subdivision=self.text(calendar, "subdivision", "calendar", required=False) or None,
            working_hours=self.working_hours(calendar),
            closing_days=self.closing_days(calendar),
            follow_up=self.follow_up(values),
            targets=self.monthly(values, "targets", self.target_row),
            budgets=self.monthly(values, "budgets", self.budget_row),
            answer_within_working_days=self.integer(values, "answer_within_working_days", ""),
            green_from=self.number(values, "green_from", ""),
            amber_from=self.number(values, "amber_from", ""),
        )

    def section(self, values: dict, key: str, allowed: dict[str, bool]) -> dict:
        """A nested mapping (``definitions``, ``calendar``); empty when absent or wrong."""
        if key not in values:
            return {}
        return self.mapping(values[key], allowed, key, _key_line(values, key)) or {}

    # -- scalars: each records a problem and returns a stand-in when the value is wrong

    def text(self, values: dict, key: str, prefix: str, required: bool = True) -> str:
        value = values.get(key)
        if value is None:
            return ""
        if isinstance(value, (dict, list)) or (required and not isinstance(value, str)):
            self.wrong(values, key, prefix, "text")
            return ""
        return str(value)

    def integer(self, values: dict, key: str, prefix: str) -> int:
        value = values.get(key, DEFAULTS.get(key))
        if isinstance(value, bool) or not isinstance(value, int):
            self.wrong(values, key, prefix, "a whole number")
            return 0
        return int(value)

    def number(self, values: dict, key: str, prefix: str) -> float:
        value = values.get(key, DEFAULTS.get(key))
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            self.wrong(values, key, prefix, "a number")
            return math.nan
        return float(value)

    def date(self, values: dict, key: str) -> datetime.date:
        value = values.get(key)
        if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
            return value
        self.wrong(values, key, "", "a date such as 2026-10-01")
        return datetime.date.min

    def timestamp(self, values: dict, key: str) -> datetime.datetime | None:
        value = values.get(key)
        if value is None:
            return None  # a version written by hand: the import records who and when
        try:
            return datetime.datetime.fromisoformat(str(value)).replace(tzinfo=None)
        except ValueError:
            self.wrong(values, key, "", "a time such as 2026-10-01 09:30:00")
            return None

    def wrong(self, values: dict, key: str, prefix: str, expected: str) -> None:
        value = values.get(key)
        shown = "nothing" if value is None else f"{_kind_of(value)} {_short(value)}"
        field = _join(prefix, key)
        self.problem(field, f"{field} should be {expected}, not {shown}.", _key_line(values, key))

    # -- the lists

    def reasons(self, definitions: dict) -> tuple[str, ...]:
        value = definitions.get("rejection_reasons")
        if value is None:
            return ()
        if not isinstance(value, list) or any(isinstance(item, (dict, list)) for item in value):
            self.wrong(definitions, "rejection_reasons", "definitions", "a list of reasons")
            return ()
        return tuple(str(item) for item in value if item is not None)

    def working_hours(self, calendar: dict) -> tuple[WorkingHours, ...]:
        days = self.section(calendar, "working_hours", {name: False for name in WEEKDAYS})
        found = []
        for weekday, name in enumerate(WEEKDAYS, start=1):
            if name not in days:
                continue  # a day not listed is a day off, as "" is
            line = _key_line(days, name)
            self.lines[f"working_hours.{name}"] = line
            for span in str(days[name] or "").split(","):
                if span.strip():
                    found += self.span(weekday, span.strip(), name, line)
        return tuple(found)

    def span(self, weekday: int, text: str, name: str, line: int) -> list[WorkingHours]:
        found = working_span(weekday, text)
        if found is None:
            self.problem(
                f"working_hours.{name}",
                f"{text!r} is not a span of working hours such as 09:00-17:00.",
                line,
            )
            return []
        return [found]

    def closing_days(self, calendar: dict) -> tuple[ClosingDay, ...]:
        days = calendar.get("closing_days") or {}
        if not isinstance(days, dict):
            self.wrong(calendar, "closing_days", "calendar", "dates with a reason each")
            return ()
        found = []
        for day, reason in days.items():
            line = _key_line(days, day)
            if not isinstance(day, datetime.date) or isinstance(reason, (dict, list)):
                self.problem("closing_days", f"{_short(day)} is not a date with a reason.", line)
                continue
            self.lines[f"closing_day {day}"] = line
            found.append(ClosingDay(day, "" if reason is None else str(reason)))
        return tuple(found)

    def follow_up(self, values: dict) -> tuple[FollowUp, ...]:
        rows = values.get("follow_up")
        if not isinstance(rows, dict):
            self.wrong(values, "follow_up", "", "one row per channel")
            return ()
        found = []
        for channel, row in rows.items():
            field = f"follow_up.{channel}"
            line = _key_line(rows, channel)
            self.lines[field] = line
            row = self.mapping(row, FOLLOW_UP_KEYS, field, line)
            if row is None:
                continue
            self.remember(row, field)
            hours = row.get("response_hours")
            found.append(
                FollowUp(
                    None if channel == DEFAULT_KEY else str(channel),
                    self.text(row, "kind", field),
                    None if hours is None else self.number(row, "response_hours", field),
                    self.text(row, "basis", field),
                )
            )
        return tuple(found)

    def monthly(self, values: dict, key: str, read_row) -> tuple:
        """A section of months, each with its channels (``targets``, ``budgets``);
        ``read_row(month, channel, value, line)`` reads one channel's value into a list."""
        months = values.get(key) or {}
        if not isinstance(months, dict):
            self.wrong(values, key, "", "months, each with channels")
            return ()
        found = []
        for month_key, channels in months.items():
            month = _month(month_key)
            line = _key_line(months, month_key)
            if month is None:
                self.problem(key, f"{_short(month_key)} is not a month such as 2026-10.", line)
                continue
            channels = self.mapping(channels, _AnyKey(), f"{key}.{month_key}", line)
            for channel, value in (channels or {}).items():
                found += read_row(month, channel, value, _key_line(channels, channel))
        return tuple(found)

    def target_row(self, month: datetime.date, channel, metrics, line: int) -> list[Target]:
        field = f"targets.{month:%Y-%m}.{channel}"
        metrics = self.mapping(metrics, {name: False for name in TARGET_METRICS}, field, line)
        found = []
        for metric in metrics or {}:
            value = self.number(metrics, metric, field)
            if str(metric) in TARGET_METRICS and not math.isnan(value):
                name = None if channel == ALL_CHANNELS else str(channel)
                self.lines[f"target {month} {name} {metric}"] = _key_line(metrics, metric)
                found.append(Target(month, name, str(metric), value))
        return found

    def budget_row(self, month: datetime.date, channel, row, line: int) -> list[Budget]:
        field = f"budgets.{month:%Y-%m}.{channel}"
        row = self.mapping(row, BUDGET_KEYS, field, line)
        if row is None or "amount" not in row:
            return []
        amount = self.number(row, "amount", field)
        currency = self.text(row, "currency", field, required=False) or None
        if math.isnan(amount):
            return []
        self.lines[f"budget {month} {channel}"] = line
        return [Budget(month, str(channel), amount, currency)]


class _AnyKey(dict):
    """Allowed keys for a mapping whose keys are names (channels): any key, none required."""

    def __contains__(self, key) -> bool:
        return True


def _key_line(values, key) -> int | None:
    try:
        return values.lc.key(key)[0] + 1
    except (AttributeError, KeyError, TypeError):
        return None


def _join(prefix: str, key: str) -> str:
    return f"{prefix}.{key}" if prefix else key


def _kind_of(value) -> str:
    if isinstance(value, bool):
        return "yes/no"
    if isinstance(value, (int, float)):
        return "the number"
    if isinstance(value, dict):
        return "a set of keys"
    if isinstance(value, list):
        return "a list"
    return "the text"


def _short(value) -> str:
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _unknown_key(key, field: str, allowed) -> str:
    where = f" in {field}" if field else ""
    close = difflib.get_close_matches(str(key), list(allowed), n=1)
    hint = f" Did you mean {close[0]}?" if close else f" Known: {', '.join(allowed)}."
    return f"Unknown key {_short(str(key))}{where}.{hint}"


def working_span(weekday: int, text: str) -> WorkingHours | None:
    """One span as the file and the page write it, "09:00-17:00" ("24:00" may end it); None
    when the text is not one."""
    starts, _, ends = text.strip().partition("-")
    start_time, end_time = _clock_time(starts.strip()), _clock_time(ends.strip(), end=True)
    if start_time is None or end_time is None or start_time == "midnight":
        return None
    return WorkingHours(weekday, start_time, None if end_time == "midnight" else end_time)


def _clock_time(text: str, end: bool = False):
    """A time of day "HH:MM"; "midnight" for 24:00 as an end; None when it is not one."""
    if end and text == MIDNIGHT:
        return "midnight"
    hours, colon, minutes = text.partition(":")
    if not (colon and hours.isdigit() and minutes.isdigit() and len(minutes) == 2):
        return None
    if int(hours) > 23 or int(minutes) > 59:
        return None
    return datetime.time(int(hours), int(minutes))


def _month(key) -> datetime.date | None:
    if isinstance(key, datetime.date):
        return key  # 2026-10-01 written as a date: validate says if it is not day 1
    try:
        return datetime.date.fromisoformat(f"{key}-01")
    except ValueError:
        return None
