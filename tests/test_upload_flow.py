"""The upload page's flow, without the page: which question comes next, what is loadable, the
rules typed in, the Load button's commits and the restore. Real files, a real database."""

from datetime import datetime

import pytest

from revcycle.db import connect
from revcycle.importer import channels, load
from revcycle.ui import upload

LEADS = (
    "lead_id,created_at,channel\n"
    "N1,2026-10-01 09:00:00,Webinar\n"
    "N2,2026-10-02 09:00:00,Email\n"
    "N3,2026-10-03 09:00:00,Webinar\n"
)
DEALS = "deal_id,lead_id,created_at,amount\nD1,N1,2026-10-05 09:00:00,100.50\n"
UNKNOWN_COLUMNS = "mql_id,when\nM1,2026-10-02 08:00\n"
AMBIGUOUS_DATES = "lead_id,created_at\nA1,03/04/2026\nA2,05/06/2026\n"
HEADER_ONLY = "lead_id,created_at\n"
ALL_ROWS_BAD = "lead_id,created_at\n,2026-10-01 09:00:00\n"
AMBIGUOUS_AMOUNTS = "deal_id,created_at,amount\nD1,2026-10-01,1.500\n"
OLD_EXCEL = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504


@pytest.fixture
def con(funnel_db):
    """A database with one lead already loaded (upload 1) and no deals (upload 2)."""
    return funnel_db([{"lead_id": "OLD1", "created_at": "2026-09-01 09:00:00"}])


def attempt(con, name: str, text: str | bytes, **choices) -> upload.Attempt:
    data = text if isinstance(text, bytes) else text.encode()
    return upload.attempt(con, name, data, **choices)


def test_two_files_of_one_name_get_their_own_slots():
    assert upload.slots(["a.csv", "b.csv", "a.csv", "a.csv"]) == [
        "a.csv",
        "b.csv",
        "a.csv#2",
        "a.csv#3",
    ]


@pytest.mark.parametrize(
    ("name", "text", "kind_choice", "expected"),
    [
        ("leads.csv", LEADS, upload.DETECTED, (upload.AS_DETECTED, "leads")),
        # Recognised as leads, but the analyst says deals: the columns must be mapped.
        ("leads.csv", LEADS, "deals", (upload.MAP_COLUMNS, "deals")),
        ("mql.csv", UNKNOWN_COLUMNS, upload.DETECTED, (upload.ASK_KIND, None)),
        ("mql.csv", UNKNOWN_COLUMNS, "leads", (upload.MAP_COLUMNS, "leads")),
        # Refused until the order is known, so the kind is not known yet either.
        ("dates.csv", AMBIGUOUS_DATES, upload.DETECTED, (upload.ASK_HOW_TO_READ, None)),
        # The same for amounts that read with either decimal mark.
        ("deals.csv", AMBIGUOUS_AMOUNTS, upload.DETECTED, (upload.ASK_HOW_TO_READ, None)),
        ("old.xls", OLD_EXCEL, upload.DETECTED, (upload.REFUSED, None)),
    ],
)
def test_the_next_step_follows_what_the_file_leaves_open(con, name, text, kind_choice, expected):
    assert upload.next_step(attempt(con, name, text), kind_choice) == expected


def test_answering_the_decimal_question_makes_the_file_loadable(con):
    asked = attempt(con, "deals.csv", AMBIGUOUS_AMOUNTS)
    assert asked.decimal_marks_to_ask == (".", ",") and asked.date_formats_to_ask == ()
    answered = attempt(con, "deals.csv", AMBIGUOUS_AMOUNTS, decimal_mark=".")
    assert upload.next_step(answered, upload.DETECTED) == (upload.AS_DETECTED, "deals")
    # 1.500 with a decimal point is one and a half.
    assert str(answered.prepared.rows.column("amount")[0]) == "1.50"


def test_answering_the_date_question_makes_the_file_loadable(con):
    answered = attempt(con, "dates.csv", AMBIGUOUS_DATES, date_format="day-first")
    assert upload.next_step(answered, upload.DETECTED) == (upload.AS_DETECTED, "leads")
    # 03/04/2026 read day first is 3 April.
    assert str(answered.prepared.rows.column("created_at")[0]) == "2026-04-03 00:00:00"


