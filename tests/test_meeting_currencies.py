"""The meeting's won-revenue tile when the deals are in several currencies: a week whose wins
share one currency is shown in it and compared only with weeks in the same currency; a week
whose wins are in several is not added up.

The leads, deals and weeks are test_meeting_numbers.py's: the meeting's week is 2026-W47
(16-22 Nov); last week W46 (9-15 Nov) and the baseline W43-W46. In EUR, D1 won 1,000 on
20 Nov (W47) and D3 500 on 12 Nov (W46).
"""

import functools

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from revcycle.db import execute
from revcycle.meeting import numbers
from revcycle.paths import REPO_ROOT
from tests.test_meeting_numbers import DEALS, LEADS, TARGETS, W47, make_db


def won(deal_id, lead_id, closed_at, amount, currency):
    return {
        "deal_id": deal_id,
        "lead_id": lead_id,
        "created_at": "2026-10-01 09:00:00",
        "stage": "Closed Won",
        "amount": amount,
        "currency": currency,
        "closed_at": closed_at,
    }


USD_IN_W45 = won("D5", "W45", "2026-11-05 10:00:00", "300", "USD")  # Thu 5 Nov, W45 (2-8 Nov)


def won_revenue_tile(folder, deals) -> pd.Series:
    con = make_db(folder, LEADS, deals, targets=TARGETS)
    try:
        tiles = numbers.week_tiles(functools.partial(execute, con), W47, None)
    finally:
        con.close()
    return tiles.set_index("metric").loc["won_revenue"]


def test_a_week_in_the_data_s_main_currency_is_shown_though_another_week_is_in_dollars(
    tmp_path,
):
    # D5: USD 300 won on Thu 5 Nov, in W45 (2-8 Nov), a week of the baseline.
    row = won_revenue_tile(
        tmp_path, [*DEALS, won("D5", "W45", "2026-11-05 10:00:00", "300", "USD")]
    )
    assert (row["this_week"], row["last_week"], row["currency"]) == (1000, 500, "EUR")
    assert pd.isna(row["four_week_average"])  # W45's dollars are not averaged with euros
    assert row["cannot_measure"] is None
    assert row["partly_unmeasured"] == (
        "Compared only with weeks whose won deals are in EUR: not with the week of 2 Nov (USD)."
    )
    # The agreement's targets name no currency: none is set against deals in several, as on
    # the Overview.
    assert pd.isna(row["weekly_target"]) and row["target_status"] is None


def test_dollars_won_before_the_baseline_leave_the_week_and_its_baseline_whole(tmp_path):
    # D5: USD 300 won on Thu 1 Oct (W40), before W43: the baseline is (0 + 0 + 0 + 500) / 4.
    row = won_revenue_tile(
        tmp_path, [*DEALS, won("D5", "OLD", "2026-10-01 10:00:00", "300", "USD")]
    )
    assert [row["this_week"], row["last_week"], row["four_week_average"]] == [1000, 500, 125]
    assert row["currency"] == "EUR"
    assert row["partly_unmeasured"] is None


def test_last_week_in_two_currencies_is_not_compared(tmp_path):
    # D6: USD 200 won on 13 Nov, beside D3's EUR 500 in W46.
    row = won_revenue_tile(
        tmp_path, [*DEALS, won("D6", "W46B", "2026-11-13 10:00:00", "200", "USD")]
    )
    assert (row["this_week"], row["currency"]) == (1000, "EUR")
    assert pd.isna(row["last_week"]) and pd.isna(row["four_week_average"])
    assert row["partly_unmeasured"] == (
        "Compared only with weeks whose won deals are in EUR: not with last week (EUR and USD)."
    )


def test_a_week_without_a_win_is_zero_in_the_currency_of_the_latest_week_with_one(tmp_path):
    # No EUR deals: D7 USD 700 won in W46 (the latest week with a win), D8 EUR 400 in W44
    # (26 Oct-1 Nov). W47 won nothing: 0 in dollars, against last week's 700.
    deals = [
        won("D7", "W46A", "2026-11-11 10:00:00", "700", "USD"),
        won("D8", "W43", "2026-10-28 10:00:00", "400", "EUR"),
    ]
    row = won_revenue_tile(tmp_path, deals)
    assert (row["this_week"], row["last_week"], row["currency"]) == (0, 700, "USD")
    assert pd.isna(row["four_week_average"])
    assert row["partly_unmeasured"] == (
        "Compared only with weeks whose won deals are in USD: not with the week of 26 Oct (EUR)."
    )


def test_a_week_won_in_two_currencies_is_not_added_and_each_is_said(tmp_path):
    # D4: USD 700 won on 20 Nov beside D1's EUR 1,000, both in W47.
    row = won_revenue_tile(tmp_path, [*DEALS, won("D4", "L2", "2026-11-20 10:00:00", "700", "USD")])
    assert pd.isna(row["this_week"])  # never 1,700
    assert row["cannot_measure"] == (
        "This week's won deals are in several currencies (EUR and USD); Revcycle does not add "
        "amounts in different currencies."
    )
    assert (
        row["partly_unmeasured"]
        == "Won this week, per currency: €1,000.00 (1 deal), $700.00 (1 deal)."
    )


def test_a_won_deal_without_an_amount_does_not_put_its_currency_in_the_week(tmp_path):
    # D9 won in W47 in USD with no amount: it adds nothing, so W47 is in EUR alone. D5 makes
    # the data's amounts several currencies.
    deals = [
        *DEALS,
        USD_IN_W45,
        won("D9", "L2", "2026-11-20 10:00:00", "", "USD"),
    ]
    row = won_revenue_tile(tmp_path, deals)
    assert (row["this_week"], row["currency"]) == (1000, "EUR")
    assert row["cannot_measure"] is None
    assert row["partly_unmeasured"].startswith("1 of the 2 won deals of the week has no amount")


@pytest.fixture
def mixed_db(tmp_path, monkeypatch):
    con = make_db(tmp_path, LEADS, [*DEALS, USD_IN_W45])
    con.close()
    monkeypatch.setenv("REVCYCLE_DB", str(tmp_path / "meeting.duckdb"))


def test_the_meeting_page_shows_the_week_in_euros(mixed_db):
    at = AppTest.from_file(str(REPO_ROOT / "pages" / "this_week.py"), default_timeout=120)
    at.query_params["week"] = "2026-W47"
    at.run()
    assert not at.exception
    tile = next(metric for metric in at.metric if metric.label == "Won revenue")
    assert tile.value.replace("\\", "") == "€1,000.00"
    captions = " ".join(caption.value for caption in at.caption).replace("\\", "")
    assert "Last week €500.00 · 4-week average – · Compared only with weeks whose won deals" in (
        captions
    )
