"""What an export says without a column for it: the first contact HubSpot gives as a response
time, the funnel stage a lifecycle stage or a Salesforce conversion implies, and the columns a
preset knows that the file lacks (each warned about once, naming the column to add)."""

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from revcycle.db import scratch
from revcycle.importer import presets
from revcycle.importer.parse import mask
from revcycle.importer.problems import (
    CONTACT_TIME_UNKNOWN,
    MISSING_COLUMN,
    NOT_A_DURATION,
    WARNING,
    Problem,
    per_line,
)
from revcycle.importer.text import one_array

# The fields the pages measure or group by: a preset column for one of them that the file
# lacks is said out loud, since the pages will say the figure cannot be measured.
MEASURED = ("channel", "owner", "mql_at", "sql_at", "first_contacted_at")
STAGE_NAME_BY_FIELD = {"mql_at": "MQL", "sql_at": "SQL"}
_HH_MM_SS = r"^\s*(?P<hours>\d+):(?P<minutes>[0-5]?\d):(?P<seconds>[0-5]?\d)\s*$"


def first_contact(table, mapping: dict[str, str], rows: pa.Table, lines: np.ndarray):
    """HubSpot's first contact: "Owner assigned date" plus "Lead response time (HH:mm:ss)",
    where the file has both and no first-contact column; (rows, mapping, problems), the
    problems None when the file gives no first contact this way. A lead with a response time
    was contacted (is_contacted) even where the time cannot be told: an unreadable response
    time, or no assignment date to count it from, is said on its line, and its follow-up is
    then not judged, never taken for no contact."""
    if not (
        presets.RESPONSE_TIME in table.header
        and "owner_assigned_at" in mapping
        and "first_contacted_at" not in mapping
    ):
        return rows, mapping, None
    text = one_array(table.rows.column(presets.RESPONSE_TIME))
    parts = pc.extract_regex(text, _HH_MM_SS)
    seconds = pc.add(
        pc.add(
            pc.multiply(pc.cast(pc.struct_field(parts, "hours"), pa.int64()), 3600),
            pc.multiply(pc.cast(pc.struct_field(parts, "minutes"), pa.int64()), 60),
        ),
        pc.cast(pc.struct_field(parts, "seconds"), pa.int64()),
    )
    assigned = rows.column("owner_assigned_at")
    contacted = pc.add(assigned, pc.cast(pc.multiply(seconds, 1_000_000), pa.duration("us")))
    answered = mask(pc.is_valid(text))
    unread = answered & ~mask(pc.is_valid(parts))
    unassigned = answered & ~unread & ~mask(pc.is_valid(assigned))
    file, column = table.where, presets.RESPONSE_TIME
    said = ((unread, _UNREAD, NOT_A_DURATION), (unassigned, _UNASSIGNED, CONTACT_TIME_UNKNOWN))
    problems = [
        problem
        for where, reason, code in said
        for problem in per_line(
            file, lines[where], column, text.filter(where).to_pylist(), reason, code, WARNING
        )
    ]
    rows = _with_column(rows, "first_contacted_at", contacted)
    rows = _with_column(rows, "is_contacted", pa.array(np.where(answered, True, None), pa.bool_()))
    derived = f"{mapping['owner_assigned_at']} + {presets.RESPONSE_TIME}"
    mapping = {**mapping, "first_contacted_at": derived, "is_contacted": presets.RESPONSE_TIME}
    return rows, mapping, problems


_NOT_JUDGED = "so when it was first contacted is unknown, and its follow-up is not judged"
_UNREAD = f"not a response time in HH:mm:ss; the lead was answered, {_NOT_JUDGED}"
_UNASSIGNED = (
    "a response time with no Owner assigned date, which it counts from; the lead was "
    f"answered, {_NOT_JUDGED}"
)


def _with_column(rows: pa.Table, name: str, values) -> pa.Table:
    return rows.set_column(rows.schema.get_field_index(name), name, values)


