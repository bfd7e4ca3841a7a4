"""The attribution models on journeys small enough to credit by hand.

The journeys file is read through DuckDB, as the report reads deal_journeys, so the engine sees
the column types it will get in the app (TIMESTAMP, BIGINT, BOOLEAN, nullable text).
"""

from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

from revcycle.attribution import MODEL_NAMES, MODEL_SENTENCES, MODELS, credit, credit_all
from revcycle.attribution import largest_remainder as split

JOURNEYS = Path(__file__).parent / "fixtures" / "attribution" / "journeys.csv"


@pytest.fixture(scope="module")
def journeys() -> pd.DataFrame:
    with duckdb.connect() as con:
        return con.execute("select * from read_csv(?, header = true)", [str(JOURNEYS)]).df()


def cents_by_channel(credited: pd.DataFrame, deal_id: str) -> dict[str, int]:
    rows = credited[credited["deal_id"] == deal_id]
    return dict(zip(rows["channel"], rows["credit_cents"].astype(int), strict=True))


def touches(deal_id, amount, channels, **columns) -> pd.DataFrame:
    """A hand-built journey: one deal, its channels in time order."""
    return pd.DataFrame(
        {
            "deal_id": deal_id,
            "amount_cents": amount,
            "position": range(len(channels)),
            "channel": channels,
            **columns,
        }
    )


# ── largest remainder ────────────────────────────────────────────────────────────────────────


def test_a_third_each_gives_the_spare_cent_to_the_first():
    # 100 / 3 = 33.33 each: floors sum to 99, the one cent left goes to the first of the ties.
    assert split(100, [1, 1, 1]) == [34, 33, 33]


def test_the_spare_cents_go_to_the_largest_fractions():
    # 1000 x (0.126, 0.437, 0.437) = 126, 437, 437 exactly; 1001 x the same = 126.126, 437.437,
    # 437.437 -> floors 126 + 437 + 437 = 1000, one cent left, fractions .126 < .437 = .437.
    assert split(1001, [0.126, 0.437, 0.437]) == [126, 438, 437]
    # 4 x (1/8, 3/8, 1/2) = 0.5, 1.5, 2 -> floors 3, one cent to the first of the two .5s.
    assert split(4, [0.125, 0.375, 0.5]) == [1, 1, 2]


def test_a_negative_total_splits_its_size_and_keeps_the_sign():
    assert split(-100, [1, 1, 1]) == [-34, -33, -33]


def test_a_zero_total_gives_zeros():
    assert split(0, [2, 1]) == [0, 0]


@pytest.mark.parametrize("weights", [[0, 0], [1, -1], [float("nan"), 1], []])
def test_weights_that_cannot_split_are_refused(weights):
    with pytest.raises(ValueError):
        split(100, weights)


# ── each model on the journeys file ──────────────────────────────────────────────────────────

