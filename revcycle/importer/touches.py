"""What a touches export needs beyond the shared checks: an id for every touch, and a lead for
it to belong to.

Most touch exports (a UTM log, HubSpot's source columns) carry no id of their own. The id is
then derived from what makes the touch this touch (its lead or email, time, source and
campaign), so loading the same export twice, or next week's overlapping one, adds nothing.
"""

import functools
from dataclasses import replace
from typing import NamedTuple

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from revcycle.db import has_table
from revcycle.importer import identify
from revcycle.importer import problems as codes
from revcycle.importer.load import RAW_TABLE_BY_KIND, holds_sample
from revcycle.importer.parse import mask
from revcycle.importer.problems import WARNING, Problem, per_line, refused
from revcycle.importer.table import ExportTable
from revcycle.importer.text import one_array

DERIVED_PREFIX = "t-"  # a derived id says so: no CRM id starts with it
# The parts are joined by the unit separator, which no export cell holds, so ("a b", "c") and
# ("a", "b c") never give the same id.
_DERIVED_ID_SQL = """
    select
        $prefix || left(md5(concat_ws(
            chr(31),
            coalesce(lead_id, lower(email), ''),
            coalesce(strftime(touched_at, '%Y-%m-%dT%H:%M:%S.%f'), ''),
            coalesce(source, ''),
            coalesce(campaign, '')
        )), 24) as touch_id
    from export_rows
"""


def reshaped(table: ExportTable, preset, mapping: dict[str, str]):
    """(table, mapping, the file's columns read) once a touches preset's source is joined
    (joined_source_column) and a line's second touch is a row of its own (second_touches)."""
    read = set(mapping.values())
    table, mapping = joined_source_column(table, preset, mapping)
    if preset is not None:
        read |= {column for names in preset.second_touch.values() for column in names}
        read |= set(preset.joined_source)
    table, mapping = second_touches(table, preset, mapping)
    return table, mapping, read


def joined_source_column(table: ExportTable, preset, mapping: dict[str, str]):
    """(table, mapping) with the source a touches preset joins from its parts (utm_source /
    utm_medium): a column of its own, named for what it holds, so a problem on it names the
    file's columns. A source mapped by hand stays as it is."""
    joined = preset.joined_source if preset else ()
    parts = [column for column in joined if column in table.header]
    if len(parts) < 2 or mapping.get("source") != parts[0]:
        return table, mapping
    columns = [table.rows.column(column) for column in parts]
    # Arrow's "skip" leaves out a row whose parts are all blank (pyarrow 26: the result is
    # shorter than the file), so such a row joins "" instead; blank, as read makes every blank.
    all_blank = functools.reduce(pc.and_, [pc.is_null(column) for column in columns])
    columns[0] = pc.if_else(all_blank, "", columns[0])
    values = pc.binary_join_element_wise(*columns, " / ", null_handling="skip")
    values = pc.if_else(pc.equal(values, ""), pa.scalar(None, pa.string()), values)
    name = " / ".join(parts)
    rows = table.rows.append_column(name, values)
    return replace(table, header=[*table.header, name], rows=rows), mapping | {"source": name}


def identified(rows: pa.Table, problems: list[Problem], lines: np.ndarray, file: str):
    """(rows with every touch_id, the repeated touches); see identify.identified."""
    reason = "the same touch (lead, time, source and campaign) as {earlier}; it loads once"
    derivation = identify.Derivation("touch_id", _DERIVED_ID_SQL, DERIVED_PREFIX)
    return identify.identified(
        rows, derivation, problems, lines, file, reason, codes.REPEATED_TOUCH
    )


