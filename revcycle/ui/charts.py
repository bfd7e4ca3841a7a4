"""Plotly figures built from metric query results (aggregates only, never raw rows)."""

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go

from revcycle.ui.colors import color_map

STAGE_LABELS = {
    "lead": "Leads",
    "mql": "MQLs",
    "sql": "SQLs",
    "opportunity": "Opportunities",
    "won": "Customers",
}
FONT = {"size": 16}


def _layout(figure: go.Figure, title: str) -> go.Figure:
    figure.update_layout(
        title=title, font=FONT, margin={"t": 60, "l": 10, "r": 10, "b": 10}, legend_title_text=""
    )
    return figure


def funnel(stages: pd.DataFrame, title: str) -> go.Figure:
    """One funnel from lead to won, from the total rows of conversion_by_channel."""
    figure = go.Figure(
        go.Funnel(
            y=[STAGE_LABELS[stage] for stage in stages["stage"]],
            x=stages["count_events"],
            texttemplate="%{value:,}<br>%{percentPrevious:.0%} of previous",
            textposition="auto",
            marker={"color": "#4477AA"},
            connector={"fillcolor": "#DCE6F2"},
        )
    )
    return _layout(figure, title)


def stage_share_by_channel(conversion: pd.DataFrame, title: str) -> go.Figure:
    """Bars of each stage's share of leads, one colour per channel."""
    rows = conversion[conversion["stage"] != "lead"].assign(
        stage_label=lambda frame: frame["stage"].map(STAGE_LABELS)
    )
    figure = px.bar(
        rows,
        x="stage_label",
        y="share_of_first",
        color="channel",
        barmode="group",
        color_discrete_map=color_map(rows["channel"].unique()),
        labels={"stage_label": "", "share_of_first": "share of leads"},
    )
    figure.update_yaxes(tickformat=".0%")
    return _layout(figure, title)


def bar_by_channel(
    frame: pd.DataFrame, value: str, title: str, axis_label: str, tickformat: str | None = None
) -> go.Figure:
    """One bar per channel, in the channel's colour, largest first."""
    rows = frame.sort_values(value, ascending=False)
    figure = px.bar(
        rows,
        x="channel",
        y=value,
        color="channel",
        color_discrete_map=color_map(rows["channel"].unique()),
        labels={"channel": "", value: axis_label},
    )
    figure.update_layout(showlegend=False)
    if tickformat:
        figure.update_yaxes(tickformat=tickformat)
    return _layout(figure, title)


def trend_by_channel(
    frame: pd.DataFrame, value: str, title: str, axis_label: str, stacked: bool = False
) -> go.Figure:
    """Weekly values per channel: stacked bars for amounts, lines for counts."""
    options = {
        "x": "week_start",
        "y": value,
        "color": "channel",
        "color_discrete_map": color_map(frame["channel"].unique()),
        "labels": {"week_start": "week starting", value: axis_label},
    }
    figure = px.bar(frame, **options) if stacked else px.line(frame, markers=True, **options)
    return _layout(figure, title)


