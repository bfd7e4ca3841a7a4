"""Conversion by source: each channel's funnel, by period or by cohort, with its uncertainty."""

import pandas as pd
import streamlit as st

from revcycle.ui import agreements, charts, format, page, tables
from revcycle.ui.data import run
from revcycle.ui.filters import linked_choice, linked_number

# The page's own choices, part of the link as they are written here (?conversion_mode=Cohorts).
MODES = ("Events in the period", "Cohorts")
GRAINS = ("week", "month")


def _against_targets(counts, filters, in_force) -> None:
    """Leads, MQLs and SQLs per channel against the agreed targets, prorated to the period."""
    st.subheader("Against the agreed targets")
    tables.show(
        agreements.with_targets(counts, page.targets_in_view(filters), in_force, filters.params()),
        {
            "channel": ("Channel", "text"),
            "lead": ("Leads", "count"),
            "lead_status": ("Leads vs target", "text"),
            "mql": ("MQLs", "count"),
            "mql_status": ("MQLs vs target", "text"),
            "sql": ("SQLs", "count"),
            "sql_status": ("SQLs vs target", "text"),
        },
        key="conversion_against_targets",
    )
    st.caption(
        "Each cell: the share of the period's target reached, and the target, prorated from "
        "the month by working days. Empty where none is agreed, or where the view is cut by "
        "owner or segment (targets are per channel). " + agreements.status_help(in_force)
    )


