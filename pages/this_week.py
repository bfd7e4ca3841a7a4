"""This week: the weekly alignment meeting on one screen. The headline, the week's numbers
against target, where the funnel leaked, the follow-up breaches by owner, lead quality, spend
against the agreed budgets, and the decisions and actions, for the ISO week in the URL
(``?week=2026-W47``); ``?present=1`` shows one section per screen for the shared screen. The
pack is the same week as one HTML file."""

import streamlit as st

from revcycle import settings
from revcycle.meeting.week_view import (
    SECTION_TITLES,
    SPEND_ALONE,
    SPEND_ALONE_SECTIONS,
    gather,
    opening_weeks,
)
from revcycle.ui import meeting, meeting_log, page
from revcycle.ui.data import connection, run


def draw_section(name: str, con, week_data, agreed, presenting: bool) -> None:
    """One section of the meeting, under its heading (an anchor the headline links to)."""
    if name == "headline":
        meeting.headline(week_data, presenting)
        return
    if not presenting:  # a presented section has the screen's title
        st.header(SECTION_TITLES[name], anchor=name)
    if name == "tiles":
        meeting.tiles(week_data, agreed, presenting)
    elif name == "leak":
        meeting.leak(week_data, presenting)
    elif name == "breaches":
        meeting.breaches(week_data, presenting)
    elif name == "quality":
        meeting.quality(week_data, presenting)
    elif name == "spend":
        meeting.spend(week_data, presenting)
    else:
        meeting_log.section(con, week_data, presenting)


def draw_meeting(con, week_data, agreed, weeks, presenting: bool, slides=meeting.SLIDES):
    """The meeting's ``slides``: presented, the one on screen under the presentation's bar;
    else all of them under the week's buttons (``weeks``: the one it opens on and the latest)
    and the pack's, then the agreement in force."""
    if presenting:
        slide = meeting.slide_controls(week_data, slides)
        draw_section(slide, con, week_data, agreed, presenting)
        return
    with st.container(horizontal=True):
        meeting.week_buttons(week_data.week, weeks)
        meeting.present_button()
        meeting.pack_button(con, week_data)  # the pack has the same sections
    for name in slides:
        draw_section(name, con, week_data, agreed, presenting)
    meeting.agreement(week_data)


with page.frame("This week") as filters:
    scope = {"channels": filters.channels, "owners": filters.owners, "segments": filters.segments}
    today = settings.today()  # in the data's time zone, as the log's "overdue" counts days
    weeks = opening_weeks(run, today)
    week = meeting.chosen_week(weeks.default)
    presenting = meeting.presenting()
    con = connection()
    reading = con.cursor()  # this session's own: the connection is shared by every session
    try:
        week_data = gather(run, reading, week, scope, today)
    finally:
        reading.close()
    agreed = page.Agreed(page.agreement_in_force_on(week.end))
    if not presenting:
        st.title(meeting.title(week_data, "This week"), anchor=False)
        meeting.week_caption(week_data, weeks.latest)
    page.end_if_no_lead_source(
        filters,
        SPEND_ALONE,
        lambda: draw_meeting(con, week_data, agreed, weeks, presenting, SPEND_ALONE_SECTIONS),
    )
    draw_meeting(con, week_data, agreed, weeks, presenting)
