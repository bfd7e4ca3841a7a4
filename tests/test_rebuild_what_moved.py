"""A change rewrites only the marts it moves (rebuild.MARTS_MOVED_BY): after an agreement
saved, or deals, touches or spend loaded, rebuilding everything changes no table. The sample
has leads, deals, touches, spend and two agreement versions."""

import dataclasses
import datetime
from decimal import Decimal

import duckdb
import pytest

from revcycle import rebuild
from revcycle.agreements import store
from revcycle.build import SAMPLE_FILE_BY_KIND
from revcycle.importer.load import commit_upload
from revcycle.importer.validate import prepare
from tests.conftest import building, copy_database, made_copy, write_export

# Every table a rebuild writes, and the agreement's days off.
REBUILT = (*rebuild.ALWAYS_REBUILT_MARTS, *rebuild.MART_TABLES, "agreement_days_off")


@pytest.fixture
def con(sample_db_file, tmp_path):
    """The sample, with its agreement."""
    connection = duckdb.connect(str(copy_database(sample_db_file, tmp_path / "sample.duckdb")))
    yield connection
    connection.close()


@pytest.fixture
def loaded(built_databases, tmp_path):
    """The sample's files loaded as anyone's exports: an upload over the sample itself would
    remove it, and rebuild everything."""
    make = building(SAMPLE_FILE_BY_KIND)
    connection = duckdb.connect(
        str(made_copy(built_databases, "sample-files", make, tmp_path / "loaded.duckdb"))
    )
    yield connection
    connection.close()


def tables_a_whole_rebuild_changes(con) -> dict[str, int]:
    """Per table of REBUILT, the rows a whole rebuild now adds or removes."""
    for table in REBUILT:  # names from the allow-list above, never from input
        con.execute(f"create or replace temp table kept_{table} as from {table}")
    con.begin()
    rebuild.rebuild_in_transaction(con)
    con.commit()
    return {
        table: con.execute(
            f"select (select count(*) from (from {table} except all from kept_{table})) "
            f"+ (select count(*) from (from kept_{table} except all from {table}))"
        ).fetchall()[0][0]
        for table in REBUILT
    }


def load(con, path, kind: str) -> None:
    prepared = prepare(con, path, kind=kind)
    commit_upload(con, kind, prepared.rows, "merge", prepared.meta(), changed_by="test")


def test_an_agreement_save_leaves_nothing_for_a_whole_rebuild_to_change(con):
    # Version 3 from 1 September 2026 gives every call and email one working hour, and
    # Belgium's holidays instead of the Dutch: more leads are late, 21 July is a day off.
    late = "select count(*) from funnel_revenue where not is_within_agreed_time"
    count_late_before = con.execute(late).fetchall()[0][0]
    sample = store.current(con).agreement
    strict = tuple(
        dataclasses.replace(rule, response_hours=1.0) if rule.response_hours else rule
        for rule in sample.follow_up
    )
    september = datetime.date(2026, 9, 1)
    version = dataclasses.replace(sample, effective_from=september, follow_up=strict, country="BE")
    store.save(con, version, "test")

    assert con.execute(late).fetchall()[0][0] > count_late_before
    national_day = (
        "select count(*) from agreement_days_off where version = 3 and day = '2026-07-21'"
    )
    assert con.execute(national_day).fetchall() == [(1,)]
    assert tables_a_whole_rebuild_changes(con) == dict.fromkeys(REBUILT, 0)


def test_loaded_touches_leave_nothing_for_a_whole_rebuild_to_change(loaded, tmp_path):
    # Two new touches of lead L0000001 (Referral, then a webinar), a month before its others:
    # its journey starts with them.
    lead = {"lead_id": "L0000001"}
    touches = write_export(
        tmp_path / "touches.csv",
        "touches",
        [
            lead | {"touch_id": "NEW-1", "touched_at": "2024-10-01 09:00:00", "source": "Referral"},
            lead | {"touch_id": "NEW-2", "touched_at": "2024-10-02 09:00:00", "source": "Webinar"},
        ],
    )
    path = "select path from lead_journeys where lead_id = 'L0000001'"
    before = loaded.execute(path).fetchall()[0][0]
    load(loaded, touches, "touches")

    # The channel rules put webinars under Content marketing.
    assert loaded.execute(path).fetchall()[0][0] == ["Referral", "Content marketing", *before]
    assert tables_a_whole_rebuild_changes(loaded) == dict.fromkeys(REBUILT, 0)


def test_loaded_spend_leaves_nothing_for_a_whole_rebuild_to_change(loaded, tmp_path):
    day_of_spend = {"date_from": "2026-11-02", "source": "Bing Ads", "campaign": "Spring test"}
    spend = write_export(
        tmp_path / "spend.csv", "spend", [day_of_spend | {"amount": "1234.56", "currency": "EUR"}]
    )
    day = "select sum(amount) from spend_days where spend_date = '2026-11-02'"
    before = loaded.execute(day).fetchall()[0][0] or 0
    load(loaded, spend, "spend")

    assert loaded.execute(day).fetchall()[0][0] == before + Decimal("1234.56")
    assert tables_a_whole_rebuild_changes(loaded) == dict.fromkeys(REBUILT, 0)


def test_loaded_deals_leave_nothing_for_a_whole_rebuild_to_change(loaded, tmp_path):
    # A new won deal of lead L0000001, €1,234.56 closed on 2 November 2026.
    deals = write_export(
        tmp_path / "deals.csv",
        "deals",
        [
            {
                "deal_id": "NEW-D1",
                "lead_id": "L0000001",
                "created_at": "2026-10-01 09:00:00",
                "stage": "Closed Won",
                "amount": "1234.56",
                "currency": "EUR",
                "closed_at": "2026-11-02 10:00:00",
            }
        ],
    )
    won = "select won_revenue from funnel_revenue where lead_id = 'L0000001'"
    before = loaded.execute(won).fetchall()[0][0]
    load(loaded, deals, "deals")

    assert loaded.execute(won).fetchall()[0][0] == before + Decimal("1234.56")
    credited = "select count(*) from deal_journeys where deal_id = 'NEW-D1'"
    assert loaded.execute(credited).fetchall()[0][0] > 0
    assert tables_a_whole_rebuild_changes(loaded) == dict.fromkeys(REBUILT, 0)
