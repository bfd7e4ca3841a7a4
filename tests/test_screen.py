"""The screen says what it shows: headings name the view, a share moves in points, table cells
read as words, axes tick once per value and weeks on Mondays, the follow-up boxes draw the
agreed time, and every channel has a colour of its own in every legend, in one order.

Figures are checked as Plotly objects; text as AppTest shows it. Expected values are worked
out by hand from the rows written here (or tests/sample_facts.py's reading of the sample).
"""

import json
import math
import re
from datetime import date, timedelta

import pandas as pd
import pytest
from streamlit import dataframe_util
from streamlit.testing.v1 import AppTest

from revcycle import colors
from revcycle.agreements.model import FollowUp
from revcycle.ui import attribution, charts, format, money
from tests import sample_facts
from tests.support.colour_difference import ciede2000, lab_difference
from tests.support.working_time import agreement, save
from tests.test_pages import db_env, open_page  # noqa: F401 (db_env is a fixture)

KNOWN = list(colors.CHANNEL_COLORS)


# --- Helpers ----------------------------------------------------------------------------------


def shown_cells(at: AppTest, column: str) -> pd.DataFrame:
    """The first table with ``column`` as the browser shows it: each cell's formatted text, or
    the table's placeholder where the value is missing ("None" when it sets none).
    (AppTest does not carry a table's key, so its columns tell it apart.)"""
    for table in at.dataframe:
        texts = dataframe_util.convert_arrow_bytes_to_pandas_df(
            table.proto.arrow_data.styler.display_values
        )
        if column in texts.columns:
            missing = table.value.isna().to_numpy()
            return texts.mask(missing, table.proto.placeholder or "None")
    raise AssertionError(f"no table has a column {column!r}")


def as_shown(markdown: str) -> str:
    """Markdown text as it reads on screen once its backslash escapes are undone."""
    return re.sub(r"\\(.)", r"\1", markdown)


def figure_spec(at: AppTest, key: str) -> dict:
    """The Plotly figure ``key`` as the page sent it."""
    chart = next(chart for chart in at.get("plotly_chart") if key in chart.proto.id)
    return json.loads(chart.proto.spec)


def tick_labels(axis) -> list[str]:
    """The labels an axis with tick0 = 0, a dtick and a percent tickformat draws up to 100%."""
    decimals = int(axis.tickformat[1])
    count = round(1 / axis.dtick)
    return [f"{step * axis.dtick:.{decimals}%}" for step in range(count + 1)]


def weekly_rows(first_monday: date, weeks: int, channels: list[str]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "week_start": first_monday + timedelta(weeks=week),
                "channel": channel,
                "count_leads": 1 + week,
                "share_within_sla": 0.004 * week,
                # The first week is cut short by the period: its bars are hatched.
                "is_partial_week": week == 0,
                "is_total": channel == "(all channels)",  # as sla_share_by_week marks it
            }
            for week in range(weeks)
            for channel in channels
        ]
    )


# --- 13. Headings -----------------------------------------------------------------------------


def test_heading_names_the_chosen_channels_and_the_period(db_env):  # noqa: F811
    at = open_page("pages/conversion.py", channel=["Trade show", "Partner"])
    assert as_shown(at.title[0].value) == (
        "Conversion by source — Trade show, Partner · last 12 weeks"
    )


def test_heading_names_three_chosen_channels_and_counts_the_rest(db_env):  # noqa: F811
    # Five of the sample's channels, in the order chosen: the sidebar lists all five.
    chosen = ["Trade show", "Partner", "Email", "Referral", "Organic search"]
    at = open_page("pages/conversion.py", channel=chosen)
    assert as_shown(at.title[0].value) == (
        "Conversion by source — Trade show, Partner, Email and 2 more channels · last 12 weeks"
    )


def test_heading_without_filters_says_all_channels_and_a_custom_period(db_env):  # noqa: F811
    at = open_page("pages/revenue.py", preset="Custom", period=["2026-03-01", "2026-03-31"])
    assert as_shown(at.title[0].value) == (
        "Revenue by channel — all channels · 01 Mar 2026 – 31 Mar 2026"
    )


