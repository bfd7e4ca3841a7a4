"""The data contract: the columns of the generic lead, deal, touch and spend exports, in one
place.

The README's data dictionary, the sample generator and the build's checks all read this
module, so a column is described once.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Field:
    name: str
    type: str
    required: bool
    meaning: str


LEAD_FIELDS: tuple[Field, ...] = (
    Field("lead_id", "text", True, "The lead's id in the source system; unique in the export."),
    Field("created_at", "timestamp", True, "When the lead was created (entered the funnel)."),
    Field(
        "channel",
        "text",
        False,
        "The lead source as the export names it (e.g. `Paid Search`, `PAID_SEARCH`); "
        "mapped to a channel by `data/channel_rules.csv`. Blank becomes `(unknown)`, "
        "a value with no rule becomes `(unmapped)`.",
    ),
    Field("campaign", "text", False, "The campaign that brought the lead in."),
    Field("owner", "text", False, "The sales owner the lead is assigned to."),
    Field("segment", "text", False, "Customer segment, e.g. SMB, Mid-market, Enterprise."),
    Field("country", "text", False, "Country of the lead."),
    Field("email", "text", False, "Email address; deals without a lead id are matched on it."),
    Field("company", "text", False, "Company name."),
    Field("mql_at", "timestamp", False, "When the lead became a marketing qualified lead."),
    Field("sql_at", "timestamp", False, "When sales accepted the lead (sales qualified lead)."),
    Field("owner_assigned_at", "timestamp", False, "When the lead was assigned to its owner."),
    Field("first_contacted_at", "timestamp", False, "When sales first contacted the lead."),
    Field("status", "text", False, "Lead status in the source system."),
    Field("disqualified_reason", "text", False, "Why the lead was disqualified, if it was."),
    Field(
        "converted_deal_id",
        "text",
        False,
        "The deal this lead became (Salesforce's `Converted Opportunity ID`); links that deal "
        "to this lead when the deal export has no lead id.",
    ),
    # Last, so a database archived before these fields gains them as its last columns too.
    Field(
        "lifecycle_stage",
        "text",
        False,
        "The furthest stage the source system says the lead reached (HubSpot's `Lifecycle "
        "Stage`: `Marketing Qualified Lead`, `Sales Qualified Lead`, `Opportunity`, "
        "`Customer`…). A lead at MQL or later counts as having reached MQL (SQL likewise) in "
        "cohort mode even when the export has no date for it.",
    ),
    Field(
        "is_converted",
        "boolean",
        False,
        "Whether sales converted the lead (Salesforce's `Converted`): a converted lead reached "
        "SQL. Its date is `sql_at` (`Converted Date`) or, without that column, the converted "
        "deal's `created_at`.",
    ),
    Field(
        "is_contacted",
        "boolean",
        False,
        "Whether sales contacted the lead, where the export says so (HubSpot's `Lead response "
        "time`) even when not when (no `Owner assigned date` to count it from): a contacted "
        "lead with no `first_contacted_at` is neither on time nor late, and never counted as "
        "never contacted.",
    ),
)

DEAL_FIELDS: tuple[Field, ...] = (
    Field("deal_id", "text", True, "The deal's (opportunity's) id; unique in the export."),
    Field("lead_id", "text", False, "The lead this deal came from, when the export links it."),
    Field(
        "email",
        "text",
        False,
        "Contact email; links the deal to a lead (case-insensitive) when `lead_id` is blank.",
    ),
    Field("created_at", "timestamp", True, "When the deal was created (the opportunity date)."),
    Field("stage", "text", False, "Deal stage, e.g. `Proposal`, `Closed Won`, `Closed Lost`."),
    Field(
        "is_won",
        "boolean",
        False,
        "Whether the deal is won; derived from `stage` (`Closed Won` or a stage starting "
        "with it, `Won`, HubSpot's id `closedwon`: case, spaces and marks aside) when blank.",
    ),
    Field(
        "is_closed",
        "boolean",
        False,
        "Whether the deal is closed; derived from `stage` (`Closed …`, `Won`, `Lost`) when blank.",
    ),
    Field("amount", "decimal", False, "Deal value, in `currency`, to the cent."),
    Field(
        "currency",
        "text",
        False,
        "ISO currency code of `amount`, three letters (the sample is all EUR); `€` and `£` "
        "read as `EUR` and `GBP`.",
    ),
    Field("closed_at", "timestamp", False, "When the deal was won or lost."),
    Field("owner", "text", False, "The deal's sales owner."),
    # Last, so a database archived before this field gains it as its last column too.
    Field(
        "source",
        "text",
        False,
        "The deal's own lead source (Salesforce's opportunity `Lead Source`). A deal that "
        "matches no lead gets its channel from it, through `data/channel_rules.csv`; a deal "
        "with neither a lead nor a source is `(no lead)`.",
    ),
)

TOUCH_FIELDS: tuple[Field, ...] = (
    Field(
        "touch_id",
        "text",
        False,
        "The touch's id in the source system. Without one, the importer derives it from the "
        "lead (or email), `touched_at`, `source` and `campaign`, so loading the same export "
        "twice adds nothing.",
    ),
    Field(
        "lead_id",
        "text",
        False,
        "The lead this touch belongs to. A touch needs a `lead_id` or an `email`; one whose "
        "lead is not loaded loads with a warning and counts in no journey until it is.",
    ),
    Field(
        "email",
        "text",
        False,
        "The lead's email; links the touch to a lead (case-insensitive) when `lead_id` is blank.",
    ),
    Field("touched_at", "timestamp", True, "When the touch happened."),
    Field(
        "source",
        "text",
        False,
        "Where the touch came from (e.g. `Webinar`, `google / cpc`); mapped to a channel by "
        "`data/channel_rules.csv`, like a lead's source: blank is `(unknown)`, a value with no "
        "rule `(unmapped)`.",
    ),
    Field("campaign", "text", False, "The campaign of the touch."),
    Field(
        "touch_type",
        "text",
        False,
        "What kind of touch it was, e.g. form, ad click, event, email click, visit.",
    ),
)

SPEND_FIELDS: tuple[Field, ...] = (
    Field(
        "spend_id",
        "text",
        False,
        "The row's id, if the export has one. Without one, the importer derives it from "
        "`date_from`, `date_to`, `source` and `campaign` (and the campaign's id where the "
        "platform's export has one), so loading the same export twice adds nothing.",
    ),
    Field("date_from", "date", True, "The day the spend is for, or the first day it covers."),
    Field(
        "date_to",
        "date",
        False,
        "The last day the row covers (included); blank is `date_from`, one day. A row over "
        "several days is spread evenly over them, to the cent.",
    ),
    Field(
        "source",
        "text",
        False,
        "Where the money went (e.g. `Google Ads`, `Trade Show`); mapped to a channel by "
        "`data/channel_rules.csv`, like a lead's source. The ad platforms' presets fill it in.",
    ),
    Field(
        "campaign",
        "text",
        False,
        "The campaign. When the source maps to no channel, a campaign that leads or touches "
        "also name (in any case) gives their most common channel; else `(unmapped)`.",
    ),
    Field("amount", "decimal", True, "The money spent over the row's days, to the cent; >= 0."),
    Field(
        "currency",
        "text",
        False,
        "ISO code of `amount` (three letters); blank is the `REVCYCLE_CURRENCY` setting when "
        "the file loads.",
    ),
)

FIELDS_BY_KIND: dict[str, tuple[Field, ...]] = {
    "leads": LEAD_FIELDS,
    "deals": DEAL_FIELDS,
    "touches": TOUCH_FIELDS,
    "spend": SPEND_FIELDS,
}
# How each type is stored: the importer parses every value once, so the stored rows are typed.
SQL_TYPE_BY_TYPE: dict[str, str] = {
    "text": "varchar",
    "timestamp": "timestamp",
    "date": "date",
    "decimal": "decimal(18, 2)",
    "boolean": "boolean",
}
ID_FIELD_BY_KIND: dict[str, str] = {
    "leads": "lead_id",
    "deals": "deal_id",
    "touches": "touch_id",
    "spend": "spend_id",
}
# The field holding the raw source value the channel rules map.
SOURCE_FIELD_BY_KIND: dict[str, str] = {
    "leads": "channel",
    "deals": "source",  # a deal with no lead loaded counts in its own source's channel
    "touches": "source",
    "spend": "source",
}
# The kind's name for its rows, in messages ("loaded 5 spend rows").
ROWS_BY_KIND: dict[str, str] = {
    "leads": "leads",
    "deals": "deals",
    "touches": "touches",
    "spend": "spend rows",
}
# "every touch", not "every touche": the kind's name for one row, in messages.
ONE_ROW_BY_KIND: dict[str, str] = {
    "leads": "lead",
    "deals": "deal",
    "touches": "touch",
    "spend": "spend row",
}


def column_names(kind: str) -> list[str]:
    """The generic export's header, in order, for ``leads``, ``deals``, ``touches`` or
    ``spend``."""
    return [field.name for field in FIELDS_BY_KIND[kind]]


def data_dictionary_markdown(kind: str) -> str:
    """The README's data-dictionary table for ``kind`` (a test keeps the README in step)."""
    lines = ["| column | type | required | meaning |", "|---|---|---|---|"]
    for field in FIELDS_BY_KIND[kind]:
        required = "yes" if field.required else "no"
        lines.append(f"| `{field.name}` | {field.type} | {required} | {field.meaning} |")
    return "\n".join(lines)
