"""The "This week" page's parts: which week (in the URL, with previous and next), presentation
mode (one section per screen, large type, arrow keys), and each section as the meeting sees it.

Every number comes from one MeetingWeek (revcycle.meeting.week_view.gather), the same the pack
is written from. Text from uploads and from the meeting's own log is shown as plain text.
"""

import functools

import pandas as pd
import streamlit as st

from revcycle.db import execute
from revcycle.meeting import charts, numbers, pack, shown
from revcycle.meeting.spend import COLUMNS as SPEND_COLUMNS
from revcycle.meeting.spend import DEFINITION as SPEND_DEFINITION
from revcycle.meeting.spend import chart_series, not_drawn
from revcycle.meeting.week import Week
from revcycle.meeting.week_view import SECTION_TITLES, SECTIONS, MeetingWeek, OpeningWeeks
from revcycle.ui import filters, format, page, tables

WEEK_KEY = "meeting_week"  # session state: the week shown, as its label
PRESENT_KEY = "meeting_present"  # session state: whether the page presents
SLIDE_KEY = "meeting_slide"  # session state: the section on screen while presenting
SLIDES = ("headline", *SECTIONS)
SLIDE_TITLES = {"headline": "This week"} | SECTION_TITLES
PRESENT_ROWS = 8  # rows of a list one screen holds in presentation mode; the rest are counted

# Presentation mode: no sidebar or toolbar, and every size in rem follows the root's, which is
# 24 px on a 1920 × 1080 screen and shrinks in step on a smaller one (1.25vw = 2.2223vh there),
# so a section that fits one screen fits the other. Tile values 2.4rem: 57.6 px at 1920 × 1080.
PRESENT_CSS = """<style>
html {font-size: min(1.25vw, 2.2223vh) !important;}
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"],
[data-testid="stHeader"], [data-testid="stToolbar"] {display: none !important;}
[data-testid="stMainBlockContainer"], .block-container {
    max-width: 100% !important; padding: 1.2rem 2.5rem 0.5rem !important;}
[data-testid="stMain"] p, [data-testid="stMain"] li, [data-testid="stMain"] td,
[data-testid="stMain"] th, [data-testid="stMain"] label, [data-testid="stMain"] button {
    font-size: 1rem !important;}
[data-testid="stMain"] h1 {font-size: 1.9rem !important; padding: 0 !important;}
[data-testid="stMain"] h2 {font-size: 1.6rem !important; padding: 0.2rem 0 !important;}
[data-testid="stMain"] [data-testid="stMetricValue"],
[data-testid="stMain"] [data-testid="stMetricValue"] * {
    font-size: 2.4rem !important; line-height: 1.15 !important;}
[data-testid="stMain"] [data-testid="stAlert"] > div {padding: 0.4rem 0.8rem !important;}
[data-testid="stMetricLabel"] p {font-size: 1.05rem !important;}
[data-testid="stCaptionContainer"] p {font-size: 0.85rem !important;}
[data-testid="stMain"] .st-key-meeting_headline button,
[data-testid="stMain"] .st-key-meeting_headline button p {
    font-size: 1.5rem !important; text-align: left !important;}
</style>"""


# --- which week ----------------------------------------------------------------------------


def _show_week(week: Week) -> None:
    st.session_state[WEEK_KEY] = week.label


def chosen_week(default: Week) -> Week:
    """The week shown: from the link on arrival (``?week=2026-W47``), else the one shown last,
    else ``default``; written back to the address bar so the link reproduces the view."""
    given = filters.from_link("week")
    if given:
        try:
            st.session_state[WEEK_KEY] = Week.parse(given[0]).label
            if len(given) > 1:
                filters.link_note("week", given, f"one week at a time, so {given[0]} is shown")
        except ValueError as error:
            filters.link_note("week", given, f"{error} So {default.label} is shown")
            st.session_state[WEEK_KEY] = default.label
    st.session_state.setdefault(WEEK_KEY, default.label)
    week = Week.parse(st.session_state[WEEK_KEY])
    if st.query_params.get("week") != week.label:
        st.query_params["week"] = week.label
    return week


