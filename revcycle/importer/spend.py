"""What a spend export needs beyond the shared checks: days in order, a currency code, an id
for every row, and the currency the setting gives a row that states none.

Ad platforms' exports carry no id per row. The id is then derived from what makes the row this
row (its days, source and campaign), so loading the same export twice, or last month's again,
adds nothing; stg_spend counts each day once whatever the uploads overlap.
"""

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from revcycle import settings
from revcycle.importer import identify, presets
from revcycle.importer import problems as codes
from revcycle.importer.parse import mask
from revcycle.importer.problems import Problem
from revcycle.importer.table import ExportTable
from revcycle.importer.text import one_array, stripped

# The parts are joined by the unit separator, which no export cell holds, so ("a b", "c") and
# ("a", "b c") never give the same id. A blank date_to is date_from: one day either way.
_DERIVED_ID_SQL = """
    select
        $prefix || left(md5(concat_ws(
            chr(31),
            coalesce(strftime(date_from, '%Y-%m-%d'), ''),
            coalesce(strftime(coalesce(date_to, date_from), '%Y-%m-%d'), ''),
            coalesce(source, ''),
            coalesce(campaign, ''),
            -- The campaign's id, where the export has one; skipped when null, so a generic
            -- file's ids are those of its other parts alone.
            campaign_ref
        )), 24) as spend_id
    from export_rows
"""
DERIVATION = identify.Derivation("spend_id", _DERIVED_ID_SQL, "s-")


def rule_checks(rows: pa.Table, mapping: dict[str, str]) -> list[tuple]:
    """Spend's own rule, as (field, rows breaking it, reason, code): a row ending before it
    starts. Its currencies are checked as the deals' are (importer.currencies)."""
    checks = []
    if "date_to" in mapping:
        backwards = mask(pc.less(rows.column("date_to"), rows.column("date_from")))
        reason = "date_to is before date_from; the row covers no day (swap or correct them)"
        checks.append(("date_to", backwards, reason, codes.ENDS_BEFORE_START))
    return checks


def campaign_refs(table: ExportTable, preset) -> pa.Array | None:
    """The campaign ids of the file's rows, from the preset's id column the file has; None when
    it has none."""
    if preset is None:
        return None
    column = presets.first_present(preset.id_columns, table.header)
    return None if column is None else stripped(one_array(table.rows.column(column)))


def identified(rows: pa.Table, problems: list[Problem], lines: np.ndarray, file: str, refs=None):
    """(rows with every spend_id, the repeated rows); see identify.identified. ``refs`` are the
    rows' campaign ids, a part of the derived id where the export has them."""
    reason = (
        "the same days, source and campaign as {earlier}; it loads once. A report split "
        "by device, network or ad group repeats them: download it by campaign and day only"
    )
    refs = pa.nulls(len(rows), pa.string()) if refs is None else refs
    with_refs = rows.append_column("campaign_ref", refs)
    with_refs, repeats = identify.identified(
        with_refs, DERIVATION, problems, lines, file, reason, codes.REPEATED_SPEND
    )
    return with_refs.drop_columns(["campaign_ref"]), repeats


def with_default_currency(rows: pa.Table) -> tuple[pa.Table, list[str]]:
    """``rows`` with the REVCYCLE_CURRENCY setting in every blank currency, and a note saying
    so; unchanged, with no note, when every row states one or nothing is set."""
    currency = rows.column("currency")
    count_blank = currency.null_count
    default = settings.currency()
    if not count_blank or default is None:
        return rows, []
    filled = pc.fill_null(currency, pa.scalar(default, pa.string()))
    position = rows.schema.get_field_index("currency")
    note = (
        f"{count_blank:,} rows state no currency: taken as {default}, the "
        f"{settings.CURRENCY_VARIABLE} setting"
    )
    return rows.set_column(position, "currency", filled), [note]
