"""Follow-up speed: how fast sales calls back, who is waiting, and whether speed pays.

Every lead is judged by the follow-up rule of its channel in the agreement in force when it was
created; the "what if" box beside it never changes those figures or the URL."""

import pandas as pd
import streamlit as st

from revcycle import lead_gaps
from revcycle.ui import charts, format, page, tables
from revcycle.ui.data import run
from revcycle.ui.filters import linked_tabs

WHAT_IF_HOURS = (1, 24 * 14)  # the hypothetical response time's bounds, in whole hours


def agreed_rules(rules: pd.DataFrame) -> None:
    """One line per channel (and version, when the period spans a change): the rule it is
    judged by."""
    lines = [
        format.plain(
            f"{row.channel}: "
            + format.follow_up_rule(
                row.follow_up_kind, row.agreed_response_hours, row.response_basis
            )
            + f" ({format.agreement_version(row.agreement_version, row.agreement_effective_from)})"
        )
        for row in rules.itertuples()
    ]
    with st.expander("Agreed response time per channel", expanded=False):
        st.caption(
            "Each lead is judged by its channel's rule in the agreement in force on the day it "
            "was created; channels the agreement does not list follow its default. Working "
            "hours count only the agreed working time (office hours, no holidays or closing "
            "days); calendar hours count every hour."
        )
        st.markdown("  \n".join(lines))


def what_if(params: dict) -> None:
    """The share under one hypothetical response time: its own widget, never in the URL."""
    with st.expander("What if the response time were … hours?", expanded=False):
        st.caption(
            "A sandbox: the share of leads contacted within one response time for every "
            "channel, each lead in its own rule's hours (working or calendar) and judged as "
            "the agreed share judges it: a lead never contacted counts as missed once this "
            "time has run out, and a lead whose contact or creation its export dates by the day "
            "alone once even the shortest time it can have taken is past it. "
            "It changes nothing else on the page, and is not part of the link."
        )
        hours = st.number_input(
            "Hypothetical response time (hours)",
            *WHAT_IF_HOURS,
            value=24,
            step=1,
            key="what_if_hours",
        )
        shares = run("metrics/share_within_hours", **params, response_hours=float(hours))
        total = shares[shares["is_total"]]
        st.metric(
            f"Within {hours:g} hours (hypothetical)",
            format.percent(total["share_within"].iloc[0] if len(total) else None),
        )
        tables.show(
            shares,
            {
                "channel": ("Channel", "text"),
                "count_leads": ("Leads measured", "count"),
                "share_within": (f"Within {hours:g} h", "percent"),
            },
            key="follow_up_what_if",
        )


def agreed_dashes(rules: pd.DataFrame) -> dict[str, float]:
    """Per channel, the agreed response time its box gets a dash at: when all its leads in view
    are judged by one time in one basis, though several versions may agree on it; none for a
    channel whose time or basis a new version changed in the period, or a nurtured one."""
    per_channel = rules.groupby("channel").agg(
        times=("agreed_response_hours", lambda hours: hours.nunique(dropna=False)),
        bases=("response_basis", lambda bases: bases.nunique(dropna=False)),
        hours=("agreed_response_hours", "max"),
    )
    one = per_channel[(per_channel["times"] == 1) & (per_channel["bases"] == 1)]
    return one["hours"].dropna().to_dict()


def speed_by(speed: pd.DataFrame, rules: pd.DataFrame) -> None:
    """The box chart and table by channel and by owner."""
    agreed = agreed_dashes(rules)
    # The tab open is part of the link: ?tab=owner.
    tabs = {"channel": "By channel", "owner": "By owner"}
    for tab, grouped_by in zip(linked_tabs("tab", tabs, "follow_up_tab"), tabs, strict=True):
        rows = speed[speed["grouped_by"] == grouped_by]
        rows_and_total = pd.concat([rows, speed[speed["grouped_by"] == "all"]])
        with tab:
            st.plotly_chart(
                charts.box_from_quantiles(
                    rows,
                    grouped_by,
                    f"Hours to first contact by {grouped_by}",
                    page.channel_colors(),
                    agreed if grouped_by == "channel" else None,
                ),
                key=f"follow_up_box_{grouped_by}",
            )
            st.caption(
                "Box: the middle half of contacted leads (25th to 75th percentile), the line "
                "inside is the median, whiskers reach the 10th and 90th percentile. "
                + (
                    "The dash across a channel's box is its agreed response time; a channel "
                    "whose time a new agreement version changed within the period has none. "
                    if grouped_by == "channel"
                    else ""
                )
                + "Hours are in each lead's agreed basis (working or calendar hours). "
                + charts.HOUR_SCALE_NOTE
            )
            tables.show(
                rows_and_total,
                {
                    "group_value": (grouped_by.title(), "text"),
                    "count_leads": ("Leads", "count"),
                    "median_hours_to_first_contact": ("Median", "hours"),
                    "p90_hours_to_first_contact": ("90th percentile", "hours"),
                    "share_within_sla": ("Within agreed time", "percent"),
                    "count_never_contacted": ("Never contacted", "count"),
                    "count_nurture": ("Nurtured (no SLA)", "count"),
                    "count_unmeasurable": ("No contact data", "count"),
                },
                key=f"follow_up_by_{grouped_by}",
            )


