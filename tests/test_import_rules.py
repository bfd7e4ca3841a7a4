"""Issue 9, the import: points 4 (a deal closed before it was created), 8 (--map adds to the
automatic mapping, --set, the full mapping shown, typed suggestions) and 11 (grouped warnings,
nothing changed). Hand-written files, a real database, the command's main() in this process."""

import csv
import time
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from revcycle.__main__ import main
from revcycle.access import os_user
from revcycle.db import connect
from revcycle.importer import problems as codes
from revcycle.importer.problems import WARNING
from revcycle.importer.validate import prepare
from tests.conftest import cents, metric, write_export

# Lines 2-4 and 6 are dated 2099 (the future); line 5 has no lead_id (an error).
FUTURE = "2099-01-01 09:00:00"
LEADS_WITH_FUTURE_DATES = [
    {"lead_id": "F1", "created_at": FUTURE},
    {"lead_id": "F2", "created_at": FUTURE},
    {"lead_id": "F3", "created_at": FUTURE},
    {"lead_id": "", "created_at": "2026-11-02 09:00:00"},
    {"lead_id": "F5", "created_at": FUTURE},
]


@pytest.fixture
def db(funnel_db, tmp_path):
    """A database holding one real lead (upload 1) and no deals (upload 2); its file path."""
    funnel_db([{"lead_id": "OLD1", "created_at": "2026-09-01 09:00:00"}]).close()
    return tmp_path / "test.duckdb"


@pytest.fixture
def revcycle(monkeypatch, capsys):
    """Run `python -m revcycle ARGS` in this process on ``db``; (exit code, output)."""

    def run(db, *args):
        monkeypatch.setenv("REVCYCLE_DB", str(db))
        try:
            code = main([str(arg) for arg in args])
        except SystemExit as exit:
            code = exit.code
        captured = capsys.readouterr()
        return code, captured.out + captured.err

    return run


def history_ids(db) -> list[int]:
    con = connect(db)
    try:
        entries = con.execute("select upload_id from uploads order by upload_id").fetchall()
        return [row[0] for row in entries]
    finally:
        con.close()


# 11. Warnings are grouped.


def test_the_same_warning_on_many_lines_is_one_line_with_its_ranges(db, tmp_path, revcycle):
    export = write_export(tmp_path / "leads.csv", "leads", LEADS_WITH_FUTURE_DATES)
    listed = tmp_path / "problems.csv"
    code, out = revcycle(db, "load", export, "--dry-run", "--problems-csv", listed)
    assert code == 0, out
    assert "1 error (their rows are rejected), 4 warnings, 2 distinct:" in out
    assert (
        "  warning: leads.csv, 4 lines (2–4, 6), column created_at (e.g. '2099-01-01 09:00:00'): "
        "a date in the future" in out
    )
    assert "  error: leads.csv, line 5, column lead_id: lead_id is blank" in out
    assert out.count("a date in the future") == 1
    with listed.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert sorted((row["line"], row["code"]) for row in rows) == [
        ("2", "future_date"),
        ("3", "future_date"),
        ("4", "future_date"),
        ("5", "blank_required"),
        ("6", "future_date"),
    ]


def test_loading_a_file_that_changes_nothing_adds_no_history_entry(db, tmp_path, revcycle):
    export = write_export(
        tmp_path / "again.csv", "leads", [{"lead_id": "N1", "created_at": "2026-10-01 09:00:00"}]
    )
    assert revcycle(db, "load", export)[0] == 0
    assert history_ids(db) == [1, 2, 3]
    code, out = revcycle(db, "load", export, "--dry-run")
    assert "nothing would change" in out
    code, out = revcycle(db, "load", export)
    assert code == 0 and "nothing changed" in out
    assert history_ids(db) == [1, 2, 3]  # before: a fourth entry, 0 new and 0 changed


def test_rules_given_with_a_file_that_changes_no_row_are_saved_and_said(db, tmp_path, revcycle):
    export = write_export(
        tmp_path / "again.csv",
        "leads",
        [{"lead_id": "W1", "created_at": "2026-10-01 09:00:00", "channel": "Webinar"}],
    )
    assert revcycle(db, "load", export)[0] == 0  # Webinar has no rule: W1 is (unmapped)
    assert history_ids(db) == [1, 2, 3]
    mapped = ("--channel-map", "Webinar=Events")
    code, out = revcycle(db, "load", export, *mapped, "--dry-run")
    assert code == 0, out
    assert "no row would change: again.csv holds what is loaded\n" in out
    assert "the channel rule given with it would be saved: Webinar → Events\n" in out
    code, out = revcycle(db, "load", export, *mapped)
    assert code == 0, out
    assert "no row changed: again.csv holds what is loaded; no history entry\n" in out
    assert "the channel rule given with it is saved: Webinar → Events\n" in out
    assert "nothing changed" not in out
    assert history_ids(db) == [1, 2, 3]
    con = connect(db)
    try:
        channel = "select channel from funnel_revenue where lead_id = 'W1'"
        assert con.execute(channel).fetchall() == [("Events",)]
    finally:
        con.close()


