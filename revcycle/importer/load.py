"""Storing uploads: every upload's rows kept once, the loaded data a view of them, history, undo.

- ``upload_rows_<kind>``: every row every upload loaded, typed, with the upload's id; never changed.
- ``loaded_uploads``: per kind, the last replace and the merges applied after it.
- ``raw_<kind>``: a view, the loaded data: each id's row from the newest loaded upload with it.
- ``uploads``: one entry per upload or restore, and its parent: the state it was applied to.

The original files are kept beside the database in ``uploads/<sha256><suffix>``, synced before
the commit (in the database the bytes would be written twice, to the log and at the
checkpoint). A restore writes no rows: it sets ``loaded_uploads`` as it was after the target.
Each runs in one transaction with the rebuild: a failure leaves the data as it was.
"""

import hashlib
import logging
import os
import re
import tempfile
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import duckdb
import pandas as pd
import pyarrow as pa

from revcycle import contract, settings
from revcycle.agreements import sample as agreement_sample
from revcycle.db import has_table, is_interrupt, rollback_after
from revcycle.importer import channels
from revcycle.importer.original import Original
from revcycle.importer.problems import FILE_CHANGED, NO_ROWS, ImportRefused, refused
from revcycle.rebuild import MARTS_MOVED_BY, data_version, rebuild_in_transaction

RAW_TABLE_BY_KIND = {
    "leads": "raw_leads",
    "deals": "raw_deals",
    "touches": "raw_touches",
    "spend": "raw_spend",
}
ROWS_TABLE_BY_KIND = {kind: f"upload_rows_{kind}" for kind in RAW_TABLE_BY_KIND}
MODES = ("merge", "replace")
RESTORE = "restore"
log = logging.getLogger(__name__)
# The history entry that empties both kinds when the first real upload meets the sample: the
# sample's rows never mix with a person's, and restoring the entry before it brings them back.
SAMPLE_REMOVED = "sample removed"


@dataclass(frozen=True)
class ChangePreview:
    count_new: int
    count_changed: int
    count_unchanged: int
    count_removed: int  # rows a replace drops because the new file lacks them


class Previewed(NamedTuple):
    """What ``preview`` found (``change``) at ``data_version``: still the change while the
    data is at that version, so the commit need not compare the rows again."""

    data_version: int | None
    change: ChangePreview

    def is_current(self, con: duckdb.DuckDBPyConnection) -> bool:
        return self.data_version is not None and self.data_version == data_version(con)


@dataclass(frozen=True)
class UploadMeta:
    file_name: str
    original: Original  # the file as uploaded, which the archive keeps
    preset: str  # the preset or saved mapping that read the file
    count_rows_in_file: int
    count_rows_rejected: int
    # The contract fields the file had a column for: a field it lacks is unknown, not blank.
    fields: tuple[str, ...] | None = None
    date_order: str | None = None  # its dates read day-first or month-first (parse.DAY_FIRST …)


def _run(con: duckdb.DuckDBPyConnection, sql: str, params: dict | None = None) -> None:
    # DuckDB wants each statement's result consumed before the connection does more work
    # (such as registering a table); statements here return at most a row count.
    con.execute(sql, params or {}).fetchall()


# Fields a file gives together: a file with a column for one of them gives them all (blank
# where it has no column), so a merge never joins one file's stage to another's won flag, or
# one file's amount to another's currency.
GIVEN_TOGETHER = {"deals": (("stage", "is_won", "is_closed"), ("amount", "currency"))}


def given_fields(kind: str, fields) -> list[str]:
    """The contract fields a file with a column for ``fields`` gives (every field when
    ``fields`` is None: an upload from before the history recorded them)."""
    names = [spec.name for spec in contract.FIELDS_BY_KIND[kind]]
    if fields is None:
        return names
    together = {name: group for group in GIVEN_TOGETHER.get(kind, ()) for name in group}
    given = {name for field in fields for name in together.get(field, (field,))}
    return [name for name in names if name in given]