@pytest.mark.parametrize(
    ("text", "expected"),
    [(LEADS, None), (HEADER_ONLY, upload.NO_ROWS), (ALL_ROWS_BAD, upload.NO_LOADABLE_ROW)],
)
def test_a_file_with_nothing_to_load_says_why(con, text, expected):
    prepared = attempt(con, "leads.csv", text).prepared
    assert upload.why_not_loadable(prepared) == expected


def test_typed_rules_skip_empty_and_unmapped_channels():
    typed = [
        {"source": "Webinar", "channel": " Events "},
        {"source": "Podcast", "channel": ""},
        {"source": "Fax", "channel": "(unmapped)"},
        {"source": "Radio", "channel": None},
        {"source": "Not asked about", "channel": "Email"},
    ]
    unmapped = ["Webinar", "Podcast", "Fax", "Radio"]
    assert upload.typed_rules(unmapped, typed) == {"Webinar": "Events"}


def test_edited_rule_pairs_drop_only_fully_empty_rows():
    # A cleared or added cell of the table editor holds None or NaN (a float), never "".
    rows = [
        {"source": "Webinar", "channel": "Events"},
        {"source": None, "channel": None},
        {"source": "", "channel": ""},
        {"source": float("nan"), "channel": float("nan")},
        {},
        {"source": "Half", "channel": None},
        {"source": "Foo", "channel": float("nan")},
    ]
    assert upload.edited_rule_pairs(rows) == [("Webinar", "Events"), ("Half", ""), ("Foo", "")]


def ready(con, name: str, text: str, mode: str = "merge", rules=None) -> upload.Ready:
    prepared = attempt(con, name, text).prepared
    return upload.Ready(prepared, mode, prepared.source, rules or {})


def test_load_button_commits_leads_before_deals_and_says_how_to_undo(con):
    deals = ready(con, "deals.csv", DEALS)
    leads = ready(con, "leads.csv", LEADS, rules={"Webinar": "Events"})

    committed = upload.commit_all(con, [("file-deals", deals), ("file-leads", leads)], "test")

    # Uploads 1 and 2 built the database; the leads load as 3, then the deals as 4.
    assert committed.upload_ids == {"file-leads": 3, "file-deals": 4}
    assert committed.messages == [
        "Loaded 3 leads from leads.csv as upload 3 (merge).",
        "Loaded 1 deal from deals.csv as upload 4 (merge).",
        "To undo, restore upload 2 under History below (or run: python -m revcycle restore 2).",
    ]
    assert con.execute("select count(*) from raw_leads").fetchone() == (4,)
    assert channels.rules(con)["webinar"] == "Events"  # the rule key of "Webinar"


def test_a_failing_file_stops_the_batch_and_keeps_the_data(con, tmp_path):
    leads, deals = ready(con, "leads.csv", LEADS), ready(con, "deals.csv", DEALS)
    con.close()  # the database goes away before the button is pressed: every commit fails
    committed = upload.commit_all(con, [("file-leads", leads), ("file-deals", deals)], "test")
    assert committed.upload_ids == {}
    assert committed.messages == []  # nothing was done: the failure alone is said, as an error
    assert committed.failure == (
        "Loading leads.csv failed, so nothing from it was loaded and the data is as it was "
        "before it. The details are in the server log."
    )
    with connect(tmp_path / "test.duckdb") as reopened:
        assert reopened.execute("select lead_id from raw_leads").fetchall() == [("OLD1",)]


def test_restore_returns_to_the_state_after_an_upload_and_is_recorded(con):
    upload.commit_all(con, [("file-leads", ready(con, "leads.csv", LEADS, mode="replace"))], "test")
    assert con.execute("select count(*) from raw_leads").fetchone() == (3,)

    restored, sentence = upload.restore_to(con, 1, "test")

    assert restored
    assert sentence == "Restored the state after entry 1 (recorded as entry 4)."
    assert con.execute("select lead_id from raw_leads").fetchall() == [("OLD1",)]
    assert int(load.history(con)["upload_id"].max()) == 4


def test_restoring_an_entry_that_does_not_exist_says_so(con):
    restored, sentence = upload.restore_to(con, 99, "test")
    assert not restored
    assert sentence.startswith("Restoring entry 99 failed, so the data is as it was.")


