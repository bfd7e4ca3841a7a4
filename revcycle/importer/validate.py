"""From a file on disk to contract rows and a list of problems, before anything is committed.

The page and the CLI both call ``prepare``: read the file, choose its mapping (preset, saved
mapping or the caller's), parse every column into the contract's text form, check the rules,
and account for every data line: rows in the file = rows to load + rows rejected.
"""

import functools
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from revcycle import contract
from revcycle.build import RAW_TABLE_BY_KIND, _has_table
from revcycle.importer import channels, parse, presets
from revcycle.importer.problems import ERROR, WARNING, ImportRefused, Problem
from revcycle.importer.read import ExportTable, read_export

COMMAND_LINE_MAPPING = "mapping given on the command line"


@dataclass(frozen=True)
class PreparedUpload:
    file_name: str
    file_bytes: bytes
    kind: str
    source: str  # what read the file: a preset's label, a saved mapping's name, or the caller's
    mapping: dict[str, str]  # contract field -> the file's column
    rows: pd.DataFrame  # the rows to load, contract columns as text
    problems: list[Problem]
    count_rows_in_file: int
    unmapped_sources: list[str]  # source values no channel rule covers: they land in (unmapped)
    notes: list[str] = field(default_factory=list)

    @property
    def count_rows_loaded(self) -> int:
        return len(self.rows)

    @property
    def count_rows_rejected(self) -> int:
        return self.count_rows_in_file - self.count_rows_loaded

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


@functools.cache
def _times_of_day() -> pa.Array:
    """ "HH:MM:SS" for every second of a day, indexed by the second."""
    return pa.array(f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}" for s in range(86400))


def _as_text_timestamps(values: pd.Series) -> pd.Series:
    """'YYYY-MM-DD HH:MM:SS' (None when missing), the fraction of a second cut off as %S does.

    A column holds few distinct days and at most 86,400 distinct times of day, so each is
    written once and the rows are put together by Arrow: several times faster than
    ``.dt.strftime`` or Arrow's strftime on every value.
    """
    stamps = values.to_numpy(dtype="datetime64[ns]").astype("datetime64[s]")  # floors, as %S
    missing = np.isnat(stamps)
    days = stamps.astype("datetime64[D]")
    seconds = np.where(missing, 0, (stamps - days).astype(np.int64))
    distinct_days, day_index = np.unique(days, return_inverse=True)
    day_text = pa.array(np.datetime_as_string(distinct_days, unit="D")).take(day_index.ravel())
    text = pc.binary_join_element_wise(day_text, _times_of_day().take(seconds), " ")
    result = text.to_numpy(zero_copy_only=False)
    result[missing] = None
    return pd.Series(result, index=values.index, dtype=object)


# Values that start and end with a visible ASCII character have nothing to strip. Only the
# others (a few, in a real export) go through Python's str.strip, so what counts as
# whitespace stays exactly Python's (Arrow's trim functions disagree on a few characters).
_NOTHING_TO_STRIP = r"(?s)^[\x21-\x7e](?:.*[\x21-\x7e])?$"


