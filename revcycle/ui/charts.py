"""Plotly figures built from metric query results (aggregates only, never raw rows)."""

import math

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from revcycle.chart_text import (
    as_text,
    legend_labels,
    legend_under,
    name_ticks,
    short_labels,
    week_axis,
)
from revcycle.colors import NEUTRAL, STAGE_COLORS
from revcycle.ui import format

STAGE_LABELS = {
    "lead": "Leads",
    "mql": "MQLs",
    "sql": "SQLs",
    "opportunity": "Opportunities",
    "won": "Customers",
}
FONT = {"size": 16}
# Hours on a log axis, labelled as a person says them. An axis shows the marks its values
# span, and the mark just beyond each end: a follow-up that always takes 7 to 54 hours reads
# against 4 h, 8 h, 12 h, 1 day, 2 days and 3 days, not against "1 day" alone. A wider span
# keeps the sparser WIDE_HOUR_MARKS, so the marks never crowd.
HOUR_MARKS = {
    1 / 60: "1 min",
    0.1: "6 min",
    0.25: "15 min",
    0.5: "30 min",
    1: "1 h",
    2: "2 h",
    4: "4 h",
    8: "8 h",
    12: "12 h",
    24: "1 day",
    48: "2 days",
    72: "3 days",
    168: "1 week",
    336: "2 weeks",
    720: "1 month",
}
# "1 min" too: many a web form is answered by a machine within seconds (the sample's Referral
# leads: a quarter within 17 s), and a log axis would run a decade past "6 min" unmarked.
WIDE_HOUR_MARKS = (1 / 60, 0.1, 1, 4, 24, 72, 168, 720)
MAX_HOUR_MARKS = len(WIDE_HOUR_MARKS)
HOUR_SCALE_NOTE = (
    "Log scale, so minutes and weeks fit on one axis; its marks are durations as people say "
    "them (1 min, 1 h, 1 day, 1 week …)."
)
# Steps for a share axis, as fractions; the smallest that gives at most SHARE_TICKS ticks wins.
SHARE_STEPS = (0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.25)
SHARE_TICKS = 6
# Channel funnels: panels a row, each row's height, and the room between rows for a panel's
# title (in pixels, so many rows still fit).
FUNNEL_COLUMNS = 3
FUNNEL_ROW_PX = 220
FUNNEL_GAP_PX = 60


def share_axis(high: float) -> dict:
    """Axis settings for a share from 0 to ``high``: ticks a whole step apart, each shown with
    the decimals its step needs, so no two ticks read the same (0%, 1%, 1%, 2%…)."""
    high = high if high and high > 0 and not math.isnan(high) else 1.0
    step = next((step for step in SHARE_STEPS if high / step <= SHARE_TICKS), SHARE_STEPS[-1])
    return {"tick0": 0, "dtick": step, "tickformat": ".1%" if step < 0.01 else ".0%"}


def hour_axis(hours: pd.Series) -> dict:
    """Axis settings for hours on a log scale: the HOUR_MARKS ``hours`` span, with the mark just
    beyond each end (the range reaches them); when those are over MAX_HOUR_MARKS, the
    WIDE_HOUR_MARKS among them. Hours of 0 or less have no place on a log axis."""
    spanned = [value for value in hours if value > 0 and math.isfinite(value)]
    marks = list(HOUR_MARKS)
    if spanned:
        low, high = min(spanned), max(spanned)
        first = max((at for at, mark in enumerate(marks) if mark <= low), default=0)
        last = min((at for at, mark in enumerate(marks) if mark >= high), default=len(marks) - 1)
        marks = marks[first : last + 1]
    if len(marks) > MAX_HOUR_MARKS:
        marks = [mark for mark in marks if mark in WIDE_HOUR_MARKS]
    ends = [*marks, *spanned]
    # A little room beyond the outer marks (in powers of ten), so their labels show whole.
    low_end, high_end = math.log10(min(ends)) - 0.05, math.log10(max(ends)) + 0.05
    return {
        "type": "log",
        "tickvals": marks,
        "ticktext": [HOUR_MARKS[mark] for mark in marks],
        "range": [low_end, high_end],
    }


