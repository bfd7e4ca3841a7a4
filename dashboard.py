"""Overview: the revenue cycle from lead to won revenue, for the weekly alignment meeting."""

import numpy as np
import streamlit as st

from revcycle.periods import comparison_line, previous_period
from revcycle.ui import agreements, charts, format, money, page, roi
from revcycle.ui.data import run
from revcycle.ui.filters import funnel_start, linked_tabs


def total(frame, column, **where):
    """The value of ``column`` in the all-channels row of a metric result (None if absent)."""
    # NumPy masks, not pandas filtering: the tiles ask about forty times a run, and a pandas
    # filter took a few milliseconds each.
    matches = np.ones(len(frame), dtype=bool)
    for key, value in where.items():
        matches &= frame[key].to_numpy() == value
    rows = np.flatnonzero(matches)
    return frame[column].iloc[rows[0]] if len(rows) else None


def stage_total(frame, stage):
    """The stage's events in the period; None (shown "–") when there are leads but none of
    them comes from a file that records the stage (is_unmeasurable): 0 would blame the funnel
    for a column the export lacks (the note under the tiles says which)."""
    if total(frame, "is_unmeasurable", is_total=True, stage=stage):
        return None
    return total(frame, "count_events", is_total=True, stage=stage)


# Label, value from the (conversion, speed, revenue) results, how it is shown, definition.
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
        money.Currency.amount,  # in the data's currency: see the loop below
        "Amount of the deals won in the period.",
    ),
    (
        "Median follow-up",
        lambda f: total(f[1], "median_hours_to_first_contact", grouped_by="all"),
        format.hours,
        "Half of the period's contacted leads heard from sales within this time.",
    ),
    (
        "Within agreed time",
        lambda f: total(f[1], "share_within_sla", grouped_by="all"),
        format.percent,
        "Share of the period's leads contacted within the response time agreed for their "
        "channel (in the agreement in force when each was created); never-contacted leads "
        "count as missed once their time has run out, leads still within it, leads with no "
        "contact data and nurtured leads neither way.",
    ),
)
LOWER_IS_BETTER = {"Median follow-up"}


def shown_value(show, value, currency: money.Currency) -> str:
    """A tile's value; a money tile's in the data's currency, known only once the page runs."""
    return currency.amount(value) if show is money.Currency.amount else show(value)


def change(show, current, previous, currency: money.Currency) -> str | None:
    """A tile's change; none for sums of money over several currencies, which are refused."""
    if show is money.Currency.amount and currency.is_mixed:
        return None
    # A share moves in percentage points: 30% to 33% is "+3.0 pts", never "+10.0%".
    return (format.points if show is format.percent else format.change)(current, previous)


def tile_target(label, actual, targets: dict, agreed: page.Agreed, currency: money.Currency):
    """The tile's line against its target, where the agreement sets one for the view."""
    metric = agreements.TARGET_OF.get(label)
    if metric not in targets or (metric == "won_revenue" and currency.is_mixed):
        return None
    shown = {"won_revenue": currency.whole}.get(
        metric, format.percent if metric.startswith("share_") else format.whole_number
    )
    return page.against_target(actual, targets[metric], shown(targets[metric]), agreed.in_force)


