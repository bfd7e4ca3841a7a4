"""The meeting's charts, one figure per section, drawn from a MeetingWeek: the page shows them
and the pack inlines them, so both show the same picture. Plotly only, no Streamlit.

Names from uploads (channels, owners, reasons) are escaped (chart_text.as_text): Plotly reads a
subset of HTML in every text it draws. A long one is shortened on an axis or in a legend, and
whole in the hover."""

import pandas as pd
import plotly.graph_objects as go

from revcycle import colors
from revcycle.chart_text import (
    LEGEND_BESIDE,
    LEGEND_FONT,
    as_text,
    legend_labels,
    legend_under,
    name_ticks,
    week_axis,
)

FONT = {"size": 16}
BASELINE = "#999999"
RECENT = "#CC3311"
STACK = (("count_accepted", "Accepted", "#117733"), ("count_rejected", "Rejected", "#CC3311"))
PENDING = ("count_pending", "Not yet decided", "#DDDDDD")
# Which weekly series the trend chart draws, as the tiles name them, in the colours the pages
# give the stages (set here, so the pack shows the page's colours, not Plotly's own).
SERIES = (
    ("count_leads", "Leads", colors.NEUTRAL),
    ("count_mqls", "MQLs", colors.STAGE_COLORS["mql"]),
    ("count_sqls", "SQLs", colors.STAGE_COLORS["sql"]),
    ("count_opportunities", "Opportunities", colors.STAGE_COLORS["opportunity"]),
)


def _layout(figure: go.Figure, title: str, height: int) -> go.Figure:
    figure.update_layout(
        title=title,
        font=FONT,
        height=height,
        margin={"t": 50, "l": 10, "r": 20, "b": 10},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.0, "x": 0},
        plot_bgcolor="white",
    )
    figure.update_xaxes(gridcolor="#EEEEEE")
    figure.update_yaxes(gridcolor="#EEEEEE")
    return figure


def weekly_trend(series: pd.DataFrame, week_start, height: int = 360) -> go.Figure:
    """The funnel's weekly counts over the weeks before, this week's points larger. A count no
    week can tell (its export not loaded, its date column absent) has no line, and no entry in
    the legend: the tiles say why it cannot be measured. A week the data covers only in part
    (it begins or ends within it: weekly_series's is_whole) has an open point, whose lower count
    is no drop. The axis begins with the first week the data reaches: weeks before the leads
    begin have nothing to draw, and took most of the width when a team had loaded a month."""
    figure = go.Figure()
    series = _from_the_data(series)
    weeks = pd.to_datetime(series["week_start"])
    this_week = weeks == pd.Timestamp(week_start)
    in_part = series["is_in_data"] & ~series["is_whole"]
    for column, label, colour in SERIES:
        if column not in series or series[column].isna().all():
            continue
        figure.add_trace(
            go.Scatter(
                x=weeks,
                y=series[column],
                name=label,
                mode="lines+markers",
                line={"color": colour},
                marker={
                    "color": colour,
                    "size": [14 if is_this else 6 for is_this in this_week],
                    "symbol": ["circle-open" if part else "circle" for part in in_part],
                },
            )
        )
    figure.update_xaxes(**week_axis(series["week_start"]))
    title = "Week by week (this week's points larger"
    title += "; open points: weeks the data covers in part)" if in_part.any() else ")"
    return _layout(figure, title, height)


def _from_the_data(series: pd.DataFrame) -> pd.DataFrame:
    """The weeks from the first the data reaches (weekly_series's is_in_data); all of them
    when it reaches none."""
    in_data = series["is_in_data"].to_numpy(dtype=bool)
    return series.iloc[int(in_data.argmax()) :] if in_data.any() else series