# D1 (1000): Paid search, Webinar, Email, Paid search, 28/21/14/7 days before the win; the
# milestones are touch 0 (first), 1 (lead), 3 (opportunity).
# D2 (90000): Direct (first and lead), Trade show (opportunity), Direct; 14/7/0 days before.
# D3 (500): one "(no lead)" touch. D4 (300): two direct touches.
EXPECTED = {
    "first": {"D1": {"Paid search": 1000}, "D2": {"Direct": 90000}},
    "last": {"D1": {"Paid search": 1000}, "D2": {"Direct": 90000}},
    "last_non_direct": {"D1": {"Paid search": 1000}, "D2": {"Trade show": 90000}},
    # D1 2/4, 1/4, 1/4; D2 2/3, 1/3.
    "linear": {
        "D1": {"Paid search": 500, "Webinar": 250, "Email": 250},
        "D2": {"Direct": 60000, "Trade show": 30000},
    },
    # D1 40 + 40 to Paid search, 10 + 10 in the middle; D2 40 + 40 to Direct, 20 to Trade show.
    "u": {
        "D1": {"Paid search": 800, "Webinar": 100, "Email": 100},
        "D2": {"Direct": 72000, "Trade show": 18000},
    },
    # D1: 30 first + 30 opportunity to Paid search, 30 to Webinar, the 10 to Email.
    # D2: touch 0 is two milestones (60), Trade show 30, the last Direct touch the 10.
    "w": {
        "D1": {"Paid search": 600, "Webinar": 300, "Email": 100},
        "D2": {"Direct": 63000, "Trade show": 27000},
    },
    # D1 weights 2^-4, 2^-3, 2^-2, 2^-1 = 1, 2, 4, 8 sixteenths of 15: Paid search 9/15 = 600,
    # Webinar 2/15 = 133.33, Email 4/15 = 266.67 -> the spare cent to Email's .67.
    # D2 weights 1/4, 1/2, 1 -> Direct 5/7 = 64285.71, Trade show 2/7 = 25714.29 -> Direct.
    "time_decay": {
        "D1": {"Paid search": 600, "Webinar": 133, "Email": 267},
        "D2": {"Direct": 64286, "Trade show": 25714},
    },
}


@pytest.mark.parametrize("model", list(EXPECTED))
def test_each_model_credits_the_hand_worked_split(journeys, model):
    credited = credit(journeys, model)
    assert cents_by_channel(credited, "D1") == EXPECTED[model]["D1"]
    assert cents_by_channel(credited, "D2") == EXPECTED[model]["D2"]


@pytest.mark.parametrize("model", MODELS)
def test_a_deal_without_a_lead_keeps_its_own_line_in_every_model(journeys, model):
    credited = credit(journeys, model, markov_effects={"Paid search": 0.5, "Direct": 0.2})
    assert cents_by_channel(credited, "D3") == {"(no lead)": 500}


@pytest.mark.parametrize("model", MODELS)
def test_every_deal_sums_to_its_amount_and_its_shares_to_one(journeys, model):
    credited = credit(journeys, model, markov_effects={"Webinar": 0.4, "Email": 0.1})
    per_deal = credited.groupby("deal_id").agg(
        cents=("credit_cents", "sum"), share=("credit_share", "sum")
    )
    assert per_deal["cents"].to_dict() == {"D1": 1000, "D2": 90000, "D3": 500, "D4": 300}
    assert per_deal["share"].to_numpy() == pytest.approx([1, 1, 1, 1])
    assert credited["credit_cents"].dtype == np.int64


def test_last_non_direct_falls_back_to_the_last_touch_when_all_are_direct(journeys):
    assert cents_by_channel(credit(journeys, "last_non_direct"), "D4") == {"Direct": 300}


def test_credit_share_is_the_deals_fraction(journeys):
    credited = credit(journeys, "linear")
    d1 = credited[credited["deal_id"] == "D1"].set_index("channel")["credit_share"]
    assert d1.to_dict() == pytest.approx({"Paid search": 0.5, "Webinar": 0.25, "Email": 0.25})


def test_credit_all_gives_the_same_as_each_model_alone(journeys):
    effects = {"Paid search": 0.3, "Trade show": 0.6}
    together = credit_all(journeys, markov_effects=effects)
    for model in MODELS:
        alone = credit(journeys, model, markov_effects=effects)
        pd.testing.assert_frame_equal(together[model], alone)


# ── the models' edges, on journeys built in the test ─────────────────────────────────────────


def test_u_shaped_gives_one_touch_all_and_two_touches_half_each():
    one = credit(touches("D", 1000, ["Email"]), "u")
    two = credit(touches("D", 1000, ["Email", "Webinar"]), "u")
    assert cents_by_channel(one, "D") == {"Email": 1000}
    assert cents_by_channel(two, "D") == {"Email": 500, "Webinar": 500}


