"""Spend against budget in the weekly meeting, on hand-written rows in a real DuckDB: the metric
(metrics/spend_against_budget), its words, the This week page under AppTest (on the page and
presented) and the pack.

The meeting's week is 2026-W45, Monday 2 to Sunday 8 November 2026; the week before, W44, runs
Monday 26 October to Sunday 1 November. The agreement works Monday to Friday, no public
holidays, and closes Monday 30 November, so:
- October 2026 (the 1st is a Thursday) has 22 working days: 1-2, 5-9, 12-16, 19-23, 26-30;
- November 2026 (the 1st is a Sunday) has 21 weekdays less the 30th: 20 working days.
Budgets (EUR; Content marketing names no currency, so it is REVCYCLE_CURRENCY's, EUR):
- Paid search: October 4,400 (200 a working day), November 6,000 (300 a working day);
- Trade show: November 9,000 (450 a working day), none in October;
- Content marketing: November 4,000 (200 a working day).
Spend:
- Google Ads (Paid search): one row over 26 October - 8 November, 14 days, 3,500.00 EUR, so
  250.00 a day;
- Content Marketing: 2 - 3 November, 800 USD;
- LinkedIn Ads (Paid social): 4 November, 120 EUR; Paid social has no budget.
The latest lead is of Tuesday 10 November, so W45 is the last complete week of the data.
"""

import datetime
import functools
from dataclasses import replace

import plotly.io as pio
import pytest
from streamlit.testing.v1 import AppTest

from revcycle import colors
from revcycle.agreements import store
from revcycle.agreements.model import Budget, ClosingDay, default_agreement
from revcycle.agreements.status import spend_colour
from revcycle.build import build
from revcycle.db import connect, execute
from revcycle.meeting import charts, pack, spend, week_view
from revcycle.meeting.week import Week
from revcycle.paths import REPO_ROOT
from tests.conftest import copy_database, write_export
from tests.support.spend import load_spend
from tests.test_screen import as_shown

W44, W45 = Week(2026, 44), Week(2026, 45)
OCTOBER, NOVEMBER = datetime.date(2026, 10, 1), datetime.date(2026, 11, 1)
EVERYONE = {"channels": None, "owners": None, "segments": None}
PAGE = str(REPO_ROOT / "pages" / "this_week.py")
LEADS = [
    {"lead_id": "L1", "created_at": "2026-10-27 10:00:00", "channel": "Paid search"},
    {"lead_id": "L2", "created_at": "2026-11-03 10:00:00", "channel": "Trade show"},
    {"lead_id": "L3", "created_at": "2026-11-10 10:00:00", "channel": "Paid search"},
]
SPEND = [
    {
        "date_from": "2026-10-26",
        "date_to": "2026-11-08",
        "source": "Google Ads",
        "campaign": "Brand",
        "amount": "3500.00",
        "currency": "EUR",
    },
    {
        "date_from": "2026-11-02",
        "date_to": "2026-11-03",
        "source": "Content Marketing",
        "amount": "800.00",
        "currency": "USD",
    },
    {"date_from": "2026-11-04", "source": "LinkedIn Ads", "amount": "120.00", "currency": "EUR"},
]


def agreement(**changes):
    agreed = {
        "effective_from": datetime.date(2026, 1, 1),
        "marketing_name": "Mia",
        "sales_name": "Sam",
        "closing_days": (ClosingDay(datetime.date(2026, 11, 30), "Move"),),
        "budgets": (
            Budget(OCTOBER, "Paid search", 4400.0, "EUR"),
            Budget(NOVEMBER, "Paid search", 6000.0, "EUR"),
            Budget(NOVEMBER, "Trade show", 9000.0, "EUR"),
            Budget(NOVEMBER, "Content marketing", 4000.0, None),
        ),
    }
    return replace(default_agreement("Europe/Amsterdam"), **(agreed | changes))


@pytest.fixture(scope="module")
def spend_db_file(tmp_path_factory):
    """The leads, the agreement and the spend above, built once and closed: tests copy it."""
    folder = tmp_path_factory.mktemp("spend_meeting")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("REVCYCLE_CURRENCY", "EUR")
        con = connect(folder / "spend.duckdb")
        store.save(con, agreement(), "setup")  # first: the build's one rebuild judges by it
        build(con, {"leads": write_export(folder / "leads.csv", "leads", LEADS)})
        load_spend(con, write_export(folder / "spend.csv", "spend", SPEND))
        con.close()
    return folder / "spend.duckdb"


