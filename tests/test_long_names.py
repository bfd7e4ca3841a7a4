"""Many channels with long names stay readable on a 1280 × 720 laptop and a shared 1920 × 1080
screen: a name is cut with "…" where a chart has little room and stays whole in the hover,
charts of many channels are rows that grow with them, legends stand beside or under the plot,
never over it, and tables wrap a long name rather than cut it.

Figures are checked as Plotly objects built from rows written here, pages under AppTest over a
database of thirty long-named channels; expected values are worked out by hand.
"""

import json
from datetime import date, timedelta
from types import SimpleNamespace

import pandas as pd
import pytest

from revcycle import colors
from revcycle.chart_text import as_text, name_ticks, short_label, short_labels
from revcycle.importer import channels
from revcycle.meeting import charts as meeting_charts
from revcycle.meeting import pack
from revcycle.ui import attribution, charts, roi, tables
from tests.conftest import building, write_export
from tests.test_meeting_page_pack import planted_leak
from tests.test_pages import open_page

LONG = "Partner webinar series — DACH enterprise accounts, co-hosted with resellers (Q3 2026)"
LONG_ON_AN_AXIS = "Partner webinar series — DACH<br>enterprise accounts,…"  # two lines of 30
# Thirty channels whose names run past any label's room, each told apart by its number.
THIRTY = [
    f"Channel {number:02} — a campaign whose name runs on past any axis label's room"
    for number in range(30)
]
STAGES = ("lead", "mql", "sql", "opportunity", "won")


def label_lines(labels) -> list[str]:
    return [line for label in labels for line in label.split("<br>")]


# --- Names cut to fit, as text --------------------------------------------------------------


def test_a_long_name_is_cut_between_words_with_an_ellipsis():
    assert short_label(LONG) == "Partner webinar series — DACH…"  # 29 characters and "…"
    assert short_label(LONG, lines=2) == LONG_ON_AN_AXIS
    assert short_label("Referral", lines=2) == "Referral"


def test_a_name_is_cut_before_it_is_escaped():
    # Cut at the last space within 29 characters, then escaped: no entity is cut in half.
    name = "Q&A <b>webinars</b> for enterprise prospects"
    assert short_label(name) == "Q&amp;A &lt;b&gt;webinars&lt;/b&gt; for…"


def test_a_long_word_is_cut_within_it_rather_than_lose_the_line():
    # Its only space is after "<a": cutting there would leave "<a…".
    name = '<a href="http://127.0.0.1:9/a">x</a>'
    assert short_label(name) == '&lt;a href="http://127.0.0.1:9/a…'


def test_names_cut_alike_show_where_they_differ():
    # Both start with the same 47 characters: cut at 30 they read the same.
    emea = "Outbound SDR sequences — cold email plus phone, EMEA territories"
    north_america = "Outbound SDR sequences — cold email plus phone, North America territories"
    assert short_labels([emea, north_america, "Referral", emea]) == [
        "Outbound… EMEA territories",
        "Outbound… North America…",
        "Referral",
        "Outbound… EMEA territories",
    ]


def test_axis_ticks_cut_a_name_and_keep_it_whole_in_the_data():
    ticks = name_ticks(["<b>Web</b>", LONG], notes=["", " (return unknown)"])
    assert ticks["tickvals"] == ["&lt;b&gt;Web&lt;/b&gt;", as_text(LONG) + " (return unknown)"]
    assert ticks["ticktext"] == ["&lt;b&gt;Web&lt;/b&gt;", LONG_ON_AN_AXIS + "<br>(return unknown)"]
    assert ticks["automargin"] is True


# --- Charts of channels -----------------------------------------------------------------------


def rates(names: list[str]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "channel": names,
            "share_reached": 0.2,
            "share_low_95": 0.1,
            "share_high_95": 0.3,
            "count_leads": 40,
            "is_low_volume": False,
        }
    )


