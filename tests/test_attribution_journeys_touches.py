"""Multi-touch journeys from a loaded touches export, credited by hand.

March 2026. Lead L1 (Referral, created 5 March) was touched by Organic Search (20 Feb), Paid
Social (1 Mar), a webinar (3 Mar, Content marketing), an email (8 Mar) and Paid Search (25 Mar,
after the win); its deal D1 was created 10 March and won 20 March for 1,000.00. L2's only
touch came after its 50.00 win, so its journey is its own source, Direct. L3 (Paid Search
1 Mar, Direct Traffic 4 Mar, created 4 Mar) won 20.00 with D3, created 5 March.
"""

import functools
from datetime import date
from pathlib import Path

import pytest

from revcycle.attribution import report
from revcycle.build import build
from revcycle.db import connect, execute
from tests.conftest import write_export

MARCH = (date(2026, 3, 1), date(2026, 3, 31))

LEADS = [
    {"lead_id": "L1", "created_at": "2026-03-05 09:00:00", "channel": "Referral"},
    {"lead_id": "L2", "created_at": "2026-03-02 09:00:00", "channel": "Direct Traffic"},
    {"lead_id": "L3", "created_at": "2026-03-04 09:00:00", "channel": "Paid Search"},
    {"lead_id": "L4", "created_at": "2026-03-06 09:00:00", "channel": "Paid Social"},
    {"lead_id": "L5", "created_at": "2026-03-07 09:00:00", "channel": "Partner"},
]


def won(deal_id, lead_id, created_at, closed_at, amount):
    return {
        "deal_id": deal_id,
        "lead_id": lead_id,
        "created_at": created_at,
        "stage": "Closed Won",
        "amount": amount,
        "currency": "EUR",
        "closed_at": closed_at,
    }


DEALS = [
    won("D1", "L1", "2026-03-10 09:00:00", "2026-03-20 09:00:00", "1000.00"),
    won("D2", "L2", "2026-03-10 09:00:00", "2026-03-15 09:00:00", "50.00"),
    won("D3", "L3", "2026-03-05 09:00:00", "2026-03-06 09:00:00", "20.00"),
]


def touch(touch_id, lead_id, touched_at, source):
    return {"touch_id": touch_id, "lead_id": lead_id, "touched_at": touched_at, "source": source}


TOUCHES = [
    touch("T1", "L1", "2026-02-20 09:00:00", "Organic Search"),
    touch("T2", "L1", "2026-03-01 09:00:00", "Paid Social"),
    touch("T3", "L1", "2026-03-03 09:00:00", "Webinar"),
    touch("T4", "L1", "2026-03-08 09:00:00", "Email"),
    touch("T5", "L1", "2026-03-25 09:00:00", "Paid Search"),
    touch("T6", "L2", "2026-03-29 09:00:00", "Email"),
    touch("T7", "L3", "2026-03-01 09:00:00", "Paid Search"),
    touch("T8", "L3", "2026-03-04 09:00:00", "Direct Traffic"),
    touch("T9", "L4", "2026-03-06 09:00:00", "Paid Social"),
    touch("T10", "L4", "2026-03-09 09:00:00", "Email"),
]


def build_march(folder: Path) -> Path:
    """The March leads, deals and touches, built through the importer into a closed file."""
    exports = {
        kind: write_export(folder / f"{kind}.csv", kind, rows)
        for kind, rows in (("leads", LEADS), ("deals", DEALS), ("touches", TOUCHES))
    }
    path = folder / "test.duckdb"
    con = connect(path)
    build(con, exports)
    con.close()
    return path


@pytest.fixture(scope="module")
def query(tmp_path_factory):
    con = connect(build_march(tmp_path_factory.mktemp("touches")))
    yield functools.partial(execute, con)
    con.close()


def credited(query, model):
    rows = report.attribution(query, model, "revenue", *MARCH)
    return dict(zip(rows["channel"], rows["credited_cents"].tolist(), strict=True))


def test_a_journey_holds_the_touches_up_to_the_win_with_its_milestones(query):
    rows = report.journeys(query, "revenue", *MARCH)
    d1 = rows[rows["deal_id"] == "D1"]
    # Paid Search on 25 March came after the win: it does not count.
    assert d1["channel"].tolist() == ["Organic search", "Paid social", "Content marketing", "Email"]
    # First: 20 Feb. Lead: the last at or before 5 March (the webinar). Opportunity: the last
    # at or before 10 March (the email).
    assert d1["milestone"].fillna("").tolist() == ["first", "", "lead", "opportunity"]


def test_a_lead_touched_only_after_its_win_keeps_its_own_source(query):
    rows = report.journeys(query, "revenue", *MARCH)
    d2 = rows[rows["deal_id"] == "D2"]
    assert d2[["channel", "is_direct"]].values.tolist() == [["Direct", True]]


