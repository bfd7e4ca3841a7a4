"""Every check an agreement passes before it is saved: one rule per test, each naming the field
the page puts its message beside."""

import datetime

import pytest

from revcycle.agreements.model import Budget, ClosingDay, FollowUp, Target, WorkingHours
from revcycle.agreements.validate import problems
from tests.support.agreements import BUDGETS, FIVE, NINE, NOVEMBER, agreement, office_hours

CHANNELS = ("Content marketing", "Paid search", "Website contact form", "Trade show")
DEFAULT = FollowUp(None, "call", 24.0, "calendar")


def fields(candidate, *, known_channels=CHANNELS, previous=None):
    return [
        problem.field
        for problem in problems(candidate, known_channels=known_channels, previous=previous)
    ]


def messages(candidate, **kwargs):
    return " | ".join(
        problem.message
        for problem in problems(candidate, known_channels=CHANNELS, previous=None, **kwargs)
    )


def test_the_support_agreement_is_valid():
    assert problems(agreement(), known_channels=CHANNELS, previous=None) == []


def test_an_unknown_channel_is_named_in_follow_up_and_targets():
    candidate = agreement(
        follow_up=(DEFAULT, FollowUp("Paid serch", "call", 8.0, "working")),
        targets=(Target(NOVEMBER, "Tradeshow", "leads", 10.0),),
    )
    assert fields(candidate) == ["follow_up.Paid serch.channel", "targets.0.channel"]


def test_built_in_channels_are_known_without_a_rule():
    candidate = agreement(follow_up=(DEFAULT, FollowUp("(unmapped)", "email", 2.0, "working")))
    assert fields(candidate) == []


def test_a_file_read_on_its_own_skips_the_channel_check():
    candidate = agreement(follow_up=(DEFAULT, FollowUp("Anything", "call", 1.0, "working")))
    assert fields(candidate, known_channels=None) == []


@pytest.mark.parametrize("hours", [0.0, -2.0, None, float("nan")])
def test_a_call_or_email_needs_a_time_above_zero(hours):
    candidate = agreement(follow_up=(DEFAULT, FollowUp("Paid search", "email", hours, "working")))
    assert fields(candidate) == ["follow_up.Paid search.response_hours"]


def test_nurture_with_a_time_is_refused():
    candidate = agreement(
        follow_up=(DEFAULT, FollowUp("Content marketing", "nurture", 48.0, "working"))
    )
    assert fields(candidate) == ["follow_up.Content marketing.response_hours"]


def test_an_unknown_kind_and_basis_are_refused():
    candidate = agreement(follow_up=(FollowUp(None, "visit", 4.0, "office"),))
    assert fields(candidate) == ["follow_up.default.kind", "follow_up.default.basis"]


def test_a_channel_listed_twice_is_refused():
    row = FollowUp("Trade show", "call", 48.0, "working")
    assert fields(agreement(follow_up=(DEFAULT, row, row))) == ["follow_up.Trade show.channel"]


def test_more_than_one_default_is_refused():
    second = FollowUp(None, "email", 8.0, "working")
    assert fields(agreement(follow_up=(DEFAULT, second))) == ["follow_up.default"]


def test_a_missing_default_is_refused():
    candidate = agreement(follow_up=(FollowUp("Paid search", "call", 8.0, "working"),))
    assert fields(candidate) == ["follow_up.default"]
    assert "default row" in messages(candidate)


def test_overlapping_working_hours_are_refused():
    # Tuesday 09:00-12:30 and 12:00-17:00 share half an hour.
    split = (WorkingHours(2, NINE, datetime.time(12, 30)), WorkingHours(2, datetime.time(12), FIVE))
    hours = tuple(h for h in office_hours() if h.weekday != 2) + split
    candidate = agreement(working_hours=hours)
    assert fields(candidate) == ["working_hours.tuesday"]
    assert "overlap on Tuesday at 12:00" in messages(candidate)


def test_a_span_until_midnight_overlaps_anything_after_it():
    hours = (WorkingHours(6, datetime.time(20), None), WorkingHours(6, datetime.time(22), None))
    assert fields(agreement(working_hours=hours)) == ["working_hours.saturday"]


def test_back_to_back_spans_do_not_overlap():
    hours = (WorkingHours(1, NINE, datetime.time(13)), WorkingHours(1, datetime.time(13), FIVE))
    assert fields(agreement(working_hours=hours)) == []


def test_a_day_that_does_not_end_after_it_starts_is_refused():
    hours = (WorkingHours(3, FIVE, NINE), WorkingHours(4, NINE, NINE))
    assert fields(agreement(working_hours=hours)) == [
        "working_hours.wednesday",
        "working_hours.thursday",
    ]


def test_an_effective_date_before_the_previous_versions_is_refused():
    previous = agreement(effective_from=datetime.date(2025, 3, 1))
    candidate = agreement(effective_from=datetime.date(2025, 2, 28))
    assert fields(candidate, previous=previous) == ["effective_from"]


def test_the_same_effective_date_as_the_previous_version_is_allowed():
    # A correction made on the day: the later version is the one in force from that date.
    previous = agreement(effective_from=datetime.date(2025, 3, 1))
    assert fields(agreement(effective_from=datetime.date(2025, 3, 1)), previous=previous) == []


def test_an_unknown_time_zone_is_refused():
    assert fields(agreement(time_zone="Europe/Amsterdm")) == ["calendar.time_zone"]