def test_heading_shows_names_as_text_not_markdown(db_env):  # noqa: F811
    at = open_page("dashboard.py", channel="(no lead)", owner="Anna Keller")
    # Brackets are Markdown's link syntax: escaped, they show as written.
    assert r"\(no lead\)" in at.title[0].value
    assert as_shown(at.title[0].value) == (
        "The revenue cycle — (no lead); owner Anna Keller · last 12 weeks"
    )


# --- 13. A share's change in points -----------------------------------------------------------


def test_share_change_is_in_points():
    assert format.points(0.33, 0.30) == "+3.0 pts"
    assert format.points(0.0, 0.024) == "-2.4 pts"
    assert format.points(0.3, 0.30001) == "+0.0 pts"  # rounds to zero: no "-0.0"
    assert format.points(None, 0.3) is None


def sla_leads(first_day: str | None) -> list[dict]:
    """March: 3 of 4 leads contacted within 24 hours, 75%. February, in the 14 days before 1
    March: 1 of 2, 50%. With ``first_day``, a lead then, before both periods, so the data
    begins before the period before does."""
    march, february = "2026-03-10 09:00:00", "2026-02-20 09:00:00"
    earlier = [{"lead_id": "E1", "created_at": f"{first_day} 09:00:00"}] if first_day else []
    return [
        *earlier,
        {"lead_id": "M1", "created_at": march, "first_contacted_at": "2026-03-10 10:00:00"},
        {"lead_id": "M2", "created_at": march, "first_contacted_at": "2026-03-10 12:00:00"},
        {"lead_id": "M3", "created_at": march, "first_contacted_at": "2026-03-11 08:00:00"},
        {"lead_id": "M4", "created_at": march, "first_contacted_at": "2026-03-14 09:00:00"},
        {"lead_id": "F1", "created_at": february, "first_contacted_at": february},
        {"lead_id": "F2", "created_at": february},
    ]


def test_within_sla_tile_moves_in_points(funnel_db, tmp_path, monkeypatch):
    funnel_db(sla_leads("2026-02-01"))
    monkeypatch.setenv("REVCYCLE_DB", str(tmp_path / "test.duckdb"))  # funnel_db's file
    at = open_page("dashboard.py", preset="Custom", period=["2026-03-01", "2026-03-14"])
    within = next(metric for metric in at.metric if metric.label == "Within agreed time")
    assert within.value == "75.0%"
    assert within.delta == "+25.0 pts"  # 75% - 50%; never "+50.0%"
    assert "Changes are against 15 Feb 2026 – 28 Feb 2026." in at.caption[0].value


def test_no_change_is_shown_against_days_before_the_data_begins(funnel_db, tmp_path, monkeypatch):
    # The leads begin on 20 February, five days into the period before (15-28 February):
    # its 2 leads against March's 4 would read as "+100.0%" growth.
    funnel_db(sla_leads(None))
    monkeypatch.setenv("REVCYCLE_DB", str(tmp_path / "test.duckdb"))
    at = open_page("dashboard.py", preset="Custom", period=["2026-03-01", "2026-03-14"])
    assert [metric.delta for metric in at.metric if metric.delta] == []
    assert at.caption[0].value == (
        "01 Mar 2026 – 14 Mar 2026. No changes are shown: the leads begin on 20 Feb 2026, "
        "within the period before (15 Feb 2026 – 28 Feb 2026), so that period would compare "
        "with days when nothing was loaded."
    )


# --- 13. Table cells --------------------------------------------------------------------------


def test_a_count_of_deals_credited_in_part_is_never_rounded_to_a_whole_deal():
    # A linear journey of three touches, one of them in the channel shown: 1/3 of a deal.
    assert format.count_in_part(1 / 3 + 1 / 3) == "0.67"
    assert format.count_in_part(12.0000001) == "12"
    assert format.count_in_part(1234.5) == "1,234.50"
    assert format.count_in_part(None) == "–"


def test_percent_never_shows_minus_zero():
    assert format.percent(-0.0) == "0.0%"
    assert format.percent(-0.00004) == "0.0%"  # -0.004% rounds to zero
    assert format.percent(-0.0006) == "-0.1%"


