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
