"""The upload page under AppTest: real files go through st.file_uploader, are checked and
previewed, load, move the overview's numbers, and are undone.

A load changes the database, so every test works on its own copy of the sample database,
never on the session's shared one.
"""

import io
import json
import shutil
from datetime import date
from decimal import Decimal

import openpyxl
import pytest
from streamlit.testing.v1 import AppTest

from revcycle.db import connect
from revcycle.paths import REPO_ROOT
from revcycle.ui import page as page_module
from tests import sample_facts
from tests.conftest import copy_database
from tests.support.injection import unescaped
from tests.test_app import APP, shown_count

UPLOAD_PAGE = "pages/upload.py"
OVERVIEW_PAGE = "dashboard.py"
OCTOBER = (date(2026, 10, 1), date(2026, 10, 31))
MQL_ENTERED = '"Date entered ""Marketing Qualified Lead (Lifecycle Stage Pipeline)"""'

# A HubSpot contacts export as HubSpot writes it: every field quoted, its real header names.
# Lines 2-4 are new leads created in October 2026; line 5 has no Create Date (an error that
# rejects it); line 6 is the sample's first lead again, with other values than the sample
# (created in 2024). Over the sample every row is new: the first real upload removes the sample.
HUBSPOT_CONTACTS = (
    '"Record ID","Create Date","Original Traffic Source",'
    '"Original Traffic Source Drill-Down 1","Contact owner","Email","Company size",'
    f"{MQL_ENTERED}\n"
    '"90001","2026-10-05 09:12","Organic Search","","Anna Keller","a@x.example","SMB",'
    '"2026-10-08 12:00"\n'
    '"90002","2026-10-06 10:00","Offline Sources","chatgpt.com","","b@x.example","SMB",""\n'
    '"90003","2026-10-07 11:30","Other Campaigns","","","c@x.example","",""\n'
    '"90004","","Organic Search","","","d@x.example","",""\n'
    '"L0000001","2024-11-20 02:24","Paid Search","","David Jansen",'
    '"contact1@bright5709.example","Enterprise",""\n'
)
COUNT_NEW_OCTOBER_LEADS = 3

HUBSPOT_DEALS = (
    '"Record ID","Deal Name","Deal Stage","Amount","Close Date","Create Date","Deal owner",'
    '"Pipeline","Associated Contact IDs"\n'
    '"70001","Acme renewal","Closed won","1200.00","2026-10-20 10:00","2026-10-09 09:00",'
    '"Anna Keller","Sales Pipeline","90001"\n'
)

# No preset knows these columns.
MQL_SHEET = "mql_id,when,source\nM1,2026-10-02 08:00,Webinar\nM2,2026-10-03 09:30,Webinar\n"

# No day is above 12: 03/04/2026 is 3 April or March 4.
AMBIGUOUS_DATES = "lead_id;created_at\nA1;03/04/2026\nA2;05/06/2026\n"

# What an old binary .xls starts with (the OLE2 compound-file signature).
OLD_EXCEL = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504


@pytest.fixture
def own_db(sample_db_file, tmp_path, monkeypatch):
    """A private copy of the sample database (built once per worker) as ``$REVCYCLE_DB``."""
    path = copy_database(sample_db_file, tmp_path / "revcycle.duckdb")
    monkeypatch.setenv("REVCYCLE_DB", str(path))
    return path


def open_app(period: tuple[date, date] = OCTOBER) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params["preset"] = "Custom"
    at.query_params["period"] = [f"{day:%Y-%m-%d}" for day in period]
    return at.run()


def open_upload_page(period: tuple[date, date] = OCTOBER) -> AppTest:
    """The upload page opened by its own link, as every page can be: for the tests that stay
    on it, an Overview run over the sample before it showed nothing they look at."""
    at = AppTest.from_file(str(REPO_ROOT / UPLOAD_PAGE), default_timeout=120)
    at.query_params["preset"] = "Custom"
    at.query_params["period"] = [f"{day:%Y-%m-%d}" for day in period]
    at.run()
    assert not at.exception, at.exception
    return at


def go_to(at: AppTest, path: str) -> AppTest:
    at.switch_page(path).run()
    assert not at.exception, at.exception
    return at


def upload_files(at: AppTest, *files: tuple[str, str | bytes]) -> AppTest:
    at.file_uploader(key="upload_files").set_value(
        [
            (name, data.encode() if isinstance(data, str) else data, "text/csv")
            for name, data in files
        ]
    ).run()
    assert not at.exception, at.exception
    return at


