"""Cost and return per channel on the bundled sample: the spend adds up to the spend export, the
lead-source revenue is the revenue page's, and the figures are plausible (paid search pays,
trade shows lose money, organic channels have no spend)."""

import csv
import functools
from decimal import Decimal

import pytest

from revcycle.db import execute
from revcycle.paths import SAMPLE_DIR
from revcycle.roi import report
from tests import sample_facts
from tests.conftest import ALL_TIME, cents, metric

START, END = ALL_TIME["start_date"], ALL_TIME["end_date"]


@pytest.fixture(scope="module")
def all_time(sample_db):
    query = functools.partial(execute, sample_db)
    return report.per_channel(query, report.LEAD_SOURCE, START, END, default_currency="EUR")


def spend_export_cents() -> int:
    with (SAMPLE_DIR / "spend.csv").open(newline="", encoding="utf-8") as handle:
        return int(sum(Decimal(row["amount"]) for row in csv.DictReader(handle)) * 100)


def test_the_spend_adds_up_to_the_spend_export_to_the_cent(all_time):
    total = all_time.rows.set_index("channel").loc[report.TOTAL]
    assert total["spend_cents"] == spend_export_cents()


@pytest.mark.parametrize("basis", ["revenue", "pipeline"])
def test_lead_source_credit_from_the_journeys_is_the_revenue_pages(sample_db, basis):
    # Cohorts and payback credit the lead source through the journeys; the same period takes
    # revenue_by_channel's figures: both must give each channel the same cents.
    start, end = sample_facts.default_period()
    query = functools.partial(execute, sample_db)
    credits = report.deal_credits(query, report.LEAD_SOURCE, basis, start, end)
    from_journeys = report.credited_in_one_currency(credits)["cents"]
    revenue = metric(sample_db, "revenue_by_channel", start_date=start, end_date=end)
    column = "won_revenue" if basis == "revenue" else "open_pipeline"
    expected = {
        row["channel"]: cents(row[column])
        for row in revenue[~revenue["is_total"]].to_dict("records")
        if row[column]
    }
    assert {channel: value for channel, value in from_journeys.items() if value} == expected


def test_the_samples_return_is_plausible(all_time):
    rows = all_time.rows.set_index("channel")
    assert rows.loc["Paid search", "roi"] > 1  # well above its spend
    assert rows.loc["Trade show", "roi"] < 0  # the channel that loses money
    for organic in ("Organic search", "Referral", "Email"):
        assert not rows.loc[organic, "has_spend"]
    paid = rows[rows["has_spend"] & (rows["count_opportunities"] > 0)]
    assert (paid["cost_per_opportunity"] > 0).all() and paid["cost_per_opportunity"].notna().all()
    assert all_time.refusals == ()
