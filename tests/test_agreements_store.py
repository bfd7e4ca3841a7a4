"""Agreements in DuckDB: saved as versions, never overwritten, imported all or nothing, and
untouched by uploads, replaces and restores of the exports."""

import dataclasses
import datetime

import duckdb
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings

from revcycle import audit
from revcycle.agreements import store
from revcycle.agreements.model import Budget, FollowUp, Target, Version, WorkingHours, canonical
from revcycle.agreements.validate import AgreementInvalid
from revcycle.importer import load
from revcycle.importer.original import Original
from tests.support.agreements import BUDGETS, NOVEMBER, agreement
from tests.test_agreements_document import version_lists

JUNE = datetime.date(2026, 6, 1)
DEFAULT = FollowUp(None, "call", 24.0, "calendar")
LEADS = [
    {"lead_id": "L1", "created_at": "2026-03-02 09:00:00", "channel": "Paid search"},
    {"lead_id": "L2", "created_at": "2026-07-01 10:00:00", "channel": "Referral"},
]


def tightened(**changes):
    """Version 2 of the support agreement: paid search within 4 working hours from June."""
    follow_up = tuple(
        dataclasses.replace(row, response_hours=4.0) if row.channel == "Paid search" else row
        for row in agreement().follow_up
    )
    return agreement(effective_from=JUNE, follow_up=follow_up, **changes)


def snapshot(con) -> dict[str, list[tuple]]:
    """Every row of every agreement table, sorted: two snapshots are equal when nothing moved."""
    return {
        table: sorted(con.execute(f"select * from {table}").fetchall(), key=repr)
        for table in store.TABLES  # the allow-list of table names, not input
    }


@pytest.fixture
def con(funnel_db):
    return funnel_db(LEADS)


@pytest.fixture
def con_with_first(funnel_db):
    """LEADS with the first version, ``agreement()``, saved: built once and copied, where a
    save in the test would rebuild the marts again before what the test is about."""
    return funnel_db(LEADS, agreements=[agreement()])


def test_saving_twice_makes_two_versions_and_the_first_stays_as_it_was(con):
    assert store.save(con, agreement(), "mara") == 1
    first = store.versions(con)[0]
    assert store.save(con, tightened(), "sven") == 2
    saved = store.versions(con)
    assert [(v.number, v.saved_by) for v in saved] == [(1, "mara"), (2, "sven")]
    assert saved[0] == first
    assert saved[0].agreement == canonical(agreement())
    assert saved[1].agreement == canonical(tightened())
    assert store.current(con).number == 2


def test_a_saved_version_records_who_saved_it_in_the_change_log(con):
    store.save(con, agreement(), "mara")
    assert audit.recent(con)["what"].tolist()[0] == (
        "Saved agreement version 1, in force from 1 Nov 2024"
    )
    assert audit.recent(con)["changed_by"].tolist()[0] == "mara"


def test_in_force_on_picks_the_version_effective_that_day(con):
    store.save(con, agreement(), "mara")  # from 1 Nov 2024
    store.save(con, tightened(), "sven")  # from 1 Jun 2026
    assert store.in_force_on(con, datetime.date(2026, 5, 31)).number == 1
    assert store.in_force_on(con, JUNE).number == 2
    assert store.in_force_on(con, datetime.date(2027, 1, 1)).number == 2
    # leads from before the first agreement are measured against the first
    assert store.in_force_on(con, datetime.date(2020, 1, 1)).number == 1


def test_nothing_saved_means_no_version(con):
    assert store.versions(con) == []
    assert store.current(con) is None
    assert store.in_force_on(con, JUNE) is None


def test_an_effective_date_before_the_previous_versions_is_refused_and_nothing_saved(con):
    store.save(con, tightened(), "sven")  # from 1 Jun 2026
    before = snapshot(con)
    with pytest.raises(AgreementInvalid) as refused:
        store.save(con, agreement(), "mara")  # from 1 Nov 2024
    assert [(p.field, p.version) for p in refused.value.problems] == [("effective_from", 2)]
    assert snapshot(con) == before


def test_an_unknown_channel_is_refused_against_the_databases_rules(con):
    rows = (DEFAULT, FollowUp("Paid serch", "call", 4.0, "working"))
    with pytest.raises(AgreementInvalid) as refused:
        store.save(con, agreement(follow_up=rows), "mara")
    assert [p.field for p in refused.value.problems] == ["follow_up.Paid serch.channel"]
    assert store.versions(con) == []


def test_a_save_that_fails_after_inserting_leaves_nothing(con_with_first):
    con = con_with_first
    before = snapshot(con)
    log = con.execute("select * from change_log").fetchall()
    # The change log made read-only: the version rows are written, then its line is refused.
    con.execute("alter table change_log rename to change_log_kept")
    con.execute("create view change_log as select * from change_log_kept")
    with pytest.raises(duckdb.Error):
        store.save(con, tightened(), "sven")
    assert snapshot(con) == before
    assert con.execute("select * from change_log_kept").fetchall() == log


