"""The meeting pack: one self-contained HTML file of the week, to send round after the meeting.

It opens with no network: plotly.js is inlined once in the head and every chart is a div
drawn by it, so the charts stay interactive. Every text in it is escaped, the uploads' names
and the decisions typed in the meeting alike.
"""

import datetime
import functools
import html
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
from plotly.offline import get_plotlyjs

from revcycle import settings
from revcycle.agreements.sample import SAMPLE_AGREEMENT_LINE
from revcycle.cli_report import unknown_scope
from revcycle.cli_usage import UsageError
from revcycle.db import execute
from revcycle.filter_values import (
    NOT_LEAD_SOURCES,
    OTHERS_SHOWN,
    channel_words,
    chooses_none_of_the_lead_sources,
)
from revcycle.meeting import charts, numbers, shown
from revcycle.meeting import spend as spend_words
from revcycle.meeting.week import Week
from revcycle.meeting.week_view import (
    SECTION_TITLES,
    SPEND_ALONE,
    SPEND_ALONE_SECTIONS,
    MeetingWeek,
    default_week,
    gather,
)

MAX_ROWS = 50  # rows of a list the pack holds; the rest are counted, never dropped silently
CHART_CONFIG = {"displaylogo": False, "responsive": True}
STYLE = """
body {font-family: system-ui, sans-serif; font-size: 17px; line-height: 1.45; color: #222;
      max-width: 1100px; margin: 0 auto; padding: 1.5rem;}
h1 {font-size: 1.8rem; margin-bottom: 0.2rem;}
h2 {margin-top: 2.2rem; border-bottom: 1px solid #ddd;}
nav a {margin-right: 1rem;} .note {color: #555; font-size: 0.95rem;}
.tiles {display: grid; grid-auto-columns: 1fr; grid-auto-flow: column; gap: 0.8rem;
        margin-bottom: 0.8rem;}
.tile {border: 1px solid #ddd; border-radius: 0.5rem; padding: 0.6rem 0.8rem;}
.tile .value {font-size: 2rem; font-weight: 600;} .tile .label {color: #555;}
table {border-collapse: collapse; margin: 0.6rem 0;} td, th {padding: 0.25rem 0.7rem;
      border-bottom: 1px solid #eee; text-align: left;} td.number {text-align: right;}
.headline li {margin: 0.3rem 0;}
.overdue {color: #b00020; font-weight: 600;}
"""


def shown_text(value) -> str:
    """A cell as text: "–" for nothing, "yes"/"no" for a flag, dates without a time."""
    if shown.missing(value) or value is pd.NaT:
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, pd.Timestamp | datetime.datetime):
        return f"{value:%Y-%m-%d %H:%M}"
    if isinstance(value, float) and value.is_integer():
        return f"{int(value):,}"
    return str(value)


def table(frame: pd.DataFrame, columns: dict[str, tuple[str, Callable | None]]) -> str:
    """``frame``'s ``columns`` ({column: (header, how to show a cell or None)}) as an HTML
    table of at most MAX_ROWS rows, and a line counting the rows left out."""
    heads = "".join(f"<th>{html.escape(label)}</th>" for label, _ in columns.values())
    rows = []
    for _, row in frame.head(MAX_ROWS).iterrows():
        cells = "".join(
            f"<td>{html.escape(show(row[column]) if show else shown_text(row[column]))}</td>"
            for column, (_, show) in columns.items()
        )
        rows.append(f"<tr>{cells}</tr>")
    more = len(frame) - MAX_ROWS
    rest = f'<p class="note">… and {more:,} more rows, on the page.</p>' if more > 0 else ""
    return f"<table><thead><tr>{heads}</tr></thead><tbody>{''.join(rows)}</tbody></table>{rest}"


def chart(figure: go.Figure, name: str) -> str:
    """A figure as a div that the one inlined plotly.js draws, in Plotly's own template: in
    the dashboard's process Streamlit makes its own the default, which holds no layout, so a
    pack downloaded from the page drew its axes without Plotly's (tick labels lost their
    digits, "k" alone) where the command line's drew them. The legend stands at the plot's
    right, where no row of it can cover the title (the page's theme keeps them apart above),
    unless the figure holds it under the plot (chart_text.legend_under: a channel each)."""
    figure = go.Figure(figure).update_layout(template=pio.templates["plotly"])
    if figure.layout.legend.yref != "container":
        figure.update_layout(
            legend={"orientation": "v", "x": 1.02, "xanchor": "left", "y": 1, "yanchor": "top"}
        )
    return figure.to_html(
        full_html=False, include_plotlyjs=False, div_id=f"chart-{name}", config=CHART_CONFIG
    )