def week_buttons(week: Week, weeks: OpeningWeeks) -> None:
    """Previous week, next week (up to the week the data reaches), and back to the week the
    meeting opens on: the last complete one, or while there is none the data's first."""
    default = weeks.default
    back = "Last complete week" if weeks.is_default_complete else "The data's first week"
    with st.container(horizontal=True):
        st.button(
            "Previous week",
            icon=":material/chevron_left:",
            key="meeting_previous_week",
            on_click=_show_week,
            args=(week.previous(),),
        )
        st.button(
            "Next week",
            icon=":material/chevron_right:",
            key="meeting_next_week",
            on_click=_show_week,
            args=(week.next(),),
            disabled=week.start >= weeks.latest.start,
        )
        st.button(
            f"{back} ({default.label})",
            key="meeting_default_week",
            on_click=_show_week,
            args=(default,),
            disabled=week == default,
            type="tertiary",
        )


# --- presentation mode -----------------------------------------------------------------------


def _present(on: bool, slide: str = SLIDES[0]) -> None:
    st.session_state[PRESENT_KEY] = on
    st.session_state[SLIDE_KEY] = slide


def presenting() -> bool:
    """Whether the page presents (``?present=1`` in the link, or the Present button)."""
    given = filters.from_link("present")
    if given:
        st.session_state[PRESENT_KEY] = given[0] == "1"
        if given[0] not in ("0", "1"):
            filters.link_note("present", given, "not 1 or 0, so the page is not presented")
    slide = filters.from_link("section")
    if slide:
        if slide[0] in SLIDES:
            st.session_state[SLIDE_KEY] = slide[0]
        else:
            filters.link_note("section", slide, "not a section of the meeting, so left out")
    on = bool(st.session_state.get(PRESENT_KEY))
    st.session_state.setdefault(SLIDE_KEY, SLIDES[0])
    if on:
        st.query_params["present"] = "1"
        st.query_params["section"] = st.session_state[SLIDE_KEY]
    else:
        st.query_params.pop("present", None)
        st.query_params.pop("section", None)
    return on


def present_button() -> None:
    st.button(
        "Present",
        icon=":material/slideshow:",
        key="meeting_present_on",
        on_click=_present,
        args=(True,),
        help="One section per screen in large type for the shared screen; arrow keys step.",
    )


TITLE_NAMES = 3  # channels, owners or segments a title names before it counts the rest


def title(meeting: MeetingWeek, name: str) -> str:
    """ "This week — 2026-W46", and what the sidebar narrows it to when it does ("· channels
    Referral; owners Greta Novak", as the pack says it): on the shared screen, where the
    sidebar is hidden when presenting, a channel's numbers must not pass for everyone's. A
    long choice names its first TITLE_NAMES of each list and counts the rest: a title read
    from across the room, where the pack names them all."""
    # Channel, owner and segment names come from uploads: shown as text, never Markdown.
    scoped = any(meeting.scope.values())  # channels, owners, segments: lists or None
    words = pack.scope_words(meeting.scope, shown=TITLE_NAMES)
    scope = f" · {format.plain(words)}" if scoped else ""
    return f"{name} — {meeting.week.label}{scope}"


def slide_controls(meeting: MeetingWeek, slides: tuple[str, ...] = SLIDES) -> str:
    """The presentation's bar: where the meeting is among ``slides``, previous and next (arrow
    keys too), and the way out. Returns the section on screen."""
    st.html(PRESENT_CSS)
    slide = st.session_state[SLIDE_KEY]
    if slide not in slides:  # a section this view has not (channels alone: no headline)
        slide = st.session_state[SLIDE_KEY] = st.query_params["section"] = slides[0]
    at = slides.index(slide)
    with st.container(horizontal=True, vertical_alignment="center"):
        st.title(title(meeting, SLIDE_TITLES[slide]), anchor=False, width="content")
        st.space("stretch")
        st.markdown(f"{at + 1} of {len(slides)}", width="content")
        st.button(
            "Previous",
            icon=":material/arrow_back:",
            key="meeting_slide_previous",
            on_click=_present,
            args=(True, slides[max(at - 1, 0)]),
            disabled=at == 0,
            shortcut="Left",
        )
        st.button(
            "Next",
            icon=":material/arrow_forward:",
            key="meeting_slide_next",
            on_click=_present,
            args=(True, slides[min(at + 1, len(slides) - 1)]),
            disabled=at == len(slides) - 1,
            shortcut="Right",
        )
        st.button(
            "Leave presentation",
            icon=":material/close:",
            key="meeting_present_off",
            on_click=_present,
            args=(False,),
            type="tertiary",
            shortcut="Esc",
        )
    return slide