@pytest.mark.parametrize("chart", ["bars", "rates"])
def test_a_long_channel_name_is_cut_on_the_axis_and_whole_in_the_hover(chart):
    names = [LONG, "Referral"]
    if chart == "bars":
        rows = pd.DataFrame({"channel": names, "won": [300.0, 100.0]})
        figure = charts.bar_by_channel(rows, "won", "t", "EUR", {})
    else:
        figure = charts.rate_with_interval(rates(names), "t", "few", dict.fromkeys(names, "#000"))
    assert {name for trace in figure.data for name in trace.y} == {as_text(LONG), "Referral"}
    # The hover names the channel whole: %{y} would show the axis's shortened label.
    assert {name for trace in figure.data for name in trace.customdata} == {
        as_text(LONG),
        "Referral",
    }
    assert all(trace.hovertemplate.startswith("%{customdata}") for trace in figure.data)
    axis = figure.layout.yaxis
    assert dict(zip(axis.tickvals, axis.ticktext, strict=True)) == {
        as_text(LONG): LONG_ON_AN_AXIS,
        "Referral": "Referral",
    }


def speed(names: list[str]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "group_value": names,
            "p10_hours_to_first_contact": 0.5,
            "p25_hours_to_first_contact": 1.0,
            "median_hours_to_first_contact": 2.0,
            "p75_hours_to_first_contact": 8.0,
            "p90_hours_to_first_contact": 30.0,
        }
    )


def test_of_more_than_thirty_owners_the_boxes_are_the_thirty_with_the_most_leads():
    # 35 owners, O01 with 1 lead ... O35 with 35: the chart draws O06 ... O35, in their order,
    # 30 rows tall, and its title says so (3,000 owners drew a chart 135,000 px tall).
    names = [f"O{number:02d}" for number in range(1, 36)]
    rows = speed(names).assign(count_leads=range(1, 36))
    figure = charts.box_from_quantiles(rows, "owner", "Hours to first contact by owner", {})
    boxes = [trace for trace in figure.data if trace.type == "box"]
    assert [box.y[0] for box in boxes] == [f"O{number:02d}" for number in range(6, 36)]
    assert figure.layout.height == 150 + 30 * 45
    assert figure.layout.title.text == (
        "Hours to first contact by owner: the 30 owners with the most leads, of 35 (the table "
        "lists all)"
    )


@pytest.mark.parametrize(("count", "height"), [(3, 150 + 3 * 45), (30, 150 + 30 * 45)])
def test_follow_up_boxes_are_rows_that_grow_with_the_channels(count, height):
    names = THIRTY[:count]
    figure = charts.box_from_quantiles(speed(names), "channel", "t", {}, dict.fromkeys(names, 24.0))
    boxes = [trace for trace in figure.data if trace.type == "box"]
    dashes, summaries = figure.data[len(boxes) :]
    assert {box.orientation for box in boxes} == {"h"}
    assert [box.y[0] for box in boxes] == [as_text(name) for name in names]
    # One hover label, the nearest row's wherever the pointer is, with the whole name and the
    # box's figures; the boxes' own labels (one a figure, turned on their side) are off.
    assert {box.hoverinfo for box in boxes} == {"skip"}
    assert (figure.layout.hovermode, figure.layout.hoverdistance) == ("closest", -1)
    assert (list(summaries.x), summaries.marker.opacity) == ([2.0] * count, 0)
    # The name, the median, the 25th and 75th, the 10th and 90th percentile.
    figures = ["2.0 h", "1.0 h", "8.0 h", "0.5 h", "30.0 h"]
    assert list(summaries.customdata[0]) == [as_text(names[0]), *figures]
    assert summaries.hovertemplate.startswith("%{customdata[0]}<br>median %{customdata[1]}")
    assert figure.layout.height == height
    assert figure.layout.xaxis.type == "log" and figure.layout.yaxis.autorange == "reversed"
    # Each channel's agreed time: a dash across its row, at 24 hours.
    assert (list(dashes.y), list(dashes.x)) == (names, [24.0] * count)
    assert dashes.marker.symbol == "line-ns"
    assert dashes.hovertemplate == "agreed: %{x:~g} h<extra></extra>"  # "24 h", not "24.0000 h"
    assert list(figure.layout.yaxis.ticktext)[0] == (
        "Channel 00 — a campaign whose<br>name runs on past any axis…"
    )


