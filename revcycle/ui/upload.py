"""The upload page's steps that are not layout.

Read an uploaded file with the importer, tell a refusal the analyst can answer on the page
(which columns, which date order) from one they cannot, and load a checked file. The importer
does the reading, checking and committing; nothing here re-implements it.
"""

import logging
import tempfile
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import NamedTuple

import duckdb

from revcycle import audit, contract, health
from revcycle.db import rollback_after
from revcycle.importer import channels, load, presets, stages
from revcycle.importer.original import Original
from revcycle.importer.parse import (
    DATE_FORMAT_HINT,
    DATE_FORMATS,
    DAY_FIRST,
    DECIMAL_MARK_HINT,
    DECIMAL_MARKS,
    MONTH_FIRST,
)
from revcycle.importer.problems import (
    AMBIGUOUS_DATES,
    AMBIGUOUS_DECIMALS,
    NEEDS_MAPPING,
    UNDECIDED_DATES,
    ImportRefused,
    Problem,
)
from revcycle.importer.read import read_export
from revcycle.importer.touches import Arriving
from revcycle.importer.validate import (
    MAPPED_BY_HAND,
    PreparedUpload,
    name_value_pairs,
    prepare,
)
from revcycle.importer.workbook import is_workbook, workbook_sheets

log = logging.getLogger("revcycle")

# .xls is read as .xlsx is; one that cannot be (a damaged one, or an .xlsx with a password)
# is refused with a sentence saying how to save it again.
FILE_TYPES = ("csv", "tsv", "txt", "xlsx", "xls", "ods")
KINDS = tuple(contract.FIELDS_BY_KIND)  # leads first: deals and touches link to them
MAPPED_ON_PAGE = "columns mapped on the upload page"
PRESET_LABELS = frozenset(preset.label for preset in presets.PRESETS)


@dataclass(frozen=True, eq=False)
class Attempt:
    """One try at reading a file: the checked upload, or the problems that stopped it."""

    prepared: PreparedUpload | None = None
    refusal: tuple[Problem, ...] = ()

    def with_code(self, code: str) -> list[Problem]:
        """The refusal's problems with this code (one of importer.problems' codes)."""
        return [problem for problem in self.refusal if problem.code == code]

    @property
    def needs_mapping(self) -> bool:
        """The importer asks which kind of export or which columns: the mapping screen."""
        return bool(self.with_code(NEEDS_MAPPING))

    @property
    def date_formats_to_ask(self) -> tuple[str, ...]:
        """The date formats to offer when a date column could be read more than one way."""
        if self.with_code(UNDECIDED_DATES):
            return DATE_FORMATS
        if self.with_code(AMBIGUOUS_DATES):
            return (DAY_FIRST, MONTH_FIRST)
        return ()

    @property
    def decimal_marks_to_ask(self) -> tuple[str, ...]:
        """The decimal marks to offer when amounts could be read with either."""
        return DECIMAL_MARKS[1:] if self.with_code(AMBIGUOUS_DECIMALS) else ()

    @property
    def date_questions(self) -> list[str]:
        """The date questions, worded for the page: its own control answers them, not
        ``--date-format``."""
        return self._questions((AMBIGUOUS_DATES, UNDECIDED_DATES), DATE_FORMAT_HINT)

    @property
    def decimal_questions(self) -> list[str]:
        """The decimal-mark questions, worded for the page (not ``--decimal-mark``)."""
        return self._questions((AMBIGUOUS_DECIMALS,), DECIMAL_MARK_HINT)

    def _questions(self, codes: tuple[str, ...], hint: str) -> list[str]:
        return [
            problem.sentence().removesuffix(hint) + "."
            for problem in self.refusal
            if problem.code in codes
        ]

    @property
    def has_questions(self) -> bool:
        """Whether the page can answer what stopped the file: its dates' order or its amounts'
        decimal mark."""
        return bool(self.date_formats_to_ask or self.decimal_marks_to_ask)

    @property
    def is_refused(self) -> bool:
        """Refused for a reason no choice on the page can change."""
        return bool(self.refusal) and not (self.needs_mapping or self.has_questions)


