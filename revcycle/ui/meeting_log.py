"""Decisions and actions on the "This week" page: last weeks' open actions first, overdue ones
marked, then this week's decisions and actions, all edited in place.

Every write goes through the one editor guard (``revcycle.ui.access.editor``) and records who
made it; viewers see the log read-only. The log keeps every revision (revcycle.meeting.log).
"""

import datetime
import functools
from collections.abc import Callable

import pandas as pd
import streamlit as st

from revcycle.agreements import store
from revcycle.meeting import log
from revcycle.meeting.week_view import MeetingWeek
from revcycle.ui import access, format
from revcycle.ui.meeting import PRESENT_ROWS, text_table

STATUSES = ("open", "done", "dropped")
SAID = "meeting_log_said"  # session state: what the last write did, said on the next run
OVERDUE = "⚠ overdue"
ACTION_COLUMNS = {
    "what": ("What", "text"),
    "owner": ("Owner", "text"),
    "due_date": ("Due", "day"),
    "status": ("Status", "text"),
    "changed_by": ("Last changed by", "text"),  # the editor guard's name, as the log keeps it
}


def _write(con, write: Callable) -> str | None:
    """Run one write on a cursor of its own; the refusal's sentence, or None once saved."""
    cursor = con.cursor()
    try:
        write(cursor)
    except ValueError as refused:  # the log's refusals name the field in a sentence
        return str(refused)
    finally:
        cursor.close()
    return None


def _submitted(con, write: Callable, done: str) -> None:
    """A form's write: its refusal said under the form at once; once saved, the page is drawn
    again with the new record and ``done`` said above the log."""
    refused = _write(con, write)
    if refused:
        st.error(format.plain(refused), icon=":material/error:")
        return
    st.session_state[SAID] = ("success", done)
    st.rerun()


def _say() -> None:
    kind, words = st.session_state.pop(SAID, (None, None))
    if kind == "error":
        st.error(format.plain(words), icon=":material/error:")
    elif kind == "success":
        st.success(format.plain(words), icon=":material/check:")


def _marked(review: pd.DataFrame) -> pd.DataFrame:
    """Older open actions with "⚠ overdue" in the status of those past their due date."""
    return review.assign(
        status=[
            f"{status} {OVERDUE}" if overdue else status
            for status, overdue in zip(review["status"], review["is_overdue"], strict=True)
        ],
    )


def review(meeting: MeetingWeek, presenting: bool) -> None:
    """Actions from earlier weeks still open, overdue first: the meeting starts with them."""
    st.subheader("Open from earlier weeks", anchor=False)
    if meeting.review.empty:
        st.caption("No action from an earlier week is open.")
        return
    limit = PRESENT_ROWS if presenting else len(meeting.review)
    text_table(_marked(meeting.review), ACTION_COLUMNS | {"week": ("Week", "text")}, limit)


def _editor_of(frame: pd.DataFrame, columns: dict, key: str) -> None:
    st.data_editor(
        frame[list(columns)],
        key=key,
        hide_index=True,
        width="stretch",
        column_config=columns,
        placeholder="–",  # a decision that led to no agreement version: "None" in the grid
    )


def _edits(key: str, ids: list[int]) -> list[tuple[int, dict]]:
    """The rows changed in data editor ``key``, as (record id, {column: new value})."""
    edited = st.session_state.get(key, {}).get("edited_rows", {})
    return [(ids[int(index)], changes) for index, changes in edited.items() if changes]


def _typed(changes: dict) -> dict:
    """A data editor's edits as the log takes them: a due date as a date."""
    if changes.get("due_date"):
        changes = changes | {"due_date": datetime.date.fromisoformat(str(changes["due_date"])[:10])}
    return changes


def _edit(edit: Callable, record_id: int, editor: str, changes: dict, cursor) -> None:
    edit(cursor, record_id, editor, **changes)


def _save_edits(con, key: str, ids: list[int], edit: Callable, what: str) -> None:
    # The guard asked again at the click: the page drew the editor for whoever could change
    # the data then, and the roles file may have changed since.
    decided = access.decision()
    if not decided.may_change:
        st.session_state[SAID] = ("error", decided.why_not)
        return
    editor = decided.who
    edits = _edits(key, ids)
    saved = 0
    for record_id, changes in edits:
        refused = _write(con, functools.partial(_edit, edit, record_id, editor, _typed(changes)))
        if refused:  # said on the run this callback starts; the edits stay in the editor
            st.session_state[SAID] = ("error", refused)
            return
        saved += 1
    st.session_state.pop(key, None)  # the editor starts again from what is saved
    st.session_state[SAID] = ("success", f"Saved {saved} changed {what}{'s' * (saved != 1)}.")


ACTION_EDITOR = {
    "what": st.column_config.TextColumn("What", required=True),
    "owner": st.column_config.TextColumn("Owner", required=True),
    "due_date": st.column_config.DateColumn("Due", format="ddd DD MMM YYYY", required=True),
    "status": st.column_config.SelectboxColumn("Status", options=STATUSES, required=True),
}


