"""From a file on disk to contract rows and a list of problems, before anything is committed:
read, map (preset, saved mapping or the caller's), parse, check the rules, and account for every
data line (in the file = to load + rejected). Columns stay in Arrow; Python sees only problems.
"""

import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path
from typing import NamedTuple

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from revcycle import audit, contract, settings
from revcycle.db import has_table, scratch
from revcycle.importer import (
    channels,
    currencies,
    derive,
    parse,
    presets,
    spend,
    stages,
    touches,
)
from revcycle.importer import problems as codes
from revcycle.importer.load import (
    RAW_TABLE_BY_KIND,
    DateOrderRead,
    UploadMeta,
    holds_sample,
    last_date_order,
)
from revcycle.importer.original import Original
from revcycle.importer.parse import mask
from revcycle.importer.problems import (
    ERROR,
    WARNING,
    ImportRefused,
    Problem,
    lines_named,
    per_line,
)
from revcycle.importer.read import read_export
from revcycle.importer.table import ExportTable
from revcycle.importer.text import one_array, stripped
from revcycle.importer.touches import Arriving

COMMAND_LINE_MAPPING = "mapping given on the command line"
# A recognised file with columns added to its mapping (load --map, the upload page's Also map).
MAPPED_BY_HAND = ", with columns mapped by hand"
ARROW_TYPE_BY_TYPE = {
    "text": pa.string(),
    "timestamp": parse.TIMESTAMP,
    "date": parse.DAY,
    "decimal": parse.AMOUNT,
    "boolean": parse.BOOLEAN,
}
# The reader of each contract type but text: (values, lines, file, column) -> Parsed.
READER_BY_TYPE = {
    "timestamp": parse.parse_dates,
    "date": parse.parse_days,
    "decimal": parse.parse_numbers,
    "boolean": parse.parse_booleans,
}
# What a typed field's value is, for a placeholder's warning: "'N/A' is a placeholder, not …".
NOUN = {"timestamp": "a date", "date": "a date", "decimal": "a number", "boolean": "a yes/no value"}
NEGATIVE_AMOUNT_REASON = {
    "deals": "a negative amount; a deal's value cannot be below zero",
    "spend": "a negative amount; spend cannot be below zero (a refund is not spend)",
}


SHOWN_IGNORED_COLUMNS = 12  # ignored columns named; the page lists the rest on request


class DatesRead(NamedTuple):
    """How a file's date columns were read: day-first or month-first (None when no column's
    values show either, or columns disagree); the columns whose values left it open; and the
    order a loaded upload was read in, when it settled them (no answer was given)."""

    order: str | None = None
    asked: tuple[str, ...] = ()
    remembered: DateOrderRead | None = None

    def notes(self) -> list[str]:
        """The note on dates read in the order a loaded upload's were."""
        if self.remembered is None:
            return []
        order, upload_id, file_name = self.remembered
        return [
            f"{', '.join(self.asked)}: each date reads both day-first and month-first (no day "
            f"above 12); read {order}, as upload {upload_id} ({file_name}) was. If that is "
            "wrong, choose the other order (--date-format on the command line)"
        ]


@dataclass(frozen=True)
class PreparedUpload:
    file_name: str
    original: Original  # the file as uploaded, for the archive
    kind: str
    source: str  # what read the file: a preset's label, a saved mapping's name, or the caller's
    mapping: dict[str, str]  # contract field -> the file's column
    rows: pa.Table  # the rows to load: the contract's columns, typed (ARROW_TYPE_BY_TYPE)
    problems: list[Problem]
    count_rows_in_file: int
    unmapped_sources: list[str]  # source values no channel rule covers: they land in (unmapped)
    notes: list[str] = field(default_factory=list)
    totals_lines: tuple[int, ...] = ()  # the totals rows' lines: lines of the file, but no data
    ignored_columns: list[str] = field(default_factory=list)  # the file's columns nothing reads
    count_data_lines: int | None = None  # when a line gives several rows (HubSpot's touches)
    dates: DatesRead = field(default_factory=DatesRead)  # how its dates were read

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
            self.original,
            label or self.source,
            self.count_rows_in_file,
            self.count_rows_rejected,
            tuple(self.mapping),  # the fields the file has a column for
            self.dates.order,
        )

    def mapping_lines(self) -> list[str]:
        """The whole mapping, "field ← column", in the contract's order."""
        return [
            f"{spec.name} ← {self.mapping[spec.name]}"
            for spec in contract.FIELDS_BY_KIND[self.kind]
            if spec.name in self.mapping
        ]

    def ignored_summary(self, shown: int = SHOWN_IGNORED_COLUMNS) -> str:
        """The columns nothing reads, in the file's order: the first ``shown`` by name, then
        how many more (a HubSpot contacts export ignores about 290)."""
        ignored = self.ignored_columns
        names = ", ".join(ignored[:shown]) or "none"
        more = f" and {len(ignored) - shown:,} more" if len(ignored) > shown else ""
        return f"ignored columns ({len(ignored):,}): {names}{more}"

    def accounting(self) -> str:
        count_totals = len(self.totals_lines)
        totals = ""
        if count_totals:
            rows = (
                "1 totals row (line" if count_totals == 1 else f"{count_totals} totals rows (lines"
            )
            totals = f" + {rows} {lines_named(self.totals_lines)})"
        rows, loaded = self.count_rows_in_file, self.count_rows_loaded
        lines = (self.count_data_lines or rows) + count_totals
        given = f" give {rows:,} row{'s' * (rows != 1)}" if self.count_data_lines else ""
        return (
            f"{lines:,} data line{'s' * (lines != 1)} in {self.file_name}{given} = {loaded:,} "
            f"row{'s' * (loaded != 1)} to load + {self.count_rows_rejected:,} rejected{totals}"
        )


def _refuse(file: str, line: int | None, code: str, problems: list[tuple]) -> None:
    """Refuse the file if there are problems: one per (column, value, reason)."""
    if problems:
        raise ImportRefused([Problem(file, line, *problem, code=code) for problem in problems])


def _source(
    con: duckdb.DuckDBPyConnection, table: ExportTable, kind: str | None, preset_name: str | None
) -> tuple[str | None, str, dict[str, str], presets.Preset | None]:
    """(kind, source label, mapping, the preset if one reads the file) from a preset or a
    saved mapping."""
    header = table.header
    if preset_name and preset_name not in presets.PRESETS_BY_NAME:
        known = ", ".join(presets.PRESETS_BY_NAME)
        reason = f"there is no preset of that name; known: {known}"
        _refuse(table.where, None, codes.UNKNOWN_PRESET, [(None, preset_name, reason)])
    # A file said to hold a kind is read by a preset of that kind (a HubSpot contacts export
    # is leads, or with --kind touches its source history).
    preset = presets.PRESETS_BY_NAME[preset_name] if preset_name else presets.detect(header, kind)
    saved = presets.saved_mapping(con, header) if preset is None else None
    if preset is None and saved is None:
        preset = presets.generic_by_id_column(header)
    if preset is not None:
        kind = kind or preset.kind
        # The preset's columns first; a field it has none for still maps by its own name.
        mapping = presets.automatic_mapping(kind, header) | presets.mapping_for(preset, header)
        return kind, preset.label, mapping, preset
    if saved is not None:
        source, saved_kind, mapping = saved  # as a person chose it: nothing added
        return kind or saved_kind, source, mapping, None
    mapping = presets.automatic_mapping(kind, header) if kind in contract.FIELDS_BY_KIND else {}
    return kind, COMMAND_LINE_MAPPING, mapping, None


