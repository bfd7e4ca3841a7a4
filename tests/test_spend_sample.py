"""Contract tests over the sample's spend export: it regenerates to the same bytes, every row
loads, stg_spend reconciles to the export to the cent, only the paid channels have spend, and
the returns differ as the sample's story says (paid search pays back, trade shows do not)."""

import csv
from collections import defaultdict
from decimal import Decimal

from revcycle import contract, sample
from revcycle.paths import SAMPLE_DIR
from tests.conftest import metric


def read_rows() -> list[dict]:
    with (SAMPLE_DIR / "spend.csv").open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def spend_by_channel(con) -> dict[str, Decimal]:
    return dict(con.execute("select channel, sum(amount) from stg_spend group by all").fetchall())


def test_regenerating_the_sample_gives_the_same_spend(tmp_path):
    sample.write_spend(tmp_path / "spend.csv")
    assert (tmp_path / "spend.csv").read_bytes() == (SAMPLE_DIR / "spend.csv").read_bytes()


def test_the_spend_export_has_the_contract_header_and_is_all_euros():
    with (SAMPLE_DIR / "spend.csv").open(encoding="utf-8") as handle:
        assert handle.readline().strip().split(",") == contract.column_names("spend")
    assert {row["currency"] for row in read_rows()} == {"EUR"}


def test_every_row_loads_and_the_days_sum_to_the_export_per_source(sample_db):
    rows = read_rows()
    loaded = sample_db.execute(
        "select count(*) from upload_rows_spend where upload_id in "
        "(select upload_id from loaded_uploads where kind = 'spend')"
    ).fetchall()
    assert loaded == [(len(rows),)]
    # The export's amounts per source, to the cent, against the spread days per channel
    # (the rules map each source to one channel; no rows overlap in one upload).
    by_source = defaultdict(Decimal)
    for row in rows:
        by_source[row["source"]] += Decimal(row["amount"])
    channel_of = {
        "Google Ads": "Paid search",
        "LinkedIn Ads": "Paid social",
        "Trade Show": "Trade show",
        "Content Marketing": "Content marketing",
    }
    expected = {channel_of[source]: total for source, total in by_source.items()}
    assert spend_by_channel(sample_db) == expected


def test_paid_search_is_spent_every_day_the_monthly_bills_over_their_months(sample_db):
    # 20 Nov 2024 to 19 Nov 2026: 730 days. Paid search has a row per campaign and day;
    # content (3 campaigns) and LinkedIn (2) spread every month's bill over all its days.
    counted = dict(
        sample_db.execute(
            "select channel, count(distinct spend_date) from stg_spend group by all"
        ).fetchall()
    )
    assert counted["Paid search"] == counted["Content marketing"] == 730
    assert counted["Paid social"] == 730
    # Eight shows, each over its month: between 8 x 28 and 8 x 31 days.
    assert 8 * 28 <= counted["Trade show"] <= 8 * 31


def test_paid_search_pays_back_and_trade_shows_do_not(sample_db):
    revenue = metric(sample_db, "revenue_by_channel")
    won = dict(zip(revenue["channel"], revenue["won_revenue"], strict=True))
    spend = spend_by_channel(sample_db)
    assert set(spend) == {"Paid search", "Paid social", "Trade show", "Content marketing"}
    assert spend["Paid search"] * 3 < Decimal(str(won["Paid search"]))
    assert Decimal(str(won["Content marketing"])) > spend["Content marketing"]
    assert spend["Trade show"] > Decimal(str(won["Trade show"]))
