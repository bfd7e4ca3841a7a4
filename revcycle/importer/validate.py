"""From a file on disk to contract rows and a list of problems, before anything is committed:
read, map (preset, saved mapping or the caller's), parse, check the rules, and account for every
data line (in the file = to load + rejected). Columns stay in Arrow; Python sees only problems.
"""

import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from revcycle import contract
from revcycle.db import has_table
from revcycle.importer import channels, parse, presets
from revcycle.importer.load import RAW_TABLE_BY_KIND, UploadMeta
from revcycle.importer.parse import mask
from revcycle.importer.problems import (
    BLANK_REQUIRED,
    DUPLICATE_ID,
    ERROR,
    FUTURE_DATE,
    NEEDS_MAPPING,
    NEGATIVE_AMOUNT,
    NO_SUCH_COLUMN,
    UNKNOWN_FIELD,
    UNKNOWN_LEAD,
    UNKNOWN_PRESET,
    WARNING,
    ImportRefused,
    Problem,
)
from revcycle.importer.read import ExportTable, read_export, stripped

COMMAND_LINE_MAPPING = "mapping given on the command line"
ARROW_TYPE_BY_TYPE = {
    "text": pa.string(),
    "timestamp": pa.timestamp("us"),  # DuckDB's TIMESTAMP
    "decimal": pa.decimal128(18, 2),
    "boolean": pa.bool_(),
}


@dataclass(frozen=True)
class PreparedUpload:
    file_name: str
    file_bytes: bytes
    kind: str
    source: str  # what read the file: a preset's label, a saved mapping's name, or the caller's
    mapping: dict[str, str]  # contract field -> the file's column
    rows: pa.Table  # the rows to load: the contract's columns, typed (ARROW_TYPE_BY_TYPE)
    problems: list[Problem]
    count_rows_in_file: int
    unmapped_sources: list[str]  # source values no channel rule covers: they land in (unmapped)
    notes: list[str] = field(default_factory=list)
    totals_line: int | None = None  # the totals row's line: a line of the file, but no data

    @property
    def count_rows_loaded(self) -> int:
        return self.rows.num_rows

    @property
    def count_rows_rejected(self) -> int:
        return self.count_rows_in_file - self.count_rows_loaded

    def meta(self, label: str | None = None) -> UploadMeta:
        """What the upload's history entry records; ``label`` names what read the file."""
        return UploadMeta(
            self.file_name,
            self.file_bytes,
            label or self.source,
            self.count_rows_in_file,
            self.count_rows_rejected,
            tuple(self.mapping),  # the fields the file has a column for
        )

    def accounting(self) -> str:
        totals = f" + 1 totals row (line {self.totals_line})" if self.totals_line else ""
        return (
            f"{self.count_rows_in_file + bool(self.totals_line):,} data lines in "
            f"{self.file_name} = {self.count_rows_loaded:,} rows to load + "
            f"{self.count_rows_rejected:,} rejected{totals}"
        )


def _refuse(file: str, line: int | None, code: str, problems: list[tuple]) -> None:
    """Refuse the file if there are problems: one per (column, value, reason)."""
    if problems:
        raise ImportRefused([Problem(file, line, *problem, code=code) for problem in problems])


def _source(
    con: duckdb.DuckDBPyConnection, table: ExportTable, kind: str | None, preset_name: str | None
) -> tuple[str | None, str, dict[str, str], frozenset[str]]:
    """(kind, source label, mapping, list-valued fields) from a preset or a saved mapping."""
    header = table.header
    if preset_name and preset_name not in presets.PRESETS_BY_NAME:
        known = ", ".join(presets.PRESETS_BY_NAME)
        reason = f"there is no preset of that name; known: {known}"
        _refuse(table.file_name, None, UNKNOWN_PRESET, [(None, preset_name, reason)])
    preset = presets.PRESETS_BY_NAME[preset_name] if preset_name else presets.detect(header)
    saved = presets.saved_mapping(con, header) if preset is None else None
    if preset is None and saved is None:
        preset = presets.generic_by_id_column(header)
    if preset is not None:
        mapping = presets.mapping_for(preset, header)
        return kind or preset.kind, preset.label, mapping, preset.first_of_list
    if saved is not None:
        source, saved_kind, mapping = saved
        return kind or saved_kind, source, mapping, frozenset()
    return kind, COMMAND_LINE_MAPPING, {}, frozenset()