# The command line's way to choose a sheet; the upload page strips it and offers its own choice.
SHEET_HINT = " with --sheet"


def _unrecognised(table: ExportTable) -> str:
    """Why the file needs a kind and a mapping, naming the header as read (its first few
    names) and, in a workbook of several sheets, the sheet read: what a person checks when no
    preset knows the file (a title line taken for the header, a summary sheet read)."""
    names = audit.named([f"'{name}'" for name in table.header])
    sheet = next((note for note in table.notes if note.startswith("read the sheet")), None)
    reason = (
        f"no preset or saved mapping recognises its columns ({names}"
        + (f"; {sheet}" if sheet else "")
        + "), so say what the file holds (--kind leads, deals, touches or spend) and map its "
        "columns (--map lead_id=<column>)"
    )
    if sheet:
        reason += f"; or, if the export is on another sheet, name it{SHEET_HINT}"
    return reason


def _resolve_mapping(
    con: duckdb.DuckDBPyConnection,
    table: ExportTable,
    kind: str | None,
    preset_name: str | None,
    overrides: dict[str, str],
    complete: bool = False,
) -> tuple[str, str, dict[str, str], presets.Preset | None]:
    """(kind, source label, mapping, the preset if one reads the file) for this file.
    ``overrides`` add to the automatic mapping (a column they name feeds no other field), or
    with ``complete`` are the whole mapping (the upload page's mapping screen, which starts
    from suggestions)."""
    file, header = table.file_name, table.header  # the header's: _unrecognised names the sheet
    kind, source, mapping, preset = _source(con, table, kind, preset_name)
    if kind not in contract.FIELDS_BY_KIND:
        reason = _unrecognised(table)
        _refuse(file, None, codes.NEEDS_MAPPING, [(None, None, reason)])
    claimed = set(overrides.values())
    mapping = {} if complete else {f: c for f, c in mapping.items() if c not in claimed}
    mapping = {**mapping, **overrides}
    if overrides and source != COMMAND_LINE_MAPPING:
        source = f"{source}{MAPPED_BY_HAND}"
    absent = [column for column in mapping.values() if column not in header]
    _refuse(
        file, 1, codes.NO_SUCH_COLUMN, [(c, None, "the file has no such column") for c in absent]
    )
    fields = ", ".join(contract.column_names(kind))
    reason = f"not a {kind} field; the {kind} fields are {fields} (the README's data dictionary)"
    unknown = [(None, f, reason) for f in mapping if f not in contract.column_names(kind)]
    _refuse(file, None, codes.UNKNOWN_FIELD, unknown)
    required = [f for f in contract.FIELDS_BY_KIND[kind] if f.required]
    unmapped = [(None, None, _unmapped(f, table)) for f in required if f.name not in mapping]
    _refuse(file, 1, codes.NEEDS_MAPPING, unmapped)
    return kind, source, mapping, preset


def _unmapped(spec: contract.Field, table: ExportTable) -> str:
    hints = typed_suggestions(spec, table)
    perhaps = f" (perhaps {', '.join(hints)}?)" if hints else ""
    return (
        f"no column for the required field {spec.name}{perhaps}; map it with "
        f"--map {spec.name}=<column>"
    )


SUGGESTION_SAMPLE_ROWS = 1_000  # enough rows to tell a column of dates from one of words
# Reading a column as a type takes a few milliseconds: a file of 100,000 columns took over 15
# minutes to be told its required field was missing. Only columns with a digit in their first
# rows can hold dates or amounts, and the first this many of them are read.
MAX_TYPED_COLUMNS = 200


def typed_suggestions(spec: contract.Field, table: ExportTable, limit: int = 3) -> list[str]:
    """The file's columns to suggest for ``spec``: only those whose values read as its type
    (most of its first rows), the names most like the field first."""
    if spec.type == "text":
        return presets.suggestions(spec.name, table.header, limit)
    rows = table.rows.slice(0, SUGGESTION_SAMPLE_ROWS)
    candidates = table.header
    if spec.type in ("timestamp", "date", "decimal"):
        candidates = [column for column in candidates if _has_digit(rows.column(column))]
    typed = [
        column
        for column in candidates[:MAX_TYPED_COLUMNS]
        if _reads_as(spec.type, rows.column(column))
    ]
    named = presets.suggestions(spec.name, typed, limit)
    return (named + [column for column in typed if column not in named])[:limit]


def _has_digit(values: pa.ChunkedArray) -> bool:
    return bool(pc.any(pc.match_substring_regex(values, "[0-9]")).as_py())


def _reads_as(type_name: str, values: pa.ChunkedArray) -> bool:
    """Whether nine in ten of a column's non-blank values read as ``type_name``."""
    count_present = len(values) - values.null_count
    if count_present == 0:
        return False
    lines = np.arange(len(values), dtype=np.int64)
    parsed = READER_BY_TYPE[type_name](one_array(values), lines, "", "")
    # An undecided date order is one whole-column problem: still dates.
    unread = sum(problem.line is not None for problem in parsed.problems)
    return unread <= count_present // 10