def _section(anchor: str, body: str) -> str:
    return f'<section id="{anchor}"><h2>{html.escape(SECTION_TITLES[anchor])}</h2>{body}</section>'


def headline_html(meeting: MeetingWeek) -> str:
    items = "".join(
        f'<li><a href="#{html.escape(sentence.section)}">{html.escape(sentence.text)}</a></li>'
        for sentence in meeting.headline
    )
    return f'<ul class="headline">{items}</ul>'


def _tile(row) -> str:
    if not shown.missing(row.cannot_measure):
        number, lines = "–", [f"Cannot be measured: {row.cannot_measure}"]
    else:
        number = shown.value(row.this_week, row.unit, row.currency)
        # The data ends within the week, as the page's tile says: its days so far.
        so_far = not shown.missing(row.is_complete) and not row.is_complete
        lines = [
            *(["So far this week"] if so_far else []),
            f"Last week {shown.value(row.last_week, row.unit, row.currency)}",
            f"4-week average {shown.value(row.four_week_average, row.unit, row.currency)}",
            *([] if shown.missing(row.baseline_gap) else [row.baseline_gap]),
            shown.against_target(row),
        ]
    # What the number leaves out, or (amounts in several currencies) what it is in each.
    if not shown.missing(row.partly_unmeasured):
        lines.append(row.partly_unmeasured)
    return (
        f'<div class="tile"><div class="label">{html.escape(row.label)}</div>'
        f'<div class="value">{html.escape(number)}</div>'
        + "".join(f"<div>{html.escape(line)}</div>" for line in lines)
        + "</div>"
    )


def tiles_html(meeting: MeetingWeek) -> str:
    drawn = {row.metric: _tile(row) for row in meeting.tiles.itertuples()}
    body = "".join(
        '<div class="tiles">' + "".join(drawn[metric] for metric in metrics) + "</div>"
        for metrics in numbers.TILE_ROWS
    )
    body += (
        '<p class="note">The 4-week average is the mean of the four weeks before this one: a '
        "baseline, not a target. Targets are the month's target prorated to the week by working "
        "days.</p>"
    )
    if meeting.series is not None and len(meeting.series):
        body += chart(charts.weekly_trend(meeting.series, meeting.week.start), "trend")
    return body


def leak_html(meeting: MeetingWeek) -> str:
    report = meeting.leaks
    method = f'<p class="note">{html.escape(report.method)}</p>'
    if report.cannot_measure:
        return f"<p>Cannot be measured: {html.escape(report.cannot_measure)}</p>"
    if not report.flagged:
        return "<p>No step dropped beyond chance this week.</p>" + method
    items = "".join(f"<li>{html.escape(leak.words)}</li>" for leak in report.flagged)
    return f"<ol>{items}</ol>" + chart(charts.leaks(report.flagged), "leaks") + method


def breaches_html(meeting: MeetingWeek) -> str:
    cannot, partly = numbers.follow_up_unknowns(meeting.tiles)
    if cannot:
        return f"<p>Cannot be measured: {html.escape(cannot)}</p>"
    said = f'<p class="note">{html.escape(partly)}</p>' if partly else ""
    if meeting.breaches.empty:
        judged = "judged " if partly else "of "
        return f"{said}<p>No lead {judged}this week waited past its agreed response time.</p>"
    by_owner = table(
        meeting.breaches,
        {
            "owner": ("Owner", None),
            "count_breaches": ("Past the agreed time", None),
            "count_still_waiting": ("Still waiting", None),
            "count_leads_measured": ("Leads measured", None),
        },
    )
    leads = table(
        meeting.breach_leads,
        {
            "lead_id": ("Lead", None),
            "owner": ("Owner", None),
            "channel": ("Channel", None),
            "created_at": ("Created", None),
            "agreed": ("Agreed", None),
            "first_contact_after": ("First contact after", None),
        },
    )
    return said + by_owner + chart(charts.breaches(meeting.breaches), "breaches") + leads


