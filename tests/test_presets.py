"""Presets recognise the real export headers and map them to the contract."""

import pytest

from revcycle.db import connect
from revcycle.importer.presets import (
    detect,
    likely_columns,
    mapping_for,
    save_mapping,
    saved_mapping,
    suggestions,
)
from revcycle.importer.validate import prepare

HUBSPOT_CONTACTS = [
    "Record ID",
    "First Name",
    "Create Date",
    "Original Traffic Source",
    "Original Traffic Source Drill-Down 1",
    "Lifecycle Stage",
    "Lead Status",
    'Date entered "Marketing Qualified Lead (Lifecycle Stage Pipeline)"',
    'Date entered "Sales Qualified Lead (Lifecycle Stage Pipeline)"',
    "Contact owner",
    "Owner assigned date",
    "Email",
    "Company Name",
    "Country/Region",
    "Billing Contact",
    "Billing Contact (2)",
]
HUBSPOT_LEGACY = [
    "Record ID",
    "First Name",
    "Last Name",
    "Email",
    "Create Date",
    "Contact owner",
    "Lifecycle Stage",
    "Lead Status",
    "Original Source",
    "Original Source Drill-Down 1",
    "Became a Marketing Qualified Lead Date",
    "Became a Sales Qualified Lead Date",
]
HUBSPOT_DEALS = [
    "Record ID",
    "Deal Name",
    "Deal Stage",
    "Amount",
    "Close Date",
    "Create Date",
    "Deal owner",
    "Pipeline",
    "Associated Contact IDs",
]
SALESFORCE_LEADS = [
    "Lead ID",
    "Created Date",
    "Lead Source",
    "Status",
    "Converted",
    "Converted Date",
    "Converted Opportunity ID",
    "Lead Owner",
    "Company",
    "Email",
    "Country",
]
SALESFORCE_OPPORTUNITIES = [
    "Opportunity ID",
    "Opportunity Name",
    "Account ID",
    "Created Date",
    "Close Date",
    "Stage",
    "Won",
    "Closed",
    "Amount",
    "Opportunity Owner",
]
PIPEDRIVE_DEALS = [
    "Deal - ID",
    "Deal - Title",
    "Deal - Value",
    "Deal - Currency",
    "Deal - Status",
    "Deal - Owner",
    "Deal - Deal created",
    "Deal - Won time",
]


@pytest.mark.parametrize(
    ("header", "name", "kind"),
    [
        (HUBSPOT_CONTACTS, "hubspot_contacts", "leads"),
        (HUBSPOT_LEGACY, "hubspot_contacts_legacy", "leads"),
        (HUBSPOT_DEALS, "hubspot_deals", "deals"),
        (SALESFORCE_LEADS, "salesforce_leads", "leads"),
        (SALESFORCE_OPPORTUNITIES, "salesforce_opportunities", "deals"),
        (PIPEDRIVE_DEALS, "pipedrive_deals", "deals"),
        (["lead_id", "created_at", "channel"], "generic_leads", "leads"),
        (["deal_id", "lead_id", "created_at", "amount"], "generic_deals", "deals"),
    ],
)
def test_presets_are_recognised_from_real_headers(header, name, kind):
    preset = detect(header)
    assert (preset.name, preset.kind) == (name, kind)


def test_an_unknown_header_matches_no_preset():
    assert detect(["mql_id", "date", "source"]) is None


def test_hubspot_mapping_uses_the_lifecycle_date_columns():
    mapping = mapping_for(detect(HUBSPOT_CONTACTS), HUBSPOT_CONTACTS)
    assert mapping["lead_id"] == "Record ID"
    assert mapping["mql_at"] == 'Date entered "Marketing Qualified Lead (Lifecycle Stage Pipeline)"'
    assert mapping["channel"] == "Original Traffic Source"
    assert "segment" not in mapping  # no "Company size" column in this file


@pytest.mark.parametrize(
    ("header", "channel"),
    [
        ("lead_id,created_at,source,owner", "source"),
        # The field's own name first: a sheet with both reads its channel column.
        ("lead_id,created_at,source,channel", "channel"),
        # Salesforce's name for it, written as a database column.
        ("lead_id,created_at,lead_source", "lead_source"),
        ("lead_id,created_at,owner", None),
    ],
)
def test_a_sheet_of_our_own_leads_format_reads_its_lead_source_as_the_channel(
    tmp_path, header, channel
):
    """Before, a spreadsheet of leads with a "source" or "lead_source" column listed it among
    the ignored columns, and every lead it added was of channel (unknown)."""
    path = tmp_path / "leads.csv"
    values = {"lead_id": "L1", "created_at": "2026-10-01 09:00"}
    names = header.split(",")
    path.write_text(f"{header}\n{','.join(values.get(n, 'Webinar') for n in names)}\n")
    prepared = prepare(connect(tmp_path / "empty.duckdb"), path)
    assert prepared.source == "Revcycle generic leads export"
    assert prepared.mapping.get("channel") == channel
    assert prepared.rows.column("channel").to_pylist() == ["Webinar" if channel else None]


