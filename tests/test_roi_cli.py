"""`python -m revcycle roi` on the hand-built March (tests/test_roi.py has its rows and the
figures worked out by hand)."""

import pytest

from revcycle.__main__ import main
from revcycle.build import build
from revcycle.db import connect
from tests.conftest import write_export
from tests.test_roi import LEADS, MARCH, SPEND, build_march

PERIOD = ["--start", MARCH[0], "--end", MARCH[1]]


@pytest.fixture(scope="module")
def database(tmp_path_factory):
    return build_march(tmp_path_factory.mktemp("roi_cli"))


@pytest.fixture
def cli(database, monkeypatch, capsys):
    monkeypatch.setenv("REVCYCLE_DB", str(database))

    def run(*argv):
        code = main(["roi", *argv])
        out, err = capsys.readouterr()
        return code, out, err

    return run


def test_csv_gives_spend_and_return_per_channel_with_empty_cells_where_none(cli):
    code, out, err = cli("--format", "csv", *PERIOD)
    assert code == 0
    # Most spend first: Trade show 1,200.00 (1 lead, D3 created, nothing won in March: ROI
    # (0 - 1,200) / 1,200 = -1, no customer so no CAC), Paid search 1,000.00 (3 leads, D1 and
    # D2 created, D1 won 3,000.00: 1,000 / 2 = 500.00 per opportunity, CAC 1,000 / 1, ROI
    # (3,000 - 1,000) / 1,000 = 2; per lead 1,000 / 3 = 333.33). Organic search spent nothing:
    # its cells stay empty. The total of the channels with spend: 2,200.00 against 3,000.00:
    # 2,200 / 4 leads = 550.00, 2,200 / 3 = 733.33 per opportunity, CAC 2,200 / 1, ROI
    # 800 / 2,200 = 0.3636.
    # Then the pipeline (D2's 500.00 is Paid search's; D3 and D4 are closed), won revenue and
    # pipeline per unit spent (Paid search 3,000 / 1,000 and 500 / 1,000; the total 3,000 /
    # 2,200 = 1.3636 and 500 / 2,200 = 0.2273), and the payback: D1's 3,000.00 on 20 March
    # passes Paid search's 1,000.00 and the total's 2,200.00, 19 days after 1 March (19 /
    # 30.4375 = 0.6 months); Trade show's L4 won 800.00 in May, short of its 1,200.00.
    assert out.splitlines() == [
        "channel,spend,currency,leads,opportunities,won_deals,won_revenue,"
        "cost_per_lead,cost_per_opportunity,cac,roi,"
        "pipeline,won_per_spent,pipeline_per_spent,payback",
        "Trade show,1200.00,EUR,1,1,0,0.00,1200.00,1200.00,,-1.0,0.00,0.0,0.0,not yet",
        "Paid search,1000.00,EUR,3,2,1,3000.00,333.33,500.00,1000.00,2.0,500.00,3.0,0.5,0.6 months",
        "Organic search,,EUR,1,1,1,2000.00,,,,,0.00,,,",
        "(channels with spend),2200.00,EUR,4,3,1,3000.00,550.00,733.33,2200.00,0.3636,"
        "500.00,1.3636,0.2273,0.6 months",
    ]
    assert "note: No spend recorded in the period for Organic search" in err
    assert "note: No cost per MQL, cost per SQL or CAC for Trade show" in err


def test_cohort_counts_what_the_periods_leads_won_later(cli):
    code, out, _ = cli("--format", "csv", "--cohort", *PERIOD)
    assert code == 0
    # L4 came in March; its D3 (800.00) was won in May: (800 - 1,200) / 1,200 = -0.3333;
    # 800 / 1,200 = 0.6667 per unit spent; no open deal; not paid back yet.
    assert out.splitlines()[1] == (
        "Trade show,1200.00,EUR,1,1,0,800.00,1200.00,1200.00,,-0.3333,0.00,0.6667,0.0,not yet"
    )


def test_the_table_says_no_spend_recorded(cli):
    code, out, _ = cli("--model", "linear", *PERIOD)
    lines = out.splitlines()
    assert code == 0
    assert lines[0] == "Linear: 2026-03-01 to 2026-03-31, spend against revenue in the same period"
    organic = next(line for line in lines if line.startswith("Organic search"))
    assert organic.split() == [
        "Organic", "search", "no", "spend", "recorded", "EUR", "1", "1", "1", "2,000.00",
        "–", "–", "–", "–", "–",
    ]  # fmt: skip
    paid = next(line for line in lines if line.startswith("Paid search"))
    # 1,000.00 over 3 leads, 2 opportunities and 1 customer; D1's 3,000.00: ROI 200%.
    # Paid back on 20 March, 19 days after 1 March: 0.6 months.
    assert paid.split()[-7:] == [
        "3,000.00", "333.33", "500.00", "1,000.00", "200.0%", "0.6", "months",
    ]  # fmt: skip


def test_without_dates_the_whole_data_period_counts(cli):
    code, out, _ = cli("--format", "csv")
    assert code == 0
    # 1 March (Google Ads' first day of spend, before the first lead on 2 March) to 15 May:
    # D3's 800.00 is won in it too; Trade show (0 + 800 - 1,200) / 1,200. Paid search's whole
    # 1,000.00 counts, 1 March's 32.26 included (1,000.00 over 31 days). Trade show's one lead
    # cost 1,200.00, as its one opportunity and its one customer did.
    lines = out.splitlines()
    assert lines[1] == (
        "Trade show,1200.00,EUR,1,1,1,800.00,1200.00,1200.00,1200.00,-0.3333,0.00,0.6667,0.0,"
        "not yet"
    )
    assert lines[2].startswith("Paid search,1000.00,EUR,")