def test_amounts_shown_whole_round_half_away_from_zero_as_a_bookkeeper_does():
    # Python's round() goes to the even neighbour: 2,230.50 would show as 2,230, 2,231.50 as
    # 2,232. The importer rounds amounts half away from zero; the screen does too.
    assert format.whole_number(2230.50) == "2,231"
    assert (format.whole_number(2231.50), format.whole_number(-2.50)) == ("2,232", "-3")
    euros, reais = (money.Currency(code=code, is_mixed=False, listed="") for code in ("EUR", "BRL"))
    assert (euros.whole(1000.50), reais.whole(2.5)) == ("€1,001", "BRL 3")  # targets
    # Booked money is to the cent: what the deals export adds up to.
    assert (euros.amount(1000.50), reais.amount(2.5)) == ("€1,000.50", "BRL 2.50")
    assert euros.amount(-0.004) == "€0.00"
    # From the number as written: 1.005 is stored just under itself, and is still 1.01.
    assert format.to_the_cent(1.005) == "1.01"
    assert format.percent(0.1235) == "12.4%"


def test_table_shows_a_missing_value_as_a_dash(db_env):  # noqa: F811
    at = open_page("pages/revenue.py")
    cells = shown_cells(at, "Lead → won (median)").set_index("Channel")
    # Deals with no lead have no lead creation date, so no days from lead to won.
    assert cells.loc["(no lead)", "Lead → won (median)"] == "–"
    assert not cells.isin(["None", "nan", "NaN", "<NA>"]).any().any()


def test_the_revenue_table_adds_up_to_the_deals_export_to_the_cent(db_env):  # noqa: F811
    # The tile and the table show the won revenue (the table's of each channel and of all of
    # them) to the cent, so the screen reconciles to the deals export exactly.
    cents = sample_facts.won_revenue_cents()
    assert cents % 100, "the sample's total must have cents to show"
    at = open_page("pages/revenue.py")
    cells = shown_cells(at, "Won revenue (€)").set_index("Channel")
    assert cells.loc["(all channels)", "Won revenue (€)"] == f"{cents / 100:,.2f}"
    assert next(tile.value for tile in at.metric if tile.label == "Won revenue") == (
        f"€{cents / 100:,.2f}"
    )
    trade_show = sample_facts.won_revenue_cents("Trade show")
    assert cells.loc["Trade show", "Won revenue (€)"] == f"{trade_show / 100:,.2f}"


def test_a_lead_without_a_company_shows_a_dash(db_env):  # noqa: F811
    at = open_page("pages/follow_up.py")
    cells = shown_cells(at, "Company")
    # Lead L0017473 in the sample's leads.csv has no company and waits past the SLA.
    assert cells.set_index("Lead").loc["L0017473", "Company"] == "–"


def test_table_shows_a_flag_as_yes_or_no(db_env):  # noqa: F811
    at = open_page("pages/conversion.py", conversion_mode="Cohorts")
    cells = shown_cells(at, "Low volume")
    assert set(cells["Low volume"]) <= {"yes", "no"}
    # The total row rests on every mature lead: never low volume.
    assert cells.set_index("Channel").loc["(all channels)", "Low volume"] == "no"


# --- 13. Axes ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amounts", "labels"),
    [
        # Plotly's ".3s" wrote "6.02k" and "97.5k": two scales of rounding side by side.
        ([97500, 6020.4], ["6,020", "97,500"]),
        # The smallest, 3.4, needs one decimal for two digits; every bar gets it.
        ([120, 3.4], ["3.4", "120.0"]),
        # 0.25 needs two; half a cent rounds away from zero, as the tables round.
        ([0.25, 1234.005], ["0.25", "1,234.01"]),
        ([2_500_000_000, 0], ["0", "2,500,000,000"]),  # no "2.5G" for a money amount
    ],
)
def test_amount_bars_are_labelled_as_the_tables_write_amounts(amounts, labels):
    frame = pd.DataFrame({"channel": [f"C{at}" for at in range(len(amounts))], "won": amounts})
    figure = charts.bar_by_channel(frame, "won", "t", "EUR", colors.assign(frame["channel"]))
    assert list(figure.data[0].text) == labels  # smallest first: Plotly draws it lowest
    # The largest bar's label stands in the right margin: ten pixels a character, and twelve.
    assert figure.layout.margin.r == max(30, 12 + 10 * len(labels[-1]))


