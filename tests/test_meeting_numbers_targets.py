"""The targets the meeting measures against: opportunities and the share of MQLs sales
accepted are agreed like any other target, and the status rule the overview and the meeting
share lives in the core."""

import datetime

import pandas as pd
import pytest

from revcycle.agreements import document
from revcycle.agreements.model import Target, Version
from revcycle.agreements.status import Status, status
from revcycle.agreements.validate import problems
from revcycle.paths import SAMPLE_AGREEMENT
from revcycle.ui import agreements as page_agreements
from tests.support.agreements import NOVEMBER, agreement

NEW_TARGETS = (
    Target(NOVEMBER, None, "opportunities", 12.0),
    Target(NOVEMBER, None, "share_mqls_accepted", 0.7),
)


def test_the_new_targets_are_valid():
    assert problems(agreement(targets=NEW_TARGETS), known_channels=None, previous=None) == []


@pytest.mark.parametrize("value", [1.5, -0.1])
def test_the_acceptance_target_is_a_share(value):
    found = problems(
        agreement(targets=(Target(NOVEMBER, None, "share_mqls_accepted", value),)),
        known_channels=None,
        previous=None,
    )
    assert [problem.message for problem in found] == [
        f"A share is between 0 and 1 (0.8 = 80%), not {value:g}."
    ]


def test_the_new_targets_survive_the_file_round_trip():
    saved = Version(1, "test", datetime.datetime(2024, 10, 1, 9), agreement(targets=NEW_TARGETS))
    text = document.dump([saved])
    assert "opportunities: 12" in text
    assert "share_mqls_accepted: 0.7" in text
    (loaded,) = document.load(text)
    assert set(loaded.agreement.targets) == set(NEW_TARGETS)


def test_the_sample_agrees_on_a_70_percent_acceptance_rate_every_month():
    versions = document.load(SAMPLE_AGREEMENT.read_text(encoding="utf-8"))
    for version in versions:
        months = {target.month for target in version.agreement.targets}
        accepted = {
            target.month: target.value
            for target in version.agreement.targets
            if target.metric == "share_mqls_accepted" and target.channel is None
        }
        assert accepted == dict.fromkeys(months, 0.7), version.number


def test_the_page_s_status_is_the_core_s():
    # 95 of a target of 100 against green from 100%, amber from 90%: amber, 95%.
    in_force = pd.Series({"green_from": 1.0, "amber_from": 0.9})
    assert page_agreements.status is status
    assert status(95, 100, in_force) == Status("amber", 0.95)
    assert page_agreements.status_cell(95, 100, in_force) == "🟠 95% of 100"
