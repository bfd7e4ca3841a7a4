"""Recognising an export from its header row, and mappings for the files no preset knows.

The presets use the column names real HubSpot, Salesforce and Pipedrive exports carry (see
shared/export-formats.md), not names we would like them to have. A preset maps each contract
field to the first of its candidate columns that the file has.
"""

import difflib
import hashlib
import json
import re
from dataclasses import dataclass, field

import duckdb

from revcycle import contract
from revcycle.db import has_table

HUBSPOT_ENTERED = 'Date entered "{} (Lifecycle Stage Pipeline)"'
# HubSpot's time from owner assignment to first contact: with "Owner assigned date" it gives
# the first contact, which HubSpot exports have no column for.
RESPONSE_TIME = "Lead response time (HH:mm:ss)"


@dataclass(frozen=True)
class Preset:
    name: str
    label: str
    kind: str  # "leads", "deals", "touches" or "spend"
    identifying: tuple[str, ...]  # every one of these headers present: this preset
    columns: dict[str, tuple[str, ...]]  # contract field -> candidate columns, first present wins
    # Fields whose column holds a list ("123;456"): the first id is the link.
    first_of_list: frozenset[str] = field(default_factory=frozenset)
    absent: tuple[str, ...] = ()  # headers that rule this preset out
    # A CRM export lacking one of its usual columns is worth a warning naming it; our generic
    # format lists every contract field, most of them optional, so it is not.
    names_missing: bool = True
    # Field -> columns that fill the field's blank cells (Salesforce's Created Date for members
    # who never responded).
    fallback: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # Columns whose values, joined by " / ", are the source (utm_source / utm_medium).
    joined_source: tuple[str, ...] = ()
    # A second touch on the same line: field -> its columns for it (HubSpot's latest source);
    # a field not named keeps the first touch's column (the contact's id and email).
    second_touch: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # Read only when asked for (--preset, or the file said to hold this preset's kind): a
    # HubSpot contacts export is a leads file first.
    asked_only: bool = False
    # Field -> its value on every row, where the file has no column for it: an ad platform's
    # spend export is all its own source.
    constants: dict[str, str] = field(default_factory=dict)
    # Field -> a pattern its column's name matches (any case and spacing), for a name that
    # carries a value: a named group of the pattern that is a field gives it that value on
    # every row (Meta's "Amount spent (EUR)": the amount, in EUR).
    patterns: dict[str, str] = field(default_factory=dict)
    # The file's columns that, with the contract's fields, tell one row from another where the
    # id is derived (two campaigns can share a name; their ids differ).
    id_columns: tuple[str, ...] = ()


# What tells each generic export apart: a deals file names its leads too, so only a file
# without deal ids is a leads file; a touches file has its time and no creation date.
_GENERIC_IDENTIFYING = {
    "leads": (("lead_id", "created_at"), ("deal_id",)),
    "deals": (("deal_id", "created_at"), ()),
    "touches": (("touched_at", "source"), ("created_at",)),
    "spend": (("date_from", "amount"), ()),
}


# Names a sheet of our own format may give a field after its own: a leads sheet's "source" is
# the lead source, which the channel field holds (deals and touches have a source field of
# their own). Read as "channel" would be, where it was ignored.
_GENERIC_ALSO = {"leads": {"channel": ("source",)}}


def _generic(kind: str) -> Preset:
    names = contract.column_names(kind)
    identifying, absent = _GENERIC_IDENTIFYING[kind]
    also = _GENERIC_ALSO.get(kind, {})
    return Preset(
        name=f"generic_{kind}",
        label=f"Revcycle generic {kind} export",
        kind=kind,
        identifying=identifying,
        columns={name: (name, *also.get(name, ())) for name in names},
        absent=absent,
        names_missing=False,
    )