def prepare(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    kind: str | None = None,
    preset_name: str | None = None,
    overrides: dict[str, str] | None = None,
    date_format: str | None = None,
    now: datetime | None = None,
    max_bytes: int | None = None,
    constants: dict[str, str] | None = None,
    complete_mapping: bool = False,
    decimal_mark: str | None = None,
    arriving: Arriving | None = None,
    sheet: str | None = None,
) -> PreparedUpload:
    """Read and check an export; raises ImportRefused when the file cannot load at all.
    ``overrides`` (field -> column) add to the automatic mapping, or with ``complete_mapping``
    are all of it; ``constants`` (field -> value) give a field one value on every row;
    ``date_format`` and ``decimal_mark`` answer what the file's dates and amounts leave open;
    ``arriving``: what loads before this file in the same batch (its leads, the currencies of
    its deals and spend), known as loaded;
    ``sheet``: a workbook's sheet to read (read_export)."""
    table = read_export(Path(path), max_bytes, sheet)
    header = table.header
    how_to_map = (kind, preset_name, overrides, constants, complete_mapping)
    table, kind, source, mapping, preset, read_columns = _mapped(con, table, *how_to_map)
    lines = np.asarray(table.lines, dtype=np.int64)
    # What the values leave open, answered; unanswered, the dates' order of the latest loaded
    # upload of the same preset or saved mapping (columns mapped by hand could be any tool's).
    mapped_by_hand = overrides or complete_mapping
    remembered = None if date_format or mapped_by_hand else last_date_order(con, source)
    answers = (date_format, decimal_mark, remembered)
    rows, problems, dates = _parse_columns(table, kind, mapping, preset, lines, answers)
    read_columns |= set(mapping.values())
    rows, mapping, derived, read_derived = _with_derived(kind, table, mapping, preset, rows, lines)
    read_columns |= read_derived
    checked = (mapping, rows, lines, now or settings.wall_clock_now(), arriving)
    problems += derived + _rule_problems(con, kind, table, checked)
    problems += currencies.unstated(con, kind, table.where, rows, arriving)
    rows, repeats, notes = _completed(kind, table, preset, rows, problems, lines)
    problems += repeats
    rows = _without_rejected(rows, lines, problems)
    return PreparedUpload(
        file_name=table.file_name,
        original=table.original,
        kind=kind,
        source=source,
        mapping=mapping,
        rows=rows,
        problems=problems,
        count_rows_in_file=table.rows.num_rows,
        unmapped_sources=_unmapped_sources(con, kind, rows),
        notes=[*table.notes, *notes, *_decided(con, kind, table, preset, mapping, rows)]
        + dates.notes(),
        totals_lines=table.totals_lines,
        ignored_columns=[column for column in header if column not in read_columns],
        count_data_lines=table.count_data_lines,
        dates=dates,
    )


def _mapped(con, table: ExportTable, kind, preset_name, overrides, constants, complete_mapping):
    """The table with the columns the mapping adds (``constants``, a preset's values and
    fallbacks, touches one per row), its kind, what read it, the mapping, the preset, and the
    file's columns read."""
    # A column per constant, named as --set gives it: its value parses as any other.
    given = {f"--set {name}={value}": (name, value) for name, value in (constants or {}).items()}
    table, set_columns = _with_columns(table, given)
    kind, source, mapping, preset = _resolve_mapping(
        con, table, kind, preset_name, (overrides or {}) | set_columns, complete_mapping
    )
    read_columns = set(mapping.values())
    table, mapping = _with_preset_values(table, preset, mapping)
    table, mapping, read_fallbacks = _with_fallbacks(table, preset, mapping)
    read_columns |= read_fallbacks
    if kind == "touches":  # one row per touch, a lead's link columns checked
        table, mapping, read_touches = touches.reshaped(table, preset, mapping)
        read_columns |= read_touches
    return table, kind, source, mapping, preset, read_columns


def _dates_read(columns: dict[str, parse.Parsed], remembered: DateOrderRead | None) -> DatesRead:
    orders = {parsed.date_order for parsed in columns.values()} - {None}
    asked = tuple(column for column, parsed in columns.items() if parsed.asked)
    order = orders.pop() if len(orders) == 1 else None
    return DatesRead(order, asked, remembered if asked else None)


# A list field's rows (one, several), what they list, and what is read of it: a HubSpot deal's
# contacts.
_LISTED = {"lead_id": (("deal names", "deals name"), "several contacts", "linked to the first")}
_LIST_SEPARATOR = r"\s*[;,]\s*"  # as _parse_columns splits such a cell
_SEVERAL = r"[^;,\s]\s*[;,]\s*[^;,\s]"  # a value on each side: "12;" lists one


def _decided(con, kind: str, table: ExportTable, preset, mapping: dict, rows) -> list[str]:
    """Notes on what reading decided that the file itself does not say: a list's first value
    taken, stages read as open pipeline."""
    lines = np.asarray(table.lines, dtype=np.int64)
    return _lists_read_as_first(table, preset, mapping, lines) + _stages_read_as_open(
        con, kind, mapping, rows
    )


def _lists_read_as_first(table: ExportTable, preset, mapping: dict, lines) -> list[str]:
    """A note for each list field (a cell listing several values, of which the first is read)
    whose column has such cells: how many, and the first line, never left unsaid."""
    notes = []
    for name in sorted(preset.first_of_list if preset else ()):
        if (column := mapping.get(name)) is None:
            continue
        listed = mask(pc.match_substring_regex(table.rows.column(column), _SEVERAL))
        if not listed.any():
            continue
        default = (("row lists", "rows list"), f"several {name} values", "read as the first")
        (one, many), what, read = _LISTED.get(name, default)
        count, line = int(listed.sum()), int(lines[np.flatnonzero(listed)[0]])
        notes.append(
            f"{count:,} {one if count == 1 else many} {what} in {column} (the first on line "
            f"{line}): each is {read} listed"
        )
    return notes


def _unmapped_sources(con: duckdb.DuckDBPyConnection, kind: str, rows: pa.Table) -> list[str]:
    """The rows' source values no channel rule covers: they land in (unmapped)."""
    source_field = contract.SOURCE_FIELD_BY_KIND.get(kind)
    sources = pc.unique(rows.column(source_field)).to_pylist() if source_field else []
    return channels.unmapped_sources(con, sources)


def columns_feeding_two_fields(mapping: dict[str, str]) -> list[str]:
    """A sentence for each column the mapping reads for more than one field, which is nearly
    always a slip of the mouse (``Create Date`` as both created_at and closed_at)."""
    fields_by_column: dict[str, list[str]] = {}
    for field_name, column in mapping.items():
        fields_by_column.setdefault(column, []).append(field_name)
    return [
        f"The column {column} feeds {' and '.join(fields)}: check that one column is meant "
        "for all of them."
        for column, fields in fields_by_column.items()
        if len(fields) > 1
    ]


def _without_rejected(rows: pa.Table, lines: np.ndarray, problems: list[Problem]) -> pa.Table:
    """The rows no error rejects, the last step before they leave for the commit: Arrow's
    pool first gives back what the checks freed, which it would otherwise keep for reuse."""
    pa.default_memory_pool().release_unused()
    rejected = [p.line for p in problems if p.severity == ERROR and p.line is not None]
    if not rejected:
        return rows  # a text field keeps the export's own column (see read._fetch): no copy
    return rows.filter(pa.array(~np.isin(lines, rejected)))