def leaks(flagged: list, height: int = 360) -> go.Figure:
    """Each flagged drop: the baseline rate and the recent one, each with its interval."""
    steps = [f": {leak.step_from} → {leak.step_to}" for leak in flagged]
    names = [as_text(leak.channel) + step for leak, step in zip(flagged, steps, strict=True)]
    figure = go.Figure()
    for label, colour, rate, low, high in (
        ("Baseline", BASELINE, "baseline_rate", "baseline_low", "baseline_high"),
        ("Recent", RECENT, "recent_rate", "recent_low", "recent_high"),
    ):
        rates = [getattr(leak, rate) for leak in flagged]
        figure.add_trace(
            go.Scatter(
                x=rates,
                y=names,
                name=label,
                customdata=names,  # the whole name, where the axis shortens it
                hovertemplate="%{customdata}<br>%{fullData.name}: %{x:.0%}<extra></extra>",
                mode="markers",
                marker={"color": colour, "size": 14},
                error_x={
                    "type": "data",
                    "symmetric": False,
                    "array": [
                        getattr(leak, high) - r for leak, r in zip(flagged, rates, strict=True)
                    ],
                    "arrayminus": [
                        r - getattr(leak, low) for leak, r in zip(flagged, rates, strict=True)
                    ],
                },
            )
        )
    figure.update_xaxes(tickformat=".0%", rangemode="tozero")
    ticks = name_ticks([leak.channel for leak in flagged], notes=steps)
    figure.update_yaxes(autorange="reversed", **ticks)
    return _layout(figure, "Conversion rate, recent against baseline (95% intervals)", height)


def breaches(by_owner: pd.DataFrame, height: int = 360) -> go.Figure:
    """Leads that waited past the agreed time, per owner, worst on top."""
    figure = go.Figure(
        go.Bar(
            x=by_owner["count_breaches"],
            y=by_owner["owner"].map(as_text),
            customdata=by_owner["owner"].map(as_text),  # whole, where the axis shortens it
            hovertemplate="%{customdata}: %{x}<extra></extra>",
            orientation="h",
            marker={"color": RECENT},
            name="Waited past the agreed time",
        )
    )
    figure.update_yaxes(autorange="reversed", **name_ticks(by_owner["owner"]))
    return _layout(figure, "Leads past the agreed response time, by owner", height)


def quality(by_channel: pd.DataFrame, height: int = 360) -> go.Figure:
    """The week's MQLs per channel: accepted, rejected, not yet decided."""
    figure = go.Figure()
    for column, label, colour in (*STACK, PENDING):
        figure.add_trace(
            go.Bar(
                x=by_channel[column],
                y=by_channel["channel"].map(as_text),
                customdata=by_channel["channel"].map(as_text),  # whole, where the axis cuts it
                hovertemplate="%{customdata}<br>%{fullData.name}: %{x}<extra></extra>",
                orientation="h",
                name=label,
                marker={"color": colour},
            )
        )
    figure.update_layout(barmode="stack")
    figure.update_yaxes(autorange="reversed", **name_ticks(by_channel["channel"]))
    return _layout(figure, "This week's MQLs, as sales judged them", height)


def spend(
    series: pd.DataFrame, currency: str | None, height: int = 360, presenting: bool = False
) -> go.Figure:
    """Each channel's spend per week (solid) against the week's share of its agreed budget
    (dashed, the same colour: the channel's own, as on every chart, on the page and in the
    pack alike), from spend.chart_series; a week with no spend recorded or no budget is a
    gap, never 0. One legend entry a channel, its name shortened there and whole in the hover:
    under a plot ``height`` tall (legend_under), or, ``presenting``, beside it in a figure
    ``height`` tall, as a slide must fit the screen whatever the count of channels."""
    figure = go.Figure()
    channel_colors = colors.assign(series["channel"].unique())
    labels = legend_labels(series["channel"])
    for channel, rows in series.groupby("channel", sort=True):
        weeks = pd.to_datetime(rows["span_start"])
        drawn = [
            column for column in ("spend_amount", "budget_amount") if rows[column].notna().any()
        ]
        for column in drawn:
            figure.add_trace(
                go.Scatter(
                    x=weeks,
                    y=rows[column].astype(float),
                    name=labels[as_text(channel)],
                    legendgroup=channel,
                    showlegend=column == drawn[0],  # one entry for the channel's two lines
                    customdata=[as_text(channel)] * len(rows),
                    hovertemplate="%{customdata}"
                    + (" budget" if column == "budget_amount" else "")
                    + "<br>week starting %{x|%d %b %Y}: %{y:,.2f}<extra></extra>",
                    mode="lines+markers",
                    line={
                        "color": channel_colors[channel],
                        "dash": "dash" if column == "budget_amount" else "solid",
                    },
                )
            )
    figure.update_xaxes(tickformat="%d %b")
    figure.update_yaxes(title=currency or "amount", rangemode="tozero")
    _layout(figure, "Spend per week (solid) against the weekly budget (dashed)", height)
    if presenting:
        return figure.update_layout(legend={**LEGEND_BESIDE, "font": LEGEND_FONT})
    return legend_under(figure, len(labels), plot_px=height)
