"""Lead quality for the meeting: what sales did with the week's MQLs, by channel and reason,
on hand-written leads in a real DuckDB database. The week is 2026-W47 (16-22 November); the
agreement lists two rejection reasons, "No budget" and "Not a fit", and for November an
acceptance target of 70% for all channels and of 35% for Referral."""

import functools
from datetime import date

import pandas as pd
import pytest

from revcycle.agreements.model import Target
from revcycle.db import execute
from revcycle.meeting import numbers
from revcycle.meeting.week import Week
from tests.test_meeting_numbers import make_db

W47 = Week(2026, 47)


def mql(lead_id, channel, mql_at="2026-11-17 10:00:00", **fields):
    row = {"lead_id": lead_id, "created_at": "2026-11-16 09:00:00", "channel": channel}
    return row | {"mql_at": mql_at} | fields


LEADS = [
    # Paid search: Q1 accepted; Q2 disqualified for an agreed reason.
    mql("Q1", "Paid Search", sql_at="2026-11-18 10:00:00", status="Working"),
    mql("Q2", "Paid Search", status="Disqualified", disqualified_reason="No budget"),
    # Referral: Q3 rejected by its status alone ("Unqualified", HubSpot's word); Q4 by a
    # reason the agreement does not list; Q5 pending; Q6 reached SQL despite a reason, so
    # accepted, not rejected.
    mql("Q3", "Referral", status="Unqualified"),
    mql("Q4", "Referral", status="Working", disqualified_reason="Too small"),
    mql("Q5", "Referral", status="Working"),
    mql("Q6", "Referral", sql_at="2026-11-19 10:00:00", disqualified_reason="No budget"),
    # Became MQL the week before: not this week's.
    mql("Q7", "Referral", mql_at="2026-11-13 10:00:00", status="Disqualified"),
    # Not an MQL at all, though disqualified.
    {
        "lead_id": "Q8",
        "created_at": "2026-11-17 09:00:00",
        "channel": "Referral",
        "status": "Disqualified",
        "disqualified_reason": "Not a fit",
    },
]


@pytest.fixture(scope="module")
def quality(tmp_path_factory):
    con = make_db(
        tmp_path_factory.mktemp("quality"),
        LEADS,
        rejection_reasons=("No budget", "Not a fit"),
        targets=(
            Target(date(2026, 11, 1), None, "share_mqls_accepted", 0.7),
            Target(date(2026, 11, 1), "Referral", "share_mqls_accepted", 0.35),
        ),
    )
    yield numbers.lead_quality(execute_on(con), W47, None)
    con.close()


def execute_on(con):
    return functools.partial(execute, con)


def test_each_mql_of_the_week_is_accepted_rejected_or_pending(quality):
    rows = quality.by_channel.set_index("channel")
    assert rows.loc["Paid search", ["count_mqls", "count_accepted", "count_rejected"]].tolist() == [
        2,
        1,
        1,
    ]
    # Referral: Q3-Q6; accepted Q6, rejected Q3 and Q4, pending Q5.
    assert rows.loc[
        "Referral", ["count_mqls", "count_accepted", "count_rejected", "count_pending"]
    ].tolist() == [4, 1, 2, 1]
    assert rows.loc["(all channels)", ["count_mqls", "count_rejected"]].tolist() == [6, 3]
    assert rows["is_total"].tolist() == [False, False, True]


def test_the_acceptance_rate_is_over_the_mqls_sales_answered(quality):
    rows = quality.by_channel.set_index("channel")
    # Paid search 1 of 2 answered; Referral 1 of 3 answered (Q5 still pending); all 2 of 5.
    assert rows.loc["Paid search", "acceptance_rate"] == pytest.approx(1 / 2)
    assert rows.loc["Referral", "acceptance_rate"] == pytest.approx(1 / 3)
    assert rows.loc["(all channels)", "acceptance_rate"] == pytest.approx(2 / 5)


def test_rejections_are_listed_by_reason_with_those_not_agreed_flagged(quality):
    found = quality.by_reason[~quality.by_reason["is_total"]]
    assert [tuple(row) for row in found[["channel", "reason", "is_agreed_reason"]].values] == [
        ("Paid search", "No budget", True),
        ("Referral", "(no reason given)", False),
        ("Referral", "Too small", False),
    ]
    assert found["count_rejected"].tolist() == [1, 1, 1]


def test_the_target_is_the_agreed_acceptance_rate(quality):
    assert quality.target == pytest.approx(0.7)
    assert quality.cannot_measure is None


def test_without_any_status_or_reason_rejections_cannot_be_told(tmp_path):
    leads = [mql("R1", "Referral"), mql("R2", "Referral", sql_at="2026-11-18 10:00:00")]
    con = make_db(tmp_path, leads)
    try:
        found = numbers.lead_quality(execute_on(con), W47, None)
    finally:
        con.close()
    assert found.cannot_measure == numbers.NO_REJECTION_DATA
    assert found.target is None


def test_with_no_agreement_no_reason_is_flagged(tmp_path):
    con = make_db(tmp_path, [mql("R1", "Referral", disqualified_reason="Too small")])
    try:
        found = numbers.lead_quality(execute_on(con), W47, None)
    finally:
        con.close()
    assert found.by_reason["is_agreed_reason"].isna().all()
    assert found.by_reason["count_rejected"].tolist() == [1, 1]  # Referral and the total


def test_each_channel_s_rate_is_set_against_its_own_target(quality):
    rows = quality.by_channel.set_index("channel")
    # Referral 1/3 against 35%: 95%, amber (green from 100%, amber from 90%); Paid search
    # has no target of its own; all channels 2/5 against 70%: 57%, red.
    assert rows.loc["Referral", "acceptance_target"] == pytest.approx(0.35)
    assert rows.loc["Referral", "target_status"] == "amber"
    assert pd.isna(rows.loc["Paid search", "acceptance_target"])
    assert rows.loc["Paid search", "target_status"] is None
    assert rows.loc["(all channels)", "acceptance_target"] == pytest.approx(0.7)
    assert rows.loc["(all channels)", "target_status"] == "red"


def test_a_view_of_one_owner_has_no_acceptance_target(tmp_path):
    leads = [mql("R1", "Referral", owner="Ann", sql_at="2026-11-18 10:00:00")]
    con = make_db(
        tmp_path, leads, targets=(Target(date(2026, 11, 1), None, "share_mqls_accepted", 0.7),)
    )
    try:
        found = numbers.lead_quality(execute_on(con), W47, {"owners": ["Ann"]})
    finally:
        con.close()
    assert found.target is None
    assert found.by_channel["acceptance_target"].isna().all()
    assert found.by_channel["count_accepted"].tolist() == [1, 1]
