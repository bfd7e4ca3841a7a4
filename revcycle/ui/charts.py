"""Plotly figures built from metric query results (aggregates only, never raw rows)."""

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go

from revcycle.ui.colors import channel_color, color_map

STAGE_LABELS = {
    "lead": "Leads",
    "mql": "MQLs",
    "sql": "SQLs",
    "opportunity": "Opportunities",
    "won": "Customers",
}
FONT = {"size": 16}
NEUTRAL = "#4477AA"
# Hours on a log axis, labelled as a person says them.
HOUR_TICKS = {
    0.1: "6 min",
    1: "1 h",
    4: "4 h",
    24: "1 day",
    72: "3 days",
    168: "1 week",
    720: "1 month",
}


def _layout(figure: go.Figure, title: str, height: int | None = None) -> go.Figure:
    figure.update_layout(
        title=title,
        font=FONT,
        margin={"t": 60, "l": 10, "r": 30, "b": 10},
        legend_title_text="",
        **({"height": height} if height else {}),
    )
    return figure


def funnel(stages: pd.DataFrame, title: str) -> go.Figure:
    """One funnel from lead to customer, from the total rows of conversion_by_channel: each
    stage labelled with its count and the query's share of the stage before it."""
    counts = stages["count_events"].tolist()
    labels = [
        f"{count:,}" if pd.isna(share) else f"{count:,} · {share:.0%}"
        for count, share in zip(counts, stages["share_of_previous"], strict=True)
    ]
    figure = go.Figure(
        go.Funnel(
            y=[STAGE_LABELS[stage] for stage in stages["stage"]],
            x=counts,
            text=labels,
            textinfo="text",
            textposition="outside",
            cliponaxis=False,
            marker={"color": NEUTRAL},
            connector={"fillcolor": "#DCE6F2"},
        )
    )
    figure.update_xaxes(range=[-max(counts or [1]) * 0.9, max(counts or [1]) * 0.9])
    return _layout(figure, title)


def bar_by_channel(
    frame: pd.DataFrame, value: str, title: str, axis_label: str, tickformat: str | None = None
) -> go.Figure:
    """One horizontal bar per channel, in the channel's colour, largest on top."""
    rows = frame.sort_values(value)
    figure = px.bar(
        rows,
        x=value,
        y="channel",
        orientation="h",
        color="channel",
        color_discrete_map=color_map(rows["channel"].unique()),
        labels={"channel": "", value: axis_label},
        text_auto=tickformat or ".3s",
    )
    figure.update_layout(showlegend=False)
    figure.update_traces(textposition="outside", cliponaxis=False)
    if tickformat:
        figure.update_xaxes(tickformat=tickformat)
    return _layout(figure, title, height=140 + 42 * len(rows))


def trend_by_channel(frame: pd.DataFrame, value: str, title: str, axis_label: str) -> go.Figure:
    """Weekly values per channel as stacked bars; partial weeks at the ends are hatched."""
    rows = frame.assign(
        week=lambda data: data["is_partial_week"].map({True: "partial week", False: "full week"})
    )
    figure = px.bar(
        rows,
        x="week_start",
        y=value,
        color="channel",
        pattern_shape="week",
        pattern_shape_map={"partial week": "/", "full week": ""},
        color_discrete_map=color_map(rows["channel"].unique()),
        labels={"week_start": "week starting", value: axis_label},
    )
    # One legend entry per channel; the hatching is explained in the caption.
    seen = set()
    for trace in figure.data:
        trace.name = trace.legendgroup = trace.name.split(",")[0]
        trace.showlegend = trace.name not in seen
        seen.add(trace.name)
    return _layout(figure, title)