def test_a_long_list_of_rules_given_names_five_and_counts_the_rest(db, tmp_path, revcycle):
    export = write_export(
        tmp_path / "again.csv", "leads", [{"lead_id": "N1", "created_at": "2026-10-01 09:00:00"}]
    )
    assert revcycle(db, "load", export)[0] == 0
    rules = [f"Source {n}=Channel {n}" for n in range(1, 8)]
    code, out = revcycle(db, "load", export, *(f"--channel-map={rule}" for rule in rules))
    assert code == 0, out
    shown = "; ".join(f"Source {n} → Channel {n}" for n in range(1, 6))
    assert f"the channel rules given with it are saved: {shown}; and 2 more\n" in out


# 4. A deal closed before it was created gets a warning with its line.


@pytest.mark.parametrize(
    ("created", "warned"),
    [
        (["2026-03-02", "2026-03-03 00:00:00"], True),  # the day alone, however written
        (["2026-03-02", "2026-03-03 09:15:00"], False),  # one time of day: times are given
    ],
)
def test_a_leads_file_of_creation_days_alone_is_said_once(db, tmp_path, revcycle, created, warned):
    rows = [
        {"lead_id": f"C{number}", "created_at": day, "first_contacted_at": "2026-03-04 10:00:00"}
        for number, day in enumerate(created)
    ]
    code, out = revcycle(
        db, "load", write_export(tmp_path / "leads.csv", "leads", rows), "--dry-run"
    )
    assert code == 0, out
    said = (
        "warning: leads.csv, column created_at: the creation dates give the day but no time of "
        "day, so how fast each lead was first contacted is judged from its whole day: in time "
        "when even the longest it can have waited is within the agreed time, late when even the "
        "shortest is past it, and not judged otherwise. Export the creation date with its time "
        "to measure every lead\n"
    )
    assert (said in out) is warned


# A deal's outcome: without one, each deal has a warning of its own (test_missing_exports.py).
WON = {"stage": "Closed Won"}


def test_a_deal_closed_before_it_was_created_is_a_warning_with_its_line(db, tmp_path, revcycle):
    deals = write_export(
        tmp_path / "deals.csv",
        "deals",
        [
            {
                "deal_id": "D1",
                "created_at": "2026-10-01 09:00:00",
                "closed_at": "2026-10-09",
                **WON,
            },
            {
                "deal_id": "D2",
                "created_at": "2026-10-05 09:00:00",
                "closed_at": "2026-09-30",
                **WON,
            },
        ],
    )
    code, out = revcycle(db, "load", deals, "--dry-run")
    assert code == 0, out
    assert "0 errors (their rows are rejected), 1 warning, 1 distinct:" in out
    # The file's own text, as it writes the date.
    assert "warning: deals.csv, line 3, column closed_at ('2026-09-30'): the deal " in out
    assert "closes before it was created" in out
    assert "2 rows to load + 0 rejected" in out  # the deal still loads


# Leads created on 2 March 2026 at 10:00, with their first contact. C1 was contacted an hour
# before it came in; C3 the day before, by its date alone: both warn. C2's contact is dated by
# the creation day alone (its hour unknown, no fault), C4's is after, C5 has none: no warning.
CONTACTS = [
    ("C1", "2026-03-02 09:00:00"),
    ("C2", "2026-03-02"),
    ("C3", "2026-03-01"),
    ("C4", "2026-03-02 10:30:00"),
    ("C5", ""),
]


def load_leads_of_2_march(db, tmp_path, revcycle, rows: list[dict]) -> str:
    """The command line's output of loading ``rows``, every lead created on 2 March 2026 at
    10:00, all of which load."""
    created = [{"created_at": "2026-03-02 10:00:00", **row} for row in rows]
    code, out = revcycle(db, "load", write_export(tmp_path / "leads.csv", "leads", created))
    assert code == 0, out
    assert f"{len(rows)} rows to load + 0 rejected" in out
    return out


def test_a_lead_contacted_before_it_was_created_is_a_warning_with_its_line(db, tmp_path, revcycle):
    rows = [{"lead_id": lead_id, "first_contacted_at": contact} for lead_id, contact in CONTACTS]
    out = load_leads_of_2_march(db, tmp_path, revcycle, rows)
    assert "0 errors (their rows are rejected), 2 warnings, 1 distinct:" in out
    assert (
        "warning: leads.csv, 2 lines (2, 4), column first_contacted_at (e.g. '2026-03-02 "
        "09:00:00'): the first contact is before the lead was created; it loads, and its "
        "follow-up is not judged: the Follow-up page counts it apart, as contacted before it "
        "was created\n"
    ) in out
    # The warning names exactly the leads the Follow-up page counts apart.
    con = connect(db)
    try:
        apart = con.execute(
            "select lead_id from funnel_revenue where is_contacted_before_created order by 1"
        ).fetchall()
    finally:
        con.close()
    assert apart == [("C1",), ("C3",)]


