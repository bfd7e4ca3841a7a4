"""The leak finder's test and ranking on hand-made counts: a planted drop is found, pure noise
is not, and the p-values, intervals and costs are the ones worked out by hand."""

import math
from datetime import date

import duckdb
import numpy as np
import pandas as pd
import pytest
from scipy.stats import fisher_exact

from revcycle.db import define
from revcycle.meeting.leak import STEPS, compare, drop_p_value, holm

Z = 1.959963984540054  # the 95% normal quantile the Wilson macro uses


@pytest.fixture(scope="module")
def macros():
    con = duckdb.connect()
    define(con, "macros")
    yield con
    con.close()


def step_rows(macros, counts: dict, revenue: dict | None = None) -> pd.DataFrame:
    """Rows as queries/metrics/step_conversion_by_channel.sql returns them, from hand counts
    {(channel, step_from): (recent_converted, recent_entered, baseline_converted,
    baseline_entered)}; the intervals come from the real wilson_interval macro."""
    to_step = dict(STEPS)
    frame = pd.DataFrame(
        [
            {
                "channel": channel,
                "step_from": step_from,
                "step_to": to_step[step_from],
                "step_order": [step for step, _ in STEPS].index(step_from) + 1,
                "maturity_days": 7,
                "recent_start_date": date(2026, 10, 12),
                "recent_end_date": date(2026, 11, 8),
                "baseline_start_date": date(2026, 7, 20),
                "baseline_end_date": date(2026, 10, 11),
                "recent_converted": recent_converted,
                "recent_entered": recent_entered,
                "baseline_converted": baseline_converted,
                "baseline_entered": baseline_entered,
                "count_recent_unmeasured": 0,
                "count_baseline_unmeasured": 0,
                "baseline_won_revenue": (revenue or {}).get(channel, 0.0)
                if step_from == "opportunity"
                else 0.0,
            }
            for (channel, step_from), (
                recent_converted,
                recent_entered,
                baseline_converted,
                baseline_entered,
            ) in counts.items()
        ]
    )
    macros.register("hand_counts", frame)
    return macros.execute(
        """
        select
            *,
            recent_converted / nullif(recent_entered, 0) as recent_rate,
            wilson_interval(recent_converted, recent_entered).low as recent_low,
            wilson_interval(recent_converted, recent_entered).high as recent_high,
            baseline_converted / nullif(baseline_entered, 0) as baseline_rate,
            wilson_interval(baseline_converted, baseline_entered).low as baseline_low,
            wilson_interval(baseline_converted, baseline_entered).high as baseline_high,
        from hand_counts
        """
    ).df()


def steady(channel: str) -> dict:
    """A channel whose every step converts exactly as in its baseline."""
    return {
        (channel, "lead"): (40, 100, 120, 300),
        (channel, "mql"): (30, 100, 90, 300),
        (channel, "sql"): (50, 100, 150, 300),
        (channel, "opportunity"): (25, 100, 75, 300),
    }


CHANNELS = ["Email", "Events", "Organic search", "Paid search", "Partner", "Referral"]


def test_drop_p_value_worked_by_hand():
    # 0 of 3 recent against 3 of 3 before: of the C(6, 3) = 20 ways to pick the 3 recent ones
    # from 6 entrants, 3 of them converting, only one has no conversion.
    assert drop_p_value(0, 3, 3, 3) == pytest.approx(1 / 20)
    # 1 of 4 against 3 of 4: P(X <= 1) = (C(4,0) C(4,4) + C(4,1) C(4,3)) / C(8,4) = 17 / 70.
    assert drop_p_value(1, 4, 3, 4) == pytest.approx(17 / 70)
    # 2 of 4 against 2 of 4: (1 + 16 + 36) / 70.
    assert drop_p_value(2, 4, 2, 4) == pytest.approx(53 / 70)
    # All recent converted: nothing could be higher, so the chance of this low or lower is 1.
    assert drop_p_value(3, 3, 0, 3) == 1.0


@pytest.mark.parametrize(
    "counts",
    [(300, 1000, 350, 1000), (4100, 10000, 4200, 10000), (40, 100, 30, 100), (1, 50, 9, 60)],
)
def test_drop_p_value_matches_scipy_at_any_size(counts):
    recent_converted, recent_entered, baseline_converted, baseline_entered = counts
    table = [
        [recent_converted, recent_entered - recent_converted],
        [baseline_converted, baseline_entered - baseline_converted],
    ]
    expected = fisher_exact(table, alternative="less").pvalue
    assert drop_p_value(*counts) == pytest.approx(expected, rel=1e-9)


