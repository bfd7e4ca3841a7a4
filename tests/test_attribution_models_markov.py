"""The data-driven (Markov) model: removal effects solved on paper, checked by simulation."""

import numpy as np
import pandas as pd
import pytest

from revcycle.attribution import (
    count_journeys,
    credit,
    removal_effects,
    trust,
    trust_from_counts,
)
from revcycle.attribution.markov import (
    CONVERSION,
    NULL,
    START,
    removal_effects_from_counts,
)

# ── removal effects worked out on paper ──────────────────────────────────────────────────────

# Three channels, with a loop between A and B, so the answer needs the absorbing-chain equations
# rather than a sum over the observed paths.
LOOP_PATHS = [
    (("A", "B"), True),
    (("B", "A"), True),
    (("A",), False),
    (("C", "A", "B"), False),
]
# From the paths: start -> A 2/4, B 1/4, C 1/4; A -> B 2/4, win 1/4, null 1/4;
# B -> win 1/3, A 1/3, null 1/3; C -> A 1.
# Chance to win from each state: xA = xB/2 + 1/4 and xB = 1/3 + xA/3, so xA = 1/2 = xB, xC = xA.
# P(win) = 1/2 * 1/2 + 1/4 * 1/2 + 1/4 * 1/2 = 1/2.
# Without A: xA = 0, xB = 1/3, xC = 0 -> P = 1/4 * 1/3 = 1/12, effect 1 - (1/12)/(1/2) = 5/6.
# Without B: xB = 0, xA = 1/4, xC = 1/4 -> P = 1/8 + 1/16 = 3/16, effect 1 - 3/8 = 5/8.
# Without C: xC = 0 -> P = 1/4 + 1/8 = 3/8, effect 1 - 3/4 = 1/4.
LOOP_EFFECTS = {"A": 5 / 6, "B": 5 / 8, "C": 1 / 4}
# The same paths as transition counts.
LOOP_COUNTS = {
    (START, "A"): 2,
    (START, "B"): 1,
    (START, "C"): 1,
    ("A", "B"): 2,
    ("A", CONVERSION): 1,
    ("A", NULL): 1,
    ("B", CONVERSION): 1,
    ("B", "A"): 1,
    ("B", NULL): 1,
    ("C", "A"): 1,
}


def test_the_loop_example_matches_the_paper():
    assert removal_effects(LOOP_PATHS) == pytest.approx(LOOP_EFFECTS, abs=1e-12)


def test_the_textbook_example_matches_the_paper():
    # Anderl et al.'s three paths: start -> C1 2/3, C2 1/3; C1 -> C2 1/2, null 1/2; C2 -> C3;
    # C3 -> win 1/2, null 1/2. P(win) = 2/3 * 1/2 * 1/2 + 1/3 * 1/2 = 1/3. Without C1 only
    # start -> C2 -> C3 wins: 1/6, effect 1/2; without C2 or C3 nothing wins, effect 1.
    paths = [(("C1", "C2", "C3"), True), (("C1",), False), (("C2", "C3"), False)]
    assert removal_effects(paths) == pytest.approx({"C1": 0.5, "C2": 1.0, "C3": 1.0}, abs=1e-12)


def test_counts_in_give_the_same_effects_as_paths_in():
    assert removal_effects_from_counts(LOOP_COUNTS) == pytest.approx(LOOP_EFFECTS, abs=1e-12)


def steps_of(paths) -> pd.DataFrame:
    """The paths as deal_journeys-style rows: one per touch, with the lead's outcome."""
    rows = [
        {"lead_id": f"L{lead}", "position": position, "channel": channel, "is_won": won}
        for lead, (path, won) in enumerate(paths)
        for position, channel in enumerate(path)
    ]
    return pd.DataFrame(rows)


def test_counting_touch_rows_gives_the_papers_transitions():
    counted = count_journeys(steps_of(LOOP_PATHS))
    assert counted.transitions == LOOP_COUNTS
    # Two wins; A is in all four journeys, B in three (A B, B A, C A B), C in one.
    assert counted.conversions == 2
    assert counted.journeys_per_channel == {"A": 4, "B": 3, "C": 1}


def test_counting_shuffled_touch_rows_gives_the_same():
    steps = steps_of(LOOP_PATHS)
    assert count_journeys(steps.sample(frac=1, random_state=5)) == count_journeys(steps)


def test_a_channel_twice_in_a_journey_counts_it_once():
    counted = count_journeys(steps_of([(("A", "B", "A"), False)]))
    assert counted.journeys_per_channel == {"A": 1, "B": 1}
    assert counted.transitions == {(START, "A"): 1, ("A", "B"): 1, ("B", "A"): 1, ("A", NULL): 1}


def test_counted_rows_and_walked_paths_agree_on_many_journeys():
    paths = random_paths(seed=5, count=2000)
    counted = count_journeys(steps_of(paths))
    assert removal_effects_from_counts(counted.transitions) == pytest.approx(
        removal_effects(paths), abs=1e-12
    )
    assert trust_from_counts(counted.conversions, counted.journeys_per_channel) == trust(paths)