# Leads created on 2 March 2026 at 10:00 with their MQL and SQL dates. S1's MQL is an hour
# before it came in and S3's SQL a day before, by its date alone: both warn, each on its own
# column. S2's SQL is dated by the creation day alone (Salesforce's Converted Date on the day
# a lead came in: no fault), S4's MQL and SQL are after, S5 has none.
STAGE_DATES = [
    ("S1", "2026-03-02 09:00:00", ""),
    ("S2", "2026-03-02 11:00:00", "2026-03-02"),
    ("S3", "", "2026-03-01"),
    ("S4", "2026-03-03 09:00:00", "2026-03-04 09:00:00"),
    ("S5", "", ""),
]


def test_an_mql_or_sql_dated_before_its_lead_was_created_is_a_warning_on_its_line(
    db, tmp_path, revcycle
):
    rows = [{"lead_id": lead_id, "mql_at": mql, "sql_at": sql} for lead_id, mql, sql in STAGE_DATES]
    out = load_leads_of_2_march(db, tmp_path, revcycle, rows)
    assert "0 errors (their rows are rejected), 2 warnings, 2 distinct:" in out
    assert (
        "warning: leads.csv, line 2, column mql_at ('2026-03-02 09:00:00'): the MQL date is "
        "before the lead was created; it loads, and the MQL counts on this date, which may fall "
        "in a week or period before the lead's own. Check the date in the CRM\n"
    ) in out
    assert "warning: leads.csv, line 4, column sql_at ('2026-03-01'): the SQL date is " in out
    # What the warning says: S3's SQL counts on 1 March, a day before any lead was created.
    con = connect(db)
    try:
        first_of_march = metric(
            con, "conversion_by_channel", start_date=date(2026, 3, 1), end_date=date(2026, 3, 1)
        )
    finally:
        con.close()
    counted = first_of_march[first_of_march["is_total"]].set_index("stage")["count_events"]
    assert counted.get("sql") == 1
    assert counted.get("lead", 0) == 0


def prepared_on_5_december(tmp_path, text: str):
    """A deals file of ``text``, prepared at noon on 5 December 2026 over an empty database."""
    deals = tmp_path / "deals.csv"
    deals.write_text(text, encoding="utf-8")
    con = connect(tmp_path / "deals.duckdb")
    try:
        return prepare(con, deals, kind="deals", now=datetime(2026, 12, 5, 12))
    finally:
        con.close()


def test_a_won_or_lost_deal_closing_in_the_future_is_a_warning_an_open_one_is_not(
    db, tmp_path, revcycle
):
    # Loaded on 2026-12-05. D1 is won on 14 December and D2 lost on 11 December: a closed
    # deal cannot close ahead, so both are worth a look (the sidebar later says the upload
    # warned of such dates). D3 is open and expected to close on 20 December, D4 has no stage,
    # D5 is Won by its own column with the stage of the org's naming: only D1, D2 and D5 warn.
    # D6 closed on 1 December.
    prepared = prepared_on_5_december(
        tmp_path,
        "deal_id,created_at,stage,is_won,closed_at\n"
        "D1,2026-11-20 09:00:00,Closed Won,,2026-12-14\n"
        "D2,2026-11-21 09:00:00,Closed Lost,,2026-12-11\n"
        "D3,2026-11-22 09:00:00,Negotiation,,2026-12-20\n"
        "D4,2026-11-23 09:00:00,,,2026-12-21\n"
        "D5,2026-11-24 09:00:00,Signed,true,2026-12-09\n"
        "D6,2026-11-25 09:00:00,Closed Won,,2026-12-01\n",
    )
    future = [
        (problem.line, problem.column, problem.value)
        for problem in prepared.problems
        if problem.code == codes.FUTURE_DATE
    ]
    assert future == [
        (2, "closed_at", "2026-12-14"),
        (3, "closed_at", "2026-12-11"),
        (6, "closed_at", "2026-12-09"),
    ]
    assert all(problem.severity == WARNING for problem in prepared.problems)
    assert prepared.count_rows_loaded == 6  # they all load