@pytest.mark.parametrize(
    ("high", "dtick", "tickformat"),
    [
        (0.025, 0.005, ".1%"),  # 2.5% / 0.5% = 5 steps: 0.0%, 0.5% … 2.5%
        (0.05, 0.01, ".0%"),  # 5 steps of 1%
        (0.3, 0.05, ".0%"),  # 0.3 / 0.05 = 6 steps
        (0.9, 0.2, ".0%"),  # 0.9 / 0.2 = 4.5 steps
        (0.004, 0.001, ".1%"),  # 4 steps of 0.1%
    ],
)
def test_share_axis_steps_so_no_two_ticks_read_the_same(high, dtick, tickformat):
    axis = charts.share_axis(high)
    assert (axis["dtick"], axis["tickformat"]) == (dtick, tickformat)


def test_weekly_share_chart_has_distinct_ticks():
    # Shares up to 4.4% (0.004 × 11): with ".0%" and Plotly's own 0.5% step the axis read
    # 0%, 1%, 1%, 2%, 2%…
    rows = weekly_rows(date(2026, 3, 2), 12, ["Referral"])
    figure = charts.share_trend(
        rows, "share_within_sla", "t", "within", colors.assign(["Referral"])
    )
    assert (figure.layout.yaxis.dtick, figure.layout.yaxis.tickformat) == (0.01, ".0%")
    labels = tick_labels(figure.layout.yaxis)
    assert labels[:3] == ["0%", "1%", "2%"]
    assert len(set(labels)) == len(labels)


@pytest.mark.parametrize(("weeks", "every"), [(12, 1), (13, 2), (30, 3)])
def test_week_axes_tick_on_the_monday_each_week_starts(weeks, every):
    rows = weekly_rows(date(2026, 3, 2), weeks, ["Referral"])  # 2 March 2026 is a Monday
    palette = colors.assign(["Referral"])
    for figure in (
        charts.trend_by_channel(rows, "count_leads", "t", "leads", palette),
        charts.share_trend(rows, "share_within_sla", "t", "within", palette),
    ):
        assert figure.layout.xaxis.tick0 == "2026-03-02"
        # A week in milliseconds, 7 × 24 × 3,600,000; more than 12 weeks tick every n-th.
        assert figure.layout.xaxis.dtick == every * 604_800_000


def test_week_ticks_fall_on_mondays_when_the_first_week_is_not_listed_from_its_monday():
    rows = weekly_rows(date(2026, 3, 4), 3, ["Referral"])  # a Wednesday
    figure = charts.trend_by_channel(rows, "count_leads", "t", "leads", colors.assign(["Referral"]))
    assert figure.layout.xaxis.tick0 == "2026-03-02"


# --- 13. The follow-up boxes ------------------------------------------------------------------


def test_follow_up_boxes_draw_each_channels_agreed_time_and_say_their_scale(
    funnel_db, tmp_path, monkeypatch
):
    contacted = "2026-03-02 09:00:00", "2026-03-02 10:00:00"
    con = funnel_db(
        [
            {
                "lead_id": "P",
                "channel": "Paid Search",
                "created_at": contacted[0],
                "first_contacted_at": contacted[1],
            },
            {
                "lead_id": "R",
                "channel": "Referral",
                "created_at": contacted[0],
                "first_contacted_at": contacted[1],
            },
        ]
    )
    # Paid search: 4 working hours; every other channel the default, 24 calendar hours.
    save(
        con,
        agreement(
            FollowUp("Paid search", "call", 4, "working"), FollowUp(None, "call", 24, "calendar")
        ),
    )
    con.close()
    monkeypatch.setenv("REVCYCLE_DB", str(tmp_path / "test.duckdb"))  # funnel_db's file
    at = open_page("pages/follow_up.py", preset="Custom", period=["2026-03-01", "2026-03-31"])
    spec = figure_spec(at, "follow_up_box_channel")
    dashes = next(trace for trace in spec["data"] if trace["name"] == "agreed response time")
    # A row per channel: the channel on the y axis, the hours on the x axis.
    assert dict(zip(dashes["y"], dashes["x"], strict=True)) == {"Paid search": 4, "Referral": 24}
    # Both leads heard back after 1 hour; the agreed times are 4 and 24 hours: the axis spans
    # 1 to 24 hours, so its marks run from 1 h to 1 day.
    marks = ["1 h", "2 h", "4 h", "8 h", "12 h", "1 day"]
    assert spec["layout"]["xaxis"]["ticktext"] == marks
    captions = [caption.value for caption in at.caption]
    assert any(
        "The dash across a channel's box is its agreed response time" in caption
        and "its marks are durations as people say them" in caption
        and "ten times" not in caption
        for caption in captions
    ), captions