def test_a_repeated_channel_changes_no_effect():
    # A self-loop only delays the walk: A, A -> win is the same chain as A -> win.
    once = removal_effects([(("A", "B"), True), (("B",), False)])
    repeated = removal_effects([(("A", "A", "B"), True), (("B",), False)])
    assert repeated == pytest.approx(once, abs=1e-12)


def test_no_wins_means_no_effects():
    assert removal_effects([(("A", "B"), False), (("B",), False)]) == {"A": 0.0, "B": 0.0}


def test_a_step_out_of_a_conversion_is_refused():
    with pytest.raises(ValueError, match="not a journey step"):
        removal_effects_from_counts({(START, "A"): 1, (CONVERSION, "A"): 1})


# ── cross-check against a simulation written here ────────────────────────────────────────────

SIMULATED_WALKS = 200_000


def random_paths(seed: int, count: int) -> list:
    """Journeys over four channels with repeats; Events and Demo make a win likelier."""
    rng = np.random.default_rng(seed)
    channels = np.array(["Demo", "Email", "Events", "Paid"])
    paths = []
    for _ in range(count):
        picks = rng.choice(channels, size=rng.integers(1, 6), p=[0.1, 0.4, 0.2, 0.3])
        path = tuple(str(channel) for channel in picks)
        chance = 0.1 + 0.3 * ("Events" in path) + 0.4 * (path[-1] == "Demo")
        paths.append((path, bool(rng.random() < chance)))
    return paths


def simulate_win_chance(paths, removed, walks, seed) -> float:
    """Walk the chain the paths imply, step by step, with ``removed`` leading to (null)."""
    states = sorted({channel for path, _ in paths for channel in path})
    number = {name: i for i, name in enumerate([START, *states, CONVERSION, NULL])}
    counts = np.zeros((len(number), len(number)))
    for path, won in paths:
        steps = [START, *path, CONVERSION if won else NULL]
        for source, target in zip(steps, steps[1:], strict=False):
            counts[number[source], number[target]] += 1
    if removed is not None:
        into = number[removed]
        counts[:, number[NULL]] += counts[:, into]
        counts[:, into] = 0
    seen = counts.sum(axis=1) > 0
    cumulative = np.zeros_like(counts)
    cumulative[seen] = np.cumsum(counts[seen], axis=1) / counts[seen].sum(axis=1, keepdims=True)
    rng = np.random.default_rng(seed)
    where = np.zeros(walks, dtype=int)
    ended = (number[CONVERSION], number[NULL])
    walking = np.ones(walks, dtype=bool)
    while walking.any():
        draw = rng.random(walking.sum())
        step = (draw[:, None] >= cumulative[where[walking]]).sum(axis=1)
        where[walking] = np.minimum(step, len(number) - 1)
        walking = ~np.isin(where, ended)
    return float((where == number[CONVERSION]).mean())


def test_exact_effects_agree_with_a_simulation():
    # Tolerance: 4 standard errors of a simulated chance, sqrt(p (1 - p) / walks) <= 0.0011 for
    # 200 000 walks, so 0.0045 on each chance; the effect 1 - p_without / p then moves by at most
    # about (0.0045 + 0.0045) / p, which for p ~ 0.25 is within 0.04.
    paths = random_paths(seed=11, count=3000)
    exact = removal_effects(paths)
    won = simulate_win_chance(paths, None, SIMULATED_WALKS, seed=1)
    tolerance = 4 * np.sqrt(won * (1 - won) / SIMULATED_WALKS)
    for seed, channel in enumerate(sorted(exact), start=2):
        without = simulate_win_chance(paths, channel, SIMULATED_WALKS, seed=seed)
        exact_without = (1 - exact[channel]) * exact_win_chance(paths)
        assert abs(without - exact_without) <= tolerance + 1e-9, channel
        assert 1 - without / won == pytest.approx(exact[channel], abs=0.04), channel
    assert won == pytest.approx(exact_win_chance(paths), abs=tolerance)


def exact_win_chance(paths) -> float:
    """P(win) from the first-step analysis, solved here with numpy independently of the engine."""
    states = sorted({channel for path, _ in paths for channel in path})
    number = {name: i for i, name in enumerate([START, *states])}
    moves = np.zeros((len(number), len(number) + 2))
    for path, won in paths:
        steps = [START, *path]
        for source, target in zip(steps, steps[1:], strict=False):
            moves[number[source], number[target]] += 1
        moves[number[path[-1]], len(number) + (0 if won else 1)] += 1
    moves /= moves.sum(axis=1, keepdims=True)
    transient = moves[:, : len(number)]
    return float(np.linalg.solve(np.eye(len(number)) - transient, moves[:, len(number)])[0])


# ── crediting deals with the effects ─────────────────────────────────────────────────────────


