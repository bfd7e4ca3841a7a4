"""Contract tests over the bundled sample: keys, accepted values, reconciliation, the story."""

import csv
from collections import Counter
from decimal import Decimal

from revcycle import contract, sample
from revcycle.paths import SAMPLE_DIR
from tests.conftest import cents, metric

SPECIAL_CHANNELS = {"(no lead)", "(unknown)", "(unmapped)"}


def read_rows(name: str) -> list[dict]:
    with (SAMPLE_DIR / name).open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def is_won(deal: dict) -> bool:
    if deal["is_won"]:
        return deal["is_won"] == "true"
    return deal["stage"].lower() in ("closed won", "won")


def test_regenerating_the_sample_gives_the_same_bytes(tmp_path):
    sample.write(tmp_path)
    for name in ("leads.csv", "deals.csv"):
        assert (tmp_path / name).read_bytes() == (SAMPLE_DIR / name).read_bytes(), name


def test_sample_files_have_the_contract_header():
    for kind in ("leads", "deals"):
        with (SAMPLE_DIR / f"{kind}.csv").open(encoding="utf-8") as handle:
            assert handle.readline().strip().split(",") == contract.column_names(kind)


def test_won_revenue_reconciles_to_the_deals_export_to_the_cent(sample_db):
    expected = sum(Decimal(d["amount"]) for d in read_rows("deals.csv") if is_won(d))
    revenue = metric(sample_db, "revenue_by_channel")
    per_channel = revenue[~revenue["is_total"]]
    assert sum(cents(value) for value in per_channel["won_revenue"]) == int(expected * 100)
    assert cents(revenue[revenue["is_total"]]["won_revenue"].item()) == int(expected * 100)


def test_every_lead_once_and_every_deal_once(sample_db):
    leads = read_rows("leads.csv")
    deals = read_rows("deals.csv")
    lead_ids = sample_db.execute("select lead_id from funnel_revenue where has_lead").fetchall()
    assert len(lead_ids) == len(leads) == len(set(lead_ids))
    assert sample_db.execute(
        "select count(*) from funnel_revenue where lead_id is null and has_lead"
    ).fetchone() == (0,)
    deal_ids = sample_db.execute(
        "select deal.deal_id from funnel_revenue, unnest(deals) as deal_list(deal)"
    ).fetchall()
    assert len(deal_ids) == len(deals) == len(set(deal_ids))


def test_unmatched_deals_are_one_row_each_under_no_lead(sample_db):
    leads = read_rows("leads.csv")
    lead_ids = {row["lead_id"] for row in leads}
    emails = {row["email"].lower() for row in leads if row["email"]}
    unmatched = [
        d
        for d in read_rows("deals.csv")
        if d["lead_id"] not in lead_ids and d["email"].lower() not in emails
    ]
    rows = sample_db.execute(
        "select count(*), sum(count_deals) from funnel_revenue where channel = '(no lead)'"
    ).fetchone()
    assert rows == (len(unmatched), len(unmatched))


def test_channels_and_stages_take_accepted_values(sample_db):
    with (SAMPLE_DIR.parent / "channel_rules.csv").open(encoding="utf-8") as handle:
        rule_channels = {row["channel"] for row in csv.DictReader(handle)}
    channels = {
        row[0]
        for row in sample_db.execute("select distinct channel from funnel_revenue").fetchall()
    }
    assert channels <= rule_channels | SPECIAL_CHANNELS
    stages = {
        row[0]
        for row in sample_db.execute("select distinct stage_reached from funnel_revenue").fetchall()
    }
    assert stages == {"lead", "mql", "sql", "opportunity", "won"}


def test_sample_tells_a_story_a_meeting_can_discuss():
    leads = read_rows("leads.csv")
    deals = read_rows("deals.csv")
    assert 19_000 <= len(leads) <= 21_000
    assert 2_000 <= len(deals) <= 3_000
    sources = Counter(row["channel"] for row in leads)
    for named in (
        "Trade Show",
        "Content Marketing",
        "Website Contact Form",
        "Paid Search",
        "Organic Search",
        "Referral",
        "Email",
        "Partner",
    ):
        assert sources[named] > 500, named
    owners = {row["owner"] for row in leads} - {""}
    assert len(owners) == 10
    created = sorted(row["created_at"] for row in leads)
    assert created[0] < "2024-12-01" and created[-1] >= "2026-11-01"  # 24 months
    outcomes = Counter("won" if is_won(d) else "lost" if d["closed_at"] else "open" for d in deals)
    assert min(outcomes.values()) > 100, outcomes
    assert {d["currency"] for d in deals} == {"EUR"}
    never_contacted = sum(1 for row in leads if not row["first_contacted_at"])
    assert never_contacted > 500
    deals_per_lead = Counter(d["lead_id"] for d in deals if d["lead_id"])
    assert sum(1 for count in deals_per_lead.values() if count >= 2) > 50
    assert sum(1 for d in deals if not d["lead_id"]) > 100
    for column in ("channel", "owner", "segment", "country", "email", "company"):
        assert any(not row[column] for row in leads), f"no blanks in {column}"


def test_channels_differ_in_acceptance_and_follow_up(sample_db):
    conversion = metric(sample_db, "conversion_by_channel").set_index(["channel", "stage"])
    acceptance = {
        channel: conversion.loc[(channel, "sql"), "share_of_previous"]
        for channel in ("Content marketing", "Website contact form")
    }
    assert acceptance["Website contact form"] > 2 * acceptance["Content marketing"]
    speed = metric(sample_db, "follow_up_speed")
    median = speed[speed["grouped_by"] == "channel"].set_index("group_value")[
        "median_hours_to_first_contact"
    ]
    assert median["Trade show"] > 10 * median["Website contact form"]
