"""The meeting's log: the decisions it took and the actions it agreed, against an ISO week.

Both live in tables of their own, append-only: a change adds the record's next revision and
never overwrites one, so every version of a record stays with who typed it and when; the
current record is its latest revision. Uploads, replaces and restores of the exports never touch
these tables (they are no export's), and a backup, a copy of the whole database, holds them.

Every write takes the editor the one guard returned (``revcycle.ui.access.editor()`` on the
page, the OS user on the command line) and runs in one transaction with its line in the change
log. Reading works on a read-only database where the tables do not exist yet: empty frames.
"""

import datetime
import numbers
import re
from typing import NamedTuple

import duckdb
import numpy
import pandas as pd

from revcycle import audit, settings
from revcycle.db import has_table, open_duckdb, rollback_after

STATUSES = ("open", "done", "dropped")
KINDS = ("decision", "action")
MAX_TEXT = 1000  # characters of a decision or an action: a sentence or a short paragraph
MAX_OWNER = 200
QUOTED_IN_LOG = 60  # characters of the typed text a change-log line repeats

TABLES = {
    "meeting_decisions": """create table if not exists meeting_decisions (
        decision_id integer not null, revision integer not null, week varchar not null,
        text varchar not null, agreement_version integer, is_withdrawn boolean not null,
        changed_by varchar not null,
        changed_at timestamp not null, primary key (decision_id, revision))""",
    "meeting_actions": """create table if not exists meeting_actions (
        action_id integer not null, revision integer not null, week varchar not null,
        what varchar not null, owner varchar not null, due_date date not null,
        status varchar not null, changed_by varchar not null, changed_at timestamp not null,
        primary key (action_id, revision))""",
}

_WHO_WHEN = ["revision", "created_by", "created_at", "changed_by", "changed_at"]
DECISION_COLUMNS = ["decision_id", "week", "text", "agreement_version", "is_withdrawn", *_WHO_WHEN]
ACTION_COLUMNS = ["action_id", "week", "what", "owner", "due_date", "status", *_WHO_WHEN]
OPEN_ACTION_COLUMNS = [*ACTION_COLUMNS, "is_overdue", "days_overdue"]
# What each kind of record lets an edit change; the keys are the tables' own column names.
EDITABLE = {
    "decision": ("week", "text", "agreement_version", "is_withdrawn"),
    "action": ("week", "what", "owner", "due_date", "status"),
}
ARTICLE = {"decision": "a", "action": "an"}
_TABLE = {"decision": "meeting_decisions", "action": "meeting_actions"}
_ID = {"decision": "decision_id", "action": "action_id"}

SAVED_MEANWHILE = (
    "Someone else changed the meeting log at the same moment, so this change was not saved. "
    "Look at the log again, then save once more."
)


class Problem(NamedTuple):
    field: str  # the field the sentence is about ("" for the whole change)
    message: str


class LogRefused(ValueError):
    """A change to the log was refused and nothing was saved; each problem names its field."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__(" ".join(problem.message for problem in problems))


# ---- writing ---------------------------------------------------------------------------------


def ensure_tables(con: duckdb.DuckDBPyConnection) -> None:
    """Create the log's tables when missing (never drops or alters what is there)."""
    for statement in TABLES.values():
        con.execute(statement).fetchall()


def add_decision(
    con: duckdb.DuckDBPyConnection,
    week,
    text: str,
    editor: str,
    agreement_version: int | None = None,
) -> int:
    """Record a decision of ``week`` (a ``Week`` or its label, "2026-W47"), optionally
    pointing to the agreement version it led to; returns its id."""
    fields = {
        "week": week,
        "text": text,
        "agreement_version": agreement_version,
        "is_withdrawn": False,
    }
    return _add(con, "decision", fields, editor)


def add_action(
    con: duckdb.DuckDBPyConnection, week, what: str, owner: str, due_date, editor: str
) -> int:
    """Record an open action of ``week``: what, who owns it, by when; returns its id."""
    fields = {"week": week, "what": what, "owner": owner, "due_date": due_date, "status": "open"}
    return _add(con, "action", fields, editor)


