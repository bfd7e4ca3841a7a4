"""Committing an upload: merge or replace in one transaction, archive it, history and restore.

Every upload is kept: the original file's bytes and sha256, and the rows it loaded in the
contract's text form. Each upload records the state it was applied to (its parent), so the
state after any upload can be rebuilt by replaying its chain — which is what restore does. A
restore is itself an entry, so the history reads as what happened, and a later upload builds on
the restored state.
"""

import hashlib
from dataclasses import dataclass
from datetime import datetime

import duckdb
import pandas as pd
import pyarrow as pa

from revcycle import contract
from revcycle.build import RAW_TABLE_BY_KIND, _has_table, rebuild_in_transaction

MODES = ("merge", "replace")
BASELINE = "baseline"  # the data that was loaded before the first upload (e.g. the sample)
RESTORE = "restore"


@dataclass(frozen=True)
class ChangePreview:
    count_new: int
    count_changed: int
    count_unchanged: int
    count_removed: int  # rows a replace drops because the new file lacks them


@dataclass(frozen=True)
class UploadMeta:
    file_name: str
    file_bytes: bytes
    preset: str  # the preset or saved mapping that read the file
    count_rows_in_file: int
    count_rows_rejected: int


def _run(con: duckdb.DuckDBPyConnection, sql: str, params: dict | None = None) -> None:
    # DuckDB wants each statement's result consumed before the connection does more work
    # (such as registering a DataFrame); statements here return at most a row count.
    con.execute(sql, params or {}).fetchall()


def _upload_rows_table(kind: str) -> str:
    return f"upload_rows_{kind}"


def _columns(kind: str) -> list[str]:
    return contract.column_names(kind)


def _quoted(kind: str) -> str:
    # Identifiers come from the contract, an allow-list.
    return ", ".join(f'"{name}"' for name in _columns(kind))


def ensure_history(con: duckdb.DuckDBPyConnection) -> None:
    """Create the history tables; the first time, keep what is loaded as the baseline."""
    _run(
        con,
        "create table if not exists uploads (upload_id bigint, parent_id bigint, "
        "uploaded_at timestamp, kind varchar, file_name varchar, sha256 varchar, "
        "size_bytes bigint, preset varchar, mode varchar, count_rows_in_file bigint, "
        "count_rows_loaded bigint, count_rows_rejected bigint, count_new bigint, "
        "count_changed bigint, count_unchanged bigint, file_bytes blob)",
    )
    _run(con, "create table if not exists history_head (upload_id bigint)")
    for kind in contract.FIELDS_BY_KIND:
        columns = ", ".join(f'"{name}" varchar' for name in _columns(kind))
        _run(
            con,
            f"create table if not exists {_upload_rows_table(kind)} (upload_id bigint, {columns})",
        )
    if con.execute("select count(*) from uploads").fetchall()[0][0] == 0:
        _run(
            con,
            "insert into uploads (upload_id, parent_id, uploaded_at, kind, file_name, mode) "
            "values (0, null, now(), $kind, 'data loaded before the first upload', 'replace')",
            {"kind": BASELINE},
        )
        for kind, table in RAW_TABLE_BY_KIND.items():
            if _has_table(con, table):
                _run(
                    con,
                    f"insert into {_upload_rows_table(kind)} select 0, {_quoted(kind)} "
                    f"from {table}",
                )
        _run(con, "delete from history_head")
        _run(con, "insert into history_head values (0)")


def _register_incoming(con: duckdb.DuckDBPyConnection, kind: str, rows: pd.DataFrame) -> None:
    """Copy ``rows`` once into the temp table incoming_rows, which every later step reads."""
    # Through Arrow: DuckDB reads an Arrow table of strings far faster than Python objects.
    try:
        # prepare's rows hold only str and None: straight to Arrow strings, column by column,
        # without copying the frame or asking pandas for its missing values first.
        arrays = [
            pa.array(rows[name].to_numpy(dtype=object), type=pa.string(), from_pandas=True)
            if name in rows.columns
            else pa.nulls(len(rows), pa.string())
            for name in _columns(kind)
        ]
        incoming = pa.Table.from_arrays(arrays, names=_columns(kind))
    except (pa.ArrowTypeError, pa.ArrowInvalid):  # other values (a caller's own frame): cast
        frame = rows.reindex(columns=_columns(kind)).astype(object)
        frame = frame.where(frame.notna(), None)
        incoming = pa.Table.from_pandas(frame, preserve_index=False)
    con.register("incoming_frame", incoming)
    casts = ", ".join(f'cast("{name}" as varchar) as "{name}"' for name in _columns(kind))
    _run(con, f"create or replace temp table incoming_rows as select {casts} from incoming_frame")
    con.unregister("incoming_frame")


