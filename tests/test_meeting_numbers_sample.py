"""The meeting's numbers on the bundled sample agree with the pages' own metrics for the same
week: one metric, one meaning, whichever screen shows it."""

import functools

import pytest

from revcycle.db import execute
from revcycle.meeting import headline, numbers
from tests.conftest import NO_FILTERS


@pytest.fixture(scope="module")
def query(sample_db):
    return functools.partial(execute, sample_db)


@pytest.fixture(scope="module")
def week(query):
    return numbers.default_week(query)


@pytest.fixture(scope="module")
def period(week):
    return {"start_date": week.start, "end_date": week.end} | NO_FILTERS


def test_the_sample_s_default_week_ends_before_its_last_day(query, week):
    last_date = query("metrics/data_period")["last_date"].iloc[0]
    assert week.end < last_date.date()
    assert week.next().end >= last_date.date()


def test_tiles_agree_with_the_overview_s_metrics_for_the_week(query, week, period):
    tiles = numbers.week_tiles(query, week, None).set_index("metric")
    conversion = query("metrics/conversion_by_channel", **period)
    total = conversion[conversion["is_total"]].set_index("stage")["count_events"]
    for metric, stage in [
        ("leads", "lead"),
        ("mqls", "mql"),
        ("sqls", "sql"),
        ("opportunities", "opportunity"),
    ]:
        assert tiles.loc[metric, "this_week"] == total[stage], metric
    revenue = query("metrics/revenue_by_channel", **period)
    won = revenue.loc[revenue["is_total"], "won_revenue"].iloc[0]
    assert tiles.loc["won_revenue", "this_week"] == pytest.approx(float(won))
    speed = query("metrics/follow_up_speed", **period)
    share = speed.loc[speed["grouped_by"] == "all", "share_within_sla"].iloc[0]
    assert tiles.loc["share_contacted_in_time", "this_week"] == pytest.approx(share)


def test_last_week_s_tile_is_that_week_s_own_number(query, week):
    this_week = numbers.week_tiles(query, week, None).set_index("metric")["last_week"]
    before = numbers.week_tiles(query, week.previous(), None).set_index("metric")["this_week"]
    assert this_week.tolist() == pytest.approx(before.tolist())


def test_the_breach_list_holds_exactly_the_breaches_counted(query, week):
    by_owner = numbers.breaches_by_owner(query, week, None)
    listed = numbers.breach_leads(query, week, None)
    assert by_owner["count_breaches"].sum() == len(listed) > 0
    counted = listed.groupby("owner").size()
    assert (
        counted.to_dict()
        == by_owner.set_index("owner")["count_breaches"][lambda c: c > 0].to_dict()
    )
    assert by_owner["count_still_waiting"].sum() == listed["still_waiting"].sum()
    assert not {"email", "company"} & set(listed.columns)


def test_quality_counts_the_week_s_mqls_once_each(query, week, period):
    quality = numbers.lead_quality(query, week, None)
    total = quality.by_channel[quality.by_channel["is_total"]].iloc[0]
    assert (
        total["count_accepted"] + total["count_rejected"] + total["count_pending"]
        == (total["count_mqls"])
    )
    conversion = query("metrics/conversion_by_channel", **period)
    mqls = conversion[conversion["is_total"] & (conversion["stage"] == "mql")]
    assert total["count_mqls"] == mqls["count_events"].iloc[0]
    reasons = quality.by_reason[quality.by_reason["is_total"]]
    assert reasons["count_rejected"].sum() == total["count_rejected"]
    # The sample's reasons are the agreement's own, and it agrees on a 70% acceptance rate.
    assert reasons["is_agreed_reason"].all()
    assert quality.target == pytest.approx(0.7)


def test_the_sample_s_headline_has_three_to_five_sentences(query, week):
    said = headline.headline(
        numbers.week_tiles(query, week, None),
        [],
        numbers.breaches_by_owner(query, week, None),
        numbers.lead_quality(query, week, None),
        0,
    )
    assert 3 <= len(said) <= 5
    assert [sentence.section for sentence in said] == ["tiles", "leak", "breaches", "quality"]
