"""`python -m revcycle attribution` on the hand-built March touches (see
tests/test_attribution_journeys_touches.py for the journeys and their credit by hand)."""

import pytest
from streamlit.testing.v1 import AppTest

from revcycle.__main__ import main
from revcycle.paths import REPO_ROOT
from tests.test_attribution_journeys_touches import build_march

MARCH = ["--start", "2026-03-01", "--end", "2026-03-31"]


@pytest.fixture(scope="module")
def database(tmp_path_factory):
    return build_march(tmp_path_factory.mktemp("attribution_cli"))


@pytest.fixture
def cli(database, monkeypatch, capsys):
    monkeypatch.setenv("REVCYCLE_DB", str(database))

    def run(*argv):
        code = main(["attribution", *argv])
        out, err = capsys.readouterr()
        return code, out, err

    return run


def test_csv_gives_each_channels_credited_deals_and_amount_to_the_cent(cli):
    code, out, _ = cli("--model", "linear", "--format", "csv", *MARCH)
    assert code == 0
    # D1's four touches get 250.00 and a quarter deal each; Direct has all of D2 (50.00) and
    # half of D3 (10.00); Paid search the other half of D3. Most money first; shares of 1,070.
    assert out.splitlines() == [
        "channel,credited_deals,credited_amount,share",
        "Content marketing,0.25,250.00,0.233645",
        "Email,0.25,250.00,0.233645",
        "Organic search,0.25,250.00,0.233645",
        "Paid social,0.25,250.00,0.233645",
        "Direct,1.5,60.00,0.056075",
        "Paid search,0.5,10.00,0.009346",
    ]


def test_the_table_ends_with_the_total_won_in_the_period(cli):
    code, out, _ = cli("--model", "last", *MARCH)
    lines = out.splitlines()
    assert code == 0
    assert lines[0] == "Last touch: won revenue per channel"
    assert lines[2].split() == ["Email", "1.00", "1,000.00", "93.5%"]
    assert lines[-1].split() == ["total", "3.00", "1,070.00"]


def test_pipeline_basis_without_open_deals_says_there_are_none(cli):
    code, out, _ = cli("--basis", "pipeline", *MARCH)
    assert code == 0
    assert out.splitlines()[-1] == "no deals in this period and scope"


def test_markov_says_why_it_is_not_to_be_trusted(cli):
    code, _, err = cli("--model", "markov", *MARCH)
    assert code == 0
    assert "not to be trusted: Only 3 journeys ended in a win" in err


def test_a_bad_date_is_a_usage_error(cli):
    with pytest.raises(SystemExit) as stopped:
        cli("--start", "31/03/2026")
    assert stopped.value.code == 2


def test_no_database_is_said_in_a_sentence(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("REVCYCLE_DB", str(tmp_path / "none.duckdb"))
    assert main(["attribution"]) == 1
    assert "there is no database" in capsys.readouterr().err


def test_amounts_in_several_currencies_are_never_added(funnel_db, monkeypatch, capsys):
    # D1 won 100.00 EUR (Referral), D4 300.00 EUR (Email), D2 50.00 USD (Email), D3 25.00 with
    # no currency stated (Email): each currency's credit apart, its shares of that currency
    # (EUR: 300 of 400 and 100 of 400) and its own total, never 475.00 of nothing.
    won = {"stage": "Closed Won", "created_at": "2026-03-05 09:00:00"}
    con = funnel_db(
        [
            {"lead_id": "L1", "created_at": "2026-03-02 09:00:00", "channel": "Referral"},
            {"lead_id": "L2", "created_at": "2026-03-02 09:00:00", "channel": "Email"},
        ],
        [
            won | {"deal_id": "D1", "lead_id": "L1", "amount": "100.00", "currency": "EUR",
                   "closed_at": "2026-03-10 09:00:00"},
            won | {"deal_id": "D2", "lead_id": "L2", "amount": "50.00", "currency": "USD",
                   "closed_at": "2026-03-11 09:00:00"},
            won | {"deal_id": "D3", "lead_id": "L2", "amount": "25.00",
                   "closed_at": "2026-03-12 09:00:00"},
            won | {"deal_id": "D4", "lead_id": "L2", "amount": "300.00", "currency": "EUR",
                   "closed_at": "2026-03-13 09:00:00"},
        ],
    )  # fmt: skip
    path = con.execute(
        "select path from duckdb_databases() where database_name = current_database()"
    )
    monkeypatch.setenv("REVCYCLE_DB", path.fetchone()[0])
    con.close()  # the command opens the file read-only, as it does beside the dashboard
    monkeypatch.delenv("REVCYCLE_CURRENCY", raising=False)
    assert main(["attribution", "--model", "last", "--format", "csv", *MARCH]) == 0
    out, err = capsys.readouterr()
    assert out.splitlines() == [
        "channel,currency,credited_deals,credited_amount,share",
        "Email,EUR,1.0,300.00,0.75",
        "Referral,EUR,1.0,100.00,0.25",
        "Email,USD,1.0,50.00,1.0",
        "Email,,1.0,25.00,1.0",
    ]
    assert "several currencies (EUR: 2 deals, USD: 1 deal, no currency stated: 1 deal)" in err
    assert main(["attribution", "--model", "last", *MARCH]) == 0
    lines = [line.split() for line in capsys.readouterr().out.splitlines()]
    assert lines[2:] == [
        ["EUR:"],
        ["Email", "1.00", "300.00", "75.0%"],
        ["Referral", "1.00", "100.00", "25.0%"],
        ["total", "2.00", "400.00"],
        ["USD:"],
        ["Email", "1.00", "50.00", "100.0%"],
        ["total", "1.00", "50.00"],
        ["no", "currency", "stated:"],
        ["Email", "1.00", "25.00", "100.0%"],
        ["total", "1.00", "25.00"],
    ]


def test_a_won_deal_without_a_close_date_is_said_not_silently_left_out(
    funnel_db, monkeypatch, capsys
):
    # E1 won 100.00 on 10 March; E3 is won with no close date: no period holds it, so the
    # total is 100.00, and the command and the page say why 2,000.00 are missing.
    won = {"stage": "Closed Won", "created_at": "2026-03-05 09:00:00", "currency": "EUR"}
    con = funnel_db(
        [{"lead_id": "L1", "created_at": "2026-03-02 09:00:00", "channel": "Referral"}],
        [
            won | {"deal_id": "E1", "lead_id": "L1", "amount": "100.00",
                   "closed_at": "2026-03-10 09:00:00"},
            won | {"deal_id": "E3", "lead_id": "L1", "amount": "2000.00"},
        ],
    )  # fmt: skip
    path = con.execute(
        "select path from duckdb_databases() where database_name = current_database()"
    )
    path = path.fetchone()[0]
    monkeypatch.setenv("REVCYCLE_DB", path)
    con.close()
    assert main(["attribution", "--model", "last"]) == 0
    out, err = capsys.readouterr()
    assert out.splitlines()[-1].split() == ["total", "1.00", "100.00"]
    assert "1 won deal has no close date in the export, so no period, All time included" in err
    at = AppTest.from_file(str(REPO_ROOT / "pages" / "attribution.py"), default_timeout=120)
    at.query_params["preset"] = "All time"
    at.run()
    assert not at.exception, at.exception
    assert any("1 won deal has no close date" in caption.value for caption in at.caption)


def test_a_channel_the_data_lacks_is_refused_not_a_table_of_nothing(cli):
    code, out, err = cli("--channel", "Nope", *MARCH)
    assert (code, out) == (2, "")
    assert "error: no channel 'Nope' in the data" in err