def quality_html(meeting: MeetingWeek) -> str:
    quality = meeting.quality
    if not shown.missing(quality.cannot_measure):
        return f"<p>Cannot be measured: {html.escape(quality.cannot_measure)}</p>"
    target = "" if shown.missing(quality.target) else f" (agreed target {quality.target:.0%})"
    body = f"<p>Acceptance rate by channel{html.escape(target)}.</p>"
    if not shown.missing(quality.answers):
        body += f"<p>{html.escape(quality.answers)}</p>"
    body += table(
        quality.by_channel.assign(against=shown.rate_targets(quality.by_channel)),
        {
            "channel": ("Channel", None),
            "count_mqls": ("MQLs", None),
            "count_accepted": ("Accepted", None),
            "count_rejected": ("Rejected", None),
            "count_pending": ("Not yet decided", None),
            "acceptance_rate": ("Acceptance rate", shown.rate),
            "against": ("Against the agreement", None),
        },
    )
    if len(quality.by_channel):
        body += chart(charts.quality(quality.by_channel), "quality")
    if len(quality.by_reason):
        body += table(
            quality.by_reason,
            {
                "channel": ("Channel", None),
                "reason": ("Reason", None),
                "count_rejected": ("Rejected", None),
                "is_agreed_reason": ("An agreed reason", None),
            },
        )
    return body


def spend_html(meeting: MeetingWeek) -> str:
    found = meeting.spend
    body = "".join(f'<p class="note">{html.escape(note)}</p>' for note in found.notes)
    if found.rows.empty:
        return body
    body += table(
        found.rows, {column: (label, None) for column, label in spend_words.COLUMNS.items()}
    )
    body += (
        f'<p class="note">Month to date: {found.month_start:%-d %b} – {found.week_end:%-d %b %Y}. '
        f"{html.escape(spend_words.DEFINITION)}</p>"
    )
    drawn, currency, left_out = spend_words.chart_series(found)
    if not drawn.empty:
        body += chart(charts.spend(drawn, currency), "spend")
    if left_out:
        body += f'<p class="note">{html.escape(spend_words.not_drawn(left_out))}</p>'
    return body


ACTION_COLUMNS = {
    "what": ("What", None),
    "owner": ("Owner", None),
    "due_date": ("Due", lambda day: f"{pd.Timestamp(day):%a %d %b %Y}"),
    "status": ("Status", None),
}


def actions_html(meeting: MeetingWeek) -> str:
    review = meeting.review
    body = "<h3>Open from earlier weeks</h3>"
    if review.empty:
        body += "<p>No action from earlier weeks is open.</p>"
    else:
        marked = review.assign(
            status=[
                "OVERDUE" if overdue else status
                for overdue, status in zip(review["is_overdue"], review["status"], strict=True)
            ]
        )
        body += table(marked, ACTION_COLUMNS | {"week": ("Week", None)})
    body += "<h3>Decisions this week</h3>"
    body += (
        table(meeting.decisions, {"text": ("Decision", None), "agreement_version": ("Led to", _v)})
        if len(meeting.decisions)
        else "<p>No decision recorded.</p>"
    )
    body += "<h3>Actions this week</h3>"
    body += (
        table(meeting.actions, ACTION_COLUMNS)
        if len(meeting.actions)
        else "<p>No action recorded.</p>"
    )
    return body


def _v(version) -> str:
    return "–" if shown.missing(version) else f"agreement v{int(version)}"


def scope_words(scope: dict, shown: int | None = None) -> str:
    """ "all channels", or "channels Paid search, Email; owners Bram"; with ``shown``, each
    list names that many and counts the rest ("channels Email, Partner and 3 more")."""

    def listed(values: list[str]) -> str:
        if shown is None or len(values) <= shown:
            return ", ".join(values)
        return f"{', '.join(values[:shown])} and {len(values) - shown} more"

    parts = [
        f"{name} {listed(values)}"
        for name, values in (
            ("channels", scope.get("channels")),
            ("owners", scope.get("owners")),
            ("segments", scope.get("segments")),
        )
        if values
    ]
    return "; ".join(parts) or "all channels, owners and segments"