def _stripped_text(raw: pd.Series) -> pd.Series:
    """The values without surrounding whitespace; blank (None, empty or spaces) as None."""
    values = raw.to_numpy(dtype=object, copy=True)
    try:
        text = pa.array(values, type=pa.string(), from_pandas=True)
    except (pa.ArrowTypeError, pa.ArrowInvalid):  # not all str: the plain way
        text = raw.str.strip()
        return text.where(text.notna() & (text != ""), None)
    values[text.is_null().to_numpy(zero_copy_only=False)] = None  # NaN from a split, too
    clean = pc.fill_null(pc.match_substring_regex(text, _NOTHING_TO_STRIP), True)
    for i in np.flatnonzero(~clean.to_numpy(zero_copy_only=False)):
        values[i] = values[i].strip() or None
    return pd.Series(values, index=raw.index, name=raw.name, dtype=object)


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
    table = read_export(path, **({"max_bytes": max_bytes} if max_bytes else {}))
    kind, source, mapping, list_fields = _resolve_mapping(
        con, table, kind, preset_name, overrides or {}
    )
    file, lines = table.file_name, np.asarray(table.lines)
    count = len(table.rows)
    problems: list[Problem] = []
    rows = pd.DataFrame(index=table.rows.index)
    for spec in contract.FIELDS_BY_KIND[kind]:
        column = mapping.get(spec.name)
        if column is None:
            rows[spec.name] = None
            continue
        raw = table.rows[column]
        if spec.name in list_fields:
            raw = raw.str.split(r"\s*[;,]\s*", regex=True).str[0]
        if spec.type == "timestamp":
            parsed = parse.parse_dates(raw, lines, file, column, date_format)
            rows[spec.name] = _as_text_timestamps(parsed.values)
        elif spec.type == "decimal":
            parsed = parse.parse_numbers(raw, lines, file, column)
            rows[spec.name] = parsed.values
        elif spec.type == "boolean":
            parsed = parse.parse_booleans(raw, lines, file, column)
            rows[spec.name] = parsed.values.map({True: "true", False: "false"}).astype(object)
            rows[spec.name] = rows[spec.name].where(parsed.values.notna(), None)
        else:
            rows[spec.name] = _stripped_text(raw)
            parsed = None
        if parsed is not None:
            whole_column = [p for p in parsed.problems if p.line is None]
            if whole_column:  # e.g. dates that could be day-first or month-first
                raise ImportRefused(whole_column)
            problems += parsed.problems
    # Blanks are None in every column. The text, timestamp and boolean columns above already
    # hold only str and None; scanning their million objects again would cost seconds.
    for name in rows.columns:
        if rows[name].dtype != object:
            rows[name] = rows[name].astype(object).where(rows[name].notna(), None)
    # The reader already turns whitespace-only cells into None. Only required fields are asked.
    raw_blank = {
        spec.name: table.rows[mapping[spec.name]].isna().to_numpy()
        for spec in contract.FIELDS_BY_KIND[kind]
        if spec.required
    }
    problems += _rule_problems(
        con, kind, file, mapping, rows, raw_blank, lines, now or datetime.now()
    )
    rejected_lines = {p.line for p in problems if p.severity == ERROR and p.line is not None}
    keep = ~np.isin(lines, list(rejected_lines)) if count else np.ones(0, dtype=bool)
    accepted = rows[keep].reset_index(drop=True)
    sources = accepted["channel"] if kind == "leads" else pd.Series([], dtype=object)
    return PreparedUpload(
        file_name=file,
        file_bytes=path.read_bytes(),
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
    rows: pd.DataFrame,
    raw_blank: dict[str, np.ndarray],
    lines: np.ndarray,
    now: datetime,
) -> list[Problem]:
    """The contract's rules over the parsed rows: required, unique, amounts, links, dates."""
    problems = []
    id_field = contract.ID_FIELD_BY_KIND[kind]
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
    ids = rows[id_field]
    repeated = ids.notna() & ids.duplicated(keep=False)
    for value, group in pd.Series(lines[repeated.to_numpy()], index=ids[repeated]).groupby(
        level=0, sort=False
    ):
        where = ", ".join(str(line) for line in group)
        for line in group:
            problems.append(
                Problem(
                    file,
                    int(line),
                    mapping[id_field],
                    value,
                    f"the same {id_field} is on lines {where}; keep one",
                )
            )
    if kind == "deals" and "amount" in mapping:
        negative = rows["amount"].fillna("").str.startswith("-").to_numpy()
        for line, value in zip(lines[negative], rows["amount"][negative], strict=True):
            problems.append(
                Problem(
                    file,
                    int(line),
                    mapping["amount"],
                    value,
                    "a negative amount; a deal's value cannot be below zero",
                )
            )
    if kind == "deals" and "lead_id" in mapping:
        known = set()
        if _has_table(con, RAW_TABLE_BY_KIND["leads"]):
            known = {row[0] for row in con.execute("select lead_id from raw_leads").fetchall()}
        unknown = rows["lead_id"].notna() & ~rows["lead_id"].isin(known)
        for line, value in zip(lines[unknown.to_numpy()], rows["lead_id"][unknown], strict=True):
            problems.append(
                Problem(
                    file,
                    int(line),
                    mapping["lead_id"],
                    value,
                    "no loaded lead has this id; the deal loads and shows "
                    "under (no lead) until its lead arrives",
                    WARNING,
                )
            )
    future = now.strftime("%Y-%m-%d %H:%M:%S")
    for spec in (f for f in contract.FIELDS_BY_KIND[kind] if f.type == "timestamp"):
        if spec.name not in mapping or spec.name == "closed_at":
            continue  # an open deal's close date is its expected date, often ahead
        ahead = (rows[spec.name].fillna("") > future).to_numpy()
        for line, value in zip(lines[ahead], rows[spec.name][ahead], strict=True):
            problems.append(
                Problem(
                    file,
                    int(line),
                    mapping[spec.name],
                    value,
                    "a date in the future; check the export's date format",
                    WARNING,
                )
            )
    return problems