@contextmanager
def _on_disk(file_name: str, data: bytes) -> Iterator[Path]:
    # The reader names problems by the file's own name, so the copy keeps it.
    with tempfile.TemporaryDirectory(prefix="revcycle-upload-") as folder:
        path = Path(folder) / (Path(file_name).name or "upload")
        path.write_bytes(data)
        yield path


def attempt(
    con: duckdb.DuckDBPyConnection,
    file_name: str,
    data: bytes,
    kind: str | None = None,
    preset_name: str | None = None,
    overrides: dict[str, str] | None = None,
    date_format: str | None = None,
    max_bytes: int | None = None,
    constants: dict[str, str] | None = None,
    decimal_mark: str | None = None,
    arriving: Arriving | None = None,
    sheet: str | None = None,
    also_mapped: dict[str, str] | None = None,
) -> Attempt:
    """Check an uploaded file with ``prepare``; a refusal is returned, not raised.
    ``overrides`` come from the mapping screen, so they are the whole mapping; ``also_mapped``
    (field -> column) add to the mapping the file is recognised by, as ``load --map`` does.
    The archive keeps ``data``, which the page holds: the copy on disk is gone by the time it
    loads. ``sheet``: a workbook's sheet to read, when one was chosen."""
    with _on_disk(file_name, data) as path:
        try:
            prepared = prepare(
                con,
                path,
                kind,
                preset_name,
                overrides if overrides is not None else also_mapped,
                date_format,
                max_bytes=max_bytes,
                constants=constants,
                complete_mapping=overrides is not None,
                decimal_mark=decimal_mark,
                arriving=arriving,
                sheet=sheet,
            )
        except ImportRefused as refused:
            return Attempt(refusal=tuple(refused.problems))
    return Attempt(replace(prepared, original=Original.of_bytes(data)))


# How much of a file likely_kind reads: its header is in the first lines.
HEAD_BYTES = 1 << 20
HEAD_ROWS = 1000  # of a workbook


def likely_kind(
    file_name: str, data: bytes, max_bytes: int, sheet: str | None = None
) -> str | None:
    """What a file most likely holds, from the header of its first lines (of ``sheet``, in a
    workbook: the preset that recognises it), for the order a batch is checked in; None when
    no preset does."""
    head = data
    if len(data) > HEAD_BYTES and not is_workbook(data):  # a workbook: HEAD_ROWS
        head = data[: data.rfind(b"\n", 0, HEAD_BYTES) + 1] or data
    try:
        with _on_disk(file_name, head) as path:
            preset = presets.detect(read_export(path, max_bytes, sheet, HEAD_ROWS).header)
    except ImportRefused:
        return None
    return preset.kind if preset else None


def checking_order(kinds: list[str | None]) -> list[int]:
    """The positions of a batch's files in the order to check them: leads first, so the deals
    and touches they bring are checked against them (they load first too), then the files no
    preset recognises, then deals, whose currencies a spend file stating none is checked
    against (they load before spend too), then the rest as chosen."""
    rank = {"leads": 0, None: 1, "deals": 2}
    return sorted(range(len(kinds)), key=lambda at: rank.get(kinds[at], 3))


# The kinds whose ready files a later file of the batch is checked against (Arriving).
ARRIVING_KINDS = ("leads", "deals", "spend")


def arriving(ready: list[PreparedUpload]) -> Arriving | None:
    """What the batch's files that are ready bring before the next is checked: its leads'
    ids and emails, and the currencies of its deals and spend (ARRIVING_KINDS)."""
    return Arriving.of(
        [prepared.rows for prepared in ready if prepared.kind == "leads"],
        [prepared.rows for prepared in ready if prepared.kind in ("deals", "spend")],
    )


def header(file_name: str, data: bytes, max_bytes: int, sheet: str | None = None) -> list[str]:
    """The file's column names (of ``sheet``, in a workbook), for the mapping screen."""
    with _on_disk(file_name, data) as path:
        return read_export(path, max_bytes=max_bytes, sheet=sheet).header


