"""Revenue by channel: what each channel's leads won, how fast, what is in the pipeline, and
what each channel cost against what it brought in."""

import pandas as pd
import streamlit as st

from revcycle.roi import report
from revcycle.ui import charts, format, money, page, roi, tables
from revcycle.ui.data import run


def unknown_sums(revenue: pd.DataFrame) -> dict[str, pd.Series]:
    """Why each row's won revenue and open pipeline are unknown, where one is (said, never 0):
    its wins have no close date (revenue_by_channel's undated wins: the wins themselves are
    unknown), or its deals have no amount. The captions below say how many of each. (With no
    deal's outcome loaded the page shows no such table.)"""
    undated = revenue["count_won_deals"].isna() & (revenue["count_won_without_close_date"] > 0)
    reasons = {
        "won_revenue": undated.map({True: "no close date", False: "no amount"}),
        "open_pipeline": pd.Series("no amount", index=revenue.index),
    }
    # Words only where a sum is unknown: a column with words is sent as text.
    return {column: said for column, said in reasons.items() if revenue[column].isna().any()}


def draw_won_revenue(per_channel: pd.DataFrame, params: dict, currency: money.Currency) -> None:
    """Won revenue by channel, and by week; a chart per currency for amounts in several, which
    are never added."""
    if currency.is_mixed:
        show_won_revenue_per_currency(params)
        return
    if not (per_channel["won_revenue"] > 0).any():  # two empty charts would read as data
        st.caption(charts.NO_WIN_TO_CHART)
        return
    left, right = st.columns(2)
    with left:
        st.plotly_chart(
            charts.bar_by_channel(
                per_channel.dropna(subset=["won_revenue"]),  # no amount: no bar, not 0
                "won_revenue",
                "Won revenue by channel",
                currency.unit,
                page.channel_colors(),
            ),
            key="revenue_by_channel_bar",
        )
    with right:
        weekly = run("metrics/weekly_leads_and_revenue_by_channel", **params)
        st.plotly_chart(
            charts.won_revenue_per_week(weekly, currency.unit, page.channel_colors()),
            key="revenue_weekly",
        )


def show_won_revenue(revenue: pd.DataFrame, params: dict, currency: money.Currency) -> None:
    """What each channel won, by channel and week, and the table of its figures."""
    per_channel, total = revenue[~revenue["is_total"]], revenue[revenue["is_total"]].iloc[0]
    draw_won_revenue(per_channel, params, currency)
    st.caption(
        "Won revenue: amount of the deals won in the period, credited to the channel of the deal's "
        "lead; a deal that matches no lead, to its own source's channel. Deals with neither keep "
        "their own bar, “(no lead)”."
        + ("" if currency.is_mixed else " Hatched bars are weeks the period cuts short.")
    )
    tables.show(
        revenue,
        money.columns(
            {
                "channel": ("Channel", "text"),
                "won_revenue": ("Won revenue", "cents"),
                "count_won_deals": ("Won deals", "count"),
                "average_won_deal": ("Average won deal", "euro"),
                "win_rate": ("Win rate", "percent"),
                "median_days_lead_to_won": ("Lead → won (median)", "days"),
                "open_pipeline": ("Open pipeline", "cents"),
            },
            currency,
        ),
        key="revenue_by_channel",
        money_unit=currency.unit,
        missing=unknown_sums(revenue),
    )
    st.caption(
        "Win rate: won ÷ closed deals, of deals closed in the period. Lead → won: days from the "
        "lead's creation to the win (deals with no lead have none). Open pipeline: amount of deals "
        "created in the period that are not closed yet."
    )
    page.undated_wins_note(params)
    page.deals_without_amount_note(revenue)
    page.deals_without_outcome_note(revenue)
    page.left_out(
        total["count_won_before_lead"],
        (
            "won deal closed before its lead was created",
            "won deals closed before their lead was created",
        ),
        "lead → won",
    )


def show_won_revenue_per_currency(params: dict) -> None:
    """For amounts in several currencies, which are never added: each currency's won revenue by
    channel, a chart each, and every channel's sums in each currency."""
    sums = money.sums_per_currency(params)
    per_channel = sums[~sums["is_total"]]
    won = per_channel[per_channel["count_won_deals"] > 0].dropna(subset=["won_revenue"])
    weekly = money.weekly_charts(params, page.channel_colors())
    for at, code in enumerate(dict.fromkeys(won["currency"])):
        left, right = st.columns(2)  # each currency's channels, and its weeks
        left.plotly_chart(
            charts.bar_by_channel(
                won[won["currency"] == code],
                "won_revenue",
                f"Won revenue by channel, {charts.as_text(code)}",
                code,
                page.channel_colors(),
            ),
            key=f"revenue_by_channel_bar_{at}",
        )
        if code in weekly:
            right.plotly_chart(weekly[code], key=f"revenue_weekly_{at}")
    st.subheader("Won revenue and open pipeline per channel and currency")
    tables.show(
        per_channel,
        {"channel": ("Channel", "text"), "currency": ("Currency", "text"), **money.SUMS_COLUMNS},
        key="revenue_per_channel_and_currency",
    )