@pytest.fixture
def con(spend_db_file, tmp_path, monkeypatch):
    monkeypatch.setenv("REVCYCLE_CURRENCY", "EUR")
    connection = connect(copy_database(spend_db_file, tmp_path / "spend.duckdb"))
    yield connection
    connection.close()


def against_budget(con, week=W45, weeks=2, channels=None):
    """{(span, span_start, channel): (spend, spend currency, budget, budget currency)}."""
    found = execute(
        con,
        "metrics/spend_against_budget",
        end_date=week.end,
        weeks=weeks,
        channels=channels,
        default_currency="EUR",
    )
    found = found.astype(object).where(found.notna(), None)
    return {
        (row.span, row.span_start.date(), row.channel): (
            None if row.spend_amount is None else float(row.spend_amount),
            row.spend_currency,
            None if row.budget_amount is None else float(row.budget_amount),
            row.budget_currency,
        )
        for row in found.itertuples()
    }


def test_each_week_and_the_month_so_far_meet_their_prorated_budget(con):
    rows = against_budget(con)
    week, to_date, month = "week", "month_to_date", "month"
    w44, w45 = W44.start, W45.start
    assert rows[(week, w44, "Paid search")] == (1750.0, "EUR", 1000.0, "EUR")  # 7 x 250; 5 x 200
    assert rows[(week, w45, "Paid search")] == (1750.0, "EUR", 1500.0, "EUR")  # 7 x 250; 5 x 300
    # 1-8 November: 8 days of spend, 2-6 November the working days of the budget.
    assert rows[(to_date, NOVEMBER, "Paid search")] == (2000.0, "EUR", 1500.0, "EUR")
    # The month's spend is never summed past the week's Sunday: the month row is its budget.
    assert rows[(month, NOVEMBER, "Paid search")] == (None, "EUR", 6000.0, "EUR")


def test_the_week_the_spend_data_begins_in_owes_no_budget_for_the_days_before(tmp_path):
    # The spend export begins on Wednesday 4 November: Google Ads, 4-8 November, 1,000.00 EUR.
    # This week and the month to date run from the 4th: 3 working days (4, 5 and 6 November)
    # x 300 = 900 of budget, not the 1,500 of 2-6 November for days nobody recorded.
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("REVCYCLE_CURRENCY", "EUR")
        con = connect(tmp_path / "late.duckdb")
        store.save(con, agreement(), "setup")
        build(con, {"leads": write_export(tmp_path / "leads.csv", "leads", LEADS)})
        late = {"date_from": "2026-11-04", "date_to": "2026-11-08", "source": "Google Ads"}
        rows = [late | {"campaign": "Brand", "amount": "1000.00", "currency": "EUR"}]
        load_spend(con, write_export(tmp_path / "spend.csv", "spend", rows))
        found = against_budget(con, channels=["Paid search"])
        report = spend.report(functools.partial(execute, con), W45, EVERYONE, 2)
    fourth = datetime.date(2026, 11, 4)
    assert found == {
        ("week", W44.start, "Paid search"): (None, "EUR", 1000.0, "EUR"),  # before the data
        ("week", fourth, "Paid search"): (1000.0, "EUR", 900.0, "EUR"),
        ("month_to_date", fourth, "Paid search"): (1000.0, "EUR", 900.0, "EUR"),
        ("month", NOVEMBER, "Paid search"): (None, "EUR", 6000.0, "EUR"),
    }
    assert report.month_start == fourth
    paid = report.rows.set_index("channel").loc["Paid search"]
    assert paid["month_status"].endswith("111% of €900 due")  # 1,000 / 900
    assert (
        "Spend is recorded from 4 November 2026: this week and the month to date run from that "
        "day, and owe no budget for the days before it."
    ) in report.notes


def test_a_channel_with_a_budget_and_no_spend_has_no_spend_never_zero(con):
    rows = against_budget(con)
    # W44's working days are all in October, which has no trade-show budget: none for it.
    assert rows[("week", W44.start, "Trade show")] == (None, None, None, "EUR")
    assert rows[("week", W45.start, "Trade show")] == (None, None, 2250.0, "EUR")  # 5 x 450
    assert rows[("month", NOVEMBER, "Trade show")] == (None, None, 9000.0, "EUR")


def test_a_channel_with_spend_and_no_budget_has_no_budget_never_zero(con):
    rows = against_budget(con)
    assert rows[("week", W45.start, "Paid social")] == (120.0, "EUR", None, None)
    assert rows[("month_to_date", NOVEMBER, "Paid social")] == (120.0, "EUR", None, None)