def sheet_names(file_name: str, data: bytes, max_bytes: int) -> list[str]:
    """A workbook's sheets, for the choice of sheet; none for any other file."""
    if not is_workbook(data):
        return []
    with _on_disk(file_name, data) as path:
        return workbook_sheets(path, max_bytes)


def suggested_mapping(kind: str, columns: list[str]) -> dict[str, str | None]:
    """A first guess for the mapping screen: each field's best suggestion.

    A column already suggested for an earlier field is not suggested again, since one column
    feeding two fields (``Create Date`` as both created and closed) is nearly always a mistake.
    """
    taken: set[str] = set()
    guess: dict[str, str | None] = {}
    for spec in contract.FIELDS_BY_KIND[kind]:
        likely = presets.likely_columns(spec.name, columns)
        choice = next((column for column in likely if column not in taken), None)
        if choice is not None:
            taken.add(choice)
        guess[spec.name] = choice
    return guess


def fixed_values(text: str) -> tuple[dict[str, str], str | None]:
    """The page's "Fixed values" box, ``stage=Won, currency=BRL``: (field -> value, or the
    sentence saying what is malformed)."""
    return _pairs(text, "fixed value", "NAME=VALUE")


def also_mapped(text: str) -> tuple[dict[str, str], str | None]:
    """The page's "Also map" box, ``first_contacted_at=Last Contacted``: (field -> column, or
    the sentence saying what is malformed)."""
    return _pairs(text, "column to map", "FIELD=COLUMN")


def _pairs(text: str, what: str, form: str) -> tuple[dict[str, str], str | None]:
    parts = [part for part in text.split(",") if part.strip()]
    try:
        return name_value_pairs(parts, form), None
    except ValueError as error:
        return {}, f"Write each {what} as {error}."


def missing_required(kind: str, mapping: dict[str, str]) -> list[str]:
    """The required fields of ``kind`` that have no column yet."""
    return [f.name for f in contract.FIELDS_BY_KIND[kind] if f.required and f.name not in mapping]


def source_sentence(prepared: PreparedUpload, mapped_by_hand: bool) -> str:
    """How the file was read, for the page."""
    if mapped_by_hand:
        return f"Read as {prepared.kind} with the columns mapped below."
    label, added, _ = prepared.source.partition(MAPPED_BY_HAND)
    if label in PRESET_LABELS:
        also = ", with the columns under Also map added" if added else ""
        return f"Recognised as a {label} ({prepared.kind}){also}."
    return f"Read as {prepared.kind} with the saved mapping “{prepared.source}”."


@dataclass(frozen=True, eq=False)
class Ready:
    """A checked file and what the analyst decided for it, waiting for the Load button."""

    prepared: PreparedUpload
    mode: str  # one of load.MODES
    label: str  # the preset or mapping recorded in the history
    new_rules: dict[str, str]  # raw source value -> channel
    save_as: str | None = None  # keep the mapping under this name
    columns: list[str] | None = None  # the file's header, needed to save the mapping
    previewed: load.Previewed | None = None  # what the page's preview found, and when


def in_commit_order(ready: list[Ready]) -> list[Ready]:
    """Leads before deals and touches, so a batch's deals and touches find its leads."""
    return sorted(ready, key=lambda item: KINDS.index(item.prepared.kind))


def commit(con: duckdb.DuckDBPyConnection, item: Ready, who: str) -> int | None:
    """Load one checked file as ``who`` (the editor guard's name); its upload id, or None when
    it changed nothing.

    New channel rules commit with the rows, in the transaction whose rebuild applies them; the
    mapping is saved only once the file has loaded.
    """
    prepared = item.prepared
    upload_id, _ = load.commit_upload(
        con,
        prepared.kind,
        prepared.rows,
        item.mode,
        prepared.meta(item.label),
        item.new_rules,
        changed_by=who,
        previewed=item.previewed,
    )
    if item.save_as and item.columns is not None:
        save_mapping(con, item, who)
    return upload_id


