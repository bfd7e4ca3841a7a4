"""Backups: a consistent copy of the database and the kept upload files, and bringing one back.

A backup is a folder: ``revcycle.duckdb`` (the database, its write-ahead log folded in),
``uploads/`` (the kept file of every upload it names, checked against its sha256) and
``backup.json`` (when, by whom, from where). It is taken from a copy made while the database
did not change (``health.stable_copy``), so it can be taken while the dashboard runs, and it is
written beside its folder and renamed into place: a folder named as the backup is complete.

Bringing one back replaces the database, so it needs the database free (the dashboard
stopped), says what it would replace unless told to, keeps the replaced file beside the new
one, and records who brought the backup back in the change log.
"""

import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import duckdb

from revcycle import audit, health
from revcycle.db import has_table, open_duckdb, rollback_after
from revcycle.importer import load

DATABASE_FILE = "revcycle.duckdb"
UPLOADS_FOLDER = "uploads"
MANIFEST = "backup.json"


class BackupRefused(RuntimeError):
    """A backup could not be taken or brought back; the message says why, a sentence a line."""


@dataclass(frozen=True)
class Restored:
    replaced: Path | None  # where the database that was replaced is kept
    summary: str  # what the backup holds, in a sentence


def archive_of(db_file: Path) -> Path:
    """The folder of kept upload files that belongs to ``db_file``."""
    return db_file.parent / UPLOADS_FOLDER


def take(db_file: Path, folder: Path, taken_by: str) -> str:
    """Write a backup of ``db_file`` and its kept files to ``folder`` (new or empty); a
    sentence saying what it holds."""
    if not db_file.exists():
        raise BackupRefused(f"There is no database at {db_file} to back up.")
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise BackupRefused(f"{folder} exists and is not an empty folder; name a new one.")
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}.partial-", dir=folder.parent))
    try:
        summary = _write(db_file, staging, taken_by)
        if folder.exists():
            folder.rmdir()  # empty, checked above
        staging.rename(folder)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return summary


