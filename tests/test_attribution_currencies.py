"""The attribution page with deals in two currencies and journeys of several touches, credited
by hand: every model side by side within each currency, and deals credited in part.

March 2026. L1 (Webinar, created 2 March) was touched by a webinar (1 Mar), Paid Search
(5 Mar) and an email (10 Mar); its D1 won €900.00 on 20 March. L2 (Email, 3 March) was touched
by Paid Social (2 Mar) and an email (6 Mar); its D2 won $500.00 on 21 March. L3 (Trade Show,
4 March) was touched at a trade show (3 Mar) and by a webinar (8 Mar); its D3 won €300.00 on
22 March. The bundled channel rules name every source.
"""

import pytest
from streamlit.testing.v1 import AppTest

from revcycle import colors, settings
from revcycle.build import build
from revcycle.db import connect
from revcycle.paths import REPO_ROOT
from revcycle.ui import charts
from tests.conftest import march_touches, won_deals, write_export
from tests.test_currency import plotted
from tests.test_screen import figure_spec, shown_cells

LEADS = [
    {"lead_id": "L1", "created_at": "2026-03-02 09:00:00", "channel": "Webinar"},
    {"lead_id": "L2", "created_at": "2026-03-03 09:00:00", "channel": "Email"},
    {"lead_id": "L3", "created_at": "2026-03-04 09:00:00", "channel": "Trade Show"},
]
DEALS = won_deals(
    [
        ("D1", "L1", "900.00", "EUR", "2026-03-20 10:00:00"),
        ("D2", "L2", "500.00", "USD", "2026-03-21 10:00:00"),
        ("D3", "L3", "300.00", "EUR", "2026-03-22 10:00:00"),
    ]
)
TOUCHES = march_touches(
    [
        ("L1", "01", "Webinar"),
        ("L1", "05", "Paid Search"),
        ("L1", "10", "Email"),
        ("L2", "02", "Paid Social"),
        ("L2", "06", "Email"),
        ("L3", "03", "Trade Show"),
        ("L3", "08", "Webinar"),
    ]
)


@pytest.fixture
def attribution_page(tmp_path, monkeypatch):
    path = tmp_path / "two-currencies.duckdb"
    con = connect(path)
    build(
        con,
        {
            "leads": write_export(tmp_path / "leads.csv", "leads", LEADS),
            "deals": write_export(tmp_path / "deals.csv", "deals", DEALS),
            "touches": write_export(tmp_path / "touches.csv", "touches", TOUCHES),
        },
    )
    con.close()
    monkeypatch.setenv("REVCYCLE_DB", str(path))
    monkeypatch.setenv(settings.CURRENCY_VARIABLE, "")
    at = AppTest.from_file(str(REPO_ROOT / "pages" / "attribution.py"), default_timeout=120)
    at.query_params["preset"] = "Custom"
    at.query_params["period"] = ["2026-03-01", "2026-03-31"]
    at.query_params["model"] = "linear"
    at.run()
    assert not at.exception, at.exception
    return at


def test_deals_credited_in_part_show_their_parts(attribution_page):
    # Linear: D1's three touches a third each, D2's and D3's two a half each. Content marketing
    # (L1's webinar, L3's) 1/3 + 1/2; Email (L1's, L2's) 1/3 + 1/2; Paid search 1/3; Paid social
    # and Trade show 1/2. Shown whole, Paid search's third of a deal read "0".
    cells = shown_cells(attribution_page, "Credited deals").set_index("Channel")
    assert cells["Credited deals"].to_dict() == {
        "Content marketing": "0.83",
        "Email": "0.83",
        "Paid social": "0.50",
        "Trade show": "0.50",
        "Paid search": "0.33",
    }


def test_every_model_is_side_by_side_within_each_currency(attribution_page):
    # First touch: D1 to Content marketing (webinar), D3 to Trade show, D2 to Paid social.
    # Last touch: D1 to Email, D3 to Content marketing, D2 to Email. Linear: D1 300.00 a touch,
    # D3 150.00, D2 250.00. No amount of one currency is added to the other's.
    [table] = [frame.value for frame in attribution_page.dataframe if "First touch" in frame.value]
    rows = {
        (row["Channel"], row["Currency"]): (row["First touch"], row["Last touch"], row["Linear"])
        for row in table.to_dict("records")
    }
    assert rows == {
        ("Content marketing", "EUR"): (900.0, 300.0, 450.0),
        ("Email", "EUR"): (0.0, 900.0, 300.0),
        ("Paid search", "EUR"): (0.0, 0.0, 300.0),
        ("Trade show", "EUR"): (300.0, 0.0, 150.0),
        ("Email", "USD"): (0.0, 500.0, 250.0),
        ("Paid social", "USD"): (500.0, 0.0, 250.0),
    }
    # Every model hands out each currency's won revenue exactly: €1,200.00 and $500.00.
    models = [column for column in table.columns if column not in ("Channel", "Currency")]
    models = models[: models.index("Spread")]
    assert len(models) == 8
    sums = table.groupby("Currency")[models].sum().round(2)
    assert (sums.loc["EUR"] == 1200.0).all() and (sums.loc["USD"] == 500.0).all(), sums


def test_each_currency_s_credit_is_drawn_in_a_chart_of_its_own(attribution_page):
    # Linear, as the tables above: EUR Content marketing 450.00, Email and Paid search 300.00,
    # Trade show 150.00; USD Email and Paid social 250.00. One chart each, never added.
    charted = []
    for at in (0, 1):
        [bars] = figure_spec(attribution_page, f"attribution_currency_bar_{at}")["data"]
        charted.append(tuple(sorted(zip(bars["y"], plotted(bars["x"]), strict=True))))
    assert charted == [
        (
            ("Content marketing", 450.0),
            ("Email", 300.0),
            ("Paid search", 300.0),
            ("Trade show", 150.0),
        ),
        (("Email", 250.0), ("Paid social", 250.0)),
    ]


def test_a_channel_only_touches_have_gets_its_own_colour(attribution_page):
    # Paid search and Paid social are no lead's source, only touches': each still has its
    # colour (Paid search its usual one), never the grey of a channel without one.
    [bars] = figure_spec(attribution_page, "attribution_currency_bar_0")["data"]
    color_of = dict(zip(bars["y"], bars["marker"]["color"], strict=True))
    assert color_of["Paid search"] == colors.CHANNEL_COLORS["Paid search"]
    assert len(set(color_of.values())) == len(color_of) == 4
    [bars] = figure_spec(attribution_page, "attribution_currency_bar_1")["data"]
    assert bars["marker"]["color"][bars["y"].index("Paid social")] != charts.NEUTRAL