def tiles(at: AppTest) -> dict[str, str]:
    return {metric.label: metric.value for metric in at.metric}


def table_with(at: AppTest, column: str, nth: int = 0):
    """The ``nth`` table shown with ``column`` (st.dataframe keeps no key without selection)."""
    return [frame.value for frame in at.dataframe if column in frame.value.columns][nth]


def texts(elements) -> list[str]:
    """The elements' Markdown as a reader sees it: file names are escaped, so shown as text."""
    return [unescaped(element.value) for element in elements]


def load_hubspot_contacts(at: AppTest) -> AppTest:
    go_to(at, UPLOAD_PAGE)
    upload_files(at, ("hubspot-contacts.csv", HUBSPOT_CONTACTS))
    at.button(key="upload_commit").click().run()
    assert not at.exception, at.exception
    return at


def test_a_hubspot_export_is_previewed_loaded_and_moves_the_leads_tile(own_db):
    at = open_app()
    before = shown_count(at, "Leads")
    assert before == sample_facts.count_leads(period=OCTOBER)

    go_to(at, UPLOAD_PAGE)
    # The one file picker takes every kind, ad spend included, and says so.
    assert (
        at.file_uploader(key="upload_files").label == "Exports: leads, deals, touches or ad spend"
    )
    upload_files(at, ("hubspot-contacts.csv", HUBSPOT_CONTACTS))
    assert not at.error
    assert "Recognised as a HubSpot contacts export (leads)." in texts(at.caption)
    assert "**5 data lines in hubspot-contacts.csv = 4 rows to load + 1 rejected.**" in texts(
        at.markdown
    )
    problems = table_with(at, "reason")
    # The export has no SQL date column: one warning for the whole file, naming it, as a
    # sentence above the table of the lines' problems, read in full.
    [said] = [text for text in texts(at.warning) if "Sales Qualified Lead" in text]
    assert said.startswith("The file has no column") and said.endswith("to the export.")
    assert problems[["severity", "count", "lines"]].values.tolist() == [["error", 1, "5"]]
    assert problems["column"][0] == "Create Date"
    # Line 5's Create Date is empty: said so, where the table showed "None".
    assert problems["example"][0] == "(blank)"
    assert {"New": "4", "Changed": "0", "Unchanged": "0"}.items() <= tiles(at).items()
    assert any(
        "holds the bundled sample (20,000 leads, 2,519 deals)" in w for w in texts(at.warning)
    )
    rules = at.data_editor(key="upload_rules_hubspot-contacts.csv").value
    assert rules["Source value in the file"].tolist() == ["Offline Sources", "Other Campaigns"]
    assert any("Other Campaigns" in info and "(unmapped)" in info for info in texts(at.info))

    at.session_state["upload_rules_hubspot-contacts.csv"] = {
        "edited_rows": {0: {"Channel": "AI search"}},
        "added_rows": [],
        "deleted_rows": [],
    }
    at.run()
    at.button(key="upload_commit").click().run()
    assert not at.exception, at.exception
    # The sample was loaded as uploads 1-4 (leads, deals, touches, spend); 5 removed it.
    assert "Loaded 4 leads from hubspot-contacts.csv as upload 6 (merge)." in texts(at.success)
    assert any("restore upload 4" in message for message in texts(at.success))

    go_to(at, OVERVIEW_PAGE)
    assert shown_count(at, "Leads") == COUNT_NEW_OCTOBER_LEADS
    assert page_module.SAMPLE_LINE not in texts(at.info)
    assert "AI search" in at.multiselect(key="channel").options


def test_restore_brings_the_numbers_back(own_db):
    at = open_app()
    before = shown_count(at, "Leads")
    load_hubspot_contacts(at)
    go_to(at, OVERVIEW_PAGE)
    assert shown_count(at, "Leads") == COUNT_NEW_OCTOBER_LEADS

    go_to(at, UPLOAD_PAGE)
    assert at.selectbox(key="upload_restore_choice").value == 4  # the state before the upload
    at.button(key="upload_restore").click().run()
    assert any("state right after entry 4" in warning for warning in texts(at.warning))
    at.button(key="upload_restore_confirm").click().run()
    assert not at.exception, at.exception
    assert "Restored the state after entry 4 (recorded as entry 7)." in texts(at.success)

    # A new visit: this session's period was narrowed to the three leads' days while they
    # were all the data.
    at = open_app()
    assert shown_count(at, "Leads") == before
    assert page_module.SAMPLE_LINE in texts(at.info)


