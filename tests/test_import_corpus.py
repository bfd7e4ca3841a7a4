"""The export corpus: every preset and every real-world defect, read through `prepare`, with
the rows it loads or the reason it refuses written out by hand.

The files live in tests/fixtures/exports/corpus/, written from the recipes below (bytes exact:
each recipe names its encoding and line endings). `python tests/test_import_corpus.py` writes
them again; a test checks the committed files still match their recipes.
"""

from datetime import datetime
from pathlib import Path

import pytest

from revcycle.importer import problems as codes
from revcycle.importer.parse import DAY_FIRST, MONTH_FIRST
from revcycle.importer.problems import ERROR, WARNING, ImportRefused
from revcycle.importer.validate import prepare
from revcycle.ui import upload

CORPUS = Path(__file__).parent / "fixtures" / "exports" / "corpus"
ALL_EXPORTS = Path(__file__).parent / "fixtures" / "exports"
NOW = datetime(2026, 11, 27, 12, 0)
HS_MQL = '"Date entered ""Marketing Qualified Lead (Lifecycle Stage Pipeline)"""'
HS_SQL = '"Date entered ""Sales Qualified Lead (Lifecycle Stage Pipeline)"""'


def lines(*rows: str, end: str = "\n") -> str:
    return end.join(rows) + end