def channel_funnels(conversion: pd.DataFrame, title: str) -> go.Figure:
    """A small funnel per channel, drawn as left-aligned bars so every label stays readable:
    each stage labelled with its count and % of the channel's leads."""
    rows = conversion.assign(
        stage_label=conversion["stage"].map(STAGE_LABELS),
        label=[
            f"{count:,}" if stage == "lead" or pd.isna(share) else f"{count:,} · {share:.0%}"
            for stage, count, share in zip(
                conversion["stage"],
                conversion["count_events"],
                conversion["share_of_first"],
                strict=True,
            )
        ],
    )
    channels = rows["channel"].unique()
    columns = 3
    figure = px.bar(
        rows,
        x="count_events",
        y="stage_label",
        orientation="h",
        color="channel",
        facet_col="channel",
        facet_col_wrap=columns,
        facet_col_spacing=0.1,
        facet_row_spacing=0.1,
        text="label",
        color_discrete_map=color_map(channels),
        category_orders={"stage_label": list(STAGE_LABELS.values())},
        height=60 + 220 * ((len(channels) + columns - 1) // columns),
    )
    figure.for_each_annotation(lambda note: note.update(text=note.text.split("=")[-1]))
    # Each panel on its own scale, with room on the right for the labels.
    figure.update_xaxes(matches=None, showticklabels=False, title_text="")
    for axis_name in [name for name in figure.layout if name.startswith("xaxis")]:
        figure.layout[axis_name].update(rangemode="tozero", autorangeoptions={"maxallowed": None})
    figure.update_yaxes(title_text="")
    figure.update_traces(textposition="outside", cliponaxis=False, textfont={"size": 14})
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
                    "color": channel_color(row.channel),
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
    figure.update_layout(showlegend=False)
    return _layout(figure, title, height=120 + 45 * len(rows))


def cohort_trend(rows: pd.DataFrame, title: str) -> go.Figure:
    """Share of each cohort reaching each stage; immature cohorts dotted, still growing."""
    figure = go.Figure()
    palette = {"mql": "#88CCEE", "sql": "#44AA99", "opportunity": "#117733", "won": "#332288"}
    for stage, stage_rows in rows.groupby("stage", sort=False):
        mature = stage_rows[stage_rows["is_mature"]]
        # The dotted part starts at the last mature cohort so the line stays unbroken.
        if len(mature):
            immature = stage_rows[stage_rows["cohort_start"] >= mature["cohort_start"].max()]
        else:
            immature = stage_rows
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
    for row in rows.dropna(subset=["median_hours_to_first_contact"]).itertuples():
        figure.add_trace(
            go.Box(
                x=[row.group_value],
                q1=[row.p25_hours_to_first_contact],
                median=[row.median_hours_to_first_contact],
                q3=[row.p75_hours_to_first_contact],
                lowerfence=[row.p10_hours_to_first_contact],
                upperfence=[row.p90_hours_to_first_contact],
                name=row.group_value,
                marker_color=channel_color(row.group_value)
                if group_label == "channel"
                else NEUTRAL,
                line={"width": 2},
            )
        )
    figure.update_yaxes(
        type="log",
        title_text="hours to first contact",
        tickvals=list(HOUR_TICKS),
        ticktext=list(HOUR_TICKS.values()),
    )
    figure.update_layout(showlegend=False)
    return _layout(figure, title)


def share_trend(rows: pd.DataFrame, value: str, title: str, axis_label: str) -> go.Figure:
    """A weekly share for all channels together; each channel can be switched on in the legend."""
    figure = px.line(
        rows,
        x="week_start",
        y=value,
        color="channel",
        markers=True,
        color_discrete_map=color_map(rows["channel"].unique()),
        labels={"week_start": "week starting", value: axis_label},
    )
    figure.update_traces(visible="legendonly")
    figure.update_traces(selector={"name": "(all channels)"}, visible=True, line={"width": 5})
    figure.update_yaxes(tickformat=".0%", rangemode="tozero")
    return _layout(figure, title)


def response_bands(rows: pd.DataFrame, title: str) -> go.Figure:
    """Share of leads accepted by sales and won per first-response band, each on its own scale."""
    long = rows.melt(
        id_vars=["response_band"], value_vars=["share_sql", "share_won"], var_name="outcome"
    ).replace({"outcome": {"share_sql": "became SQL", "share_won": "became customer"}})
    figure = px.bar(
        long,
        x="response_band",
        y="value",
        color="outcome",
        facet_col="outcome",
        color_discrete_map={"became SQL": "#44AA99", "became customer": "#332288"},
        labels={"response_band": "first contact after", "value": "share of leads"},
        text_auto=".1%",
    )
    figure.update_yaxes(tickformat=".0%", matches=None, showticklabels=True)
    figure.for_each_annotation(lambda note: note.update(text=note.text.split("=")[-1]))
    figure.update_layout(showlegend=False)
    return _layout(figure, title)
