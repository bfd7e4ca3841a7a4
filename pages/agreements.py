"""Agreements: what marketing and sales agreed, in force, edited as a new version, and its
history; every figure on the other pages is measured against it."""

import functools
import logging

import pandas as pd
import streamlit as st

from revcycle import settings
from revcycle.agreements import document, store
from revcycle.agreements.model import (
    BASES,
    FOLLOW_UP_KINDS,
    WEEKDAYS,
    default_agreement,
)
from revcycle.importer import channels
from revcycle.ui import access, format, page, tables
from revcycle.ui import agreements as flow
from revcycle.ui.data import connection
from revcycle.ui.filters import linked_choice, linked_tabs

log = logging.getLogger("revcycle")

EDIT = "agreement_edit_"  # the prefix of every editor widget's key, cleared after a save
PROBLEMS = "agreement_problems"  # session state: the last save's problems, beside their fields
SAVED = "agreement_saved"  # session state: the sentence after a save


def lines(items: list[str]) -> None:
    # Definitions, names and channels are anyone's text: shown literally, never as Markdown.
    st.markdown("\n".join(f"- {format.plain(item)}" for item in items))


def show_in_words(version, agreement, key: str) -> None:
    """``version`` (None: the default, none saved) in words, its targets and budgets in tables
    whose widget keys start with ``key``."""
    if version is None:
        st.info(
            "No agreement is saved yet. Until one is, every channel is measured as below: a "
            "call within 24 calendar hours.",
            icon=":material/handshake:",
        )
    else:
        st.markdown(
            format.plain(
                f"Version {version.number}, in force from "
                f"{agreement.effective_from:%d %b %Y}. Agreed by {agreement.marketing_name} "
                f"(marketing) and {agreement.sales_name} (sales); saved by {version.saved_by} "
                f"on {version.saved_at:%d %b %Y %H:%M}."
            )
        )
        if agreement.note:
            st.caption(format.plain(f"Note: {agreement.note}"))
    for heading, items in flow.in_words(agreement):
        st.markdown(f"**{heading}**")
        lines(items)
    monthly_tables(agreement, key)


MONTH_AND_CHANNEL = {"month": ("Month", "text"), "channel": ("Channel", "text")}


def monthly_tables(agreement, key: str) -> None:
    """The targets and the budgets, a row per month and channel: a table each, which a month of
    nine channels keeps to nine rows (as lines, the sample's two years of targets were over
    a thousand)."""
    targets = flow.targets_shown(agreement)
    metrics = {metric: flow.SHOWN_TARGET_COLUMNS[metric] for metric in targets.columns[2:]}
    monthly_table("Targets per month", targets, metrics, f"{key}_targets", "No targets agreed.")
    st.caption(
        f"The latest month first; {flow.ALL_CHANNELS} is the promise for all channels "
        "together. A dash: no target for that metric in that month. "
        + flow.status_colours_line(agreement)
    )
    budget = {"budget": ("Budget", "text")}
    budgets = flow.budgets_shown(agreement)
    monthly_table(
        "Marketing budgets per month", budgets, budget, f"{key}_budgets", "No budgets agreed."
    )


def monthly_table(heading: str, frame, columns: dict, key: str, none: str) -> None:
    """``frame``'s rows per month and channel under ``heading``, its ``columns`` after those
    two; ``none`` when it has no row."""
    st.markdown(f"**{heading}**")
    if frame.empty:
        lines([none])
    else:
        tables.show(frame, MONTH_AND_CHANNEL | columns, key, max_rows=12)


def beside(prefix: str) -> None:
    """The last save's messages for ``prefix``, right under its widget."""
    for message in flow.messages(st.session_state.get(PROBLEMS, ()), prefix):
        st.error(format.plain(message), icon=":material/error:")