# name -> (text, encoding)
RECIPES: dict[str, tuple[str, str]] = {
    "hubspot_contacts.csv": (
        lines(
            f'"Record ID","Create Date","Original Traffic Source","Original Traffic Source '
            f'Drill-Down 1","Contact owner","Email","Company Name",{HS_MQL},{HS_SQL},'
            '"Billing Contact","Billing Contact","Kundennummer äöü"',
            '"1001","2026-02-25 22:36","Organic Search","google","Anna Keller","a@x.example",'
            '"Alpha GmbH","2026-02-26 09:00","","","","K-1"',
            '"1002","2026-02-26 08:10","PAID_SEARCH","","Ben Okafor","b@y.example",'
            '"","","","","",""',
        ),
        "utf-8",
    ),
    "hubspot_contacts_legacy.csv": (
        lines(
            '"Record ID","First Name","Last Name","Email","Create Date","Contact owner",'
            '"Lifecycle Stage","Lead Status","Original Source","Original Source Drill-Down 1",'
            '"Became a Marketing Qualified Lead Date","Became a Sales Qualified Lead Date",'
            '"Associated Deal IDs"',
            '"2001","Ada","L","ada@x.example","2025-03-01 10:00","Eva Lindqvist","customer","",'
            '"REFERRALS","","2025-03-02 10:00","2025-03-05 10:00","9001"',
        ),
        "utf-8",
    ),
    "hubspot_deals.csv": (
        lines(
            '"Record ID","Deal Name","Deal Stage","Amount","Close Date","Create Date","Deal owner",'
            '"Pipeline","Associated Contact IDs"',
            '"9001","Ada deal","Closed won","12500.50","2025-04-01 00:00","2025-03-06 09:00",'
            '"Eva Lindqvist","Sales Pipeline","2001;2002"',
            '"9002","Open one","Contract sent","","2026-12-31 00:00","2025-05-01 09:00","","",""',
        ),
        "utf-8",
    ),
    "salesforce_leads_day_first_cp1252.csv": (
        lines(
            "Lead ID,Created Date,Lead Source,Status,Converted,Converted Date,"
            "Converted Opportunity ID,Lead Owner,Company,Email,Country",
            "00Q1,08-06-2020 15:38,Trade Show,Converted,TRUE,20-06-2020 10:00,006A,Jonas Weber,"
            "Müller AG,m@x.example,Germany",
            "00Q2,13-06-2020 09:05,Web,Open,FALSE,,,Jonas Weber,Café Crème SARL,c@y.example,France",
            end="\r\n",
        ),
        "cp1252",
    ),
    "salesforce_opportunities_bom.csv": (
        lines(
            "\ufeffOpportunity ID,Opportunity Name,Account ID,Created Date,Close Date,Stage,Won,"
            "Closed,Amount,Opportunity Owner",
            '006A,Müller deal,001X,6/21/2020,7/15/2020,Closed Won,TRUE,TRUE,"€1,234.56",'
            "Jonas Weber",
            "006B,Other,001Y,6/22/2020,8/30/2020,Negotiation,FALSE,FALSE,99,Jonas Weber",
        ),
        "utf-8",
    ),
    "pipedrive_deals_semicolon_decimal_comma.csv": (
        lines(
            "Deal - ID;Deal - Title;Deal - Value;Deal - Currency;Deal - Status;Deal - Owner;"
            "Deal - Deal created;Deal - Won time;Deal - Lost time;Person - Email",
            "17;Big one;1.234,56;EUR;won;Hugo Rossi;2026-01-05 10:00:00;2026-02-01 11:00:00;;"
            "Hugo@Zeta.example",
            "18;Lost one;500,00;EUR;lost;Hugo Rossi;2026-01-06 10:00:00;;2026-02-02 12:00:00;",
        ),
        "utf-8",
    ),
    "pipedrive_leads.csv": (
        lines(
            "Lead - ID,Lead - Title,Lead - Source,Lead - Created,Lead - Owner,Person - Email,"
            "Organization - Name",
            "a1b2,Tender,Website,2026-03-01 08:00,Hugo Rossi,t@z.example,Zeta BV",
        ),
        "utf-8",
    ),
    "generic_leads.csv": (
        lines(
            "lead_id,created_at,channel,owner,mql_at",
            "G1,2026-01-02 03:04:05,Email,Ann,2026-01-03 00:00:00",
        ),
        "utf-8",
    ),
    "generic_deals_booleans_ja_nee.csv": (
        lines(
            "deal_id,lead_id,created_at,stage,is_won,is_closed,amount",
            "D1,G1,2026-01-05 00:00:00,Gewonnen,Ja,Ja,100",
            "D2,G1,2026-01-06 00:00:00,Verloren,Nee,Ja,200",
            "D3,,2026-01-07 00:00:00,Offen,Nee,Nee,300",
        ),
        "utf-8",
    ),
    "generic_deals_yes_no_1_0.csv": (
        lines(
            "deal_id,created_at,is_won,is_closed,amount",
            "Y1,2026-01-05 00:00:00,Yes,1,10",
            "Y2,2026-01-06 00:00:00,No,0,20",
        ),
        "utf-8",
    ),
    "leads_excel_serial_dates.csv": (
        lines(
            "lead_id,created_at",
            "S1,45231",
            "S2,45231.5",
        ),
        "utf-8",
    ),
    "leads_month_first_with_time.csv": (
        lines(
            "lead_id,created_at",
            "M1,3/1/2017 4:05 PM",
            "M2,12/31/2017 9:00 AM",
        ),
        "utf-8",
    ),
    "leads_ambiguous_dates.csv": (
        lines(
            "lead_id,created_at",
            "A1,03/04/2026",
            "A2,05/06/2026",
        ),
        "utf-8",
    ),
    "leads_missing_required_column.csv": (lines("lead_id,channel", "X1,Email"), "utf-8"),
    "leads_blank_required_value.csv": (
        lines(
            "lead_id,created_at",
            "B1,2026-01-01 00:00:00",
            ",2026-01-02 00:00:00",
        ),
        "utf-8",
    ),
    "leads_unparseable_date.csv": (
        lines(
            "lead_id,created_at,mql_at",
            "U1,2026-01-01 00:00:00,soon",
            "U2,2026-01-02 00:00:00,2026-01-03 00:00:00",
        ),
        "utf-8",
    ),
    "leads_same_id_twice.csv": (
        lines(
            "lead_id,created_at",
            "R1,2026-01-01 00:00:00",
            "R2,2026-01-02 00:00:00",
            "R1,2026-01-03 00:00:00",
        ),
        "utf-8",
    ),
    "leads_future_date.csv": (
        lines(
            "lead_id,created_at",
            "F1,2027-05-01 00:00:00",
        ),
        "utf-8",
    ),
    "deals_negative_and_unparseable_amount.csv": (
        lines(
            "deal_id,created_at,amount",
            "N1,2026-01-01 00:00:00,-50",
            "N2,2026-01-01 00:00:00,lots",
            "N3,2026-01-01 00:00:00,75.25",
        ),
        "utf-8",
    ),
    "deals_unknown_lead.csv": (
        lines(
            "deal_id,lead_id,created_at",
            "K1,NOBODY,2026-01-01 00:00:00",
        ),
        "utf-8",
    ),
    "leads_title_and_totals.csv": (
        lines(
            "Leads report",
            "",
            "lead_id,created_at,channel",
            "T1,2026-01-01 00:00:00,Email",
            "T2,2026-01-02 00:00:00,Email",
            "Total,2,",
        ),
        "utf-8",
    ),
    "leads_utf16_unicode_text.txt": (
        lines(
            "\ufefflead_id\tcreated_at\tcompany",
            "W1\t2026-01-01 00:00:00\tÅsa & Søn",
            end="\r\n",
        ),
        "utf-16-le",
    ),
    "leads_quoted_newline_crlf.csv": (
        lines(
            "lead_id,created_at,company",
            'Q1,2026-01-01 00:00:00,"Two\r\nlines Ltd"',
            "Q2,,Blank date Ltd",
            end="\r\n",
        ),
        "utf-8",
    ),
    "unknown_spreadsheet.csv": (lines("mql_id,when", "M9,2026-01-01"), "utf-8"),
    # Spend (tests/test_spend_presets.py). Google Ads: two title lines, the account's totals
    # by scope at the bottom, thousands grouped with a comma.
    "google_ads_campaigns.csv": (
        lines(
            "Campaign report",
            '"November 1, 2026 - November 3, 2026"',
            "Day,Campaign,Campaign ID,Currency code,Cost,Clicks,Impr.,Conversions",
            '2026-11-01,Brand NL,11111111,EUR,"1,204.50",310,4021,12.00',
            "2026-11-01,Competitor keywords,22222222,EUR,85.25,40,910,1.00",
            '2026-11-02,Brand NL,11111111,EUR,"1,010.00",280,3900,9.00',
            "2026-11-02,Competitor keywords,22222222,EUR,0.00,0,12,0.00",
            "2026-11-03,Brand NL,11111111,EUR,990.75,250,3705,8.50",
            'Total: Account,--,--,EUR,"3,290.50",880,12548,30.50',
            'Total: Search,--,--,EUR,"3,290.50",880,12548,30.50',
            'Total: Campaigns,--,--,EUR,"3,290.50",880,12548,30.50',
            end="\r\n",
        ),
        "utf-8",
    ),
    # Meta: a row per campaign over the reporting period, the currency in the amount's header.
    "meta_ads_manager.csv": (
        lines(
            "\ufeffReporting starts,Reporting ends,Campaign name,Campaign delivery,"
            "Amount spent (EUR),Impressions,Reach,Results,Result indicator,Cost per result",
            "2026-11-01,2026-11-30,Retargeting Q4,active,1500.00,120000,45000,30,"
            "actions:lead,50.00",
            "2026-11-01,2026-11-30,Lookalike DE,inactive,299.99,30000,21000,3,actions:lead,100.00",
        ),
        "utf-8",
    ),
    # LinkedIn: title lines, UTF-16 with a byte order mark, tab-separated, month-first dates.
    "linkedin_campaign_manager.csv": (
        lines(
            "\ufeffCampaign Performance Report",
            "Report Start: 11/12/2026, Report End: 11/13/2026",
            "Time Granularity: Daily",
            "Start Date (in UTC)\tAccount Name\tCampaign Group Name\tCampaign Name\tCampaign ID"
            "\tCampaign Type\tCurrency\tTotal Spent\tImpressions\tClicks\tLeads",
            "11/12/2026\tAcme BV\tQ4 ABM\tABM Decision makers\t501234567\tSponsored Content"
            "\tEUR\t410.12\t5321\t40\t3",
            "11/12/2026\tAcme BV\tQ4 ABM\tABM Engineers\t501234568\tSponsored Content"
            "\tEUR\t95.50\t2100\t12\t0",
            "11/13/2026\tAcme BV\tQ4 ABM\tABM Decision makers\t501234567\tSponsored Content"
            "\tEUR\t388.00\t5012\t35\t2",
            end="\r\n",
        ),
        "utf-16-le",
    ),
    # Generic spend with a decimal comma and a defect on each of lines 3 to 7.
    "spend_defects_decimal_comma.csv": (
        lines(
            "date_from,date_to,source,campaign,amount,currency",
            '2026-03-01,2026-03-31,Trade Show,Expo Utrecht,"1.234,56",EUR',
            '2026-03-05,,Content Marketing,Report,"-50,00",EUR',
            '2026-03-10,2026-03-09,Content Marketing,Report,"10,00",EUR',
            "2026-03-11,,Content Marketing,Report,lots,EUR",
            ',,Content Marketing,Report,"20,00",EUR',
            '2026-03-12,,Content Marketing,Report,"30,00",EURO',
            '2026-03-13,,Content Marketing,Report,"2.000,00",',
        ),
        "utf-8",
    ),
    # Cells that look empty in Excel but hold a no-break, figure, narrow no-break or zero-width
    # space, or a stray byte order mark.
    "leads_invisible_blanks.csv": (
        lines(
            "lead_id,created_at,channel,owner",
            "I1,2026-01-01 00:00:00,Email,Ann",
            "\u00a0,2026-01-02 00:00:00,Email,Ann",
            "I3,\u2007,Email,Ann",
            '"\u202f\u200b",2026-01-04 00:00:00,Email,Ann',
            "I5, \ufeff ,Email,Ann",
            "I6,2026-01-06 00:00:00,\u00a0,\u200b",
        ),
        "utf-8",
    ),
    "deals_invisible_blanks.csv": (
        lines(
            "deal_id,created_at,amount,stage",
            "V1,2026-01-05 00:00:00,100,Won",
            "\u00a0,2026-01-06 00:00:00,200,Won",
            "\u200b\u2007,2026-01-07 00:00:00,300,Won",
            "V4,\u202f,400,Won",
            "V5,2026-01-08 00:00:00,\u202f,\ufeff",
        ),
        "utf-8",
    ),
}


