"""Names from uploads (channels, owners, currencies) as the charts write them: as text, never
markup, shortened where a chart has little room (the whole name kept for the hover), and the
legend that lists many of them under the plot; and the week axis their weekly charts share.

The pages' charts (revcycle/ui/charts.py) and the meeting's (revcycle/meeting/charts.py) share
these; no Streamlit."""

import html
import math
import os
from collections import defaultdict
from collections.abc import Iterable
from datetime import date

import pandas as pd
import plotly.graph_objects as go

# A name on an axis, a panel's title or a legend: lines of at most this many characters, broken
# between words; what does not fit is cut with "…". At the charts' 16 px font, 30 characters
# are about 230 px: a funnel panel's width on a 1280 px laptop with the sidebar open.
LABEL_CHARACTERS = 30
ELLIPSIS = "…"


def as_text(value) -> str:
    """``value`` from an upload (a channel, an owner, a currency), shown as written in a figure.

    Plotly reads a subset of HTML in every text it draws (legend, axis, hover, annotation), so
    ``<a href=…>`` would become a link: its signs are written as entities, which it shows as
    the signs themselves.
    """
    return html.escape(str(value), quote=False)


def _one_line(value) -> str:
    """``value`` as a string with its runs of whitespace (line breaks included) as one space."""
    return " ".join(str(value).split())


def short_label(value, lines: int = 1, characters: int = LABEL_CHARACTERS) -> str:
    """``value`` as text (as_text) in at most ``lines`` lines of ``characters`` (_wrapped), cut
    with "…" where it is longer. Cut before it is escaped, so no entity is cut in half."""
    return "<br>".join(as_text(line) for line in _wrapped(_one_line(value), characters, lines))


def _wrapped(text: str, characters: int, lines: int) -> list[str]:
    """``text`` in at most ``lines`` lines of ``characters``, each broken at a space unless
    that loses more than a third of the line (a long word, a web address): then within the
    word. The last line ends with "…" when some of ``text`` is left out."""
    shown = []
    while len(text) > characters and len(shown) < lines:
        room = characters - (len(shown) == lines - 1)  # the last line keeps one for "…"
        space = text.rfind(" ", 0, room + 1)
        end = space if space >= room * 2 // 3 else room
        shown.append(text[:end].rstrip())
        text = text[end:].lstrip()
    if text and len(shown) < lines:
        shown.append(text)
    elif text:
        shown[-1] += ELLIPSIS
    return shown


def short_labels(values: Iterable, lines: int = 1, characters: int = LABEL_CHARACTERS) -> list:
    """Each of ``values`` as short_label; names whose labels would read alike (they start the
    same and are cut before they differ) show where they differ instead (_from_difference)."""
    values = list(values)
    labels = {value: short_label(value, lines, characters) for value in dict.fromkeys(values)}
    alike = defaultdict(list)
    for value, label in labels.items():
        alike[label].append(value)
    for names in (names for names in alike.values() if len(names) > 1):
        for value in names:
            labels[value] = _from_difference(value, names, lines, characters)
    return [labels[value] for value in values]