def _header(meeting: MeetingWeek, built_at: datetime.datetime) -> str:
    week = meeting.week
    as_of = f"{meeting.data_as_of:%d %b %Y}" if meeting.data_as_of else "no leads loaded"
    loaded = f", loaded {meeting.loaded_at:%d %b %Y %H:%M}" if meeting.loaded_at else ""
    sample = " This is the bundled sample data." if meeting.is_sample else ""
    completed = f" {html.escape(meeting.completed_by_loads)}" if meeting.completed_by_loads else ""
    if meeting.is_sample_agreement:
        sample = f" {html.escape(SAMPLE_AGREEMENT_LINE)}"
    if meeting.not_lead_sources:  # the screen says whose leads these are, or that none are
        then = SPEND_ALONE if spend_alone(meeting) else OTHERS_SHOWN
        said = f"{NOT_LEAD_SOURCES} {then}".format(**channel_words(meeting.not_lead_sources))
        sample += f" {html.escape(said)}"
    nav = "".join(
        f'<a href="#{anchor}">{html.escape(SECTION_TITLES[anchor])}</a>'
        for anchor in sections_of(meeting)
    )
    return (
        f"<header><h1>Weekly meeting — {week.label}</h1>"
        f"<p>{shown.days_of(week)} · "
        f"{html.escape(scope_words(meeting.scope))}</p>"
        f'<p class="note">Leads up to {as_of}{loaded}.{completed}{sample} '
        f"Pack built {built_at:%d %b %Y %H:%M}.</p>"
        f'<nav>{nav}<a href="#agreement">Agreement in force</a></nav></header>'
    )


def spend_alone(meeting: MeetingWeek) -> bool:
    """Whether every chosen channel is one no lead or deal has: the meeting then has only the
    sections that do not follow leads (SPEND_ALONE_SECTIONS)."""
    chosen = meeting.scope.get("channels")
    return chooses_none_of_the_lead_sources(chosen, meeting.not_lead_sources)


def sections_of(meeting: MeetingWeek) -> tuple[str, ...]:
    """The sections the meeting of ``meeting``'s scope has, in order."""
    return SPEND_ALONE_SECTIONS if spend_alone(meeting) else tuple(SECTION_TITLES)


_SECTION_HTML = {
    "tiles": tiles_html,
    "leak": leak_html,
    "breaches": breaches_html,
    "quality": quality_html,
    "spend": spend_html,
    "actions": actions_html,
}


def render(meeting: MeetingWeek, built_at: datetime.datetime) -> str:
    """The pack of ``meeting`` as one HTML document."""
    agreement = "".join(f"<div>{html.escape(line)}</div>" for line in meeting.agreement_lines)
    headline = (
        ""
        if spend_alone(meeting)
        else f'<section id="headline"><h2>Headline</h2>{headline_html(meeting)}</section>'
    )
    body = (
        _header(meeting, built_at)
        + headline
        + "".join(_section(name, _SECTION_HTML[name](meeting)) for name in sections_of(meeting))
        + f'<section id="agreement"><h2>Agreement in force</h2>{agreement}</section>'
    )
    title = f"Weekly meeting {meeting.week.label} · Revcycle"
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{title}</title>'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<style>{STYLE}</style><script>{get_plotlyjs()}</script></head>"
        f"<body>{body}</body></html>"
    )


def build_pack(query, con, week: Week, scope: dict, today: datetime.date) -> str:
    """The meeting pack of ``week`` in ``scope``: one self-contained HTML document."""
    # On the data's wall clock, as the upload's "loaded" time beside it.
    return render(gather(query, con, week, scope, today), settings.wall_clock_now())


def write(con, week_text: str | None, out: Path | None, scope: dict, today: datetime.date) -> int:
    """``python -m revcycle pack``: write the pack of the week ``week_text`` (default: the last
    complete week of the data) to ``out`` (default: meeting-<week>.html); the exit code. A
    week that is no week, or a channel, owner or segment the data lacks, is a UsageError."""
    query = functools.partial(execute, con)
    try:
        week = Week.parse(week_text) if week_text else None
    except ValueError as error:
        raise UsageError(str(error)) from None
    week = week or default_week(query, today)
    unknown = unknown_scope(query, scope)
    if unknown:
        raise UsageError(f"{'; '.join(unknown)}; nothing was written")
    out = out or Path(f"meeting-{week.label}.html")
    document = build_pack(query, con, week, scope, today)
    out.write_text(document, encoding="utf-8")
    print(
        f"wrote the meeting pack of {week.label} ({week.start:%d %b} – {week.end:%d %b %Y}) "
        f"to {out} ({len(document.encode('utf-8')) / 1e6:.1f} MB)"
    )
    return 0
