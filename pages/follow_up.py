"""Follow-up speed: how fast sales calls back, who is waiting, and whether speed pays."""

import pandas as pd
import streamlit as st

from revcycle.ui import charts, format, page, tables
from revcycle.ui.data import run

with page.frame("Follow-up speed") as filters:
    params = filters.params()
    page.heading(
        "Follow-up speed",
        filters,
        f"Agreed response time: {filters.sla_hours:g} hours from the lead's creation.",
    )

    speed = run("metrics/follow_up_speed", **params, sla_hours=filters.sla_hours)
    page.stop_if_empty(speed)
    overall = speed[speed["grouped_by"] == "all"].iloc[0]
    # Leads from a file with no first-contact column are neither contacted nor not: with none
    # measurable, "never contacted" is unknown, not 0.
    measurable = overall["count_leads"] > overall["count_unmeasurable"]
    page.tiles(
        [
            (
                "Median follow-up",
                format.hours(overall["median_hours_to_first_contact"]),
                "Half of the contacted leads heard from sales within this time.",
            ),
            (
                "Within SLA",
                format.percent(overall["share_within_sla"]),
                f"Leads contacted within {filters.sla_hours:g} hours, of the leads whose data "
                "records contacts.",
            ),
            (
                "Never contacted",
                format.count(overall["count_never_contacted"] if measurable else None),
                "Leads created in the period, from data that records contacts, with none yet.",
            ),
        ]
    )
    page.unmeasurable_note(params)

    page.left_out(
        overall["count_contacted_before_created"],
        ("lead contacted before it was created", "leads contacted before they were created"),
        "follow-up times and the SLA share",
    )

    by_tab = st.tabs(["By channel", "By owner"])
    for tab, grouped_by in zip(by_tab, ("channel", "owner"), strict=True):
        rows = speed[speed["grouped_by"] == grouped_by]
        rows_and_total = pd.concat([rows, speed[speed["grouped_by"] == "all"]])
        with tab:
            st.plotly_chart(
                charts.box_from_quantiles(
                    rows,
                    grouped_by,
                    f"Hours to first contact by {grouped_by}",
                    filters.sla_hours,
                    page.channel_colors(),
                ),
                key=f"follow_up_box_{grouped_by}",
            )
            st.caption(
                "Box: the middle half of contacted leads (25th to 75th percentile), the line "
                "inside is the median, whiskers reach the 10th and 90th percentile. The dashed "
                f"line is the agreed response time, {filters.sla_hours:g} hours. "
                + charts.HOUR_SCALE_NOTE
            )
            tables.show(
                rows_and_total,
                {
                    "group_value": (grouped_by.title(), "text"),
                    "count_leads": ("Leads", "count"),
                    "median_hours_to_first_contact": ("Median", "hours"),
                    "p90_hours_to_first_contact": ("90th percentile", "hours"),
                    "share_within_sla": ("Within SLA", "percent"),
                    "count_never_contacted": ("Never contacted", "count"),
                    "count_unmeasurable": ("No contact data", "count"),
                },
                key=f"follow_up_by_{grouped_by}",
            )

    st.header("Within the SLA, week by week")
    weekly = run("metrics/sla_share_by_week", **params, sla_hours=filters.sla_hours)
    st.plotly_chart(
        charts.share_trend(
            weekly,
            "share_within_sla",
            f"Share of each week's leads contacted within {filters.sla_hours:g} h",
            "within SLA",
            page.channel_colors(),
        ),
        key="follow_up_sla_trend",
    )
    st.caption(
        "Leads created each week; never-contacted leads count as missed, so the latest week is "
        "low until its leads have been called. Leads from files with no first-contact column "
        "count neither way."
    )

    st.header("Waiting past the SLA")
    waiting = run("metrics/leads_waiting_past_sla", **params, sla_hours=filters.sla_hours)
    if not measurable:
        st.info(
            "No lead in this view comes from data that records contacts: who is waiting "
            "cannot be told.",
            icon=":material/help:",
        )
    elif waiting.empty:
        st.success("Every lead in this view was contacted within the agreed time.")
    else:
        st.caption(
            f"Leads created in the period that nobody has contacted after {filters.sla_hours:g} "
            "hours, oldest first (at most 500), as of the latest data. The meeting's action list."
        )
        tables.show(
            waiting,
            {
                "owner": ("Owner", "text"),
                "lead_id": ("Lead", "text"),
                "company": ("Company", "text"),
                "email": ("Email", "text"),
                "channel": ("Channel", "text"),
                "created_at": ("Created", "datetime"),
                "days_waiting": ("Waiting", "days"),
            },
            key="follow_up_waiting",
            max_rows=15,
        )

    st.header("Does speed pay?")
    bands = run("metrics/conversion_by_response_band", **params)
    st.plotly_chart(
        charts.response_bands(bands, "Leads accepted by sales and won, by time to first contact"),
        key="follow_up_bands",
    )
    st.caption(
        "Leads created in the period, grouped by how long sales took to make first contact, and "
        "the share of each group that sales accepted (SQL) or that became a customer, to date. "
        "Leads from files with no first-contact column are in no group."
    )
    tables.show(
        bands,
        {
            "response_band": ("First contact after", "text"),
            "count_leads": ("Leads", "count"),
            "share_sql": ("Became SQL", "percent"),
            "share_won": ("Became customer", "percent"),
        },
        key="follow_up_response_bands",
    )