def preview(
    con: duckdb.DuckDBPyConnection, kind: str, rows: pd.DataFrame, mode: str
) -> ChangePreview:
    """How ``rows`` would change what is loaded: new, changed, unchanged (and removed)."""
    return _preview(con, kind, rows, count_removed=mode == "replace")


def _preview(
    con: duckdb.DuckDBPyConnection, kind: str, rows: pd.DataFrame, count_removed: bool
) -> ChangePreview:
    table = RAW_TABLE_BY_KIND[kind]
    id_field = contract.ID_FIELD_BY_KIND[kind]
    _register_incoming(con, kind, rows)
    if not _has_table(con, table):
        return ChangePreview(len(rows), 0, 0, 0)
    columns = _columns(kind)
    differs = " or ".join(f'incoming."{c}" is distinct from loaded."{c}"' for c in columns)
    new, changed, unchanged = con.execute(
        f"select count(*) filter (where loaded.{id_field} is null), "
        f"count(*) filter (where loaded.{id_field} is not null and ({differs})), "
        f"count(*) filter (where loaded.{id_field} is not null and not ({differs})) "
        f"from incoming_rows as incoming left join {table} as loaded "
        f"on incoming.{id_field} = loaded.{id_field}"
    ).fetchall()[0]
    removed = 0
    if count_removed:
        removed = con.execute(
            f"select count(*) from {table} where {id_field} not in "
            f"(select {id_field} from incoming_rows)"
        ).fetchall()[0][0]
    return ChangePreview(new, changed, unchanged, removed)


def _apply(con: duckdb.DuckDBPyConnection, kind: str, source: str, mode: str) -> None:
    """Apply rows (from the relation ``source``) to raw_<kind> by merge or replace."""
    table = RAW_TABLE_BY_KIND[kind]
    id_field = contract.ID_FIELD_BY_KIND[kind]
    if mode == "replace" or not _has_table(con, table):
        _run(con, f"create or replace table {table} as select {_quoted(kind)} from {source}")
        return
    _run(con, f"delete from {table} where {id_field} in (select {id_field} from {source})")
    _run(con, f"insert into {table} select {_quoted(kind)} from {source}")


def commit_upload(
    con: duckdb.DuckDBPyConnection,
    kind: str,
    rows: pd.DataFrame,
    mode: str,
    meta: UploadMeta,
) -> int:
    """Load ``rows`` (contract columns, text) in one transaction, rebuild, archive; the id.

    A failure anywhere — or a killed process — leaves the previous data exactly as it was:
    DuckDB discards a transaction that did not commit.
    """
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, not {mode!r}")
    con.begin()
    try:
        ensure_history(con)
        # The upload records new, changed and unchanged only: counting what a replace removes
        # would scan both tables once more for a number nothing keeps.
        change = _preview(con, kind, rows, count_removed=False)
        upload_id = con.execute("select max(upload_id) + 1 from uploads").fetchall()[0][0]
        _run(
            con,
            "insert into uploads values ($id, (select upload_id from history_head), now(), "
            "$kind, $file, $sha, $size, $preset, $mode, $in_file, $loaded, $rejected, $new, "
            "$changed, $unchanged, $bytes)",
            {
                "id": upload_id,
                "kind": kind,
                "file": meta.file_name,
                "sha": hashlib.sha256(meta.file_bytes).hexdigest(),
                "size": len(meta.file_bytes),
                "preset": meta.preset,
                "mode": mode,
                "in_file": meta.count_rows_in_file,
                "loaded": len(rows),
                "rejected": meta.count_rows_rejected,
                "new": change.count_new,
                "changed": change.count_changed,
                "unchanged": change.count_unchanged,
                "bytes": meta.file_bytes,
            },
        )
        _run(
            con,
            f"insert into {_upload_rows_table(kind)} select $id, {_quoted(kind)} "
            "from incoming_rows",
            {"id": upload_id},
        )
        _apply(con, kind, "incoming_rows", mode)
        _set_head(con, upload_id)
        rebuild_in_transaction(con)
        con.commit()
    except BaseException:
        con.rollback()
        raise
    finally:
        con.execute("drop table if exists incoming_rows").fetchall()
    return upload_id