def _names_as_text(frame: pd.DataFrame, column: str, colors: dict[str, str]) -> tuple:
    """``frame`` with ``column``'s names as text for Plotly, and ``colors`` keyed the same way."""
    named = frame.assign(**{column: frame[column].map(as_text)})
    return named, {as_text(name): color for name, color in colors.items()}


def house_layout(figure: go.Figure, title: str, height: int | None = None) -> go.Figure:
    """The pages' look for ``figure``: its title, the readable font, tight margins, no legend
    title; ``height`` in pixels when given."""
    figure.update_layout(
        title=title,
        font=FONT,
        margin={"t": 60, "l": 10, "r": 30, "b": 10},
        legend_title_text="",
        **({"height": height} if height else {}),
    )
    return figure


# What a stage the uploads cannot measure says on its row of a funnel: no bar, never a 0.
NOT_MEASURED = "not measured"


def funnel(stages: pd.DataFrame, title: str) -> go.Figure:
    """One funnel from lead to customer, from the total rows of conversion_by_channel: each
    stage labelled with its count and the query's share of the stage before it. A stage the
    uploads cannot measure (no MQL column, no deals export) keeps its row, which says
    NOT_MEASURED with no bar, never a 0."""
    unmeasured = stages["is_unmeasurable"].fillna(False).astype(bool)
    counts = stages["count_events"].mask(unmeasured, 0).tolist()
    labels = [
        NOT_MEASURED
        if not_measured
        else f"{count:,}"
        if pd.isna(share)
        else f"{count:,} · {share:.0%}"
        for count, share, not_measured in zip(
            counts, stages["share_of_previous"], unmeasured, strict=True
        )
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
            # A stage with no bar would pinch the band into a point: no bands then.
            connector={"fillcolor": "#DCE6F2", "visible": not unmeasured.any()},
        )
    )
    figure.update_xaxes(range=[-max(counts or [1]) * 0.9, max(counts or [1]) * 0.9])
    return house_layout(figure, title)


# A digit or separator of a bar's label at the charts' font size, wide enough for "8,888,888".
LABEL_CHARACTER_PX = 10


def amount_labels(amounts: pd.Series) -> list[str]:
    """Bar labels for amounts as the tables write them, every bar to the same places: thousands
    grouped, whole where the smallest amount is 10 or more, else with the decimals (at most two)
    it needs for two significant digits. "6,020" beside "97,500", where Plotly's SI prefixes
    wrote "6.02k" beside "97.5k" (and "G" for a billion)."""
    sizes = amounts.abs()
    smallest = sizes[sizes > 0].min() if (sizes > 0).any() else 0
    decimals = 0 if not smallest or smallest >= 10 else min(2, 1 - math.floor(math.log10(smallest)))
    return [format.grouped(amount, decimals) for amount in amounts]


def bar_by_channel(
    frame: pd.DataFrame, value: str, title: str, axis_label: str, colors: dict[str, str]
) -> go.Figure:
    """One horizontal bar per channel, in the channel's colour, largest on top, labelled with
    its amount (amount_labels); a long name shortened on the axis, whole in the hover."""
    rows, colors = _names_as_text(frame.sort_values(value), "channel", colors)
    labels = amount_labels(rows[value])
    # Graph objects, not Plotly Express: the same bars, drawn in a tenth of the time.
    figure = go.Figure(
        go.Bar(
            x=rows[value],
            y=rows["channel"],
            orientation="h",
            marker={"color": [colors.get(channel, NEUTRAL) for channel in rows["channel"]]},
            text=labels,
            textposition="outside",
            cliponaxis=False,
            # The whole name: %{y} would show the axis's shortened one.
            customdata=rows["channel"],
            hovertemplate="%{customdata}: %{x}<extra></extra>",
        )
    )
    figure.update_layout(showlegend=False, xaxis_title=as_text(axis_label))
    figure.update_yaxes(**name_ticks(frame["channel"]))
    house_layout(figure, title, height=140 + 42 * len(rows))
    # The longest bar's label stands beyond the plot, in the right margin: room for it.
    widest = max(map(len, labels), default=0)
    return figure.update_layout(margin_r=max(30, 12 + LABEL_CHARACTER_PX * widest))