def test_u_shaped_spreads_the_middle_and_its_spare_cents_by_channel_order():
    # 40 / 40 to A and E; 20% of 1000 over three = 66.67 each: floors leave 2 cents, the ties
    # go to the first channels, B and C.
    credited = credit(touches("D", 1000, ["A", "B", "C", "D", "E"]), "u")
    assert cents_by_channel(credited, "D") == {"A": 400, "B": 67, "C": 67, "D": 66, "E": 400}


def test_u_shaped_ends_are_configurable():
    # 30 / 30 to the ends, 40 over the two middle touches.
    credited = credit(touches("D", 1000, ["A", "B", "C", "D"]), "u", u_ends=0.3)
    assert cents_by_channel(credited, "D") == {"A": 300, "B": 200, "C": 200, "D": 300}


def test_a_channel_with_no_credit_gets_no_row():
    credited = credit(touches("D", 1000, ["A", "B", "C"]), "u", u_ends=0.5)
    assert cents_by_channel(credited, "D") == {"A": 500, "C": 500}


def test_w_shaped_with_only_milestones_spreads_the_ten_over_them():
    # Touch 0 is two milestones, touch 1 one: 60 + 2/3 of 10 and 30 + 1/3 of 10, so 2/3 and 1/3
    # of 1000 = 666.67 and 333.33: the spare cent to A.
    journey = touches("D", 1000, ["A", "B"], milestone=["first,lead", "opportunity"])
    assert cents_by_channel(credit(journey, "w"), "D") == {"A": 667, "B": 333}


def test_w_shaped_drops_a_milestone_the_journey_lacks():
    # No touch before the lead was created: 30, 10, 30 of 70 -> 3/7, 1/7, 3/7 of 700.
    journey = touches("D", 700, ["A", "B", "C"], milestone=["first", None, "opportunity"])
    assert cents_by_channel(credit(journey, "w"), "D") == {"A": 300, "B": 100, "C": 300}


def test_w_shaped_scales_up_the_shares_when_no_touch_came_before_the_lead():
    # The README's example. 700.00, every touch after the lead was created: Email is the
    # first (30), Webinar no milestone (the 10), Paid search the last before the opportunity
    # (30). 70 of 100 is handed out, so each share is scaled by 100 / 70: 30 / 70 x 700.00 =
    # 300.00, 10 / 70 x 700.00 = 100.00, not 210.00, 70.00 and 210.00 with 210.00 unassigned.
    journey = touches(
        "D", 70_000, ["Email", "Webinar", "Paid search"], milestone=["first", None, "opportunity"]
    )
    assert cents_by_channel(credit(journey, "w"), "D") == {
        "Email": 30_000,
        "Webinar": 10_000,
        "Paid search": 30_000,
    }


def test_time_decay_half_life_is_configurable():
    # 14 days with a 14-day half-life: 1/2 against 1 -> 1/3, 2/3 of 900.
    journey = touches("D", 900, ["A", "B"], days_before_conversion=[14.0, 0.0])
    credited = credit(journey, "time_decay", half_life_days=14)
    assert cents_by_channel(credited, "D") == {"A": 300, "B": 600}


def test_time_decay_keeps_an_old_journey_from_vanishing():
    # Ten years back, 2^-(3650/7) is below the smallest float; the split is still 1/3, 2/3.
    journey = touches("D", 900, ["A", "B"], days_before_conversion=[3652.0, 3645.0])
    assert cents_by_channel(credit(journey, "time_decay"), "D") == {"A": 300, "B": 600}


def test_a_refund_is_credited_negative_to_the_cent():
    credited = credit(touches("D", -1000, ["A", "B", "C"]), "linear")
    assert cents_by_channel(credited, "D") == {"A": -334, "B": -333, "C": -333}


def test_the_split_does_not_depend_on_the_row_order(journeys):
    shuffled = journeys.sample(frac=1, random_state=7)
    for model in ("linear", "w", "time_decay"):
        by_deal = ["deal_id", "channel"]
        ordered = credit(journeys, model).sort_values(by_deal, ignore_index=True)
        mixed = credit(shuffled, model).sort_values(by_deal, ignore_index=True)
        pd.testing.assert_frame_equal(ordered, mixed)


