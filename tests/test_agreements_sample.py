"""The bundled sample's agreement: two versions, the contact form tightened from 1 June 2026."""

import datetime

import pytest

from revcycle.agreements import document, store
from revcycle.agreements.model import FollowUp, follow_up_for
from revcycle.agreements.validate import problems
from revcycle.build import build
from revcycle.db import connect
from revcycle.paths import SAMPLE_AGREEMENT


@pytest.fixture(scope="module")
def sample_versions(sample_db):
    return store.versions(sample_db)


def test_a_fresh_sample_build_holds_two_versions(sample_versions):
    assert [(v.number, v.agreement.effective_from) for v in sample_versions] == [
        (1, datetime.date(2024, 11, 1)),
        (2, datetime.date(2026, 6, 1)),
    ]


def test_the_version_in_force_changes_on_the_first_of_june(sample_db):
    # before the sample's first lead (20 Nov 2024) the first version applies too
    assert store.in_force_on(sample_db, datetime.date(2024, 10, 1)).number == 1
    assert store.in_force_on(sample_db, datetime.date(2026, 5, 31)).number == 1
    assert store.in_force_on(sample_db, datetime.date(2026, 6, 1)).number == 2


def test_the_contact_form_is_tightened_from_4_to_1_working_hour(sample_versions):
    first, second = (v.agreement for v in sample_versions)
    assert follow_up_for(first, "Website contact form") == FollowUp(
        "Website contact form", "call", 4.0, "working"
    )
    assert follow_up_for(second, "Website contact form") == FollowUp(
        "Website contact form", "call", 1.0, "working"
    )
    assert follow_up_for(second, "Content marketing").kind == "nurture"
    assert (first.country, first.time_zone) == ("NL", "Europe/Amsterdam")


def test_the_sample_file_passes_every_check_against_the_bundled_channels(sample_db):
    versions = document.load(SAMPLE_AGREEMENT.read_text(encoding="utf-8"), "agreement.yaml")
    channels = store.known_channels(sample_db)
    previous = None
    for version in versions:
        assert problems(version.agreement, known_channels=channels, previous=previous) == []
        previous = version.agreement


def test_the_sample_targets_cover_every_month_of_the_sample(sample_versions, sample_db):
    months = {
        row[0]
        for row in sample_db.execute(
            "select distinct date_trunc('month', created_at)::date from funnel_revenue "
            "where has_lead"
        ).fetchall()
    }
    for version in sample_versions:
        assert {t.month for t in version.agreement.targets if t.channel is None} == months


def test_a_database_with_its_own_agreement_keeps_it_when_the_sample_loads(tmp_path):
    con = connect(tmp_path / "own.duckdb")
    versions = document.load(SAMPLE_AGREEMENT.read_text(encoding="utf-8"), "agreement.yaml")
    store.import_versions(con, versions[:1], "ops")
    build(con, sample=True)
    assert [v.number for v in store.versions(con)] == [1]
    con.close()


def test_a_database_that_held_the_sample_before_agreements_gets_its_agreement(tmp_path):
    con = connect(tmp_path / "older.duckdb")
    build(con, sample=True)
    for table in store.TABLES:  # as a database built before agreements existed
        con.execute(f"drop table {table}")
    build(con)  # the next start's rebuild, not a sample build
    assert [v.number for v in store.versions(con)] == [1, 2]
    con.close()


def test_the_sample_budgets_cover_its_paid_channels_every_month(sample_versions, sample_db):
    months = {
        row[0]
        for row in sample_db.execute(
            "select distinct date_trunc('month', created_at)::date from funnel_revenue "
            "where has_lead"
        ).fetchall()
    }
    for version in sample_versions:
        budgets = version.agreement.budgets
        assert {(b.month, b.channel) for b in budgets} == {
            (month, channel)
            for month in months
            for channel in ("Content marketing", "Paid search", "Trade show")
        }
        assert {b.currency for b in budgets} == {"EUR"}


def test_the_sample_raises_paid_search_s_budget_from_june_2026(sample_versions):
    first, second = (v.agreement for v in sample_versions)

    def paid_search(agreement, month):
        return next(
            b.amount for b in agreement.budgets if (b.month, b.channel) == (month, "Paid search")
        )

    june = datetime.date(2026, 6, 1)
    assert (paid_search(first, june), paid_search(second, june)) == (18000.0, 24000.0)
    may = datetime.date(2026, 5, 1)
    assert paid_search(second, may) == 18000.0