def test_a_won_or_lost_deal_without_a_close_date_is_a_warning_with_its_line(tmp_path):
    # D1 is won and D2 lost with a blank close date: no period holds them, so both warn on
    # their lines. D3 is open (no close date is usual for it), D4 closed on 1 December, and
    # D5's close date does not read (an error already, not a second problem).
    prepared = prepared_on_5_december(
        tmp_path,
        "deal_id,created_at,stage,closed_at\n"
        "D1,2026-11-20 09:00:00,Closed Won,\n"
        "D2,2026-11-21 09:00:00,Closed Lost,\u00a0\n"
        "D3,2026-11-22 09:00:00,Negotiation,\n"
        "D4,2026-11-23 09:00:00,Closed Won,2026-12-01\n"
        "D5,2026-11-24 09:00:00,Closed Won,someday\n",
    )
    found = sorted((p.line, p.column, p.code, p.severity) for p in prepared.problems)
    assert found == [
        (2, "closed_at", codes.NO_CLOSE_DATE, WARNING),
        (3, "closed_at", codes.NO_CLOSE_DATE, WARNING),
        (6, "closed_at", codes.NOT_A_DATE, "error"),
    ]
    assert next(p.reason for p in prepared.problems if p.line == 2) == (
        "the deal is won or lost but has no close date, so no period, All time included, counts "
        "it: a period that may hold it shows its won deals and won revenue as unknown. Fill in "
        "its close date in the CRM and export it again"
    )


def test_a_file_of_won_deals_without_a_close_date_column_says_so_once(tmp_path):
    # A Salesforce opportunities report without Close Date: 006A is won and 006C lost, 006B
    # open. One warning for the file, counting the two; none when every deal is open.
    deals = tmp_path / "opportunities.csv"
    rows = "006A,Closed Won,2026-03-02\n006B,Prospecting,2026-03-05\n006C,Closed Lost,2026-03-06\n"
    deals.write_text(f"Opportunity ID,Stage,Created Date\n{rows}", encoding="utf-8")
    open_only = tmp_path / "open.csv"
    open_only.write_text(
        "Opportunity ID,Stage,Created Date\n006B,Prospecting,2026-03-05\n", encoding="utf-8"
    )
    con = connect(tmp_path / "no_column.duckdb")
    try:
        prepared = prepare(con, deals, kind="deals")
        without = [p for p in prepare(con, open_only, kind="deals").problems]
    finally:
        con.close()
    [problem] = [p for p in prepared.problems if p.code == codes.NO_CLOSE_DATE]
    assert (problem.line, problem.column, problem.severity) == (None, None, WARNING)
    assert problem.reason.startswith(
        "the file has no close date column, so its 2 won or lost deals close on no known day"
    )
    assert not [p for p in without if p.code == codes.NO_CLOSE_DATE]
    assert prepared.count_rows_loaded == 3  # they all load


def test_a_date_before_1990_is_a_warning_with_its_line(tmp_path):
    # D2 was created "1926" (a mistyped 2026) and D3 closed in 1989: both load, each warned
    # of on its line (D3's close is before its creation too); D1's 1990-01-01 is the first
    # plausible day, and no warning.
    prepared = prepared_on_5_december(
        tmp_path,
        "deal_id,created_at,stage,closed_at\n"
        "D1,1990-01-01 00:00:00,Closed Won,2026-03-10\n"
        "D2,1926-03-04 09:00:00,Negotiation,\n"
        "D3,2026-03-04 09:00:00,Closed Lost,1989-12-31\n",
    )
    found = sorted((p.line, p.column, p.value, p.code) for p in prepared.problems)
    assert found == [
        (3, "created_at", "1926-03-04 09:00:00", codes.LONG_AGO),
        (4, "closed_at", "1989-12-31", codes.CLOSED_BEFORE_CREATED),
        (4, "closed_at", "1989-12-31", codes.LONG_AGO),
    ]
    assert {p.severity for p in prepared.problems} == {WARNING}
    assert prepared.count_rows_loaded == 3


# A pipeline's own stage names. D1 and D2 are won (D2's stage starts Closed Won); D3 and D4
# say won and lost in words no rule reads, so they stay open and warn; D5 is open; D6 lost.
OWN_STAGES = [
    ("D1", "Closed Won", "100.00"),
    ("D2", "Closed Won - Renewal", "200.00"),
    ("D3", "Deal won", "300.00"),
    ("D4", "Lost - no budget", "400.00"),
    ("D5", "Negotiation", "500.00"),
    ("D6", "Closed Lost", "600.00"),
]


def test_a_stage_that_says_won_or_lost_but_closes_nothing_is_a_warning(tmp_path):
    deals = tmp_path / "deals.csv"
    lines = [
        f"{deal},2026-03-02,{stage},{amount},2026-03-09\n" for deal, stage, amount in OWN_STAGES
    ]
    deals.write_text("deal_id,created_at,stage,amount,closed_at\n" + "".join(lines))
    con = connect(tmp_path / "stages.duckdb")
    try:
        prepared = prepare(con, deals, kind="deals", now=datetime(2026, 12, 5))
    finally:
        con.close()
    read_as_open = [
        (problem.line, problem.column, problem.value, problem.severity)
        for problem in prepared.problems
        if problem.code == codes.STAGE_READ_AS_OPEN
    ]
    assert read_as_open == [
        (4, "stage", "Deal won", WARNING),
        (5, "stage", "Lost - no budget", WARNING),
    ]
    assert prepared.count_rows_loaded == 6