def _solid_legend(figure: go.Figure, colors: dict[str, str], labels: dict[str, str]) -> None:
    """One legend entry per channel drawn, a solid swatch, in ``colors``' order, named by its
    label: the drawn traces (a channel may have a hatched one first) leave the legend to an
    empty bar each."""
    drawn = {trace.legendgroup for trace in figure.data}
    figure.update_traces(showlegend=False)
    for channel in [channel for channel in colors if channel in drawn]:
        figure.add_trace(
            go.Bar(
                x=[None],
                y=[None],
                name=labels[channel],
                legendgroup=channel,
                marker={"color": colors[channel]},
                showlegend=True,
            )
        )


# A short legend (the models, spend and return) beside a chart of a row per channel: right of
# the plot area, from its top, so it covers neither the bars nor the names however many rows.


# Said instead of a chart with nothing to draw (an empty axis reads as data).
NOTHING_TO_CHART = "No {} export is loaded, so there is nothing to chart per week."
NO_LEAD_TO_CHART = "No lead was created in the period, for the filters above."
NO_WIN_TO_CHART = "No deal with an amount was won in the period, for the filters above."


def won_revenue_per_week(
    weekly: pd.DataFrame, unit: str, colors: dict[str, str], title: str = "Won revenue per week"
) -> go.Figure:
    """Won revenue per week and channel (the weeks with some), as the overview and the revenue
    page both show it."""
    return trend_by_channel(weekly[weekly["won_revenue"] > 0], "won_revenue", title, unit, colors)


def trend_by_channel(
    frame: pd.DataFrame, value: str, title: str, axis_label: str, colors: dict[str, str]
) -> go.Figure:
    """Weekly values per channel as stacked bars; partial weeks at the ends are hatched. The
    legend stands under the plot (_legend_under), each name shortened there, whole in the
    hover."""
    labels = legend_labels(frame["channel"])
    rows, colors = _names_as_text(frame, "channel", colors)
    figure = go.Figure()
    # Graph objects, not Plotly Express, which took 0.2 s a chart: a trace per channel and
    # kind of week, in the legend's order; the hatching is explained in the caption.
    groups = rows.groupby(["channel", "is_partial_week"], sort=False)
    for channel in _in_legend_order(rows["channel"], colors):
        for partial in (False, True):
            if (channel, partial) not in groups.groups:
                continue
            weeks = groups.get_group((channel, partial))
            figure.add_trace(
                go.Bar(
                    x=weeks["week_start"].tolist(),
                    y=weeks[value].tolist(),
                    name=labels[channel],
                    legendgroup=channel,
                    customdata=[channel] * len(weeks),
                    marker={"color": colors.get(channel), "pattern": {"shape": "/" * partial}},
                    hovertemplate="%{customdata}"
                    + (" (partial week)" if partial else "")
                    + "<br>week starting %{x|%d %b %Y}: %{y:,}<extra></extra>",
                )
            )
    _solid_legend(figure, colors, labels)
    figure.update_layout(
        barmode="relative", xaxis_title="week starting", yaxis_title=as_text(axis_label)
    )
    figure.update_xaxes(**week_axis(rows["week_start"]))
    return legend_under(house_layout(figure, title), len(labels))


def _in_legend_order(channels: pd.Series, colors: dict[str, str]) -> list[str]:
    """The channels present, in ``colors``' order, then any it lacks as they come."""
    present = channels.unique().tolist()
    return [name for name in colors if name in present] + [
        name for name in present if name not in colors
    ]


def _funnel_bars(stages: pd.DataFrame) -> tuple[list, list[str]]:
    """One channel's bars: each stage's count and its label (count · % of first); a stage
    the uploads cannot measure has no bar and says NOT_MEASURED."""
    unmeasured = stages.get("is_unmeasurable", pd.Series(False, index=stages.index))
    unmeasured = unmeasured.fillna(False).astype(bool)
    labels = [
        NOT_MEASURED
        if not_measured
        else f"{count:,}"
        if stage == "lead" or pd.isna(share)
        else f"{count:,} · {share:.0%}"
        for stage, count, share, not_measured in zip(
            stages["stage"],
            stages["count_events"],
            stages["share_of_first"],
            unmeasured,
            strict=True,
        )
    ]
    return stages["count_events"].mask(unmeasured, 0).tolist(), labels


