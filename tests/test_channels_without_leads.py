"""Channels no lead or deal has: a touch's alone (Paid social) or spend's alone (Trade show).
The sidebar, a link and the command line offer them; attribution credits them; the pages that
follow leads and deals say why they have nothing for them, never zeros; and the lead source
model, which cannot credit them, leaves their return unknown rather than 0.

March 2026, worked by hand. L1 (Paid Search, 2 March) was touched by Paid Social (1 Mar) and
Paid Search (5 Mar); its D1 won €1,000.00 on 20 March. L2 (Email, 3 March) was touched by Paid
Social (2 Mar) and an email (6 Mar); its D2 won €600.00 on 21 March. D3, open, matches no
lead. Spend over all of March:
Paid Search €300.00, Paid Social €400.00, Trade Show €250.00. The bundled channel rules name
every source.
"""

import math
import re
import shutil
from datetime import date

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from revcycle import settings
from revcycle.__main__ import main
from revcycle.build import build
from revcycle.db import connect, execute
from revcycle.paths import REPO_ROOT
from revcycle.roi import report
from tests.conftest import march_touches, won_deals, write_export
from tests.test_currency import plotted
from tests.test_screen import figure_spec, shown_cells

LEADS = [
    {"lead_id": "L1", "created_at": "2026-03-02 09:00:00", "channel": "Paid Search"},
    {"lead_id": "L2", "created_at": "2026-03-03 09:00:00", "channel": "Email"},
]
DEALS = won_deals(
    [
        ("D1", "L1", "1000.00", "EUR", "2026-03-20 10:00:00"),
        ("D2", "L2", "600.00", "EUR", "2026-03-21 10:00:00"),
    ]
) + [  # open, and matching no lead: "(no lead)", a channel with a deal and no lead
    {"deal_id": "D3", "created_at": "2026-03-15 09:00:00", "stage": "Proposal", "amount": "100"}
]
TOUCHES = march_touches(
    [
        ("L1", "01", "Paid Social"),
        ("L1", "05", "Paid Search"),
        ("L2", "02", "Paid Social"),
        ("L2", "06", "Email"),
    ]
)
SPEND = [
    {"date_from": "2026-03-01", "date_to": "2026-03-31", "source": source, "amount": amount}
    for source, amount in [
        ("Paid Search", "300.00"),
        ("Paid Social", "400.00"),
        ("Trade Show", "250.00"),
    ]
]
MARCH = {"preset": "Custom", "period": ["2026-03-01", "2026-03-31"]}
ONLY_TOUCHES = "Paid social is not a lead source: no lead or deal has it, only touches or spend."


@pytest.fixture(scope="module")
def database(tmp_path_factory):
    folder = tmp_path_factory.mktemp("without-leads")
    path = folder / "without-leads.duckdb"
    con = connect(path)
    build(
        con,
        {
            kind: write_export(folder / f"{kind}.csv", kind, rows)
            for kind, rows in [
                ("leads", LEADS),
                ("deals", DEALS),
                ("touches", TOUCHES),
                ("spend", SPEND),
            ]
        },
    )
    con.close()
    return path


@pytest.fixture
def open_page(database, monkeypatch):
    monkeypatch.setenv("REVCYCLE_DB", str(database))
    monkeypatch.setenv(settings.CURRENCY_VARIABLE, "EUR")

    def opened(path: str, channels: list[str], **more) -> AppTest:
        at = AppTest.from_file(str(REPO_ROOT / path), default_timeout=120)
        for key, value in {**MARCH, "channel": channels, **more}.items():
            at.query_params[key] = value
        at.run()
        assert not at.exception, at.exception
        return at

    return opened


def link_notice(at: AppTest) -> list[str]:
    return [caption.value for caption in at.sidebar.caption if "from the link" in caption.value]


def test_the_sidebar_offers_the_channels_only_touches_or_spend_have_after_the_others(open_page):
    at = open_page("dashboard.py", [])
    # One row each (a lead, or D3 with no lead), so by name; then the channels no lead or
    # deal has, by name.
    assert at.sidebar.multiselect[0].options == [
        "(no lead)",
        "Email",
        "Paid search",
        "Paid social (not a lead source)",
        "Trade show (not a lead source)",
    ]


def test_attribution_credits_a_touch_only_channel_a_link_names(open_page):
    at = open_page("pages/attribution.py", ["Paid social"], model="linear")
    # Linear: D1's two touches €500.00 each, D2's €300.00 each; Paid social has one of each.
    assert link_notice(at) == []  # before, the link's channel was "not in the data"
    assert at.sidebar.multiselect[0].value == ["Paid social"]
    cells = shown_cells(at, "Credited amount (€)").set_index("Channel")
    assert cells.loc["Paid social", "Credited amount (€)"] == "800.00"  # to the cent
    assert cells.loc["Paid social", "Credited deals"] == "1"  # half of D1 and half of D2
    assert [cells.index.tolist()] == [["Paid social"]]


