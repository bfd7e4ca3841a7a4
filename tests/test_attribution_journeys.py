"""Deal journeys and the attribution report on small hand-built funnels, and on the sample.

Until a touches export is loaded, each deal's journey is its lead's own source at the lead's
creation, so every expected value below follows from the lead and deal rows by hand.
"""

import functools
from datetime import date, datetime

import pytest

from revcycle.attribution import markov, report
from revcycle.attribution.models import MODELS
from revcycle.db import execute
from revcycle.paths import QUERIES_DIR
from tests import sample_facts

MARCH = (date(2026, 3, 1), date(2026, 3, 31))
MID_MARCH = datetime(2026, 3, 2, 9, 0)


def lead(lead_id, source, **values):
    return {"lead_id": lead_id, "created_at": "2026-03-02 09:00:00", "channel": source, **values}


def deal(deal_id, lead_id, stage, amount, closed_at="", **values):
    return {
        "deal_id": deal_id,
        "lead_id": lead_id,
        "created_at": "2026-03-10 09:00:00",
        "stage": stage,
        "amount": amount,
        "currency": "EUR",
        "closed_at": closed_at,
        **values,
    }


def march_funnel():
    """Four leads, six deals: won, open, lost, won in April, and two that match no lead."""
    leads = [
        lead("L1", "Referral", owner="Ada"),
        lead("L2", "Paid Search", owner="Ben"),
        lead("L3", "Referral", owner="Ada"),
        lead("L4", "Direct Traffic", owner="Ben"),
    ]
    deals = [
        deal("D1", "L1", "Closed Won", "1000.10", "2026-03-20 09:00:00"),
        deal("D2", "L2", "Proposal", "250.00"),
        deal("D3", "L1", "Closed Lost", "500.00", "2026-03-21 09:00:00"),
        deal("D4", "", "Closed Won", "99.99", "2026-03-25 09:00:00", source="Trade Show"),
        deal("D5", "", "Closed Won", "10.00", "2026-03-26 09:00:00"),
        deal("D6", "L4", "Closed Won", "40.01", "2026-03-27 09:00:00"),
        deal("D7", "L3", "Closed Won", "7.00", "2026-04-02 09:00:00"),
    ]
    return leads, deals


@pytest.fixture
def march(funnel_db):
    return functools.partial(execute, funnel_db(*march_funnel()))


def journey_rows(query):
    con = query.args[0]
    return con.execute(
        "select deal_id, basis, amount_cents, channel, position, touched_at, converted_at, "
        "is_direct, milestone from deal_journeys order by deal_id"
    ).fetchall()


def test_each_won_or_open_deal_has_its_lead_source_touch(march):
    deal_created = datetime(2026, 3, 10, 9, 0)
    every_milestone = "first,lead,opportunity"
    assert journey_rows(march) == [
        # Won: converted at the win; the lead's touch at its creation is first, the last one
        # at or before the lead's creation, and the last before the deal's creation.
        ("D1", "revenue", 100010, "Referral", 0, MID_MARCH, datetime(2026, 3, 20, 9), False,
         every_milestone),
        # Open: pipeline, converted at the deal's creation.
        ("D2", "pipeline", 25000, "Paid search", 0, MID_MARCH, deal_created, False,
         every_milestone),
        # D3 is lost: no journey. D4 matches no lead: its own source at its own creation,
        # which is before any lead, so it is only the first and the opportunity milestone.
        ("D4", "revenue", 9999, "Trade show", 0, deal_created, datetime(2026, 3, 25, 9), False,
         "first,opportunity"),
        ("D5", "revenue", 1000, "(no lead)", 0, deal_created, datetime(2026, 3, 26, 9), False,
         "first,opportunity"),
        ("D6", "revenue", 4001, "Direct", 0, MID_MARCH, datetime(2026, 3, 27, 9), True,
         every_milestone),
        ("D7", "revenue", 700, "Referral", 0, MID_MARCH, datetime(2026, 4, 2, 9), False,
         every_milestone),
    ]  # fmt: skip


@pytest.mark.parametrize("model", MODELS)
def test_credit_sums_to_marchs_won_revenue_in_every_model(march, model):
    rows = report.attribution(march, model, "revenue", *MARCH)
    # D1 1000.10 + D4 99.99 + D5 10.00 + D6 40.01; D7 is won in April, D2 is open, D3 lost.
    assert dict(zip(rows["channel"], rows["credited_cents"], strict=True)) == {
        "Referral": 100010,
        "Trade show": 9999,
        "Direct": 4001,
        "(no lead)": 1000,
    }
    assert rows["credited_deals"].tolist() == [1.0, 1.0, 1.0, 1.0]
    assert rows["share"].sum() == pytest.approx(1.0)
    assert rows["share"].iloc[0] == pytest.approx(100010 / 115010)