def channel_funnels(conversion: pd.DataFrame, title: str, colors: dict[str, str]) -> go.Figure:
    """A small funnel per channel, drawn as left-aligned bars so every label stays readable:
    each stage labelled with its count and % of the channel's leads; a stage its uploads cannot
    measure (``is_unmeasurable``, when the frame has it) says "not measured" on its row, with no
    bar, never a 0. Three panels a row, each on its own scale, its channel's name above it
    (shortened to fit the panel; whole in the hover)."""
    titles = short_labels(conversion["channel"].unique())
    conversion, colors = _names_as_text(conversion, "channel", colors)
    channels = conversion["channel"].unique().tolist()
    columns = max(1, min(FUNNEL_COLUMNS, len(channels)))
    rows = max(1, math.ceil(len(channels) / columns))
    height = 60 + FUNNEL_ROW_PX * rows
    # Graph objects, not Plotly Express (0.8 s for seven channels, and refused past 33: its
    # spacing between rows was a fixed share of the height, which many rows outgrow).
    figure = make_subplots(
        rows=rows,
        cols=columns,
        subplot_titles=titles,
        horizontal_spacing=0.1,
        vertical_spacing=min(0.1, FUNNEL_GAP_PX / height),
    )
    for place, (channel, stages) in enumerate(conversion.groupby("channel", sort=False)):
        counts, labels = _funnel_bars(stages)
        figure.add_trace(
            go.Bar(
                x=counts,
                y=stages["stage"].map(STAGE_LABELS).tolist(),
                orientation="h",
                name=channel,
                marker={"color": colors.get(channel, NEUTRAL)},
                text=labels,
                textposition="outside",
                cliponaxis=False,
                textfont={"size": 14},
                hovertemplate="%{fullData.name}<br>%{y}: %{text}<extra></extra>",
            ),
            row=place // columns + 1,
            col=place % columns + 1,
        )
    figure.update_xaxes(showticklabels=False, rangemode="tozero")
    # Leads on top, in every panel; the stage names once a row, on the left.
    figure.update_yaxes(
        categoryorder="array", categoryarray=list(STAGE_LABELS.values())[::-1], matches="y"
    )
    for column in range(2, columns + 1):
        figure.update_yaxes(showticklabels=False, col=column)
    figure.update_annotations(font={"size": FONT["size"]})
    figure.update_layout(showlegend=False, height=height)
    return house_layout(figure, title)


def rate_with_interval(
    rows: pd.DataFrame, title: str, low_volume_note: str, colors: dict[str, str]
) -> go.Figure:
    """One point per channel with its 95% interval; low-volume channels drawn hollow."""
    rows = rows.sort_values("share_reached")
    figure = go.Figure()
    for row in rows.itertuples():
        figure.add_trace(
            go.Scatter(
                x=[row.share_reached],
                y=[as_text(row.channel)],
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
                    "color": colors[row.channel],
                    "symbol": "circle-open" if row.is_low_volume else "circle",
                    "line": {"width": 3},
                },
                name=as_text(row.channel),
                # The channel through %{customdata}: its name written into the template could
                # hold a Plotly placeholder such as %{x}, and %{y} shows the axis's shortened one.
                customdata=[as_text(row.channel)],
                hovertemplate=(
                    f"%{{customdata}}: %{{x:.1%}} of {row.count_leads:,} leads"
                    f" (95% interval {row.share_low_95:.1%}–{row.share_high_95:.1%})"
                    + (f"<br>{low_volume_note}" if row.is_low_volume else "")
                    + "<extra></extra>"
                ),
            )
        )
    figure.update_xaxes(**share_axis(rows["share_high_95"].max()), rangemode="tozero")
    figure.update_yaxes(**name_ticks(rows["channel"]))
    figure.update_layout(showlegend=False)
    return house_layout(figure, title, height=120 + 45 * len(rows))


def cohort_trend(rows: pd.DataFrame, title: str, grain: str = "month") -> go.Figure:
    """Share of each cohort reaching each stage; immature cohorts dotted, still growing."""
    figure = go.Figure()
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
                    line={"color": STAGE_COLORS[stage], "dash": dash, "width": 3},
                    name=STAGE_LABELS[stage] + suffix,
                    legendgroup=stage,
                    showlegend=not part.empty,
                )
            )
    figure.update_yaxes(
        **share_axis(rows["share_reached"].max()),
        title_text="share of the cohort",
        rangemode="tozero",
    )
    figure.update_xaxes(title_text="cohort (leads created in)")
    if grain == "week":
        figure.update_xaxes(**week_axis(rows["cohort_start"]))
    return house_layout(figure, title)