# --- the pack --------------------------------------------------------------------------------


def pack_button(con, meeting: MeetingWeek) -> None:
    """Download the pack: built on the click (on its own cursor), not on every run."""

    def build() -> str:
        cursor = con.cursor()
        try:
            query = functools.partial(execute, cursor)
            return pack.build_pack(query, cursor, meeting.week, meeting.scope, meeting.today)
        finally:
            cursor.close()

    st.download_button(
        "Download the meeting pack",
        data=build,
        file_name=f"meeting-{meeting.week.label}.html",
        mime="text/html",
        key="meeting_pack",
        icon=":material/download:",
        on_click="ignore",
        help="One HTML file of this week's meeting, as this page shows it, with the agreement "
        "in force: it opens without a network.",
    )


# --- sections --------------------------------------------------------------------------------


def headline(meeting: MeetingWeek, presenting: bool) -> None:
    """The week in three to five sentences, each leading to the section that backs it: a link
    to its heading on the page, a button to its screen in the presentation."""
    with st.container(key="meeting_headline"):
        if not presenting:
            st.markdown(
                "\n".join(
                    f"- [{format.plain(sentence.text)}](#{sentence.section})"
                    for sentence in meeting.headline
                )
            )
            return
        for at, sentence in enumerate(meeting.headline):
            st.button(
                format.plain(sentence.text),
                key=f"meeting_headline_{at}",
                on_click=_present,
                args=(True, sentence.section),
                type="tertiary",
                icon=":material/arrow_right:",
            )


def _tile(row) -> tuple:
    """A tile row as page.tiles draws it: the number, last week and the baseline under it, the
    change against last week, and the target line with its status badge."""
    if not shown.missing(row.cannot_measure):
        # What it is in each currency, when its amounts are in several (partly_unmeasured).
        said = [f"Cannot be measured: {row.cannot_measure}", row.partly_unmeasured]
        return (row.label, "–", format.plain(" ".join(filter(None, said))))
    value = functools.partial(shown.value, unit=row.unit, currency=row.currency)
    change = (format.points if row.unit == "share" else format.change)(row.this_week, row.last_week)
    line = f"Last week {value(row.last_week)} · 4-week average {value(row.four_week_average)}"
    if not shown.missing(row.is_complete) and not row.is_complete:
        # The data ends within the week: its days so far against a whole week is no change.
        change, line = None, f"So far this week · {line}"
    for note in (row.baseline_gap, row.partly_unmeasured):
        if not shown.missing(note):
            line = f"{line} · {note}"
    target = None
    if not shown.missing(row.weekly_target):
        share = shown.share_of_target(row)
        colour = page.BADGE.get(row.target_status)
        badge = f":{colour}-badge[{share}] " if colour and share else ""
        target_shown = format.plain(value(row.weekly_target, whole=True))  # "€30,000"
        target = (f"{badge}target {target_shown}", TARGET_HELP)
    return (
        row.label,
        format.plain(value(row.this_week)),
        format.plain(line),
        change,
        False,
        target,
    )


TARGET_HELP = (
    "The month's target in the agreement in force, prorated to this week by working days; "
    "green, amber and red by the agreement's thresholds."
)
BASELINE_NOTE = (
    "Change against last week. The 4-week average is the mean of the four weeks before this "
    "one: a baseline to read a week against, not a target."
)


def tiles(meeting: MeetingWeek, agreed: page.Agreed, presenting: bool) -> None:
    """The seven numbers of the week: this week, last week, the 4-week average, the target."""
    drawn = {row.metric: _tile(row) for row in meeting.tiles.itertuples()}
    for metrics in numbers.TILE_ROWS:
        page.tiles([drawn[metric] for metric in metrics], agreed)
    st.caption(BASELINE_NOTE)
    if not presenting and meeting.series is not None and len(meeting.series):
        st.plotly_chart(
            charts.weekly_trend(meeting.series, meeting.week.start), key="meeting_trend"
        )


