"""From a file on disk to contract rows and a list of problems, before anything is committed.

The page and the CLI both call ``prepare``: read the file, choose its mapping (preset, saved
mapping or the caller's), parse every column into the contract's type, check the rules, and
account for every data line: rows in the file = rows to load + rows rejected.

The rows stay in Arrow from the reader to DuckDB: a column is parsed and checked as a whole by
Arrow's and numpy's kernels, and Python sees only the values that become problems.
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
from revcycle.importer.problems import ERROR, WARNING, ImportRefused, Problem
from revcycle.importer.read import ExportTable, read_export

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
        )

    def accounting(self) -> str:
        return (
            f"{self.count_rows_in_file:,} data lines in {self.file_name} = "
            f"{self.count_rows_loaded:,} rows to load + {self.count_rows_rejected:,} rejected"
        )


def _resolve_mapping(
    con: duckdb.DuckDBPyConnection,
    table: ExportTable,
    kind: str | None,
    preset_name: str | None,
    overrides: dict[str, str],
) -> tuple[str, str, dict[str, str], frozenset[str]]:
    """(kind, source label, mapping, list-valued fields) for this file."""
    header = table.header
    if preset_name:
        if preset_name not in presets.PRESETS_BY_NAME:
            known = ", ".join(presets.PRESETS_BY_NAME)
            raise ImportRefused(
                [
                    Problem(
                        table.file_name,
                        None,
                        None,
                        preset_name,
                        f"there is no preset of that name; known: {known}",
                    )
                ]
            )
        preset = presets.PRESETS_BY_NAME[preset_name]
    else:
        preset = presets.detect(header)
    saved = presets.saved_mapping(con, header) if preset is None else None
    if preset is None and saved is None:
        preset = presets.generic_by_id_column(header)
    if preset is not None:
        kind = kind or preset.kind
        mapping = presets.mapping_for(preset, header)
        source, list_fields = preset.label, preset.first_of_list
    elif saved is not None:
        source, saved_kind, mapping = saved
        kind, list_fields = kind or saved_kind, frozenset()
    else:
        source, mapping, list_fields = COMMAND_LINE_MAPPING, {}, frozenset()
    if kind not in contract.FIELDS_BY_KIND:
        raise ImportRefused(
            [
                Problem(
                    table.file_name,
                    None,
                    None,
                    None,
                    "no preset or saved mapping recognises these columns, so say what the file "
                    "holds (--kind leads or --kind deals) and map its columns "
                    "(--map lead_id=<column>)",
                )
            ]
        )
    mapping = {**mapping, **overrides}
    if overrides and source != COMMAND_LINE_MAPPING:
        source = f"{source}, with columns mapped on the command line"
    missing_columns = [c for c in mapping.values() if c not in header]
    if missing_columns:
        raise ImportRefused(
            [
                Problem(table.file_name, 1, c, None, "the file has no such column")
                for c in missing_columns
            ]
        )
    unknown_fields = [f for f in mapping if f not in contract.column_names(kind)]
    if unknown_fields:
        raise ImportRefused(
            [
                Problem(
                    table.file_name,
                    None,
                    None,
                    f,
                    f"not a {kind} field; see the README's data dictionary",
                )
                for f in unknown_fields
            ]
        )
    required = [f.name for f in contract.FIELDS_BY_KIND[kind] if f.required]
    unmapped = [name for name in required if name not in mapping]
    if unmapped:
        raise ImportRefused(
            [
                Problem(
                    table.file_name,
                    1,
                    None,
                    None,
                    f"no column for the required field {name}"
                    + (
                        f" (perhaps {', '.join(hints)}?)"
                        if (hints := presets.suggestions(name, header))
                        else ""
                    )
                    + f"; map it with --map {name}=<column>",
                )
                for name in unmapped
            ]
        )
    return kind, source, mapping, list_fields


# Bytes that need no stripping at either end of a value: visible ASCII, "!" to "~".
_VISIBLE = np.zeros(256, dtype=bool)
_VISIBLE[0x21:0x7F] = True


def _strip_candidates(text: pa.Array) -> np.ndarray:
    """Which values might have something to strip: empty, or not starting and ending with
    visible ASCII. Read straight from Arrow's buffers, so a million values cost milliseconds."""
    _, offsets, data = text.buffers()
    bounds = np.frombuffer(offsets, dtype=np.int32)[text.offset : text.offset + len(text) + 1]
    starts, ends = bounds[:-1], bounds[1:]
    present = ~pc.is_null(text).to_numpy(zero_copy_only=False)
    candidates = present & (ends <= starts)
    filled = np.flatnonzero(present & (ends > starts))
    if len(filled):
        raw = np.frombuffer(data, dtype=np.uint8)
        visible = _VISIBLE[raw[starts[filled]]] & _VISIBLE[raw[ends[filled] - 1]]
        candidates[filled[~visible]] = True
    return candidates


