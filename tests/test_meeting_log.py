"""The meeting's log of decisions and actions: every change kept with who made it, refusals in
sentences that name the field, the review of earlier weeks' open actions, and tables that
uploads, restores and backups treat as the meeting's own."""

import datetime
from typing import NamedTuple

import duckdb
import pyarrow as pa
import pytest

from revcycle import backup
from revcycle.importer import load
from revcycle.importer.original import Original
from revcycle.meeting import log
from tests.conftest import copy_database
from tests.support.agreements import agreement

# ISO week 47 of 2026 runs from Monday 16 to Sunday 22 November (1 Jan 2026 is a Thursday, so
# week 1 starts on Monday 29 Dec 2025, and 46 weeks later is 16 Nov).
W47 = "2026-W47"
MONDAY_AFTER = datetime.date(2026, 11, 23)  # the meeting that reviews week 47


class Week(NamedTuple):
    """Stands in for revcycle.meeting.week.Week: the log reads only its year and number."""

    year: int
    number: int


@pytest.fixture
def con(tmp_path):
    connection = duckdb.connect(str(tmp_path / "log.duckdb"))
    yield connection
    connection.close()


def snapshot(con) -> dict[str, list[tuple]]:
    """Every row of the log's tables and the change log: equal snapshots, nothing moved."""
    tables = [*log.TABLES, "change_log"]  # the allow-list of names, not input
    return {
        table: sorted(con.execute(f"select * from {table}").fetchall(), key=repr)
        for table in tables
        if con.execute(
            "select count(*) from information_schema.tables where table_name = $name",
            {"name": table},
        ).fetchall()[0][0]
    }


def test_a_decision_is_recorded_with_who_typed_it_and_its_week(con):
    assert log.add_decision(con, W47, "  Raise the webinar MQL threshold. ", "mara") == 1
    assert log.add_decision(con, Week(2026, 47), "Paid search gets 4 hours.", "sven") == 2
    found = log.decisions(con, W47)
    assert found["decision_id"].tolist() == [1, 2]
    assert found["text"].tolist() == [
        "Raise the webinar MQL threshold.",
        "Paid search gets 4 hours.",
    ]
    assert found["created_by"].tolist() == ["mara", "sven"]
    assert found["revision"].tolist() == [1, 1]
    assert found["agreement_version"].isna().all()
    assert log.decisions(con, "2026-W46").empty


def test_an_edit_adds_a_revision_and_keeps_the_first(con):
    action = log.add_action(con, W47, "Call back the webinar leads", "Bram", "2026-11-20", "mara")
    assert log.edit_action(con, action, "sven", status="done", owner="Bram Peters") == 2
    [current] = log.actions(con, W47).to_dict("records")
    assert (current["status"], current["owner"], current["revision"]) == ("done", "Bram Peters", 2)
    assert (current["created_by"], current["changed_by"]) == ("mara", "sven")
    kept = log.history(con, "action", action)
    assert kept["revision"].tolist() == [1, 2]
    assert kept["status"].tolist() == ["open", "done"]
    assert kept["owner"].tolist() == ["Bram", "Bram Peters"]
    assert kept["changed_by"].tolist() == ["mara", "sven"]
    assert log.history(con, "action", 99).empty


def test_every_write_has_its_line_in_the_change_log(con):
    log.add_decision(con, W47, "Raise the webinar MQL threshold.", "mara")
    log.add_action(con, W47, "Call back the webinar leads", "Bram", "2026-11-20", "mara")
    log.edit_action(con, 1, "sven", status="done")
    log.edit_decision(con, 1, "sven", text="Raise it to 60 points.")
    lines = con.execute("select changed_by, what from change_log order by rowid").fetchall()
    assert lines == [
        ("mara", "Recorded decision 1 of 2026-W47: “Raise the webinar MQL threshold.”"),
        (
            "mara",
            "Added action 1 of 2026-W47: “Call back the webinar leads”, owner Bram, "
            "due 20 Nov 2026",
        ),
        ("sven", "Changed action 1: status open → done"),
        ("sven", "Changed decision 1: text now “Raise it to 60 points.”"),
    ]