def test_a_stage_starting_closed_won_wins_its_amount(funnel_db):
    leads = [{"lead_id": "L1", "created_at": "2026-03-01 09:00:00", "channel": "Email"}]
    con = funnel_db(
        leads,
        [
            {"deal_id": deal, "lead_id": "L1", "created_at": "2026-03-02 09:00:00",
             "stage": stage, "amount": amount, "currency": "EUR",
             "closed_at": "" if stage in ("Deal won", "Lost - no budget", "Negotiation")
             else "2026-03-09 09:00:00"}
            for deal, stage, amount in OWN_STAGES
        ],
    )  # fmt: skip
    march = {"start_date": "2026-03-01", "end_date": "2026-03-31"}
    total = metric(con, "revenue_by_channel", **march).query("is_total").iloc[0]
    # Won: D1 + D2 = 300.00 of 2 deals; closed: those and D6, so 2 of 3; open: D3, D4 and D5.
    assert (cents(total["won_revenue"]), total["count_won_deals"]) == (30000, 2)
    assert total["win_rate"] == pytest.approx(2 / 3)
    assert (cents(total["open_pipeline"]), total["count_open_deals"]) == (120000, 3)


def test_a_problem_shows_the_value_as_the_file_writes_it(db, tmp_path, revcycle):
    # Accounting parentheses and a decimal comma: the file says (1.234,56 €), which is what
    # a person searches the file for, not the -1234.56 it was read as.
    deals = tmp_path / "deals.csv"
    deals.write_text(
        "deal_id,created_at,stage,amount\n"
        'N1,2026-10-01 09:00:00,Won,"(1.234,56 €)"\n'
        'N2,2026-10-02 09:00:00,Won,"12,50 €"\n',
        encoding="utf-8",
    )
    code, out = revcycle(db, "load", deals, "--kind", "deals", "--dry-run")
    assert "error: deals.csv, line 2, column amount ('(1.234,56 €)'): a negative amount" in out


def test_a_close_date_without_a_time_on_the_creation_day_closes_the_deal_that_day(
    db, tmp_path, revcycle
):
    # Salesforce's Close Date is a date: read as its midnight, a deal won the day it was
    # created seemed to close hours before it began. D1 closes its creation day, D2 the day
    # before its creation, D3 at a time before its creation on the same day.
    deals = write_export(
        tmp_path / "deals.csv",
        "deals",
        [
            {
                "deal_id": "D1",
                "created_at": "2026-10-01 09:00:00",
                "closed_at": "2026-10-01",
                **WON,
            },
            {
                "deal_id": "D2",
                "created_at": "2026-10-05 09:00:00",
                "closed_at": "2026-10-04",
                **WON,
            },
            {
                "deal_id": "D3",
                "created_at": "2026-10-07 09:00:00",
                "closed_at": "2026-10-07 08:00:00",
                **WON,
            },
        ],
    )
    code, out = revcycle(db, "load", deals)
    assert code == 0, out
    assert "0 errors (their rows are rejected), 2 warnings, 1 distinct:" in out
    assert "2 lines (3–4), column closed_at" in out
    con = connect(db)
    try:
        closes = dict(con.execute("select deal_id, closed_at from stg_deals").fetchall())
    finally:
        con.close()
    # D1 closed when it was created; the others as the file has them.
    assert {deal: str(close) for deal, close in closes.items()} == {
        "D1": "2026-10-01 09:00:00",
        "D2": "2026-10-04 00:00:00",
        "D3": "2026-10-07 08:00:00",
    }


# 8. --map adds to the automatic mapping; --set; the whole mapping shown; typed suggestions.

# The deal id column has a name no preset knows; stage, created_at and amount are named as
# the contract names them. Line 2 is won (100.00), line 3 lost, line 4 open.
DEALS_WITH_OWN_ID = (
    "ref,created_at,stage,amount,note\n"
    "O1,2026-10-01 09:00:00,Won,100.00,first\n"
    "O2,2026-10-02 09:00:00,Lost,250.00,\n"
    "O3,2026-10-03 09:00:00,Proposal,40.00,\n"
)


def won_deals(db) -> tuple[int, str]:
    con = connect(db)
    try:
        count, amount = con.execute(
            "select count(*), sum(amount) from stg_deals where is_won"
        ).fetchall()[0]
    finally:
        con.close()
    return count, f"{amount:.2f}"