def edit_decision(
    con: duckdb.DuckDBPyConnection, decision_id: int, editor: str, **changes
) -> int | None:
    """Change a decision's ``text``, ``agreement_version`` (None unlinks it), ``week`` or
    ``is_withdrawn`` (True for one recorded by mistake: kept, but no longer shown as standing);
    the new revision's number, or None when nothing differs from the current one."""
    return _edit(con, "decision", decision_id, editor, changes)


def edit_action(
    con: duckdb.DuckDBPyConnection, action_id: int, editor: str, **changes
) -> int | None:
    """Change an action's ``what``, ``owner``, ``due_date``, ``status`` or ``week``; the new
    revision's number, or None when nothing differs from the current one."""
    return _edit(con, "action", action_id, editor, changes)


def _add(con, kind: str, fields: dict, editor: str) -> int:
    problems = _editor_problems(editor)
    checked, found = _checked(con, fields)
    problems += found
    if problems:
        raise LogRefused(problems)

    def write() -> int:
        _refuse_inconsistent(kind, checked)
        record_id = _next_id(con, kind)
        _insert(con, kind, record_id, 1, checked, editor)
        audit.record(con, editor, _added_words(kind, record_id, checked))
        return record_id

    return _in_transaction(con, write)


def _edit(con, kind: str, record_id, editor: str, changes: dict) -> int | None:
    if _is_whole(record_id):  # a page passes numpy's integers, read from a frame
        record_id = int(record_id)
    problems = _editor_problems(editor)
    unknown = sorted(set(changes) - set(EDITABLE[kind]))
    if unknown or not changes:
        can = _listed([_FIELD_WORDS.get(name, name) for name in EDITABLE[kind]])
        what = f"{_listed(unknown)} cannot be changed" if unknown else "Nothing to change"
        message = f"{what}: {ARTICLE[kind]} {kind} has {can}."
        problems.append(Problem(unknown[0] if unknown else "", message))
    checked, found = _checked(con, changes)
    problems += found
    if problems:
        raise LogRefused(problems)

    def write() -> int | None:
        current = _current_fields(con, kind, record_id)
        merged = current | checked
        _refuse_inconsistent(kind, merged)
        if merged == current:
            return None
        revision = _next_revision(con, kind, record_id)
        _insert(con, kind, record_id, revision, merged, editor)
        audit.record(con, editor, _changed_words(kind, record_id, current, merged))
        return revision

    return _in_transaction(con, write)


def _in_transaction(con: duckdb.DuckDBPyConnection, write):
    """Run ``write`` in one transaction with its change-log line: both commit, or neither."""
    con.begin()
    try:
        ensure_tables(con)
        result = write()
        con.commit()
    except (duckdb.TransactionException, duckdb.ConstraintException) as error:
        # Two editors took the same next id or revision: the later is refused whole, in words.
        rollback_after(con, error)
        raise LogRefused([Problem("", SAVED_MEANWHILE)]) from error
    except BaseException as error:
        rollback_after(con, error)
        raise
    return result


def _next_id(con, kind: str) -> int:
    # Table and column names come from _TABLE and _ID, fixed above, never from input.
    sql = f"select coalesce(max({_ID[kind]}), 0) + 1 from {_TABLE[kind]}"  # noqa: S608
    return con.execute(sql).fetchall()[0][0]


def _next_revision(con, kind: str, record_id: int) -> int:
    sql = f"select max(revision) + 1 from {_TABLE[kind]} where {_ID[kind]} = $id"  # noqa: S608
    return con.execute(sql, {"id": record_id}).fetchall()[0][0]


def _current_fields(con, kind: str, record_id) -> dict:
    """The editable fields of the record's latest revision; refused when there is none."""
    names = ", ".join(EDITABLE[kind])  # a fixed allow-list
    rows = []
    if isinstance(record_id, int) and not isinstance(record_id, bool):
        rows = con.execute(
            f"select {names} from {_TABLE[kind]} where {_ID[kind]} = $id "  # noqa: S608
            "order by revision desc limit 1",
            {"id": record_id},
        ).fetchall()
    if not rows:
        raise LogRefused([Problem(_ID[kind], f"There is no {kind} {record_id!s:.40} to change.")])
    return dict(zip(EDITABLE[kind], rows[0], strict=True))