def show_cost_and_return(params: dict, currency: money.Currency) -> None:
    """What each channel cost against what it brought in, credited by the chosen model."""
    st.header("Cost and return per channel")
    model, cohort = roi.choose_view(params)
    found = roi.figures(model, cohort, params)
    spent = roi.spend_currency(found)
    roi.say_refusals(found)
    if found.money.has_spend and not (found.refusals or currency.is_mixed):
        st.plotly_chart(roi.spend_and_return(found, spent.unit), key="roi_spend_and_return")
    roi.show_tables(found, spent)
    roi.notes(found)
    st.caption(
        "Spend: the spend exports' amounts on the period's days (a row covering several days is "
        "spread evenly over them). Per lead, MQL, SQL, opportunity: spend ÷ the period's count, "
        "counted as on the overview; CAC: spend ÷ new customers. Won revenue and pipeline: what "
        "the chosen model credits the channel. Won per unit (ROAS): won revenue ÷ spend; ROI: "
        "(won revenue − spend) ÷ spend. Payback: months from the period's first day until the "
        "won revenue of the period's leads reaches the spend; “not yet” when it has not. The "
        "last row adds up the channels with spend."
    )


def show_costs_without_deals(params: dict) -> None:
    """With spend and no deals export, what each channel's leads, MQLs and SQLs cost: no
    revenue is known, so no model credits any and no return is shown."""
    found = roi.figures(report.LEAD_SOURCE, False, params)
    if not found.money.has_spend:
        return
    st.header("Cost per channel")
    roi.say_refusals(found)
    roi.show_tables(found, roi.spend_currency(found), returns=False)
    roi.notes(found)


def show_pipeline_velocity(revenue: pd.DataFrame, currency: money.Currency) -> None:
    """The revenue per day each channel's pipeline moves toward, and its parts."""
    per_channel, total = revenue[~revenue["is_total"]], revenue[revenue["is_total"]].iloc[0]
    st.header("Pipeline velocity")
    if not currency.is_mixed:
        st.plotly_chart(
            charts.bar_by_channel(
                per_channel.dropna(subset=["pipeline_velocity_per_day"]),
                "pipeline_velocity_per_day",
                "Expected revenue per day",
                f"{currency.unit} per day".strip(),
                page.channel_colors(),
            ),
            key="revenue_velocity",
        )
    tables.show(
        revenue,
        money.columns(
            {
                "channel": ("Channel", "text"),
                "count_opportunities": ("Deals created", "count"),
                "average_won_deal": ("× Average won deal", "euro"),
                "win_rate": ("× Win rate", "percent"),
                "average_sales_cycle_days": ("÷ Sales cycle", "days"),
                "pipeline_velocity_per_day": ("= Velocity per day", "euro"),
            },
            currency,
        ),
        key="revenue_velocity_parts",
        money_unit=currency.unit,
    )
    st.caption(
        "Pipeline velocity = deals created in the period × average won deal × win rate ÷ average "
        "sales-cycle days (deal created → won): the revenue per day the channel's pipeline is "
        "moving toward. The table shows each part, so you can see which one moves a channel."
    )
    if currency.is_mixed:
        st.caption(
            "The average won deal and the velocity are sums of money, and the deals are in "
            "several currencies, which are never added: only the parts without money are shown. "
            "Each currency's won revenue is in the table per channel and currency above."
        )
    page.left_out(
        total["count_won_before_created"],
        ("deal closed before it was created", "deals closed before they were created"),
        "the sales cycle and pipeline velocity",
    )


with page.frame("Revenue by channel") as filters:
    params = filters.params()
    page.heading("Revenue by channel", filters)
    page.end_if_no_lead_source(
        filters,
        "The won revenue and pipeline here follow leads and deals by their source: for {it}, "
        "only the cost against what the chosen model credits is shown. {Its} share of the "
        "revenue is on Attribution.",
        lambda: (
            show_cost_and_return(params, money.currency())
            if page.is_loaded("deals")
            else show_costs_without_deals(params)
        ),
    )

    if not page.is_loaded("deals"):
        show_costs_without_deals(params)
        page.end_unless_loaded("deals")
    revenue = run("metrics/revenue_by_channel", **params)
    page.stop_if_empty(revenue)
    total = revenue[revenue["is_total"]].iloc[0]
    currency = money.currency()
    money.say(currency)
    page.tiles(
        [
            (
                "Won revenue",
                currency.amount(total["won_revenue"]),
                "Amount of the deals won in the period.",
            ),
            (
                "Win rate",
                format.percent(total["win_rate"]),
                "Won ÷ closed, of the deals closed in the period.",
            ),
            (
                "Open pipeline",
                currency.amount(total["open_pipeline"]),
                "Deals created in the period and not closed yet.",
            ),
        ],
        page.agreement_in_force(filters),
    )
    money.per_currency(params, currency, key="revenue_per_currency")

    # With no deal's outcome known (the banner says so), only what the channels cost is left.
    outcomes_known = not pd.isna(total["count_closed_deals"])
    if outcomes_known:
        show_won_revenue(revenue, params, currency)
    show_cost_and_return(params, currency)
    if outcomes_known:
        show_pipeline_velocity(revenue, currency)