def test_pipeline_basis_credits_the_open_deals_created_in_the_period(march):
    rows = report.attribution(march, "linear", "pipeline", *MARCH)
    assert rows[["channel", "credited_cents"]].values.tolist() == [["Paid search", 25000]]


def test_owner_filter_chooses_the_deals_and_channel_filter_the_rows_shown(march):
    # Ada owns L1 and L3; only D1 of theirs is won in March.
    adas = report.attribution(march, "first", "revenue", *MARCH, {"owners": ["Ada"]})
    assert adas[["channel", "credited_cents"]].values.tolist() == [["Referral", 100010]]
    shown = report.attribution(march, "first", "revenue", *MARCH, {"channels": ["Direct"]})
    assert shown[["channel", "credited_cents"]].values.tolist() == [["Direct", 4001]]
    # Its share stays a share of all March revenue, not of the channels shown.
    assert shown["share"].iloc[0] == pytest.approx(4001 / 115010)


def test_all_models_side_by_side_with_no_spread_on_single_touch_journeys(march):
    wide = report.all_models(march, "revenue", *MARCH)
    assert wide["channel"].tolist() == ["Referral", "Trade show", "Direct", "(no lead)"]
    for model in MODELS:
        assert wide[model].tolist() == [100010, 9999, 4001, 1000]
    assert wide["spread_cents"].tolist() == [0, 0, 0, 0]


def test_top_paths_count_the_deals_of_each_path_through_the_channel(march):
    all_time = (date(2026, 1, 1), date(2026, 12, 31))
    paths = report.top_paths(march, "Referral", "revenue", *all_time)
    # D1 and D7, both the single touch "Referral": 1000.10 + 7.00.
    assert paths.values.tolist() == [[1, "Referral", 1, 2, 100710]]


def test_markov_counts_the_steps_of_converting_and_not_converting_journeys(march):
    params = {"basis": "revenue", "start_date": MARCH[0], "end_date": MARCH[1]}
    steps = march("metrics/markov_transitions", owners=None, segments=None, **params)
    got = {(row.from_state, row.to_state): row.count_transitions for row in steps.itertuples()}
    # Converting: D1, D4, D5, D6 (won in March). Not converting: L2 (only an open deal).
    # L3 won D7 in April: it converted, so it is not a journey that ended without one.
    assert got == {
        ("(start)", "Referral"): 1,
        ("Referral", "(conversion)"): 1,
        ("(start)", "Trade show"): 1,
        ("Trade show", "(conversion)"): 1,
        ("(start)", "(no lead)"): 1,
        ("(no lead)", "(conversion)"): 1,
        ("(start)", "Direct"): 1,
        ("Direct", "(conversion)"): 1,
        ("(start)", "Paid search"): 1,
        ("Paid search", "(null)"): 1,
    }


def test_the_sql_names_the_chains_states_as_the_engine_does():
    text = (QUERIES_DIR / "metrics" / "markov_transitions.sql").read_text(encoding="utf-8")
    for state in (markov.START, markov.CONVERSION, markov.NULL):
        assert f"'{state}'" in text


def test_an_unknown_basis_is_refused_in_a_sentence(march):
    with pytest.raises(ValueError, match="'revenue' or 'pipeline'"):
        report.attribution(march, "linear", "bookings", *MARCH)


@pytest.mark.parametrize("model", MODELS)
def test_every_model_hands_out_the_samples_won_revenue_to_the_cent(sample_db, model):
    query = functools.partial(execute, sample_db)
    rows = report.attribution(query, model, "revenue", *sample_facts.default_period())
    assert int(rows["credited_cents"].sum()) == sample_facts.won_revenue_cents()


def test_pipeline_credit_is_the_samples_open_pipeline_to_the_cent(sample_db):
    start, end = sample_facts.default_period()
    # Open: a stage that is not Closed Won / Closed Lost; counted when created in the period.
    expected = sum(
        round(float(row["amount"] or 0) * 100)  # a blank amount adds nothing
        for row in sample_facts._rows("deals.csv")
        if not row["stage"].startswith("Closed")
        and start <= sample_facts._day(row["created_at"]) <= end
    )
    query = functools.partial(execute, sample_db)
    rows = report.attribution(query, "linear", "pipeline", start, end)
    assert int(rows["credited_cents"].sum()) == expected