def _insert(con, kind: str, record_id: int, revision: int, fields: dict, editor: str) -> None:
    values = {"id": record_id, "revision": revision, "by": editor, "at": settings.wall_clock_now()}
    values |= {name: fields[name] for name in EDITABLE[kind]}
    # Names from the fixed allow-lists above; every value is bound.
    selected = ", ".join(f"${name} as {name}" for name in EDITABLE[kind])
    con.execute(
        f"insert into {_TABLE[kind]} by name select $id as {_ID[kind]}, "  # noqa: S608
        f"$revision as revision, $by as changed_by, $at as changed_at, {selected}",
        values,
    ).fetchall()


# ---- checking --------------------------------------------------------------------------------

_WEEK_LABEL = re.compile(r"(\d{4})-W(\d{1,2})")
_LABELS = {
    "week": "The week",
    "text": "The decision",
    "what": "What to do",
    "owner": "The owner",
    "due_date": "The due date",
    "status": "The status",
    "agreement_version": "The agreement version",
    "is_withdrawn": "Withdrawn",
}
_FIELD_WORDS = {
    "due_date": "due date",
    "agreement_version": "agreement version",
    "is_withdrawn": "is_withdrawn (true or false)",
}


def _checked(con, fields: dict) -> tuple[dict, list[Problem]]:
    """``fields`` cleaned (text stripped, the week as its label, the due date a date), and a
    problem for each that is refused."""
    checks = {
        "week": _week,
        "text": lambda value: _text(value, MAX_TEXT),
        "what": lambda value: _text(value, MAX_TEXT),
        "owner": lambda value: _text(value, MAX_OWNER),
        "due_date": _due_date,
        "status": _status,
        "agreement_version": lambda value: _agreement_version(con, value),
        "is_withdrawn": _yes_no,
    }
    cleaned, problems = {}, []
    for name, value in fields.items():
        if name not in checks:
            continue  # an unknown field is refused by the caller, which knows the kind
        try:
            cleaned[name] = checks[name](value)
        except ValueError as refused:
            problems.append(Problem(name, f"{_LABELS[name]} {refused}"))
    return cleaned, problems


def week_label(week) -> str:
    """The ISO week's label, "2026-W47", of a ``Week`` (anything with ``year`` and ``number``)
    or of its label; ``ValueError`` with the reason for anything else."""
    if hasattr(week, "year") and hasattr(week, "number"):
        year, number = week.year, week.number
    else:
        found = _WEEK_LABEL.fullmatch(week.strip().upper()) if isinstance(week, str) else None
        if not found:
            raise ValueError(f"{str(week)!r:.40} is not an ISO week; write it as 2026-W47.")
        year, number = int(found[1]), int(found[2])
    try:
        datetime.date.fromisocalendar(year, number, 1)
    except ValueError:
        raise ValueError(f"{year} has no ISO week {number}.") from None
    return f"{year}-W{number:02d}"


def week_start(label: str) -> datetime.date:
    """The Monday of the week labelled ``label`` (a label ``week_label`` made)."""
    year, number = label.split("-W")
    return datetime.date.fromisocalendar(int(year), int(number), 1)


def _week(value) -> str:
    try:
        return week_label(value)
    except ValueError as refused:
        raise ValueError(f"is not right: {refused}") from None


def _text(value, limit: int) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError("is empty; write a few words.")
    if len(value.strip()) > limit:
        raise ValueError(f"is {len(value.strip()):,} characters long; keep it under {limit:,}.")
    return value.strip()


def _due_date(value) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, str):
        try:
            return datetime.date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise ValueError(f"{str(value)!r:.40} is not a date; write it as 2026-11-27.")


def _status(value) -> str:
    status = value.strip().lower() if isinstance(value, str) else value
    if status not in STATUSES:
        raise ValueError(f"{str(value)!r:.40} is not one of {_listed(list(STATUSES), 'or')}.")
    return status


def _agreement_version(con, value) -> int | None:
    if value is None:
        return None
    if not _is_whole(value):
        raise ValueError(f"{str(value)!r:.40} is not a version number.")
    value = int(value)
    saved = []
    if has_table(con, "agreement_versions"):
        sql = "select version from agreement_versions order by version"
        saved = [number for (number,) in con.execute(sql).fetchall()]
    if value not in saved:
        latest = f"the latest is {saved[-1]}" if saved else "no agreement is saved yet"
        raise ValueError(f"{value} does not exist ({latest}).")
    return value