def test_map_adds_to_the_automatic_mapping(db, tmp_path, revcycle):
    export = tmp_path / "deals.csv"
    export.write_text(DEALS_WITH_OWN_ID, encoding="utf-8")
    code, out = revcycle(db, "load", export, "--kind", "deals", "--map", "deal_id=ref")
    assert code == 0, out
    # Before: only deal_id mapped, so created_at was missing; mapped too, stage was ignored
    # and every deal loaded open (0 won).
    assert won_deals(db) == (1, "100.00")


def test_dry_run_shows_the_whole_mapping_and_the_ignored_columns(db, tmp_path, revcycle):
    export = tmp_path / "deals.csv"
    export.write_text(DEALS_WITH_OWN_ID, encoding="utf-8")
    code, out = revcycle(db, "load", export, "--kind", "deals", "--map", "deal_id=ref", "--dry-run")
    assert code == 0, out
    assert (
        "mapping (field ← column):\n"
        "  deal_id ← ref\n"
        "  created_at ← created_at\n"
        "  stage ← stage\n"
        "  amount ← amount\n"
        "ignored columns (1): note\n"
    ) in out


def test_a_wide_export_names_its_first_twelve_ignored_columns_and_counts_the_rest(
    db, tmp_path, revcycle
):
    # A contacts export of 300 columns: the 2 the contract reads and 298 named p001..p298.
    extra = [f"p{number:03d}" for number in range(1, 299)]
    export = tmp_path / "wide.csv"
    export.write_text(
        ",".join(["lead_id", "created_at", *extra])
        + "\n"
        + ",".join(["W1", "2026-10-01 09:00:00", *[""] * 298])
        + "\n",
        encoding="utf-8",
    )
    code, out = revcycle(db, "load", export, "--kind", "leads", "--dry-run")
    assert code == 0, out
    # 298 - 12 = 286 not named.
    named = ", ".join(f"p{number:03d}" for number in range(1, 13))
    assert f"ignored columns (298): {named} and 286 more\n" in out
    assert "p013" not in out


def test_a_column_mapped_by_hand_feeds_only_the_field_it_was_given(db, tmp_path, revcycle):
    export = tmp_path / "deals.csv"
    export.write_text(DEALS_WITH_OWN_ID, encoding="utf-8")
    code, out = revcycle(
        db,
        "load",
        export,
        "--kind",
        "deals",
        "--map",
        "deal_id=ref",
        "--map",
        "owner=stage",
        "--dry-run",
    )
    assert code == 0, out
    assert "  owner ← stage\n" in out and "  stage ← stage" not in out


def test_set_gives_a_field_one_value_on_every_row(db, tmp_path, revcycle):
    export = tmp_path / "won.csv"
    export.write_text(
        "deal_id,created_at,amount\nW1,2026-10-01 09:00:00,10.50\nW2,2026-10-02 09:00:00,4.25\n",
        encoding="utf-8",
    )
    code, out = revcycle(db, "load", export, "--set", "stage=Won", "--set", "currency=BRL")
    assert code == 0, out
    assert "  stage ← --set stage=Won\n" in out
    assert won_deals(db) == (2, "14.75")
    con = connect(db)
    try:
        assert con.execute("select distinct currency from raw_deals").fetchall() == [("BRL",)]
    finally:
        con.close()


def test_a_set_value_is_checked_like_any_other(db, tmp_path, revcycle):
    export = tmp_path / "won.csv"
    export.write_text("deal_id,created_at\nW1,2026-10-01 09:00:00\n", encoding="utf-8")
    code, out = revcycle(db, "load", export, "--set", "is_won=maybe", "--dry-run")
    assert code == 1
    assert "column --set is_won=maybe ('maybe'): not a yes/no value" in out


def test_suggestions_offer_only_columns_that_read_as_the_fields_type(db, tmp_path, revcycle):
    export = tmp_path / "marketing.csv"
    export.write_text(
        "id,Lead Quality,Converted,engage_date\nM1,High,TRUE,2026-10-01\nM2,Low,FALSE,2026-10-02\n",
        encoding="utf-8",
    )
    code, out = revcycle(db, "load", export, "--kind", "leads", "--map", "lead_id=id")
    assert code == 1
    # Before: "(perhaps Lead Quality, Converted?)", and engage_date missed.
    assert "no column for the required field created_at (perhaps engage_date?)" in out