def test_ties_go_to_the_first_channel_alphabetically_whatever_the_touch_order():
    # 100 / 3 each: the spare cent goes to Email, first of the three names, in both orders.
    forward = credit(touches("D", 100, ["Webinar", "Email", "Paid"]), "linear")
    backward = credit(touches("D", 100, ["Paid", "Email", "Webinar"]), "linear")
    assert cents_by_channel(forward, "D") == {"Email": 34, "Paid": 33, "Webinar": 33}
    assert cents_by_channel(backward, "D") == {"Email": 34, "Paid": 33, "Webinar": 33}


def test_many_random_journeys_each_sum_to_the_cent():
    rng = np.random.default_rng(13)
    lengths = rng.integers(1, 13, size=2000)
    deal = np.repeat(np.arange(2000), lengths)
    amount = rng.integers(1, 10_000_000, size=2000)
    journey = pd.DataFrame(
        {
            "deal_id": deal,
            "amount_cents": amount[deal],
            "position": np.concatenate([np.arange(n) for n in lengths]),
            "channel": rng.choice(["Direct", "Email", "Events", "Paid", "SEO"], size=len(deal)),
            "is_direct": rng.random(len(deal)) < 0.3,
            "milestone": rng.choice([None, "lead", "opportunity"], size=len(deal)),
            "days_before_conversion": rng.integers(0, 90, len(deal)).astype(float),
        }
    )
    effects = {"Email": 0.2, "Events": 0.7, "Paid": 0.05}
    # In order (as deal_journeys gives them) and shuffled (the engine sorts them itself).
    for rows in (journey, journey.sample(frac=1, random_state=3)):
        for model, credited in credit_all(rows, markov_effects=effects).items():
            sums = credited.groupby("deal_id")["credit_cents"].sum()
            assert (sums.sort_index().to_numpy() == amount).all(), model


def test_a_deal_with_thousands_of_channels_still_gets_its_spare_cents_by_name():
    # 3001 over 3000 channels: a cent each and the spare one to the first name, C0000. Beside it
    # 1000 deals of 3 cents over two channels: 1.5 each, the spare cent to the first, X.
    many = touches("big", 3001, [f"C{i:04d}" for i in range(3000)])
    small = [touches(f"d{i}", 3, ["X", "Y"]) for i in range(1000)]
    credited = credit(pd.concat([many, *small], ignore_index=True), "linear")
    big = cents_by_channel(credited, "big")
    assert big["C0000"] == 2
    assert set(big.values()) == {1, 2} and sum(big.values()) == 3001
    assert all(cents_by_channel(credited, f"d{i}") == {"X": 2, "Y": 1} for i in range(1000))


# ── what the caller is told ──────────────────────────────────────────────────────────────────


def test_an_unknown_model_is_named_in_the_error(journeys):
    with pytest.raises(ValueError, match="'shapley'"):
        credit(journeys, "shapley")


def test_a_missing_column_is_named_in_the_error(journeys):
    with pytest.raises(ValueError, match="milestone"):
        credit(journeys.drop(columns="milestone"), "w")


def test_markov_without_effects_says_where_they_come_from(journeys):
    with pytest.raises(ValueError, match="removal_effects"):
        credit(journeys, "markov")


def test_no_journeys_credit_nothing(journeys):
    credited = credit(journeys.iloc[0:0], "linear")
    assert list(credited.columns) == ["deal_id", "channel", "credit_cents", "credit_share"]
    assert credited.empty


def test_every_model_has_a_name_and_a_sentence():
    assert set(MODEL_NAMES) == set(MODELS) == set(MODEL_SENTENCES)
    assert MODEL_NAMES["markov"] == "Data-driven (Markov)"