# Follow-up boxes: one row per channel or owner, each this tall, under the title and the axis.
BOX_ROW_PX = 45
BOX_FRAME_PX = 150
# Boxes a chart draws at most: 3,000 owners drew a chart 135,000 px tall that the browser did
# not finish drawing. Beyond it, the groups with the most leads; the table lists every one.
MAX_BOXES = 30


def box_from_quantiles(
    rows: pd.DataFrame,
    group_label: str,
    title: str,
    colors: dict[str, str],
    agreed_hours: dict[str, float] | None = None,
) -> go.Figure:
    """Boxes drawn from quantiles computed in SQL, one row per group, in the query's order from
    the top: whiskers at the 10th and 90th percentile; a dash across each box at its group's
    agreed response time, where it has one. Rows, not columns, so many groups and long names
    stay readable: the chart grows a row per group, a long name shortened on the axis. Of more
    than MAX_BOXES groups, those with the most leads (``count_leads``), as the title says."""
    rows, title = _at_most_boxes(rows, group_label, title)
    figure = go.Figure()
    for row in rows.dropna(subset=["median_hours_to_first_contact"]).itertuples():
        figure.add_trace(
            go.Box(
                y=[as_text(row.group_value)],
                orientation="h",
                q1=[row.p25_hours_to_first_contact],
                median=[row.median_hours_to_first_contact],
                q3=[row.p75_hours_to_first_contact],
                lowerfence=[row.p10_hours_to_first_contact],
                upperfence=[row.p90_hours_to_first_contact],
                name=as_text(row.group_value),
                marker_color=colors.get(row.group_value, NEUTRAL)
                if group_label == "channel"
                else NEUTRAL,
                line={"width": 2},
                hoverinfo="skip",  # _box_summaries says it all in one label
            )
        )
    figure.update_yaxes(autorange="reversed", **name_ticks(rows["group_value"]))
    # Each channel has its own agreed time: one dash per box, not one line across the plot.
    shown = set(rows["group_value"])
    agreed = {group: hours for group, hours in (agreed_hours or {}).items() if group in shown}
    drawn = rows.dropna(subset=["median_hours_to_first_contact"])
    quantiles = [f"{q}_hours_to_first_contact" for q in ("p10", "p25", "median", "p75", "p90")]
    hours = pd.concat([drawn[quantiles].stack(), pd.Series(agreed.values(), dtype=float)])
    figure.update_xaxes(title_text="hours to first contact", **hour_axis(hours))
    if agreed:
        figure.add_trace(
            go.Scatter(
                x=list(agreed.values()),
                y=[as_text(group) for group in agreed],
                mode="markers",
                marker={"symbol": "line-ns", "size": 24, "line": {"width": 3, "color": "#222"}},
                name="agreed response time",
                hovertemplate="agreed: %{x:~g} h<extra></extra>",
            )
        )
    figure.add_trace(_box_summaries(rows))
    # Anywhere on the plot, the label of the nearest median (or dash): a box's own labels, one
    # a figure, turn on their side when the boxes lie down.
    figure.update_layout(showlegend=False, hovermode="closest", hoverdistance=-1)
    return house_layout(figure, title, height=BOX_FRAME_PX + BOX_ROW_PX * len(shown))


def _at_most_boxes(rows: pd.DataFrame, group_label: str, title: str) -> tuple[pd.DataFrame, str]:
    """The MAX_BOXES groups with the most leads (the first of equals), in their order, and the
    title saying so; all of them, and the title, when they are that few."""
    if len(rows) <= MAX_BOXES:
        return rows, title
    most = rows.reset_index(drop=True).nlargest(MAX_BOXES, "count_leads", keep="first")
    kept = most.sort_index()
    said = f"{title}: the {MAX_BOXES} {group_label}s with the most leads, of {len(rows):,}"
    return kept, f"{said} (the table lists all)"