def text_fields(start: flow.Form, read_only: bool) -> dict:
    """Names, date, note and the definitions."""
    values = {}
    left, middle, right = st.columns(3)
    for column, name, label in (
        (left, "marketing_name", "Agreed for marketing by"),
        (middle, "sales_name", "Agreed for sales by"),
    ):
        with column:
            values[name] = st.text_input(
                label, getattr(start, name), key=f"{EDIT}{name}", disabled=read_only
            )
            beside(name)
    with right:
        values["effective_from"] = st.date_input(
            "In force from",
            start.effective_from,
            key=f"{EDIT}effective_from",
            disabled=read_only,
            help="Leads created from this day on are measured against this version; earlier "
            "leads keep the version in force when they were created.",
        )
        beside("effective_from")
    values["note"] = st.text_input(
        "Note: why this change",
        start.note,
        key=f"{EDIT}note",
        disabled=read_only,
    )
    for name, label in (
        ("mql_definition", "What counts as an MQL"),
        ("sql_definition", "What counts as an SQL (sales accepts the lead)"),
        ("won_definition", "What counts as a won deal"),
        ("rejection_reasons", "Reasons sales may give for rejecting a lead (one a line)"),
    ):
        values[name] = st.text_area(
            label, getattr(start, name), key=f"{EDIT}{name}", disabled=read_only, height=80
        )
        beside(name)
    return values


def follow_up_table(start: flow.Form, known: list[str], read_only: bool) -> pd.DataFrame:
    st.markdown("**Follow-up per channel**")
    st.caption(
        format.plain(
            f"Channels in use: {', '.join(known) or 'none yet'}. The row "
            f"{flow.DEFAULT_CHANNEL} applies to every channel not listed. Nurture leads go to "
            "nurturing: leave their hours empty; they are never late."
        )
    )
    edited = st.data_editor(
        start.follow_up,
        num_rows="fixed" if read_only else "dynamic",
        disabled=read_only,
        hide_index=True,
        column_config={
            "channel": st.column_config.TextColumn("Channel", required=True),
            "kind": st.column_config.SelectboxColumn("Follow-up", options=FOLLOW_UP_KINDS),
            "response_hours": st.column_config.NumberColumn(
                "Response time (hours)", min_value=0.0, format="%g"
            ),
            "basis": st.column_config.SelectboxColumn(
                "Hours counted", options=BASES, help="working: the calendar's working hours only"
            ),
        },
        key=f"{EDIT}follow_up",
        placeholder="–",  # an empty cell (a nurture row's hours) read "None"
    )
    beside("follow_up")
    return edited


def targets_table(start: flow.Form, read_only: bool) -> pd.DataFrame:
    st.markdown("**Targets per month**")
    st.caption(
        format.plain(
            f"A row per month and channel, the latest month first; channel {flow.ALL_CHANNELS} "
            "is the promise for all channels together. Shares are written 0 to 1 (0.8 = 80%); "
            "counts and revenue as numbers. An empty cell: no target for that metric."
        )
    )
    return monthly_editor(
        start.targets,
        "targets",
        read_only,
        {
            "channel": st.column_config.TextColumn("Channel", default=flow.ALL_CHANNELS),
            **{
                metric: st.column_config.NumberColumn(
                    label, format="%g", min_value=0.0, help=flow.METRIC_WORDS[metric]
                )
                for metric, (label, _) in flow.SHOWN_TARGET_COLUMNS.items()
            },
        },
    )


def monthly_editor(frame: pd.DataFrame, section: str, read_only: bool, columns: dict):
    """A table editor of rows per month (targets, budgets): ``columns`` configure the columns
    after the month; the last save's messages for ``section`` stand under it."""
    edited = st.data_editor(
        frame.assign(month=pd.to_datetime(frame["month"])),
        num_rows="fixed" if read_only else "dynamic",
        disabled=read_only,
        hide_index=True,
        column_config={
            "month": st.column_config.DateColumn("Month", format="MMM YYYY", required=True),
            **columns,
        },
        key=f"{EDIT}{section}",
        placeholder="–",
    )
    beside(section)
    return edited


def budgets_table(start: flow.Form, read_only: bool) -> pd.DataFrame:
    st.markdown("**Marketing budgets per month**")
    st.caption(
        format.plain(
            "What each channel may spend in the month, in units of its currency, to the cent "
            "at most: 2200.50 for €2,200.50 (not 220050). Currency: a code such "
            f"as EUR; empty is the data's currency ({settings.currency() or 'none set'}). The "
            "weekly meeting compares each week's spend with the month's budget prorated by "
            "working days."
        )
    )
    return monthly_editor(
        start.budgets,
        "budgets",
        read_only,
        {
            "channel": st.column_config.TextColumn("Channel", required=True),
            "amount": st.column_config.NumberColumn("Budget", min_value=0.0, format="%.2f"),
            "currency": st.column_config.TextColumn("Currency", max_chars=3),
        },
    )


