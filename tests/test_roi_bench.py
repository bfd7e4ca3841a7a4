"""The spend benchmark's pandas yardstick computes the same numbers as the spend queries, on a
small generated sample with its daily spend: if the two disagreed, the benchmark's speed ratio
would compare different work (or a query would have a bug). A check, not a timed test."""

from datetime import date, timedelta

import pytest

from benchmarks import spend as spend_bench
from revcycle import sample
from revcycle.build import build
from revcycle.db import connect, execute


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    folder = tmp_path_factory.mktemp("spend_bench")
    leads_csv, deals_csv = sample.write(folder, n_leads=2_000, touches=False)
    last_day = sample.SNAPSHOT_AT.date()
    spend_csv = spend_bench.write_daily_spend(folder / "spend.csv", last_day, days=60)
    con = connect(folder / "bench.duckdb")
    build(con, {"leads": leads_csv, "deals": deals_csv, "spend": spend_csv})
    days = con.execute(
        "select *, cast(amount * 100 as bigint) as amount_cents from spend_days"
    ).df()
    yield con, days, last_day
    con.close()


def test_the_generated_spend_is_every_campaign_every_day(generated):
    con, days, last_day = generated
    campaigns = sum(len(names) for names, _ in spend_bench.PAID_CAMPAIGNS.values())
    assert len(days) == campaigns * 60
    assert days["spend_date"].dt.date.min() == last_day - timedelta(days=59)


# The four paid channels: Paid search, Paid social (LinkedIn), Trade show, Content marketing.
@pytest.mark.parametrize(
    ("channels", "count_channels"),
    [(None, 4), (["Paid search", "Trade show"], 2), (["No such channel"], 0)],
)
def test_pandas_spend_by_channel_agrees_with_the_query(generated, channels, count_channels):
    con, days, last_day = generated
    start = last_day - timedelta(days=20)
    in_duckdb = execute(
        con, "metrics/spend_by_channel", start_date=start, end_date=last_day, channels=channels
    )
    in_pandas = spend_bench.reference_spend_by_channel(days, start, last_day, channels)
    assert spend_bench.agrees(in_duckdb, in_pandas)
    assert len(in_duckdb) == count_channels


def test_pandas_spend_currencies_agrees_with_the_query(generated):
    con, days, _ = generated
    in_duckdb = execute(con, "metrics/spend_currencies", default_currency="EUR")
    assert in_duckdb["currency"].iloc[0] == "EUR"
    assert spend_bench.agrees(in_duckdb, spend_bench.reference_spend_currencies(days, "EUR"))


def test_a_disagreement_is_seen(generated):
    con, days, last_day = generated
    start = date(2000, 1, 1)
    in_pandas = spend_bench.reference_spend_by_channel(days, start, last_day, None)
    in_pandas.loc[0, "spend_cents"] += 1
    in_duckdb = execute(
        con, "metrics/spend_by_channel", start_date=start, end_date=last_day, channels=None
    )
    assert not spend_bench.agrees(in_duckdb, in_pandas)