def test_the_rebuild_runs_in_the_save(con):
    # The mart is rebuilt with the version: its data version moves on by one.
    built = con.execute("select max(data_version) from build_info").fetchall()[0][0]
    store.save(con, agreement(), "mara")
    assert con.execute("select max(data_version) from build_info").fetchall() == [(built + 1,)]


def test_uploads_replaces_and_restores_leave_the_agreement_tables_alone(con_with_first):
    con = con_with_first
    store.save(con, tightened(), "sven")
    before = snapshot(con)
    rows = pa.table({"lead_id": ["L3"], "created_at": ["2026-08-03 09:00:00"]})
    for mode in ("merge", "replace"):
        meta = load.UploadMeta(f"{mode}.csv", Original.of_bytes(mode.encode()), "generic", 1, 0)
        load.commit_upload(con, "leads", rows, mode, meta, changed_by="ana")
        assert snapshot(con) == before
    load.restore(con, 1, changed_by="ana")
    assert snapshot(con) == before
    assert con.execute("select count(*) from raw_leads").fetchall() == [(2,)]


def test_an_import_adds_new_versions_and_skips_identical_ones(con_with_first):
    con = con_with_first
    saved = store.versions(con)
    incoming = [*saved, Version(2, "", None, canonical(tightened()))]
    assert store.import_versions(con, incoming, "ops") == [2]
    second = store.versions(con)[1]
    assert (second.number, second.saved_by) == (2, "ops")  # the file did not say who saved it
    assert store.versions(con)[0] == saved[0]
    assert store.import_versions(con, store.versions(con), "ops") == []


def test_an_import_keeps_who_saved_each_version_in_the_file(con):
    at = datetime.datetime(2025, 1, 2, 3, 4, 5)
    store.import_versions(con, [Version(1, "mara", at, canonical(agreement()))], "ops")
    assert (store.versions(con)[0].saved_by, store.versions(con)[0].saved_at) == ("mara", at)


def test_an_import_that_changes_a_saved_version_is_refused_whole(con_with_first):
    con = con_with_first
    before = snapshot(con)
    changed = canonical(agreement(note="Edited afterwards."))
    incoming = [Version(1, "mara", None, changed), Version(2, "sven", None, canonical(tightened()))]
    with pytest.raises(AgreementInvalid) as refused:
        store.import_versions(con, incoming, "ops")
    [problem] = refused.value.problems
    assert problem.version == 1
    assert problem.message == (
        "Version 1 differs from the saved version 1 (Note: First agreement. → Edited "
        "afterwards.). A saved version is never changed: give the change the number 2."
    )
    assert snapshot(con) == before


def test_an_import_whose_numbers_do_not_follow_on_is_refused(con_with_first):
    con = con_with_first
    before = snapshot(con)
    with pytest.raises(AgreementInvalid) as refused:
        store.import_versions(con, [Version(3, "sven", None, canonical(tightened()))], "ops")
    assert [p.message for p in refused.value.problems] == [
        "Version 3 does not follow on: the next is 2."
    ]
    assert snapshot(con) == before


def test_an_import_with_one_invalid_version_adds_none(con):
    bad = canonical(tightened(targets=(Target(JUNE, None, "share_mqls_answered", 2.0),)))
    incoming = [Version(1, "", None, canonical(agreement())), Version(2, "", None, bad)]
    with pytest.raises(AgreementInvalid) as refused:
        store.import_versions(con, incoming, "ops")
    assert [(p.version, p.field) for p in refused.value.problems] == [(2, "targets.0.value")]
    assert store.versions(con) == []


def test_diff_says_what_changed_in_words():
    changes = store.diff(agreement(), tightened(note="Faster for paid search."))
    assert [(c.field, c.before, c.after) for c in changes] == [
        ("In force from", "1 Nov 2024", "1 Jun 2026"),
        ("Note", "First agreement.", "Faster for paid search."),
        ("Paid search: response time", "8 working hours", "4 working hours"),
    ]


def test_diff_names_kinds_targets_and_calendar():
    after = agreement(
        follow_up=(DEFAULT, FollowUp("Paid search", "nurture", None, "working")),
        targets=(Target(datetime.date(2024, 11, 1), None, "leads", 1600.0),),
        country="DE",
        subdivision="BY",
        working_hours=(),
    )
    changes = {c.field: (c.before, c.after) for c in store.diff(agreement(), after)}
    assert changes["Paid search: follow-up"] == (
        "call within 8 working hours",
        "nurture, no response time",
    )
    assert changes["Website contact form: follow-up"] == (
        "call within 4 working hours",
        "(not listed: the default applies)",
    )
    assert changes["Content marketing: follow-up"] == (
        "nurture, no response time",
        "(not listed: the default applies)",
    )
    assert changes["Target Nov 2024, all channels: leads"] == ("1,500", "1,600")
    assert changes["Target Nov 2024, Paid search: share contacted in time"] == ("80%", "(none)")
    assert changes["Public holidays of"] == ("NL", "DE (BY)")
    assert changes["Working hours on Monday"] == ("09:00-17:00", "closed")
    assert "Working hours on Saturday" not in changes  # closed before and after