def test_an_unknown_holidays_country_is_refused():
    assert fields(agreement(country="XX")) == ["calendar.country"]


def test_an_unknown_subdivision_is_refused_and_a_known_one_passes():
    assert fields(agreement(country="DE", subdivision="ZZ")) == ["calendar.subdivision"]
    assert fields(agreement(country="DE", subdivision="BY")) == []


def test_a_subdivision_without_a_country_is_refused():
    assert fields(agreement(country=None, subdivision="BY")) == ["calendar.subdivision"]


@pytest.mark.parametrize("value", [1.2, -0.1])
def test_a_share_outside_zero_to_one_is_refused(value):
    candidate = agreement(targets=(Target(NOVEMBER, None, "share_mqls_answered", value),))
    assert fields(candidate) == ["targets.0.value"]


def test_shares_of_zero_and_one_are_allowed():
    targets = (
        Target(NOVEMBER, None, "share_mqls_answered", 0.0),
        Target(NOVEMBER, None, "share_contacted_in_time", 1.0),
    )
    assert fields(agreement(targets=targets)) == []


def test_a_negative_count_or_amount_is_refused():
    targets = (Target(NOVEMBER, None, "leads", 100.0), Target(NOVEMBER, None, "pipeline", -5.0))
    assert fields(agreement(targets=targets)) == ["targets.1.value"]


def test_a_target_not_on_the_first_of_the_month_or_unknown_metric_is_refused():
    targets = (Target(datetime.date(2024, 11, 5), None, "leads", 1.0),)
    assert fields(agreement(targets=targets)) == ["targets.0.month"]
    assert fields(agreement(targets=(Target(NOVEMBER, None, "calls", 1.0),))) == [
        "targets.0.metric"
    ]


def test_the_same_target_twice_is_refused():
    row = Target(NOVEMBER, "Paid search", "leads", 100.0)
    assert fields(agreement(targets=(row, row))) == ["targets.1.metric"]


def test_blank_names_are_refused():
    candidate = agreement(marketing_name=" ", sales_name="")
    assert fields(candidate) == ["marketing_name", "sales_name"]


def test_amber_above_green_is_refused():
    assert fields(agreement(green_from=0.9, amber_from=1.0)) == ["amber_from"]


def test_answering_mqls_within_zero_working_days_is_refused():
    assert fields(agreement(answer_within_working_days=0)) == ["answer_within_working_days"]


def test_a_closing_day_listed_twice_is_refused():
    day = datetime.date(2024, 12, 27)
    closing = (ClosingDay(day, "Christmas"), ClosingDay(day, "Again"))
    assert fields(agreement(closing_days=closing)) == ["closing_days.0", "closing_days.1"]


# ---- budgets ---------------------------------------------------------------------------------


def test_budgets_per_channel_and_month_are_valid():
    assert fields(agreement(budgets=BUDGETS)) == []


@pytest.mark.parametrize("amount", [-0.01, -6000.0])
def test_a_negative_budget_is_refused(amount):
    candidate = agreement(budgets=(Budget(NOVEMBER, "Paid search", amount, "EUR"),))
    assert fields(candidate) == ["budgets.0.amount"]
    assert "cannot be negative" in messages(candidate)


def test_a_budget_of_nothing_is_allowed():
    # A month the channel is paused: agreed, and different from no budget at all.
    assert fields(agreement(budgets=(Budget(NOVEMBER, "Trade show", 0.0, "EUR"),))) == []


@pytest.mark.parametrize("amount", [6000.005, float("nan"), float("inf")])
def test_a_budget_that_is_no_amount_in_cents_is_refused(amount):
    candidate = agreement(budgets=(Budget(NOVEMBER, "Paid search", amount, "EUR"),))
    assert fields(candidate) == ["budgets.0.amount"]


def test_a_budget_not_on_the_first_of_the_month_is_refused():
    candidate = agreement(budgets=(Budget(datetime.date(2024, 11, 15), "Paid search", 1.0, None),))
    assert fields(candidate) == ["budgets.0.month"]
    assert "starts on day 1" in messages(candidate)


@pytest.mark.parametrize("channel", ["", "  "])
def test_a_budget_without_a_channel_is_refused(channel):
    candidate = agreement(budgets=(Budget(NOVEMBER, channel, 100.0, "EUR"),))
    assert fields(candidate) == ["budgets.0.channel"]
    assert "name it" in messages(candidate)


def test_a_budget_for_an_unknown_channel_is_refused():
    candidate = agreement(budgets=(Budget(NOVEMBER, "Paid serch", 100.0, "EUR"),))
    assert fields(candidate) == ["budgets.0.channel"]
    assert fields(candidate, known_channels=None) == []  # a file read on its own


@pytest.mark.parametrize("currency", ["eur", "EURO", "E1R", ""])
def test_a_currency_that_is_no_three_letter_code_is_refused(currency):
    candidate = agreement(budgets=(Budget(NOVEMBER, "Paid search", 100.0, currency),))
    assert fields(candidate) == ["budgets.0.currency"]


def test_the_same_channel_twice_in_a_month_is_refused():
    twice = (
        Budget(NOVEMBER, "Paid search", 6000.0, "EUR"),
        Budget(NOVEMBER, "Paid search", 5000.0, "EUR"),
        Budget(datetime.date(2024, 12, 1), "Paid search", 5000.0, "EUR"),
    )
    assert fields(agreement(budgets=twice)) == ["budgets.1.channel"]
    assert "Paid search has two budgets for this month." in messages(agreement(budgets=twice))