def _resolve_mapping(
    con: duckdb.DuckDBPyConnection,
    table: ExportTable,
    kind: str | None,
    preset_name: str | None,
    overrides: dict[str, str],
) -> tuple[str, str, dict[str, str], frozenset[str]]:
    """(kind, source label, mapping, list-valued fields) for this file."""
    file, header = table.file_name, table.header
    kind, source, mapping, list_fields = _source(con, table, kind, preset_name)
    if kind not in contract.FIELDS_BY_KIND:
        reason = (
            "no preset or saved mapping recognises these columns, so say what the file holds "
            "(--kind leads or --kind deals) and map its columns (--map lead_id=<column>)"
        )
        _refuse(file, None, NEEDS_MAPPING, [(None, None, reason)])
    mapping = {**mapping, **overrides}
    if overrides and source != COMMAND_LINE_MAPPING:
        source = f"{source}, with columns mapped on the command line"
    absent = [column for column in mapping.values() if column not in header]
    _refuse(file, 1, NO_SUCH_COLUMN, [(c, None, "the file has no such column") for c in absent])
    reason = f"not a {kind} field; see the README's data dictionary"
    unknown = [(None, f, reason) for f in mapping if f not in contract.column_names(kind)]
    _refuse(file, None, UNKNOWN_FIELD, unknown)
    required = [f.name for f in contract.FIELDS_BY_KIND[kind] if f.required]
    unmapped = [(None, None, _unmapped(f, header)) for f in required if f not in mapping]
    _refuse(file, 1, NEEDS_MAPPING, unmapped)
    return kind, source, mapping, list_fields


def _unmapped(name: str, header: list[str]) -> str:
    hints = presets.suggestions(name, header)
    perhaps = f" (perhaps {', '.join(hints)}?)" if hints else ""
    return f"no column for the required field {name}{perhaps}; map it with --map {name}=<column>"


def _first_of_list(raw: pa.Array) -> pa.Array:
    """The first item of a list written into one cell ("Paid Search; Email")."""
    return pc.list_element(pc.split_pattern_regex(raw, r"\s*[;,]\s*", max_splits=1), 0)


def prepare(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    kind: str | None = None,
    preset_name: str | None = None,
    overrides: dict[str, str] | None = None,
    date_format: str | None = None,
    now: datetime | None = None,
    max_bytes: int | None = None,
) -> PreparedUpload:
    """Read and check an export; raises ImportRefused when the file cannot load at all."""
    table = read_export(Path(path), max_bytes)
    kind, source, mapping, list_fields = _resolve_mapping(
        con, table, kind, preset_name, overrides or {}
    )
    lines = np.asarray(table.lines, dtype=np.int64)
    rows, problems = _parse_columns(table, kind, mapping, list_fields, lines, date_format)
    problems += _rule_problems(con, kind, table, mapping, rows, lines, now or datetime.now())
    rejected_lines = [p.line for p in problems if p.severity == ERROR and p.line is not None]
    if rejected_lines:
        rows = rows.filter(pa.array(~np.isin(lines, rejected_lines)))
    sources = pc.unique(rows.column("channel")).to_pylist() if kind == "leads" else []
    return PreparedUpload(
        file_name=table.file_name,
        file_bytes=table.file_bytes,
        kind=kind,
        source=source,
        mapping=mapping,
        rows=rows,
        problems=problems,
        count_rows_in_file=table.rows.num_rows,
        unmapped_sources=channels.unmapped_sources(con, sources),
        notes=list(table.notes),
        totals_line=table.totals_line,
    )


def _parse_columns(
    table: ExportTable,
    kind: str,
    mapping: dict[str, str],
    list_fields: frozenset[str],
    lines: np.ndarray,
    date_format: str | None,
) -> tuple[pa.Table, list[Problem]]:
    """Every contract column of ``kind`` typed, and the values that could not be; refuses the
    file when a whole column cannot be read (dates that could be day-first or month-first)."""
    file, count = table.file_name, table.rows.num_rows

    def parsed_column(spec: contract.Field) -> parse.Parsed:
        column = mapping.get(spec.name)
        if column is None:
            return parse.Parsed(pa.nulls(count, ARROW_TYPE_BY_TYPE[spec.type]), [])
        raw = table.rows.column(column).combine_chunks()
        if spec.name in list_fields:
            raw = _first_of_list(raw)
        if spec.type == "timestamp":
            return parse.parse_dates(raw, lines, file, column, date_format)
        if spec.type == "decimal":
            return parse.parse_numbers(raw, lines, file, column)
        if spec.type == "boolean":
            return parse.parse_booleans(raw, lines, file, column)
        return parse.Parsed(stripped(raw), [])

    # Columns parse independently, and Arrow's, numpy's and DuckDB's kernels release the GIL:
    # one thread per core parses them side by side. Results are taken in the contract's order.
    fields = contract.FIELDS_BY_KIND[kind]
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        parsed_columns = list(pool.map(parsed_column, fields))
    problems = [p for parsed in parsed_columns for p in parsed.problems]
    whole_column = [p for p in problems if p.line is None]
    if whole_column:
        raise ImportRefused(whole_column)
    columns = {
        spec.name: parsed.values for spec, parsed in zip(fields, parsed_columns, strict=True)
    }
    return pa.table(columns), problems


