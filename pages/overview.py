"""Overview: the revenue cycle from lead to won revenue, for the weekly alignment meeting."""

import streamlit as st

from revcycle.periods import previous_period
from revcycle.ui import charts, format, tables
from revcycle.ui.data import run
from revcycle.ui.filters import Filters

filters: Filters = st.session_state["filters"]
params = filters.params()
previous_start, previous_end = previous_period(filters.start_date, filters.end_date)
previous_params = params | {"start_date": previous_start, "end_date": previous_end}

conversion = run("metrics/conversion_by_channel", **params)
speed = run("metrics/follow_up_speed", **params, sla_hours=filters.sla_hours)
revenue = run("metrics/revenue_by_channel", **params)

st.title("The revenue cycle")
st.caption(
    f"{filters.start_date:%d %b %Y} – {filters.end_date:%d %b %Y}; changes are against "
    f"{previous_start:%d %b %Y} – {previous_end:%d %b %Y}."
)

if conversion.empty:
    st.info("No leads or deals match these filters. Widen the period or clear a filter.")
    st.stop()

previous_conversion = run("metrics/conversion_by_channel", **previous_params)
previous_speed = run("metrics/follow_up_speed", **previous_params, sla_hours=filters.sla_hours)
previous_revenue = run("metrics/revenue_by_channel", **previous_params)


def total(frame, column, **where):
    """The value of ``column`` in the all-channels row of a metric result (None if absent)."""
    rows = frame
    for key, value in where.items():
        rows = rows[rows[key] == value]
    return rows[column].iloc[0] if len(rows) else None


def stage_total(frame, stage):
    return total(frame, "count_events", is_total=True, stage=stage)


TILES = (
    (
        "Leads",
        lambda f: stage_total(f[0], "lead"),
        format.count,
        "New leads created in the period.",
    ),
    (
        "MQLs",
        lambda f: stage_total(f[0], "mql"),
        format.count,
        "Leads marketing qualified in the period.",
    ),
    (
        "SQLs",
        lambda f: stage_total(f[0], "sql"),
        format.count,
        "Leads sales accepted in the period.",
    ),
    (
        "Opportunities",
        lambda f: stage_total(f[0], "opportunity"),
        format.count,
        "Leads whose first deal was created in the period, plus deals with no lead.",
    ),
    (
        "Won deals",
        lambda f: total(f[2], "count_won_deals", is_total=True),
        format.count,
        "Deals closed as won in the period.",
    ),
    (
        "Won revenue",
        lambda f: total(f[2], "won_revenue", is_total=True),
        format.euros,
        "Amount of the deals won in the period.",
    ),
    (
        "Median follow-up",
        lambda f: total(f[1], "median_hours_to_first_contact", grouped_by="all"),
        format.hours,
        "Half of the period's contacted leads heard from sales within this time.",
    ),
    (
        "Within SLA",
        lambda f: total(f[1], "share_within_sla", grouped_by="all"),
        format.percent,
        f"Share of the period's leads contacted within {filters.sla_hours:g} hours; "
        "never-contacted leads count as missed.",
    ),
)
LOWER_IS_BETTER = {"Median follow-up"}

current_frames = (conversion, speed, revenue)
previous_frames = (previous_conversion, previous_speed, previous_revenue)
for row_start in (0, 4):
    for column, (label, value_of, shown, definition) in zip(
        st.columns(4), TILES[row_start : row_start + 4], strict=True
    ):
        with column, st.container(border=True, height="stretch"):
            value = value_of(current_frames)
            st.metric(
                label,
                shown(value),
                delta=format.change(value, value_of(previous_frames)),
                delta_color="inverse" if label in LOWER_IS_BETTER else "normal",
            )
            st.caption(definition)

st.header("Conversion by channel")
left, right = st.columns([2, 3])
with left:
    st.plotly_chart(
        charts.funnel(conversion[conversion["is_total"]], "From lead to won, all channels"),
        key="overview_funnel",
    )
with right:
    st.plotly_chart(
        charts.bar_by_channel(
            conversion[(conversion["stage"] == "sql") & ~conversion["is_total"]],
            "share_of_previous",
            "Sales acceptance: SQLs per MQL",
            "SQLs ÷ MQLs",
            ".0%",
        ),
        key="overview_acceptance",
    )
st.caption(
    "Period mode: each stage counts the events that happened in the period, so a lead created "
    "before the period can become an SQL within it. **Customers** are leads whose first deal "
    "was won in the period. **% of previous** divides a stage by the stage before it."
)
stage_counts = conversion.pivot_table(
    index=["is_total", "channel"], columns="stage", values="count_events", sort=False
).reset_index()
tables.show(
    stage_counts,
    {
        "channel": ("Channel", "text"),
        "lead": ("Leads", "count"),
        "mql": ("MQLs", "count"),
        "sql": ("SQLs", "count"),
        "opportunity": ("Opportunities", "count"),
        "won": ("Customers", "count"),
    },
    key="overview_conversion",
)

st.header("Follow-up speed")
by_channel = speed[speed["grouped_by"] == "channel"].rename(columns={"group_value": "channel"})
st.plotly_chart(
    charts.bar_by_channel(
        by_channel,
        "share_within_sla",
        f"Share of leads contacted within {filters.sla_hours:g} hours",
        "within SLA",
        ".0%",
    ),
    key="overview_sla_share",
)
st.caption(
    "Hours from a lead's creation to sales' first contact, for leads created in the period. "
    "Median and 90th percentile are over contacted leads; never-contacted leads are counted."
)
speed_tabs = st.tabs(["By channel", "By owner"])
for tab, grouped_by in zip(speed_tabs, ("channel", "owner"), strict=True):
    with tab:
        tables.show(
            speed[speed["grouped_by"] == grouped_by],
            {
                "group_value": (grouped_by.title(), "text"),
                "count_leads": ("Leads", "count"),
                "median_hours_to_first_contact": ("Median", "hours"),
                "p90_hours_to_first_contact": ("90th percentile", "hours"),
                "share_within_sla": ("Within SLA", "percent"),
                "count_never_contacted": ("Never contacted", "count"),
            },
            key=f"overview_speed_by_{grouped_by}",
        )

st.header("Revenue by channel")
per_channel = revenue[~revenue["is_total"]]
st.plotly_chart(
    charts.bar_by_channel(per_channel, "won_revenue", "Won revenue by channel", "won revenue (€)"),
    key="overview_revenue",
)
st.caption(
    "Won revenue: amount of deals won in the period, credited to the channel of the deal's "
    "lead; deals with no matching lead stay visible as “(no lead)”. Win rate: won ÷ closed "
    "deals closed in the period. Open pipeline: deals created in the period, not closed yet."
)
tables.show(
    revenue,
    {
        "channel": ("Channel", "text"),
        "won_revenue": ("Won revenue", "euro"),
        "count_won_deals": ("Won deals", "count"),
        "average_won_deal": ("Average deal", "euro"),
        "win_rate": ("Win rate", "percent"),
        "median_days_lead_to_won": ("Lead → won", "days"),
        "open_pipeline": ("Open pipeline", "euro"),
    },
    key="overview_revenue",
)