def first_contact_unknown(table, preset, mapping: dict[str, str]) -> list[Problem]:
    """A warning when a CRM's leads export gives no first contact, so follow-up speed cannot be
    measured for its leads: for HubSpot, which has no column for it, naming the owner's
    assignment and the response time it is made of, where the file lacks them."""
    if "first_contacted_at" in mapping:
        return []
    has_response_time = presets.RESPONSE_TIME in table.header
    crm = preset is not None and preset.names_missing and preset.kind == "leads"
    if not (has_response_time or crm):
        return []
    unknown = (
        "first_contacted_at is unknown for every lead it adds and follow-up speed cannot be "
        "measured for them; a merge keeps the first_contacted_at of the leads already loaded"
    )
    if not (has_response_time or "owner_assigned_at" in preset.columns):
        reason = (
            f"the file has no column for the first contact, so {unknown}; if the export has "
            "one under another name, map it: first_contacted_at=<column> under Also map on the "
            "Upload page, or --map first_contacted_at=<column> on the command line"
        )
        return [Problem(table.where, None, None, None, reason, WARNING, code=MISSING_COLUMN)]
    missing = [
        f"“{column}”"
        for column, present in (
            ("Owner assigned date", "owner_assigned_at" in mapping),
            (presets.RESPONSE_TIME, has_response_time),
        )
        if not present
    ]
    reason = (
        f"the file has no column {' or '.join(missing)}: HubSpot gives a lead's first contact "
        f"as the owner's assignment plus the lead response time, so {unknown}; add "
        f"{' and '.join(missing)} to the export"
    )
    return [Problem(table.where, None, None, None, reason, WARNING, code=MISSING_COLUMN)]


def missing_columns(file: str, preset, mapping: dict[str, str], rows: pa.Table) -> list[Problem]:
    """One warning per measured field the preset has a column for and the file lacks, naming
    the column to add, and what the file still says about it (a lifecycle stage, a conversion)."""
    if preset is None or not preset.names_missing:
        return []
    reached = _reached_by_stage(rows) if "lifecycle_stage" in mapping else {}
    problems = []
    for name in (f for f in MEASURED if f in preset.columns and f not in mapping):
        columns = " or ".join(f"“{column}”" for column in preset.columns[name])
        if reached.get(name):
            stage = STAGE_NAME_BY_FIELD[name]
            reason = (
                f"{reached[name]:,} leads' Lifecycle Stage says they reached {stage}, but the "
                f"file has no column for that date; add {columns} to the export. Until then "
                f"cohort mode counts them as reached {stage}, with the date unknown"
            )
        else:
            # A merge keeps the field of the leads loaded before: unknown only for new ones.
            reason = (
                f"the file has no column {columns}, so {name} is unknown for every lead it adds"
            )
            reason += _converted(name, mapping, rows)
            reason += (
                f"; a merge keeps the {name} of the leads already loaded; add the column to the "
                "export"
            )
        # No column: the reason names the one to add, the file has none to point at.
        problems.append(Problem(file, None, None, None, reason, WARNING, code=MISSING_COLUMN))
    return problems


def _converted(name: str, mapping: dict[str, str], rows: pa.Table) -> str:
    """What a Salesforce file still says about the SQL date: converted leads have one."""
    if name != "sql_at" or "is_converted" not in mapping:
        return ""
    count = int(mask(rows.column("is_converted")).sum())
    if count == 1:
        return (
            " (1 lead is converted: its SQL date is its converted opportunity's Created Date, "
            "once the opportunities are loaded)"
        )
    return (
        f" ({count:,} leads are converted: their SQL date is their converted opportunity's "
        "Created Date, once the opportunities are loaded)"
    )


def _reached_by_stage(rows: pa.Table) -> dict[str, int]:
    """How many leads the lifecycle stage puts at MQL or later, and at SQL or later, by the
    macro staging uses."""
    cursor = scratch()
    try:
        cursor.register("stages", pa.table({"stage": rows.column("lifecycle_stage")}))
        return dict(
            zip(
                ("mql_at", "sql_at"),  # lifecycle_stage_order 2 and 3
                cursor.execute(
                    "select count(*) filter (where lifecycle_stage_order(stage) >= 2), "
                    "count(*) filter (where lifecycle_stage_order(stage) >= 3) from stages"
                ).fetchall()[0],
                strict=True,
            )
        )
    finally:
        cursor.close()
