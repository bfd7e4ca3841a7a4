"""The touches kind: read, checked with line numbers, linked to leads, channelled, merged,
replaced and restored; real files and a real DuckDB database throughout."""

from datetime import datetime
from pathlib import Path

import pytest

from revcycle.importer import channels
from revcycle.importer import problems as codes
from revcycle.importer.load import commit_upload, history, restore
from revcycle.importer.problems import ERROR, WARNING, ImportRefused, grouped
from revcycle.importer.validate import prepare
from tests.conftest import connect_built, write_export

LEADS = [
    {
        "lead_id": "L1",
        "created_at": "2026-01-10 09:00:00",
        "channel": "Paid Search",
        "email": "ann@x.example",
    },
    {
        "lead_id": "L2",
        "created_at": "2026-01-12 09:00:00",
        "channel": "Webinar",
        "email": "bob@y.example",
    },
    # A second lead with Bob's email, created later: an email touch belongs to the earliest.
    {
        "lead_id": "L3",
        "created_at": "2026-02-01 09:00:00",
        "channel": "Email",
        "email": "bob@y.example",
    },
]


@pytest.fixture
def con(tmp_path, built_databases):
    exports = {"leads": write_export(tmp_path / "leads.csv", "leads", LEADS)}
    connection = connect_built(exports, tmp_path / "touches.duckdb", built_databases)
    yield connection
    connection.close()


def load(con, path: Path, mode="merge", **options):
    prepared = prepare(con, path, **options)
    upload_id, change = commit_upload(
        con, prepared.kind, prepared.rows, mode, prepared.meta(), changed_by="test"
    )
    return prepared, upload_id, change


def staged(con):
    return con.execute(
        "select lead_id, strftime(touched_at, '%Y-%m-%d %H:%M'), channel, campaign, touch_type "
        "from stg_touches order by touched_at, lead_id"
    ).fetchall()


def problems_of(prepared, code):
    return [(p.line, p.severity) for p in prepared.problems if p.code == code]


def test_with_no_touches_loaded_the_staging_view_exists_and_is_empty(con):
    assert con.execute("select count(*) from stg_touches").fetchall() == [(0,)]


def test_touches_link_by_lead_id_or_by_email_in_any_case_to_the_earliest_lead(con, tmp_path):
    export = write_export(
        tmp_path / "t.csv",
        "touches",
        [
            {"lead_id": "L1", "touched_at": "2026-01-05 10:00:00", "source": "Organic Search"},
            {
                "email": "BOB@Y.example",
                "touched_at": "2026-01-11 08:00:00",
                "source": "Email",
                "campaign": "Nurture",
                "touch_type": "email click",
            },
        ],
    )
    load(con, export)
    # L1 by its id; Bob's email belongs to L2 (12 Jan) and L3 (1 Feb): the earliest, L2.
    assert staged(con) == [
        ("L1", "2026-01-05 10:00", "Organic search", None, None),
        ("L2", "2026-01-11 08:00", "Email", "Nurture", "email click"),
    ]


def test_a_source_goes_through_the_channel_rules_blank_unknown_and_unruled_unmapped(con, tmp_path):
    export = write_export(
        tmp_path / "t.csv",
        "touches",
        [
            {"lead_id": "L1", "touched_at": "2026-01-01 10:00:00", "source": "PAID_SEARCH"},
            {"lead_id": "L1", "touched_at": "2026-01-02 10:00:00", "source": ""},
            {"lead_id": "L1", "touched_at": "2026-01-03 10:00:00", "source": "Carrier pigeon"},
        ],
    )
    prepared, _, _ = load(con, export)
    assert prepared.unmapped_sources == ["Carrier pigeon"]
    assert [row[2] for row in staged(con)] == ["Paid search", "(unknown)", "(unmapped)"]