PRESETS: tuple[Preset, ...] = (
    _generic("leads"),
    _generic("deals"),
    _generic("touches"),
    _generic("spend"),
    Preset(
        name="salesforce_campaign_members",
        label="Salesforce campaign members report",
        kind="touches",
        identifying=("Campaign Name", "Member Status"),
        columns={
            # A member is a lead or a contact; a contact's id links no lead, its email does.
            "lead_id": ("Lead ID",),
            "email": ("Email",),
            # A responder's touch is its response; a member who never responded was touched
            # when added (Created Date fills the blanks: see fallback).
            "touched_at": ("First Responded Date",),
            # The campaign's type (Webinar, Trade Show) is what the channel rules know.
            "source": ("Campaign Type",),
            "campaign": ("Campaign Name",),
            "touch_type": ("Member Status",),
        },
        fallback={"touched_at": ("Created Date",)},
    ),
    Preset(
        name="hubspot_source_touches",
        label="HubSpot contacts export, as touches (original and latest source)",
        kind="touches",
        identifying=("Record ID", "Create Date", "Latest Traffic Source"),
        columns={
            "lead_id": ("Record ID",),
            "email": ("Email",),
            # The original source has no date of its own: it happened at or before the
            # contact was created, which is the closest time the export gives.
            "touched_at": ("Create Date",),
            "source": ("Original Traffic Source", "Original Source"),
            "campaign": ("Original Traffic Source Drill-Down 1", "Original Source Drill-Down 1"),
        },
        second_touch={
            "touched_at": ("Latest Traffic Source Date",),
            "source": ("Latest Traffic Source",),
            "campaign": ("Latest Traffic Source Drill-Down 1",),
        },
        asked_only=True,
    ),
    Preset(
        name="utm_log",
        label="UTM log (web analytics or form tool)",
        kind="touches",
        identifying=("utm_source", "utm_medium"),
        columns={
            "email": ("email", "Email", "e-mail"),
            "touched_at": ("timestamp", "date", "time", "created_at"),
            "source": ("utm_source",),
            "campaign": ("utm_campaign",),
            "touch_type": ("event", "event_name", "type"),
        },
        # The source is "utm_source / utm_medium" (google / cpc), joined in validate.
        joined_source=("utm_source", "utm_medium"),
    ),
    # Spend: the ad platforms' own downloads. Their headers are from practitioner guides, not
    # real files (shared/export-formats.md), so each field has its likely spellings too.
    Preset(
        name="google_ads_campaigns",
        label="Google Ads campaign report",
        kind="spend",
        identifying=("Day", "Campaign", "Cost"),
        columns={
            "date_from": ("Day", "Date"),
            "campaign": ("Campaign", "Campaign name"),
            "amount": ("Cost",),
            "currency": ("Currency code", "Currency"),
        },
        constants={"source": "Google Ads"},
        id_columns=("Campaign ID",),
    ),
    Preset(
        name="meta_ads_manager",
        label="Meta Ads Manager export",
        kind="spend",
        identifying=("Reporting starts", "Reporting ends", "Campaign name"),
        columns={
            "date_from": ("Reporting starts",),
            "date_to": ("Reporting ends",),
            "campaign": ("Campaign name",),
            "amount": ("Amount spent",),
            "currency": ("Currency",),
        },
        patterns={"amount": r"amount spent \((?P<currency>[a-z]{3})\)"},
        constants={"source": "Meta Ads"},
        id_columns=("Campaign ID",),
    ),
    Preset(
        name="linkedin_campaign_manager",
        label="LinkedIn Campaign Manager export",
        kind="spend",
        identifying=("Start Date (in UTC)", "Campaign Name", "Total Spent"),
        columns={
            "date_from": ("Start Date (in UTC)",),
            "date_to": ("End Date (in UTC)",),
            "campaign": ("Campaign Name",),
            "amount": ("Total Spent",),
            "currency": ("Currency",),
        },
        constants={"source": "LinkedIn Ads"},
        id_columns=("Campaign ID",),
    ),
    Preset(
        name="hubspot_contacts",
        label="HubSpot contacts export",
        kind="leads",
        identifying=("Record ID", "Create Date", "Original Traffic Source"),
        columns={
            "lead_id": ("Record ID",),
            "created_at": ("Create Date",),
            "channel": ("Original Traffic Source",),
            "campaign": ("Original Traffic Source Drill-Down 1",),
            "owner": ("Contact owner",),
            "segment": ("Company size",),
            "country": ("Country/Region",),
            "email": ("Email",),
            "company": ("Company Name",),
            "mql_at": (HUBSPOT_ENTERED.format("Marketing Qualified Lead"),),
            "sql_at": (HUBSPOT_ENTERED.format("Sales Qualified Lead"),),
            "owner_assigned_at": ("Owner assigned date",),
            "status": ("Lead Status",),
            "lifecycle_stage": ("Lifecycle Stage",),
        },
    ),
    Preset(
        name="hubspot_contacts_legacy",
        label="HubSpot contacts export (format until 2024)",
        kind="leads",
        identifying=("Record ID", "Create Date", "Original Source"),
        columns={
            "lead_id": ("Record ID",),
            "created_at": ("Create Date",),
            "channel": ("Original Source",),
            "campaign": ("Original Source Drill-Down 1",),
            "owner": ("Contact owner",),
            "email": ("Email",),
            "mql_at": ("Became a Marketing Qualified Lead Date",),
            "sql_at": ("Became a Sales Qualified Lead Date",),
            "status": ("Lead Status",),
            "lifecycle_stage": ("Lifecycle Stage",),
        },
    ),
    Preset(
        name="hubspot_deals",
        label="HubSpot deals export",
        kind="deals",
        identifying=("Record ID", "Deal Name", "Deal Stage"),
        columns={
            "deal_id": ("Record ID",),
            "lead_id": ("Associated Contact IDs", "Associated Contact"),
            "created_at": ("Create Date",),
            "stage": ("Deal Stage",),
            "amount": ("Amount",),
            # The deal property deal_currency_code, labelled "Currency" (some exports use its
            # full name): a portal with several currencies writes each deal's beside its
            # amount. Left unread, euros and pounds would be summed as one currency.
            "currency": ("Currency", "Deal Currency Code"),
            "closed_at": ("Close Date",),
            "owner": ("Deal owner",),
            "source": ("Deal source attribution",),
        },
        first_of_list=frozenset({"lead_id"}),
    ),
    Preset(
        name="salesforce_leads",
        label="Salesforce leads report",
        kind="leads",
        identifying=("Lead ID", "Created Date"),
        columns={
            "lead_id": ("Lead ID",),
            "created_at": ("Created Date",),
            "channel": ("Lead Source",),
            "owner": ("Lead Owner", "Owner ID"),
            "country": ("Country",),
            "email": ("Email",),
            "company": ("Company",),
            # Converting a lead is sales accepting it: the opportunity exists from then on.
            "sql_at": ("Converted Date",),
            "status": ("Lead Status", "Status"),
            "converted_deal_id": ("Converted Opportunity ID",),
            "is_converted": ("Converted",),
        },
    ),
    Preset(
        name="salesforce_opportunities",
        label="Salesforce opportunities report",
        kind="deals",
        identifying=("Opportunity ID", "Created Date", "Stage"),
        columns={
            "deal_id": ("Opportunity ID",),
            "created_at": ("Created Date",),
            "stage": ("Stage",),
            "is_won": ("Won",),
            "is_closed": ("Closed",),
            # An org with several currencies writes each amount's code beside it ("Amount
            # Currency", as a report exports it; or the record's "Opportunity Currency"). Left
            # unread, euros and yen would be summed as one currency. A report with only the
            # amount converted to the corporate currency is read in that one.
            "amount": ("Amount", "Amount (Converted)"),
            "currency": ("Amount Currency", "Opportunity Currency", "Amount (Converted) Currency"),
            "closed_at": ("Close Date",),
            "owner": ("Opportunity Owner", "Owner ID"),
            "source": ("Lead Source",),
        },
    ),
    Preset(
        name="pipedrive_deals",
        label="Pipedrive deals export",
        kind="deals",
        identifying=("Deal - ID", "Deal - Deal created"),
        columns={
            "deal_id": ("Deal - ID",),
            "created_at": ("Deal - Deal created",),
            # Pipedrive's status (open, won, lost) is what staging reads the outcome from.
            "stage": ("Deal - Status",),
            "amount": ("Deal - Value",),
            "currency": ("Deal - Currency",),
            # A won deal closed at its Won time, a lost one at its Lost time.
            "closed_at": ("Deal - Won time", "Deal - Lost time"),
            "owner": ("Deal - Owner",),
            "source": ("Deal - Source channel",),
            # A person field added to the export: the only link from a deal to its lead.
            "email": ("Person - Email",),
        },
        fallback={"closed_at": ("Deal - Lost time",)},
    ),
    Preset(
        name="pipedrive_leads",
        label="Pipedrive leads export",
        kind="leads",
        identifying=("Lead - ID", "Lead - Created"),
        columns={
            "lead_id": ("Lead - ID",),
            "created_at": ("Lead - Created",),
            "channel": ("Lead - Source",),
            "owner": ("Lead - Owner",),
            "email": ("Person - Email",),
            "company": ("Organization - Name",),
        },
    ),
)
PRESETS_BY_NAME = {preset.name: preset for preset in PRESETS}