def test_a_placeholder_in_an_optional_field_is_read_as_blank_with_a_warning(tmp_path):
    # A2's amount is "N/A", A3's "-", A4's " tbd " and its MQL-free close date "—": each row
    # loads, the value blank, a warning on its line. A5's created_at (required) is "N/A": no
    # date, so its row is rejected, the error saying why. A1 is whole.
    prepared = prepared_on_5_december(
        tmp_path,
        "deal_id,created_at,stage,amount,closed_at\n"
        "A1,2026-03-02 10:00:00,Closed Won,1000.00,2026-03-10\n"
        "A2,2026-03-03 10:00:00,Closed Won,N/A,2026-03-11\n"
        "A3,2026-03-03 10:00:00,Closed Lost,-,2026-03-12\n"
        "A4,2026-03-03 10:00:00,Negotiation, tbd ,\u2014\n"
        "A5,N/A,Negotiation,5.00,\n",
    )
    amounts = dict(
        zip(
            prepared.rows.column("deal_id").to_pylist(),
            prepared.rows.column("amount").to_pylist(),
            strict=True,
        )
    )
    assert {deal: None if amount is None else str(amount) for deal, amount in amounts.items()} == {
        "A1": "1000.00",
        "A2": None,
        "A3": None,
        "A4": None,
    }
    found = sorted((p.line, p.column, p.value, p.code) for p in prepared.problems)
    assert found == [
        (3, "amount", "N/A", codes.PLACEHOLDER),
        (4, "amount", "-", codes.PLACEHOLDER),
        (5, "amount", " tbd ", codes.PLACEHOLDER),
        (5, "closed_at", "\u2014", codes.PLACEHOLDER),
        (6, "created_at", "N/A", codes.PLACEHOLDER),
    ]
    said = {(p.reason, p.severity) for p in prepared.problems if p.column == "amount"}
    assert said == {("a placeholder, not a number: read as blank", WARNING)}
    [created] = [p for p in prepared.problems if p.column == "created_at"]
    assert (created.reason, created.severity) == (
        "a placeholder, not a date, and every deal needs one",
        "error",
    )
    assert prepared.count_rows_loaded == 4


def test_the_future_is_the_data_s_wall_clock_not_the_machine_s(db, tmp_path, revcycle, monkeypatch):
    # A server keeping UTC, loading data of a zone 14 hours ahead of it: a lead created an hour
    # ago there is no date in the future, though it is ahead of the server's own clock; one two
    # hours ahead of that zone's clock is.
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    monkeypatch.setenv("REVCYCLE_TIMEZONE", "Pacific/Kiritimati")
    there = datetime.now(ZoneInfo("Pacific/Kiritimati")).replace(tzinfo=None, microsecond=0)
    leads = [
        {"lead_id": "HOUR_AGO", "created_at": f"{there - timedelta(hours=1):%Y-%m-%d %H:%M:%S}"},
        {"lead_id": "AHEAD", "created_at": f"{there + timedelta(hours=2):%Y-%m-%d %H:%M:%S}"},
    ]
    export = write_export(tmp_path / "leads.csv", "leads", leads)
    try:
        code, out = revcycle(db, "load", export, "--dry-run")
    finally:
        monkeypatch.undo()
        time.tzset()
    assert code == 0, out
    assert "0 errors (their rows are rejected), 1 warning, 1 distinct:" in out
    assert "  warning: leads.csv, line 3, column created_at (" in out
    assert "a date in the future" in out


# A weekly export early in the month: no day above 12, so each date reads either way.
EARLY_DECEMBER = "lead_id;created_at\nE1;02-12-2026 13:20\nE2;04-12-2026 09:05\n"
LATE_NOVEMBER = "lead_id;created_at\nN1;24-11-2026 10:00\n"  # the 24th: day-first


def loaded_created_at(db) -> dict[str, datetime]:
    con = connect(db)
    try:
        return dict(con.execute("select lead_id, created_at from raw_leads").fetchall())
    finally:
        con.close()


def test_dates_that_read_either_way_are_read_as_the_last_upload_s_were(db, tmp_path, revcycle):
    (tmp_path / "november.csv").write_text(LATE_NOVEMBER, encoding="utf-8")
    (tmp_path / "december.csv").write_text(EARLY_DECEMBER, encoding="utf-8")
    code, out = revcycle(db, "load", tmp_path / "november.csv", "--mode", "merge")
    assert code == 0, out
    november_upload = history_ids(db)[-1]
    code, out = revcycle(db, "load", tmp_path / "december.csv", "--mode", "merge")
    assert code == 0, out
    assert (
        "  created_at: each date reads both day-first and month-first (no day above 12); read "
        f"day-first, as upload {november_upload} (november.csv) was. If that is wrong, choose "
        "the other order (--date-format on the command line)\n"
    ) in out
    created = loaded_created_at(db)
    assert created["E1"] == datetime(2026, 12, 2, 13, 20)
    assert created["E2"] == datetime(2026, 12, 4, 9, 5)
    # The history says how each upload's dates were read: the one the sample built, none.
    code, out = revcycle(db, "history")
    listed = {line.split()[0]: line for line in out.splitlines()}
    assert (
        "december.csv — 2 loaded, 0 rejected; 2 new, 0 changed; dates read day-first"
        in (listed[str(november_upload + 1)])
    )
    assert "dates read" not in listed["1"]