def write_corpus() -> None:
    CORPUS.mkdir(parents=True, exist_ok=True)
    for name, (text, encoding) in RECIPES.items():
        (CORPUS / name).write_bytes(text.encode(encoding))


@pytest.fixture
def con(g1_con):
    """A database with one known lead, G1."""
    return g1_con


def load(con, name, **options):
    return prepare(con, CORPUS / name, now=NOW, **options)


def as_text(value):
    """A loaded (typed) value as the generic export writes it, so expectations read like files."""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, bool):
        return "true" if value else "false"
    return value if value is None else str(value)  # str, or Decimal to the cent ("1234.50")


def rows(prepared, *fields):
    return [
        tuple(as_text(row[field]) for field in fields)
        for row in prepared.rows.select(list(fields)).to_pylist()
    ]


def problems(prepared):
    """The problems of rows, each on its line; a file-wide one (a deals file with no stage
    column: test_missing_exports.py) has no line."""
    return [(p.line, p.column, p.severity) for p in prepared.problems if p.line is not None]


def test_corpus_files_match_their_recipes():
    assert sorted(path.name for path in CORPUS.iterdir()) == sorted(RECIPES)
    for name, (text, encoding) in RECIPES.items():
        assert (CORPUS / name).read_bytes() == text.encode(encoding), name