def _key(name: str) -> str:
    return " ".join(name.strip().lower().split())


def detect(header: list[str], kind: str | None = None) -> Preset | None:
    """The preset whose identifying columns the header has (the most specific one wins); with
    ``kind``, only that kind's presets, including those read only when asked for."""
    present = {_key(name) for name in header}
    matches = [
        p
        for p in PRESETS
        if all(_key(name) in present for name in p.identifying)
        and not any(_key(name) in present for name in p.absent)
        and (p.kind == kind if kind else not p.asked_only)
    ]
    return max(matches, key=lambda preset: len(preset.identifying), default=None)


def generic_by_id_column(header: list[str]) -> Preset | None:
    """A generic preset for a file with our id column but not all identifying columns, so the
    refusal can name the missing required field rather than ask what the file is."""
    present = {_key(name) for name in header}
    # A deals file and a touches file also name lead_id; a touches or spend file may lack its
    # own id.
    by_column = (
        ("deals", "deal_id"),
        ("touches", "touched_at"),
        ("spend", "date_from"),
        ("leads", "lead_id"),
    )
    for kind, column in by_column:
        if column in present:
            return PRESETS_BY_NAME[f"generic_{kind}"]
    return None


def mapping_for(preset: Preset, header: list[str]) -> dict[str, str]:
    """Contract field -> the file's column, for the candidates this header has; a column whose
    name matches the field's pattern first."""
    return _first_present(preset.columns, header) | {
        field_name: column for field_name, (column, _) in _patterned(preset, header).items()
    }