def _loaded_rows_sql(kind: str, count_loaded: int) -> str:
    """The view of the loaded rows: one per id, each field from the newest loaded upload that
    has the id and a column for the field (GIVEN_TOGETHER), so a weekly merge without the
    email column leaves the emails loaded before as they were: unknown is not blank. Its last
    column, ``upload_id``, is the newest loaded upload that has the id.

    With ``count_loaded`` at most one (a replace and no merge since, or nothing), that is the
    upload's rows as they are. The merging SQL would give the same rows, but every query that
    reads the kind plans the view, once per mention: a small rebuild's marts took 196 ms of CPU
    with it and 128 ms without (_write_loaded_views writes the view for the loaded state)."""
    rows = ROWS_TABLE_BY_KIND[kind]
    if count_loaded > 1:
        return _merging_sql(kind)
    return (
        f"select * exclude (upload_id), upload_id from {rows} "
        f"where upload_id in (select upload_id from loaded_uploads where kind = '{kind}')"
    )


def _merging_sql(kind: str) -> str:
    """The loaded rows of a replace and the merges after it (_loaded_rows_sql). Most loaded
    data is one replace plus a few weekly merges, so only the ids of the uploads after the
    oldest are grouped; the oldest upload's rows are kept as they are unless a newer one has
    their id."""
    id_field = contract.ID_FIELD_BY_KIND[kind]
    rows = ROWS_TABLE_BY_KIND[kind]
    groups = [*GIVEN_TOGETHER.get(kind, ())]
    grouped = {name for group in groups for name in group}
    names = [spec.name for spec in contract.FIELDS_BY_KIND[kind] if spec.name != id_field]
    groups += [(name,) for name in names if name not in grouped]
    group_of = {name: group for group in groups for name in group}
    # Field names are the contract's (an allow-list), never input.
    merged_fields = ",\n".join(
        f'arg_max_null("{name}", upload_id) filter (where given_fields is null '
        f'or list_has_any(given_fields, {list(group_of[name])!r})) as "{name}"'
        for name in names
    )
    return f"""
        with
        loaded as (
            select upload_id from loaded_uploads where kind = '{kind}'
        ),
        loaded_rows as not materialized (
            select * from {rows} where upload_id in (select upload_id from loaded)
        ),
        newest_upload_by_id as (
            select {id_field}, max(upload_id) as upload_id
            from loaded_rows
            where upload_id > (select min(upload_id) from loaded)
            group by {id_field}
        ),
        only_in_oldest as (
            select loaded_rows.* exclude (upload_id), loaded_rows.upload_id
            from loaded_rows
            where {id_field} not in (select {id_field} from newest_upload_by_id)
        ),
        later_rows as (
            select loaded_rows.*, uploads.fields as given_fields
            from loaded_rows
            left join uploads
                on loaded_rows.upload_id = uploads.upload_id
            where loaded_rows.{id_field} in (select {id_field} from newest_upload_by_id)
        ),
        merged as (
            select {id_field}, {merged_fields}, max(upload_id) as upload_id
            from later_rows
            group by {id_field}
        ),
        final as (
            select * from only_in_oldest
            union all by name
            select * from merged
        )
        select * from final
    """


# fields, changed_by and date_order came after the first release (_record names its columns);
# older entries hold null. sample_uploads: a database whose loaded uploads are all in it holds
# the bundled sample, and every page says so. The newest entry is the current state (a
# database from before kept it in history_head too).
_STORAGE_SQL = """
create table if not exists uploads (
    upload_id bigint, parent_id bigint, uploaded_at timestamp, kind varchar, file_name varchar,
    sha256 varchar, size_bytes bigint, preset varchar, mode varchar, count_rows_in_file bigint,
    count_rows_loaded bigint, count_rows_rejected bigint, count_new bigint,
    count_changed bigint, count_unchanged bigint
);
alter table uploads add column if not exists fields varchar[];
alter table uploads add column if not exists changed_by varchar;
alter table uploads add column if not exists date_order varchar;
create table if not exists loaded_uploads (kind varchar, upload_id bigint);
create table if not exists sample_uploads (upload_id bigint);
"""


_COLUMNS_SQL = """
select table_name, column_name from duckdb_columns()
where database_name = current_database() and schema_name = 'main'
"""
_VIEWS_SQL = """
select view_name, comment from duckdb_views()
where database_name = current_database() and schema_name = 'main'
"""


