"""`python -m revcycle actions`: the open actions for a scheduled reminder, overdue first, as a
table or as CSV, exit code 0, and never a traceback."""

import duckdb
import pytest

from revcycle.meeting import log
from tests import test_cli_load, test_disk_faults
from tests.test_meeting_log import W47, review_log

# The load tests' way of running the command: main() in this process, or the real process.
command = test_cli_load.command
revcycle = test_cli_load.revcycle
holder = test_disk_faults.holder  # another process holding the database, as the dashboard


@pytest.fixture
def db(tmp_path):
    """A database holding only the meeting log of weeks 44 to 47 (see review_log)."""
    path = tmp_path / "meeting.duckdb"
    with duckdb.connect(str(path)) as con:
        review_log(con)
    return path


# On Monday 23 November: action 2 was due 6 Nov (17 days late), 4 and 6 on 20 Nov (3 days
# late), 1 is due on the 27th; 3 is done and 5 dropped.
TABLE = """\
4 open actions on 23 Nov 2026, 3 overdue
    2  due 06 Nov 2026  overdue 17 days   Bram: Fix the contact form  (2026-W45)
    4  due 20 Nov 2026  overdue 3 days    Bram: Call back the webinar leads  (2026-W47)
    6  due 20 Nov 2026  overdue 3 days    Sven: Agree the rejection reasons  (2026-W44)
    1  due 27 Nov 2026                    Ana: Update the MQL scoring  (2026-W46)
"""


def test_the_open_actions_are_listed_overdue_first(revcycle, db):
    assert revcycle(db, "actions", "--today", "2026-11-23") == (0, TABLE)


def test_overdue_lists_only_the_late_ones(revcycle, db):
    code, out = revcycle(db, "actions", "--overdue", "--today", "2026-11-23")
    assert code == 0
    assert out.splitlines() == ["3 overdue actions on 23 Nov 2026", *TABLE.splitlines()[1:4]]


def test_csv_has_a_row_an_action_and_no_byte_order_mark(revcycle, db):
    code, out = revcycle(db, "actions", "--format", "csv", "--today", "2026-11-23")
    assert code == 0
    assert out.splitlines() == [
        "action_id,week,what,owner,due_date,is_overdue,days_overdue",
        "2,2026-W45,Fix the contact form,Bram,2026-11-06,True,17",
        "4,2026-W47,Call back the webinar leads,Bram,2026-11-20,True,3",
        "6,2026-W44,Agree the rejection reasons,Sven,2026-11-20,True,3",
        "1,2026-W46,Update the MQL scoring,Ana,2026-11-27,False,0",
    ]


def test_typed_text_cannot_run_as_a_formula_or_steer_the_terminal(revcycle, tmp_path):
    path = tmp_path / "typed.duckdb"
    with duckdb.connect(str(path)) as con:
        log.add_action(con, W47, '=HYPERLINK("x")\x1b[2J', "@ana\nnext", "2026-11-20", "mara")
    code, out = revcycle(path, "actions", "--format", "csv", "--today", "2026-11-20")
    assert (
        out.splitlines()[1] == '1,2026-W47,"\'=HYPERLINK(""x"") [2J",\'@ana next,2026-11-20,False,0'
    )
    code, out = revcycle(path, "actions", "--today", "2026-11-20")
    assert out.splitlines()[1].endswith('@ana next: =HYPERLINK("x") [2J  (2026-W47)')


def test_without_actions_it_says_so_and_exits_0(revcycle, tmp_path):
    assert revcycle(tmp_path / "none.duckdb", "actions", "--today", "2026-11-23") == (
        0,
        "no open actions on 23 Nov 2026\n",
    )
    code, out = revcycle(tmp_path / "none.duckdb", "actions", "--format", "csv")
    assert (code, out) == (0, "action_id,week,what,owner,due_date,is_overdue,days_overdue\r\n")


def test_a_bad_day_is_a_usage_error_without_a_traceback(db):
    code, out = command(db, "actions", "--today", "23-11-2026")
    assert code == 2
    assert "argument --today: invalid date value: '23-11-2026'" in out
    assert "Traceback" not in out


def test_the_real_command_lists_the_actions(db):
    assert command(db, "actions", "--today", "2026-11-23") == (0, TABLE)


def test_it_lists_the_actions_while_the_dashboard_holds_the_database(db, holder):
    holder(db)
    code, out = command(db, "actions", "--today", "2026-11-23")
    assert code == 0
    # The table on stdout, untouched; the note that it read a copy on stderr, after it.
    assert out.startswith(TABLE)
    assert f"Another process (a running dashboard?) holds {db}; this reads a copy" in out