def _patterned(preset: Preset, header: list[str]) -> dict[str, tuple[str, dict[str, str]]]:
    """Field -> (the first column whose name matches its pattern, the values the name gives)."""
    found = {}
    for field_name, pattern in preset.patterns.items():
        for name in header:
            matched = re.fullmatch(pattern, _key(name), re.IGNORECASE)
            if matched:
                found[field_name] = (name, matched.groupdict())
                break
    return found


def constant_values(preset: Preset, header: list[str], mapping: dict[str, str]):
    """Field -> (its value on every row, where the value comes from), for the fields the file
    has no column for: the preset's constants, and what a column's name says (EUR from
    "Amount spent (EUR)"), upper-cased as a code."""
    values = {
        name: (value, f"the {preset.label} preset")
        for name, value in preset.constants.items()
        if name not in mapping
    }
    for column, said in _patterned(preset, header).values():
        for name, value in said.items():
            if name not in mapping and value:
                values[name] = (value.upper(), f"the column name {column}")
    return values


def first_present(names: tuple[str, ...], header: list[str]) -> str | None:
    """The header's column for the first of ``names`` it has (any case and spacing)."""
    return _first_present({"found": names}, header).get("found")


def _first_present(candidates: dict, header: list[str], key=_key) -> dict[str, str]:
    """Field -> the first of its candidate columns the header has (any case and spacing; with
    ``key=_words``, any punctuation between the words too)."""
    by_key = {key(name): name for name in header}
    mapping = {}
    for field_name, names in candidates.items():
        found = next((by_key[key(c)] for c in names if key(c) in by_key), None)
        if found is not None:
            mapping[field_name] = found
    return mapping