def weekly_share(params: dict) -> None:
    st.header("Within the SLA, week by week")
    weekly = run("metrics/sla_share_by_week", **params)
    changes = run(
        "metrics/agreement_changes", start_date=params["start_date"], end_date=params["end_date"]
    )
    figure = charts.share_trend(
        weekly,
        "share_within_sla",
        "Share of each week's leads contacted within the agreed time",
        "within agreed time",
        page.channel_colors(),
    )
    st.plotly_chart(charts.mark_changes(figure, changes), key="follow_up_sla_trend")
    st.caption(
        "Leads created each week, each against its channel's agreed time in the agreement in "
        "force on its creation day; a dotted line marks the day a new version took effect. "
        "Never-contacted leads count as missed once their agreed time has run out by the "
        "data's latest event. Leads with no time of first contact in their export (no "
        "first-contact column, or an answer it cannot date), and nurtured leads, count neither "
        "way."
    )


# Said, and the page ended, when no lead in view has a time of first contact: every chart and
# list below would be empty, which reads as "nobody was contacted". The notes above it say, with
# counts, why (no first-contact column, or an answer the export cannot date).
NO_CONTACT_DATA = (
    "No lead in this view has a time of first contact (the notes above say why), so how fast "
    "sales followed up cannot be measured: no chart, list or share of it is drawn. Load a leads "
    "export that says when each lead was first contacted (a HubSpot contacts export needs its "
    "Owner assigned date beside the response time), or map such a column to first_contacted_at "
    "on the Upload page."
)


def waiting_list(params: dict) -> None:
    st.header("Waiting past the SLA")
    waiting = run("metrics/leads_waiting_past_sla", **params)
    if waiting.empty:
        # Only the leads nobody contacted wait: one contacted late is not listed, and is
        # counted late in the share above.
        st.success(
            "No lead in this view is waiting for a first contact past its agreed time. Leads "
            "contacted late count as missed in the share above."
        )
    else:
        st.caption(
            "Leads created in the period that nobody has contacted although their agreed "
            "response time has passed, oldest first (at most 500), as of the latest data. The "
            "meeting's action list. Contact details stay out of this shared screen: the lead "
            "id finds them in the CRM."
        )
        tables.show(
            waiting.assign(
                # One column for the time and its basis: "4 working h", "24 calendar h".
                agreed_time=[
                    f"{hours:g} {basis} h"
                    for hours, basis in zip(
                        waiting["agreed_response_hours"], waiting["response_basis"], strict=True
                    )
                ]
            ),
            {
                "owner": ("Owner", "text"),
                "lead_id": ("Lead", "text"),
                "company": ("Company", "text"),
                "channel": ("Channel", "text"),
                "created_at": ("Created", "datetime"),
                "agreed_time": ("Agreed time", "text"),
                "days_waiting": ("Waiting", "days"),
            },
            key="follow_up_waiting",
            max_rows=15,
        )


def response_bands(params: dict) -> None:
    st.header("Does speed pay?")
    bands = run("metrics/conversion_by_response_band", **params)
    st.plotly_chart(
        charts.response_bands(bands, "Leads accepted by sales and won, by time to first contact"),
        key="follow_up_bands",
    )
    st.caption(
        "Leads created in the period, grouped by how long sales took to make first contact (in "
        "each lead's agreed basis), and the share of each group that sales accepted (SQL) or "
        "that became a customer, to date. Leads with no time of first contact in their export "
        "(no first-contact column, or an answer it cannot date) are in no group, nor is a "
        "lead whose contact or creation is dated by the day alone when the day spans two."
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


with page.frame("Follow-up speed") as filters:
    params = filters.params()
    page.heading(
        "Follow-up speed",
        filters,
        "Each lead against the response time agreed for its channel, in the agreement in force "
        "when it was created.",
    )
    page.end_if_no_lead_source(filters)
    page.end_if_no_leads(filters)

    page.end_unless_loaded("leads")
    speed = run("metrics/follow_up_speed", **params)
    page.stop_if_empty(speed)
    rules = run("metrics/agreed_follow_up_by_channel", **params)
    agreed_rules(rules)
    overall = speed[speed["grouped_by"] == "all"].iloc[0]
    # Leads with no time of first contact in their export (no column for it, or an answer it
    # cannot date) are neither contacted nor not: with none measurable, "never contacted" is
    # unknown, not 0.
    measurable = overall["count_leads"] > overall["count_unmeasurable"]
    page.tiles(
        [
            (
                "Median follow-up",
                format.hours(overall["median_hours_to_first_contact"]),
                "Half of the contacted leads heard from sales within this time, in each "
                "lead's agreed hours (working or calendar).",
            ),
            (
                "Within agreed time",
                format.percent(overall["share_within_sla"]),
                "Leads contacted within their channel's agreed response time, of the leads "
                "whose data records contacts; never-contacted leads count as missed once "
                "their time has run out; leads still within it, and nurtured leads (no "
                "response time), count neither way.",
            ),
            (
                "Never contacted",
                format.count(overall["count_never_contacted"] if measurable else None),
                "Leads created in the period, from data that records contacts, with none yet.",
            ),
        ],
        page.agreement_in_force(filters),
    )
    page.unmeasurable_note(params)
    if not measurable:
        page.end(NO_CONTACT_DATA, ":material/help:")
    what_if(params)

    if unknown_hour := int(overall["count_contact_hour_unknown"]):
        st.caption(lead_gaps.contact_hour_unknown(unknown_hour, overall["count_leads"]))
    page.left_out(
        overall["count_contacted_before_created"],
        ("lead contacted before it was created", "leads contacted before they were created"),
        "follow-up times and the SLA share",
    )

    speed_by(speed, rules)
    weekly_share(params)
    waiting_list(params)
    response_bands(params)