with page.frame("Conversion by source") as filters:
    page.heading("Conversion by source", filters)
    page.end_if_no_lead_source(filters)
    page.unmeasurable_note(filters.params())

    mode = linked_choice(
        "conversion_mode", "conversion_mode", MODES, MODES[0], "a way of counting here"
    )
    st.segmented_control(
        "Count",
        MODES,
        key="conversion_mode",
        help="Events: each stage counts what happened in the period. Cohorts: follow the leads "
        "created in the period and count how many reached each stage within N days.",
    )

    if mode == "Cohorts":
        page.end_unless_loaded("leads")  # cohorts are of leads
        left, right = st.columns(2)
        with left:
            within_days = linked_number(
                "Within days of creation", "within_days", (7, 365), 30, "days"
            )
        with right:
            grain = linked_choice("cohort_grain", "cohort_grain", GRAINS, "month", "week or month")
            st.segmented_control("Cohorts of", GRAINS, key="cohort_grain")
        params = filters.params() | {"within_days": int(within_days)}
        by_channel = run(
            "metrics/cohort_conversion_by_channel", **params, min_leads=page.LOW_VOLUME_LEADS
        )
        page.stop_if_empty(by_channel)
        by_cohort = run("metrics/cohort_conversion_by_week", **params, cohort_grain=grain)
        # The won row counts every mature lead; the MQL and SQL rows only those that can tell.
        total = by_channel[by_channel["is_total"] & (by_channel["stage"] == "won")].iloc[0]
        if total["count_leads"] == 0:
            page.end(
                f"None of these leads has had {within_days} days yet. Choose an earlier period or "
                "a shorter window.",
                ":material/hourglass_top:",
            )
        immature = int(total["count_immature_leads"])
        if immature:
            st.caption(
                f"{immature:,} leads created less than {within_days} days before the latest data "
                "have not had their full window yet; they are left out of the rates below."
            )
        stages = list(charts.STAGE_LABELS.values())[1:]  # by their labels: ?cohort_stage=SQLs
        stage_label = linked_choice(
            "cohort_stage", "cohort_stage", stages, "Customers", "a stage of the funnel"
        )
        st.segmented_control("Stage", stages, key="cohort_stage")
        stage = {label: key for key, label in charts.STAGE_LABELS.items()}[stage_label]
        channel_rows = by_channel[(by_channel["stage"] == stage) & ~by_channel["is_total"]]
        low_volume = channel_rows[channel_rows["is_low_volume"]]["channel"].tolist()
        if low_volume:
            st.warning(
                f"Fewer than {page.LOW_VOLUME_LEADS} mature leads: "
                f"{format.plain(', '.join(low_volume))}. "
                "Their rates can swing widely by chance; read the interval, not the point.",
                icon=":material/warning:",
            )
        st.plotly_chart(
            charts.rate_with_interval(
                channel_rows,
                f"Leads reaching “{stage_label}” within {within_days} days, with 95% interval",
                "low volume: fewer than 30 leads",
                page.channel_colors(),
            ),
            key="conversion_rate_interval",
        )
        st.caption(
            "The bar around each point is a 95% Wilson interval: the range the channel's true rate "
            "plausibly lies in, given how many leads it had. Overlapping intervals mean the "
            "difference may be chance. Hollow points rest on few leads."
        )
        st.plotly_chart(
            charts.cohort_trend(
                by_cohort,
                f"Share of each {grain}'s leads reaching each stage within {within_days} days",
                grain,
            ),
            key="conversion_cohort_trend",
        )
        st.caption(
            "Dotted: cohorts whose leads have not all had the full window yet — still growing, "
            "not failing."
        )
        tables.show(
            by_channel[by_channel["stage"] == stage],
            {
                "channel": ("Channel", "text"),
                "count_leads": ("Mature leads", "count"),
                "count_reached": (stage_label, "count"),
                "share_reached": ("Rate", "percent"),
                "share_low_95": ("95% low", "percent"),
                "share_high_95": ("95% high", "percent"),
                "is_low_volume": ("Low volume", "text"),
            },
            key="conversion_cohort_by_channel",
        )
    else:
        conversion = run("metrics/conversion_by_channel", **filters.params())
        page.stop_if_empty(conversion)
        totals = conversion[conversion["is_total"]].set_index("stage")
        # An unknown count is "–", never 0 (no deals export: no customer is known).
        totals["count_events"] = (
            totals["count_events"].astype(float).mask(totals["is_unmeasurable"])
        )
        agreed = page.agreement_in_force(filters)
        page.tiles(
            [
                (
                    "Leads",
                    format.count(totals.loc["lead", "count_events"]),
                    "New leads created in the period.",
                ),
                (
                    "Sales acceptance",
                    format.percent(totals.loc["sql", "share_of_previous"]),
                    "SQLs ÷ MQLs in the period: how much of marketing's output sales took on.",
                ),
                (
                    "Customers",
                    format.count(totals.loc["won", "count_events"]),
                    "Leads whose first deal was won in the period, and won deals with no lead.",
                ),
            ],
            agreed,
        )
        # Deals with no lead have no lead stages to draw a funnel of; the table keeps them.
        # A stage no lead of the channel could record says "not measured", never a 0.
        per_channel = conversion[~conversion["is_total"] & (conversion["channel"] != "(no lead)")]
        st.plotly_chart(
            charts.channel_funnels(
                per_channel, "Each channel's funnel: count · % of its leads", page.channel_colors()
            ),
            key="conversion_funnels",
        )
        st.caption(
            "Each stage counts the events that happened in the period: leads created, MQLs, SQLs "
            "(accepted by sales), opportunities (first deal created) and customers (first deal "
            "won). The percentage is **% of first**: the stage divided by the channel's leads. "
            "Events of one period come from leads of several periods, so a stage can outgrow the "
            "one before it; use Cohorts to follow the same leads through the funnel."
        )
        # Unknown counts are missing ("–"), never 0; rows in the metric's order.
        known = conversion["count_events"].astype(float).mask(conversion["is_unmeasurable"])
        order = conversion[["is_total", "channel"]].drop_duplicates()
        counts = (
            conversion.assign(count_events=known)
            .pivot(index=["is_total", "channel"], columns="stage", values="count_events")
            .reindex(pd.MultiIndex.from_frame(order))
            .reset_index()
        )
        won = conversion[conversion["stage"] == "won"]
        won_share = won[["channel", "count_without_lead", "share_of_first"]]
        tables.show(
            counts.merge(won_share, on="channel"),
            {
                "channel": ("Channel", "text"),
                "lead": ("Leads", "count"),
                "mql": ("MQLs", "count"),
                "sql": ("SQLs", "count"),
                "opportunity": ("Opportunities", "count"),
                "won": ("Customers", "count"),
                "count_without_lead": ("of which with no lead", "count"),
                "share_of_first": ("Customers per lead", "percent"),
            },
            key="conversion_stage_counts",
        )
        st.caption(
            "A deal that matches no lead counts in its own source's channel (or “(no lead)” "
            "without one) as an opportunity or customer, but it is no lead: the column “of which "
            "with no lead” lists such customers on their own, and every rate per lead counts "
            "leads on both sides."
        )
        if agreed.in_force is not None:
            _against_targets(counts, filters, agreed.in_force)