@pytest.mark.parametrize(
    ("hours", "marks"),
    [
        # 7 to 54 hours: from the mark below 7 (4 h) to the one above 54 (3 days).
        ([7, 16, 30, 45, 54], ["4 h", "8 h", "12 h", "1 day", "2 days", "3 days"]),
        # Exactly on marks: no mark beyond them is needed.
        ([1, 24], ["1 h", "2 h", "4 h", "8 h", "12 h", "1 day"]),
        # 3 minutes to 5 weeks: fifteen marks from 1 min would crowd, so the eight wide ones.
        ([0.05, 900], ["1 min", "6 min", "1 h", "4 h", "1 day", "3 days", "1 week", "1 month"]),
        # 17 seconds (a machine's reply) to 3 hours: from 1 min, not a decade unmarked.
        ([0.0048, 3], ["1 min", "6 min", "15 min", "30 min", "1 h", "2 h", "4 h"]),
        # A contact in the same minute (0 hours) has no place on a log axis.
        ([0, 2.5], ["2 h", "4 h"]),
        ([], ["1 min", "6 min", "1 h", "4 h", "1 day", "3 days", "1 week", "1 month"]),
    ],
)
def test_hour_axes_mark_the_hours_the_boxes_span(hours, marks):
    axis = charts.hour_axis(pd.Series(hours, dtype=float))
    assert axis["ticktext"] == marks
    assert axis["type"] == "log"


def test_the_hour_axis_reaches_the_marks_beyond_the_values():
    axis = charts.hour_axis(pd.Series([7.0, 54.0]))
    # The range is in powers of ten: from 4 h to 3 days, a twentieth of a power more each way.
    low, high = axis["range"]
    assert low == pytest.approx(math.log10(4) - 0.05)
    assert high == pytest.approx(math.log10(72) + 0.05)


def test_a_channel_whose_time_several_versions_share_keeps_its_dash(
    funnel_db, tmp_path, monkeypatch
):
    # Version 1 (1 January): Referral and Paid search 8 working hours. Version 2 (15 March):
    # Referral still 8, Paid search 2. March's leads are judged by both: Referral keeps its
    # dash at 8 (it had none: two rule rows), Paid search, changed mid-March, has none.
    leads = [
        {
            "lead_id": f"{channel[0]}{day}",
            "channel": channel,
            "created_at": f"2026-03-{day} 09:00:00",
            "first_contacted_at": f"2026-03-{day} 10:00:00",
        }
        for channel in ("Referral", "Paid Search")
        for day in ("02", "16")
    ]
    con = funnel_db(leads)
    eight = (FollowUp("Referral", "call", 8, "working"), FollowUp(None, "call", 8, "working"))
    save(con, agreement(*eight))
    later = agreement(
        FollowUp("Paid search", "call", 2, "working"), *eight, effective_from=date(2026, 3, 15)
    )
    save(con, later)
    con.close()
    monkeypatch.setenv("REVCYCLE_DB", str(tmp_path / "test.duckdb"))  # funnel_db's file
    at = open_page("pages/follow_up.py", preset="Custom", period=["2026-03-01", "2026-03-31"])
    spec = figure_spec(at, "follow_up_box_channel")
    dashes = next(trace for trace in spec["data"] if trace["name"] == "agreed response time")
    assert dict(zip(dashes["y"], dashes["x"], strict=True)) == {"Referral": 8}