def automatic_mapping(kind: str, header: list[str]) -> dict[str, str]:
    """Contract field -> the file's column named as the field, or as any preset of ``kind``
    names it, however the words are written ("stage", "Deal Stage", "deal_stage",
    "close_date" for HubSpot's "Close Date"): what maps without being asked, as the mapping
    screen chooses (likely_columns)."""
    candidates = {
        name: [name, *(c for p in PRESETS if p.kind == kind for c in p.columns.get(name, ()))]
        for name in contract.column_names(kind)
    }
    return _first_present(candidates, header, key=_words)


def suggestions(field_name: str, header: list[str], limit: int = 3) -> list[str]:
    """The file's columns most like a contract field, best first, for the mapping screen."""
    known = {_key(c): c for p in PRESETS for c in p.columns.get(field_name, ())}
    exact = [name for name in header if _key(name) in known]
    spelled = difflib.get_close_matches(
        field_name.replace("_", " "), [name.lower() for name in header], n=limit, cutoff=0.4
    )
    by_lower = {name.lower(): name for name in header}
    ranked = exact + [by_lower[name] for name in spelled if by_lower[name] not in exact]
    return ranked[:limit]


def likely_columns(field_name: str, header: list[str]) -> list[str]:
    """The columns the mapping screen chooses for a field before the analyst does, in the
    file's order: a name a preset reads the field from ("Create Date"), or the field's own name
    however it is written ("Lead_ID"). A likeness is left for the analyst to choose: a hunch
    chosen unasked ("Closed at" for created_at, "Owner email" for email, "Weighted amount" for
    amount) loads quietly wrong."""
    names = {c for p in PRESETS for c in p.columns.get(field_name, ())} | {field_name}
    known = {_words(name) for name in names}
    return [name for name in header if _words(name) in known]


def _words(name: str) -> str:
    """A name's words, lower case, one space apart: "Lead_ID" and "lead id" are "lead id"."""
    return " ".join(re.findall(r"[^\W_]+", name.lower()))


def header_fingerprint(header: list[str]) -> str:
    """Identifies files with the same columns, in any order or case."""
    return hashlib.sha256("\n".join(sorted(_key(n) for n in header)).encode()).hexdigest()


def _ensure_saved_mappings(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(
        "create table if not exists saved_mappings (name varchar, kind varchar, "
        "header_sha256 varchar, mapping_json varchar, saved_at timestamp)"
    ).fetchall()


def save_mapping(
    con: duckdb.DuckDBPyConnection,
    name: str,
    kind: str,
    header: list[str],
    mapping: dict[str, str],
) -> None:
    """Keep a mapping so next week's file with the same headers is read the same way. It
    replaces the one saved for those headers; one of another file saved under the same name is
    kept (a name only labels a mapping: the headers find it)."""
    _ensure_saved_mappings(con)
    sha = header_fingerprint(header)
    con.execute("delete from saved_mappings where header_sha256 = $sha", {"sha": sha}).fetchall()
    con.execute(
        "insert into saved_mappings values ($name, $kind, $sha, $mapping, now())",
        {"name": name, "kind": kind, "sha": sha, "mapping": json.dumps(mapping, sort_keys=True)},
    ).fetchall()


def saved_mapping(
    con: duckdb.DuckDBPyConnection, header: list[str]
) -> tuple[str, str, dict[str, str]] | None:
    """(name, kind, mapping) saved for files with this header, if any; the mapping names this
    file's columns, which may differ from the saved file's in case or spacing."""
    if not has_table(con, "saved_mappings"):
        return None  # reading creates nothing: a read-only connection, or a refused file
    rows = con.execute(
        "select name, kind, mapping_json from saved_mappings where header_sha256 = $sha",
        {"sha": header_fingerprint(header)},
    ).fetchall()
    if not rows:
        return None
    name, kind, mapping_json = rows[0]
    column_of = {_key(column): column for column in header}
    saved = json.loads(mapping_json)
    return (
        name,
        kind,
        {field: column_of.get(_key(column), column) for field, column in saved.items()},
    )