@pytest.mark.parametrize(
    "path",
    ["dashboard.py", "pages/conversion.py", "pages/follow_up.py", "pages/this_week.py"],
)
def test_a_page_that_follows_leads_says_why_it_has_nothing_for_such_a_channel(open_page, path):
    at = open_page(path, ["Paid social"])
    said = [info.value for info in at.info]
    assert any(text.startswith(ONLY_TOUCHES) for text in said), said
    assert not any("match these filters" in text for text in said)  # the period is not to blame
    assert [metric.value for metric in at.metric] == []  # no tile of zeros


def test_beside_a_lead_source_the_page_shows_the_other_channels_leads_and_says_so(open_page):
    at = open_page("dashboard.py", ["Paid search", "Paid social"])
    tiles = {metric.label: metric.value for metric in at.metric}
    assert (tiles["Leads"], tiles["Won deals"], tiles["Won revenue"]) == ("1", "1", "€1,000.00")
    expected = f"{ONLY_TOUCHES} The leads and deals here are the other chosen channels'."
    assert expected in [caption.value for caption in at.caption]


def test_revenue_shows_a_spend_only_channels_cost_and_no_return_under_lead_source(open_page):
    at = open_page("pages/revenue.py", ["Trade show"])
    [said] = [info.value for info in at.info if "lead source" in info.value]
    assert said.startswith("Trade show is not a lead source")
    cells = shown_cells(at, "Won revenue (€)").set_index("Channel")
    assert cells.loc["Trade show", "Spend (€)"] == "250"
    # The lead source model can credit it nothing: unknown, not €0 and an ROI of -100%.
    assert cells.loc["Trade show", ["Won revenue (€)", "ROI"]].tolist() == ["–", "–"]
    notes = " ".join(caption.value for caption in at.caption)
    assert "No won revenue" in notes and "for Trade show under Lead source" in notes
    # The chart draws its spend, and no won bar, which would read as nothing brought in.
    spend, won = figure_spec(at, "roi_spend_and_return")["data"]
    assert spend["y"] == won["y"] == ["Trade show (return unknown)"]
    assert plotted(spend["x"]) == [250.0]
    assert all(math.isnan(value) for value in plotted(won["x"]))


def own_copy(database, tmp_path):
    """The database in a file of the test's own: a page's cached connection (AppTest, in this
    process) holds the shared one open."""
    copy = tmp_path / "copy.duckdb"
    shutil.copyfile(database, copy)
    return copy


def test_the_lead_source_model_leaves_their_return_unknown_and_a_touch_model_credits_them(
    database, tmp_path
):
    con = connect(own_copy(database, tmp_path), read_only=True)

    def query(name, **params):
        return execute(con, name, **params)

    march = (date(2026, 3, 1), date(2026, 3, 31))
    lead_source = report.per_channel(query, report.LEAD_SOURCE, *march, default_currency="EUR").rows
    linear = report.per_channel(query, "linear", *march, default_currency="EUR").rows
    con.close()
    by_source, by_linear = lead_source.set_index("channel"), linear.set_index("channel")
    # Lead source: D1 to Paid search (€1,000.00 against €300.00: ROI 700 / 300); D2 to Email.
    assert by_source.loc["Paid search", "won_cents"] == 100_000
    assert by_source.loc["Paid search", "roi"] == pytest.approx(700 / 300)
    for channel in ("Paid social", "Trade show"):
        assert pd.isna(by_source.loc[channel, "won_cents"])
        assert pd.isna(by_source.loc[channel, "roi"])
        assert pd.isna(by_source.loc[channel, "payback"])
    # The total sets all €950.00 of spend against the lead sources' €1,000.00.
    total = by_source.loc[report.TOTAL]
    assert (total["spend_cents"], total["won_cents"]) == (95_000, 100_000)
    assert total["roi"] == pytest.approx(50 / 950)
    # Linear: Paid social €800.00 against €400.00 (ROI 1.0); Trade show touched no journey.
    assert by_linear.loc["Paid social", "won_cents"] == 80_000
    assert by_linear.loc["Paid social", "roi"] == pytest.approx(1.0)
    assert by_linear.loc["Trade show", "won_cents"] == 0