with page.frame("Overview") as filters:
    params = filters.params()
    previous_start, previous_end = previous_period(filters.start_date, filters.end_date)
    previous_params = params | {"start_date": previous_start, "end_date": previous_end}
    # A period before that starts before the leads (periods.FunnelStart) holds days with no
    # lead loaded: its lower numbers would show as growth ("+1000%"), so no change is shown.
    start = funnel_start()
    is_compared = start is None or previous_start >= start.day

    conversion = run("metrics/conversion_by_channel", **params)
    speed = run("metrics/follow_up_speed", **params)
    revenue = run("metrics/revenue_by_channel", **params)

    page.heading(
        "The revenue cycle",
        filters,
        comparison_line(previous_start, previous_end, start),
    )
    page.end_if_no_lead_source(filters)
    page.stop_if_empty(conversion)

    previous_conversion = run("metrics/conversion_by_channel", **previous_params)
    previous_speed = run("metrics/follow_up_speed", **previous_params)
    previous_revenue = run("metrics/revenue_by_channel", **previous_params)

    currency = money.currency()
    money.say(currency)

    current_frames = (conversion, speed, revenue)
    previous_frames = (previous_conversion, previous_speed, previous_revenue)
    agreed = page.agreement_in_force(filters)
    targets = agreements.view_targets(page.targets_in_view(filters), params)
    # Each tile's value now and in the period before, read once.
    values = [(value_of(current_frames), value_of(previous_frames)) for _, value_of, *_ in TILES]
    for row_start in (0, 4):
        page.tiles(
            [
                (
                    label,
                    shown_value(shown, current, currency),
                    definition,
                    change(shown, current, previous, currency) if is_compared else None,
                    label in LOWER_IS_BETTER,
                    tile_target(label, current, targets, agreed, currency),
                )
                for (label, _, shown, definition), (current, previous) in zip(
                    TILES[row_start : row_start + 4], values[row_start : row_start + 4], strict=True
                )
            ],
            agreed,
        )
    money.per_currency(params, currency, key="overview_per_currency")
    roi.overview_tiles(params, currency)
    page.unmeasurable_note(params)
    page.undated_wins_note(params)
    page.deals_without_amount_note(revenue)
    page.deals_without_outcome_note(revenue)

    page.left_out(
        total(speed, "count_contacted_before_created", grouped_by="all"),
        ("lead contacted before it was created", "leads contacted before they were created"),
        "the follow-up tiles",
    )

    left, right = st.columns([2, 3])
    with left:
        st.plotly_chart(
            charts.funnel(conversion[conversion["is_total"]], "From lead to customer"),
            key="overview_funnel",
        )
        st.caption(
            "Events in the period at each stage; “of previous” divides a stage by the one before, "
            "counting leads only: a deal with no lead adds to the count, never to a rate. "
            "Customers: leads whose first deal was won in the period, and won deals with no lead."
        )
    with right:
        weekly = run("metrics/weekly_leads_and_revenue_by_channel", **params)
        changes = run(
            "metrics/agreement_changes",
            start_date=params["start_date"],
            end_date=params["end_date"],
        )
        leads_tab, revenue_tab = linked_tabs(  # the tab open is part of the link: ?tab=revenue
            "tab", {"leads": "Leads per week", "revenue": "Won revenue per week"}, "overview_tab"
        )
        with leads_tab:
            with_leads = weekly[weekly["count_leads"] > 0]
            if not page.is_loaded("leads"):  # the banner above says what to load
                st.caption(charts.NOTHING_TO_CHART.format("leads"))
            elif with_leads.empty:
                st.caption(charts.NO_LEAD_TO_CHART)
            else:
                st.plotly_chart(
                    charts.mark_changes(
                        charts.trend_by_channel(
                            with_leads,
                            "count_leads",
                            "New leads per week",
                            "leads",
                            page.channel_colors(),
                        ),
                        changes,
                    ),
                    key="overview_weekly_leads",
                )
        with revenue_tab:
            figures = []
            if not page.is_loaded("deals"):
                st.caption(charts.NOTHING_TO_CHART.format("deals"))
            elif currency.is_mixed:  # a chart per currency: amounts in two are never added
                figures = list(money.weekly_charts(params, page.channel_colors()).values())
            elif (weekly["won_revenue"] > 0).any():
                figures = [
                    charts.won_revenue_per_week(weekly, currency.unit, page.channel_colors())
                ]
            else:
                st.caption(charts.NO_WIN_TO_CHART)
            for at, figure in enumerate(figures):
                st.plotly_chart(
                    charts.mark_changes(figure, changes),
                    key="overview_weekly_revenue" + (f"_{at}" if at else ""),
                )
        st.caption(
            "Weeks start on Monday. Hatched bars are weeks the period cuts short, not drops. "
            "A dotted line “v2” marks the day a new version of the agreement took effect."
        )