def calendar_fields(start: flow.Form, read_only: bool) -> dict:
    """Time zone, holidays, working hours per weekday and the closing days."""
    st.markdown("**Working calendar**")
    values = {"hours": {}}
    left, middle, right = st.columns(3)
    for column, name, label, hint in (
        (left, "time_zone", "Time zone", "e.g. Europe/Amsterdam"),
        (middle, "country", "Public holidays of (country code)", "e.g. NL; empty for none"),
        (right, "subdivision", "Region of that country", "only where holidays differ"),
    ):
        with column:
            values[name] = st.text_input(
                label,
                getattr(start, name),
                key=f"{EDIT}{name}",
                disabled=read_only,
                placeholder=hint,
            )
            beside(f"calendar.{name}")
    day_columns = st.columns(len(WEEKDAYS))
    for column, name in zip(day_columns, WEEKDAYS, strict=True):
        with column:
            values["hours"][name] = st.text_input(
                name.capitalize(),
                start.hours.get(name, ""),
                key=f"{EDIT}hours_{name}",
                disabled=read_only,
                help="Like 09:00-12:30, 13:00-17:00; empty for a day off; 24:00 ends at midnight.",
            )
            beside(f"working_hours.{name}")
    beside("working_hours")
    frame = start.closing_days.assign(day=pd.to_datetime(start.closing_days["day"]))
    values["closing_days"] = st.data_editor(
        frame,
        num_rows="fixed" if read_only else "dynamic",
        disabled=read_only,
        hide_index=True,
        column_config={
            "day": st.column_config.DateColumn("Closing day", format="YYYY-MM-DD"),
            "reason": st.column_config.TextColumn("Reason"),
        },
        key=f"{EDIT}closing_days",
        placeholder="–",
    )
    beside("closing_days")
    return values


def answer_and_colours(start: flow.Form, read_only: bool) -> dict:
    values = {}
    left, middle, right = st.columns(3)
    for column, name, label, number in (
        (left, "answer_within_working_days", "Sales answers an MQL within (working days)", 1),
        (middle, "green_from", "Green from (share of target)", 0.05),
        (right, "amber_from", "Amber from (share of target)", 0.05),
    ):
        with column:
            values[name] = st.number_input(
                label,
                value=type(number)(getattr(start, name)),
                step=number,
                key=f"{EDIT}{name}",
                disabled=read_only,
            )
            beside(name)
    return values


# The version the form was opened on, kept while its widgets live: a save from a form opened
# before another editor saved is refused, never undoing that version (store.save).
BASED_ON = "agreement_form_based_on"


def editor_section(cursor, current, start_agreement, who: str | None) -> None:
    """The current agreement in the editor; saved as the next version by an editor."""
    if not any(str(key).startswith(EDIT) for key in st.session_state):  # a form just opened
        st.session_state[BASED_ON] = 0 if current is None else current.number
    today = settings.today()
    start = flow.form_from(start_agreement, flow.next_effective_date(current, today))
    read_only = who is None
    known = sorted(set(channels.rules(cursor).values()))
    values = text_fields(start, read_only)
    follow_up = follow_up_table(start, known, read_only)
    targets = targets_table(start, read_only)
    budgets = budgets_table(start, read_only)
    values |= calendar_fields(start, read_only)
    values |= answer_and_colours(start, read_only)
    if read_only:
        return
    number = 1 if current is None else current.number + 1
    shown = (
        "follow_up",
        "targets",
        "budgets",
        "calendar",
        "working_hours",
        "closing_days",
        "effective_from",
        "marketing_name",
        "sales_name",
        "mql_definition",
        "sql_definition",
        "won_definition",
        "rejection_reasons",
        "answer_within_working_days",
        "green_from",
        "amber_from",
    )
    for problem in flow.unplaced(st.session_state.get(PROBLEMS, ()), shown):
        st.error(format.plain(problem.message), icon=":material/error:")
    if not st.button(f"Save as version {number}", key="agreement_save", type="primary"):
        return
    form = flow.Form(**values, follow_up=follow_up, targets=targets, budgets=budgets)
    try:
        saved = flow.save(cursor, form, who, st.session_state.get(BASED_ON))
    except Exception:
        log.exception("saving the agreement failed")
        st.error("Saving the agreement failed, so it is as it was. See the server log.")
        return
    st.session_state[PROBLEMS] = saved.problems
    if saved.number is not None:
        for key in [key for key in st.session_state if str(key).startswith(EDIT)]:
            del st.session_state[key]
        # Only the leads from its date on: earlier ones keep the version in force then.
        since = store.date_words(form.effective_from)
        st.session_state[SAVED] = (
            f"Saved as version {saved.number}. Every page judges the leads created from {since} "
            "on by it; earlier ones keep the version in force when they came in."
        )
    st.rerun()