def _with_derived(kind: str, table: ExportTable, mapping, preset, rows: pa.Table, lines):
    """(rows, mapping, problems, columns read): what the export says without a column for
    it: HubSpot's first contact from a response time, and the currency an amount writes."""
    problems, read = [], set()
    if kind == "leads":
        rows, mapping, derived = derive.first_contact(table, mapping, rows, lines)
        read = {presets.RESPONSE_TIME} if derived is not None else set()
        problems += (derived or []) + derive.missing_columns(table.where, preset, mapping, rows)
        problems += derive.first_contact_unknown(table, preset, mapping)
    if kind == "deals":
        problems += _without_outcome_columns(table.where, mapping)
    rows = currencies.signs_as_codes(rows)  # deals and spend
    if "amount" in mapping:  # deals and spend
        rows, written = _currencies_written_in_amounts(table, mapping, rows, lines)
        problems += written
    return rows, mapping, problems, read


# Currencies written with a "$": an amount's dollar sign agrees with any of them.
DOLLAR_CURRENCIES = pa.array(["USD", "CAD", "AUD", "NZD", "SGD", "HKD", "MXN"])


def _currencies_written_in_amounts(table: ExportTable, mapping, rows: pa.Table, lines):
    """(rows, problems): a blank currency takes the one the row's amount writes itself ("£12",
    "USD 1,200"; never from a "$" alone, which many currencies use), and an amount whose
    currency contradicts the row's (its column's, else the REVCYCLE_CURRENCY setting's)
    rejects the row, never loading pounds as euros."""
    amounts = one_array(table.rows.column(mapping["amount"]))
    written = parse.written_currencies(amounts)
    if written.null_count == len(written):
        return rows, []
    stated = one_array(rows.column("currency"))
    definite = pc.and_kleene(pc.is_valid(written), pc.not_equal(written, "$"))
    filled = pc.if_else(pc.and_(pc.is_null(stated), definite), written, stated)
    default = settings.currency()
    effective = pc.utf8_upper(pc.fill_null(filled, default) if default else filled)
    # Null where nothing is written or no currency is known: either way nothing contradicts
    # the amount (is_in alone would call "$" with no currency known a mismatch).
    is_dollar = pc.if_else(
        pc.is_valid(effective),
        pc.is_in(effective, value_set=DOLLAR_CURRENCIES),
        pa.scalar(None, pa.bool_()),
    )
    agrees = pc.if_else(pc.equal(written, "$"), is_dollar, pc.equal(written, effective))
    wrong = mask(pc.invert(agrees))
    reasons = [
        f"the amount is written in {sign}, but the row's currency is {currency}"
        + (f" (the {settings.CURRENCY_VARIABLE} setting)" if blank else "")
        + "; give each row its own currency in a currency column"
        for sign, currency, blank in zip(
            written.filter(wrong).to_pylist(),
            effective.filter(wrong).to_pylist(),
            stated.is_null().filter(wrong).to_pylist(),
            strict=True,
        )
    ]
    values = amounts.filter(wrong).to_pylist()
    problems = per_line(
        table.where, lines[wrong], mapping["amount"], values, reasons, codes.CURRENCY_MISMATCH
    )
    position = rows.schema.get_field_index("currency")
    return rows.set_column(position, "currency", filled), problems


def _completed(kind: str, table: ExportTable, preset, rows: pa.Table, problems, lines):
    """(rows, problems, notes) once the shared checks found ``problems``: touches and spend
    rows given their derived ids (the checks see only the export's own), the repeats found,
    and spend's blank currencies the setting's."""
    file = table.where
    if kind == "touches":
        rows, repeats = touches.identified(rows, problems, lines, file)
        return rows, repeats, []
    if kind == "spend":
        refs = spend.campaign_refs(table, preset)
        rows, repeats = spend.identified(rows, problems, lines, file, refs)
        rows, notes = spend.with_default_currency(rows)
        return rows, repeats, notes
    return rows, [], []


def name_value_pairs(values: list[str], form: str = "NAME=VALUE") -> dict[str, str]:
    """``NAME=VALUE`` texts as a dict, both sides trimmed; ValueError names a malformed one,
    and the ``form`` it should have."""
    pairs = {}
    for value in values:
        left, sep, right = value.partition("=")
        if not sep or not left.strip() or not right.strip():
            raise ValueError(f"{form}, not {value!r}")
        pairs[left.strip()] = right.strip()
    return pairs


def _with_preset_values(table: ExportTable, preset: presets.Preset | None, mapping):
    """(table, mapping) with a column per value the preset gives a field the file has no
    column for (an ad platform's source, the currency in a column's name), named for where
    the value comes from."""
    if preset is None:
        return table, mapping
    values = presets.constant_values(preset, table.header, mapping)
    columns = {
        f"{value} (from {origin})": (name, value) for name, (value, origin) in values.items()
    }
    table, added = _with_columns(table, columns)
    return table, mapping | added


def _with_fallbacks(table: ExportTable, preset: presets.Preset | None, mapping):
    """(table, mapping, the columns read) with a field's blank cells filled from the preset's
    fallback columns (Salesforce's Created Date for members who never responded, Pipedrive's
    Lost time for deals not won): a column of its own, named for what it holds ("Deal - Won
    time, else Deal - Lost time"), so a problem on it names the file's columns. A field mapped
    by hand stays as it is."""
    rows, header, read = table.rows, list(table.header), set()
    for field_name, columns in (preset.fallback if preset else {}).items():
        first = mapping.get(field_name)
        present = [column for column in columns if column in table.header and column != first]
        if first not in preset.columns.get(field_name, ()) or not present:
            continue
        parts = [first, *present]
        name = ", else ".join(parts)
        rows = rows.append_column(name, pc.coalesce(*(rows.column(part) for part in parts)))
        header.append(name)
        read.update(parts)
        mapping = mapping | {field_name: name}
    return replace(table, header=header, rows=rows), mapping, read


def _with_columns(table: ExportTable, columns: dict[str, tuple[str, str]]):
    """The table with the columns (name -> (field, value)) holding their value on every row;
    and field -> column, for the mapping."""
    rows = table.rows
    for column, (_, value) in columns.items():
        rows = rows.append_column(column, pa.repeat(pa.scalar(value, pa.string()), len(rows)))
    widened = replace(table, header=[*table.header, *columns], rows=rows)
    return widened, {name: column for column, (name, _) in columns.items()}