def channel_funnels(conversion: pd.DataFrame, title: str) -> go.Figure:
    """A small funnel per channel, each stage labelled with its count and % of first stage."""
    rows = conversion.assign(
        stage_label=conversion["stage"].map(STAGE_LABELS),
        label=[
            f"{count:,}" + ("" if pd.isna(share) else f" · {share:.0%}")
            for count, share in zip(
                conversion["count_events"], conversion["share_of_first"], strict=True
            )
        ],
    )
    channels = rows["channel"].unique()
    figure = px.funnel(
        rows,
        x="count_events",
        y="stage_label",
        color="channel",
        facet_col="channel",
        facet_col_wrap=4,
        text="label",
        color_discrete_map=color_map(channels),
        facet_row_spacing=0.12,
        height=260 * ((len(channels) + 3) // 4),
    )
    figure.for_each_annotation(lambda note: note.update(text=note.text.split("=")[-1]))
    figure.update_xaxes(matches=None, showticklabels=False, title_text="")
    figure.update_yaxes(title_text="")
    figure.update_traces(textposition="outside", cliponaxis=False)
    figure.update_layout(showlegend=False)
    return _layout(figure, title)


def rate_with_interval(rows: pd.DataFrame, title: str, low_volume_note: str) -> go.Figure:
    """One point per channel with its 95% interval; low-volume channels drawn hollow."""
    rows = rows.sort_values("share_reached")
    figure = go.Figure()
    for row in rows.itertuples():
        figure.add_trace(
            go.Scatter(
                x=[row.share_reached],
                y=[row.channel],
                error_x={
                    "type": "data",
                    "symmetric": False,
                    "array": [row.share_high_95 - row.share_reached],
                    "arrayminus": [row.share_reached - row.share_low_95],
                    "thickness": 3,
                },
                mode="markers",
                marker={
                    "size": 14,
                    "color": color_map([row.channel])[row.channel],
                    "symbol": "circle-open" if row.is_low_volume else "circle",
                    "line": {"width": 3},
                },
                name=row.channel,
                hovertemplate=(
                    f"{row.channel}: %{{x:.1%}} of {row.count_leads:,} leads"
                    f" (95% interval {row.share_low_95:.1%}–{row.share_high_95:.1%})"
                    + (f"<br>{low_volume_note}" if row.is_low_volume else "")
                    + "<extra></extra>"
                ),
            )
        )
    figure.update_xaxes(tickformat=".0%", rangemode="tozero")
    figure.update_layout(showlegend=False, height=120 + 45 * len(rows))
    return _layout(figure, title)


def cohort_trend(rows: pd.DataFrame, title: str) -> go.Figure:
    """Share of each cohort reaching each stage; immature cohorts dotted, still growing."""
    figure = go.Figure()
    palette = {"mql": "#88CCEE", "sql": "#44AA99", "opportunity": "#117733", "won": "#332288"}
    for stage, stage_rows in rows.groupby("stage", sort=False):
        mature = stage_rows[stage_rows["is_mature"]]
        # The dotted part starts at the last mature cohort so the line stays unbroken.
        immature = (
            stage_rows[stage_rows["cohort_start"] >= mature["cohort_start"].max()]
            if len(mature)
            else stage_rows
        )
        for part, dash, suffix in ((mature, "solid", ""), (immature, "dot", " (immature)")):
            figure.add_trace(
                go.Scatter(
                    x=part["cohort_start"],
                    y=part["share_reached"],
                    mode="lines+markers",
                    line={"color": palette[stage], "dash": dash, "width": 3},
                    name=STAGE_LABELS[stage] + suffix,
                    legendgroup=stage,
                    showlegend=not part.empty,
                )
            )
    figure.update_yaxes(tickformat=".0%", title_text="share of the cohort", rangemode="tozero")
    figure.update_xaxes(title_text="cohort (leads created in)")
    return _layout(figure, title)


def box_from_quantiles(rows: pd.DataFrame, group_label: str, title: str) -> go.Figure:
    """Boxes drawn from quantiles computed in SQL: whiskers at the 10th and 90th percentile."""
    figure = go.Figure()
    for row in rows.itertuples():
        color = (
            color_map([row.group_value])[row.group_value] if group_label == "channel" else "#4477AA"
        )
        figure.add_trace(
            go.Box(
                name=row.group_value,
                q1=[row.p25_hours_to_first_contact],
                median=[row.median_hours_to_first_contact],
                q3=[row.p75_hours_to_first_contact],
                lowerfence=[row.p10_hours_to_first_contact],
                upperfence=[row.p90_hours_to_first_contact],
                marker_color=color,
                orientation="v",
            )
        )
    figure.update_yaxes(type="log", title_text="hours to first contact (log scale)")
    figure.update_layout(showlegend=False)
    return _layout(figure, title)


def share_trend(rows: pd.DataFrame, value: str, title: str, axis_label: str) -> go.Figure:
    """A weekly share per channel, with all channels together as a thick dark line."""
    figure = px.line(
        rows,
        x="week_start",
        y=value,
        color="channel",
        color_discrete_map=color_map(rows["channel"].unique()),
        labels={"week_start": "week starting", value: axis_label},
    )
    figure.update_traces(selector={"name": "(all channels)"}, line={"width": 5})
    figure.update_yaxes(tickformat=".0%", rangemode="tozero")
    return _layout(figure, title)


def response_bands(rows: pd.DataFrame, title: str) -> go.Figure:
    """Share of leads accepted by sales and won, per first-response band."""
    long = rows.melt(
        id_vars=["response_band"], value_vars=["share_sql", "share_won"], var_name="outcome"
    ).replace({"outcome": {"share_sql": "became SQL", "share_won": "became customer"}})
    figure = px.bar(
        long,
        x="response_band",
        y="value",
        color="outcome",
        barmode="group",
        color_discrete_map={"became SQL": "#44AA99", "became customer": "#332288"},
        labels={"response_band": "first contact after", "value": "share of leads"},
    )
    figure.update_yaxes(tickformat=".0%")
    return _layout(figure, title)