def test_a_touch_with_neither_lead_nor_email_is_rejected_on_its_line(con, tmp_path):
    export = write_export(
        tmp_path / "t.csv",
        "touches",
        [
            {"lead_id": "L1", "touched_at": "2026-01-01 10:00:00", "source": "Email"},
            {"touched_at": "2026-01-02 10:00:00", "source": "Email"},
        ],
    )
    prepared = prepare(con, export)
    # Line 1 is the header: the second touch is on line 3.
    assert problems_of(prepared, codes.NO_LEAD_LINK) == [(3, ERROR)]
    assert prepared.count_rows_loaded == 1


def test_a_file_with_no_column_for_lead_or_email_is_refused_asking_for_one(con, tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("ts,src\n2026-01-03 10:00,Webinar\n", encoding="utf-8")
    with pytest.raises(ImportRefused) as refusal:
        prepare(con, path, kind="touches", overrides={"touched_at": "ts", "source": "src"})
    assert [p.code for p in refusal.value.problems] == [codes.NEEDS_MAPPING]
    assert "--map email=<column>" in refusal.value.problems[0].reason


def test_a_touch_whose_lead_or_email_is_not_loaded_loads_with_a_warning_and_no_lead(con, tmp_path):
    export = write_export(
        tmp_path / "t.csv",
        "touches",
        [
            {"lead_id": "L9", "touched_at": "2026-01-01 10:00:00", "source": "Email"},
            {"email": "nobody@z.example", "touched_at": "2026-01-02 10:00:00", "source": "Email"},
        ],
    )
    prepared, _, _ = load(con, export)
    assert problems_of(prepared, codes.UNKNOWN_LEAD) == [(2, WARNING)]
    assert problems_of(prepared, codes.UNKNOWN_EMAIL) == [(3, WARNING)]
    assert [row[0] for row in staged(con)] == [None, None]


def test_a_blank_or_unreadable_time_is_rejected_on_its_line(con, tmp_path):
    export = write_export(
        tmp_path / "t.csv",
        "touches",
        [
            {"lead_id": "L1", "touched_at": "", "source": "Email"},
            {"lead_id": "L1", "touched_at": "next tuesday", "source": "Email"},
            {"lead_id": "L1", "touched_at": "2026-01-03 10:00:00", "source": "Email"},
        ],
    )
    prepared = prepare(con, export)
    rejected = sorted(p.line for p in prepared.problems if p.severity == ERROR)
    assert rejected == [2, 3]
    assert prepared.accounting() == "3 data lines in t.csv = 1 row to load + 2 rejected"


def test_loading_the_same_export_without_ids_twice_changes_nothing(con, tmp_path):
    rows = [
        {
            "lead_id": "L1",
            "touched_at": "2026-01-01 10:00:00",
            "source": "Email",
            "campaign": "Jan",
        },
        {
            "lead_id": "L1",
            "touched_at": "2026-01-01 10:00:00",
            "source": "Email",
            "campaign": "Feb",
        },  # same time and source, another campaign: another touch
    ]
    export = write_export(tmp_path / "t.csv", "touches", rows)
    _, first_id, first = load(con, export)
    _, second_id, second = load(con, export)
    assert (first.count_new, first_id is not None) == (2, True)
    assert (second.count_new, second.count_unchanged, second_id) == (0, 2, None)
    assert con.execute("select count(*) from stg_touches").fetchall() == [(2,)]


def test_an_exports_own_touch_id_is_kept_and_a_changed_row_updates_it(con, tmp_path):
    row = {
        "touch_id": "CM-1",
        "lead_id": "L1",
        "touched_at": "2026-01-01 10:00:00",
        "source": "Email",
        "touch_type": "Sent",
    }
    load(con, write_export(tmp_path / "a.csv", "touches", [row]))
    _, _, change = load(
        con, write_export(tmp_path / "b.csv", "touches", [row | {"touch_type": "Responded"}])
    )
    assert (change.count_new, change.count_changed) == (0, 1)
    assert con.execute("select touch_id, touch_type from stg_touches").fetchall() == [
        ("CM-1", "Responded")
    ]


def test_the_same_touch_twice_in_one_file_loads_once_and_names_the_repeat(con, tmp_path):
    touch = {"lead_id": "L1", "touched_at": "2026-01-01 10:00:00", "source": "Email"}
    export = write_export(tmp_path / "t.csv", "touches", [touch, touch, touch])
    prepared = prepare(con, export)
    assert problems_of(prepared, codes.REPEATED_TOUCH) == [(3, ERROR), (4, ERROR)]
    assert prepared.count_rows_loaded == 1
    # The id the repeat shares is derived, in no cell of the file: the problem shows no value.
    repeats = [p for p in prepared.problems if p.code == codes.REPEATED_TOUCH]
    assert [p.value for p in repeats] == [None, None]
    # Each names the line it repeats: the header is line 1, the first touch line 2.
    assert [p.reason.split(";")[0] for p in repeats] == [
        "the same touch (lead, time, source and campaign) as line 2"
    ] * 2
    assert "(" not in repeats[0].sentence().split(":")[0]


def test_each_repeated_touch_names_the_line_it_repeats(con, tmp_path):
    email = {"lead_id": "L1", "touched_at": "2026-01-01 10:00:00", "source": "Email"}
    webinar = {"lead_id": "L1", "touched_at": "2026-01-02 10:00:00", "source": "Webinar"}
    export = write_export(tmp_path / "t.csv", "touches", [email, webinar, email, webinar, email])
    prepared = prepare(con, export)
    # Lines 2 and 3 load; 4 and 6 repeat line 2's email, 5 line 3's webinar.
    repeats = [p for p in prepared.problems if p.code == codes.REPEATED_TOUCH]
    assert [(p.line, p.reason.split(";")[0].rsplit(" ", 1)[1]) for p in repeats] == [
        (4, "2"),
        (5, "3"),
        (6, "2"),
    ]
    assert prepared.count_rows_loaded == 2
    # Grouped (the page's summary, the command line's), they are one problem on three lines;
    # each line's own reason (the CSV of every problem) keeps its line.
    [group] = [g for g in grouped(prepared.problems) if g.first.code == codes.REPEATED_TOUCH]
    assert (group.lines, group.count) == ((4, 5, 6), 3)
    assert group.sentence() == (
        "t.csv, 3 lines (4–6): the same touch (lead, time, source and campaign) as an earlier "
        "line; it loads once"
    )


def test_an_exports_own_id_twice_is_the_shared_duplicate_id_error(con, tmp_path):
    rows = [
        {"touch_id": "X", "lead_id": "L1", "touched_at": "2026-01-01 10:00:00"},
        {"touch_id": "X", "lead_id": "L1", "touched_at": "2026-01-02 10:00:00"},
    ]
    prepared = prepare(con, write_export(tmp_path / "t.csv", "touches", rows))
    assert problems_of(prepared, codes.DUPLICATE_ID) == [(2, ERROR), (3, ERROR)]


def test_replace_then_restore_brings_the_touches_back(con, tmp_path):
    two = [
        {"lead_id": "L1", "touched_at": "2026-01-01 10:00:00", "source": "Email"},
        {"lead_id": "L2", "touched_at": "2026-01-02 10:00:00", "source": "Webinar"},
    ]
    _, first_id, _ = load(con, write_export(tmp_path / "a.csv", "touches", two))
    _, _, change = load(con, write_export(tmp_path / "b.csv", "touches", two[:1]), "replace")
    assert change.count_removed == 1
    assert con.execute("select count(*) from stg_touches").fetchall() == [(1,)]
    restore(con, first_id, changed_by="test")
    assert con.execute("select count(*) from stg_touches").fetchall() == [(2,)]
    kinds = history(con)["kind"].tolist()
    assert kinds == ["restore", "touches", "touches", "leads"]


def test_a_touches_file_leaves_the_leads_and_the_funnel_as_they_were(con, tmp_path):
    before = con.execute("select count(*), count(distinct channel) from funnel_revenue").fetchall()
    load(
        con,
        write_export(
            tmp_path / "t.csv",
            "touches",
            [{"lead_id": "L1", "touched_at": "2026-01-01 10:00:00", "source": "Partner"}],
        ),
    )
    after = con.execute("select count(*), count(distinct channel) from funnel_revenue").fetchall()
    assert before == after == [(3, 3)]


SALESFORCE_HEADER = (
    "Campaign Name,Campaign Type,Lead ID,Contact ID,Member Status,Has Responded,"
    "First Responded Date,Created Date,Email"
)
SALESFORCE_MEMBERS = f"""\
{SALESFORCE_HEADER}
Spring webinar,Webinar,L1,,Attended,TRUE,2026-03-05,2026-03-01,
Spring webinar,Webinar,L2,,Sent,FALSE,,2026-03-01,
Expo 2026,Trade Show,,0031,Responded,TRUE,2026-03-20,2026-03-18,ANN@X.EXAMPLE
"""


def test_salesforce_members_touch_when_they_responded_else_when_added(con, tmp_path):
    path = tmp_path / "members.csv"
    path.write_text(SALESFORCE_MEMBERS, encoding="utf-8")
    prepared, _, _ = load(con, path)
    assert (prepared.kind, prepared.source) == ("touches", "Salesforce campaign members report")
    # L1 responded on 5 March; L2 never did: added 1 March. The contact links by email (L1).
    assert staged(con) == [
        ("L2", "2026-03-01 00:00", "Content marketing", "Spring webinar", "Sent"),
        ("L1", "2026-03-05 00:00", "Content marketing", "Spring webinar", "Attended"),
        ("L1", "2026-03-20 00:00", "Trade show", "Expo 2026", "Responded"),
    ]


HUBSPOT_HEADER = [
    "Record ID",
    "Email",
    "Create Date",
    "Original Traffic Source",
    "Original Traffic Source Drill-Down 1",
    "Latest Traffic Source",
    "Latest Traffic Source Date",
    "Latest Traffic Source Drill-Down 1",
    "Lifecycle Stage",
]
HUBSPOT_ROWS = [
    ["L1", "ann@x.example", "2026-01-10 09:00", "Organic Search", "google", "Email Marketing"]
    + ["2026-02-01 10:30", "Newsletter", "lead"],
    ["L2", "bob@y.example", "2026-01-12 09:00", "Paid Search", "Brand", "", "", "", ""],
]
# Every field quoted, as HubSpot writes them.
HUBSPOT = "".join(
    ",".join(f'"{cell}"' for cell in row) + "\n" for row in [HUBSPOT_HEADER, *HUBSPOT_ROWS]
)


def test_a_hubspot_contacts_export_read_as_touches_gives_original_and_latest_source(con, tmp_path):
    path = tmp_path / "contacts.csv"
    path.write_text(HUBSPOT, encoding="utf-8")
    prepared, _, _ = load(con, path, kind="touches")
    # Two contacts: both have an original source, only L1 a latest one: three touches.
    assert staged(con) == [
        ("L1", "2026-01-10 09:00", "Organic search", "google", None),
        ("L2", "2026-01-12 09:00", "Paid search", "Brand", None),
        ("L1", "2026-02-01 10:30", "Email", "Newsletter", None),
    ]
    assert prepared.notes[-1].startswith("2 contacts give 3 touches")
    # The file has two data lines, not three.
    assert (
        prepared.accounting()
        == "2 data lines in contacts.csv give 3 rows = 3 rows to load + 0 rejected"
    )


def test_a_latest_source_without_its_date_is_no_touch_and_the_note_says_so(con, tmp_path):
    # L2 came back by Direct Traffic, but the export has no date for it: when is unknown.
    rows = [HUBSPOT_ROWS[0], HUBSPOT_ROWS[1][:5] + ["Direct Traffic", "", "", ""]]
    path = tmp_path / "contacts.csv"
    path.write_text(
        "".join(",".join(f'"{cell}"' for cell in row) + "\n" for row in [HUBSPOT_HEADER, *rows]),
        encoding="utf-8",
    )
    prepared, _, _ = load(con, path, kind="touches")
    assert [row[0] for row in staged(con)] == ["L1", "L2", "L1"]
    assert prepared.notes[-1] == (
        "2 contacts give 3 touches: each its original source at its Create Date, and 1 their "
        "latest source at its Latest Traffic Source Date; 1 with a latest source but no Latest "
        "Traffic Source Date give none for it (the first on line 3)"
    )


def test_a_hubspot_contacts_export_is_still_read_as_leads_unless_said_otherwise(con, tmp_path):
    path = tmp_path / "contacts.csv"
    path.write_text(HUBSPOT, encoding="utf-8")
    assert prepare(con, path).kind == "leads"


UTM_LOG = """\
email,timestamp,utm_source,utm_medium,utm_campaign,landing_page
ann@x.example,2026-03-01 10:00:00,google,cpc,brand,/pricing
Ann@X.example,2026-03-02 11:00:00,newsletter,,march,/blog
ann@x.example,2026-03-03 09:30:00,,,,/
"""


def test_a_utm_log_sources_are_source_slash_medium_and_take_channel_rules(con, tmp_path):
    path = tmp_path / "utm.csv"
    path.write_text(UTM_LOG, encoding="utf-8")
    prepared = prepare(con, path)
    # google / cpc has a rule in a new database (data/channel_rules.csv); newsletter alone none.
    assert prepared.unmapped_sources == ["newsletter"]
    rules = {"newsletter": "Email"}
    commit_upload(con, "touches", prepared.rows, "merge", prepared.meta(), rules, changed_by="test")
    assert staged(con) == [
        ("L1", "2026-03-01 10:00", "Paid search", "brand", None),
        ("L1", "2026-03-02 11:00", "Email", "march", None),
        # A visit with no UTM parameters (line 4): its own row, with no source.
        ("L1", "2026-03-03 09:30", "(unknown)", None, None),
    ]


UTM_PAIRS_AND_CAMPAIGN_TYPES = """\
email,timestamp,utm_source,utm_medium,utm_campaign,landing_page
ann@x.example,2026-03-01 10:00:00,Google,CPC,brand,/pricing
ann@x.example,2026-03-02 10:00:00,linkedin,paid_social,abm,/
ann@x.example,2026-03-03 10:00:00,(direct),(none),,/
ann@x.example,2026-03-04 10:00:00,newsletter,email,march,/blog
ann@x.example,2026-03-05 10:00:00,facebook,social,,/
ann@x.example,2026-03-06 10:00:00,mystery,cpc,,/
"""


def test_the_usual_utm_pairs_have_a_channel_in_a_new_database(con, tmp_path):
    path = tmp_path / "utm.csv"
    path.write_text(UTM_PAIRS_AND_CAMPAIGN_TYPES, encoding="utf-8")
    prepared = prepare(con, path)
    # A pair is a rule of its own: a source nobody named stays unmapped, whatever its medium.
    assert prepared.unmapped_sources == ["mystery / cpc"]
    commit_upload(con, "touches", prepared.rows, "merge", prepared.meta(), {}, changed_by="test")
    assert [row[2] for row in staged(con)] == [
        "Paid search",
        "Paid social",
        "Direct",
        "Email",
        "Organic social",
        "(unmapped)",
    ]


def test_source_values_of_the_crms_that_name_a_channel_have_its_rule(con):
    # Campaign Members' Campaign Type is a touch's source (the Salesforce preset), Pipedrive's
    # Source channel a deal's; the values that name no one channel (Advertisement, Direct
    # Mail) are left to the upload.
    sources = ["Conference", "Seminar", "Referral Program", "Partners", "Web forms"]
    known = channels.rules(con)
    assert [known.get(key) for key in channels.source_keys(sources)] == [
        "Trade show",
        "Trade show",
        "Referral",
        "Partner",
        "Website contact form",
    ]
    assert channels.unmapped_sources(con, ["Advertisement", "Direct Mail"]) == [
        "Advertisement",
        "Direct Mail",
    ]


def test_a_touch_in_the_future_loads_with_a_warning(con, tmp_path):
    export = write_export(
        tmp_path / "t.csv", "touches", [{"lead_id": "L1", "touched_at": "2031-01-01 10:00:00"}]
    )
    prepared = prepare(con, export, now=datetime(2026, 6, 1))
    assert problems_of(prepared, codes.FUTURE_DATE) == [(2, WARNING)]