def test_an_edit_that_changes_nothing_adds_no_revision(con):
    log.add_action(con, W47, "Call back the webinar leads", "Bram", "2026-11-20", "mara")
    before = snapshot(con)
    assert log.edit_action(con, 1, "sven", owner=" Bram ", due_date="2026-11-20") is None
    assert snapshot(con) == before


def test_a_withdrawn_decision_is_kept_but_no_longer_stands(con):
    log.add_decision(con, W47, "Stop the webinar series.", "mara")
    log.add_decision(con, W47, "Raise the webinar MQL threshold.", "mara")
    assert log.edit_decision(con, 1, "sven", is_withdrawn=True) == 2
    assert log.decisions(con, W47)["decision_id"].tolist() == [2]
    everything = log.decisions(con, W47, include_withdrawn=True)
    assert everything["is_withdrawn"].tolist() == [True, False]
    assert log.history(con, "decision", 1)["is_withdrawn"].tolist() == [False, True]
    [(line,)] = con.execute("select what from change_log where changed_by = 'sven'").fetchall()
    assert line == "Changed decision 1: withdrawn"
    with pytest.raises(log.LogRefused) as refused:
        log.edit_decision(con, 1, "sven", is_withdrawn="no")
    assert str(refused.value) == "Withdrawn 'no' is not true or false."


def test_an_id_read_from_a_frame_can_be_edited(con):
    log.add_action(con, W47, "Call back the webinar leads", "Bram", "2026-11-20", "mara")
    action_id = log.actions(con, W47)["action_id"].iloc[0]  # numpy's integer, not Python's
    assert log.edit_action(con, action_id, "sven", status="done") == 2
    assert log.history(con, "action", action_id)["status"].tolist() == ["open", "done"]


def test_a_long_text_is_shortened_in_the_change_log_only(con):
    text = "x" * 100
    log.add_decision(con, W47, text, "mara")
    assert log.decisions(con, W47)["text"].tolist() == [text]
    [(line,)] = con.execute("select what from change_log").fetchall()
    assert line == f"Recorded decision 1 of 2026-W47: “{'x' * 59}…”"


def test_a_decision_points_to_the_agreement_version_it_led_to(funnel_db):
    lead = {"lead_id": "L1", "created_at": "2026-11-16 09:00:00"}
    con = funnel_db([lead], agreements=[agreement()])  # version 1, saved before the build
    log.add_decision(con, W47, "Paid search within 4 working hours.", "mara", agreement_version=1)
    assert log.decisions(con, W47)["agreement_version"].tolist() == [1]
    with pytest.raises(log.LogRefused) as refused:
        log.edit_decision(con, 1, "mara", agreement_version=2)
    assert str(refused.value) == "The agreement version 2 does not exist (the latest is 1)."
    assert log.edit_decision(con, 1, "mara", agreement_version=None) == 2
    assert log.decisions(con, W47)["agreement_version"].isna().all()