@pytest.mark.parametrize(("count", "height"), [(3, 150 + 3 * 64), (30, 150 + 30 * 64)])
def test_every_model_side_by_side_is_a_row_per_channel_with_its_legend_beside(count, height):
    wide = pd.DataFrame(
        [{"channel": name} | dict.fromkeys(attribution.MODELS, 100_00) for name in THIRTY[:count]]
    )
    figure = attribution.models_grouped(wide, "EUR", markov_ok=True)
    assert {trace.orientation for trace in figure.data} == {"h"}
    assert list(figure.data[0].y) == [as_text(name) for name in THIRTY[:count]]
    assert list(figure.data[0].customdata) == list(figure.data[0].y)  # the hover's, whole
    assert "%{customdata}" in figure.data[0].hovertemplate
    assert figure.layout.height == height
    # Right of the plot area (which ends at x = 1), so it covers neither bars nor names.
    legend = figure.layout.legend
    assert (legend.x, legend.xanchor, legend.traceorder) == (1.02, "left", "normal")
    # The first channel, and the first model, on top: the legend's order.
    assert figure.layout.yaxis.autorange == "reversed"
    assert all(len(line) <= 30 for line in label_lines(figure.layout.yaxis.ticktext))


def test_each_funnel_panel_is_titled_with_its_name_cut_to_fit():
    rows = pd.DataFrame(
        [
            {"channel": name, "stage": stage, "count_events": 10, "share_of_first": 1.0}
            for name in (LONG, "Referral")
            for stage in STAGES
        ]
    )
    figure = charts.channel_funnels(rows, "t", {})
    titles = [annotation.text for annotation in figure.layout.annotations]
    assert titles == ["Partner webinar series — DACH…", "Referral"]
    assert [trace.name for trace in figure.data] == [as_text(LONG), "Referral"]  # the hover's


def weekly(names: list[str]) -> pd.DataFrame:
    """Two weeks of each channel: 3 leads, a share of 0.5 within the agreed time."""
    return pd.DataFrame(
        [
            {
                "week_start": pd.Timestamp(date(2026, 3, 2) + timedelta(weeks=week)),
                "channel": name,
                "count_leads": 3,
                "share_within_sla": 0.5,
                "is_partial_week": False,
                "is_total": False,
            }
            for name in names
            for week in range(2)
        ]
    )


def weekly_chart(kind: str, names: list[str]):
    palette = colors.assign(names)
    if kind == "stacked":
        return charts.trend_by_channel(weekly(names), "count_leads", "t", "leads", palette)
    return charts.share_trend(weekly(names), "share_within_sla", "t", "within", palette)


@pytest.mark.parametrize("kind", ["stacked", "shares"])
@pytest.mark.parametrize(("count", "legend_px"), [(4, 2 * 24), (30, 15 * 24)])
def test_a_weekly_chart_keeps_its_legend_under_the_plot_and_grows_to_hold_it(
    kind, count, legend_px
):
    figure = weekly_chart(kind, THIRTY[:count])
    layout = figure.layout
    # The legend in two columns (the Overview's narrow one on a laptop), a row of 24 px each
    # two channels, under a plot of 360 px and 80 px of week ticks and axis title.
    assert layout.height == 360 + 80 + legend_px
    assert layout.margin.b == 80 + legend_px
    legend = layout.legend
    assert (legend.orientation, legend.yref, legend.yanchor) == ("h", "container", "top")
    # Its top, in pixels from the figure's bottom, is under the axis title: never on the plot.
    assert legend.y * layout.height == pytest.approx(legend_px)
    assert legend.maxheight == 1  # never cut to a scrolling box
    # Entries of names cut to 26 characters, in columns 170 px wide; the hover's whole name.
    entries = [trace for trace in figure.data if trace.showlegend is not False]
    assert len(entries) == count and legend.entrywidth == 170
    assert entries[0].name == "Channel 00 — a campaign…"
    drawn = [trace for trace in figure.data if trace.customdata is not None]
    assert {trace.customdata[0] for trace in drawn} == {as_text(name) for name in THIRTY[:count]}
    assert all(trace.hovertemplate.startswith("%{customdata}") for trace in drawn)


def test_spend_and_return_cut_a_long_name_and_never_its_note_and_keep_the_legend_beside():
    rows = pd.DataFrame(
        {
            "channel": [LONG, "Referral"],
            "has_spend": True,
            "is_total": False,
            "spend_cents": [200_00, 100_00],
            "won_cents": [None, 500_00],
        }
    )
    figure = roi.spend_and_return(SimpleNamespace(rows=rows), "EUR")
    axis = figure.layout.yaxis
    assert dict(zip(axis.tickvals, axis.ticktext, strict=True)) == {
        "Referral": "Referral",
        as_text(LONG) + " (return unknown)": LONG_ON_AN_AXIS + "<br>(return unknown)",
    }
    assert list(figure.data[0].customdata) == ["Referral", as_text(LONG) + " (return unknown)"]
    assert "%{customdata}" in figure.data[0].hovertemplate  # the whole name, not the axis's
    # Right of the plot from its top; under a chart of many rows it stood far below the bars.
    legend = figure.layout.legend
    assert (legend.x, legend.xanchor, legend.y, legend.yanchor) == (1.02, "left", 1, "top")