# --- 14. Colours ------------------------------------------------------------------------------


def test_a_new_channel_gets_a_colour_no_other_channel_has():
    palette = colors.assign([*KNOWN, "Paid social", "(no lead)"])
    assert palette["Paid social"] != palette["Website contact form"]
    assert len(set(palette.values())) == len(palette)
    # The known channels keep their colours.
    assert palette["Website contact form"] == "#CC6677"


def test_forty_new_channels_still_have_a_colour_each():
    new = [f"Channel {number:02}" for number in range(40)]
    palette = colors.assign([*KNOWN, *new, "(no lead)", "(unknown)", "(all channels)"])
    assert len(set(palette.values())) == len(palette) == 8 + 40 + 3
    # Nor is any of them the neutral blue of the bars that are no channel's (the funnel's).
    assert charts.NEUTRAL not in palette.values()


@pytest.mark.parametrize(
    ("first", "second", "difference"),
    [  # Sharma, Wu and Dalal's test data for CIEDE2000, pairs 1, 7 and 20
        ((50, 2.6772, -79.7751), (50, 0, -82.7485), 2.0425),
        ((50, 2.5, 0), (50, 0, -2.5), 4.3065),
        ((60.2574, -34.0099, 36.2677), (60.4626, -34.1751, 39.4387), 1.2644),
    ],
)
def test_colour_difference_is_ciede2000(first, second, difference):
    assert lab_difference(first, second) == pytest.approx(difference, abs=1e-4)


def test_thirty_two_new_channels_each_get_a_colour_told_apart_at_a_glance():
    # Before, the colours generated past Tol's spares were as close as 2.7 (#44BB99, #34B292:
    # two greens), and his light colours 4 from his muted ones (#EEDD88, #DDCC77).
    new = [f"Channel {number:02}" for number in range(32)]
    palette = colors.assign([*KNOWN, *new, *colors.PSEUDO_CHANNEL_COLORS])
    shown = [*palette.values(), charts.NEUTRAL]  # a bar of no channel's beside them
    closest = min(
        (ciede2000(first, second), first, second)
        for at, first in enumerate(shown)
        for second in shown[at + 1 :]
    )
    assert closest[0] >= 11, closest
    # Thin bars and lines of a new channel still stand out from the white background.
    faintest = min((ciede2000(palette[name], "#FFFFFF"), name) for name in new)
    assert faintest[0] >= 30, faintest


def test_a_channel_keeps_its_colour_on_every_chart():
    # Colours come from every channel in the data, not from those one chart draws.
    everything = colors.assign(["Referral", "Zebra ads", "Alpha ads"])
    assert everything["Zebra ads"] == colors.assign(["Zebra ads", "Alpha ads"])["Zebra ads"]


def test_stage_lines_never_take_a_channel_colour():
    new = [f"Channel {number:02}" for number in range(40)]
    channel_colors = set(colors.assign([*KNOWN, *new, "(no lead)", "(all channels)"]).values())
    cohorts = pd.DataFrame(
        [
            {"stage": stage, "cohort_start": date(2026, 3, 2), "share_reached": 0.5}
            | {"is_mature": True}
            for stage in ("mql", "sql", "opportunity", "won")
        ]
    )
    bands = pd.DataFrame([{"response_band": "< 1 h", "share_sql": 0.4, "share_won": 0.1}])
    drawn = {trace.line.color for trace in charts.cohort_trend(cohorts, "t").data}
    drawn |= {trace.marker.color for trace in charts.response_bands(bands, "t").data}
    assert drawn == set(colors.STAGE_COLORS.values())
    assert not drawn & channel_colors


def test_legends_show_solid_swatches_in_one_order_on_every_chart():
    channels = ["(no lead)", "Referral", "Paid social", "Paid search"]
    palette = colors.assign(channels)
    rows = weekly_rows(date(2026, 3, 2), 3, channels)
    # Known channels in their fixed order, then new ones by name, then rows of no channel.
    expected = ["Paid search", "Referral", "Paid social", "(no lead)"]
    bars = charts.trend_by_channel(rows, "count_leads", "t", "leads", palette)
    legend = [trace for trace in bars.data if trace.showlegend is not False]
    assert [trace.name for trace in legend] == expected
    # The first week is hatched, but no legend swatch is.
    assert all(trace.marker.pattern.shape in (None, "") for trace in legend)
    lines = charts.share_trend(rows, "share_within_sla", "t", "within", palette)
    assert [trace.name for trace in lines.data] == expected
    assert bars.layout.legend.traceorder == lines.layout.legend.traceorder == "normal"


