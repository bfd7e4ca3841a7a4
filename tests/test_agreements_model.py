"""The agreement's plain values: which follow-up applies to a channel, and what applies before
any agreement is saved."""

import dataclasses
import datetime
import math

import pytest

from revcycle.agreements.model import (
    Budget,
    FollowUp,
    Target,
    canonical,
    default_agreement,
    follow_up_for,
)

CONTACT_FORM = FollowUp("Website contact form", "call", 1.0, "working")
CONTENT = FollowUp("Content marketing", "nurture", None, "working")
DEFAULT = FollowUp(None, "email", 8.0, "working")


def with_follow_up(*rows):
    return dataclasses.replace(default_agreement("Europe/Amsterdam"), follow_up=rows)


def test_a_listed_channel_gets_its_own_row():
    agreement = with_follow_up(DEFAULT, CONTACT_FORM, CONTENT)
    assert follow_up_for(agreement, "Website contact form") == CONTACT_FORM
    assert follow_up_for(agreement, "Content marketing") == CONTENT


def test_a_channel_not_listed_gets_the_default():
    agreement = with_follow_up(CONTACT_FORM, DEFAULT)
    assert follow_up_for(agreement, "Trade show") == DEFAULT
    assert follow_up_for(agreement, None) == DEFAULT


def test_an_agreement_without_a_default_says_so():
    with pytest.raises(ValueError, match="no default"):
        follow_up_for(with_follow_up(CONTACT_FORM), "Trade show")


def test_the_default_agreement_is_todays_sidebar_rule():
    agreement = default_agreement("Europe/London")
    assert agreement.follow_up == (FollowUp(None, "call", 24.0, "calendar"),)
    assert agreement.time_zone == "Europe/London"
    assert agreement.country is None
    assert agreement.targets == ()
    assert agreement.mql_definition == "Not agreed yet."
    office = [(h.weekday, h.starts, h.ends) for h in agreement.working_hours]
    nine, five = datetime.time(9), datetime.time(17)
    assert office == [
        (1, nine, five),
        (2, nine, five),
        (3, nine, five),
        (4, nine, five),
        (5, nine, five),
    ]


def test_canonical_orders_rows_however_they_were_entered():
    # Hand order: default first, then channels by name; targets by month, all channels first.
    nov, dec = datetime.date(2024, 11, 1), datetime.date(2024, 12, 1)
    paid = FollowUp("Paid search", "call", 8.0, "working")
    shuffled = dataclasses.replace(
        default_agreement("Europe/Amsterdam"),
        follow_up=(paid, CONTACT_FORM, DEFAULT, CONTENT),
        targets=(
            Target(dec, None, "leads", 3.0),
            Target(nov, "Paid search", "mqls", 2.0),
            Target(nov, "Paid search", "leads", 1.0),
            Target(nov, None, "won_revenue", 4.0),
        ),
    )
    ordered = canonical(shuffled)
    assert ordered.follow_up == (DEFAULT, CONTENT, paid, CONTACT_FORM)
    assert [(t.month, t.channel, t.metric) for t in ordered.targets] == [
        (nov, None, "won_revenue"),
        (nov, "Paid search", "leads"),
        (nov, "Paid search", "mqls"),
        (dec, None, "leads"),
    ]


def test_canonical_orders_budgets_by_month_then_channel():
    nov, dec = datetime.date(2024, 11, 1), datetime.date(2024, 12, 1)
    shuffled = dataclasses.replace(
        default_agreement("Europe/Amsterdam"),
        budgets=(
            Budget(dec, "Paid search", 2.0, "EUR"),
            Budget(nov, "Trade show", 3.0, "EUR"),
            Budget(nov, "Paid search", 1.0, None),
        ),
    )
    assert [(b.month, b.channel) for b in canonical(shuffled).budgets] == [
        (nov, "Paid search"),
        (nov, "Trade show"),
        (dec, "Paid search"),
    ]


def test_an_agreement_made_without_budgets_has_none():
    assert default_agreement("Europe/Amsterdam").budgets == ()


def test_a_target_of_minus_zero_is_zero():
    # An editor cell typed "-0" is the number 0: saved and said as 0, never "Leads -0".
    target = Target(datetime.date(2026, 11, 1), None, "leads", -0.0)
    assert math.copysign(1, target.value) == 1
    assert f"{target.value:g}" == "0"