# --- Tables -----------------------------------------------------------------------------------


def test_a_table_row_of_two_lines_is_tall_enough_for_streamlit_to_wrap_it():
    # Streamlit wraps a cell's text only in rows taller than 4rem, 68 px at the theme's 17 px:
    # two lines of 19 px and 16 px of padding (54 px) showed one line, cut.
    assert tables.wrapped_row_height(["a word " * 10]) == 69  # 70 characters: two lines of 55
    assert tables.wrapped_row_height(["a word " * 20]) == 16 + 3 * 19  # three lines
    assert tables.wrapped_row_height(["Referral"]) is None


# --- The pages over thirty long-named channels -------------------------------------------------


@pytest.fixture(scope="module")
def long_named_db(tmp_path_factory) -> str:
    """Thirty channels named THIRTY: each with two leads in March 2026, contacted after an
    hour, and a deal of 1,000 won on 20 March for the first."""
    folder = tmp_path_factory.mktemp("long_names")
    leads, deals = [], []
    for number in range(len(THIRTY)):
        for lead in range(2):
            leads.append(
                {
                    "lead_id": f"L{number}-{lead}",
                    "created_at": f"2026-03-{2 + lead:02d} 09:00",
                    "channel": f"source {number}",
                    "mql_at": f"2026-03-{2 + lead:02d} 12:00",
                    "first_contacted_at": f"2026-03-{2 + lead:02d} 10:00",
                }
            )
        deals.append(
            {
                "deal_id": f"D{number}",
                "lead_id": f"L{number}-0",
                "created_at": "2026-03-10 10:00",
                "stage": "Closed Won",
                "amount": "1000.00",
                "currency": "EUR",
                "closed_at": "2026-03-20 10:00",
            }
        )
    exports = {
        "leads": write_export(folder / "leads.csv", "leads", leads),
        "deals": write_export(folder / "deals.csv", "deals", deals),
    }
    rules = [(f"source {number}", name) for number, name in enumerate(THIRTY)]
    path = folder / "long.duckdb"
    building(
        exports,
        then=lambda con: channels.replace_rules(
            con, channels.all_rules(con) + rules, changed_by="test"
        ),
    )(path)
    return str(path)


@pytest.fixture
def long_names(long_named_db, monkeypatch):
    monkeypatch.setenv("REVCYCLE_DB", long_named_db)


MARCH = {"preset": "Custom", "period": ["2026-03-01", "2026-03-31"]}


def chart_spec(at, key: str) -> dict:
    chart = next(chart for chart in at.get("plotly_chart") if key in chart.proto.id)
    return json.loads(chart.proto.spec)


def table_columns(at, label: str) -> tuple[dict, int]:
    """The column config of the table with column ``label``, and its rows' height."""
    for table in at.dataframe:
        if label in table.value.columns:
            return json.loads(table.proto.columns), table.proto.row_height
    raise AssertionError(f"no table has a column {label!r}")


def test_the_overview_keeps_thirty_channels_legend_under_its_weekly_chart(long_names):
    at = open_page("dashboard.py", **MARCH)
    layout = chart_spec(at, "overview_weekly_leads")["layout"]
    assert layout["height"] == 360 + 80 + 15 * 24
    assert (layout["legend"]["yref"], layout["legend"]["y"] * layout["height"]) == (
        "container",
        pytest.approx(15 * 24),
    )


def test_the_conversion_page_wraps_long_names_in_its_table_and_cuts_its_panel_titles(
    long_names,
):
    at = open_page("pages/conversion.py", **MARCH)
    notes = chart_spec(at, "conversion_funnels")["layout"]["annotations"]
    titles = [note["text"] for note in notes]
    assert titles[0] == "Channel 00 — a campaign whose…"
    config, row_height = table_columns(at, "Customers per lead")
    # 72 characters: two lines of a 300 px column (40 characters a line), in rows of 69 px.
    channel_column = next(column for column in config.values() if column.get("label") == "Channel")
    assert channel_column["width"] == 300 and row_height == 69