# Each refused change: adding a new action, or editing action 1 (due 20 Nov, week 47).
REFUSALS = [
    (
        "add",
        {"what": "   "},
        "what",
        "What to do is empty; write a few words.",
    ),
    (
        "add",
        {"owner": ""},
        "owner",
        "The owner is empty; write a few words.",
    ),
    (
        "add",
        {"due_date": "2026-11-31"},
        "due_date",
        "The due date '2026-11-31' is not a date; write it as 2026-11-27.",
    ),
    (
        "add",
        {"due_date": 20261120},
        "due_date",
        "The due date '20261120' is not a date; write it as 2026-11-27.",
    ),
    (
        "add",
        {"week": "2025-W53"},
        "week",
        "The week is not right: 2025 has no ISO week 53.",
    ),
    (
        "add",
        {"week": "week 47"},
        "week",
        "The week is not right: 'week 47' is not an ISO week; write it as 2026-W47.",
    ),
    (
        "add",
        {"due_date": datetime.date(2026, 11, 15)},
        "due_date",
        "The due date 15 Nov 2026 is before the week 2026-W47 it was agreed in (which starts "
        "16 Nov 2026).",
    ),
    (
        "add",
        {"editor": None},
        "editor",
        "Only an editor can change the meeting log; sign in as one.",
    ),
    (
        "add",
        {"what": "y" * 1001},
        "what",
        "What to do is 1,001 characters long; keep it under 1,000.",
    ),
    (
        "edit",
        {"status": "closed"},
        "status",
        "The status 'closed' is not one of open, done or dropped.",
    ),
    ("edit", {"status": None}, "status", "The status 'None' is not one of open, done or dropped."),
    (
        "edit",
        {"colour": "red"},
        "colour",
        "colour cannot be changed: an action has week, what, owner, due date and status.",
    ),
    ("edit", {}, "", "Nothing to change: an action has week, what, owner, due date and status."),
    (
        "edit",
        {"week": "2026-W48"},  # the action is due on 20 Nov, before week 48's Monday 23 Nov
        "due_date",
        "The due date 20 Nov 2026 is before the week 2026-W48 it was agreed in (which starts "
        "23 Nov 2026).",
    ),
]
NEW_ACTION = {"week": W47, "what": "Fix the form", "owner": "Ana", "due_date": "2026-11-27"}


@pytest.mark.parametrize(("how", "change", "field", "sentence"), REFUSALS)
def test_a_change_that_fails_a_check_is_refused_in_words_and_nothing_is_saved(
    con, how, change, field, sentence
):
    log.add_action(con, W47, "Call back the webinar leads", "Bram", "2026-11-20", "mara")
    before = snapshot(con)
    with pytest.raises(log.LogRefused) as refused:
        if how == "add":
            log.add_action(con, **(NEW_ACTION | {"editor": "mara"} | change))
        else:
            log.edit_action(con, 1, "sven", **change)
    assert refused.value.problems == [log.Problem(field, sentence)]
    assert str(refused.value) == sentence
    assert snapshot(con) == before


def test_a_decision_without_words_is_refused(con):
    with pytest.raises(log.LogRefused) as refused:
        log.add_decision(con, W47, " \n ", "mara")
    assert refused.value.problems == [
        log.Problem("text", "The decision is empty; write a few words.")
    ]
    assert log.decisions(con, W47).empty


def test_all_problems_of_one_change_are_said_together(con):
    with pytest.raises(log.LogRefused) as refused:
        log.add_action(con, W47, "", "", "tomorrow", "mara")
    assert [problem.field for problem in refused.value.problems] == ["what", "owner", "due_date"]


def test_a_record_that_does_not_exist_cannot_be_edited(con):
    log.add_decision(con, W47, "Raise the webinar MQL threshold.", "mara")
    with pytest.raises(log.LogRefused) as refused:
        log.edit_decision(con, 2, "mara", text="Something else")
    assert str(refused.value) == "There is no decision 2 to change."
    with pytest.raises(log.LogRefused) as refused:
        log.edit_action(con, 1, "mara", status="done")  # decision 1 is no action
    assert str(refused.value) == "There is no action 1 to change."


def test_a_change_whose_log_line_fails_leaves_nothing(con):
    log.add_action(con, W47, "Call back the webinar leads", "Bram", "2026-11-20", "mara")
    before = log.history(con, "action", 1)
    # The change log made read-only: the revision is inserted, then its line is refused.
    con.execute("alter table change_log rename to change_log_kept")
    con.execute("create view change_log as select * from change_log_kept")
    with pytest.raises(duckdb.Error):
        log.edit_action(con, 1, "sven", status="done")
    assert log.history(con, "action", 1).equals(before)