def _from_difference(value, alike: list, lines: int, characters: int) -> str:
    """``value``'s label among the names ``alike`` that start as it does: its first word, "…",
    and its words from the one in which it differs from the closest of them, cut to fit
    ("Outbound… EMEA territories", "Outbound… North America territo…")."""
    text = _one_line(value)
    differs_at = max(
        len(os.path.commonprefix([text, _one_line(other)])) for other in alike if other != value
    )
    word_start = text.rfind(" ", 0, differs_at) + 1
    first_word = text.split(" ", 1)[0][: characters // 3]
    return short_label(f"{first_word}{ELLIPSIS} {text[word_start:]}", lines, characters)


def name_ticks(names: Iterable, lines: int = 2, notes: Iterable[str] | None = None) -> dict:
    """Axis settings for a category axis whose data are ``names`` written by as_text: each
    tick shortened (short_labels), the data, and so the hover, keeping the whole name; the
    margin grows to fit the labels. ``notes`` (one a name, such as " (return unknown)" or
    ": MQL → SQL") follow their names in the data, and on the axis a line of their own, never
    cut, without the space or colon that joins them to the name."""
    names = list(names)
    notes = [""] * len(names) if notes is None else list(notes)
    pairs = list(dict.fromkeys(zip(names, notes, strict=True)))
    labels = short_labels([name for name, _ in pairs], lines)
    return {
        "tickmode": "array",
        "tickvals": [as_text(name) + note for name, note in pairs],
        "ticktext": [
            label + (f"<br>{as_text(note.lstrip(' :'))}" if note else "")
            for label, (_, note) in zip(labels, pairs, strict=True)
        ],
        "automargin": True,
    }


# A legend of channels stands under its plot, in columns this wide so the names line up, rows
# this tall; the chart is made as tall as its plot, the x axis and a legend of two columns
# need, so the legend never scrolls nor covers the plot. Two columns of names cut at
# LEGEND_CHARACTERS fit the plot's width (Plotly's limit for a legend) in the Overview's narrow
# column on a 1280 px laptop; a wider screen fits more columns, and leaves room under them.
LEGEND_CHARACTERS = 26
LEGEND_ENTRY_PX = 170
LEGEND_ROW_PX = 24
LEGEND_FONT = {"size": 13}
TREND_PLOT_PX = 360
TREND_AXIS_PX = 80  # the week ticks and the axis title, under the plot


def legend_labels(channels: pd.Series) -> dict[str, str]:
    """Each channel's legend entry, keyed by its name as text: shortened (short_labels)."""
    names = channels.unique().tolist()
    labels = short_labels(names, characters=LEGEND_CHARACTERS)
    return dict(zip(map(as_text, names), labels, strict=True))


# A legend to the right of the plot, from its top: for charts whose height is fixed (bars a
# row per channel, a slide that must fit the screen), where one under the plot would add height.
LEGEND_BESIDE = {"x": 1.02, "xanchor": "left", "y": 1, "yanchor": "top", "traceorder": "normal"}


def legend_under(figure: go.Figure, entries: int, plot_px: int = TREND_PLOT_PX) -> go.Figure:
    """``figure`` with its legend of ``entries`` under a plot of ``plot_px``, and tall enough
    to hold both."""
    legend_px = LEGEND_ROW_PX * -(-entries // 2)
    height = plot_px + TREND_AXIS_PX + legend_px
    figure.update_layout(
        height=height,
        margin_b=TREND_AXIS_PX + legend_px,
        legend={
            "orientation": "h",
            "traceorder": "normal",
            "x": 0,
            "xanchor": "left",
            "yref": "container",
            "y": legend_px / height,
            "yanchor": "top",
            "entrywidth": LEGEND_ENTRY_PX,
            "font": LEGEND_FONT,
            "maxheight": 1,  # all of the figure: the legend is never cut to scroll
        },
    )
    return figure


WEEK_MS = 7 * 24 * 3600 * 1000  # a week on a date axis, in milliseconds
WEEK_TICKS = 12  # at most this many week ticks; more weeks tick every second, third… week


def week_axis(week_starts: pd.Series) -> dict:
    """Axis settings for weeks: ticks on the Monday each week starts, every week or every
    n-th so at most WEEK_TICKS show."""
    starts = pd.to_datetime(week_starts).dt.date
    first = starts.min() if len(starts) else date(2024, 1, 1)
    last = starts.max() if len(starts) else first
    # Weeks start on a Monday; should one not, the ticks still fall on Mondays.
    monday = first.toordinal() - first.weekday()
    weeks = (last.toordinal() - monday) // 7 + 1
    every = max(1, math.ceil(weeks / WEEK_TICKS))
    return {
        "tick0": date.fromordinal(monday).isoformat(),
        "dtick": WEEK_MS * every,
        "tickformat": "%d %b",
    }