def _write(db_file: Path, staging: Path, taken_by: str) -> str:
    copy = staging / DATABASE_FILE
    health.stable_copy(db_file, copy)
    con = open_duckdb(copy)  # a private copy: opening it replays the copied log
    try:
        con.execute("checkpoint").fetchall()  # one file, the log folded in
        problems = health.table_problems(con)
        problems += health.archive_problems(con, archive_of(db_file))
        if problems:
            raise BackupRefused("\n".join(["No backup was written:", *problems]))
        summary = describe(con)
        files = sorted(load.kept_files(con))
    finally:
        con.close()
    health.fsync_file(copy)
    (staging / UPLOADS_FOLDER).mkdir()
    for name in files:
        _copy_synced(archive_of(db_file) / name, staging / UPLOADS_FOLDER / name)
    manifest = {
        "taken_at": datetime.now().isoformat(timespec="seconds"),
        "taken_by": taken_by,
        "from": str(db_file.resolve()),
        "holds": summary,
    }
    (staging / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    health.fsync_file(staging / MANIFEST)
    return summary


def _copy_synced(source: Path, target: Path) -> None:
    shutil.copyfile(source, target)
    health.fsync_file(target)


def describe(con: duckdb.DuckDBPyConnection) -> str:
    """What a database holds, in a sentence: its history's length and latest entry."""
    if not has_table(con, "uploads"):
        return "no uploads"
    count, latest = con.execute(
        "select count(*), max(upload_id) from uploads where kind in ('leads', 'deals')"
    ).fetchall()[0]
    rows = con.execute(
        "select upload_id, uploaded_at, file_name, changed_by from uploads "
        "order by upload_id desc limit 1"
    ).fetchall()
    if not rows:
        return "no uploads"
    entry_id, at, what, by = rows[0]
    by = f" by {by}" if by else ""
    return (
        f"{count} uploads (the latest upload {latest}); history entry {entry_id} is the "
        f"newest: {what}, {at:%Y-%m-%d %H:%M}{by}"
    )


def bring_back(folder: Path, db_file: Path, restored_by: str, replace: bool) -> Restored:
    """Make the backup in ``folder`` the database at ``db_file``. Without ``replace``, an
    existing database is not touched: the refusal says what it holds and what would come."""
    incoming = _checked_backup(folder)
    if db_file.exists():
        current = _current(db_file)
        if not replace:
            raise BackupRefused(
                f"{db_file} holds {current}. The backup in {folder} holds {incoming}. Add "
                "--replace to replace it; the replaced database is kept beside it."
            )
    replaced = _swap_in(folder / DATABASE_FILE, db_file)
    archive_of(db_file).mkdir(parents=True, exist_ok=True)
    for source in sorted((folder / UPLOADS_FOLDER).iterdir()):
        target = archive_of(db_file) / source.name
        if not target.exists():  # named by content: a file there already holds these bytes
            _copy_synced(source, target)
    _record(db_file, restored_by, folder, replaced)
    return Restored(replaced, incoming)


def _current(db_file: Path) -> str:
    """What the database there holds, its log folded in; refused while the dashboard holds it.
    A damaged database says so: bringing a backup back is what it needs."""
    try:
        con = health.open_to_write(db_file)
    except health.DatabaseDamaged as damaged:
        return f"a damaged database ({health.first_line(damaged.cause)})"
    try:
        current = describe(con)
        con.execute("checkpoint").fetchall()  # its log folded in: one file to keep
    except duckdb.Error as error:
        if not health.is_damage(error):
            raise
        return f"a damaged database ({health.first_line(error)})"
    finally:
        con.close()
    return current


def _checked_backup(folder: Path) -> str:
    """What the backup holds; refused when any table or kept file in it is damaged."""
    if not (folder / MANIFEST).is_file() or not (folder / DATABASE_FILE).is_file():
        raise BackupRefused(f"{folder} is not a backup: it lacks {MANIFEST} or {DATABASE_FILE}.")
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (ValueError, OSError) as error:  # not JSON, not UTF-8, unreadable
        reason = f"{folder}'s {MANIFEST} cannot be read ({error}): the backup is damaged."
        raise BackupRefused(f"{reason} Nothing was changed.") from error
    try:
        con = open_duckdb(folder / DATABASE_FILE, read_only=True)
    except duckdb.Error as error:
        raise BackupRefused(f"The backup's database cannot be opened: {error}") from error
    try:
        problems = health.table_problems(con)
        problems += health.archive_problems(con, folder / UPLOADS_FOLDER)
        holds = describe(con)
    finally:
        con.close()
    if problems:
        raise BackupRefused("\n".join(["The backup is damaged; nothing was changed:", *problems]))
    return f"{holds} (taken {manifest.get('taken_at')} by {manifest.get('taken_by')})"


def _swap_in(source: Path, db_file: Path) -> Path | None:
    """Put a copy of ``source`` at ``db_file`` by renaming; the replaced file's new name."""
    db_file.parent.mkdir(parents=True, exist_ok=True)
    partial = db_file.with_name(f".{db_file.name}.partial")
    _copy_synced(source, partial)
    replaced = None
    if db_file.exists():
        replaced = db_file.with_name(f"{db_file.name}.replaced-{datetime.now():%Y%m%dT%H%M%S}")
        db_file.rename(replaced)
    # A log left beside the old file would be replayed onto the new one: it goes with the old.
    wal = db_file.with_name(db_file.name + ".wal")
    if wal.exists():
        if replaced is None:
            wal.unlink()
        else:
            wal.rename(replaced.with_name(replaced.name + ".wal"))
    os.replace(partial, db_file)
    return replaced


def _record(db_file: Path, restored_by: str, folder: Path, replaced: Path | None) -> None:
    kept = f"; the replaced database is kept as {replaced}" if replaced else ""
    con = open_duckdb(db_file)
    try:
        con.begin()
        try:
            audit.record(con, restored_by, f"Brought back the backup in {folder}{kept}")
            con.commit()
        except BaseException as error:
            rollback_after(con, error)
            raise
    finally:
        con.close()