def test_two_sessions_adding_at_once_never_give_two_actions_one_id(con):
    log.ensure_tables(con)
    other = con.cursor()  # a second session on the same database, its insert not committed
    other.begin()
    other.execute(
        "insert into meeting_actions values "
        "(1, 1, '2026-W47', 'Fix the form', 'Ana', '2026-11-27', 'open', 'sven', now())"
    )
    assert log.add_action(con, W47, "Call back", "Bram", "2026-11-20", "mara") == 1
    # The later commit of the same id and revision is refused whole (the primary key).
    with pytest.raises(duckdb.TransactionException):
        other.commit()
    assert log.actions(con, W47)["what"].tolist() == ["Call back"]


def review_log(con) -> None:
    """Actions of weeks 44 to 47 in every state, for the meeting of 23 November (week 47)."""
    add = log.add_action
    add(con, "2026-W46", "Update the MQL scoring", "Ana", "2026-11-27", "mara")  # 1: open
    add(con, "2026-W45", "Fix the contact form", "Bram", "2026-11-06", "mara")  # 2: open, late
    add(con, "2026-W46", "Brief the SDRs", "Sven", "2026-11-13", "mara")  # 3: done
    add(con, W47, "Call back the webinar leads", "Bram", "2026-11-20", "mara")  # 4: this week
    add(con, "2026-W46", "Try LinkedIn forms", "Ana", "2026-11-12", "mara")  # 5: dropped
    add(con, "2026-W44", "Agree the rejection reasons", "Sven", "2026-11-20", "mara")  # 6: late
    log.edit_action(con, 3, "sven", status="done")
    log.edit_action(con, 5, "sven", status="dropped")


def test_the_review_lists_earlier_weeks_open_actions_overdue_first(con):
    review_log(con)
    found = log.review_actions(con, W47, MONDAY_AFTER)
    # 2 is 17 days late (6 -> 23 Nov), 6 is 3 days late (20 -> 23 Nov), 1 is due on the 27th;
    # 3 is done, 5 dropped, 4 belongs to week 47 itself.
    assert found["action_id"].tolist() == [2, 6, 1]
    assert found["is_overdue"].tolist() == [True, True, False]
    assert found["days_overdue"].tolist() == [17, 3, 0]
    assert found["week"].tolist() == ["2026-W45", "2026-W44", "2026-W46"]


def test_open_actions_of_every_week_and_those_due_by_a_day(con):
    review_log(con)
    found = log.open_actions(con, today=MONDAY_AFTER)
    # Action 4 (due 20 Nov) is 3 days late too; of two equally late, the earlier due comes
    # first, then the lower id.
    assert found["action_id"].tolist() == [2, 4, 6, 1]
    due_by = log.open_actions(con, before_or_on=datetime.date(2026, 11, 20), today=MONDAY_AFTER)
    assert due_by["action_id"].tolist() == [2, 4, 6]
    # On 21 Nov, actions 4 and 6 are due the day before: one day late.
    earlier = log.open_actions(con, today=datetime.date(2026, 11, 21))
    assert earlier.set_index("action_id")["days_overdue"].to_dict() == {2: 15, 4: 1, 6: 1, 1: 0}


def test_an_action_due_today_is_not_overdue(con):
    log.add_action(con, W47, "Call back the webinar leads", "Bram", "2026-11-20", "mara")
    [row] = log.open_actions(con, today=datetime.date(2026, 11, 20)).to_dict("records")
    assert (row["is_overdue"], row["days_overdue"]) == (False, 0)


def test_the_week_can_be_given_as_a_week_or_its_label(con):
    log.add_action(con, Week(2026, 5), "Plan the quarter", "Ana", "2026-02-06", "mara")
    assert log.actions(con, "2026-w05")["week"].tolist() == ["2026-W05"]
    assert log.actions(con, Week(2026, 5))["action_id"].tolist() == [1]
    assert log.week_label(Week(2026, 53)) == "2026-W53"  # 2026 starts on a Thursday: 53 weeks