def _parse_columns(
    table: ExportTable,
    kind: str,
    mapping: dict[str, str],
    preset: presets.Preset | None,
    lines: np.ndarray,
    answers: tuple[str | None, str | None, DateOrderRead | None],
) -> tuple[pa.Table, list[Problem], DatesRead]:
    """Every contract column of ``kind`` typed, and the values that could not be; refuses the
    file when a whole column cannot be read (dates that could be day-first or month-first,
    amounts with a decimal point or comma) and ``answers`` (the date format, the decimal mark,
    and the date order a loaded upload was read in: see parse.parse_dates) leave it open."""
    file, count = table.where, table.rows.num_rows
    date_format, decimal_mark, remembered = answers
    remembered_order = remembered.order if remembered else None
    list_fields = preset.first_of_list if preset else frozenset()

    def parsed_column(spec: contract.Field) -> parse.Parsed:
        column = mapping.get(spec.name)
        if column is None:
            return parse.Parsed(pa.nulls(count, ARROW_TYPE_BY_TYPE[spec.type]), [])
        raw = table.rows.column(column)  # text: as read, in the reader's chunks (no copy)
        if spec.name in list_fields:  # the first item of a list in one cell ("Paid Search; Email")
            raw = pc.list_element(pc.split_pattern_regex(raw, _LIST_SEPARATOR, max_splits=1), 0)
        if spec.type == "text":
            return parse.Parsed(stripped(raw), [])
        # A placeholder is no value: blank in a field a row may leave so, else its row's error.
        needed_by = contract.ONE_ROW_BY_KIND[kind] if spec.required else None
        blanked = parse.placeholders_as_blank(raw, lines, file, column, NOUN[spec.type], needed_by)
        raw, said = blanked.values, blanked.problems
        if spec.type == "decimal":
            parsed = parse.parse_numbers(raw, lines, file, column, decimal_mark)
        elif spec.type in ("timestamp", "date"):
            read = READER_BY_TYPE[spec.type]
            epoch = table.excel_epoch
            parsed = read(raw, lines, file, column, date_format, epoch, remembered_order)
        else:
            parsed = READER_BY_TYPE[spec.type](raw, lines, file, column)
        return parsed._replace(problems=said + parsed.problems)

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
    # Parsing a date column holds about twice its text for a while; Arrow's allocator keeps
    # what was freed for reuse, which at 10M rows would still hold a gigabyte in the commit.
    pa.default_memory_pool().release_unused()
    read = zip(fields, parsed_columns, strict=True)
    columns_read = {mapping[spec.name]: one for spec, one in read if spec.name in mapping}
    dates = _dates_read(columns_read, remembered)
    return pa.table(columns), problems, dates


# A deal's close, and a lead's first contact, MQL or SQL date, before the row's creation, as
# staging and the marts read them (queries/macros.sql): a date-only moment on the creation day
# is no fault.
_CLOSES_BEFORE_CREATION_SQL = (
    "select deal_closed_at(moment, created_at) < created_at as backwards from row_dates"
)
_DATED_BEFORE_CREATION_SQL = (
    "select is_dated_before_creation(moment, created_at) as backwards from row_dates"
)
_CONTACTED_BEFORE = (
    "the first contact is before the lead was created; it loads, and its follow-up is not "
    "judged: the Follow-up page counts it apart, as contacted before it was created"
)
_STAGE_BEFORE = (
    "the {stage} date is before the lead was created; it loads, and the {stage} counts on this "
    "date, which may fall in a week or period before the lead's own. Check the date in the CRM"
)

_MOMENT = ["moment", "created_at"]  # the columns of row_dates


def _before_creation(rows: pa.Table, field: str, sql: str) -> np.ndarray:
    """Per row, whether its ``field`` is before its creation, by ``sql`` over the table
    row_dates of both (moment, created_at). On the shared scratch cursor at any size: only it
    holds the macros."""
    with scratch() as cursor:
        cursor.register("row_dates", rows.select([field, "created_at"]).rename_columns(_MOMENT))
        backwards = cursor.sql(sql).to_arrow_table()
    return mask(backwards.column("backwards"))


def _lead_checks(con: duckdb.DuckDBPyConnection, rows: pa.Table, mapping: dict, arriving):
    """(field, rows, reason, code) of the leads that load but need a look: a first contact, an
    MQL or an SQL before the lead was created."""
    if "first_contacted_at" in mapping:
        backwards = _before_creation(rows, "first_contacted_at", _DATED_BEFORE_CREATION_SQL)
        yield "first_contacted_at", backwards, _CONTACTED_BEFORE, codes.CONTACTED_BEFORE_CREATED
    for stage_field, stage in derive.STAGE_NAME_BY_FIELD.items():
        if stage_field in mapping:
            backwards = _before_creation(rows, stage_field, _DATED_BEFORE_CREATION_SQL)
            reason = _STAGE_BEFORE.format(stage=stage)
            yield stage_field, backwards, reason, codes.STAGE_BEFORE_CREATED


_NO_CREATION_TIME = (
    "the creation dates give the day but no time of day, so how fast each lead was first "
    "contacted is judged from its whole day: in time when even the longest it can have waited "
    "is within the agreed time, late when even the shortest is past it, and not judged "
    "otherwise. Export the creation date with its time to measure every lead"
)


_DAY_ALONE_SQL = "select bool_and(is_date_only(created_at)) from creations"


def _without_creation_times(file: str, rows: pa.Table, mapping: dict) -> list[Problem]:
    """One warning for a leads file whose every creation is a midnight (a day alone), as
    stg_lead_uploads.has_creation_time reads it; a file that records no contacts has no
    follow-up to judge."""
    created = rows.column("created_at")
    if "first_contacted_at" not in mapping or pc.count(created).as_py() == 0:
        return []
    with scratch() as cursor:  # the macro stg_lead_uploads reads it with
        cursor.register("creations", rows.select(["created_at"]))
        [(day_alone,)] = cursor.sql(_DAY_ALONE_SQL).fetchall()
    if not day_alone:
        return []
    column = mapping["created_at"]
    return [
        Problem(file, None, column, None, _NO_CREATION_TIME, WARNING, code=codes.NO_CREATION_TIME)
    ]


# What says whether a deal is won, lost or open (stg_deals): with none of them, nothing does.
OUTCOME_FIELDS = ("stage", "is_won", "is_closed")
_NO_OUTCOME = (
    "so it counts as an opportunity, but as none of won, lost or open pipeline, until an "
    "export with its stage is loaded"
)


def _deal_checks(con: duckdb.DuckDBPyConnection, rows: pa.Table, mapping: dict, arriving):
    """(field, rows, reason, code) of the deals that load but need a look: a lead not loaded,
    a close before the creation, no stage, won or closed value in a file that has a column
    for one, a stage that says won or lost but is read as open."""
    if "lead_id" in mapping:
        reason = (
            "no loaded lead has this id; the deal loads and shows under (no lead) until its "
            "lead arrives"
        )
        unknown = _unknown_leads(con, rows.column("lead_id"), arriving)
        yield "lead_id", unknown, reason, codes.UNKNOWN_LEAD
    if "email" in mapping:
        reason = (
            "no loaded lead has this email (in any case), nor names this deal as its converted "
            "one; the deal loads and counts in its own source's channel, or (no lead), until a "
            "lead with this email arrives"
        )
        yield "email", _unmatched_emails(con, rows, arriving), reason, codes.UNKNOWN_EMAIL
    if "closed_at" in mapping:
        reason = (
            "the deal closes before it was created; it loads, and the durations (days to win, "
            "sales cycle, velocity) leave it out"
        )
        backwards = _before_creation(rows, "closed_at", _CLOSES_BEFORE_CREATION_SQL)
        yield "closed_at", backwards, reason, codes.CLOSED_BEFORE_CREATED
    if given := [name for name in OUTCOME_FIELDS if name in mapping]:
        blank = np.logical_and.reduce([mask(pc.is_null(rows.column(name))) for name in given])
        reason = f"the deal has no {' or '.join(given)} value, {_NO_OUTCOME}"
        yield given[0], blank, reason, codes.NO_OUTCOME
    if "stage" in mapping:
        yield "stage", _read_as_open(con, rows), _READ_AS_OPEN, codes.STAGE_READ_AS_OPEN