def _is_whole(value) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool | numpy.bool_)


def _yes_no(value) -> bool:
    if not isinstance(value, bool | numpy.bool_):
        raise ValueError(f"{str(value)!r:.40} is not true or false.")
    return bool(value)


def _editor_problems(editor) -> list[Problem]:
    if isinstance(editor, str) and editor.strip():
        return []
    return [Problem("editor", "Only an editor can change the meeting log; sign in as one.")]


def _refuse_inconsistent(kind: str, fields: dict) -> None:
    """An action due before the week it was agreed in is a typing slip: refused in words."""
    if kind != "action" or fields["due_date"] >= week_start(fields["week"]):
        return
    message = (
        f"The due date {fields['due_date']:%d %b %Y} is before the week {fields['week']} "
        f"it was agreed in (which starts {week_start(fields['week']):%d %b %Y})."
    )
    raise LogRefused([Problem("due_date", message)])


def _listed(names: list[str], last: str = "and") -> str:
    if len(names) < 2:
        return "".join(names)
    return f"{', '.join(names[:-1])} {last} {names[-1]}"


# ---- words for the change log ----------------------------------------------------------------


def _quoted(text: str) -> str:
    short = text if len(text) <= QUOTED_IN_LOG else text[: QUOTED_IN_LOG - 1] + "…"
    return f"“{short}”"


def _added_words(kind: str, record_id: int, fields: dict) -> str:
    if kind == "decision":
        led_to = fields["agreement_version"]
        version = f", leading to agreement version {led_to}" if led_to else ""
        return (
            f"Recorded decision {record_id} of {fields['week']}: {_quoted(fields['text'])}{version}"
        )
    return (
        f"Added action {record_id} of {fields['week']}: {_quoted(fields['what'])}, "
        f"owner {fields['owner']}, due {fields['due_date']:%d %b %Y}"
    )


def _changed_words(kind: str, record_id: int, before: dict, after: dict) -> str:
    changed = []
    for name in EDITABLE[kind]:
        if before[name] == after[name]:
            continue
        if name in ("text", "what"):
            changed.append(f"{name} now {_quoted(after[name])}")
        elif name == "is_withdrawn":
            changed.append("withdrawn" if after[name] else "no longer withdrawn")
        else:
            words = _FIELD_WORDS.get(name, name)
            changed.append(f"{words} {_shown(before[name])} → {_shown(after[name])}")
    return f"Changed {kind} {record_id}: {'; '.join(changed)}"


def _shown(value) -> str:
    if value is None:
        return "none"
    if isinstance(value, datetime.date):
        return f"{value:%d %b %Y}"
    return str(value)


# ---- reading ---------------------------------------------------------------------------------


def _revisions(kind: str) -> str:
    """A CTE of every revision of the kind's records, marked ``newest`` for the current one and
    carrying who first recorded it and when. Its names come from _TABLE and _ID, fixed above."""
    record = _ID[kind]
    return f"""
with revisions as (
    select
        *,
        first_value(changed_by) over by_record as created_by,
        first_value(changed_at) over by_record as created_at,
        row_number() over (partition by {record} order by revision desc) as newest
    from {_TABLE[kind]}
    window by_record as (partition by {record} order by revision)
)
"""  # noqa: S608


_CURRENT_DECISIONS = (
    _revisions("decision")
    + """
select decision_id, week, text, agreement_version, is_withdrawn, revision, created_by,
    created_at, changed_by, changed_at
from revisions
where newest = 1 and week = $week and ($with_withdrawn or not is_withdrawn)
order by decision_id
"""
)