def test_the_load_button_on_a_file_already_loaded_says_nothing_changed(con):
    upload.commit_all(con, [("first", ready(con, "leads.csv", LEADS))], "test")
    again = upload.commit_all(con, [("again", ready(con, "leads.csv", LEADS))], "test")
    assert again.upload_ids == {}
    assert again.messages == [
        "Nothing changed: every row of leads.csv is loaded already, as it is, so no history "
        "entry was added."
    ]
    # Again with a channel rule for its Webinar source: the rows change nothing, the rule is
    # saved (rules are the channels' own), and the message says both.
    ruled = upload.commit_all(
        con, [("ruled", ready(con, "leads.csv", LEADS, rules={"Webinar": "Events"}))], "test"
    )
    assert ruled.messages == [
        "No row changed: every row of leads.csv is loaded already, as it is, so no history "
        "entry was added. The channel rule given with it is saved: Webinar → Events."
    ]
    assert channels.rules(con)["webinar"] == "Events"
    # Uploads 1 and 2 built the database, 3 is the first load; before, the second added 4.
    assert int(load.history(con)["upload_id"].max()) == 3


# A Salesforce leads report: recognised, and its "Last Contacted" is no column it reads.
SALESFORCE_LEADS = (
    "Lead ID,Created Date,Lead Source,Lead Owner,Last Contacted\n"
    "00Q1,2026-10-01 09:00,Web,Ann,2026-10-01 11:30\n"
    "00Q2,2026-10-02 09:00,Web,Bram,\n"
)


def test_also_map_adds_a_column_to_a_recognised_file_as_load_map_does(con):
    assert upload.also_mapped("first_contacted_at = Last Contacted") == (
        {"first_contacted_at": "Last Contacted"},
        None,
    )
    assert upload.also_mapped("Last Contacted") == (
        {},
        "Write each column to map as FIELD=COLUMN, not 'Last Contacted'.",
    )
    plain = attempt(con, "leads.csv", SALESFORCE_LEADS).prepared
    assert "first_contacted_at" not in plain.mapping
    assert "Last Contacted" in plain.ignored_columns
    added = {"first_contacted_at": "Last Contacted"}
    checked = attempt(con, "leads.csv", SALESFORCE_LEADS, also_mapped=added).prepared
    # Still the Salesforce report, its own columns as they were, plus the one added.
    assert plain.source == "Salesforce leads report"
    assert checked.source == "Salesforce leads report, with columns mapped by hand"
    said_source = upload.source_sentence(checked, mapped_by_hand=False)
    assert said_source == (
        "Recognised as a Salesforce leads report (leads), with the columns under Also map added."
    )
    assert checked.mapping == {**plain.mapping, "first_contacted_at": "Last Contacted"}
    assert checked.rows.column("first_contacted_at").to_pylist() == [
        datetime(2026, 10, 1, 11, 30),
        None,
    ]
    assert checked.ignored_columns == []
    said = "the file has no column for the first contact"
    assert [p for p in plain.problems if p.reason.startswith(said)]
    assert not [p for p in checked.problems if p.reason.startswith(said)]
    # A column the file lacks refuses the file, naming it, as --map does.
    wrong = attempt(con, "leads.csv", SALESFORCE_LEADS, also_mapped={"first_contacted_at": "X"})
    assert wrong.is_refused
    assert [p.code for p in wrong.refusal] == ["no_such_column"]


def test_fixed_values_on_the_page_read_as_load_set_does(con):
    assert upload.fixed_values("stage=Won, currency = BRL") == (
        {"stage": "Won", "currency": "BRL"},
        None,
    )
    assert upload.fixed_values("stage") == (
        {},
        "Write each fixed value as NAME=VALUE, not 'stage'.",
    )
    checked = attempt(con, "deals.csv", DEALS, constants={"stage": "Won"}).prepared
    assert checked.rows.column("stage").to_pylist() == ["Won"]
    assert checked.mapping_lines() == [
        "deal_id ← deal_id",
        "lead_id ← lead_id",
        "created_at ← created_at",
        "stage ← --set stage=Won",
        "amount ← amount",
    ]
    assert checked.ignored_columns == []