def test_spend_in_another_currency_than_its_budget_is_never_comparable(con):
    found = execute(
        con,
        "metrics/spend_against_budget",
        end_date=W45.end,
        weeks=1,
        channels=["Content marketing"],
        default_currency="EUR",
    )
    this_week = found[found["span"] == "week"].iloc[0]
    # The budget names no currency: the setting's, EUR. 5 working days x 200.
    assert (float(this_week["spend_amount"]), this_week["spend_currency"]) == (800.0, "USD")
    assert (float(this_week["budget_amount"]), this_week["budget_currency"]) == (1000.0, "EUR")
    assert not this_week["is_comparable"]


def test_spend_in_two_currencies_for_one_channel_is_not_added(con, tmp_path):
    # A second campaign of paid search, billed in USD on Friday 6 November.
    dollars = {"date_from": "2026-11-06", "source": "Google Ads", "campaign": "Generic"}
    load_spend(
        con,
        write_export(
            tmp_path / "usd.csv", "spend", [dollars | {"amount": "90.00", "currency": "USD"}]
        ),
    )
    rows = against_budget(con, channels=["Paid search"])
    assert rows[("week", W45.start, "Paid search")] == (None, None, 1500.0, "EUR")
    words = spend.report(functools.partial(execute, con), W45, EVERYONE, 2).rows
    paid = words.set_index("channel").loc["Paid search"]
    assert paid["week_spend"] == "several currencies, not added"
    assert paid["week_status"] == ""


def test_a_week_in_one_currency_is_shown_though_another_span_holds_two(con, tmp_path):
    # Paid search spent 40.00 USD on Sunday 1 November too: W44 (26 October - 1 November) and
    # the month to date (1 - 8 November) hold EUR and USD, W45 (2 - 8 November) EUR alone and
    # W46 (9 - 15 November) nothing. Each is worded by its own currencies: W45's were
    # "several currencies, not added", and so were W46's, with no spend at all.
    sunday = {"date_from": "2026-11-01", "source": "Google Ads", "campaign": "Generic"}
    usd = [sunday | {"amount": "40.00", "currency": "USD"}]
    load_spend(con, write_export(tmp_path / "usd.csv", "spend", usd))
    rows = against_budget(con, channels=["Paid search"])
    assert rows[("week", W44.start, "Paid search")] == (None, None, 1000.0, "EUR")
    assert rows[("week", W45.start, "Paid search")] == (1750.0, "EUR", 1500.0, "EUR")  # 7 x 250
    assert rows[("month_to_date", NOVEMBER, "Paid search")] == (None, None, 1500.0, "EUR")
    query = functools.partial(execute, con)
    paid = spend.report(query, W45, EVERYONE, 2).rows.set_index("channel").loc["Paid search"]
    assert (paid["week_spend"], paid["week_status"]) == ("€1,750", "🔴 117%")  # 1,750 / 1,500
    assert paid["month_spend"] == "several currencies, not added"
    # The chart has one money axis: W44's two currencies leave paid search out of it.
    assert "Paid search" in spend.chart_series(spend.report(query, W45, EVERYONE, 2))[2]
    w46 = Week(2026, 46)
    assert against_budget(con, week=w46, weeks=1, channels=["Paid search"])[
        ("week", w46.start, "Paid search")
    ] == (None, None, 1500.0, "EUR")  # 9 - 13 November: 5 x 300
    paid = spend.report(query, w46, EVERYONE, 1).rows.set_index("channel").loc["Paid search"]
    assert paid["week_spend"] == "no spend recorded"


def test_a_version_taking_effect_mid_week_prorates_each_day_by_its_own(con):
    # Version 2 from Thursday 5 November: paid search's November budget 8,000 (400 a day).
    raised = tuple(
        replace(budget, amount=8000.0)
        if (budget.month, budget.channel) == (NOVEMBER, "Paid search")
        else budget
        for budget in agreement().budgets
    )
    store.save(con, agreement(effective_from=datetime.date(2026, 11, 5), budgets=raised), "sam")
    rows = against_budget(con, channels=["Paid search"])
    # Monday-Wednesday under version 1: 3 x 300; Thursday-Friday under version 2: 2 x 400.
    assert rows[("week", W45.start, "Paid search")][2] == 1700.0
    # The month: 3 x 300 + the other 17 working days x 400 = 900 + 6,800.
    assert rows[("month", NOVEMBER, "Paid search")][2] == 7700.0
    words = spend.report(functools.partial(execute, con), W45, EVERYONE, 2).rows
    # 1,750 spent of 1,700: over the budget, within 1 / 0.9 of it: amber.
    assert words.set_index("channel").loc["Paid search", "week_status"] == "🟠 103%"