def _rule_problems(
    con: duckdb.DuckDBPyConnection,
    kind: str,
    table: ExportTable,
    mapping: dict[str, str],
    rows: pa.Table,
    lines: np.ndarray,
    now: datetime,
) -> list[Problem]:
    """The contract's rules over the parsed rows: required, unique, amounts, links, dates."""
    file, problems = table.file_name, []
    id_field = contract.ID_FIELD_BY_KIND[kind]

    def flagged(field: str, where: np.ndarray, reason: str, code: str, severity=ERROR) -> None:
        values = rows.column(field).filter(pa.array(where)).to_pylist()
        for line, value in zip(lines[where], values, strict=True):
            shown = _shown(value)
            problems.append(
                Problem(file, int(line), mapping[field], shown, reason, severity, code=code)
            )

    for spec in (f for f in contract.FIELDS_BY_KIND[kind] if f.required):
        # Blank in the file's own cell (read made it null): a value there that did not parse
        # has its problem already.
        blank = mask(pc.is_null(table.rows.column(mapping[spec.name])))
        reason = f"{spec.name} is blank; every {kind[:-1]} needs one"
        flagged(spec.name, blank, reason, BLANK_REQUIRED)
    problems += _repeated_ids(rows.column(id_field), lines, file, mapping[id_field], id_field)
    if kind == "deals" and "amount" in mapping:
        negative = mask(pc.less(rows.column("amount"), pa.scalar(0, pa.decimal128(18, 2))))
        reason = "a negative amount; a deal's value cannot be below zero"
        flagged("amount", negative, reason, NEGATIVE_AMOUNT)
    if kind == "deals" and "lead_id" in mapping:
        unknown = _unknown_leads(con, rows.column("lead_id"))
        reason = (
            "no loaded lead has this id; the deal loads and shows under (no lead) until its "
            "lead arrives"
        )
        flagged("lead_id", unknown, reason, UNKNOWN_LEAD, WARNING)
    ahead_of = pa.scalar(now, pa.timestamp("us"))
    for spec in (f for f in contract.FIELDS_BY_KIND[kind] if f.type == "timestamp"):
        if spec.name not in mapping or spec.name == "closed_at":
            continue  # an open deal's close date is its expected date, often ahead
        future = mask(pc.greater(rows.column(spec.name), ahead_of))
        reason = "a date in the future; check the export's date format"
        flagged(spec.name, future, reason, FUTURE_DATE, WARNING)
    return problems


def _shown(value) -> str | None:
    """A parsed value as the contract's text, for a problem's value column."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    return str(value)


def _repeated_ids(ids, lines: np.ndarray, file: str, column: str, id_field: str) -> list[Problem]:
    """Every line whose id another line has too. The lines sharing an id share one reason,
    which counts them and names the first few: listing them all in each would cost n² for an
    id on n lines."""
    counts = pc.value_counts(ids)
    repeated = counts.field("values").filter(pc.greater(counts.field("counts"), 1)).drop_null()
    rows = np.flatnonzero(mask(pc.is_in(ids, value_set=repeated)))
    group = pc.index_in(pc.take(ids, rows), value_set=repeated).to_numpy()
    order = np.argsort(group, kind="stable")  # by id, each id's lines in file order
    starts = np.searchsorted(group[order], np.arange(len(repeated) + 1))
    reasons = [
        f"the same {id_field} is on {_some_lines(lines[rows[order[start:end]]])}; keep one"
        for start, end in zip(starts[:-1].tolist(), starts[1:].tolist(), strict=True)
    ]
    values = repeated.to_pylist()
    return [
        Problem(file, line, column, values[at], reasons[at], code=DUPLICATE_ID)
        for line, at in zip(lines[rows].tolist(), group.tolist(), strict=True)
    ]


SHOWN_LINES = 5


def _some_lines(group: np.ndarray) -> str:
    """'lines 2 and 4', or '60,000 lines: 2, 3, 4, 5, 6 and 59,995 more'."""
    shown = ", ".join(map(str, group[:SHOWN_LINES].tolist()))
    if len(group) > SHOWN_LINES:
        return f"{len(group):,} lines: {shown} and {len(group) - SHOWN_LINES:,} more"
    first, _, last = shown.rpartition(", ")
    return f"lines {first} and {last}"


def _unknown_leads(con: duckdb.DuckDBPyConnection, lead_ids) -> np.ndarray:
    """Which deals name a lead id that no loaded lead has."""
    known = pa.array([], pa.string())
    if has_table(con, RAW_TABLE_BY_KIND["leads"]):
        # On the caller's connection, not a cursor: within a build's transaction, the leads
        # just loaded are visible only there.
        con.register("deal_lead_ids", pa.table({"lead_id": lead_ids}))
        sql = "select distinct lead_id from deal_lead_ids semi join raw_leads using (lead_id)"
        try:
            known = con.sql(sql).to_arrow_table().column("lead_id")
        finally:
            con.unregister("deal_lead_ids")
    return mask(pc.invert(pc.is_in(lead_ids, value_set=known))) & mask(pc.is_valid(lead_ids))