def _box_summaries(rows: pd.DataFrame) -> go.Scatter:
    """An unseen point at each box's median whose hover says the box in one label: the whole
    name (the axis shortens it), the median, the middle half and the 10th to 90th percentile."""
    drawn = rows.dropna(subset=["median_hours_to_first_contact"])
    figures = [
        [format.hours(value) for value in drawn[f"{quantile}_hours_to_first_contact"]]
        for quantile in ("median", "p25", "p75", "p10", "p90")
    ]
    return go.Scatter(
        x=drawn["median_hours_to_first_contact"],
        y=drawn["group_value"].map(as_text),
        mode="markers",
        marker={"opacity": 0},
        customdata=list(zip(drawn["group_value"].map(as_text), *figures, strict=True)),
        hovertemplate="%{customdata[0]}<br>median %{customdata[1]}, middle half "
        "%{customdata[2]}–%{customdata[3]}, 10th to 90th percentile "
        "%{customdata[4]}–%{customdata[5]}<extra></extra>",
        name="summary",
    )


def mark_changes(figure: go.Figure, changes: pd.DataFrame) -> go.Figure:
    """A labelled vertical line on each date an agreement version took effect ("v2")."""
    for change in changes.itertuples():
        figure.add_vline(
            x=pd.Timestamp(change.agreement_effective_from).timestamp() * 1000,
            line={"color": "#222222", "dash": "dot", "width": 2},
            annotation_text=as_text(change.label),
            annotation_position="top",
            # Drawn on a chart with no bars too (weeks with no won deal): the date still holds.
            exclude_empty_subplots=False,
        )
    return figure


def share_trend(
    rows: pd.DataFrame, value: str, title: str, axis_label: str, colors: dict[str, str]
) -> go.Figure:
    """A weekly share for all channels together; each channel can be switched on in the legend,
    which stands under the plot (_legend_under), each name shortened there, whole in the
    hover."""
    labels = legend_labels(rows["channel"])
    rows, colors = _names_as_text(rows, "channel", colors)
    figure = go.Figure()
    for channel in _in_legend_order(rows["channel"], colors):
        weeks = rows[rows["channel"] == channel]
        everyone = bool(weeks["is_total"].iloc[0])  # "(all channels)" or "(selected …)"
        figure.add_trace(
            go.Scatter(
                x=weeks["week_start"].tolist(),
                y=weeks[value].tolist(),
                name=labels[channel],
                customdata=[channel] * len(weeks),
                mode="lines+markers",
                line={"color": colors.get(channel), "width": 5 if everyone else 2},
                visible=True if everyone else "legendonly",
                hovertemplate="%{customdata}<br>week starting %{x|%d %b %Y}: %{y:.1%}"
                "<extra></extra>",
            )
        )
    # The axis fits every channel, so switching one on never needs ticks it lacks.
    figure.update_yaxes(**share_axis(rows[value].max()), rangemode="tozero")
    figure.update_xaxes(**week_axis(rows["week_start"]))
    figure.update_layout(xaxis_title="week starting", yaxis_title=as_text(axis_label))
    return legend_under(house_layout(figure, title), len(labels))


def response_bands(rows: pd.DataFrame, title: str) -> go.Figure:
    """Share of leads accepted by sales and won per first-response band, each on its own scale."""
    outcomes = {"share_sql": ("became SQL", "sql"), "share_won": ("became customer", "won")}
    figure = make_subplots(
        rows=1,
        cols=2,
        subplot_titles=[name for name, _ in outcomes.values()],
        horizontal_spacing=0.1,
    )
    for column, (share, (name, stage)) in enumerate(outcomes.items(), start=1):
        figure.add_trace(
            go.Bar(
                x=rows["response_band"].tolist(),
                y=rows[share].tolist(),
                name=name,
                marker={"color": STAGE_COLORS[stage]},
                texttemplate="%{y:.1%}",
                hovertemplate=f"{name}<br>first contact after %{{x}}: %{{y:.1%}}<extra></extra>",
            ),
            row=1,
            col=column,
        )
        # Each outcome on its own scale, so each gets ticks that fit it.
        figure.update_yaxes(**share_axis(rows[share].max()), col=column)
    figure.update_xaxes(title_text="first contact after")
    figure.update_yaxes(title_text="share of leads", col=1)
    figure.update_annotations(font={"size": FONT["size"]})
    figure.update_layout(showlegend=False)
    return house_layout(figure, title)