def test_a_new_database_without_data_can_hold_an_agreement(tmp_path):
    with duckdb.connect(str(tmp_path / "new.duckdb")) as fresh:
        # no rules in the database yet: the bundled rules say which channels exist
        assert store.save(fresh, agreement(), "mara") == 1
        assert store.current(fresh).agreement == canonical(agreement())


def test_empty_lists_and_a_span_to_midnight_read_back_as_saved(con):
    evening = (WorkingHours(6, datetime.time(18), None),)  # Saturday 18:00 to midnight
    sparse = agreement(working_hours=evening, closing_days=(), targets=(), rejection_reasons=())
    store.save(con, sparse, "mara")
    assert store.current(con).agreement == canonical(sparse)
    assert con.execute(
        "select iso_weekday, starts, ends from agreement_working_hours"
    ).fetchall() == [(6, datetime.time(18), None)]


# Each example stores its versions in a new database; 30 of them still cover every field and
# kind of row many times over.
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(version_lists())
def test_every_agreement_reads_back_from_the_tables_as_imported(versions):
    with duckdb.connect() as fresh:
        # the generated channels are the database's channels
        fresh.execute("create table raw_channel_rules (source varchar, channel varchar)")
        for version in versions:
            for row in version.agreement.follow_up:
                fresh.execute("insert into raw_channel_rules values ('x', $c)", {"c": row.channel})
        store.import_versions(fresh, versions, "ops")
        stored = store.versions(fresh)
    assert [v.agreement for v in stored] == [v.agreement for v in versions]
    assert [v.saved_by or "ops" for v in versions] == [v.saved_by for v in stored]


def test_a_save_that_meets_another_editors_write_is_refused_in_a_sentence(tmp_path):
    with duckdb.connect(str(tmp_path / "two.duckdb")) as fresh:
        other = fresh.cursor()  # a second editor, whose first write is not committed yet
        other.begin()
        audit.record(other, "sven", "Saved the channel rules")  # creates the change log
        with pytest.raises(AgreementInvalid) as refused:
            store.save(fresh, agreement(), "mara")  # creates it too: DuckDB refuses one
        assert [p.message for p in refused.value.problems] == [store.SAVED_MEANWHILE]
        other.rollback()
        assert store.versions(fresh) == []


# ---- budgets ---------------------------------------------------------------------------------


def test_budgets_are_saved_with_their_version_and_read_back(con):
    store.save(con, agreement(budgets=BUDGETS), "mara")
    raised = (Budget(JUNE, "Paid search", 7000.0, "EUR"),)
    store.save(con, tightened(budgets=raised), "sven")
    first, second = store.versions(con)
    assert first.agreement.budgets == canonical(agreement(budgets=BUDGETS)).budgets
    assert second.agreement.budgets == raised
    # Amounts are kept in cents: 6,250.50 comes back as it was typed.
    assert con.execute(
        "select amount from agreement_budgets where version = 1 and channel = 'Paid search' "
        "order by month"
    ).fetchall() == [(6000,), (6250.5,)]


def test_the_staging_view_gives_each_budget_its_versions_effective_date(con):
    store.save(con, agreement(budgets=BUDGETS[:1]), "mara")  # from 1 Nov 2024
    store.save(con, tightened(budgets=(Budget(JUNE, "Trade show", 0.0, None),)), "sven")
    rows = con.execute(
        "select version, effective_from, month, channel, amount, currency "
        "from stg_agreement_budgets order by version"
    ).fetchall()
    assert [
        (v, eff, month, channel, float(amount), cur) for v, eff, month, channel, amount, cur in rows
    ] == [
        (1, NOVEMBER, NOVEMBER, "Paid search", 6000.0, "EUR"),
        (2, JUNE, JUNE, "Trade show", 0.0, None),
    ]


def test_an_agreement_saved_before_budgets_existed_still_reads_and_saves(con_with_first):
    con = con_with_first
    con.execute("drop view stg_agreement_budgets")
    con.execute("drop table agreement_budgets")  # as a database from before budgets
    assert store.current(con).agreement.budgets == ()
    assert store.save(con, tightened(budgets=BUDGETS[:1]), "sven") == 2
    assert store.current(con).agreement.budgets == BUDGETS[:1]


def test_diff_names_each_budget_that_changed():
    before = agreement(budgets=BUDGETS)
    after = agreement(
        budgets=(
            Budget(NOVEMBER, "Paid search", 6500.0, "EUR"),  # raised
            Budget(NOVEMBER, "Trade show", 9000.0, "EUR"),  # the same
            Budget(datetime.date(2024, 12, 1), "Paid search", 6250.5, "EUR"),  # the same
            # December's trade show dropped; January's content added
            Budget(datetime.date(2025, 1, 1), "Content marketing", 4000.0, None),
        )
    )
    assert [(c.field, c.before, c.after) for c in store.diff(before, after)] == [
        ("Budget Nov 2024, Paid search", "EUR 6,000", "EUR 6,500"),
        ("Budget Dec 2024, Trade show", "3,000 in the data's currency", "(none)"),
        ("Budget Jan 2025, Content marketing", "(none)", "4,000 in the data's currency"),
    ]