def linked_version(where, label: str, name: str, key: str, numbers: list, at: int) -> int:
    """A version chosen in History, part of the link as ``?name=2``; by default the one ``at``
    that place among the newest (-1 the newest, -2 the one before, or the only one)."""
    default = numbers[max(len(numbers) + at, 0)]
    linked_choice(name, key, numbers, default, "a version saved", shown="version {}".format)
    return where.selectbox(label, numbers, key=key)


def history_section(versions) -> None:
    """Every version, what changed between two, and any old one in full."""
    if not versions:
        st.caption("No version is saved yet.")
        return
    history = flow.history_frame(versions)
    st.dataframe(
        history,
        hide_index=True,
        column_config={
            "version": st.column_config.NumberColumn("Version", format="%d"),
            "effective_from": st.column_config.DateColumn("In force from"),
            "saved_by": st.column_config.TextColumn("Saved by"),
            "saved_at": st.column_config.DatetimeColumn("Saved", format="YYYY-MM-DD HH:mm"),
            "note": st.column_config.TextColumn("Note", width="large"),
        },
        row_height=tables.wrapped_row_height(history["note"]),  # each note read in full
        key="agreement_history",
    )
    by_number = {version.number: version for version in versions}
    numbers = list(by_number)
    # Keys named by the count, so a new version starts the choices afresh at the newest two.
    count = len(numbers)
    left, right = st.columns(2)
    before = linked_version(
        left, "Compare version", "compare", f"agreement_before_{count}", numbers, -2
    )
    after = linked_version(right, "with version", "with", f"agreement_after_{count}", numbers, -1)
    changes = store.diff(by_number[before].agreement, by_number[after].agreement)
    if not changes:
        st.caption("The two versions agree on everything.")
    else:
        changed = pd.DataFrame(
            [(change.field, change.before, change.after) for change in changes],
            columns=["What changed", f"Version {before}", f"Version {after}"],
        )
        wide = st.column_config.TextColumn(width="large")
        st.dataframe(
            changed,
            hide_index=True,
            # A definition changed is read whole, before and after.
            column_config={f"Version {before}": wide, f"Version {after}": wide},
            row_height=tables.wrapped_row_height([*changed.iloc[:, 1], *changed.iloc[:, 2]]),
            key="agreement_changes",
        )
    chosen = linked_version(st, "Read version", "read", f"agreement_read_{count}", numbers, -1)
    with st.expander(f"Version {chosen} in full"):
        show_in_words(by_number[chosen], by_number[chosen].agreement, "agreement_read")


with page.frame("Agreements"):
    cursor = connection().cursor()
    versions = store.versions(cursor)
    current = versions[-1] if versions else None
    in_force = store.in_force_on(cursor, settings.today())
    st.title("Agreements", anchor=False)
    st.caption(
        "What marketing and sales agreed: the definitions, how fast each channel's leads are "
        "followed up, the working calendar, the targets and the marketing budgets. A change "
        "is saved as a new version from a date; each lead is measured against the version in "
        "force when it was created."
    )
    saved_line = st.session_state.pop(SAVED, None)
    if saved_line:
        st.success(saved_line, icon=":material/check_circle:")
    now_tab, edit_tab, history_tab = linked_tabs(  # the tab open is part of the link
        "tab", {"in_force": "In force today", "edit": "Edit", "history": "History"}, "agreement_tab"
    )
    # While none is saved, what applies is the default (version 0), shown and edited as such.
    fallback = default_agreement(settings.timezone())
    with now_tab:
        show_in_words(in_force, in_force.agreement if in_force else fallback, "agreement_now")
    with edit_tab:
        who = access.editor()
        editor_section(cursor, current, current.agreement if current else fallback, who)
    with history_tab:
        history_section(versions)
        if versions:
            # Written on the click, not on every run: writing the YAML was most of this
            # page's work on the sample (two versions), and it grows with every version.
            st.download_button(
                "Download the agreement file",
                data=functools.partial(document.dump, versions),
                file_name="agreement.yaml",
                mime="application/yaml",
                key="agreement_download",
                icon=":material/download:",
                on_click="ignore",
                help="Every version in one readable file; `python -m revcycle agreements "
                "import FILE` reads it back.",
            )
