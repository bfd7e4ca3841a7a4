"""The upload page's steps that are not layout.

Read an uploaded file with the importer, tell a refusal the analyst can answer on the page
(which columns, which date order) from one they cannot, and load a checked file. The importer
does the reading, checking and committing; nothing here re-implements it.
"""

import logging
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb

from revcycle import contract
from revcycle.importer import load, presets
from revcycle.importer.parse import DATE_FORMAT_HINT, DATE_FORMATS, DAY_FIRST, MONTH_FIRST
from revcycle.importer.problems import (
    AMBIGUOUS_DATES,
    NEEDS_MAPPING,
    UNDECIDED_DATES,
    ImportRefused,
    Problem,
)
from revcycle.importer.read import read_export
from revcycle.importer.validate import PreparedUpload, prepare

log = logging.getLogger("revcycle")

# .xls is accepted by the uploader on purpose: the reader refuses it with a sentence saying
# how to save it again, which beats the browser's bare "file type not allowed".
FILE_TYPES = ("csv", "tsv", "txt", "xlsx", "xls")
KINDS = tuple(contract.FIELDS_BY_KIND)  # ("leads", "deals"): leads load first
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
    def date_questions(self) -> list[str]:
        """The date questions, worded for the page: its own control answers them, not
        ``--date-format``."""
        return [
            problem.sentence().removesuffix(DATE_FORMAT_HINT) + "."
            for problem in self.refusal
            if problem.code in (AMBIGUOUS_DATES, UNDECIDED_DATES)
        ]

    @property
    def is_refused(self) -> bool:
        """Refused for a reason no choice on the page can change."""
        return bool(self.refusal) and not (self.needs_mapping or self.date_formats_to_ask)


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
) -> Attempt:
    """Check an uploaded file with ``prepare``; a refusal is returned, not raised."""
    with _on_disk(file_name, data) as path:
        try:
            return Attempt(
                prepare(con, path, kind, preset_name, overrides, date_format, max_bytes=max_bytes)
            )
        except ImportRefused as refused:
            return Attempt(refusal=tuple(refused.problems))


def header(file_name: str, data: bytes, max_bytes: int) -> list[str]:
    """The file's column names, for the mapping screen."""
    with _on_disk(file_name, data) as path:
        return read_export(path, max_bytes=max_bytes).header


def suggested_mapping(kind: str, columns: list[str]) -> dict[str, str | None]:
    """A first guess for the mapping screen: each field's best suggestion.

    A column already suggested for an earlier field is not suggested again, since one column
    feeding two fields (``Create Date`` as both created and closed) is nearly always a mistake.
    """
    taken: set[str] = set()
    guess: dict[str, str | None] = {}
    for spec in contract.FIELDS_BY_KIND[kind]:
        choice = next((c for c in presets.suggestions(spec.name, columns) if c not in taken), None)
        if choice is not None:
            taken.add(choice)
        guess[spec.name] = choice
    return guess


def missing_required(kind: str, mapping: dict[str, str]) -> list[str]:
    """The required fields of ``kind`` that have no column yet."""
    return [f.name for f in contract.FIELDS_BY_KIND[kind] if f.required and f.name not in mapping]


def source_sentence(prepared: PreparedUpload, mapped_by_hand: bool) -> str:
    """How the file was read, for the page."""
    if mapped_by_hand:
        return f"Read as {prepared.kind} with the columns mapped below."
    if prepared.source in PRESET_LABELS:
        return f"Recognised as a {prepared.source} ({prepared.kind})."
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


def in_commit_order(ready: list[Ready]) -> list[Ready]:
    """Leads before deals, so a batch's deals find the batch's leads."""
    return sorted(ready, key=lambda item: KINDS.index(item.prepared.kind))


def commit(con: duckdb.DuckDBPyConnection, item: Ready) -> int:
    """Load one checked file; its upload id.

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
    )
    if item.save_as and item.columns is not None:
        presets.save_mapping(con, item.save_as, prepared.kind, item.columns, prepared.mapping)
    return upload_id