_READ_AS_OPEN = (
    "the stage says won or lost, but only a stage starting 'Closed' (or 'Won', 'Lost') closes "
    "a deal, so it counts as open pipeline. Add a stage rule saying what it means (the upload "
    "page's Stage rules, or the command python3 -m revcycle stage-rules --set 'STAGE=won'), or "
    "add a Won and a Closed column (TRUE/FALSE) and map them"
)
# Per distinct stage, whether it names a win or a loss as a word ("Deal won", "Lost - no
# budget") that no stage rule covers and is_closed_deal (queries/macros.sql) would still read
# as open.
_SAYS_CLOSED_SQL = r"""
select
    ruled is null
        and not is_closed_deal(stage, null, null, null)
        and regexp_matches(lower(stage), '\b(won|lost)\b') as says_closed,
from stages
"""
# Per distinct stage, the outcome its stage rule gives (null when none does), as stg_deals
# matches them: one rule per key.
_RULED_SQL = """
with rules as (
    select stage_key(stage) as key, any_value(outcome) as outcome,
    from stage_rules
    group by all
)
select rules.outcome,
from stages
left join rules
    on stage_key(stages.stage) = rules.key
order by stages.at
"""


def _ruled(con: duckdb.DuckDBPyConnection, stage: pa.ChunkedArray) -> tuple[np.ndarray, pa.Table]:
    """The distinct stages of ``stage`` with the outcome their stage rule gives (``ruled``,
    null when none does), and each row's index among them (a blank stage: one past the
    last). Read once per distinct stage: a pipeline has a handful."""
    index, distinct = parse.distinct_values(one_array(stage))
    rules = stages.rule_rows(con)
    if not rules.num_rows:
        return index, pa.table({"stage": distinct, "ruled": pa.nulls(len(distinct), pa.string())})
    with scratch() as cursor:
        cursor.register("stages", pa.table({"stage": distinct, "at": range(len(distinct))}))
        cursor.register("stage_rules", rules)
        ruled = cursor.sql(_RULED_SQL).to_arrow_table().column("outcome")
    return index, pa.table({"stage": distinct, "ruled": ruled})


# Per distinct stage, whether it is read as open pipeline by its words alone, no rule having
# said what it means, and it saying neither won nor lost (those are warned of) nor open
# (Pipedrive's status); and whether it is a deal the CRM deleted, which counts nowhere.
_OPEN_BY_WORDS_SQL = r"""
select
    ruled is null
        and stage_key(stage) not in ('open', 'deleted')
        and not is_closed_deal(stage, null, null, null)
        and not regexp_matches(lower(stage), '\b(won|lost)\b') as is_open,
    coalesce(is_deleted_deal(stage, null, null, ruled), false) as is_deleted,
    stage_key(stage) as key,
from stages
"""
SHOWN_OPEN_STAGES = 8


def _stages_read_as_open(con: duckdb.DuckDBPyConnection, kind: str, mapping, rows) -> list[str]:
    """For deals with a stage column, a note naming the stages they load as open pipeline by,
    most deals first, for a stage of a pipeline's own naming ("Contract signed") that means
    won or lost: nothing in its words says so, and nobody would be warned."""
    if kind != "deals" or "stage" not in mapping:
        return []
    index, distinct = _ruled(con, rows.column("stage"))
    with scratch() as cursor:
        cursor.register("stages", distinct)
        read = cursor.sql(_OPEN_BY_WORDS_SQL).to_arrow_table()
    undecided = mask(pc.is_null(rows.column("is_won"))) & mask(pc.is_null(rows.column("is_closed")))
    per_stage = np.bincount(index[undecided], minlength=len(distinct) + 1)[:-1]
    deleted = _deleted(int((per_stage * mask(read.column("is_deleted"))).sum()))
    counts = per_stage * mask(read.column("is_open"))
    # One rule covers every spelling of a stage: counted together, named as most deals spell it.
    totals: dict[str, int] = {}
    spelling: dict[str, tuple[int, str]] = {}  # key -> (-deals, stage) of its likeliest spelling
    stage_names, keys = distinct.column("stage").to_pylist(), read.column("key").to_pylist()
    for count, stage, key in zip(counts.tolist(), stage_names, keys, strict=True):
        if count:
            totals[key] = totals.get(key, 0) + count
            spelling[key] = min(spelling.get(key, (0, stage)), (-count, stage))
    named = [
        f"{spelling[key][1]} ({total:,} {'deal' if total == 1 else 'deals'})"
        for key, total in sorted(totals.items(), key=lambda item: (-item[1], spelling[item[0]]))
    ]
    if not named:
        return deleted
    rest = len(named) - SHOWN_OPEN_STAGES
    listed = ", ".join(named[:SHOWN_OPEN_STAGES]) + (f" and {rest} more" if rest > 0 else "")
    return [
        f"these stages load as open pipeline: {listed}. If one of them means won or lost (a "
        "pipeline's own name, such as Contract signed), say so in a stage rule (the upload "
        "page's Stage rules, or the command python3 -m revcycle stage-rules --set "
        "'STAGE=won')",
        *deleted,
    ]


def _deleted(count: int) -> list[str]:
    """The note on deals the CRM deleted (is_deleted_deal), if the file has any."""
    if not count:
        return []
    if count == 1:
        deals, them, they, count_ = "1 deal has", "it", "it loads", "counts"
    else:
        deals, them, they, count_ = f"{count:,} deals have", "them", "they load", "count"
    return [
        f"{deals} the stage deleted: the CRM deleted {them}, so {they} as the file has {them} "
        f"and {count_} nowhere (neither open pipeline nor lost), as the CRM's own reports leave "
        "deleted deals out. A stage rule for deleted counts such deals as it says"
    ]


def _read_as_open(con: duckdb.DuckDBPyConnection, rows: pa.Table) -> np.ndarray:
    """Per deal, whether its stage says won or lost but no column or rule closes it. Read once
    per distinct stage, so a million deals take about 0.1 s."""
    index, distinct = _ruled(con, rows.column("stage"))
    with scratch() as cursor:
        cursor.register("stages", distinct)
        says_closed = mask(cursor.sql(_SAYS_CLOSED_SQL).to_arrow_table().column("says_closed"))
    undecided = mask(pc.is_null(rows.column("is_won"))) & mask(pc.is_null(rows.column("is_closed")))
    return np.append(says_closed, False)[index] & undecided