# Actions as they stand now, with how late they are on $today; each filter is off while its
# flag says "any": the week agreed in ($week), open only, due on or before $due_by, agreed
# before $before_week.
_CURRENT_ACTIONS = (
    _revisions("action")
    + """
select action_id, week, what, owner, due_date, status, revision, created_by, created_at,
    changed_by, changed_at,
    status = 'open' and due_date < $today as is_overdue,
    if(status = 'open', greatest(date_diff('day', due_date, $today), 0), 0) as days_overdue,
from revisions
where newest = 1
    and ($any_week or week = $week)
    and ($any_status or status = 'open')
    and ($all_due or due_date <= $due_by)
    and ($all_weeks or week < $before_week)
order by is_overdue desc, due_date, action_id
"""
)


def decisions(
    con: duckdb.DuckDBPyConnection, week, include_withdrawn: bool = False
) -> pd.DataFrame:
    """The decisions of ``week`` as they stand now, in the order they were recorded; those
    withdrawn only when ``include_withdrawn``."""
    params = {"week": week_label(week), "with_withdrawn": include_withdrawn}
    return _read(con, _CURRENT_DECISIONS, params)


def actions(con: duckdb.DuckDBPyConnection, week) -> pd.DataFrame:
    """The actions agreed in ``week`` as they stand now (any status), in the order added."""
    found = _actions(con, settings.wall_clock_now().date(), week=week_label(week), open_only=False)
    return found[ACTION_COLUMNS].sort_values("action_id", ignore_index=True)


def open_actions(
    con: duckdb.DuckDBPyConnection,
    before_or_on: datetime.date | None = None,
    today: datetime.date | None = None,
) -> pd.DataFrame:
    """Every open action (due on or before ``before_or_on`` when given), overdue first, then by
    due date; ``is_overdue`` and ``days_overdue`` against ``today`` (the data's time zone's
    today by default)."""
    return _actions(con, today or settings.wall_clock_now().date(), due_by=before_or_on)


def review_actions(con: duckdb.DuckDBPyConnection, week, today: datetime.date) -> pd.DataFrame:
    """The actions agreed before ``week`` that are still open, for the meeting to review
    first: overdue ones (against ``today``) first, then by due date."""
    return _actions(con, today, before_week=week_label(week))


def _actions(con, today, week=None, open_only=True, due_by=None, before_week=None):
    params = {
        "today": today,
        "any_week": week is None,
        "week": week or "",
        "any_status": not open_only,
        "all_due": due_by is None,
        "due_by": due_by or datetime.date.min,
        "all_weeks": before_week is None,
        "before_week": before_week or "",
    }
    return _read(con, _CURRENT_ACTIONS, params)


def history(con: duckdb.DuckDBPyConnection, kind: str, record_id: int) -> pd.DataFrame:
    """Every revision of decision or action ``record_id``, oldest first: what it said and who
    changed it when. Empty for an id never recorded."""
    if kind not in KINDS:
        raise ValueError(f"The kind {kind!r:.40} is not one of {_listed(list(KINDS), 'or')}.")
    if not _is_whole(record_id):
        raise ValueError(f"The {kind} id {str(record_id)!r:.40} is not a whole number.")
    columns = [_ID[kind], "revision", *EDITABLE[kind], "changed_by", "changed_at"]
    sql = (
        f"select {', '.join(columns)} from {_TABLE[kind]} "  # noqa: S608 (allow-listed names)
        f"where {_ID[kind]} = $id order by revision"
    )
    return _read(con, sql, {"id": int(record_id)})


# Each query's result on a log with no tables yet, by its SQL (see _read).
_EMPTY_RESULTS: dict[str, pd.DataFrame] = {}


def _read(con, sql: str, params: dict) -> pd.DataFrame:
    """The query's result, read through a cursor of its own (the page's one connection serves
    several sessions). A database without the log's tables (a new one, opened read-only)
    reads as empty: the same query on empty tables in memory, so the columns keep their types.
    That result is the same for any values of the same types, which each query always binds,
    so it is made once per query: an in-memory database costs about 40 ms, and This week
    reads the log three times a run."""
    if not all(has_table(con, table) for table in TABLES):
        if sql not in _EMPTY_RESULTS:
            with open_duckdb() as empty:
                ensure_tables(empty)
                _EMPTY_RESULTS[sql] = empty.execute(sql, params).df()
        return _EMPTY_RESULTS[sql].copy()
    cursor = con.cursor()
    try:
        return cursor.execute(sql, params).df()
    finally:
        cursor.close()