def test_holm_multiplies_the_smallest_by_the_number_of_tests_and_keeps_the_order():
    # Sorted: 0.01 x 4 = 0.04; 0.03 x 3 = 0.09; 0.04 x 2 = 0.08, raised to the 0.09 before it;
    # 0.5 x 1. The untested (None) is no test and stays None.
    assert holm([0.01, 0.04, None, 0.03, 0.5]) == pytest.approx([0.04, 0.09, None, 0.09, 0.5])


def test_wilson_intervals_worked_by_hand(macros):
    rows = step_rows(macros, {("Email", "lead"): (0, 10, 10, 10)})
    row = rows.iloc[0]
    # With no success the interval is [0, z² / (n + z²)]; with all, [n / (n + z²), 1].
    assert row["recent_low"] == 0
    assert row["recent_high"] == pytest.approx(Z**2 / (10 + Z**2))
    assert row["baseline_low"] == pytest.approx(10 / (10 + Z**2))
    assert row["baseline_high"] == 1
    # Half of 10: centred on 0.5, half-width z·sqrt(0.25/10 + z²/400) / (1 + z²/10).
    half = Z * math.sqrt(0.25 / 10 + Z**2 / 400) / (1 + Z**2 / 10)
    middle = step_rows(macros, {("Email", "lead"): (5, 10, 5, 10)}).iloc[0]
    assert (middle["recent_low"], middle["recent_high"]) == pytest.approx((0.5 - half, 0.5 + half))


def test_a_planted_drop_is_found_and_said_in_words(macros):
    counts = {key: value for channel in CHANNELS for key, value in steady(channel).items()}
    # Paid search's MQLs became SQLs 120 of 300 times before, 22 of 100 recently.
    counts[("Paid search", "mql")] = (22, 100, 120, 300)
    flagged, checked = compare(step_rows(macros, counts))
    assert [(leak.channel, leak.step_from, leak.step_to) for leak in flagged] == [
        ("Paid search", "mql", "sql")
    ]
    leak = flagged[0]
    assert leak.words == "Paid search MQL → SQL fell from 40% to 22%"
    assert (leak.recent_rate, leak.recent_entered) == (0.22, 100)
    assert (leak.baseline_rate, leak.baseline_entered) == (0.40, 300)
    assert leak.p_value <= 0.05
    assert checked["is_flagged"].sum() == 1
    assert checked["is_tested"].all() and len(checked) == len(CHANNELS) * len(STEPS)
    # The reported p-value is the raw one times the 24 tests (its rank is first).
    raw = drop_p_value(22, 100, 120, 300)
    assert leak.p_value == pytest.approx(raw * 24)


def test_expected_cost_is_lost_conversions_times_their_downstream_value(macros):
    counts = {
        # MQL → SQL fell from 120/300 (40%) to 22/100: 100 × (0.40 − 0.22) = 18 SQLs lost.
        ("Paid search", "mql"): (22, 100, 120, 300),
        # An SQL became an opportunity 30 of 60 times, an opportunity won 10 of 40 times.
        ("Paid search", "sql"): (15, 30, 30, 60),
        ("Paid search", "opportunity"): (5, 20, 10, 40),
    }
    # The 10 baseline wins brought in 200,000: 20,000 a win.
    rows = step_rows(macros, counts, revenue={"Paid search": 200_000.0})
    flagged, _ = compare(rows, cost_unit="opportunities")
    # In opportunities an SQL is worth 0.5 of one: 18 × 0.5.
    assert flagged[0].expected_cost == pytest.approx(9.0)
    assert flagged[0].cost_unit == "opportunities"
    flagged, _ = compare(rows, cost_unit="revenue")
    # In revenue an SQL is worth 0.5 × 0.25 × 20,000 = 2,500: 18 × 2,500.
    assert flagged[0].expected_cost == pytest.approx(45_000.0)
    assert flagged[0].cost_unit == "revenue"