def _without_outcome_columns(file: str, mapping: dict[str, str]) -> list[Problem]:
    """One warning for a deals file with no stage, won or closed column at all."""
    if any(name in mapping for name in OUTCOME_FIELDS):
        return []
    reason = (
        "the file has no stage, won or closed column, so no deal it adds is known to be won, "
        "lost or open: each counts as an opportunity only (a merge keeps the stage of the deals "
        "already loaded). Map the stage column, or load the export with it"
    )
    return [Problem(file, None, None, None, reason, WARNING, code=codes.NO_OUTCOME)]


_IN_NO_PERIOD = (
    "no period, All time included, counts {them}: a period that may hold {them} shows its won "
    "deals and won revenue as unknown"
)


def _without_close_date_column(con, file: str, rows: pa.Table) -> list[Problem]:
    """One warning for a deals file with won or lost deals and no close date column."""
    if not (count := int(_closed(con, rows).sum())):
        return []
    deals, them = ("won or lost deal", "it") if count == 1 else ("won or lost deals", "them")
    reason = (
        f"the file has no close date column, so its {count:,} {deals} close on no known day "
        "(a merge keeps the close dates of the deals already loaded); "
        f"{_IN_NO_PERIOD.format(them=them)}. Map the close date column (Close Date, or "
        "Pipedrive's Won time), or export the deals with it"
    )
    return [Problem(file, None, None, None, reason, WARNING, code=codes.NO_CLOSE_DATE)]


def _rule_problems(
    con: duckdb.DuckDBPyConnection, kind: str, table: ExportTable, checked: tuple
) -> list[Problem]:
    """The contract's rules over the parsed rows: required, unique, amounts, links, and dates
    that load but need a look (in the future, or a deal closing before it began). ``checked``:
    the mapping, the parsed rows, their lines, the time it is, and the leads arriving."""
    mapping, rows, lines, now, arriving = checked
    file, problems = table.where, []
    id_field = contract.ID_FIELD_BY_KIND[kind]

    def flagged(field: str, where: np.ndarray, reason: str, code: str, severity=ERROR) -> None:
        # The file's own text where the field has a column ("(1.234,56 €)", not -1234.56): the
        # value a person can search the file for.
        column = mapping[field]
        shown = table.rows.column(column) if column in table.rows.column_names else None
        shown = rows.column(field) if shown is None else shown
        values = [_shown(value) for value in shown.filter(where).to_pylist()]
        problems.extend(
            per_line(file, lines[where], mapping[field], values, reason, code, severity)
        )

    for spec in (f for f in contract.FIELDS_BY_KIND[kind] if f.required):
        # Blank in the file's own cell (read made it null): a value there that did not parse
        # has its problem already.
        blank = mask(pc.is_null(table.rows.column(mapping[spec.name])))
        reason = f"{spec.name} is blank; every {contract.ONE_ROW_BY_KIND[kind]} needs one"
        flagged(spec.name, blank, reason, codes.BLANK_REQUIRED)
    problems += _repeated_ids(rows.column(id_field), lines, file, mapping.get(id_field), id_field)
    if kind == "touches":
        problems += touches.link_problems(con, rows, lines, file, mapping, arriving)
    if kind in NEGATIVE_AMOUNT_REASON and "amount" in mapping:
        negative = mask(pc.less(rows.column("amount"), pa.scalar(0, pa.decimal128(18, 2))))
        flagged("amount", negative, NEGATIVE_AMOUNT_REASON[kind], codes.NEGATIVE_AMOUNT)
    if kind == "spend":
        for field_name, where, reason, code in spend.rule_checks(rows, mapping):
            flagged(field_name, where, reason, code)
    if "currency" in mapping:  # deals and spend
        for where, reason, code, severity in currencies.checks(rows):
            flagged("currency", where, reason, code, severity)
    checks = {"deals": _deal_checks, "leads": _lead_checks}.get(kind)
    for field_name, where, reason, code in checks(con, rows, mapping, arriving) if checks else ():
        flagged(field_name, where, reason, code, WARNING)
    for name, where, reason, code in _dates_out_of_range(kind, mapping, rows, now):
        flagged(name, where, reason, code, WARNING)
    if kind == "leads":
        problems += _without_creation_times(file, rows, mapping)
    if kind == "deals" and "closed_at" not in mapping:
        problems += _without_close_date_column(con, file, rows)
    elif kind == "deals":
        blank = mask(pc.is_null(table.rows.column(mapping["closed_at"])))  # not an unread one
        for where, reason, code in _close_date_checks(con, rows, now, blank):
            flagged("closed_at", where, reason, code, WARNING)
    return problems


_CLOSES_AHEAD = (
    "the deal is won or lost, but closes in the future; check the close date or the export's "
    "date format. Until then the presets end before it, and it counts in All time and custom "
    "dates only"
)
_UNDATED = (
    f"the deal is won or lost but has no close date, so {_IN_NO_PERIOD.format(them='it')}. "
    "Fill in its close date in the CRM and export it again"
)


def _close_date_checks(con, rows: pa.Table, now: datetime, blank: np.ndarray):
    """(rows, reason, code) of the won or lost deals (as stg_deals reads them: is_closed_deal
    in queries/macros.sql, with the stage rules) that close after ``now``, and of those whose
    close date cell is ``blank``. An open deal's close date is the day it is expected to
    close, often ahead, and often blank; a closed deal's is when it closed."""
    closed = _closed(con, rows)
    ahead = mask(pc.greater(rows.column("closed_at"), pa.scalar(now.replace(tzinfo=None))))
    yield closed & ahead, _CLOSES_AHEAD, codes.FUTURE_DATE
    yield closed & blank, _UNDATED, codes.NO_CLOSE_DATE


# No CRM, ad platform or form tool recorded anything before this day: an earlier date is a
# typo ("1926" for "2026"), and All time would stretch back to it.
FIRST_PLAUSIBLE_DAY = date(1990, 1, 1)
_FUTURE = "a date in the future; check the export's date format"
_LONG_AGO = (
    f"a date before {FIRST_PLAUSIBLE_DAY.year}, older than any CRM or ad platform; check the "
    "value (a mistyped year?) or the export's date format. It loads, and All time reaches back "
    "to it"
)