def leak(meeting: MeetingWeek, presenting: bool) -> None:
    """The drops beyond chance, costliest first, or the plain statement that there are none."""
    report = meeting.leaks
    if report.cannot_measure:
        st.info(format.plain(f"Cannot be measured: {report.cannot_measure}"))
        return
    if not report.flagged:
        st.success("No step dropped beyond chance this week.", icon=":material/check_circle:")
    else:
        shown_leaks = report.flagged[:PRESENT_ROWS] if presenting else report.flagged
        st.markdown("\n".join(f"1. {format.plain(one.words)}" for one in shown_leaks))
        _more(len(report.flagged) - len(shown_leaks), ("drop", "drops"))
        st.plotly_chart(
            charts.leaks(shown_leaks, height=280 if presenting else 360), key="meeting_leaks"
        )
    recent, baseline = report.recent, report.baseline
    st.caption(
        f"Recent {recent[0]:%d %b} – {recent[1]:%d %b %Y} against the baseline "
        f"{baseline[0]:%d %b} – {baseline[1]:%d %b %Y}. {report.method}"
    )
    if not presenting and len(report.checked):
        with st.expander("Every channel and step compared", expanded=False):
            checked = report.checked.assign(
                step=[
                    f"{step_from} → {step_to}"
                    for step_from, step_to in zip(
                        report.checked["step_from"], report.checked["step_to"], strict=True
                    )
                ]
            )
            tables.show(checked, LEAK_COLUMNS, key="meeting_leak_checked", max_rows=40)


LEAK_COLUMNS = {
    "channel": ("Channel", "text"),
    "step": ("Step", "text"),
    "recent_entered": ("Recent cohort", "count"),
    "recent_rate": ("Recent rate", "percent"),
    "baseline_entered": ("Baseline cohort", "count"),
    "baseline_rate": ("Baseline rate", "percent"),
    "adjusted_p_value": ("p (Holm)", "probability"),
    "is_flagged": ("Flagged", "text"),
    "not_tested_reason": ("Not tested because", "text"),
}
# The breach list on the page: the longest waits; a week of a million leads holds thousands.
BREACH_LEADS_SHOWN = 100


def _more(count: int, what: tuple[str, str]) -> None:
    """ "… and 3 more rows", for what a short list left out; ``what``: singular, plural."""
    if count > 0:
        st.caption(
            f"… and {count:,} more {what[0] if count == 1 else what[1]}: see the page or the pack."
        )


def text_table(frame: pd.DataFrame, columns: dict[str, tuple[str, str]], limit: int) -> None:
    """``frame``'s first ``limit`` rows as a table of text, the rest counted. Its type follows
    the presentation's rem sizes, which a data grid's canvas would not. st.table renders each
    cell as Markdown: every cell is made literal (format.plain), so an uploaded owner or a
    typed action shows as written, never bold or a link."""
    cells = {
        label: [format.plain(tables.SHOWN[kind](value)) for value in frame[column].head(limit)]
        for column, (label, kind) in columns.items()
    }
    st.table(pd.DataFrame(cells), hide_index=True)
    _more(len(frame) - limit, ("row", "rows"))


def _listed(frame: pd.DataFrame, columns: dict[str, tuple[str, str]], key: str, presenting):
    """A table: large and short on the shared screen, sortable with its CSV download on the
    page."""
    if presenting:
        text_table(frame, columns, PRESENT_ROWS)
    else:
        tables.show(frame, columns, key=key, max_rows=15)


def breaches(meeting: MeetingWeek, presenting: bool) -> None:
    """This week's leads that waited past their channel's agreed time, per owner, worst first,
    and (on the page) the list of them, without contact details."""
    cannot, partly = numbers.follow_up_unknowns(meeting.tiles)
    if cannot:
        st.info(format.plain(f"Cannot be measured: {cannot}"))
        return
    if partly:
        st.caption(format.plain(partly))
    if meeting.breaches.empty:
        judged = "judged " if partly else "of "
        st.success(f"No lead {judged}this week waited past its agreed response time.")
        return
    _listed(
        meeting.breaches,
        {
            "owner": ("Owner", "text"),
            "count_breaches": ("Past the agreed time", "count"),
            "count_still_waiting": ("Still waiting", "count"),
            "count_leads_measured": ("Leads measured", "count"),
        },
        "meeting_breaches",
        presenting,
    )
    st.caption(
        "Leads created this week, each against its channel's response time in the agreement "
        "in force; nurtured leads and leads whose uploads record no contacts count neither way. "
        "Older open breaches are on the Follow-up page."
    )
    if presenting:
        return
    st.subheader("The leads", anchor=False)
    leads = meeting.breach_leads
    if len(leads) > BREACH_LEADS_SHOWN:
        st.caption(
            f"The first {BREACH_LEADS_SHOWN} of {len(leads):,}: the still-waiting first, then "
            "the longest waits. The pack and the Follow-up page list more."
        )
    tables.show(
        leads.head(BREACH_LEADS_SHOWN),
        {
            "lead_id": ("Lead", "text"),
            "owner": ("Owner", "text"),
            "channel": ("Channel", "text"),
            "created_at": ("Created", "datetime"),
            "agreed": ("Agreed", "text"),
            "first_contact_after": ("First contact after", "text"),
            "still_waiting": ("Still waiting", "text"),
        },
        key="meeting_breach_leads",
        max_rows=15,
    )