@pytest.mark.parametrize(
    ("spent", "budget", "colour"),
    [(100, 100, "green"), (0, 100, "green"), (111, 100, "amber"), (112, 100, "red")],
)
def test_spend_is_coloured_by_the_agreed_thresholds_turned_round(spent, budget, colour):
    # Green from 1.0, amber from 0.9: within the budget green; up to 100 / 0.9 = 111.1 amber.
    assert spend_colour(spent, budget, {"green_from": 1.0, "amber_from": 0.9}) == colour


def test_the_meeting_words_each_channel_as_the_screen_reads_it(con):
    report = spend.report(functools.partial(execute, con), W45, EVERYONE, 2)
    rows = report.rows.set_index("channel")[list(spend.COLUMNS)[1:]]
    assert rows.to_dict("index") == {
        "Content marketing": {
            "week_spend": "$800",
            "week_budget": "€1,000",
            "week_status": "not compared: USD vs EUR",
            "month_spend": "$800",
            "month_status": "not compared: USD vs EUR",
        },
        "Paid search": {
            "week_spend": "€1,750",
            "week_budget": "€1,500",
            # 1,750 / 1,500 = 116.7%; over 1,500 / 0.9 = 1,666.67: red.
            "week_status": "🔴 117%",
            "month_spend": "€2,000 of €6,000",
            # 2,000 / 1,500 = 133%.
            "month_status": "🔴 133% of €1,500 due",
        },
        "Paid social": {
            "week_spend": "€120",
            "week_budget": "no budget agreed",
            "week_status": "",
            "month_spend": "€120",
            "month_status": "",
        },
        "Trade show": {
            "week_spend": "no spend recorded",
            "week_budget": "€2,250",
            "week_status": "",
            "month_spend": "no spend recorded",
            "month_status": "",
        },
    }
    assert report.month_start == NOVEMBER
    assert any(
        note.startswith("Content marketing: spend and budget are in different")
        for note in report.notes
    )


def test_the_chart_draws_one_currency_and_names_the_channels_left_out(con):
    report = spend.report(functools.partial(execute, con), W45, EVERYONE, 2)
    drawn, currency, left_out = spend.chart_series(report)
    assert currency == "EUR"
    assert left_out == ["Content marketing"]  # USD spend against a EUR budget
    assert sorted(drawn["channel"].unique()) == ["Paid search", "Paid social", "Trade show"]


def test_each_channel_keeps_its_own_colour_on_the_chart_the_page_and_the_pack_draw(con):
    # Before, the pack (which passed no colours) drew the channels in a spare palette by name:
    # Trade show in Email's teal, Paid social in Referral's blue.
    report = spend.report(functools.partial(execute, con), W45, EVERYONE, 2)
    drawn, currency, _ = spend.chart_series(report)
    figure = charts.spend(drawn, currency)
    drawn_colours = {trace.name.removesuffix(" budget"): trace.line.color for trace in figure.data}
    assert drawn_colours["Paid search"] == colors.CHANNEL_COLORS["Paid search"]
    assert drawn_colours["Trade show"] == colors.CHANNEL_COLORS["Trade show"]
    # A channel no rule knows takes a colour no known channel has.
    assert drawn_colours["Paid social"] not in colors.CHANNEL_COLORS.values()


def test_the_pack_holds_the_spend_section(con):
    meeting = week_view.gather(
        functools.partial(execute, con), con, W45, EVERYONE, datetime.date(2026, 11, 10)
    )
    document = pack.render(meeting, datetime.datetime(2026, 11, 10, 9, 0))
    section = document.split('<section id="spend">', 1)[1].split("</section>", 1)[0]
    assert "<h2>Spend against budget</h2>" in section
    assert "<td>no spend recorded</td>" in section
    assert "<td>no budget agreed</td>" in section
    assert "<td>🔴 133% of €1,500 due</td>" in section
    assert 'id="chart-spend"' in section
    # Content marketing's USD spend against its EUR budget is no bar on the EUR chart.
    said = "in another currency than the chart&#x27;s, or in several: Content marketing.</p>"
    assert said in section