def _dates_out_of_range(kind: str, mapping, rows: pa.Table, now: datetime):
    """(field, rows, reason, code) per date field the file has: the rows dated after ``now``
    (but a close date: see _close_date_checks), and those before FIRST_PLAUSIBLE_DAY."""
    ahead_of = {"timestamp": pa.scalar(now, parse.TIMESTAMP), "date": pa.scalar(now.date())}
    first = datetime.combine(FIRST_PLAUSIBLE_DAY, datetime.min.time())
    before = {"timestamp": pa.scalar(first, parse.TIMESTAMP), "date": pa.scalar(first.date())}
    for spec in contract.FIELDS_BY_KIND[kind]:
        if spec.type not in ahead_of or spec.name not in mapping:
            continue
        values = rows.column(spec.name)
        if spec.name != "closed_at":
            ahead = mask(pc.greater(values, ahead_of[spec.type]))
            yield spec.name, ahead, _FUTURE, codes.FUTURE_DATE
        old = mask(pc.less(values, before[spec.type]))
        yield spec.name, old, _LONG_AGO, codes.LONG_AGO


def _closed(con: duckdb.DuckDBPyConnection, rows: pa.Table) -> np.ndarray:
    """Per deal, whether it is won or lost as stg_deals reads it: is_closed_deal in
    queries/macros.sql, with the stage rules."""
    index, distinct = _ruled(con, rows.column("stage"))
    ruled = pa.concat_arrays([distinct.column("ruled").combine_chunks(), pa.nulls(1, pa.string())])
    outcomes = rows.select(["stage", "is_won", "is_closed"]).append_column(
        "ruled", ruled.take(pa.array(index))
    )
    with scratch() as cursor:
        cursor.register("deal_outcomes", outcomes)
        closed = cursor.sql(
            "select is_closed_deal(stage, is_won, is_closed, ruled) as closed from deal_outcomes"
        ).to_arrow_table()
    return mask(closed.column("closed"))


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
    id on n lines. Only the ids sharing a hash with another are counted one by one: at 10M
    ids, counting them all held 1 GB for 3.5 s, and hashing and sorting 0.2 GB for 0.4 s."""
    shares_hash = _sharing_a_hash(ids)
    if not shares_hash.any():
        return []
    ids, lines = ids.filter(pa.array(shares_hash)), lines[shares_hash]
    counts = pc.value_counts(ids)
    repeated = counts.field("values").filter(pc.greater(counts.field("counts"), 1))
    rows = np.flatnonzero(mask(pc.is_in(ids, value_set=repeated)))
    group = pc.index_in(pc.take(ids, rows), value_set=repeated).to_numpy()
    order = np.argsort(group, kind="stable")  # by id, each id's lines in file order
    starts = np.searchsorted(group[order], np.arange(len(repeated) + 1))
    reasons = [
        f"the same {id_field} is on {_some_lines(lines[rows[order[start:end]]])}; keep one"
        for start, end in zip(starts[:-1].tolist(), starts[1:].tolist(), strict=True)
    ]
    values = repeated.take(group).to_pylist()
    reasons = [reasons[at] for at in group]
    # Grouped, a file of many repeated ids (exported twice) is one problem, not one per id.
    shared = f"the same {id_field} is on other lines too; keep one of each"
    return per_line(
        file, lines[rows], column, values, reasons, codes.DUPLICATE_ID, shared_reason=shared
    )


def _sharing_a_hash(values: pa.ChunkedArray) -> np.ndarray:
    """Per row, whether its value (not blank) has the same 64-bit hash (DuckDB's) as another
    row's: every repeated value has, and two different values about once in 10^19 pairs."""
    with scratch(values.nbytes) as cursor:
        cursor.register("id_values", pa.table({"value": values}))
        hashes = cursor.sql("select hash(value) from id_values").to_arrow_table().column(0)
    hashes, present = hashes.to_numpy(), mask(pc.is_valid(values))
    ordered = np.sort(hashes[present])
    shared = ordered[1:][ordered[1:] == ordered[:-1]]
    return present & np.isin(hashes, shared)


SHOWN_LINES = 5


def _some_lines(group: np.ndarray) -> str:
    """'lines 2 and 4', or '60,000 lines: 2, 3, 4, 5, 6 and 59,995 more'."""
    shown = ", ".join(map(str, group[:SHOWN_LINES].tolist()))
    if len(group) > SHOWN_LINES:
        return f"{len(group):,} lines: {shown} and {len(group) - SHOWN_LINES:,} more"
    first, _, last = shown.rpartition(", ")
    return f"lines {first} and {last}"


def _unmatched_emails(con: duckdb.DuckDBPyConnection, rows: pa.Table, arriving) -> np.ndarray:
    """Which deals without a lead id carry an email that no loaded lead has, nor a lead
    ``arriving``, when no loaded lead names the deal as its converted one (Salesforce's link,
    by the id's first 15 characters): such a deal links to no lead (funnel_revenue.sql)."""
    emails, lead_ids = rows.column("email"), rows.column("lead_id")
    candidates = mask(pc.is_valid(emails)) & ~mask(pc.is_valid(lead_ids))
    if not candidates.any():
        return candidates
    _, known = touches.known_leads(con, lead_ids, emails, arriving)
    if known is None:  # no leads to check against (none, or the sample's)
        return np.zeros(rows.num_rows, dtype=bool)
    unmatched = candidates & ~mask(pc.is_in(pc.utf8_lower(emails), value_set=known))
    if unmatched.any() and has_table(con, RAW_TABLE_BY_KIND["leads"]) and not holds_sample(con):
        con.register("deal_ids", pa.table({"deal_id": rows.column("deal_id")}))
        sql = (
            "select distinct deal_id from deal_ids semi join raw_leads "
            "on left(raw_leads.converted_deal_id, 15) = left(deal_ids.deal_id, 15)"
        )
        try:
            converted = con.sql(sql).to_arrow_table().column("deal_id")
        finally:
            con.unregister("deal_ids")
        unmatched &= ~mask(pc.is_in(rows.column("deal_id"), value_set=converted))
    return unmatched


def _unknown_leads(con: duckdb.DuckDBPyConnection, lead_ids, arriving) -> np.ndarray:
    """Which deals name a lead id that no loaded lead has, nor a lead ``arriving``."""
    known = pa.array([], pa.string())
    # The sample's leads go when this file loads: a deal naming one would lose it.
    if has_table(con, RAW_TABLE_BY_KIND["leads"]) and not holds_sample(con):
        # On the caller's connection, not a cursor: within a build's transaction, the leads
        # just loaded are visible only there.
        con.register("deal_lead_ids", pa.table({"lead_id": lead_ids}))
        sql = "select distinct lead_id from deal_lead_ids semi join raw_leads using (lead_id)"
        try:
            known = con.sql(sql).to_arrow_table().column("lead_id")
        finally:
            con.unregister("deal_lead_ids")
    if arriving is not None and arriving.lead_ids is not None:
        known = pa.concat_arrays([one_array(known), arriving.lead_ids])
    return mask(pc.invert(pc.is_in(lead_ids, value_set=known))) & mask(pc.is_valid(lead_ids))