def ensure_storage(con: duckdb.DuckDBPyConnection) -> None:
    """Create the upload archive, the history and the raw_<kind> views where missing, and
    replace a view that today's code would write otherwise.

    One look at the catalog and one at loaded_uploads say what is there, so a database that
    has it all (every call after the first) runs no other statement: asking DuckDB to add each
    of the archive's columns "if not exists" took about 55 statements, 25 ms, every upload, and
    writing the four views again 10 ms."""
    found = set(con.execute(_COLUMNS_SQL).fetchall())
    # Each view's comment is the hash of the SQL that wrote it.
    written = dict(con.execute(_VIEWS_SQL).fetchall())
    tables = {table for table, _ in found}
    history = {("uploads", "fields"), ("uploads", "changed_by"), ("uploads", "date_order")}
    if not history <= found or not {"loaded_uploads", "sample_uploads"} <= tables:
        _run(con, _STORAGE_SQL)
    for kind in RAW_TABLE_BY_KIND:
        rows = ROWS_TABLE_BY_KIND[kind]
        columns = {
            field.name: f'"{field.name}" {contract.SQL_TYPE_BY_TYPE[field.type]}'
            for field in contract.FIELDS_BY_KIND[kind]
        }
        if rows not in tables:
            _run(con, f"create table {rows} (upload_id bigint, {', '.join(columns.values())})")
        else:
            for name, column in columns.items():  # a field added since the archive began
                if (rows, name) not in found:
                    _run(con, f"alter table {rows} add column {column}")
    counts = dict(con.execute("select kind, count(*) from loaded_uploads group by kind").fetchall())
    _write_loaded_views(con, counts, written)


def _write_loaded_views(
    con: duckdb.DuckDBPyConnection, counts: dict[str, int], written: dict[str, str]
) -> None:
    """Each raw_<kind> view as _loaded_rows_sql writes it for ``counts`` (kind -> how many of
    its uploads are loaded), where the view ``written`` says is there (view -> the hash of its
    SQL, kept as its comment) differs."""
    for kind, view in RAW_TABLE_BY_KIND.items():
        sql = _loaded_rows_sql(kind, counts.get(kind, 0))
        if written.get(view) != (mark := hashlib.sha256(sql.encode()).hexdigest()):
            _run(con, f"create or replace view {view} as {sql}")
            _run(con, f"comment on view {view} is '{mark}'")  # hex digits: no quote to escape


def archive_folder(con: duckdb.DuckDBPyConnection) -> Path:
    """Where the original files are kept: ``uploads/`` beside the database file."""
    path = con.execute(
        "select path from duckdb_databases() where database_name = current_database()"
    ).fetchall()[0][0]
    return (Path(path).parent if path else Path(tempfile.gettempdir())) / "uploads"


def archived_file(con: duckdb.DuckDBPyConnection, sha256: str, file_name: str) -> Path:
    """The kept copy of an uploaded file."""
    return archive_folder(con) / archived_name(sha256, file_name)


def archived_name(sha256: str, file_name: str) -> str:
    """The name the upload archive keeps a file under: its sha256 and its suffix, lowercased."""
    return f"{sha256}{Path(file_name).suffix.lower()}"


def _keep_file(folder: Path, file_name: str, original: Original) -> str:
    """Keep the file in ``folder`` (synced to disk); its sha256. A file on disk is read twice,
    for its name, then copied: a file kept already is not written again."""
    sha256 = original.sha256()
    target = folder / archived_name(sha256, file_name)
    if target.exists():
        return sha256  # named by its content: these bytes are kept already
    folder.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.partial")
    try:
        with partial.open("wb") as handle:
            copied = hashlib.sha256()
            for block in original.blocks():
                copied.update(block)
                handle.write(block)
            handle.flush()
            os.fsync(handle.fileno())  # on disk before the commit that names it
        if copied.hexdigest() != sha256:  # changed between the two reads, its time kept
            raise refused(file_name, "The file changed on disk while it was kept.", FILE_CHANGED)
        partial.replace(target)
    except BaseException as error:
        partial.unlink(missing_ok=True)  # a full disk must not keep half a file
        if isinstance(error, OSError) and error.filename is None:  # say which file it was
            raise OSError(error.errno, error.strerror, str(target)) from error
        raise
    return sha256


# What the archive writes, and the only files a sweep may remove: a sha256 with the upload's
# lowercased suffix, or the partial file it is written as first.
_ARCHIVE_NAME = re.compile(r"[0-9a-f]{64}(\.[^./]+)?")
_PARTIAL_NAME = re.compile(r"\.[0-9a-f]{64}(\.[^./]+)?\.partial")