def save_mapping(con: duckdb.DuckDBPyConnection, item: Ready, who: str) -> None:
    """Keep the mapping the analyst made on the page, and who saved it, in one transaction."""
    prepared = item.prepared
    con.begin()
    try:
        presets.save_mapping(con, item.save_as, prepared.kind, item.columns, prepared.mapping)
        audit.record(con, who, f"Saved the column mapping {item.save_as} for {prepared.kind}")
        con.commit()
    except BaseException as error:
        rollback_after(con, error)
        raise


# --- The page's flow: what happens next, decided without widgets ------------------------------

DETECTED = "detected"  # the kind choice that means "as the columns say"
REFUSED, ASK_HOW_TO_READ, ASK_KIND, AS_DETECTED, MAP_COLUMNS = (
    "refused",
    "ask how to read",
    "ask kind",
    "as detected",
    "map columns",
)
NO_ROWS, NO_LOADABLE_ROW = "it has no rows", "no row of it can be loaded"


def slots(names: list[str]) -> list[str]:
    """A stable widget-key part per file: its name, numbered when two files share one."""
    seen: dict[str, int] = {}
    result = []
    for name in names:
        seen[name] = seen.get(name, 0) + 1
        result.append(name if seen[name] == 1 else f"{name}#{seen[name]}")
    return result


def next_step(auto: Attempt, kind_choice: str) -> tuple[str, str | None]:
    """What the page asks or does after reading a file as detected; and the kind it holds.

    ``kind_choice`` is the analyst's "what this file holds": DETECTED, "leads" or "deals".
    """
    if auto.is_refused:
        return REFUSED, None
    detected = auto.prepared.kind if auto.prepared else None
    kind = detected if kind_choice == DETECTED else kind_choice
    if auto.has_questions:  # the columns were recognised; the date order or decimal mark is open
        return ASK_HOW_TO_READ, kind
    if kind is None:
        return ASK_KIND, None
    return (AS_DETECTED if kind == detected else MAP_COLUMNS), kind


def why_not_loadable(prepared: PreparedUpload) -> str | None:
    """Why a checked file has nothing to load (NO_ROWS, NO_LOADABLE_ROW), or None."""
    if prepared.count_rows_in_file == 0:
        return NO_ROWS
    if prepared.count_rows_loaded == 0:
        return NO_LOADABLE_ROW
    return None


def typed_rules(unmapped: list[str], typed: list[dict]) -> dict[str, str]:
    """Rules from the unmapped-sources table: each source value given a channel.

    ``typed`` holds the table's rows as {"source": ..., "channel": ...}; a channel left empty
    (or typed as "(unmapped)") makes no rule, so those leads load under (unmapped).
    """
    rules = {}
    for row in typed:
        channel = row.get("channel")
        if row.get("source") in unmapped and isinstance(channel, str):
            if channel.strip() not in ("", "(unmapped)"):
                rules[str(row["source"])] = channel.strip()
    return rules


class RuleTable(NamedTuple):
    """One rule table the upload page edits: channel rules or stage rules."""

    title: str  # the expander's, before the count
    caption: str
    columns: tuple[str, str]  # the table's headings: the value as exports spell it, its meaning
    fields: tuple[str, str]  # the same, as edited_rule_pairs and the read-only table name them
    key: str  # the widgets' keys start with it
    noun: str  # "channel rule"
    read: Callable  # cursor -> [(value, meaning)]
    save: Callable  # (cursor, pairs, changed_by=) -> how many rules the table holds
    meanings: tuple[str, ...] = ()  # the choices of the second column; empty: free text


CHANNEL_RULES = RuleTable(
    "Channel rules",
    "Each raw lead-source value, as exports spell it, and the channel it counts for. "
    "Spellings match ignoring case, spaces and punctuation (Paid Search = PAID_SEARCH). "
    "A value with no rule shows as (unmapped). Saving rebuilds the numbers at once.",
    ("Source value", "Channel"),
    ("source", "channel"),
    "upload_rules",
    "channel rule",
    channels.all_rules,
    channels.replace_rules,
)
STAGE_RULES = RuleTable(
    "Stage rules",
    "What a deal stage of your pipeline's own naming means, where its words alone do not say: "
    "'Contract signed' is won, 'Disqualified' lost, 'Closed - on hold' open. Without a rule, "
    "only Won or a stage starting Closed Won is won, and Lost or a stage starting Closed is "
    "lost. A deal's Won and Closed columns, where the export has them, still come first. "
    "Spellings match ignoring case, spaces and punctuation. Saving rebuilds the numbers at once.",
    ("Stage", "Means"),
    ("stage", "outcome"),
    "upload_stage_rules",
    "stage rule",
    stages.all_rules,
    stages.replace_rules,
    stages.OUTCOMES,
)


