"""`python -m revcycle load|history|restore` as a scheduled job runs it: exit codes and output.

The command's main() runs in this process on a copy of the sample database: starting Python,
importing pandas and building 20,000 leads for every call would be most of the time spent.
Two tests start the real command, so `python -m revcycle` itself is covered.
"""

import io
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from revcycle.__main__ import main
from revcycle.db import connect
from revcycle.importer import read
from revcycle.paths import REPO_ROOT, log_path
from tests.conftest import copy_database, write_export

HUBSPOT = (
    '"Record ID","Create Date","Original Traffic Source","Contact owner","Email"\n'
    '"901","2026-11-02 10:15","Organic Search","Anna Keller","ann@x.example"\n'
    '"902","2026-11-03 08:00","Offline Sources","","bo@y.example"\n'
)
AMBIGUOUS = "lead_id;created_at\nA1;03/04/2026\nA2;05/06/2026\n"


def command(db, *args):
    """Run `python -m revcycle ARGS` as a separate process; its exit code and output."""
    result = subprocess.run(
        [sys.executable, "-m", "revcycle", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        env={**os.environ, "REVCYCLE_DB": str(db)},
        timeout=300,
    )
    return result.returncode, result.stdout + result.stderr


@pytest.fixture
def db(tmp_path, sample_db_file):
    """The sample database as the command builds it on first use, copied, not built again."""
    return copy_database(sample_db_file, tmp_path / "cli.duckdb")


@pytest.fixture
def revcycle(monkeypatch, capsys, caplog):
    """Run the command's main() here on ``db``; its exit code and output, as `command` gives.
    What it logs counts as output: the command's own process prints a logged traceback."""

    def run(db, *args):
        monkeypatch.setenv("REVCYCLE_DB", str(db))
        caplog.clear()
        try:
            code = main([str(arg) for arg in args])
        except SystemExit as exit:  # argparse ends a usage error with exit code 2
            code = exit.code
        captured = capsys.readouterr()
        return code, captured.out + captured.err + caplog.text

    return run


def test_the_command_exits_2_on_a_usage_error(tmp_path):
    code, out = command(tmp_path / "unused.duckdb", "load")
    assert code == 2 and "usage:" in out


def test_load_prints_accounting_and_unmapped_sources_then_commits(db, tmp_path, revcycle):
    export = tmp_path / "contacts.csv"
    export.write_text(HUBSPOT, encoding="utf-8")
    code, out = revcycle(db, "load", export)
    assert code == 0, out
    assert "HubSpot contacts export" in out
    assert "2 data lines in contacts.csv = 2 rows to load + 0 rejected" in out
    assert "Offline Sources" in out and "(unmapped)" in out
    assert "merge: 2 new, 0 changed, 0 unchanged" in out
    code, out = revcycle(db, "history")
    assert code == 0 and "contacts.csv" in out and "← current" in out


def test_a_source_column_of_sixty_values_names_fifty_and_counts_them_all(db, tmp_path, revcycle):
    # Sixty leads, each with a source of its own ("ref-10" ... "ref-69", no rule for any): the
    # line names the first fifty in order (ref-10 ... ref-59) and says the column may hold
    # something else, where it printed all of them (half a megabyte for 50,000).
    rows = [
        {"lead_id": f"L{i}", "created_at": "2026-11-02 10:00:00", "channel": f"ref-{i}"}
        for i in range(10, 70)
    ]
    export = write_export(tmp_path / "leads.csv", "leads", rows)
    code, out = revcycle(db, "load", export, "--dry-run")
    assert code == 0, out
    [line] = [line for line in out.splitlines() if "no channel rule" in line]
    named = ", ".join(f"ref-{i}" for i in range(10, 60))
    assert line == (
        "60 source values with no channel rule, so many that the column 'channel', read as the "
        "channel, may hold something else, such as an id or free text (--map channel=COLUMN "
        f"reads another); the first 50: {named}. Leads with them will load under (unmapped). "
        "Add rules with --channel-map RAW=CHANNEL."
    )


def test_a_file_no_preset_knows_is_refused_naming_the_columns_read(db, tmp_path, revcycle):
    export = tmp_path / "odd.csv"
    export.write_text("Name,Value,Notes,Owner,Region,Score,Tier\nfoo,1,x,Ann,EU,3,A\n")
    code, out = revcycle(db, "load", export)
    assert code == 1
    assert out.strip() == (
        "error: odd.csv: no preset or saved mapping recognises its columns ('Name', 'Value', "
        "'Notes', 'Owner', 'Region' and 2 more), so say what the file holds (--kind leads, "
        "deals, touches or spend) and map its columns (--map lead_id=<column>)"
    )


def summary_and_data(path):
    """A workbook with a summary table first, then the opportunities (one won deal of 100,
    two of 250.50 and 49.50 open), then an empty sheet; its path."""
    workbook = openpyxl.Workbook()
    workbook.active.title = "Summary"
    workbook.active.append(["Month", "Deals"])
    workbook.active.append(["Nov", 3])
    data = workbook.create_sheet("Data ")  # a trailing space, as people type sheet names
    data.append(["Opportunity ID", "Created Date", "Close Date", "Stage", "Amount"])
    data.append(["006X", "2026-11-02", "2026-11-20", "Closed Won", 100])
    data.append(["006Y", "2026-11-03", None, "Proposal", 250.5])
    data.append(["006Z", "2026-11-04", None, "Proposal", 49.5])
    workbook.create_sheet("Notes")
    workbook.save(path)
    return path


def test_a_workbook_whose_first_table_is_no_export_names_the_sheet_read(db, tmp_path, revcycle):
    # The first table is read, and the refusal says which and how to read another.
    code, out = revcycle(db, "load", summary_and_data(tmp_path / "two.xlsx"))
    assert code == 1
    assert out.strip() == (
        "error: two.xlsx: no preset or saved mapping recognises its columns ('Month', 'Deals'; "
        "read the sheet 'Summary', the first with a table; ignored 'Data ', 'Notes'), so say "
        "what the file holds (--kind leads, deals, touches or spend) and map its columns (--map "
        "lead_id=<column>); or, if the export is on another sheet, name it with --sheet"
    )


@pytest.mark.parametrize("named", ["Data ", "data"])
def test_sheet_reads_the_sheet_it_names_in_any_case_and_spacing(db, tmp_path, revcycle, named):
    workbook = summary_and_data(tmp_path / "two.xlsx")
    code, out = revcycle(db, "load", workbook, "--sheet", named, "--mode", "replace")
    assert code == 0, out
    assert "read the sheet 'Data ', as chosen; ignored 'Summary', 'Notes'" in out
    deals = rows_of(db, "select deal_id, amount, is_won from stg_deals order by deal_id")
    assert deals == [
        ("006X", Decimal("100.00"), True),
        ("006Y", Decimal("250.50"), False),
        ("006Z", Decimal("49.50"), False),
    ]


def test_a_problem_in_a_workbook_of_several_sheets_names_the_sheet(db, tmp_path, revcycle):
    # Excel opens a workbook on the sheet last shown: "line 3" alone may be looked for on the
    # summary. A deal without its creation date, on the Data sheet's row 3.
    workbook = openpyxl.load_workbook(summary_and_data(tmp_path / "two.xlsx"))
    workbook["Data "]["B3"] = None
    workbook.save(tmp_path / "two.xlsx")
    code, out = revcycle(db, "load", tmp_path / "two.xlsx", "--sheet", "data", "--dry-run")
    assert code == 0, out
    assert (
        "error: two.xlsx, sheet 'Data ', line 3, column Created Date: created_at is blank; "
        "every deal needs one"
    ) in out


@pytest.mark.parametrize(
    ("sheet", "said"),
    [
        ("Deals", "The file has no sheet 'Deals'; its sheets are 'Summary', 'Data ', 'Notes'."),
        (
            "Notes",
            "The file has no data on its sheet 'Notes'. Choose another sheet, or leave the "
            "choice out to read the first with a table.",
        ),
    ],
)
def test_a_sheet_the_workbook_lacks_or_leaves_empty_is_refused(db, tmp_path, revcycle, sheet, said):
    before = read_history(db)
    code, out = revcycle(db, "load", summary_and_data(tmp_path / "two.xlsx"), "--sheet", sheet)
    assert (code, out.strip()) == (1, f"error: two.xlsx: {said}")
    assert read_history(db) == before


def test_sheet_with_a_csv_is_refused_as_text_has_no_sheets(db, tmp_path, revcycle):
    export = tmp_path / "contacts.csv"
    export.write_text(HUBSPOT, encoding="utf-8")
    code, out = revcycle(db, "load", export, "--sheet", "Data")
    assert (code, out.strip()) == (
        1,
        "error: contacts.csv: The file is text, not a workbook, so it has no sheet 'Data'. "
        "Load it without --sheet.",
    )


def grouped_report(path: Path, rows: list[list], merged: list[str]) -> Path:
    """A Salesforce opportunities report grouped by stage, saved as a workbook: ``rows``
    under its header, each range of ``merged`` (a stage written once) merged."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["Stage", "Opportunity ID", "Amount", "Created Date", "Close Date"])
    for row in rows:
        sheet.append(row)
    for cells in merged:
        sheet.merge_cells(cells)
    workbook.save(path)
    return path


def test_a_report_grouped_by_stage_in_merged_cells_loads_each_deal_s_stage(db, tmp_path, revcycle):
    # A Salesforce report grouped by stage as a workbook: each stage written once, merged down
    # over its opportunities. Read as blank, four of the six deals would have no stage.
    rows = [
        ["Closed Won", "006A", 100.25, "2026-11-02", "2026-11-20"],
        [None, "006B", 200, "2026-11-03", "2026-11-21"],
        [None, "006C", 300, "2026-11-04", "2026-11-22"],
        ["Proposal", "006D", 400, "2026-11-05", None],
        [None, "006E", 500, "2026-11-06", None],
    ]
    report = grouped_report(tmp_path / "grouped.xlsx", rows, ["A2:A4", "A5:A6"])
    code, out = revcycle(db, "load", report, "--mode", "replace")
    assert code == 0, out
    assert "read 3 cells of merged ranges as the value at their top (A2:A4, A5:A6)" in out
    [(won, open_pipeline)] = rows_of(
        db,
        "select sum(amount) filter (where is_won), sum(amount) filter (where not is_closed) "
        "from stg_deals",
    )
    # Won: 100.25 + 200 + 300; open: 400 + 500.
    assert (won, open_pipeline) == (Decimal("600.25"), Decimal("900.00"))


def test_a_grouped_report_s_subtotals_and_total_load_as_no_deal(db, tmp_path, revcycle):
    # The report above as a formatted report saves it: a Subtotal row under each stage and a
    # Total under all. Read as data they were three rejected rows ("deal_id is blank").
    rows = [
        ["Closed Won", "006A", 100.25, "2026-11-02", "2026-11-20"],
        [None, "006B", 200, "2026-11-03", "2026-11-21"],
        ["Subtotal", None, 300.25, None, None],
        ["Proposal", "006D", 400, "2026-11-05", None],
        [None, "006E", 500, "2026-11-06", None],
        ["Subtotal", None, 900, None, None],
        ["Total", None, 1200.25, None, None],
    ]
    report = grouped_report(tmp_path / "grouped.xlsx", rows, ["A2:A3", "A5:A6"])
    code, out = revcycle(db, "load", report, "--mode", "replace")
    assert code == 0, out
    assert (
        "7 data lines in grouped.xlsx = 4 rows to load + 0 rejected + 3 totals rows (lines 4, 7, 8)"
    ) in out
    [(count, won, open_pipeline)] = rows_of(
        db,
        "select count(*), sum(amount) filter (where is_won), "
        "sum(amount) filter (where not is_closed) from stg_deals",
    )
    # Four deals; won: 100.25 + 200; open: 400 + 500.
    assert (count, won, open_pipeline) == (4, Decimal("300.25"), Decimal("900.00"))


def test_a_hubspot_xls_export_loads_its_leads(db, revcycle):
    # The fixture's rows are written out in tests/test_read.py.
    export = REPO_ROOT / "tests" / "fixtures" / "exports" / "read" / "hubspot_contacts.xls"
    code, out = revcycle(db, "load", export, "--mode", "replace")
    assert code == 0, out
    assert "read hubspot_contacts.xls as leads: HubSpot contacts export" in out
    leads = rows_of(db, "select lead_id, created_at, channel, owner from funnel_revenue order by 1")
    assert [(lead_id, str(created_at), owner) for lead_id, created_at, _, owner in leads] == [
        ("901", "2026-11-02 10:15:00", "Anna Keller"),
        ("902", "2026-11-03 08:00:00", "(unassigned)"),  # the export names no owner
        ("903", "2026-11-04 00:00:00", "Bo Berg"),
    ]


def test_a_pipedrive_export_saved_by_libreoffice_loads_its_deals(db, revcycle):
    # The fixture's rows are written out in tests/test_read.py.
    export = REPO_ROOT / "tests" / "fixtures" / "exports" / "read" / "pipedrive_deals.ods"
    code, out = revcycle(db, "load", export, "--mode", "replace")
    assert code == 0, out
    deals = rows_of(db, "select deal_id, amount, is_won, is_closed from stg_deals order by 1")
    assert deals == [
        ("101", Decimal("1250.50"), True, True),
        ("102", Decimal("300.00"), False, False),
    ]


def read_history(db) -> list[tuple]:
    return rows_of(db, "select upload_id, file_name from uploads order by 1")


def rows_of(db, sql: str) -> list[tuple]:
    """The rows ``sql`` returns from the database at ``db``, on a connection of its own."""
    con = connect(db)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_loading_the_same_file_again_changes_nothing(db, tmp_path, revcycle):
    export = tmp_path / "contacts.csv"
    export.write_text(HUBSPOT, encoding="utf-8")
    revcycle(db, "load", export)
    code, out = revcycle(db, "load", export, "--dry-run")
    assert code == 0 and "merge: 0 new, 0 changed, 2 unchanged" in out


def test_ambiguous_dates_are_refused_until_a_format_is_given(db, tmp_path, revcycle):
    export = tmp_path / "sheet.csv"
    export.write_text(AMBIGUOUS, encoding="utf-8")
    code, out = revcycle(db, "load", export, "--dry-run")
    assert code == 1
    assert "day-first or month-first" in out and "Traceback" not in out
    code, out = revcycle(db, "load", export, "--date-format", "day-first", "--dry-run")
    assert code == 0 and "2 rows to load" in out


def test_amounts_that_read_either_way_wait_for_the_decimal_mark(db, tmp_path, revcycle):
    # No amount shows its mark: 1.500 is fifteen hundred with a decimal comma, one and a half
    # with a decimal point. The command asks; with --decimal-mark , the deals are 1,500.00 and
    # 2,250.00 euros.
    export = tmp_path / "deals.csv"
    export.write_text(
        "deal_id;created_at;amount;currency\nD-1;2026-11-02;1.500;EUR\nD-2;2026-11-03;2.250;EUR\n",
        encoding="utf-8",
    )
    code, out = revcycle(db, "load", export)
    assert code == 1 and "Traceback" not in out
    assert (
        "deals.csv, column amount: could have a decimal point or a decimal comma, and no amount "
        "shows which (e.g. 1.500); choose with --decimal-mark"
    ) in out
    code, out = revcycle(db, "load", export, "--decimal-mark", ",")
    assert code == 0, out
    with connect(db) as con:
        amounts = con.execute(
            "select deal_id, amount from raw_deals where deal_id like 'D-_' order by deal_id"
        ).fetchall()
    assert amounts == [("D-1", Decimal("1500.00")), ("D-2", Decimal("2250.00"))]


def test_one_column_mapped_to_two_fields_is_warned_about(db, tmp_path, revcycle):
    export = tmp_path / "two.csv"
    export.write_text("ref,Date\nR1,2026-10-01\n", encoding="utf-8")
    maps = ["--map", "deal_id=ref", "--map", "created_at=Date", "--map", "closed_at=Date"]
    code, out = revcycle(db, "load", export, "--kind", "deals", *maps, "--dry-run")
    assert code == 0, out
    assert (
        "warning: The column Date feeds created_at and closed_at: check that one column is "
        "meant for all of them."
    ) in out


def test_a_deals_source_no_rule_knows_is_listed_before_the_commit(db, tmp_path, revcycle):
    # Q3 links to no lead: it counts in its own source's channel, which no rule knows yet.
    export = tmp_path / "deals.csv"
    export.write_text(
        "deal_id,created_at,source,amount,currency\nQ3,2026-11-02,Some Unmapped Thing,10.00,EUR\n",
        encoding="utf-8",
    )
    code, out = revcycle(db, "load", export, "--dry-run")
    assert code == 0, out
    assert (
        "source values with no channel rule: Some Unmapped Thing. Deals with them and no lead "
        "will count under (unmapped). Add rules with --channel-map RAW=CHANNEL."
    ) in out


def test_each_open_question_of_a_file_is_a_line_of_its_own(db, tmp_path, revcycle):
    # Dates that read both ways and amounts that read both ways: two questions, two lines.
    export = tmp_path / "both.csv"
    export.write_text(
        "deal_id;created_at;amount\nD-1;03/04/2026;1.500\nD-2;05/06/2026;2.250\n",
        encoding="utf-8",
    )
    code, out = revcycle(db, "load", export)
    assert code == 1
    errors = [line for line in out.splitlines() if line.startswith("error: ")]
    assert [line.split(": ")[1] for line in errors] == [
        "both.csv, column created_at",
        "both.csv, column amount",
    ]


def test_any_spreadsheet_loads_with_map(db, tmp_path, revcycle):
    export = tmp_path / "mqls.csv"
    export.write_text("mql_id,when,source\nM1,2026-11-02,Webinar\n", encoding="utf-8")
    code, out = revcycle(db, "load", export)
    assert code == 1 and "--kind" in out
    code, out = revcycle(
        db,
        "load",
        export,
        "--kind",
        "leads",
        "--map",
        "lead_id=mql_id",
        "--map",
        "created_at=when",
        "--map",
        "channel=source",
    )
    assert code == 0, out
    assert "1 row to load + 0 rejected" in out


def test_restore_undoes_an_upload(db, tmp_path, revcycle):
    export = tmp_path / "contacts.csv"
    export.write_text(HUBSPOT, encoding="utf-8")
    code, out = revcycle(db, "load", export)
    undo = out.split("`python -m revcycle restore ")[1].split("`")[0]
    # The sample is uploads 1-4 (leads, deals, touches, spend): back to after 4.
    assert undo == "4"
    code, out = revcycle(db, "restore", undo)
    assert code == 0
    code, out = revcycle(db, "load", export, "--dry-run")
    assert "merge: 2 new" in out  # the rows are gone again


def test_usage_errors_exit_2_and_refusals_exit_1(db, tmp_path, revcycle):
    assert revcycle(db, "load")[0] == 2
    # A sample of no leads or fewer: a usage error (it was an unexpected ValueError).
    for leads in ("0", "-5", "many"):
        code, out = revcycle(db, "sample", "--leads", leads, "--out", tmp_path / "sample")
        assert code == 2 and "a whole number of 1 or more" in out, leads
    assert not (tmp_path / "sample").exists()
    assert revcycle(db, "load", tmp_path / "x.csv", "--map", "lead_id")[0] == 2
    code, out = revcycle(db, "load", tmp_path / "missing.csv")
    assert code == 1 and "Traceback" not in out
    old = tmp_path / "old.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512)
    code, out = revcycle(db, "load", old)
    assert code == 1 and ".xlsx" in out


def test_a_dry_run_on_a_new_database_knows_the_bundled_channel_rules(tmp_path, revcycle):
    # data/channel_rules.csv maps "Paid Search"; "Mystery Fair" has no rule. The dry run must
    # say what the real load into a new database will say: only Mystery Fair is unmapped.
    export = tmp_path / "leads.csv"
    export.write_text(
        "lead_id,created_at,channel\nA1,2026-03-02 09:00,Paid Search\n"
        "A2,2026-03-03 10:00,Mystery Fair\n",
        encoding="utf-8",
    )
    fresh = tmp_path / "new.duckdb"
    code, dry = revcycle(fresh, "load", export, "--kind", "leads", "--dry-run")
    assert code == 0, dry
    code, loaded = revcycle(fresh, "load", export, "--kind", "leads")
    assert code == 0, loaded
    for out in (dry, loaded):
        assert "no channel rule: Mystery Fair. Leads with them will load under (unmapped)." in out


def test_the_first_upload_says_there_is_no_earlier_state(tmp_path, revcycle):
    export = tmp_path / "leads.csv"
    export.write_text("lead_id,created_at\nA1,2026-03-02 09:00\n", encoding="utf-8")
    code, out = revcycle(tmp_path / "new.duckdb", "load", export, "--kind", "leads")
    assert code == 0, out
    assert "loaded as upload 1; it is the first upload" in out
    assert "restore None" not in out


def test_a_channel_rule_given_with_the_load_maps_the_source_and_outlives_an_undo(
    db, tmp_path, revcycle
):
    # HubSpot's "Offline Sources" has no bundled rule; the load adds one to Events. Restoring
    # the state before the upload takes the rows back; the rule, the channels' own, stays.
    export = tmp_path / "hubspot.csv"
    export.write_text(HUBSPOT, encoding="utf-8")
    code, out = revcycle(db, "load", export, "--channel-map", "Offline Sources=Events")
    assert code == 0, out
    assert "the channel rules it added stay" in out
    restore_to = out.split("restore ")[1].split("`")[0]
    with connect(db, read_only=True) as con:
        channel = con.execute("select channel from funnel_revenue where lead_id = '902'")
        assert channel.fetchall() == [("Events",)]
    assert revcycle(db, "restore", restore_to)[0] == 0
    with connect(db, read_only=True) as con:
        rules = con.execute(
            "select channel from stg_channel_rules where source_key = 'offline_sources'"
        )
        assert rules.fetchall() == [("Events",)]


def test_output_read_by_a_reader_that_stops_early_ends_quietly(db):
    """`history | head -1`: the reader goes away before the command has written. The command
    stops without a word on the screen (Python would say "Exception ignored … BrokenPipeError",
    or the command "Something unexpected went wrong"), and nothing is logged as a failure."""
    read_end, write_end = os.pipe()
    os.close(read_end)  # gone before the first write, as head is after its line
    try:
        result = subprocess.run(
            [sys.executable, "-m", "revcycle", "history"],
            stdout=write_end,
            stderr=subprocess.PIPE,
            text=True,
            cwd=REPO_ROOT,
            env={**os.environ, "REVCYCLE_DB": str(db), "XDG_STATE_HOME": str(db.parent / "state")},
            timeout=300,
        )
    finally:
        os.close(write_end)
    assert result.stderr == ""
    assert result.returncode == 1
    assert not (db.parent / "state").exists()


def test_a_database_path_that_is_a_csv_or_a_folder_is_refused_and_changes_nothing(
    tmp_path, revcycle
):
    # DuckDB opens a CSV as an in-memory database that reads it: `load` said "loaded as
    # upload 1", exit 0, and kept nothing; `history` then failed on "in-memory database".
    not_a_database = tmp_path / "spend.csv"
    not_a_database.write_text("date,source,amount\n2026-03-02,Google Ads,10.00\n", "utf-8")
    leads = tmp_path / "leads.csv"
    leads.write_text("lead_id,created_at\nL1,2026-03-02 09:00:00\n", encoding="utf-8")
    before = not_a_database.read_bytes()
    for command in (["load", leads], ["build"], ["history"]):
        code, out = revcycle(not_a_database, *command)
        assert code == 1, (command, out)
        assert f"REVCYCLE_DB names {not_a_database}, which is not a DuckDB database" in out
        assert "Traceback" not in out and "in-memory" not in out
    assert not_a_database.read_bytes() == before
    code, out = revcycle(tmp_path, "load", leads)
    assert code == 1 and f"REVCYCLE_DB names {tmp_path}, which is a folder" in out


def test_a_traceback_the_package_logs_goes_to_the_log_file_not_the_screen(
    tmp_path, monkeypatch, capsys
):
    # read_export logs an unforeseen failure with its traceback; the command line set up no
    # handler, so Python's last resort printed "Traceback (most recent call last)" on stderr.
    def unforeseen(path):
        raise ValueError("a failure nobody foresaw")

    monkeypatch.setattr(read, "_read_text", unforeseen)
    monkeypatch.setenv("REVCYCLE_DB", str(tmp_path / "db.duckdb"))
    leads = tmp_path / "leads.csv"
    leads.write_text("lead_id,created_at\nL1,2026-03-02 09:00:00\n", encoding="utf-8")
    assert main(["load", str(leads), "--dry-run"]) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert f"error: reading {leads} failed (the details are in {log_path()})" in err
    assert "could not be read (ValueError: a failure nobody foresaw)" in err
    assert "a failure nobody foresaw" in log_path().read_text(encoding="utf-8")


class Terminal(io.StringIO):
    """What a terminal would receive: a stream that says it is one."""

    def isatty(self) -> bool:
        return True


def test_a_terminal_gets_escape_sequences_in_names_and_values_as_text(tmp_path, monkeypatch):
    # A file name and a source holding ESC sequences cleared the screen and coloured the
    # terminal: on a terminal they are shown as "\x1b" (a CR as "\x0d").
    name = tmp_path / "\x1b[31mred\x1b[0m.csv"
    others = "".join(f"L{row},2026-03-02 09:00:00,Referral\n" for row in range(2, 200))
    name.write_text(
        "lead_id,created_at,channel\nL1,2026-03-02 09:00:00,\x1b[2J\x1b[Hclear\n"
        + others,  # among many plain rows: a few control characters are no binary file
        encoding="utf-8",
    )
    monkeypatch.setenv("REVCYCLE_DB", str(tmp_path / "db.duckdb"))
    out, err = Terminal(), Terminal()
    monkeypatch.setattr(sys, "stdout", out)
    monkeypatch.setattr(sys, "stderr", err)
    assert main(["load", str(name), "--dry-run"]) == 0
    shown = out.getvalue() + err.getvalue()
    assert "\x1b" not in shown and "\r" not in shown
    assert "read \\x1b[31mred\\x1b[0m.csv as leads" in shown
    assert "\\x1b[2J\\x1b[Hclear" in shown
    # Written to a file or a pipe, output is left byte for byte.
    piped = io.StringIO()
    monkeypatch.setattr(sys, "stdout", piped)
    assert main(["load", str(name), "--dry-run"]) == 0
    assert "read \x1b[31mred\x1b[0m.csv as leads" in piped.getvalue()


def test_a_csv_written_on_a_terminal_is_written_whole(db, monkeypatch):
    # The CSV commands write bytes to stdout's buffer, which the terminal's stream lacked.
    monkeypatch.setenv("REVCYCLE_DB", str(db))
    out = Terminal()
    monkeypatch.setattr(sys, "stdout", out)
    assert main(["roi", "--start", "2026-03-01", "--end", "2026-03-31", "--format", "csv"]) == 0
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("channel,spend,currency,leads,")
    assert any(line.startswith("(channels with spend),") for line in lines)