EXPECTED = {
    "first": {"Organic search": 100000, "Direct": 5000, "Paid search": 2000},
    "last": {"Email": 100000, "Direct": 7000},
    # D3's last touch is Direct: the last one that is not goes back to Paid search; D2 is all
    # direct, so it keeps its last touch.
    "last_non_direct": {"Email": 100000, "Direct": 5000, "Paid search": 2000},
    # D1: four touches, 250.00 each; D3: two, 10.00 each.
    "linear": {
        "Organic search": 25000,
        "Paid social": 25000,
        "Content marketing": 25000,
        "Email": 25000,
        "Direct": 6000,
        "Paid search": 1000,
    },
    # D1: 40% to each end, 20% shared by the two in the middle. D3: two touches split evenly.
    "u": {
        "Organic search": 40000,
        "Paid social": 10000,
        "Content marketing": 10000,
        "Email": 40000,
        "Direct": 6000,
        "Paid search": 1000,
    },
    # D1: 30% to each milestone, 10% to the one other touch (Paid social). D3: Paid search is
    # first (30%), Direct is both lead and opportunity (60%), and with no other touch the 10%
    # goes one part per milestone: 1/3 and 2/3 of 20.00 are 6.666… and 13.333…, the spare
    # cent to the larger remainder: 6.67 and 13.33.
    "w": {
        "Organic search": 30000,
        "Paid social": 10000,
        "Content marketing": 30000,
        "Email": 30000,
        "Direct": 5000 + 1333,
        "Paid search": 667,
    },
}


@pytest.mark.parametrize("model", EXPECTED)
def test_each_model_credits_the_journeys_as_worked_out_by_hand(query, model):
    assert credited(query, model) == EXPECTED[model]


def test_credited_deals_add_each_deals_share(query):
    rows = report.attribution(query, "linear", "revenue", *MARCH)
    deals = dict(zip(rows["channel"], rows["credited_deals"], strict=True))
    # Direct: all of D2 and half of D3; Email: a quarter of D1.
    assert deals["Direct"] == pytest.approx(1.5)
    assert deals["Email"] == pytest.approx(0.25)
    assert sum(deals.values()) == pytest.approx(3.0)


def test_the_spread_shows_how_much_a_channel_depends_on_the_model(query):
    wide = report.all_models(query, "revenue", *MARCH).set_index("channel")
    # Email: 1,000.00 under last touch, nothing under first touch.
    assert wide.loc["Email", "spread_cents"] == 100000
    assert wide.loc["Email", "spread_share"] == pytest.approx(1.0)
    # Every model hands out the same March total: 1,000 + 50 + 20.
    for model in EXPECTED:
        assert wide[model].sum() == 107000


def test_top_paths_through_a_channel(query):
    paths = report.top_paths(query, "Direct", "revenue", *MARCH)
    # D2 (50.00, Direct alone) and D3 (20.00, Paid search then Direct): one deal each, the
    # larger amount first.
    assert paths[["path", "count_touches", "count_deals", "amount_cents"]].values.tolist() == [
        ["Direct", 1, 1, 5000],
        ["Paid search → Direct", 2, 1, 2000],
    ]


def test_markov_learns_from_the_touch_paths_of_leads_that_did_not_win(query):
    params = {"basis": "revenue", "start_date": MARCH[0], "end_date": MARCH[1]}
    steps = query("metrics/markov_transitions", owners=None, segments=None, **params)
    got = {(row.from_state, row.to_state): row.count_transitions for row in steps.itertuples()}
    # Won: D1 Organic search → Paid social → Content marketing → Email; D2 Direct; D3 Paid
    # search → Direct. Not won: L4 Paid social → Email (its touches); L5 Partner (none: its
    # own source).
    assert got == {
        ("(start)", "Organic search"): 1,
        ("Organic search", "Paid social"): 1,
        ("Paid social", "Content marketing"): 1,
        ("Content marketing", "Email"): 1,
        ("Email", "(conversion)"): 1,
        ("(start)", "Direct"): 1,
        ("Direct", "(conversion)"): 2,
        ("(start)", "Paid search"): 1,
        ("Paid search", "Direct"): 1,
        ("(start)", "Paid social"): 1,
        ("Paid social", "Email"): 1,
        ("Email", "(null)"): 1,
        ("(start)", "Partner"): 1,
        ("Partner", "(null)"): 1,
    }
    held = query("metrics/markov_channel_journeys", owners=None, segments=None, **params)
    assert held.values.tolist() == [
        ["Content marketing", 1, 1],
        ["Direct", 2, 2],
        ["Email", 2, 1],
        ["Organic search", 1, 1],
        ["Paid search", 1, 1],
        ["Paid social", 2, 1],
        ["Partner", 1, 0],
    ]


def test_markov_on_three_wins_is_not_to_be_trusted(query):
    _, trust = report.markov(query, "revenue", *MARCH)
    assert not trust.ok
    assert "Only 3 journeys ended in a win" in trust.reasons[0]