def test_a_date_order_given_overrides_the_last_upload_s(db, tmp_path, revcycle):
    (tmp_path / "november.csv").write_text(LATE_NOVEMBER, encoding="utf-8")
    (tmp_path / "december.csv").write_text(EARLY_DECEMBER, encoding="utf-8")
    assert revcycle(db, "load", tmp_path / "november.csv", "--mode", "merge")[0] == 0
    code, out = revcycle(
        db, "load", tmp_path / "december.csv", "--mode", "merge", "--date-format", "month-first"
    )
    assert code == 0, out
    assert "no day above 12" not in out
    assert loaded_created_at(db)["E1"] == datetime(2026, 2, 12, 13, 20)


def test_an_undone_upload_s_date_order_is_not_followed(db, tmp_path, revcycle):
    (tmp_path / "november.csv").write_text(LATE_NOVEMBER, encoding="utf-8")
    (tmp_path / "december.csv").write_text(EARLY_DECEMBER, encoding="utf-8")
    before = history_ids(db)[-1]
    assert revcycle(db, "load", tmp_path / "november.csv", "--mode", "merge")[0] == 0
    assert revcycle(db, "restore", before)[0] == 0  # November's upload undone
    code, out = revcycle(db, "load", tmp_path / "december.csv", "--dry-run")
    assert code == 1
    assert (
        "error: december.csv, column created_at: could be day-first or month-first "
        "(e.g. 02-12-2026 13:20); choose with --date-format"
    ) in out


def test_dates_read_only_one_way_each_are_not_settled_by_the_last_upload(db, tmp_path, revcycle):
    # 13-01 reads only day-first and 01-13 only month-first: a mixed column, asked whatever
    # the last upload was read as.
    mixed = "lead_id;created_at\nM1;13-01-2026\nM2;01-13-2026\n"
    (tmp_path / "november.csv").write_text(LATE_NOVEMBER, encoding="utf-8")
    (tmp_path / "mixed.csv").write_text(mixed, encoding="utf-8")
    assert revcycle(db, "load", tmp_path / "november.csv", "--mode", "merge")[0] == 0
    code, out = revcycle(db, "load", tmp_path / "mixed.csv", "--dry-run")
    assert code == 1
    assert "mixes day-first (e.g. 13-01-2026) and month-first (e.g. 01-13-2026) dates" in out


def test_another_tool_s_date_order_is_not_followed(db, tmp_path, revcycle):
    # Pipedrive's leads were read day-first; a file in the generic format is another tool's
    # export (an ad platform's may be month-first), so its question stays open.
    pipedrive = "Lead - ID;Lead - Created\nP1;24-11-2026 10:00\n"
    (tmp_path / "pipedrive.csv").write_text(pipedrive, encoding="utf-8")
    (tmp_path / "december.csv").write_text(EARLY_DECEMBER, encoding="utf-8")
    code, out = revcycle(db, "load", tmp_path / "pipedrive.csv", "--mode", "merge")
    assert code == 0, out
    code, out = revcycle(db, "load", tmp_path / "december.csv", "--dry-run")
    assert code == 1
    assert "column created_at: could be day-first or month-first" in out


def test_a_database_from_before_the_date_order_records_it_from_its_next_upload(
    db, tmp_path, revcycle
):
    con = connect(db)
    con.execute("alter table uploads drop column date_order")  # as databases were before
    con.execute("alter table uploads drop column changed_by")
    con.close()
    (tmp_path / "november.csv").write_text(LATE_NOVEMBER, encoding="utf-8")
    (tmp_path / "december.csv").write_text(EARLY_DECEMBER, encoding="utf-8")
    assert revcycle(db, "load", tmp_path / "november.csv", "--mode", "merge")[0] == 0
    con = connect(db)
    [entry] = con.execute(
        "select file_name, date_order, changed_by from uploads where file_name = 'november.csv'"
    ).fetchall()
    con.close()
    assert entry == ("november.csv", "day-first", os_user())
    code, out = revcycle(db, "load", tmp_path / "december.csv", "--mode", "merge")
    assert code == 0, out
    assert "read day-first, as upload" in out


def test_columns_mapped_by_hand_do_not_follow_an_earlier_upload_s_date_order(
    db, tmp_path, revcycle
):
    # Files mapped on the command line could be any tool's: each is asked.
    (tmp_path / "first.csv").write_text("id;when\nH1;24-11-2026\n", encoding="utf-8")
    (tmp_path / "second.csv").write_text("id;when\nH2;02-12-2026\n", encoding="utf-8")
    by_hand = ("--kind", "leads", "--map", "lead_id=id", "--map", "created_at=when")
    assert revcycle(db, "load", tmp_path / "first.csv", *by_hand, "--mode", "merge")[0] == 0
    code, out = revcycle(db, "load", tmp_path / "second.csv", *by_hand, "--dry-run")
    assert code == 1
    assert "column when: could be day-first or month-first" in out