def kept_files(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """Archive file name -> the name it was uploaded as, for every file committed uploads name."""
    if not has_table(con, "uploads"):
        return {}
    rows = con.execute(
        "select distinct sha256, file_name from uploads where sha256 is not null order by file_name"
    ).fetchall()
    return {archived_name(sha256, file_name): file_name for sha256, file_name in rows}


def sweep_archive(con: duckdb.DuckDBPyConnection) -> list[Path]:
    """Remove the archive's files no committed upload names (left by a failed or killed load);
    the paths removed. Only names the archive writes are touched, never anything else."""
    removed = []
    try:
        folder = archive_folder(con)
        named = kept_files(con) if folder.is_dir() else {}
        for path in folder.iterdir() if folder.is_dir() else ():
            leftover = _PARTIAL_NAME.fullmatch(path.name) or (
                _ARCHIVE_NAME.fullmatch(path.name) and path.name not in named
            )
            if leftover and path.is_file():
                path.unlink(missing_ok=True)
                removed.append(path)
    except (duckdb.Error, OSError) as error:  # best effort: the next start tries again
        if is_interrupt(error):  # a Ctrl-C stops the command, and the next start sweeps
            raise
        log.warning("could not sweep the upload archive: %s", error)
    return removed


def _discard_kept_file(con: duckdb.DuckDBPyConnection, meta: UploadMeta) -> None:
    """After a failed load: remove the copy of its file unless a committed upload names it
    (best effort: a connection the failure left unusable cannot say; start-up sweeps)."""
    try:
        name = archived_name(meta.original.sha256(), meta.file_name)
        if name not in kept_files(con):
            (archive_folder(con) / name).unlink(missing_ok=True)
    except (duckdb.Error, OSError) as error:
        if is_interrupt(error):  # a Ctrl-C stops the command, and the next start sweeps
            raise
        log.warning(
            "could not remove the copy of %s after the failed load: %s", meta.file_name, error
        )
    except ImportRefused:  # changed or removed on disk, so never kept: nothing to remove
        pass


def _incoming_sql(kind: str) -> str:
    """The incoming rows (``incoming_frame``, see _incoming) as the contract's typed columns."""
    columns = ", ".join(
        f'cast("{field.name}" as {contract.SQL_TYPE_BY_TYPE[field.type]}) as "{field.name}"'
        for field in contract.FIELDS_BY_KIND[kind]
    )
    return f"select {columns} from incoming_frame"


def _incoming(con: duckdb.DuckDBPyConnection, kind: str, rows: pa.Table) -> duckdb.DuckDBPyRelation:
    """``rows`` with every contract column, as a relation the queries over it name
    ``incoming_frame`` (_over_incoming). Not a registered view: a view dropped inside a
    transaction keeps its table until the commit, so the rows, already stored, stayed beside
    the rebuild of the marts (2 GiB at 10M leads)."""
    names = contract.column_names(kind)
    missing = [name for name in names if name not in rows.column_names]
    for name in missing:  # a contract column the caller left out is blank
        rows = rows.append_column(name, pa.nulls(len(rows), pa.string()))
    return con.from_arrow(rows.select(names))


def _over_incoming(incoming: duckdb.DuckDBPyRelation, sql: str) -> list[tuple]:
    """The rows of ``sql``, which names ``incoming`` incoming_frame. A relation's query takes
    no parameters: a value it needs is a variable set just before (getvariable)."""
    return incoming.query("incoming_frame", sql).fetchall()


def preview(
    con: duckdb.DuckDBPyConnection, kind: str, rows: pa.Table, mode: str, fields=None
) -> ChangePreview:
    """How ``rows`` would change what is loaded: new, changed, unchanged (and removed); a
    merge changes only the ``fields`` the file has a column for (all when None).

    Over the sample every row is new: the sample goes before the file loads (see
    ``holds_sample``); the caller says so, with the sample's counts."""
    if holds_sample(con) or not count_loaded_uploads(con, kind):
        return ChangePreview(len(rows), 0, 0, 0)
    return _preview(kind, mode, fields, _incoming(con, kind, rows))


def count_loaded_uploads(con: duckdb.DuckDBPyConnection, kind: str) -> int:
    """How many uploads of ``kind`` the loaded data is made of (the last replace and the merges
    after it): with none, every incoming row is new and there is nothing to compare."""
    if not has_table(con, "loaded_uploads"):
        return 0
    return con.execute(
        "select count(*) from loaded_uploads where kind = $kind", {"kind": kind}
    ).fetchall()[0][0]


def _preview(kind: str, mode: str, fields, incoming: duckdb.DuckDBPyRelation) -> ChangePreview:
    table = RAW_TABLE_BY_KIND[kind]
    id_field = contract.ID_FIELD_BY_KIND[kind]
    # Rows are compared by a hash of the columns the load changes (a merge: those the file
    # gives; a replace: all): the join then carries an id and one number per row instead of
    # every column, several times faster at a million rows. Two different rows share a 64-bit
    # hash about once in 10^19 comparisons. Ids are unique on both sides: the join has a row
    # per incoming row, and every loaded row the file lacks is one a replace drops.
    compared = given_fields(kind, fields if mode == "merge" else None)
    row_hash = "hash(" + ", ".join(f'"{name}"' for name in compared) + ") as row_hash"
    [(new, changed, count_incoming, count_loaded)] = _over_incoming(
        incoming,
        f"with incoming as ({_incoming_sql(kind)}), "
        f"incoming_hashes as (select {id_field}, {row_hash} from incoming), "
        f"loaded_hashes as (select {id_field}, {row_hash} from {table}) "
        "select count(*) filter (where loaded.row_hash is null), "
        "count(*) filter (where loaded.row_hash <> incoming.row_hash), "
        f"count(*), (select count(*) from {table}) "
        "from incoming_hashes as incoming left join loaded_hashes as loaded "
        f"on incoming.{id_field} = loaded.{id_field}",
    )
    unchanged = count_incoming - new - changed
    removed = count_loaded - changed - unchanged if mode == "replace" else 0
    return ChangePreview(new, changed, unchanged, removed)


def _count(con: duckdb.DuckDBPyConnection, relation: str) -> int:
    return con.table(relation).aggregate("count(*)").fetchall()[0][0]


def commit_upload(
    con: duckdb.DuckDBPyConnection,
    kind: str,
    rows,
    mode: str,
    meta: UploadMeta,
    channel_rules: dict[str, str] | None = None,
    *,
    changed_by: str,
    allow_empty: bool = False,
    previewed: Previewed | None = None,
) -> tuple[int | None, ChangePreview]:
    """Load ``rows`` (contract columns), with any new ``channel_rules`` (raw value -> channel),
    in one transaction with the rebuild; the upload's id (None when the rows change nothing)
    and what it changed. ``changed_by`` (the editor guard's name, or the OS user on the CLI)
    is recorded with the upload. A replace without rows is refused unless ``allow_empty``.
    ``previewed``: what ``preview`` found for these rows and this mode, taken as the change if
    nothing has been loaded since (the data version it was found at is still the data's)."""
    refuse_emptying(kind, len(rows), mode, meta.file_name, allow_empty)
    try:
        with _transaction(con):
            # Deals, touches or spend move only the marts that read them (MARTS_MOVED_BY); new
            # rules change leads' channels, and a load over the sample removes its leads and deals.
            whole = channel_rules or kind not in MARTS_MOVED_BY or holds_sample(con)
            upload_id, change = commit_in_transaction(
                con, kind, rows, mode, meta, changed_by=changed_by, previewed=previewed
            )
            del rows  # stored: a caller that holds them no more gets their memory back
            channels.add_rules(con, channel_rules or {}, changed_by=changed_by)
            if upload_id is not None or channel_rules:
                rebuild_in_transaction(con, moved_by=None if whole else kind)
    except BaseException:
        _discard_kept_file(con, meta)
        raise
    return upload_id, change


def changes_nothing(change: ChangePreview) -> bool:
    """Every row is loaded already, as it is, and none would be removed."""
    return not (change.count_new or change.count_changed or change.count_removed)


def refuse_emptying(
    kind: str, count_rows: int, mode: str, file_name: str, allow_empty: bool = False
) -> None:
    """Refuse a replace that would remove every row (a header-only file), unless asked for."""
    if mode == "replace" and count_rows == 0 and not allow_empty:
        reason = (
            "The file has no rows to load, so replacing with it would remove every "
            f"{contract.ONE_ROW_BY_KIND[kind]}. "
            "To empty the data on purpose, load it with --allow-empty on the command line."
        )
        raise refused(file_name, reason, NO_ROWS)


@contextmanager
def _transaction(con: duckdb.DuckDBPyConnection):
    """Commit what the block did, or none of it (DuckDB discards an uncommitted transaction)."""
    con.begin()
    try:
        yield
        con.commit()
    except BaseException as error:
        rollback_after(con, error)
        raise


def commit_in_transaction(
    con: duckdb.DuckDBPyConnection,
    kind: str,
    rows,
    mode: str,
    meta: UploadMeta,
    *,
    changed_by: str,
    sample: bool = False,
    always_record: bool = False,
    previewed: Previewed | None = None,
) -> tuple[int | None, ChangePreview]:
    """Archive ``rows`` as a new upload and load them, in the caller's transaction; no rebuild.
    A file that changes nothing adds no history entry (its upload id is None), unless
    ``always_record``: a build records every file it loads.

    ``sample`` marks the bundled sample's rows. Any other upload into a database holding the
    sample removes the sample first (both kinds), as an entry of its own in the history, by
    ``changed_by`` too. ``previewed``: as commit_upload takes it."""
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, not {mode!r}")
    # Read before this transaction writes anything: a preview found at the data's version
    # compared these rows with what is loaded now (a million rows: 0.7 s not spent again).
    compared = previewed.change if previewed and previewed.is_current(con) else None
    ensure_storage(con)
    replaces_sample = not sample and holds_sample(con)
    incoming = _incoming(con, kind, rows)
    folder = archive_folder(con)  # the connection is not for other threads: ask it here
    with ThreadPoolExecutor(max_workers=1) as pool:
        # Hashing and writing the original file run beside DuckDB's comparing and writing of
        # the rows, which leave a core idle much of the time; the entry needs the hash last.
        kept = pool.submit(_keep_file, folder, meta.file_name, meta.original)
        if replaces_sample:
            _remove_sample(con, changed_by)
        if compared is not None:
            change = compared
        elif count_loaded_uploads(con, kind):
            change = _preview(kind, mode, meta.fields, incoming)
        else:  # a kind's first upload, or the sample just removed: every row is new
            change = ChangePreview(len(rows), 0, 0, 0)
        if (
            changes_nothing(change)
            and not (replaces_sample or always_record)
            and _maps_what_is_loaded(con, kind, meta.fields, incoming)
        ):
            # Kept by its content, the file is one an earlier upload named already.
            kept.result()
            return None, change
        upload_id = _store(con, kind, incoming)
        sha256 = kept.result()
    _record(con, upload_id, (kind, mode, len(rows), sha256, changed_by), meta, change)
    if sample:
        _run(con, "insert into sample_uploads values ($id)", {"id": upload_id})
    _set_loaded(con, upload_id)
    return upload_id, change


def _store(con: duckdb.DuckDBPyConnection, kind: str, incoming: duckdb.DuckDBPyRelation) -> int:
    """Store the incoming rows as the next upload's; its id."""
    next_id = con.execute("select coalesce(max(upload_id), 0) + 1 from uploads").fetchall()
    upload_id = next_id[0][0]
    # By name: a field added to an older archive is its last column, wherever the contract
    # lists it (ensure_storage).
    _run(con, "set variable incoming_upload_id = $id", {"id": upload_id})
    _over_incoming(
        incoming,
        f"insert into {ROWS_TABLE_BY_KIND[kind]} by name "
        f"select getvariable('incoming_upload_id') as upload_id, * "
        f"from ({_incoming_sql(kind)})",
    )
    return upload_id


def _record(con, upload_id: int, upload: tuple, meta: UploadMeta, change: ChangePreview) -> None:
    """The upload's history entry; ``upload`` is (kind, mode, rows loaded, the file's sha256,
    who loaded it)."""
    kind, mode, count_loaded, sha256, changed_by = upload
    _run(
        con,
        # By name: a column added since (changed_by, date_order) is last in an older database
        # whatever the order it came in.
        "insert into uploads (upload_id, parent_id, uploaded_at, kind, file_name, sha256, "
        "size_bytes, preset, mode, count_rows_in_file, count_rows_loaded, count_rows_rejected, "
        "count_new, count_changed, count_unchanged, fields, changed_by, date_order) "
        "values ($id, (select max(upload_id) from uploads), $at, $kind, $file, $sha, $size, "
        "$preset, $mode, $in_file, $loaded, $rejected, $new, $changed, $unchanged, $fields, "
        "$by, $date_order)",
        {"id": upload_id, "at": settings.wall_clock_now(), "kind": kind, "file": meta.file_name}
        | {"sha": sha256, "mode": mode}
        | {"size": meta.original.size, "preset": meta.preset, "loaded": count_loaded}
        | {"in_file": meta.count_rows_in_file, "rejected": meta.count_rows_rejected}
        | {"new": change.count_new, "changed": change.count_changed}
        | {"unchanged": change.count_unchanged, "fields": meta.fields, "by": changed_by}
        | {"date_order": meta.date_order},
    )


def _maps_what_is_loaded(
    con: duckdb.DuckDBPyConnection, kind: str, fields, incoming: duckdb.DuckDBPyRelation
) -> bool:
    """Whether the uploads the file's rows are loaded from had a column for every field the
    file has: with the same values and a column more, what the pages can measure changes
    (a column fewer changes nothing: a merge keeps what the file has no column for). Asked
    only when every row is unchanged, so the scan is rare."""
    id_field = contract.ID_FIELD_BY_KIND[kind]
    given = given_fields(kind, None) if fields is None else list(fields)
    _run(con, "set variable incoming_kind = $kind", {"kind": kind})
    _run(con, "set variable incoming_fields = $fields::varchar[]", {"fields": given})
    [(count_missing_fields,)] = _over_incoming(
        incoming,
        f"with loaded_from as (select {id_field}, uploads.fields "
        f"from {ROWS_TABLE_BY_KIND[kind]} join uploads using (upload_id) "
        "where upload_id in "
        "(select upload_id from loaded_uploads where kind = getvariable('incoming_kind')) "
        f"and {id_field} in (select {id_field} from incoming_frame)), "
        f"given as (select {id_field}, bool_or(fields is null) as gave_all, "
        f"flatten(list(fields)) as fields from loaded_from group by {id_field}) "
        "select count(*) from given "
        "where not gave_all and not list_has_all(fields, getvariable('incoming_fields'))",
    )
    return not count_missing_fields


def holds_sample(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether the loaded data is the bundled sample: some upload is loaded, and every loaded
    upload is one of the sample's."""
    if not (has_table(con, "sample_uploads") and loaded_anything(con)):
        return False
    return not con.execute(
        "select count(*) from loaded_uploads anti join sample_uploads using (upload_id)"
    ).fetchall()[0][0]


def sample_notice(con: duckdb.DuckDBPyConnection, loading: str = "this file") -> str | None:
    """What loading ``loading`` ("this file", "these files") will do to the sample, said
    before it happens; None without one."""
    if not holds_sample(con):
        return None
    leads, deals = con.execute(
        "select (select count(*) from raw_leads), (select count(*) from raw_deals)"
    ).fetchall()[0]
    agreement = (
        ", and the sample's agreement (its made-up targets and response times: record your "
        "teams' own on the Agreements page)"
        if agreement_sample.is_all_saved(con)
        else ""
    )
    return (
        f"The database holds the bundled sample ({leads:,} leads, {deals:,} deals). Loading "
        f"{loading} removes the sample first, leads and deals and their touches and spend"
        f"{agreement}, so it never mixes with your data; restoring the state before the load "
        "brings the sample back."
    )


def _remove_sample(con: duckdb.DuckDBPyConnection, changed_by: str) -> None:
    """Empty every kind as an entry in the history, in the caller's transaction."""
    parent = con.execute("select max(upload_id) from uploads").fetchall()[0][0]
    what = "the bundled sample, leads, deals, touches and spend"
    entry_id = _add_entry(con, parent, SAMPLE_REMOVED, what, changed_by)
    _set_loaded(con, entry_id)
    agreement_sample.remove_in_transaction(con, changed_by)


def _add_entry(con, parent_id: int | None, kind: str, what: str, changed_by: str) -> int:
    """A history entry that writes no rows (a restore, the sample's removal)."""
    entry_id = con.execute("select coalesce(max(upload_id), 0) + 1 from uploads").fetchall()[0][0]
    _run(
        con,
        "insert into uploads (upload_id, parent_id, uploaded_at, kind, file_name, mode, "
        "changed_by) values ($id, $parent, $at, $kind, $what, 'replace', $by)",
        {"id": entry_id, "parent": parent_id, "at": settings.wall_clock_now(), "kind": kind}
        | {"what": what, "by": changed_by},
    )
    return entry_id


def _set_loaded(con: duckdb.DuckDBPyConnection, upload_id: int) -> None:
    """Make the loaded data what it was right after the entry ``upload_id``: replay the
    entries that led to it, oldest first."""
    entries = {
        row[0]: row[1:]
        for row in con.execute("select upload_id, parent_id, kind, mode from uploads").fetchall()
    }
    if upload_id not in entries:
        raise LookupError(f"there is no upload {upload_id}; see `python -m revcycle history`")
    chain = [upload_id]
    while entries[chain[-1]][0] is not None:
        chain.append(entries[chain[-1]][0])
    loaded: dict[str, list[int]] = {kind: [] for kind in RAW_TABLE_BY_KIND}
    for entry_id in reversed(chain):
        _, kind, mode = entries[entry_id]
        if kind == SAMPLE_REMOVED:
            loaded = {kind: [] for kind in RAW_TABLE_BY_KIND}
        elif kind != RESTORE:  # a restore's state is its target's, already in the chain
            loaded[kind] = [*(loaded[kind] if mode == "merge" else []), entry_id]
    pairs = [(kind, each) for kind, upload_ids in loaded.items() for each in upload_ids]
    _run(con, "delete from loaded_uploads")
    _run(
        con,
        "insert into loaded_uploads select unnest($kinds::varchar[]), unnest($ids::bigint[])",
        {"kinds": [kind for kind, _ in pairs], "ids": [each for _, each in pairs]},
    )
    counts = {kind: len(upload_ids) for kind, upload_ids in loaded.items()}
    _write_loaded_views(con, counts, dict(con.execute(_VIEWS_SQL).fetchall()))


def restore(con: duckdb.DuckDBPyConnection, upload_id: int, *, changed_by: str) -> int:
    """Return the loaded data to the state right after ``upload_id``; the restore's own id.
    ``changed_by`` is recorded with the restore."""
    with _transaction(con):
        ensure_storage(con)
        _set_loaded(con, upload_id)
        if holds_sample(con):  # the sample's data is back, and its agreement if none is saved
            agreement_sample.add_if_none_in_transaction(con, changed_by)
        what = f"restored the state after upload {upload_id}"
        restore_id = _add_entry(con, upload_id, RESTORE, what, changed_by)
        rebuild_in_transaction(con)
    return restore_id


class DateOrderRead(NamedTuple):
    """How a loaded upload's dates were read, day-first or month-first."""

    order: str
    upload_id: int
    file_name: str


def last_date_order(con: duckdb.DuckDBPyConnection, preset: str) -> DateOrderRead | None:
    """The date order of the latest loaded upload read by ``preset`` (the same tool's export:
    a CRM's may be day-first and an ad platform's month-first) whose dates were read day-first
    or month-first; an upload undone, perhaps for reading them wrong, has no say. None when
    none was, or the history predates it."""
    columns = set(con.execute(_COLUMNS_SQL).fetchall())
    if not {("uploads", "date_order"), ("loaded_uploads", "upload_id")} <= columns:
        return None
    found = con.execute(
        "select date_order, upload_id, file_name from uploads "
        "where date_order is not null and preset = $preset "
        "and upload_id in (select upload_id from loaded_uploads) "
        "order by upload_id desc limit 1",
        {"preset": preset},
    ).fetchall()
    return DateOrderRead(*found[0]) if found else None


def has_history(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether anything was ever uploaded (or built) into this database."""
    return has_table(con, "uploads") and bool(_count(con, "uploads"))


def loaded_anything(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether any upload's rows are loaded (a new database has none)."""
    return has_table(con, "loaded_uploads") and bool(_count(con, "loaded_uploads"))


def history(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every upload and restore, newest first, without the archived bytes."""
    if not has_table(con, "uploads"):
        return pd.DataFrame()
    # A database from before changed_by (or date_order) was recorded lacks the column until
    # its next write.
    columns = con.table("uploads").columns
    changed_by, date_order = (
        name if name in columns else "null::varchar" for name in ("changed_by", "date_order")
    )
    return con.execute(
        "select upload_id, uploaded_at, kind, file_name, preset, mode, count_rows_in_file, "
        "count_rows_loaded, count_rows_rejected, count_new, count_changed, count_unchanged, "
        f"sha256, {changed_by} as changed_by, {date_order} as date_order, "
        "upload_id = (select max(upload_id) from uploads) as is_current "
        "from uploads order by upload_id desc"
    ).df()


def parent_of(con: duckdb.DuckDBPyConnection, upload_id: int) -> int | None:
    """The entry whose state ``upload_id`` was applied to: restoring it undoes the upload.
    When the upload removed the sample, that is the state before the removal: the sample."""
    rows = con.execute(
        "select uploads.parent_id, parents.kind, parents.parent_id from uploads "
        "left join uploads as parents on uploads.parent_id = parents.upload_id "
        "where uploads.upload_id = $id",
        {"id": upload_id},
    ).fetchall()
    if not rows:
        return None
    parent_id, parent_kind, grandparent_id = rows[0]
    return grandparent_id if parent_kind == SAMPLE_REMOVED else parent_id