def test_the_command_line_takes_them_where_they_are_credited_and_packs_their_spend(
    database, monkeypatch, capsys, tmp_path
):
    monkeypatch.setenv("REVCYCLE_DB", str(own_copy(database, tmp_path)))
    monkeypatch.setenv(settings.CURRENCY_VARIABLE, "EUR")
    period = ["--start", "2026-03-01", "--end", "2026-03-31"]
    assert main(["attribution", "--model", "linear", "--channel", "Paid social", *period]) == 0
    shown = capsys.readouterr().out
    assert [line.split()[:4] for line in shown.splitlines() if "Paid social" in line] == [
        ["Paid", "social", "1.00", "800.00"]
    ]
    out = tmp_path / "pack.html"
    # Alone, the pack has what the page has for it: its spend (W12: €90.30-90.37 of its €400.00
    # over March's 31 days; 22 days to its Sunday, €283.80-283.90), and the decisions.
    assert main(["pack", "--week", "2026-W12", "--channel", "Paid social", "--out", str(out)]) == 0
    alone = out.read_text(encoding="utf-8")
    assert (
        "Paid social is not a lead source: no lead or deal has it, only touches or spend. The "
        "week&#x27;s numbers, leaks, follow-up breaches and lead quality follow leads and deals "
        "by their source, so for it the meeting has the spend against the agreed budget, and "
        "the decisions and actions."
    ) in alone
    sections = re.findall(r'<section id="([a-z]+)">', alone)
    assert sections == ["spend", "actions", "agreement"]  # no headline, tiles of zeros or leak
    spend_row = re.search(r"<tr><td>Paid social</td>(.*?)</tr>", alone).group(1)
    # The spend export states no currency, and none was set when it loaded: a plain number.
    assert re.findall(r"<td>([^<]*)</td>", spend_row)[:2] == ["90", "no budget agreed"]
    # Beside a lead source, the pack is of its leads, and its header says so, as the page does.
    both = ["--channel", "Paid search", "--channel", "Paid social"]
    assert main(["pack", "--week", "2026-W12", *both, "--out", str(out)]) == 0
    assert (
        "Paid social is not a lead source: no lead or deal has it, only touches or spend. The "
        "leads and deals here are the other chosen channels&#x27;."
    ) in out.read_text(encoding="utf-8")


def test_follow_up_for_deals_that_match_no_lead_says_no_lead_has_that_channel(open_page):
    at = open_page("pages/follow_up.py", ["(no lead)"])
    said = [info.value.replace("\\", "") for info in at.info]
    assert (
        "No lead has (no lead) as its channel, so this page, which follows leads up, has "
        "nothing to show for it. Its deals are on the Overview and Revenue by channel."
    ) in said
    assert not any("match these filters" in text for text in said)
    # The Overview has its deal: an opportunity, no lead.
    tiles = {
        metric.label: metric.value for metric in open_page("dashboard.py", ["(no lead)"]).metric
    }
    assert (tiles["Leads"], tiles["Opportunities"]) == ("0", "1")


@pytest.mark.parametrize("presenting", [{}, {"present": "1"}], ids=["page", "presented"])
def test_this_week_shows_a_spend_only_channels_spend_and_the_decisions(open_page, presenting):
    # 2026-W12 is Mon 16 - Sun 22 March. Paid Social's €400.00 over March's 31 days, to the
    # cent, is €12.90 or €12.91 a day: €90.30-90.37 in the week's 7 days, and €283.80-283.90
    # in the 22 days of March to its Sunday. No agreement, so no budget.
    at = open_page("pages/this_week.py", ["Paid social"], week="2026-W12", **presenting)
    [said] = [info.value for info in at.info if "lead source" in info.value]
    assert said.startswith(ONLY_TOUCHES)
    assert "the meeting has the spend against the agreed budget, and the decisions and" in said
    buttons = {button.label: button.disabled for button in at.main.button}
    if presenting:  # two slides, with the way out
        # The sidebar is hidden: the slide names the channel it is narrowed to.
        assert [title.value for title in at.title] == [
            "Spend against budget — 2026-W12 · channels Paid social"
        ]
        assert "1 of 2" in [markdown.value for markdown in at.markdown]
        # The link names the slide on screen, so it opens there: not the headline it lacks.
        assert at.query_params["section"] == "spend"
        assert {label: buttons[label] for label in ("Previous", "Next")} == {
            "Previous": True,
            "Next": False,
        }
        assert "Leave presentation" in buttons
        cells = at.table[0].value.map(lambda cell: cell.replace("\\", "")).set_index("Channel")
    else:
        headers = [header.value for header in at.header]
        assert headers[:2] == ["Spend against budget", "Decisions and actions"]
        assert "Present" in buttons
        # The pack has the same sections (test_the_command_line_takes_them_… reads one).
        downloads = [button.proto.label for button in at.get("download_button")]
        assert "Download the meeting pack" in downloads
        cells = shown_cells(at, "Spend this week").set_index("Channel")
    assert cells.loc["Paid social", ["Spend this week", "Month to date"]].tolist() == ["90", "284"]
    assert cells.loc["Paid social", "Weekly budget"] == "no budget agreed"
    assert cells.index.tolist() == ["Paid social"]  # Paid search's spend is not in this view
    assert [metric.value for metric in at.metric] == []  # no tile of zeros
    if presenting:
        next(button for button in at.main.button if button.label == "Next").click().run()
        assert [title.value for title in at.title] == [
            "Decisions and actions — 2026-W12 · channels Paid social"
        ]