def test_history_refuses_an_unknown_kind_or_id(con):
    with pytest.raises(ValueError, match="The kind 'meeting' is not one of decision or action."):
        log.history(con, "meeting", 1)
    with pytest.raises(ValueError, match="The action id 'one' is not a whole number."):
        log.history(con, "action", "one")


def test_reading_a_database_without_the_tables_gives_empty_frames(tmp_path):
    duckdb.connect(str(tmp_path / "new.duckdb")).close()
    with duckdb.connect(str(tmp_path / "new.duckdb"), read_only=True) as con:
        assert log.decisions(con, W47).columns.tolist() == log.DECISION_COLUMNS
        assert log.decisions(con, W47).empty
        assert log.actions(con, W47).columns.tolist() == log.ACTION_COLUMNS
        assert log.open_actions(con).columns.tolist() == log.OPEN_ACTION_COLUMNS
        assert log.review_actions(con, W47, MONDAY_AFTER).empty
        assert log.history(con, "decision", 1).empty


def test_the_empty_reading_is_a_fresh_frame_each_time_and_gives_way_to_the_log(tmp_path):
    # The empty result is made once per query: a caller changing it must not change the next
    # reading, and once the log's tables exist, what they hold is read.
    with duckdb.connect(str(tmp_path / "new.duckdb")) as con:
        first = log.decisions(con, W47)
        del first["text"]
        assert "text" not in first.columns
        assert log.decisions(con, W47).columns.tolist() == log.DECISION_COLUMNS
        log.add_decision(con, W47, "Raise the webinar MQL threshold.", "mara")
        assert log.decisions(con, W47)["text"].tolist() == ["Raise the webinar MQL threshold."]


def test_uploads_replaces_and_restores_leave_the_log_alone(funnel_db):
    con = funnel_db([{"lead_id": "L1", "created_at": "2026-11-16 09:00:00"}])
    log.add_decision(con, W47, "Raise the webinar MQL threshold.", "mara")
    review_log(con)
    before = {table: rows for table, rows in snapshot(con).items() if table != "change_log"}
    rows = pa.table({"lead_id": ["L2"], "created_at": ["2026-11-17 09:00:00"]})
    for mode in ("merge", "replace"):
        meta = load.UploadMeta(f"{mode}.csv", Original.of_bytes(mode.encode()), "generic", 1, 0)
        load.commit_upload(con, "leads", rows, mode, meta, changed_by="ana")
        assert {table: snapshot(con)[table] for table in log.TABLES} == before
    load.restore(con, 1, changed_by="ana")
    assert {table: snapshot(con)[table] for table in log.TABLES} == before
    assert con.execute("select count(*) from raw_leads").fetchall() == [(1,)]


def test_a_backup_holds_the_log_and_bringing_it_back_restores_it(tmp_path, sample_db_file):
    (tmp_path / "live").mkdir()
    db_file = copy_database(sample_db_file, tmp_path / "live" / "revcycle.duckdb")
    with duckdb.connect(str(db_file)) as con:
        log.add_action(con, W47, "Call back the webinar leads", "Bram", "2026-11-20", "mara")
    backup.take(db_file, tmp_path / "backup", taken_by="ops")
    with duckdb.connect(str(db_file)) as con:
        log.edit_action(con, 1, "sven", status="dropped")
        log.add_decision(con, W47, "Stop the webinar series.", "sven")
    backup.bring_back(tmp_path / "backup", db_file, "ops", replace=True)
    with duckdb.connect(str(db_file), read_only=True) as con:
        assert log.history(con, "action", 1)["status"].tolist() == ["open"]
        assert log.decisions(con, W47).empty