TOUCHES = (
    "email,timestamp,utm_source,utm_medium\n"
    "Zed@Z.example,2026-10-01 08:00:00,google,cpc\n"  # N4's email, in another case
    "nobody@z.example,2026-10-01 08:30:00,google,cpc\n"
)
NEW_LEADS = "lead_id,created_at,channel,email\nN4,2026-10-01 09:00:00,Email,zed@z.example\n"
DEALS_OF_NEW = "deal_id,lead_id,created_at\nD4,N4,2026-10-05 09:00:00\nD5,N5,2026-10-05 09:00:00\n"


def unknown_leads(prepared) -> list[tuple[int, str]]:
    """The lines and values of the warnings that a deal or touch names no loaded lead."""
    codes = ("unknown_lead", "unknown_email")
    return [(problem.line, problem.value) for problem in prepared.problems if problem.code in codes]


def test_a_batch_is_checked_leads_first_and_its_deals_and_touches_know_them(con):
    files = [("t.csv", TOUCHES), ("d.csv", DEALS_OF_NEW), ("l.csv", NEW_LEADS), ("x", "a,b\n1,2\n")]
    kinds = [upload.likely_kind(name, text.encode(), 1 << 20) for name, text in files]
    assert kinds == ["touches", "deals", "leads", None]
    # Leads, the file no preset knows, deals (a spend file is told of their currencies), the
    # rest.
    assert upload.checking_order(kinds) == [2, 3, 1, 0]
    leads = attempt(con, "l.csv", NEW_LEADS).prepared
    arriving = upload.arriving([leads])
    # Alone, N4 is no loaded lead; with the batch's leads, only N5 and nobody@ are unknown.
    assert unknown_leads(attempt(con, "d.csv", DEALS_OF_NEW).prepared) == [(2, "N4"), (3, "N5")]
    assert unknown_leads(attempt(con, "d.csv", DEALS_OF_NEW, arriving=arriving).prepared) == [
        (3, "N5")
    ]
    with_leads = attempt(con, "t.csv", TOUCHES, arriving=arriving).prepared
    assert unknown_leads(with_leads) == [(3, "nobody@z.example")]
    assert upload.arriving([]) is None
    # Deals ready before the touches bring no leads: the touches are checked as if alone.
    deals = attempt(con, "d.csv", DEALS_OF_NEW).prepared
    assert upload.arriving([deals]) is None  # and no currency either: nothing arrives
    alone = [(2, "Zed@Z.example"), (3, "nobody@z.example")]
    assert unknown_leads(attempt(con, "t.csv", TOUCHES).prepared) == alone


def test_a_deal_linked_by_email_is_warned_of_only_when_no_lead_has_it(funnel_db):
    # Pipedrive's deals name their person's email; a lead converted to a deal leaves its
    # leads export, so such a deal's email matches no lead, and it stands alone.
    con = funnel_db(
        [
            {"lead_id": "N4", "created_at": "2026-10-01 09:00:00", "email": "zed@z.example"},
            # Salesforce's link: the lead names its converted opportunity (the 18-character
            # id of the report's 15).
            {
                "lead_id": "N6",
                "created_at": "2026-10-01 10:00:00",
                "converted_deal_id": "006000000000001AAA",
            },
        ]
    )
    deals = (
        "deal_id,lead_id,email,created_at\n"
        "D6,,ZED@z.example,2026-10-05 09:00:00\n"  # N4's email, in another case: linked
        "D7,,nobody@z.example,2026-10-05 09:00:00\n"  # no lead has it: warned of
        "006000000000001,,nobody@z.example,2026-10-05 09:00:00\n"  # N6's converted deal
        "D8,N4,nobody@z.example,2026-10-05 09:00:00\n"  # its lead id links it
    )
    warned = [
        (problem.line, problem.column, problem.value)
        for problem in attempt(con, "d.csv", deals).prepared.problems
        if problem.code == "unknown_email"
    ]
    assert warned == [(3, "email", "nobody@z.example")]


def test_the_kind_is_guessed_from_the_first_lines_of_a_large_file():
    rows = "".join(f"L{number},2026-10-01 09:00:00\n" for number in range(60_000))
    data = ("lead_id,created_at\n" + rows).encode()
    assert len(data) > upload.HEAD_BYTES
    assert upload.likely_kind("big.csv", data, len(data)) == "leads"