def test_corpus_and_reader_fixtures_together_hold_over_thirty_exports():
    assert len([p for p in ALL_EXPORTS.rglob("*") if p.is_file() and p.name[0] != "."]) >= 30


def test_hubspot_contacts(con):
    prepared = load(con, "hubspot_contacts.csv")
    assert (prepared.kind, prepared.source) == ("leads", "HubSpot contacts export")
    assert rows(prepared, "lead_id", "created_at", "channel", "campaign", "mql_at") == [
        ("1001", "2026-02-25 22:36:00", "Organic Search", "google", "2026-02-26 09:00:00"),
        ("1002", "2026-02-26 08:10:00", "PAID_SEARCH", None, None),
    ]
    # The export has neither the owner's assignment nor the response time from it, HubSpot's
    # first contact: one warning for the whole file, naming both.
    assert [(p.line, p.column, p.severity, p.code) for p in prepared.problems] == [
        (None, None, WARNING, "missing_column")
    ]
    assert prepared.problems[0].reason.startswith(
        "the file has no column “Owner assigned date” or “Lead response time (HH:mm:ss)”"
    )
    assert prepared.unmapped_sources == []  # both spellings have a channel rule


def test_hubspot_contacts_legacy(con):
    prepared = load(con, "hubspot_contacts_legacy.csv")
    assert prepared.source == "HubSpot contacts export (format until 2024)"
    assert rows(prepared, "lead_id", "channel", "mql_at", "sql_at") == [
        ("2001", "REFERRALS", "2025-03-02 10:00:00", "2025-03-05 10:00:00")
    ]