def edited_rule_pairs(rows: list[dict], fields=("source", "channel")) -> list[tuple]:
    """The whole rule table as edited: (value, meaning) pairs from the rows' two ``fields``
    (source value and channel, or stage and outcome), fully empty rows left out.

    A half-filled row stays in, so the rules' ``replace_rules`` can say what is wrong with it.
    """
    first, second = fields
    pairs = [(_cell_text(row.get(first)), _cell_text(row.get(second))) for row in rows]
    return [(source, channel) for source, channel in pairs if source.strip() or channel.strip()]


def _cell_text(value) -> str:
    """A table editor's cell as text: a cleared or new cell holds None or NaN, not ""."""
    return value if isinstance(value, str) else ""


@dataclass
class Committed:
    """What the Load button did: the upload id of each file loaded, and sentences to show."""

    upload_ids: dict[Hashable, int]  # the file's key in ``ready`` -> upload id
    messages: list[str]  # what was done
    failure: str | None = None  # why the batch stopped: shown as an error, never a success


def commit_all(
    con: duckdb.DuckDBPyConnection, ready: list[tuple[Hashable, Ready]], who: str
) -> Committed:
    """Load every ready file (by its key: the uploader's file id, with the sheet read) as
    ``who``, leads before deals, each in its own transaction; stop at the first failure, which
    leaves the data as it was before it."""
    file_id_of = {id(item): file_id for file_id, item in ready}
    done = Committed({}, [])
    first_parent = None
    for item in in_commit_order([item for _, item in ready]):
        prepared = item.prepared
        try:
            upload_id = commit(con, item, who)
        except ImportRefused as refusal:  # a replace that would empty the data
            done.failure = str(refusal)
            break
        except Exception as error:
            log.exception("loading %s failed", prepared.file_name)
            reason = health.explain(error)  # a full disk is said as such, on the page too
            done.failure = (
                f"Loading {prepared.file_name} failed, so nothing from it was loaded and the "
                "data is as it was before it. " + (reason or "The details are in the server log.")
            )
            break
        if upload_id is None:
            rules = channels.rules_saved_anyway(item.new_rules)
            done.messages.append(
                f"{'No row' if rules else 'Nothing'} changed: every row of {prepared.file_name} "
                "is loaded already, as it is, so no history entry was added."
                + (f" {rules[0].upper()}{rules[1:]}." if rules else "")
            )
            continue
        if first_parent is None:
            first_parent = load.parent_of(con, upload_id)
        done.upload_ids[file_id_of[id(item)]] = upload_id
        count, kind = prepared.count_rows_loaded, prepared.kind
        rows = (contract.ONE_ROW_BY_KIND if count == 1 else contract.ROWS_BY_KIND)[kind]
        done.messages.append(
            f"Loaded {count:,} {rows} from "
            f"{prepared.file_name} "
            f"as upload {upload_id} ({item.mode})."
        )
    if first_parent is not None:
        done.messages.append(
            f"To undo, restore upload {first_parent} under History below "
            f"(or run: python -m revcycle restore {first_parent})."
        )
    return done


def restore_to(con: duckdb.DuckDBPyConnection, upload_id: int, who: str) -> tuple[bool, str]:
    """Return the data to the state right after ``upload_id`` as ``who``; (done, a sentence
    saying so)."""
    try:
        restore_id = load.restore(con, upload_id, changed_by=who)
    except Exception:
        log.exception("restoring upload %s failed", upload_id)
        return False, (
            f"Restoring entry {upload_id} failed, so the data is as it was. The details are in "
            "the server log."
        )
    return True, f"Restored the state after entry {upload_id} (recorded as entry {restore_id})."