class Arriving(NamedTuple):
    """What a batch loads before this file (the upload page checks and loads leads first, then
    deals): its leads' ids and lower-cased emails, which a deal or touch may name as if they
    were loaded (None when no leads arrive), and the currencies its deals and spend state, with
    their rows, which a file stating none is warned of as if they were loaded."""

    lead_ids: pa.Array | None
    emails: pa.Array | None
    currencies: tuple[tuple[str, int], ...] = ()

    @classmethod
    def of(cls, leads: list[pa.Table], amounts: list[pa.Table] = ()) -> "Arriving | None":
        """From the rows of the leads files, and of the deals and spend files, to load first;
        None when there are none."""
        currencies = _stated_currencies(amounts)
        if not leads and not currencies:
            return None
        if not leads:
            return cls(None, None, currencies)
        ids = [one_array(rows.column("lead_id")) for rows in leads]
        emails = [
            one_array(pc.utf8_lower(rows.column("email")))
            for rows in leads
            if "email" in rows.column_names
        ]
        emails = pa.concat_arrays(emails or [pa.array([], pa.string())])
        return cls(pa.concat_arrays(ids), emails, currencies)

    @property
    def leads(self) -> tuple[pa.Array, pa.Array] | None:
        """The arriving leads' ids and lower-cased emails; None when no leads arrive."""
        return None if self.lead_ids is None else (self.lead_ids, self.emails)


def _stated_currencies(amounts: list[pa.Table]) -> tuple[tuple[str, int], ...]:
    """(currency, rows) over the tables' rows with an amount and a currency."""
    counts = {}
    for rows in amounts:
        stating = rows.filter(pc.and_(pc.is_valid(rows["amount"]), pc.is_valid(rows["currency"])))
        for pair in pc.value_counts(stating["currency"]).to_pylist():
            counts[pair["values"]] = counts.get(pair["values"], 0) + pair["counts"]
    return tuple(counts.items())


def link_problems(
    con: duckdb.DuckDBPyConnection,
    rows: pa.Table,
    lines: np.ndarray,
    file: str,
    mapping: dict[str, str],
    arriving: Arriving | None = None,
) -> list[Problem]:
    """Touches with no way to a lead (rejected), and touches whose lead id or email no loaded
    lead has, nor a lead ``arriving`` (loaded, with a warning: they join a journey once their
    lead arrives)."""
    if "lead_id" not in mapping and "email" not in mapping:
        # Every line would be rejected for the same reason: say it once, as a mapping to make.
        reason = (
            "a touch belongs to a lead by its lead_id or its email, and the file has a column "
            "for neither; map one with --map lead_id=<column> or --map email=<column>"
        )
        raise refused(file, reason, codes.NEEDS_MAPPING, line=1)
    lead_ids, emails = rows.column("lead_id"), rows.column("email")
    has_lead = mask(pc.is_valid(lead_ids))
    has_email = mask(pc.is_valid(emails))
    neither = ~has_lead & ~has_email
    reason = "a touch needs a lead_id or an email to belong to a lead; this line has neither"
    column = mapping.get("lead_id") or mapping.get("email")
    found = per_line(
        file, lines[neither], column, [None] * int(neither.sum()), reason, codes.NO_LEAD_LINK
    )
    known_ids, known_emails = known_leads(con, lead_ids, emails, arriving)
    if known_ids is None:
        return found
    unknown_id = has_lead & ~mask(pc.is_in(lead_ids, value_set=known_ids))
    reason = (
        "no loaded lead has this id; the touch loads, and counts in no journey until its lead "
        "arrives"
    )
    found += _flagged(rows, "lead_id", unknown_id, lines, file, mapping, reason, codes.UNKNOWN_LEAD)
    lowered = pc.utf8_lower(emails)
    unknown_email = ~has_lead & has_email & ~mask(pc.is_in(lowered, value_set=known_emails))
    reason = (
        "no loaded lead has this email (in any case); the touch loads, and counts in no "
        "journey until a lead with it arrives"
    )
    found += _flagged(
        rows, "email", unknown_email, lines, file, mapping, reason, codes.UNKNOWN_EMAIL
    )
    return found