def test_hubspot_deals_take_the_first_associated_contact(con):
    prepared = load(con, "hubspot_deals.csv")
    assert prepared.kind == "deals"
    assert rows(prepared, "deal_id", "lead_id", "stage", "amount") == [
        ("9001", "2001", "Closed won", "12500.50"),
        ("9002", None, "Contract sent", None),
    ]
    # 2001 is not loaded in this database: a warning, the deal still loads.
    assert problems(prepared) == [(2, "Associated Contact IDs", WARNING)]
    # The second contact is never silently dropped: the notes say it, with the line.
    assert (
        "1 deal names several contacts in Associated Contact IDs (the first on line 2): each is "
        "linked to the first listed"
    ) in prepared.notes


def test_salesforce_leads_day_first_windows_1252(con):
    prepared = load(con, "salesforce_leads_day_first_cp1252.csv")
    assert prepared.source == "Salesforce leads report"
    assert rows(prepared, "lead_id", "created_at", "sql_at", "converted_deal_id", "company") == [
        ("00Q1", "2020-06-08 15:38:00", "2020-06-20 10:00:00", "006A", "Müller AG"),
        ("00Q2", "2020-06-13 09:05:00", None, None, "Café Crème SARL"),
    ]
    # Salesforce's stock Lead Source "Web" (its web-to-lead form) has a rule from the start.
    assert prepared.unmapped_sources == []


def test_salesforce_s_stock_lead_sources_land_in_channels(con, tmp_path):
    # The values of Salesforce's standard Lead Source picklist that name one channel have a
    # rule in a new database: web-to-lead is the website form, AdWords paid search, and the
    # referrals referrals (a partner's, the partner channel). "Phone Inquiry", "Purchased
    # List" and "Other" name none, so they are left for the analyst to map.
    sources = {
        "Web": "Website contact form",
        "Google AdWords": "Paid search",
        "Partner Referral": "Partner",
        "Employee Referral": "Referral",
        "External Referral": "Referral",
        "Word of mouth": "Referral",
        "Phone Inquiry": None,
        "Purchased List": None,
        "Other": None,
    }
    export = tmp_path / "salesforce_leads.csv"
    export.write_text(
        "Lead ID,Created Date,Lead Source\n"
        + "".join(f"00Q{at},2026-03-13 09:00,{source}\n" for at, source in enumerate(sources)),
        encoding="utf-8",
    )
    prepared = prepare(con, export, now=NOW)
    assert prepared.source == "Salesforce leads report"
    assert prepared.unmapped_sources == ["Other", "Phone Inquiry", "Purchased List"]
    rules = con.sql(
        "select wanted.source, rules.channel from (select unnest($sources) as source) as wanted "
        "left join stg_channel_rules as rules on source_key(wanted.source) = rules.source_key",
        params={"sources": list(sources)},
    ).fetchall()
    assert dict(rules) == sources


def test_salesforce_opportunities_month_first_with_byte_order_mark(con):
    prepared = load(con, "salesforce_opportunities_bom.csv")
    assert rows(prepared, "deal_id", "created_at", "closed_at", "is_won", "amount") == [
        ("006A", "2020-06-21 00:00:00", "2020-07-15 00:00:00", "true", "1234.56"),
        ("006B", "2020-06-22 00:00:00", "2020-08-30 00:00:00", "false", "99.00"),
    ]


def test_pipedrive_deals_semicolons_and_decimal_comma(con):
    prepared = load(con, "pipedrive_deals_semicolon_decimal_comma.csv")
    # A won deal closes at its Won time, a lost one at its Lost time; the person's email is
    # the deal's link to its lead.
    assert rows(prepared, "deal_id", "stage", "amount", "currency", "closed_at", "email") == [
        ("17", "won", "1234.56", "EUR", "2026-02-01 11:00:00", "Hugo@Zeta.example"),
        ("18", "lost", "500.00", "EUR", "2026-02-02 12:00:00", None),
    ]
    assert prepared.mapping["closed_at"] == "Deal - Won time, else Deal - Lost time"
    assert "Deal - Lost time" not in prepared.ignored_columns


def test_pipedrive_leads(con):
    prepared = load(con, "pipedrive_leads.csv")
    assert rows(prepared, "lead_id", "channel", "email", "company") == [
        ("a1b2", "Website", "t@z.example", "Zeta BV")
    ]