def test_several_files_load_leads_before_deals(own_db):
    # Deal 70001's contact, 90001, comes in the same batch; 70002's, 90004, is in it too but
    # rejected (no Create Date); 70003's, 90009, is in neither the batch nor the database.
    more_deals = "".join(
        f'"{deal}","Deal","Closed won","100.00","2026-10-20 10:00","2026-10-09 09:00",'
        f'"Anna Keller","Sales Pipeline","{contact}"\n'
        for deal, contact in (("70002", "90004"), ("70003", "90009"))
    )
    at = open_upload_page()
    upload_files(
        at,
        ("hubspot-deals.csv", HUBSPOT_DEALS + more_deals),
        ("hubspot-contacts.csv", HUBSPOT_CONTACTS),
    )
    # The deals are checked against the leads that load before them, though chosen first:
    # only the two contacts that will not be leads are warned of (lines 3 and 4). Before,
    # checked against the sample, which the batch removes, every deal was.
    deal_problems = table_with(at, "reason")
    assert deal_problems[["severity", "count", "example"]].values.tolist() == [
        ["warning", 2, "90004"]
    ]
    assert deal_problems["reason"].str.startswith("no loaded lead has this id").all()
    # The reason wraps in full: its cell was cut at one line ("…nor names this deal a…").
    table = next(frame for frame in at.dataframe if "reason" in frame.value.columns)
    reason = deal_problems["reason"].iloc[0]
    assert len(reason) > 55 and table.proto.row_height >= 19 * (len(reason) // 55 + 1)
    # The sections keep the order the files were chosen in.
    assert texts(at.subheader)[:2] == [
        "hubspot-deals.csv",
        "hubspot-contacts.csv",
    ]
    assert at.button(key="upload_commit").label == "Load 2 files"
    at.button(key="upload_commit").click().run()
    assert not at.exception, at.exception
    history = table_with(at, "Upload")
    assert history[["Upload", "Kind", "File"]].values.tolist()[:2] == [
        [7, "deals", "hubspot-deals.csv"],  # after the sample's uploads 1-4 and its removal
        [6, "leads", "hubspot-contacts.csv"],
    ]


def test_a_file_no_preset_knows_shows_the_mapping_screen(own_db):
    at = open_upload_page()
    upload_files(at, ("mqls.csv", MQL_SHEET))
    assert any("No preset or saved mapping recognises" in info for info in texts(at.info))
    assert not at.metric  # no preview before the columns are known

    at.selectbox(key="upload_kind_mqls.csv").set_value("leads").run()
    field = "upload_map_mqls.csv_leads_{}".format
    # No column is named as a field: none is chosen unasked.
    assert at.selectbox(key=field("lead_id")).value is None
    assert any("Choose a column for lead_id and created_at" in w for w in texts(at.warning))
    at.selectbox(key=field("lead_id")).set_value("mql_id")
    at.selectbox(key=field("created_at")).set_value("when")
    at.selectbox(key=field("mql_at")).set_value("when").run()  # a slip: one column, two fields
    slip = "The column when feeds created_at and mql_at: check that one column is meant for all"
    assert any(slip in warning for warning in texts(at.warning))
    at.selectbox(key=field("mql_at")).set_value(None)
    at.selectbox(key=field("channel")).set_value("source")
    for name in ("owner", "country"):  # weaker suggestions the analyst turns down
        at.selectbox(key=field(name)).set_value(None)
    at.text_input(key="upload_save_mqls.csv_leads").input("MQL sheet")
    at.run()
    assert "**2 data lines in mqls.csv = 2 rows to load + 0 rejected.**" in texts(at.markdown)
    assert {"New": "2", "Changed": "0", "Unchanged": "0"}.items() <= tiles(at).items()

    at.button(key="upload_commit").click().run()
    assert not at.exception, at.exception
    # Next week's file with the same columns is read with the saved mapping, unasked.
    upload_files(at, ("mqls-next-week.csv", MQL_SHEET.replace("M2", "M3")))
    assert "Read as leads with the saved mapping “MQL sheet”." in texts(at.caption)
    assert {"New": "1", "Changed": "0", "Unchanged": "1"}.items() <= tiles(at).items()


def asked(file: tuple[str, str], key: str):
    """The upload page with ``file`` uploaded, and the question ``key`` it asks: unanswered,
    with nothing previewed or refused while it is open."""
    at = open_upload_page()
    upload_files(at, file)
    question = at.radio(key=key)
    assert question.value is None
    assert not at.metric and not at.error
    return at, question


def test_ambiguous_dates_ask_for_the_order(own_db):
    at, question = asked(("sheet.csv", AMBIGUOUS_DATES), "upload_dates_sheet.csv")
    assert question.options == [
        "Day first: 03/04/2026 is 3 April 2026",
        "Month first: 03/04/2026 is March 4, 2026",
    ]
    question.set_value("day-first").run()
    assert not at.exception, at.exception
    assert "**2 data lines in sheet.csv = 2 rows to load + 0 rejected.**" in texts(at.markdown)
    assert tiles(at)["New"] == "2"


def test_dates_that_read_either_way_follow_the_last_upload_and_the_choice_stays_open(own_db):
    # A leads file whose 24th of October settles day-first is loaded first; the next file's
    # dates, none above 12, are read the same way, the question shown answered.
    at = open_upload_page()
    upload_files(at, ("october.csv", "lead_id;created_at\nB1;24/10/2026\n"))
    at.button(key="upload_commit").click().run()
    assert not at.exception, at.exception
    con = connect(own_db)
    [(upload_id,)] = con.execute("select max(upload_id) from uploads").fetchall()
    con.close()
    at = open_upload_page()
    upload_files(at, ("sheet.csv", AMBIGUOUS_DATES))
    assert at.radio(key="upload_dates_sheet.csv").value == "day-first"
    assert (
        "Note: created_at: each date reads both day-first and month-first (no day above 12); "
        f"read day-first, as upload {upload_id} (october.csv) was. If that is wrong, choose the "
        "other order (--date-format on the command line)."
    ) in texts(at.caption)
    assert "**2 data lines in sheet.csv = 2 rows to load + 0 rejected.**" in texts(at.markdown)
    at.radio(key="upload_dates_sheet.csv").set_value("month-first").run()
    assert not at.exception, at.exception
    at.button(key="upload_commit").click().run()
    assert not at.exception, at.exception
    con = connect(own_db)
    loaded = dict(con.execute("select lead_id, created_at from raw_leads").fetchall())
    con.close()
    # 03/04/2026 and 05/06/2026 read month-first, as chosen: 4 March and 6 May.
    assert (loaded["A1"].date(), loaded["A2"].date()) == (date(2026, 3, 4), date(2026, 5, 6))
    history = table_with(at, "Dates read")
    assert history[["File", "Dates read"]].head(2).values.tolist() == [
        ["sheet.csv", "month-first"],
        ["october.csv", "day-first"],
    ]


def workbook_bytes(sheets: dict[str, list[list]]) -> bytes:
    """A real .xlsx holding ``sheets`` (title -> rows), in order."""
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
    data = io.BytesIO()
    workbook.save(data)
    return data.getvalue()


# A summary table first (read unless another sheet is chosen), then leads no preset knows,
# then HubSpot deals: one won of 1,200.00 and one open of 80.25.
BOOK = workbook_bytes(
    {
        "Summary": [["Month", "Deals"], ["Oct", 2]],
        "MQLs": [["mql_id", "when"], ["M1", "2026-10-02 08:00"], ["M2", "2026-10-03 09:30"]],
        "Deals": [
            ["Record ID", "Deal Name", "Deal Stage", "Amount", "Close Date", "Create Date"],
            ["70001", "Acme", "Closed won", 1200, "2026-10-20 10:00", "2026-10-09 09:00"],
            ["70002", "Bolt", "Qualified to buy", 80.25, None, "2026-10-10 09:00"],
        ],
    }
)


def test_a_workbook_s_sheet_is_chosen_on_the_page_and_that_sheet_loads(own_db):
    at = open_upload_page()
    upload_files(at, ("book.xlsx", BOOK))
    sheet = at.selectbox(key="upload_sheet_book.xlsx")
    assert (sheet.options, sheet.value) == (["Summary", "MQLs", "Deals"], None)
    # Unchosen, the first sheet with a table is read: the summary, which no preset knows.
    assert (
        "No preset or saved mapping recognises the columns of this workbook's first sheet with "
        "a table. If the export is on another sheet, choose it under Sheet; if not, say above "
        "whether the file holds leads, deals, touches or spend, then pick the file's column for "
        "each field."
    ) in texts(at.info)
    sheet.set_value("Deals").run()
    assert not at.exception, at.exception
    assert "Recognised as a HubSpot deals export (deals)." in texts(at.caption)
    assert "**2 data lines in book.xlsx = 2 rows to load + 0 rejected.**" in texts(at.markdown)
    at.button(key="upload_commit").click().run()
    assert not at.exception, at.exception
    con = connect(own_db)
    deals = con.execute("select deal_id, amount, is_won from stg_deals order by 1").fetchall()
    con.close()
    assert deals == [("70001", Decimal("1200.00"), True), ("70002", Decimal("80.25"), False)]


def test_an_old_xls_export_is_checked_like_any_other(own_db):
    # HubSpot's XLS export (its rows are written out in tests/test_read.py): three contacts.
    export = REPO_ROOT / "tests" / "fixtures" / "exports" / "read" / "hubspot_contacts.xls"
    at = open_upload_page()
    upload_files(at, ("contacts.xls", export.read_bytes()))
    assert not at.error
    assert "Recognised as a HubSpot contacts export (leads)." in texts(at.caption)
    assert "**3 data lines in contacts.xls = 3 rows to load + 0 rejected.**" in texts(at.markdown)
    assert {"New": "3", "Changed": "0", "Unchanged": "0"}.items() <= tiles(at).items()


def test_a_workbook_s_leads_and_deals_sheets_load_one_after_the_other(own_db):
    book = workbook_bytes(
        {
            "Contacts": [
                ["Record ID", "Create Date", "Original Traffic Source", "Email"],
                ["90001", "2026-10-05 09:12", "Organic Search", "a@x.example"],
            ],
            "Deals": [
                ["Record ID", "Deal Name", "Deal Stage", "Amount", "Close Date", "Create Date"],
                ["70001", "Acme", "Closed won", 1200, "2026-10-20 10:00", "2026-10-09 09:00"],
            ],
        }
    )
    at = open_upload_page()
    upload_files(at, ("book.xlsx", book))
    at.selectbox(key="upload_sheet_book.xlsx").set_value("Contacts").run()
    at.button(key="upload_commit").click().run()
    assert not at.exception, at.exception
    [loaded] = [text for text in texts(at.success) if text.startswith("Loaded as upload")]
    assert "To load another of its sheets, choose it under Sheet." in loaded
    # The other sheet, chosen after the load, is checked and loads as a file of its own.
    at.selectbox(key="upload_sheet_book.xlsx").set_value("Deals").run()
    assert "Recognised as a HubSpot deals export (deals)." in texts(at.caption)
    at.button(key="upload_commit").click().run()
    assert not at.exception, at.exception
    history = table_with(at, "Upload")
    assert history[["Kind", "File"]].values.tolist()[:2] == [
        ["deals", "book.xlsx"],
        ["leads", "book.xlsx"],
    ]


def test_the_mapping_screen_offers_the_chosen_sheet_s_columns(own_db):
    at = open_upload_page()
    upload_files(at, ("book.xlsx", BOOK))
    at.selectbox(key="upload_sheet_book.xlsx").set_value("MQLs").run()
    at.selectbox(key="upload_kind_book.xlsx").set_value("leads").run()
    field = "upload_map_book.xlsx_leads_{}".format
    # The MQL sheet's columns, not the summary's (Month, Deals).
    assert at.selectbox(key=field("lead_id")).options[1:] == ["mql_id", "when"]
    at.selectbox(key=field("lead_id")).set_value("mql_id")
    at.selectbox(key=field("created_at")).set_value("when").run()
    assert not at.exception, at.exception
    assert "**2 data lines in book.xlsx = 2 rows to load + 0 rejected.**" in texts(at.markdown)
    assert {"New": "2", "Changed": "0", "Unchanged": "0"}.items() <= tiles(at).items()


def test_amounts_that_read_either_way_ask_for_the_decimal_mark(own_db):
    # No amount shows its mark: 1.500 is fifteen hundred with a decimal comma, one and a half
    # with a decimal point. With a decimal comma the two deals are 1,500.00 and 2,250.00.
    deals = (
        "deal_id;created_at;amount;currency\nD-1;2026-10-02;1.500;EUR\nD-2;2026-10-03;2.250;EUR\n"
    )
    at, question = asked(("deals.csv", deals), "upload_decimals_deals.csv")
    assert question.options == [
        "With a decimal point: 1,500.25 (so 1,500 is fifteen hundred)",
        "With a decimal comma: 1.500,25 (so 1.500 is fifteen hundred)",
    ]
    assert (
        "deals.csv, column amount: could have a decimal point or a decimal comma, and no amount "
        "shows which (e.g. 1.500)."
    ) in texts(at.caption)
    question.set_value(",").run()
    assert not at.exception, at.exception
    assert "**2 data lines in deals.csv = 2 rows to load + 0 rejected.**" in texts(at.markdown)
    at.button(key="upload_commit").click().run()
    assert not at.exception, at.exception
    with connect(own_db) as con:
        amounts = con.execute(
            "select deal_id, amount from raw_deals where deal_id like 'D-_' order by deal_id"
        ).fetchall()
    assert amounts == [("D-1", Decimal("1500.00")), ("D-2", Decimal("2250.00"))]


def test_an_old_excel_file_is_refused_with_a_sentence(own_db):
    at = open_upload_page()
    upload_files(at, ("pipeline.xls", OLD_EXCEL))
    assert not at.exception
    (error,) = texts(at.error)
    assert "pipeline.xls: The file is an old binary Excel workbook (.xls)" in error
    assert "save it as .xlsx or CSV UTF-8" in error
    assert not [button for button in at.button if button.key == "upload_commit"]


def test_the_size_limit_comes_from_the_environment(own_db, monkeypatch):
    monkeypatch.setenv("REVCYCLE_MAX_UPLOAD_MB", "1")
    # 26 header bytes + 1 newline, then 36,000 rows of 34 bytes: 1,224,027 bytes, 1.17 MB.
    rows = "".join(f"B{number:07d},2026-10-01 10:00,Webinar\n" for number in range(36_000))
    at = open_upload_page()
    upload_files(at, ("big.csv", "lead_id,created_at,channel\n" + rows))
    (error,) = texts(at.error)
    assert "big.csv: The file is 1.2 MB; the limit is 1.0 MB." in error


def test_an_unexpected_failure_is_logged_and_said_in_a_sentence(own_db, monkeypatch, caplog):
    def broken_prepare(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr("revcycle.ui.upload.prepare", broken_prepare)
    at = open_upload_page()
    upload_files(at, ("hubspot-contacts.csv", HUBSPOT_CONTACTS))
    assert not at.exception
    (error,) = texts(at.error)
    assert error == (
        "Something went wrong while checking hubspot-contacts.csv, so it cannot be loaded. "
        "The details are in the server log."
    )
    assert "disk on fire" not in error
    assert any(
        record.name == "revcycle" and record.exc_info and "disk on fire" in str(record.exc_info[1])
        for record in caplog.records
    )


def test_editing_the_channel_rules_regroups_the_channels(own_db):
    at = go_to(open_app(), UPLOAD_PAGE)
    rules = table_with(at, "Channel")
    row = rules.index[rules["Source value"] == "Trade Show"][0]
    # AppTest cannot type into st.data_editor; its edits arrive through session state.
    at.session_state["upload_rules_table"] = {
        "edited_rows": {int(row): {"Channel": "Events"}},
        "added_rows": [],
        "deleted_rows": [],
    }
    at.button(key="upload_rules_save").click().run()
    assert not at.exception
    assert any("Saved" in message for message in texts(at.success))
    at = go_to(at, "dashboard.py")
    channels_offered = at.multiselect(key="channel").options
    assert "Events" in channels_offered and "Trade show" not in channels_offered


def test_saving_rules_skips_empty_rows_and_says_a_repeated_source(own_db):
    # Two rows added: an empty one (the editor's new row, never filled) and "paid search",
    # a source the table has (any case is the same source). N rules before; N after, the
    # added one the later and so the one kept, and the page says so, never "N + 2".
    at = open_upload_page()
    before = len(table_with(at, "Channel"))
    at.session_state["upload_rules_table"] = {
        "edited_rows": {},
        "added_rows": [{}, {"Source value": "paid search", "Channel": "Search ads"}],
        "deleted_rows": [],
    }
    at.button(key="upload_rules_save").click().run()
    assert not at.exception
    assert not at.error, [error.value for error in at.error]
    saved = [message for message in texts(at.success) if message.startswith("Saved")]
    assert saved == [
        f"Saved {before} channel rules. 1 row repeated a source value: the last of each kept."
    ]


def test_a_wide_export_names_twelve_ignored_columns_and_lists_all_of_them_on_request(own_db):
    # HubSpot's deals export with 20 custom properties c01..c20 after its own columns: with
    # Deal Name and Pipeline, 22 ignored; the caption names the first 12, 22 - 12 = 10 more.
    header, row = HUBSPOT_DEALS.splitlines()
    custom = [f"c{number:02d}" for number in range(1, 21)]
    wide = ",".join([header, *(f'"{name}"' for name in custom)]) + "\n"
    wide += ",".join([row, *['""'] * 20]) + "\n"
    at = open_upload_page()
    upload_files(at, ("hubspot-deals-wide.csv", wide))
    captions = [text.replace("\\", "") for text in texts(at.caption)]
    named = ", ".join(["Deal Name", "Pipeline", *custom[:10]])
    assert f"Ignored columns (22): {named} and 10 more" in captions
    [listing] = [expander for expander in at.expander if "ignored columns" in expander.label]
    assert listing.label == "All 22 ignored columns"
    assert listing.text[0].value.splitlines() == ["Deal Name", "Pipeline", *custom]


def test_a_load_that_fails_is_said_as_an_error_and_changes_nothing(own_db):
    # The upload archive beside the database cannot be written (a file where its folder
    # goes): the load fails, the page says so in an error box, never a success one.
    at = open_upload_page()
    upload_files(at, ("hubspot-contacts.csv", HUBSPOT_CONTACTS))
    archive = own_db.parent / "uploads"
    shutil.rmtree(archive, ignore_errors=True)
    archive.write_text("not a folder", encoding="utf-8")
    at.button(key="upload_commit").click().run()
    assert not at.exception, at.exception
    assert not [success for success in at.success if "failed" in success.value]
    errors = [unescaped(error.value) for error in at.error]
    assert any("failed, so nothing from it was loaded" in error for error in errors)


def test_a_malformed_fixed_value_holds_the_file_back_until_it_is_fixed(own_db):
    # "currency BRL" has no "=": the box says how to write it, and the file cannot load with
    # its fixed values half read (before, every one was dropped and the file still loaded).
    at = open_upload_page()
    upload_files(at, ("hubspot-deals.csv", HUBSPOT_DEALS))
    at.text_input(key="upload_set_hubspot-deals.csv").input("stage=Won, currency BRL").run()
    assert not at.exception, at.exception
    assert any("Write each fixed value as" in unescaped(error.value) for error in at.error)
    assert not [button for button in at.button if button.key == "upload_commit"]
    at.text_input(key="upload_set_hubspot-deals.csv").input("stage=Won, currency=BRL").run()
    assert [button for button in at.button if button.key == "upload_commit"]


def test_the_page_shows_the_whole_mapping_and_takes_fixed_values(own_db):
    at = open_upload_page()
    upload_files(at, ("hubspot-deals.csv", HUBSPOT_DEALS))
    # The captions escape Markdown's signs: the names are shown as text.
    captions = [text.replace("\\", "") for text in texts(at.caption)]
    # Every HubSpot deals column but these two feeds a field.
    assert "Ignored columns (2): Deal Name, Pipeline" in captions
    at.text_input(key="upload_set_hubspot-deals.csv").input("currency=BRL").run()
    assert not at.exception, at.exception
    mapping = next(text for text in texts(at.caption) if text.startswith("Mapping"))
    assert "currency ← --set currency=BRL" in mapping.replace("\\", "")
    assert tiles(at)["New"] == "1"


def test_also_map_reads_a_column_a_recognised_export_leaves_out(own_db):
    """A Salesforce leads report has no first-contact column of its own: the page said so,
    but only the command line (--map) could read the export's own one into the field."""
    export = (
        "Lead ID,Created Date,Lead Source,Lead Owner,Last Contacted\n"
        "00Q1,2026-10-01 09:00,Web,Ann,2026-10-01 11:30\n"
    )
    at = open_upload_page()
    upload_files(at, ("sf-leads.csv", export))
    said = "The file has no column for the first contact"
    assert [text for text in texts(at.warning) if text.startswith(said)]
    box = at.text_input(key="upload_also_map_sf-leads.csv")
    assert box.label == "Also map"
    box.input("first_contacted_at Last Contacted").run()  # no "=": said how, and held back
    assert "Write each column to map as FIELD=COLUMN, not 'first_contacted_at Last Contacted'." in [
        unescaped(error.value) for error in at.error
    ]
    assert not [button for button in at.button if button.key == "upload_commit"]
    at.text_input(key="upload_also_map_sf-leads.csv").input(
        "first_contacted_at=Last Contacted"
    ).run()
    assert not at.exception, at.exception
    captions = [text.replace("\\", "") for text in texts(at.caption)]
    assert (
        "Recognised as a Salesforce leads report (leads), with the columns under Also map added."
        in captions
    )
    mapping = next(text for text in captions if text.startswith("Mapping"))
    assert "first_contacted_at ← Last Contacted" in mapping
    assert not [text for text in texts(at.warning) if text.startswith(said)]
    assert [button for button in at.button if button.key == "upload_commit"]


@pytest.mark.parametrize(
    ("name", "export", "said"),
    [
        (
            "deals.csv",
            "deal_id,created_at,stage,amount,currency,source\n"
            "D-U1,2026-10-05 10:00,Open,100.00,EUR,Fax campaign\n",
            "Deals with Fax campaign and no lead will count under (unmapped).",
        ),
        (
            "spend.csv",
            "spend_id,date_from,source,campaign,amount,currency\n"
            "S-U1,2026-10-05,Fax campaign,Autumn fax,100.00,EUR\n",
            "Spend rows with Fax campaign will count under (unmapped), unless their campaign is "
            "one the leads or touches have a channel for.",
        ),
    ],
    ids=["deals", "spend"],
)
def test_a_source_with_no_rule_is_said_to_count_as_its_own_kind_does(own_db, name, export, said):
    # A deal linked to a lead counts in the lead's channel, and spend can take its campaign's:
    # the page said "Leads with ... will load under (unmapped)" for every kind.
    at = open_upload_page()
    upload_files(at, (name, export))
    assert not at.error, [error.value for error in at.error]
    infos = texts(at.info)
    assert any(info.startswith(said) for info in infos), infos
    assert not any(info.startswith("Leads with") for info in infos)


def test_sixty_sources_with_no_rule_are_counted_not_listed_under_the_table(own_db):
    # Sixty leads, each with a source of its own (ref-10 ... ref-69): the table lists all 60 for
    # rules, the info under it counts them (it listed every value: 95,000 px tall for 50,000),
    # and a warning says the column may be no source.
    export = "lead_id,created_at,channel\n" + "".join(
        f"L{i},2026-11-02 10:00,ref-{i}\n" for i in range(10, 70)
    )
    at = open_upload_page()
    upload_files(at, ("leads.csv", export))
    source = "Source value in the file"
    rules = next(frame for frame in at.dataframe if source in frame.value.columns)
    assert rules.value[source].tolist() == [f"ref-{i}" for i in range(10, 70)]
    warnings = [unescaped(warning.value) for warning in at.warning]
    assert [warning for warning in warnings if "no channel rule" in warning] == [
        "60 source values with no channel rule, so many that the column 'channel', read as the "
        "channel, may hold something else, such as an id or free text. To read another column, "
        "choose the file's kind under What this file holds and pick the column."
    ]
    assert [info for info in texts(at.info) if "(unmapped)" in info] == [
        "Leads with the 60 source values left without one will load under (unmapped). They are "
        "kept, not dropped, and move to a channel once a rule for them is added."
    ]


def test_the_history_s_kind_column_is_wide_enough_for_every_kind(own_db):
    # st.dataframe fits a column to its first rows, so "sample removed" under ten uploads was
    # cut at 1280 px. In the table's font (Source Sans at 14.875 px, measured in Chromium) it is
    # 103.6 px, and a cell pads 9 px each side: the column needs 122 px at least.
    at = open_upload_page()
    history = next(frame for frame in at.dataframe if "Read as" in frame.value.columns)
    columns = json.loads(history.proto.columns)
    assert columns["Kind"].get("width", 0) >= 122, columns["Kind"]


def test_the_history_s_file_and_read_as_wrap_a_long_name_in_full(own_db):
    # Left to fit its first rows, File showed "the bundled sa" and Read as "Revcycle generic
    # touches expor" once short names came above them. Now both are 260 px wide, a line of 32
    # characters, and wrap between words: the longest text, the file name below, takes three
    # lines ("hubspot-crm-exports-all-" / "contacts-2026-11-27 (week 48," / "final).csv"),
    # 16 + 3 x 19 = 73 px, over the 4rem (4 x 17 px, the theme's base font size) below which
    # st.dataframe does not wrap.
    name = "hubspot-crm-exports-all-contacts-2026-11-27 (week 48, final).csv"
    at = open_upload_page()
    upload_files(at, (name, HUBSPOT_CONTACTS))
    at.button(key="upload_commit").click().run()
    assert not at.exception, at.exception
    history = next(frame for frame in at.dataframe if "Read as" in frame.value.columns)
    assert name in history.value["File"].tolist()
    columns = json.loads(history.proto.columns)
    assert (columns["File"].get("width"), columns["Read as"].get("width")) == (260, 260)
    assert columns["File"]["type_config"]["type"] == "text"  # a name is text, never Markdown
    assert history.proto.row_height == 73