def actions(con, meeting: MeetingWeek, editor: str | None, presenting: bool) -> None:
    """This week's actions: a table for viewers and the shared screen; editable in place, with
    a form to add one, for an editor."""
    st.subheader("Actions this week", anchor=False)
    current = meeting.actions
    if editor and not presenting and len(current):
        _edit_in_place(con, current, "action")
    elif len(current):
        text_table(current, ACTION_COLUMNS, PRESENT_ROWS if presenting else len(current))
    else:
        st.caption("No action recorded for this week yet.")
    if editor:
        _add_action(con, meeting, editor, presenting)


def _edit_in_place(con, current: pd.DataFrame, kind: str) -> None:
    """This week's ``kind`` ("action" or "decision") in a table editor, and the button that
    saves each changed row as the record's next revision."""
    key = f"meeting_{kind}s_edit"
    _editor_of(current, EDITORS[kind], key)
    st.button(
        f"Save changes to {kind}s",
        key=f"meeting_{kind}s_save",
        on_click=_save_edits,
        args=(con, key, current[f"{kind}_id"].tolist(), _edit_function(kind), kind),
    )


def _edit_function(kind: str) -> Callable:
    return log.edit_action if kind == "action" else log.edit_decision


def _row(presenting: bool, widths: tuple) -> list:
    """Where a form's fields go: side by side on the page, one under another in the narrow
    popover of the presentation."""
    return list(st.columns(widths)) if not presenting else [st] * len(widths)


def _add_action(con, meeting: MeetingWeek, editor: str, presenting: bool) -> None:
    holder = (
        st.popover("Add an action", icon=":material/add_task:") if presenting else st.container()
    )
    with holder, st.form("meeting_add_action", clear_on_submit=True, border=not presenting):
        places = _row(presenting, (3, 2, 1.3))
        what = places[0].text_input("What", key="meeting_new_action_what")
        owner = places[1].text_input("Owner", key="meeting_new_action_owner")
        due = places[2].date_input(
            "Due",
            value=meeting.week.end + datetime.timedelta(days=7),
            format="YYYY-MM-DD",
            key="meeting_new_action_due",
        )
        if st.form_submit_button("Add action", icon=":material/add:"):
            _submitted(
                con,
                lambda cursor: log.add_action(cursor, meeting.week, what, owner, due, editor),
                f"Added the action “{what}” for {owner}, due {due:%a %d %b %Y}.",
            )


DECISION_EDITOR = {
    "text": st.column_config.TextColumn("Decision", required=True, width="large"),
    "agreement_version": st.column_config.NumberColumn(
        "Led to agreement version", min_value=1, step=1
    ),
    # A decision recorded by mistake is withdrawn, never deleted: the log keeps it.
    "is_withdrawn": st.column_config.CheckboxColumn("Withdraw"),
}


def decisions(con, meeting: MeetingWeek, editor: str | None, presenting: bool) -> None:
    """This week's decisions, each optionally pointing to the agreement version it led to."""
    st.subheader("Decisions this week", anchor=False)
    current = meeting.decisions
    if editor and not presenting and len(current):
        _edit_in_place(con, current, "decision")
    elif len(current):
        rows = current.head(PRESENT_ROWS) if presenting else current
        st.markdown("\n".join(f"- {format.plain(text)}" for text in rows["text"]))
    else:
        st.caption("No decision recorded for this week yet.")
    if editor:
        _add_decision(con, meeting, editor, presenting)


EDITORS = {"action": ACTION_EDITOR, "decision": DECISION_EDITOR}


def _add_decision(con, meeting: MeetingWeek, editor: str, presenting: bool) -> None:
    cursor = con.cursor()
    try:
        versions = [version.number for version in store.versions(cursor)]
    finally:
        cursor.close()
    holder = (
        st.popover("Record a decision", icon=":material/gavel:") if presenting else st.container()
    )
    with holder, st.form("meeting_add_decision", clear_on_submit=True, border=not presenting):
        places = _row(presenting, (4, 1.5))
        text = places[0].text_input("Decision", key="meeting_new_decision_text")
        version = places[1].selectbox(
            "Led to agreement version",
            [None, *versions],
            format_func=lambda number: "none" if number is None else f"version {number}",
            key="meeting_new_decision_version",
        )
        if st.form_submit_button("Record decision", icon=":material/add:"):
            _submitted(
                con,
                lambda cursor: log.add_decision(cursor, meeting.week, text, editor, version),
                "Recorded the decision.",
            )


def section(con, meeting: MeetingWeek, presenting: bool) -> None:
    """Decisions and actions: the review first, then this week's; editable by an editor."""
    _say()
    editor = access.editor()
    if presenting:
        left, right = st.columns(2)
        with left:
            review(meeting, presenting)
        with right:
            decisions(con, meeting, editor, presenting)
            actions(con, meeting, editor, presenting)
        return
    review(meeting, presenting)
    decisions(con, meeting, editor, presenting)
    actions(con, meeting, editor, presenting)