def quality(meeting: MeetingWeek, presenting: bool) -> None:
    """This week's MQLs as sales judged them, by channel and by reason, against the target."""
    found = meeting.quality
    if not shown.missing(found.cannot_measure):
        st.info(format.plain(f"Cannot be measured: {found.cannot_measure}"))
        return
    target = (
        "no acceptance target is agreed"
        if shown.missing(found.target)
        else (f"the agreed acceptance rate is {shown.rate(found.target)}")
    )
    st.caption(
        "MQLs of this week: accepted once they reached SQL, rejected when disqualified "
        "without reaching it; the acceptance rate is over those sales answered (accepted or "
        f"rejected), not the ones still waiting; {target}."
    )
    if not shown.missing(found.answers):
        st.markdown(format.plain(found.answers))
    by_channel = found.by_channel.assign(against=shown.rate_targets(found.by_channel))
    if presenting:  # all channels first, so the screen's cut never hides the total
        by_channel = by_channel.sort_values("is_total", ascending=False, kind="stable")
    _listed(
        by_channel,
        {
            "channel": ("Channel", "text"),
            "count_mqls": ("MQLs", "count"),
            "count_accepted": ("Accepted", "count"),
            "count_rejected": ("Rejected", "count"),
            "count_pending": ("Not yet decided", "count"),
            "acceptance_rate": ("Acceptance rate", "percent"),
            "against": ("Against the agreement", "text"),
        },
        "meeting_quality",
        presenting,
    )
    if presenting or found.by_reason.empty:
        return
    st.subheader("Why sales rejected them", anchor=False)
    tables.show(
        found.by_reason,
        {
            "channel": ("Channel", "text"),
            "reason": ("Reason", "text"),
            "count_rejected": ("Rejected", "count"),
            "is_agreed_reason": ("An agreed reason", "text"),
        },
        key="meeting_reasons",
    )


def spend(meeting: MeetingWeek, presenting: bool) -> None:
    """Each channel's spend this week and this month so far against its agreed budget, and the
    weekly spend per channel against the weekly budget."""
    found = meeting.spend
    for note in found.notes:
        st.caption(format.plain(note))
    if found.rows.empty:
        return
    _listed(
        found.rows,
        {column: (label, "text") for column, label in SPEND_COLUMNS.items()},
        "meeting_spend",
        presenting,
    )
    st.caption(
        f"Month to date: {found.month_start:%-d %b} – {found.week_end:%-d %b %Y}. "
        + ("" if presenting else SPEND_DEFINITION)
    )
    drawn, currency, left_out = chart_series(found)
    if not drawn.empty:
        figure = charts.spend(drawn, currency, 240 if presenting else 360, presenting)
        st.plotly_chart(figure, key="meeting_spend_chart")
    if left_out:
        st.caption(format.plain(not_drawn(left_out)))


def agreement(meeting: MeetingWeek) -> None:
    with st.expander("The agreement in force this week", expanded=False):
        st.text("\n".join(meeting.agreement_lines))


def week_caption(meeting: MeetingWeek, latest: Week) -> None:
    """The week's days, and whether its data is complete yet."""
    week = meeting.week
    unfinished = ""
    if week.start > latest.start:
        unfinished = " The data ends before this week: none of its days is loaded yet."
    elif week.start == latest.start:
        unfinished = " This week is not over in the data yet: its numbers will still grow."
    elif meeting.completed_by_loads:
        unfinished = f" {meeting.completed_by_loads}"
    st.caption(
        f"{shown.days_of(week)}. The sidebar's period does not apply "
        f"here: every number is of this ISO week (Monday to Sunday).{unfinished}"
    )