def _stripped_text(raw: pa.Array) -> pa.Array:
    """The values without surrounding whitespace; blank (null, empty or spaces) as null.

    Only the few values that might need it go through Python's str.strip, so what counts as
    whitespace stays exactly Python's (Arrow's trim functions disagree on a few characters).
    """
    candidates = _strip_candidates(raw)
    if not candidates.any():
        return raw
    stripped = [value.strip() or None for value in raw.filter(candidates).to_pylist()]
    return pc.replace_with_mask(raw, pa.array(candidates), pa.array(stripped, pa.string()))


def _first_of_list(raw: pa.Array) -> pa.Array:
    """The first item of a list written into one cell ("Paid Search; Email")."""
    return pc.list_element(pc.split_pattern_regex(raw, r"\s*[;,]\s*", max_splits=1), 0)


def _text_column(table: ExportTable, column: str) -> pa.Array:
    values = table.rows.column(column)
    return values.combine_chunks() if isinstance(values, pa.ChunkedArray) else values


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
    path = Path(path)
    table = read_export(path, max_bytes)
    kind, source, mapping, list_fields = _resolve_mapping(
        con, table, kind, preset_name, overrides or {}
    )
    file, lines = table.file_name, np.asarray(table.lines, dtype=np.int64)
    count = table.rows.num_rows

    def parsed_column(spec: contract.Field) -> parse.Parsed:
        column = mapping.get(spec.name)
        if column is None:
            return parse.Parsed(pa.nulls(count, ARROW_TYPE_BY_TYPE[spec.type]), [])
        raw = _text_column(table, column)
        if spec.name in list_fields:
            raw = _first_of_list(raw)
        if spec.type == "timestamp":
            return parse.parse_dates(raw, lines, file, column, date_format)
        if spec.type == "decimal":
            return parse.parse_numbers(raw, lines, file, column)
        if spec.type == "boolean":
            return parse.parse_booleans(raw, lines, file, column)
        return parse.Parsed(_stripped_text(raw), [])

    # Columns parse independently, and Arrow's and numpy's kernels release the GIL: one thread
    # per core parses them side by side. Results are taken in the contract's order.
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        fields = contract.FIELDS_BY_KIND[kind]
        parsed_columns = dict(zip(fields, pool.map(parsed_column, fields), strict=True))
    problems: list[Problem] = []
    columns: dict[str, pa.Array] = {}
    for spec, parsed in parsed_columns.items():
        whole_column = [p for p in parsed.problems if p.line is None]
        if whole_column:  # e.g. dates that could be day-first or month-first
            raise ImportRefused(whole_column)
        columns[spec.name] = parsed.values
        problems += parsed.problems
    rows = pa.table(columns)
    # The reader already turns whitespace-only cells into null. Only required fields are asked.
    raw_blank = {
        spec.name: pc.is_null(_text_column(table, mapping[spec.name])).to_numpy(
            zero_copy_only=False
        )
        for spec in contract.FIELDS_BY_KIND[kind]
        if spec.required
    }
    problems += _rule_problems(
        con, kind, file, mapping, rows, raw_blank, lines, now or datetime.now()
    )
    rejected_lines = [p.line for p in problems if p.severity == ERROR and p.line is not None]
    accepted = rows
    if rejected_lines:
        accepted = rows.filter(pa.array(~np.isin(lines, rejected_lines)))
    sources = pc.unique(accepted.column("channel")).to_pylist() if kind == "leads" else []
    return PreparedUpload(
        file_name=file,
        file_bytes=table.file_bytes,
        kind=kind,
        source=source,
        mapping=mapping,
        rows=accepted,
        problems=problems,
        count_rows_in_file=count,
        unmapped_sources=channels.unmapped_sources(con, sources),
        notes=list(table.notes),
    )