def journey_rows(deals: dict[str, tuple[int, list[str]]]) -> pd.DataFrame:
    rows = [
        {"deal_id": deal, "amount_cents": amount, "position": i, "channel": channel}
        for deal, (amount, channels) in deals.items()
        for i, channel in enumerate(channels)
    ]
    return pd.DataFrame(rows)


def test_channel_totals_are_total_times_effect_over_the_sum_when_every_journey_has_them_all():
    deals = {
        "D1": (1000, ["A", "B", "C"]),
        "D2": (2000, ["C", "A", "B"]),
        "D3": (7000, ["B", "C", "A"]),
    }
    credited = credit(journey_rows(deals), "markov", markov_effects={"A": 0.5, "B": 0.3, "C": 0.2})
    totals = credited.groupby("channel")["credit_cents"].sum().to_dict()
    # 10 000 x 0.5 / 1.0, x 0.3, x 0.2.
    assert totals == {"A": 5000, "B": 3000, "C": 2000}


def test_markov_splits_by_channel_not_by_touch():
    # A twice and B once: still 1/4 against 3/4, as the effects say.
    credited = credit(
        journey_rows({"D": (400, ["A", "A", "B"])}), "markov", markov_effects={"A": 0.25, "B": 0.75}
    )
    assert dict(zip(credited["channel"], credited["credit_cents"], strict=True)) == {
        "A": 100,
        "B": 300,
    }


def test_a_journey_with_no_effective_channel_falls_back_to_linear():
    # X twice, Y once, neither with an effect (Y is not even in the chain): 2/3 and 1/3 of 300.
    credited = credit(
        journey_rows({"D": (300, ["X", "Y", "X"])}), "markov", markov_effects={"X": 0.0}
    )
    assert dict(zip(credited["channel"], credited["credit_cents"], strict=True)) == {
        "X": 200,
        "Y": 100,
    }


def test_the_loop_example_credits_a_deal_in_proportion_to_its_effects():
    # 5/6, 5/8, 1/4 = 20/24, 15/24, 6/24 -> 20/41, 15/41, 6/41 of 4100.
    effects = removal_effects(LOOP_PATHS)
    credited = credit(
        journey_rows({"D": (4100, ["C", "A", "B"])}), "markov", markov_effects=effects
    )
    assert dict(zip(credited["channel"], credited["credit_cents"], strict=True)) == {
        "A": 2000,
        "B": 1500,
        "C": 600,
    }


@pytest.mark.parametrize("effects", [{"A": -0.1}, {"A": float("nan")}])
def test_effects_that_cannot_weigh_are_refused(effects):
    with pytest.raises(ValueError, match="markov_effects"):
        credit(journey_rows({"D": (100, ["A"])}), "markov", markov_effects=effects)


# ── when the figures are not to be trusted ───────────────────────────────────────────────────


def test_enough_wins_and_channels_are_trusted():
    paths = [(("A", "B"), True)] * 300
    assert trust(paths).ok
    assert trust(paths).reasons == []


def test_fewer_than_300_wins_is_not_trusted_and_says_so():
    verdict = trust([(("A", "B"), True)] * 299 + [(("A", "B"), False)] * 500)
    assert not verdict.ok
    assert len(verdict.reasons) == 1
    assert "Only 299 journeys ended in a win" in verdict.reasons[0]
    assert "300" in verdict.reasons[0]


def test_one_win_is_said_as_one_journey():
    verdict = trust([(("A",), True)] + [(("A",), False)] * 40)
    assert verdict.reasons[0].startswith("Only 1 journey ended in a win;")


def test_a_channel_in_fewer_than_30_journeys_is_named_with_its_count():
    # Rare sits in 29 journeys (twice in some, which still counts once per journey).
    paths = [(("A",), True)] * 300 + [(("Rare", "A", "Rare"), False)] * 29
    verdict = trust(paths)
    assert not verdict.ok
    assert verdict.reasons == [
        "1 channel appears in fewer than 30 journeys, too few to say what taking it out "
        "would cost: Rare (29)."
    ]


def test_many_thin_channels_are_named_up_to_five_and_counted():
    thin = [((f"C{i}",), False) for i in range(7)]
    verdict = trust([(("A",), True)] * 300 + thin)
    assert verdict.reasons[0].startswith("7 channels appear in fewer than 30 journeys")
    assert verdict.reasons[0].endswith("C0 (1), C1 (1), C2 (1), C3 (1), C4 (1) and 2 more.")


def test_counts_in_give_the_same_verdict_as_paths_in():
    # 299 wins through A and B; A in 299 + 29 + 472 = 800 journeys, B in 299, Rare in 29.
    paths = [(("A", "B"), True)] * 299 + [(("A", "Rare"), False)] * 29 + [(("A",), False)] * 472
    verdict = trust_from_counts(299, {"A": 800, "B": 299, "Rare": 29})
    assert verdict == trust(paths)
    assert [reason[:9] for reason in verdict.reasons] == ["Only 299 ", "1 channel"]


def test_thresholds_can_be_set():
    assert trust([(("A",), True)] * 10, min_conversions=10, min_journeys_per_channel=10).ok