def test_an_unknown_model_is_a_usage_error(cli):
    with pytest.raises(SystemExit) as stopped:
        cli("--model", "astrology")
    assert stopped.value.code == 2


def test_the_data_driven_model_says_why_it_is_not_to_be_trusted(cli):
    code, _, err = cli("--model", "markov", *PERIOD)
    assert code == 0
    assert (
        "note: the data-driven figures are not to be trusted: Only 2 journeys ended in a win" in err
    )


def test_won_revenue_in_another_currency_than_the_spend_is_left_out(tmp_path, monkeypatch, capsys):
    # Spend in USD, the deals in EUR: the EUR 3,000.00 won must not stand in a USD row.
    in_dollars = [{**row, "currency": "USD"} for row in SPEND]
    monkeypatch.setenv("REVCYCLE_DB", str(build_march(tmp_path, in_dollars)))
    assert main(["roi", "--format", "csv", *PERIOD]) == 0
    out, err = capsys.readouterr()
    paid = next(line for line in out.splitlines() if line.startswith("Paid search,"))
    # 1,000.00 USD over 2 opportunities and 1 customer; no won revenue, no ROI.
    assert paid == "Paid search,1000.00,USD,3,2,1,,333.33,500.00,1000.00,,,,,"
    said = "The spend of Trade show and Paid search is in USD, the deals' amounts in EUR."
    assert said in err


def test_each_channel_s_spend_is_in_its_own_currency_and_never_added(tmp_path, monkeypatch, capsys):
    # Paid search EUR 1,000.00 (D1 won EUR 3,000.00), Trade show GBP 1,200.00 (its D3 won in May).
    in_pounds = [SPEND[0], {**SPEND[1], "currency": "GBP"}]
    monkeypatch.setenv("REVCYCLE_DB", str(build_march(tmp_path, in_pounds)))
    assert main(["roi", "--format", "csv", *PERIOD]) == 0
    out, err = capsys.readouterr()
    lines = out.splitlines()
    paid = "Paid search,1000.00,EUR,3,2,1,3000.00,333.33,500.00,1000.00,2.0,500.00,3.0,0.5,"
    assert f"{paid}0.6 months" in lines
    # GBP: its cost per opportunity (1,200.00 / 1), no EUR revenue beside it, no ROI.
    assert "Trade show,1200.00,GBP,1,1,0,,1200.00,1200.00,,,,,," in lines
    # The total counts 4 leads, 3 opportunities, 1 customer, and adds no money up.
    assert lines[-1] == "(channels with spend),,,4,3,1,,,,,,,,,"
    assert "The spend of Trade show is in GBP, the deals' amounts in EUR." in err
    assert main(["roi", *PERIOD]) == 0
    total = capsys.readouterr().out.splitlines()[-1]
    assert total.split()[:6] == ["(channels", "with", "spend)", "several", "currencies", "–"]


def test_with_no_spend_loaded_the_paid_total_has_no_figures_not_zero(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("REVCYCLE_DB", str(build_march(tmp_path, spend=None)))
    assert main(["roi", "--format", "csv", *PERIOD]) == 0
    out, err = capsys.readouterr()
    # No channel has spend: the total of the channels with spend sums nothing; empty cells.
    assert out.splitlines()[-1] == "(channels with spend),,,,,,,,,,,,,,"
    assert "No spend is loaded" in err


def test_a_reversed_period_or_a_channel_the_data_lacks_is_refused(cli):
    code, out, err = cli("--start", "2026-03-31", "--end", "2026-03-01")
    assert (code, out) == (2, "")
    assert "error: --end 2026-03-01 is before --start 2026-03-31" in err
    code, out, err = cli("--channel", "Paid search", "--channel", "Nope")
    assert (code, out) == (2, "")
    assert "error: no channel 'Nope' in the data" in err


def test_with_no_deals_export_no_opportunity_customer_or_revenue_is_counted(
    tmp_path, monkeypatch, capsys
):
    # The March leads and spend, no deals: what deals would tell is unknown, never 0.
    path = tmp_path / "leads_only.duckdb"
    con = connect(path)
    try:
        build(con, {"leads": write_export(tmp_path / "leads.csv", "leads", LEADS)})
        build(con, {"spend": write_export(tmp_path / "spend.csv", "spend", SPEND)})
    finally:
        con.close()
    monkeypatch.setenv("REVCYCLE_DB", str(path))
    assert main(["roi", "--format", "csv", *PERIOD]) == 0
    out, err = capsys.readouterr()
    paid = next(line for line in out.splitlines() if line.startswith("Paid search,"))
    # Paid search: 1,000.00 spent, 3 leads; opportunities, customers, revenue unknown.
    assert paid.split(",")[:7] == ["Paid search", "1000.00", "EUR", "3", "", "", ""]
    assert "No deal with an amount is loaded" in err
    # Not that some date column is missing: no deals export is there to count them.
    assert "No cost per opportunity or CAC for Trade show, Paid search: no deals export" in err