def _set_head(con: duckdb.DuckDBPyConnection, upload_id: int) -> None:
    _run(con, "delete from history_head")
    _run(con, "insert into history_head values ($id)", {"id": upload_id})


def _chain(con: duckdb.DuckDBPyConnection, upload_id: int) -> list[tuple[int, str, str]]:
    """The uploads whose replay gives the state after ``upload_id``, oldest first."""
    entries = {
        row[0]: row[1:]
        for row in con.execute("select upload_id, parent_id, kind, mode from uploads").fetchall()
    }
    if upload_id not in entries:
        raise LookupError(f"there is no upload {upload_id}; see `python -m revcycle history`")
    chain = []
    current = upload_id
    while current is not None:
        parent, kind, mode = entries[current]
        chain.append((current, kind, mode))
        current = parent
    return chain[::-1]


def restore(con: duckdb.DuckDBPyConnection, upload_id: int) -> int:
    """Return the loaded data to the state right after ``upload_id``; the restore's own id."""
    con.begin()
    try:
        ensure_history(con)
        chain = _chain(con, upload_id)
        for kind, table in RAW_TABLE_BY_KIND.items():
            columns = ", ".join(f'"{name}" varchar' for name in _columns(kind))
            _run(con, f"create or replace table {table} ({columns})")
        for entry_id, kind, mode in chain:
            if kind == RESTORE:
                continue  # a restore's state is its target's, already replayed
            for each in contract.FIELDS_BY_KIND if kind == BASELINE else [kind]:
                _run(
                    con,
                    f"create or replace temp table replay_rows as select {_quoted(each)} "
                    f"from {_upload_rows_table(each)} where upload_id = $id",
                    {"id": entry_id},
                )
                _apply(con, each, "replay_rows", "replace" if kind == BASELINE else mode)
        restore_id = con.execute("select max(upload_id) + 1 from uploads").fetchall()[0][0]
        _run(
            con,
            "insert into uploads (upload_id, parent_id, uploaded_at, kind, file_name, mode) "
            "values ($id, $target, now(), $kind, $what, 'replace')",
            {
                "id": restore_id,
                "target": upload_id,
                "kind": RESTORE,
                "what": f"restored the state after upload {upload_id}",
            },
        )
        _set_head(con, restore_id)
        rebuild_in_transaction(con)
        con.commit()
    except BaseException:
        con.rollback()
        raise
    return restore_id


def history(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every upload and restore, newest first, without the archived bytes."""
    if not _has_table(con, "uploads"):
        return pd.DataFrame()
    return con.execute(
        "select upload_id, uploaded_at, kind, file_name, preset, mode, count_rows_in_file, "
        "count_rows_loaded, count_rows_rejected, count_new, count_changed, count_unchanged, "
        "sha256, upload_id = (select upload_id from history_head) as is_current "
        "from uploads order by upload_id desc"
    ).df()


def last_upload_at(con: duckdb.DuckDBPyConnection) -> datetime | None:
    """When data last changed through an upload or a restore (None before the first)."""
    if not _has_table(con, "uploads"):
        return None
    return con.execute("select max(uploaded_at) from uploads where upload_id > 0").fetchall()[0][0]


def parent_of(con: duckdb.DuckDBPyConnection, upload_id: int) -> int | None:
    """The entry whose state ``upload_id`` was applied to: restoring it undoes the upload."""
    rows = con.execute(
        "select parent_id from uploads where upload_id = $id", {"id": upload_id}
    ).fetchall()
    return rows[0][0] if rows else None