def test_flagged_drops_rank_by_cost_not_by_how_sure_the_test_is(macros):
    counts = {
        key: value for channel in ("Email", "Referral") for key, value in steady(channel).items()
    }
    # Email lead → MQL: 40% → 10% of 100, the surer drop: 30 MQLs lost, each worth
    # 0.3 (SQL) × 0.5 (opportunity) = 0.15 opportunities: 4.5.
    counts[("Email", "lead")] = (10, 100, 120, 300)
    # Referral SQL → opportunity: 50% → 25% of 100: 25 opportunities lost, worth 25.
    counts[("Referral", "sql")] = (25, 100, 150, 300)
    flagged, checked = compare(step_rows(macros, counts))
    assert [leak.words for leak in flagged] == [
        "Referral SQL → opportunity fell from 50% to 25%",
        "Email lead → MQL fell from 40% to 10%",
    ]
    assert [leak.expected_cost for leak in flagged] == pytest.approx([25.0, 4.5])
    assert flagged[1].p_value < flagged[0].p_value


def test_a_rise_is_never_flagged(macros):
    counts = steady("Partner") | {("Partner", "lead"): (90, 100, 120, 300)}
    flagged, checked = compare(step_rows(macros, counts))
    assert flagged == []
    rise = checked[checked["step_from"] == "lead"].iloc[0]
    assert rise["p_value"] > 0.99 and rise["expected_cost"] == 0


def noise(rng, channels: int, size_recent: int = 100, size_baseline: int = 300) -> dict:
    """Counts where every channel's recent and baseline cohorts convert at the same true rate."""
    rates = {"lead": 0.4, "mql": 0.3, "sql": 0.5, "opportunity": 0.25}
    return {
        (f"Channel {number:02d}", step): (
            int(rng.binomial(size_recent, rate)),
            size_recent,
            int(rng.binomial(size_baseline, rate)),
            size_baseline,
        )
        for number in range(channels)
        for step, rate in rates.items()
    }


def test_pure_noise_over_many_channels_flags_nothing(macros):
    rows = step_rows(macros, noise(np.random.default_rng(12), channels=30))
    flagged, checked = compare(rows)
    assert flagged == []
    # Without the correction some of the 120 comparisons would have passed for a drop.
    assert (checked["p_value"] < 0.05).sum() >= 1


def test_noise_flags_anything_in_at_most_one_week_in_twenty(macros):
    rng = np.random.default_rng(2026)
    # 200 weeks of 6 channels, their intervals worked out in one query; then tested week by week.
    weeks = {
        (f"Week {week:03d}: {channel}", step): counts
        for week in range(200)
        for (channel, step), counts in noise(rng, channels=6).items()
    }
    rows = step_rows(macros, weeks)
    week_of_row = rows["channel"].str.slice(0, len("Week 000"))
    weeks_with_a_flag = sum(bool(compare(one_week)[0]) for _, one_week in rows.groupby(week_of_row))
    assert weeks_with_a_flag <= 10  # Holm keeps the chance of any false flag at 5%


def test_steps_with_nobody_to_compare_are_not_tested_and_say_why(macros):
    counts = steady("Email") | {("Email", "sql"): (0, 0, 150, 300)}
    flagged, checked = compare(step_rows(macros, counts))
    untested = checked[checked["step_from"] == "sql"].iloc[0]
    assert not untested["is_tested"] and not untested["is_flagged"]
    assert untested["p_value"] is None or math.isnan(untested["p_value"])
    assert untested["not_tested_reason"] == "no SQLs in the recent weeks"
    assert checked["is_tested"].sum() == 3  # Holm counts only the comparisons made


def test_a_step_the_uploads_cannot_tell_is_said_to_be_unmeasurable(macros):
    rows = step_rows(macros, steady("Email") | {("Email", "lead"): (0, 0, 0, 0)})
    rows.loc[
        rows["step_from"] == "lead", ["count_recent_unmeasured", "count_baseline_unmeasured"]
    ] = (
        100,
        300,
    )
    _, checked = compare(rows)
    lead = checked[checked["step_from"] == "lead"].iloc[0]
    assert not lead["is_tested"]
    assert lead["not_tested_reason"] == (
        "cannot be measured: the uploads do not record when these leads became MQLs"
    )


def test_an_unknown_cost_unit_is_refused(macros):
    with pytest.raises(ValueError, match="opportunities or revenue"):
        compare(step_rows(macros, steady("Email")), cost_unit="euros")