def test_generic_leads(con):
    prepared = load(con, "generic_leads.csv")
    assert rows(prepared, "lead_id", "created_at", "owner", "mql_at") == [
        ("G1", "2026-01-02 03:04:05", "Ann", "2026-01-03 00:00:00")
    ]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        (
            "generic_deals_booleans_ja_nee.csv",
            [("D1", "true", "true"), ("D2", "false", "true"), ("D3", "false", "false")],
        ),
        ("generic_deals_yes_no_1_0.csv", [("Y1", "true", "true"), ("Y2", "false", "false")]),
    ],
)
def test_booleans_in_several_languages(con, name, expected):
    assert rows(load(con, name), "deal_id", "is_won", "is_closed") == expected


def test_excel_serial_dates(con):
    assert rows(load(con, "leads_excel_serial_dates.csv"), "created_at") == [
        ("2023-11-01 00:00:00",),
        ("2023-11-01 12:00:00",),
    ]


def test_month_first_dates_with_am_pm(con):
    assert rows(load(con, "leads_month_first_with_time.csv"), "created_at") == [
        ("2017-03-01 16:05:00",),
        ("2017-12-31 09:00:00",),
    ]


def test_ambiguous_dates_are_refused_then_read_as_told(con):
    with pytest.raises(ImportRefused, match="day-first or month-first"):
        load(con, "leads_ambiguous_dates.csv")
    day_first = load(con, "leads_ambiguous_dates.csv", date_format="day-first")
    assert rows(day_first, "created_at") == [("2026-04-03 00:00:00",), ("2026-06-05 00:00:00",)]


def test_missing_required_column_is_refused_naming_the_field(con):
    with pytest.raises(ImportRefused, match="no column for the required field created_at"):
        load(con, "leads_missing_required_column.csv")


def test_unknown_columns_need_a_kind_and_a_mapping(con):
    with pytest.raises(ImportRefused, match="--kind"):
        load(con, "unknown_spreadsheet.csv")
    mapped = load(
        con,
        "unknown_spreadsheet.csv",
        kind="leads",
        overrides={"lead_id": "mql_id", "created_at": "when"},
    )
    assert rows(mapped, "lead_id", "created_at") == [("M9", "2026-01-01 00:00:00")]


@pytest.mark.parametrize(
    ("name", "loaded", "expected_problems"),
    [
        ("leads_blank_required_value.csv", 1, [(3, "lead_id", ERROR)]),
        ("leads_unparseable_date.csv", 1, [(2, "mql_at", ERROR)]),
        ("leads_same_id_twice.csv", 1, [(2, "lead_id", ERROR), (4, "lead_id", ERROR)]),
        ("leads_future_date.csv", 1, [(2, "created_at", WARNING)]),
        (
            "deals_negative_and_unparseable_amount.csv",
            1,
            [(3, "amount", ERROR), (2, "amount", ERROR)],
        ),
        ("deals_unknown_lead.csv", 1, [(2, "lead_id", WARNING)]),
        ("leads_quoted_newline_crlf.csv", 1, [(4, "created_at", ERROR)]),
    ],
)
def test_defects_name_their_line_and_column_and_the_rows_add_up(
    con, name, loaded, expected_problems
):
    prepared = load(con, name)
    assert sorted(problems(prepared)) == sorted(expected_problems)
    assert prepared.count_rows_loaded == loaded
    assert prepared.count_rows_in_file == prepared.count_rows_loaded + prepared.count_rows_rejected


def test_cells_holding_only_invisible_whitespace_are_blank(con):
    """Lines 3 and 5 have a blank lead_id, 4 and 6 a blank created_at: each row is rejected
    on its line. Line 7's channel and owner are optional: blank, so null, and no problem."""
    prepared = load(con, "leads_invisible_blanks.csv")
    assert rows(prepared, "lead_id", "created_at", "channel", "owner") == [
        ("I1", "2026-01-01 00:00:00", "Email", "Ann"),
        ("I6", "2026-01-06 00:00:00", None, None),
    ]
    assert [(p.line, p.column, p.code) for p in prepared.problems] == [
        (3, "lead_id", codes.BLANK_REQUIRED),
        (5, "lead_id", codes.BLANK_REQUIRED),
        (4, "created_at", codes.BLANK_REQUIRED),
        (6, "created_at", codes.BLANK_REQUIRED),
    ]
    assert prepared.problems[0].sentence() == (
        "leads_invisible_blanks.csv, line 3, column lead_id: lead_id is blank; every lead needs one"
    )
    assert (prepared.count_rows_in_file, prepared.count_rows_rejected) == (6, 4)