def test_a_channel_without_a_colour_still_gets_its_bar():
    # Touches may name a channel no lead or deal has, so the page's palette lacks it.
    rows = pd.DataFrame({"channel": ["Referral", "Podcast"], "credited": [300.0, 120.0]})
    figure = charts.bar_by_channel(rows, "credited", "t", "EUR", {"Referral": "#117733"})
    (bars,) = figure.data
    assert list(bars.y) == ["Podcast", "Referral"]  # the largest on top: drawn last
    assert list(bars.x) == [120.0, 300.0]
    assert list(bars.marker.color) == [charts.NEUTRAL, "#117733"]


def test_forty_channels_each_get_their_funnel_in_rows_of_three():
    """Before, Plotly Express refused more than 33 channels: its gap between rows was a fixed
    tenth of the figure, and 14 rows of panels leave no room for 13 such gaps."""
    names = [f"Channel {number:02}" for number in range(40)]
    stages = ["lead", "mql", "sql", "opportunity", "won"]
    rows = pd.DataFrame(
        [
            {
                "channel": name,
                "stage": stage,
                "count_events": 50 - 10 * place,  # 50 leads, 40 MQLs … 10 customers
                "share_of_first": (50 - 10 * place) / 50,
            }
            for name in names
            for place, stage in enumerate(stages)
        ]
    )
    figure = charts.channel_funnels(rows, "t", colors.assign(names))
    assert [trace.name for trace in figure.data] == names
    assert [note.text for note in figure.layout.annotations] == names  # each panel's title
    # 40 panels, three a row: 14 rows of 220 px under the title's 60.
    assert figure.layout.height == 60 + 14 * 220
    last = figure.data[-1]  # Channel 39: the 40th panel, alone in the 14th row's first column
    assert last.xaxis == "x40" and figure.layout.xaxis40.domain == figure.layout.xaxis.domain
    assert list(last.x) == [50, 40, 30, 20, 10]
    assert list(last.text) == ["50", "40 · 80%", "30 · 60%", "20 · 40%", "10 · 20%"]
    # Leads on top: the category axis lists the stages from the bottom up.
    assert list(figure.layout.yaxis.categoryarray) == [
        "Customers",
        "Opportunities",
        "SQLs",
        "MQLs",
        "Leads",
    ]


@pytest.mark.parametrize("markov_ok", [True, False])
def test_every_model_has_its_bars_and_an_untrusted_markov_is_grey_and_hatched(markov_ok):
    models = list(attribution.MODELS)
    # Credit in cents per channel and model: Email 1,000.00 under each model, <b>Web</b> 0.50.
    wide = pd.DataFrame(
        [{"channel": "Email"} | dict.fromkeys(models, 100_000)]
        + [{"channel": "<b>Web</b>"} | dict.fromkeys(models, 50)]
    )
    figure = attribution.models_grouped(wide, "EUR", markov_ok)
    assert [trace.name for trace in figure.data] == [
        "First touch",
        "Last touch",
        "Last non-direct touch",
        "Linear",
        "U-shaped",
        "W-shaped",
        "Time decay",
        "Data-driven (Markov)",
    ]
    for trace in figure.data:
        assert list(trace.y) == ["Email", "&lt;b&gt;Web&lt;/b&gt;"]  # names as text
        assert list(trace.x) == [1000.0, 0.5]
    markov = figure.data[-1]
    if markov_ok:
        assert (markov.marker.color, markov.marker.pattern.shape) == ("#AA4499", "")
    else:
        assert (markov.marker.color, markov.marker.pattern.shape) == ("#BBBBBB", "/")
    assert {trace.marker.pattern.shape for trace in figure.data[:-1]} == {""}