def _rule_problems(
    con: duckdb.DuckDBPyConnection,
    kind: str,
    file: str,
    mapping: dict[str, str],
    rows: pa.Table,
    raw_blank: dict[str, np.ndarray],
    lines: np.ndarray,
    now: datetime,
) -> list[Problem]:
    """The contract's rules over the parsed rows: required, unique, amounts, links, dates."""
    problems = []
    id_field = contract.ID_FIELD_BY_KIND[kind]

    def flagged(field: str, mask: np.ndarray, reason: str, severity: str = ERROR) -> None:
        values = rows.column(field).filter(pa.array(mask)).to_pylist()
        for line, value in zip(lines[mask], values, strict=True):
            problems.append(
                Problem(file, int(line), mapping[field], _shown(value), reason, severity)
            )

    for spec in (f for f in contract.FIELDS_BY_KIND[kind] if f.required):
        # Only truly blank cells: a value that did not parse already has its problem.
        for line in lines[raw_blank[spec.name]]:
            problems.append(
                Problem(
                    file,
                    int(line),
                    mapping[spec.name],
                    None,
                    f"{spec.name} is blank; every {kind[:-1]} needs one",
                )
            )
    problems += _repeated_ids(rows.column(id_field), lines, file, mapping[id_field], id_field)
    if kind == "deals" and "amount" in mapping:
        negative = _mask(pc.less(rows.column("amount"), pa.scalar(0, pa.decimal128(18, 2))))
        flagged("amount", negative, "a negative amount; a deal's value cannot be below zero")
    if kind == "deals" and "lead_id" in mapping:
        flagged(
            "lead_id",
            _unknown_leads(con, rows.column("lead_id")),
            "no loaded lead has this id; the deal loads and shows under (no lead) until its "
            "lead arrives",
            WARNING,
        )
    ahead_of = pa.scalar(now, pa.timestamp("us"))
    for spec in (f for f in contract.FIELDS_BY_KIND[kind] if f.type == "timestamp"):
        if spec.name not in mapping or spec.name == "closed_at":
            continue  # an open deal's close date is its expected date, often ahead
        future = _mask(pc.greater(rows.column(spec.name), ahead_of))
        flagged(spec.name, future, "a date in the future; check the export's date format", WARNING)
    return problems


def _mask(array) -> np.ndarray:
    """A boolean Arrow array as numpy, null counted as False."""
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    return pc.fill_null(array, False).to_numpy(zero_copy_only=False)


def _shown(value) -> str | None:
    """A parsed value as the contract's text, for a problem's value column."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    return str(value)


def _repeated_ids(ids, lines: np.ndarray, file: str, column: str, id_field: str) -> list[Problem]:
    """Every line whose id another line has too, each naming all the lines with that id."""
    if isinstance(ids, pa.ChunkedArray):
        ids = ids.combine_chunks()
    encoded = pc.dictionary_encode(ids)
    if len(encoded.dictionary) == 0:  # every id is blank: those rows are rejected already
        return []
    codes = pc.fill_null(encoded.indices, -1).to_numpy(zero_copy_only=False)
    present = codes >= 0
    counts = np.bincount(codes[present], minlength=len(encoded.dictionary))
    repeated = np.flatnonzero(present & (counts[np.where(present, codes, 0)] > 1))
    lines_by_code: dict[int, list[int]] = {}
    for position in repeated:
        lines_by_code.setdefault(int(codes[position]), []).append(int(lines[position]))
    problems = []
    for code, group in lines_by_code.items():
        value = encoded.dictionary[code].as_py()
        where = ", ".join(str(line) for line in group)
        for line in group:
            reason = f"the same {id_field} is on lines {where}; keep one"
            problems.append(Problem(file, line, column, value, reason))
    return problems


def _unknown_leads(con: duckdb.DuckDBPyConnection, lead_ids) -> np.ndarray:
    """Which deals name a lead id that no loaded lead has."""
    known = pa.array([], pa.string())
    if has_table(con, RAW_TABLE_BY_KIND["leads"]):
        # On the caller's connection, not a cursor: within a build's transaction, the leads
        # just loaded are visible only there.
        con.register("deal_lead_ids", pa.table({"lead_id": lead_ids}))
        try:
            known = (
                con.sql(
                    "select distinct lead_id from deal_lead_ids semi join raw_leads using (lead_id)"
                )
                .to_arrow_table()
                .column("lead_id")
            )
        finally:
            con.unregister("deal_lead_ids")
    return _mask(pc.invert(pc.is_in(lead_ids, value_set=known))) & _mask(pc.is_valid(lead_ids))