def test_the_pack_draws_its_charts_alike_from_the_command_line_and_the_dashboard(con, monkeypatch):
    # Importing Streamlit (as this module does) makes its own Plotly template the process's
    # default: a pack built in the dashboard (its download button) drew its axes without
    # Plotly's layout, its tick labels "k" without digits, where the command line's were whole.
    meeting = week_view.gather(
        functools.partial(execute, con), con, W45, EVERYONE, datetime.date(2026, 11, 10)
    )
    built_at = datetime.datetime(2026, 11, 10, 9, 0)
    monkeypatch.setattr(pio.templates, "default", "plotly")  # as on the command line
    from_the_command_line = pack.render(meeting, built_at)
    monkeypatch.setattr(pio.templates, "default", "streamlit")  # as in the dashboard
    assert pack.render(meeting, built_at) == from_the_command_line


# --- the page, under AppTest ----------------------------------------------------------------


@pytest.fixture
def page_db(spend_db_file, tmp_path, monkeypatch):
    monkeypatch.setenv("REVCYCLE_CURRENCY", "EUR")
    monkeypatch.setenv("REVCYCLE_DB", str(copy_database(spend_db_file, tmp_path / "s.duckdb")))


def open_page(**query) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=120)
    at.query_params.update(query)
    at.run()
    assert not at.exception, at.exception
    return at


@pytest.mark.usefixtures("page_db")
def test_the_page_shows_spend_against_budget_with_what_it_cannot_compare():
    at = open_page(week=W45.label)
    table = next(
        frame.value for frame in at.dataframe if "Spend this week" in frame.value.columns
    ).set_index("Channel")
    assert table.loc["Trade show", "Spend this week"] == "no spend recorded"
    assert table.loc["Paid social", "Weekly budget"] == "no budget agreed"
    assert table.loc["Paid search", "Spent of weekly budget"] == "🔴 117%"
    assert table.loc["Content marketing", "Spent of weekly budget"] == "not compared: USD vs EUR"
    headers = [header.value for header in at.header]
    assert "Spend against budget" in headers
    captions = [as_shown(caption.value) for caption in at.caption]
    said = "Not drawn, as their amounts are in another currency than the chart's, or in several: "
    assert said + "Content marketing." in captions


@pytest.mark.usefixtures("page_db")
def test_the_presented_spend_section_lists_every_channel_as_text():
    at = open_page(week=W45.label, present="1", section="spend")
    assert [title.value for title in at.title] == [f"Spend against budget — {W45.label}"]
    # st.table renders Markdown: its cells are escaped, and read here as the screen shows them.
    table = at.table[0].value.map(lambda cell: cell.replace("\\", "")).set_index("Channel")
    assert table.loc["Trade show", "Month to date"] == "no spend recorded"
    assert table.loc["Paid search", "Month to date"] == "€2,000 of €6,000"
    assert table.loc["Paid social", "Weekly budget"] == "no budget agreed"


def test_a_budget_of_nothing_is_said_in_words_never_as_an_infinite_share(con, tmp_path):
    # Version 2 from 1 November pauses trade shows: a budget of 0 for the month.
    paused = tuple(
        replace(budget, amount=0.0) if budget.channel == "Trade show" else budget
        for budget in agreement().budgets
    )
    store.save(con, agreement(effective_from=NOVEMBER, budgets=paused), "sam")
    spent = {"date_from": "2026-11-05", "source": "Trade Show", "amount": "50.00"}
    load_spend(con, write_export(tmp_path / "show.csv", "spend", [spent]))
    words = spend.report(functools.partial(execute, con), W45, EVERYONE, 2).rows
    show = words.set_index("channel").loc["Trade show"]
    # 50 spent of a budget of 0: red, and no percentage of nothing.
    assert (show["week_budget"], show["week_status"]) == ("€0", "🔴 spent of a budget of 0")


def test_a_month_with_no_working_day_so_far_owes_nothing_yet_and_is_not_red(tmp_path):
    # Sunday 1 November 2026 ends 2026-W44: November's month to date is that Sunday alone, no
    # working day, so no budget is due. The €250 spent that day (Google Ads, 250 a day) against
    # nothing due is said in words, not as "🔴 spent of a budget of 0 of €0 due".
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("REVCYCLE_CURRENCY", "EUR")
        con = connect(tmp_path / "first.duckdb")
        store.save(con, agreement(), "setup")
        build(con, {"leads": write_export(tmp_path / "leads.csv", "leads", LEADS)})
        load_spend(con, write_export(tmp_path / "spend.csv", "spend", SPEND[:1]))
        report = spend.report(functools.partial(execute, con), W44, EVERYONE, 1)
    paid = report.rows.set_index("channel").loc["Paid search"]
    assert paid["month_status"] == "no budget due yet (no working day so far)"