def test_deals_with_an_invisible_blank_deal_id_are_rejected(con):
    prepared = load(con, "deals_invisible_blanks.csv")
    assert rows(prepared, "deal_id", "amount", "stage") == [
        ("V1", "100.00", "Won"),
        ("V5", None, None),
    ]
    found = sorted((p.line or 0, p.column or "", p.code) for p in prepared.problems)
    assert found == [
        (0, "", codes.NO_CLOSE_DATE),  # the file: won deals and no close date column
        (3, "deal_id", codes.BLANK_REQUIRED),
        (4, "deal_id", codes.BLANK_REQUIRED),
        (5, "created_at", codes.BLANK_REQUIRED),
        (6, "stage", codes.NO_OUTCOME),  # a byte order mark alone is blank too: no outcome
    ]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("leads_blank_required_value.csv", [codes.BLANK_REQUIRED]),
        ("leads_unparseable_date.csv", [codes.NOT_A_DATE]),
        ("leads_same_id_twice.csv", [codes.DUPLICATE_ID, codes.DUPLICATE_ID]),
        ("leads_future_date.csv", [codes.FUTURE_DATE]),
        ("deals_negative_and_unparseable_amount.csv", [codes.NEGATIVE_AMOUNT, codes.NOT_A_NUMBER]),
        ("deals_unknown_lead.csv", [codes.UNKNOWN_LEAD]),
    ],
)
def test_each_row_problem_has_its_code(con, name, expected):
    row_problems = [p for p in load(con, name).problems if p.line is not None]
    assert sorted(p.code for p in row_problems) == sorted(expected)


@pytest.mark.parametrize(
    ("name", "options", "code"),
    [
        ("leads_ambiguous_dates.csv", {}, codes.AMBIGUOUS_DATES),
        ("leads_missing_required_column.csv", {}, codes.NEEDS_MAPPING),
        ("unknown_spreadsheet.csv", {}, codes.NEEDS_MAPPING),
        ("generic_leads.csv", {"preset_name": "nothing"}, codes.UNKNOWN_PRESET),
        ("generic_leads.csv", {"overrides": {"owner": "Owner"}}, codes.NO_SUCH_COLUMN),
        ("generic_leads.csv", {"overrides": {"budget": "owner"}}, codes.UNKNOWN_FIELD),
        ("generic_leads.csv", {"max_bytes": 10}, codes.TOO_LARGE),
    ],
)
def test_each_refusal_has_its_code(con, name, options, code):
    with pytest.raises(ImportRefused) as refused:
        load(con, name, **options)
    assert [p.code for p in refused.value.problems] == [code]


def attempt(con, name, **options):
    return upload.attempt(con, name, (CORPUS / name).read_bytes(), **options)


def test_the_upload_page_asks_for_a_mapping_by_code(con):
    assert attempt(con, "unknown_spreadsheet.csv").needs_mapping
    assert attempt(con, "leads_missing_required_column.csv").needs_mapping
    assert not attempt(con, "leads_ambiguous_dates.csv").needs_mapping


def test_the_upload_page_asks_the_date_order_without_the_command_line_option(con):
    tried = attempt(con, "leads_ambiguous_dates.csv")
    assert tried.date_formats_to_ask == (DAY_FIRST, MONTH_FIRST)
    assert tried.date_questions == [
        "leads_ambiguous_dates.csv, column created_at: could be day-first or "
        "month-first (e.g. 03/04/2026)."
    ]
    assert not tried.is_refused
    assert attempt(con, "generic_leads.csv", max_bytes=10).is_refused


def test_title_line_and_totals_row_are_not_data(con):
    prepared = load(con, "leads_title_and_totals.csv")
    assert rows(prepared, "lead_id") == [("T1",), ("T2",)]
    assert prepared.count_rows_in_file == 2


def test_utf16_unicode_text(con):
    assert rows(load(con, "leads_utf16_unicode_text.txt"), "lead_id", "company") == [
        ("W1", "Åsa & Søn")
    ]


def test_no_traceback_across_every_export_file(con):
    outcomes = {}
    for path in sorted(p for p in ALL_EXPORTS.rglob("*") if p.is_file() and p.name[0] != "."):
        try:
            prepared = prepare(con, path, now=NOW)
            outcomes[path.name] = f"{prepared.count_rows_loaded} rows"
        except ImportRefused as refusal:
            assert refusal.problems and all(p.reason for p in refusal.problems)
            outcomes[path.name] = "refused"
    assert len(outcomes) >= 30


if __name__ == "__main__":
    write_corpus()