def test_the_follow_up_page_draws_a_row_per_channel(long_names):
    at = open_page("pages/follow_up.py", **MARCH)
    spec = chart_spec(at, "follow_up_box_channel")
    boxes = [trace for trace in spec["data"] if trace["type"] == "box"]
    assert len(boxes) == 30 and {box["orientation"] for box in boxes} == {"h"}
    assert spec["layout"]["height"] == 150 + 30 * 45


def test_the_attribution_page_draws_every_model_in_rows(long_names):
    at = open_page("pages/attribution.py", **MARCH)
    spec = chart_spec(at, "attribution_models_bars")
    assert {trace["orientation"] for trace in spec["data"]} == {"h"}
    assert spec["layout"]["height"] == 150 + 30 * 64


# --- The meeting's charts ---------------------------------------------------------------------


def spend_series(names: list[str]) -> pd.DataFrame:
    """Two weeks of each channel: 100 spent against a budget of 120."""
    return pd.DataFrame(
        [
            {
                "channel": name,
                "span_start": date(2026, 11, 2) + timedelta(weeks=week),
                "spend_amount": 100.0,
                "budget_amount": 120.0,
            }
            for name in names
            for week in range(2)
        ]
    )


def test_the_meetings_spend_chart_lists_each_channel_once_under_its_plot():
    # Before, a channel had two entries ("… budget" too) in a legend above the plot, which
    # thirty channels' sixty entries ran over, title and plot alike.
    figure = meeting_charts.spend(spend_series(THIRTY), "EUR", height=360)
    entries = [trace for trace in figure.data if trace.showlegend is not False]
    assert [entry.name for entry in entries][:2] == [
        "Channel 00 — a campaign…",
        "Channel 01 — a campaign…",
    ]
    assert len(entries) == 30 and len(figure.data) == 60  # each channel's spend and budget
    budget = figure.data[1]
    assert (budget.legendgroup, budget.line.dash) == (THIRTY[0], "dash")
    assert budget.hovertemplate.startswith("%{customdata} budget")
    assert budget.customdata[0] == as_text(THIRTY[0])
    layout = figure.layout
    assert layout.height == 360 + 80 + 15 * 24
    assert (layout.legend.yref, layout.legend.y * layout.height) == (
        "container",
        pytest.approx(15 * 24),
    )
    # The pack keeps it there, where it moves a legend above the plot to the plot's right.
    assert '"yref":"container"' in pack.chart(figure, "spend")


@pytest.mark.parametrize("count_channels", [3, 30])
def test_a_presented_spend_chart_keeps_its_height_with_the_legend_beside(count_channels):
    # A slide must fit the screen: a legend under the plot made the 240 px chart 392 px tall
    # for the sample's six channels (240 + 80 + 3 rows of 24), and the spend slide ran 39 px
    # past a 720 px laptop screen.
    figure = meeting_charts.spend(spend_series(THIRTY[:count_channels]), "EUR", 240, True)
    legend = figure.layout.legend
    assert figure.layout.height == 240
    assert (legend.x, legend.xanchor, legend.y, legend.yanchor) == (1.02, "left", 1, "top")
    entries = [trace.name for trace in figure.data if trace.showlegend is not False]
    assert entries[0] == "Channel 00 — a campaign…" and len(entries) == count_channels


def test_the_meetings_channel_charts_cut_a_long_name_and_keep_the_step_whole():
    drop = planted_leak(LONG)
    figure = meeting_charts.leaks([drop])
    assert figure.data[0].y[0] == figure.data[0].customdata[0] == as_text(LONG) + ": mql → sql"
    assert figure.data[0].hovertemplate.startswith("%{customdata}")  # whole in the hover
    assert list(figure.layout.yaxis.ticktext) == [LONG_ON_AN_AXIS + "<br>mql → sql"]
    by_channel = pd.DataFrame(
        {"channel": [LONG], "count_accepted": [1], "count_rejected": [1], "count_pending": [0]}
    )
    quality = meeting_charts.quality(by_channel)
    assert list(quality.layout.yaxis.ticktext) == [LONG_ON_AN_AXIS]
    assert quality.data[0].y[0] == quality.data[0].customdata[0] == as_text(LONG)
    assert quality.data[0].hovertemplate.startswith("%{customdata}")