@pytest.mark.parametrize(
    ("header", "mapped"),
    [
        # Database-style names of the fields HubSpot's and Pipedrive's deals exports name.
        ("deal_id,created_at,deal_stage,close_date,deal_value", ("deal_stage", "close_date")),
        ("deal_id,created_at,Deal Stage,Close Date", ("Deal Stage", "Close Date")),
    ],
)
def test_a_deals_sheet_reads_a_field_named_as_a_preset_names_it_however_written(
    tmp_path, header, mapped
):
    """Before, "close_date" beside a preset's "Close Date" was ignored: every won deal of such
    a sheet had no close date, and was in no period."""
    path = tmp_path / "deals.csv"
    given = {"deal_id": "D1", "created_at": "2026-10-01", "deal_value": "1200.50"}
    cells = [
        given.get(name, "Won" if "tage" in name else "2026-10-09") for name in header.split(",")
    ]
    path.write_text(f"{header}\n{','.join(cells)}\n")
    prepared = prepare(connect(tmp_path / "empty.duckdb"), path)
    assert (prepared.mapping["stage"], prepared.mapping["closed_at"]) == mapped
    assert prepared.rows.column("stage").to_pylist() == ["Won"]
    # Pipedrive's "Deal - Value", written as a database column.
    assert prepared.mapping.get("amount") == ("deal_value" if "deal_value" in header else None)
    assert str(prepared.rows.column("closed_at")[0].as_py()) == "2026-10-09 00:00:00"


def test_salesforce_leads_carry_the_converted_opportunity():
    mapping = mapping_for(detect(SALESFORCE_LEADS), SALESFORCE_LEADS)
    assert mapping["converted_deal_id"] == "Converted Opportunity ID"
    assert mapping["status"] == "Status"  # the second candidate, as this file names it


def test_suggestions_rank_known_names_first():
    assert suggestions("lead_id", ["Name", "Lead ID", "Created"])[0] == "Lead ID"
    assert suggestions("created_at", ["when", "Created at", "owner"])[0] == "Created at"


def test_the_mapping_screen_chooses_unasked_only_columns_named_as_the_field():
    # A CRM's deals sheet whose columns only look like fields: each hunch would load wrong
    # (the owner's email as the contact's, the closing date as the creation date, a weighted
    # amount as the deal's). Nothing is chosen for those fields; the analyst chooses.
    header = [
        "Deal ref",
        "Contact email",
        "Opened on",
        "Pipeline stage",
        "Closed at",
        "Deal amount",
        "Weighted amount",
        "Owner email",
    ]
    for name in ("deal_id", "email", "created_at", "amount", "is_closed", "owner"):
        assert likely_columns(name, header) == [], name
    # The field's own name however written, and a name a preset reads, are chosen.
    assert likely_columns("closed_at", header) == ["Closed at"]
    assert likely_columns("lead_id", ["Deal ID", "Lead_ID", "Lead Ref"]) == ["Lead_ID"]
    assert likely_columns("created_at", ["Updated at", "Create Date"]) == ["Create Date"]


def test_a_saved_mapping_is_found_again_for_the_same_headers_in_any_order(tmp_path):
    con = connect(tmp_path / "m.duckdb")
    save_mapping(
        con, "MQL sheet", "leads", ["mql_id", "date"], {"lead_id": "mql_id", "created_at": "date"}
    )
    assert saved_mapping(con, ["mql_id", "date", "extra"]) is None  # other columns
    # The same columns written otherwise: the mapping names this file's own, so it reads.
    assert saved_mapping(con, ["Date", " MQL_ID"]) == (
        "MQL sheet",
        "leads",
        {"lead_id": " MQL_ID", "created_at": "Date"},
    )
    export = tmp_path / "mql.csv"
    export.write_text("MQL_ID,Date\nM1,2026-03-02 09:00:00\n", encoding="utf-8")
    prepared = prepare(con, export)
    assert prepared.source == "MQL sheet"
    assert prepared.rows.column("lead_id").to_pylist() == ["M1"]
    con.close()


def test_a_name_given_twice_keeps_both_files_mappings(tmp_path):
    # Two sheets saved as "Marketing sheet": each is found by its own columns again.
    con = connect(tmp_path / "m.duckdb")
    save_mapping(con, "Marketing sheet", "leads", ["ref", "when"], {"lead_id": "ref"})
    save_mapping(con, "Marketing sheet", "leads", ["id", "date"], {"lead_id": "id"})
    assert saved_mapping(con, ["ref", "when"])[2] == {"lead_id": "ref"}
    assert saved_mapping(con, ["id", "date"])[2] == {"lead_id": "id"}
    con.close()