def _flagged(rows, field, where, lines, file, mapping, reason, code) -> list[Problem]:
    values = rows.column(field).filter(pa.array(where)).to_pylist()
    return per_line(file, lines[where], mapping.get(field), values, reason, code, WARNING)


def known_leads(con: duckdb.DuckDBPyConnection, lead_ids, emails, arriving=None):
    """The loaded and ``arriving`` leads' ids and lower-cased emails among those the touches
    (or deals) name; (None, None) when there are no leads to check against (the loaded ones
    being the sample, which goes when this file loads, and none arriving)."""
    arriving = arriving.leads if arriving is not None else None
    if not has_table(con, RAW_TABLE_BY_KIND["leads"]) or holds_sample(con):
        return (None, None) if arriving is None else arriving
    loaded = _loaded_leads(con, lead_ids, emails)
    if arriving is None:
        return loaded
    return tuple(pa.concat_arrays([one_array(a), b]) for a, b in zip(loaded, arriving, strict=True))


def _loaded_leads(con: duckdb.DuckDBPyConnection, lead_ids, emails):
    """The loaded leads' ids and lower-cased emails among those the touches (or deals) name."""
    # On the caller's connection: within a build's transaction, the leads just loaded are
    # visible only there.
    named = pa.table({"lead_id": lead_ids, "email": pc.utf8_lower(emails)})
    con.register("touch_leads", named)
    try:
        ids = con.sql(
            "select distinct lead_id from touch_leads semi join raw_leads using (lead_id)"
        ).to_arrow_table()
        found_emails = con.sql(
            "select distinct email from touch_leads "
            "where email in (select lower(email) from raw_leads)"
        ).to_arrow_table()
    finally:
        con.unregister("touch_leads")
    return ids.column("lead_id"), found_emails.column("email")


def second_touches(table: ExportTable, preset, mapping: dict[str, str]):
    """(table, mapping) with a row per touch when a line holds two (HubSpot's original and
    latest source): the second touches follow the first, on their file lines, in columns named
    for both ("Create Date, then Latest Traffic Source Date"). A second touch without a date or
    a source is none: HubSpot leaves both blank until the contact comes back."""
    if preset is None or not preset.second_touch or table.rows.num_rows == 0:
        return table, mapping
    second = {}
    for field_name, columns in preset.second_touch.items():
        found = next((column for column in columns if column in table.header), None)
        if found is not None and field_name in mapping:
            second[field_name] = found
    if "touched_at" not in second or "source" not in second:
        return table, mapping
    rows = table.rows
    present = mask(pc.is_valid(rows.column(second["touched_at"]))) & mask(
        pc.is_valid(rows.column(second["source"]))
    )
    kept = pa.array(np.flatnonzero(present))
    columns, names = {}, {}
    for field_name, first in mapping.items():
        other = second.get(field_name, first)
        name = first if other == first else f"{first}, then {other}"
        firsts = one_array(rows.column(first))
        seconds = one_array(rows.column(other)).take(kept)
        columns[name] = pa.concat_arrays([firsts, seconds])
        names[field_name] = name
    lines = np.concatenate([table.lines, np.asarray(table.lines)[present]])
    note = (
        f"{rows.num_rows:,} contacts give {rows.num_rows + len(kept):,} touches: each its "
        f"original source at its {mapping['touched_at']}, and {len(kept):,} their latest "
        f"source at its {second['touched_at']}"
    )
    # A latest source without its date: when it happened is unknown, so it is no touch.
    undated = mask(pc.is_valid(rows.column(second["source"]))) & ~present
    if undated.any():
        note += (
            f"; {int(undated.sum()):,} with a latest source but no {second['touched_at']} give "
            f"none for it (the first on line {int(np.asarray(table.lines)[undated][0])})"
        )
    stacked = replace(
        table,
        header=list(columns),
        rows=pa.table(columns),
        lines=lines,
        notes=[*table.notes, note],
        count_data_lines=rows.num_rows,
    )
    return stacked, names
