"""The cost and return benchmark's pandas yardstick computes the same numbers as the spend
queries, on a small generated sample with its year of spend cut to 60 days: if the two
disagreed, the benchmark's speed ratio would compare different work (or a query would have a
bug). A check, not a timed test."""

from datetime import date, timedelta

import pytest

from benchmarks import roi as roi_bench
from benchmarks.spend import write_spend_year
from revcycle import sample
from revcycle.build import build
from revcycle.db import connect, execute
from tests.conftest import write_export
from tests.support.spend import load_spend


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    folder = tmp_path_factory.mktemp("roi_bench")
    leads_csv, deals_csv = sample.write(folder, n_leads=2_000, touches=False)
    spend_csv, _ = write_spend_year(folder, 3, 60)
    con = connect(folder / "bench.duckdb")
    build(con, {"leads": leads_csv, "deals": deals_csv, "spend": spend_csv})
    days = con.execute("select *, cast(amount * 100 as bigint) as amount_cents from stg_spend").df()
    last_day = days["spend_date"].max().date()
    yield con, days, last_day
    con.close()


def spend_by_channel(con, start: date, end: date, channels=None):
    return execute(
        con,
        "metrics/spend_by_channel",
        start_date=start,
        end_date=end,
        channels=channels,
        default_currency="EUR",
    )


def test_paid_search_has_each_campaign_every_day(generated):
    _, days, last_day = generated
    search = days[days["channel"] == "Paid search"]
    # Three campaigns, every one of the 60 days up to the day before the sample's snapshot.
    assert last_day == sample.SNAPSHOT_AT.date() - timedelta(days=1)
    assert len(search) == 3 * 60 and search["spend_date"].nunique() == 60


@pytest.mark.parametrize(
    ("channels", "at_most"),
    [(None, None), (["Paid search", "Trade show"], 2), (["No such channel"], 0)],
)
def test_pandas_spend_by_channel_agrees_with_the_query(generated, channels, at_most):
    con, days, last_day = generated
    start = last_day - timedelta(days=20)
    in_duckdb = spend_by_channel(con, start, last_day, channels)
    in_pandas = roi_bench.reference_spend_by_channel(days, start, last_day, channels, "EUR")
    assert roi_bench.agrees(in_duckdb, in_pandas)
    assert "Paid search" in set(in_duckdb["channel"]) or channels == ["No such channel"]
    assert at_most is None or len(in_duckdb) <= at_most


def test_pandas_spend_currencies_agrees_with_the_query(generated):
    con, days, _ = generated
    in_duckdb = execute(con, "metrics/spend_currencies", default_currency="EUR")
    assert in_duckdb["currency"].iloc[0] == "EUR"
    assert roi_bench.agrees(in_duckdb, roi_bench.reference_spend_currencies(days, "EUR"))


def test_a_disagreement_is_seen(generated):
    con, days, last_day = generated
    start = date(2000, 1, 1)
    in_pandas = roi_bench.reference_spend_by_channel(days, start, last_day, None, "EUR")
    in_pandas.loc[0, "spend_cents"] += 1
    in_duckdb = spend_by_channel(con, start, last_day)
    assert not roi_bench.agrees(in_duckdb, in_pandas)


def test_pandas_spreading_from_the_stored_rows_agrees_with_stg_spend(generated, tmp_path):
    con, _, last_day = generated
    # A re-export of the last 3 days as one row over them: 100.00 (10,000 cents over 3 days:
    # 3,334 + 3,333 + 3,333), for a campaign the year already billed daily. Only this newest
    # upload counts for those days, in both versions.
    first = last_day - timedelta(days=2)
    campaign = con.execute(
        "select campaign from stg_spend where channel = 'Paid search' and campaign is not null "
        "order by campaign limit 1"
    ).fetchone()[0]
    export = write_export(
        tmp_path / "again.csv",
        "spend",
        [
            {
                "date_from": first.isoformat(),
                "date_to": last_day.isoformat(),
                "source": "Google Ads",
                "campaign": campaign,
                "amount": "100.00",
                "currency": "EUR",
            }
        ],
    )
    load_spend(con, export)
    stored = con.execute(roi_bench.STORED_SPEND_ROWS).df()
    rules = con.execute("select source_key, channel from stg_channel_rules").df()
    in_pandas = roi_bench.reference_stg_spend(stored, rules)
    again = in_pandas[
        (in_pandas["campaign"] == campaign) & (in_pandas["spend_date"].dt.date >= first)
    ]
    assert sorted(again["amount_cents"]) == [3_333, 3_333, 3_334]
    start = date(2000, 1, 1)
    in_duckdb = spend_by_channel(con, start, last_day)
    from_stored = roi_bench.reference_spend_by_channel(in_pandas, start, last_day, None, "EUR")
    assert roi_bench.agrees(in_duckdb, from_stored)
