"""The database's health: opening it for reading while the dashboard writes, telling a damaged
file from a busy one, and checking that every table reads and every kept file is intact.

DuckDB lets one process write a database file and, while it does, no other process open it,
not even read-only (DuckDB 2.0.1 refuses with "Could not set lock on file"). So a command that
only reads, run while the dashboard holds the file, reads a copy: the database file and its
write-ahead log, copied while neither changed. Unchanged across the copy, the two files are what
a crash at that moment would have left, which DuckDB is built to open.
"""

import errno
import hashlib
import os
import re
import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import duckdb

from revcycle.db import is_interrupt, open_duckdb
from revcycle.importer import load

COPY_ATTEMPTS = 5
_READ_CHUNK = 1 << 20
# How DuckDB words a file it cannot read as a database, or a block whose checksum fails.
_DAMAGE = (
    "not a valid DuckDB database file",
    "Corrupt database file",
    "Could not read enough bytes",
    "database has been invalidated",
)
_LOCKED = ("Could not set lock", "Conflicting lock")
_DISK_FULL = {errno.ENOSPC, errno.EFBIG, errno.EDQUOT, errno.EROFS, errno.EIO}
_WRITE_FAILED = re.compile(r'Could not write file "(?P<path>[^"]+)": (?P<reason>[^"\n]+)')
# DuckDB opening a file it may not (the database in a folder this user may not write, where
# the commit opens its .wal file beside it).
_OPEN_REFUSED = re.compile(r'Cannot open file "(?P<path>[^"]+)": Permission denied')


class DatabaseDamaged(RuntimeError):
    """The database file cannot be read as a database; the message says what to do."""

    def __init__(self, path: Path, cause: Exception):
        self.cause = cause
        super().__init__(
            f"The database {path} is damaged ({first_line(cause)}). Bring a backup back with "
            "`python -m revcycle restore-backup DIR --replace`, or move the file aside and "
            "load the exports again."
        )


def _holder(cause: Exception) -> str:
    """ "Process 24871", as DuckDB's lock error names it, else "Another process"."""
    holder = re.search(r"\(PID (\d+)\)", str(cause))
    return f"Process {holder.group(1)}" if holder else "Another process"


class DatabaseBusy(RuntimeError):
    """Another process holds the database for writing."""

    def __init__(self, path: Path, cause: Exception):
        super().__init__(
            f"{_holder(cause)} (a running dashboard?) holds {path} for writing, so it "
            "cannot be changed from here. Stop it, or change the data from the dashboard."
        )


class DatabaseInUse(RuntimeError):
    """Another process holds the database the dashboard opens: one more dashboard on the same
    file, or a load from the command line before the dashboard started."""

    def __init__(self, path: Path, cause: Exception):
        super().__init__(
            f"{_holder(cause)} holds the database {path} (another dashboard on it, or a load "
            "from the command line?), and one process at a time can open it. Stop the other "
            "dashboard, or wait for the load to end, then reload this page."
        )


class DatabaseUnusable(RuntimeError):
    """``REVCYCLE_DB`` names something that is no database this process may use."""

    def __init__(self, path: Path, what: str):
        super().__init__(
            f"REVCYCLE_DB names {path}, which {what}. Point REVCYCLE_DB at the Revcycle "
            "database file (data/revcycle.duckdb by default), or at a new file's path for a new "
            "database."
        )


NOT_A_DATABASE = "is not a DuckDB database (a CSV or another data file?)"


def open_database_file(path: Path, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """open_duckdb on ``path``, once it is a database file or none yet: a folder is refused, and
    so is a data file (a CSV), which DuckDB opens as an in-memory database that reads it, where
    a load would seem to succeed and keep nothing. A damaged database fails to open instead."""
    if path.is_dir():
        raise DatabaseUnusable(path, "is a folder, not a database file")
    try:
        con = open_duckdb(path, read_only=read_only)
    except duckdb.CatalogException as error:  # read only: "Cannot launch in-memory database"
        raise DatabaseUnusable(path, NOT_A_DATABASE) from error
    [(opened,)] = con.execute(
        "select path from duckdb_databases() where database_name = current_database()"
    ).fetchall()
    if opened is None:
        con.close()
        raise DatabaseUnusable(path, NOT_A_DATABASE)
    return con


class KeptChanging(RuntimeError):
    """The database changed during every attempt to copy it; the message says to retry."""


def first_line(error: BaseException) -> str:
    """The first line of an error's message (DuckDB adds context lines)."""
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


def is_damage(error: BaseException) -> bool:
    """Whether DuckDB's ``error`` says the file is damaged, not busy or merely refused."""
    return any(words in str(error) for words in _DAMAGE)


def is_locked(error: BaseException) -> bool:
    """Whether DuckDB's ``error`` says another process holds the file."""
    return any(words in str(error) for words in _LOCKED)


def explain(error: BaseException) -> str | None:
    """A sentence for a fault a person can act on (a full disk, a damaged file); None else."""
    written = _WRITE_FAILED.search(str(error))
    if written:
        return (
            f"{written['reason']}, writing {written['path']}. Nothing was committed: the data "
            "is as it was. Free some space and try again."
        )
    refused = _OPEN_REFUSED.search(str(error))
    if refused:
        return (
            f"Permission denied, opening {refused['path']}. Nothing was committed: the data is "
            "as it was. This user must be able to write the database's folder (DuckDB keeps a "
            ".wal file beside the database while it commits)."
        )
    if isinstance(error, OSError) and error.strerror and error.filename:
        if error.errno in _DISK_FULL:
            return f"{error.strerror}, writing {error.filename}. Nothing was committed."
        return f"{error.strerror}: {error.filename}."
    if is_damage(error):
        return (
            f"The database is damaged ({first_line(error)}). `python -m revcycle check` "
            "names what, and `python -m revcycle restore-backup DIR` brings a backup back."
        )
    return None


def open_to_write(path: Path) -> duckdb.DuckDBPyConnection:
    """Connect to write; a busy or damaged file raises with a sentence saying which."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        return open_database_file(path)
    except duckdb.IOException as error:
        if is_locked(error):
            raise DatabaseBusy(path, error) from error
        if is_damage(error):
            raise DatabaseDamaged(path, error) from error
        if "Permission denied" in str(error):
            raise DatabaseUnusable(path, "this user may not write (Permission denied)") from error
        raise


@dataclass(frozen=True)
class Reading:
    """A read-only connection and, when it reads a copy, the sentence that says so."""

    con: duckdb.DuckDBPyConnection
    note: str | None


@contextmanager
def open_to_read(path: Path) -> Iterator[Reading]:
    """A read-only connection to ``path``; a copy of it while another process writes it. A
    database that does not exist yet reads as an empty one."""
    if not path.exists():
        con = open_duckdb()
        try:
            yield Reading(con, None)
        finally:
            con.close()
        return
    try:
        con = open_database_file(path, read_only=True)
    except duckdb.IOException as error:
        if is_damage(error):
            raise DatabaseDamaged(path, error) from error
        if not is_locked(error):
            raise
        with _snapshot(path) as (con, taken_at):
            note = (
                f"Another process (a running dashboard?) holds {path}; this reads a copy "
                f"taken at {taken_at:%H:%M:%S}."
            )
            yield Reading(con, note)
        return
    try:
        yield Reading(con, None)
    finally:
        con.close()


@contextmanager
def _snapshot(path: Path):
    with tempfile.TemporaryDirectory(prefix="revcycle-read-") as folder:
        copy = Path(folder) / path.name
        stable_copy(path, copy)
        taken_at = datetime.now()
        # Read-write on the private copy: opening replays the copied write-ahead log.
        try:
            con = open_duckdb(copy)
        except duckdb.IOException as error:
            if is_damage(error):
                raise DatabaseDamaged(path, error) from error
            raise
        try:
            yield con, taken_at
        finally:
            con.close()


def _wal(path: Path) -> Path:
    return path.with_name(path.name + ".wal")


def _state(path: Path) -> tuple:
    """What changes when a file is written: size, modification time, identity; None if gone."""
    try:
        stat = path.stat()
    except FileNotFoundError:
        return (None,)
    return (stat.st_size, stat.st_mtime_ns, stat.st_ino)


def stable_copy(path: Path, target: Path) -> None:
    """Copy the database file and its write-ahead log to ``target`` (and ``target``.wal) while
    neither changes; retried a few times, then refused with a sentence."""
    for _ in range(COPY_ATTEMPTS):
        before = (_state(path), _state(_wal(path)))
        shutil.copyfile(path, target)
        _wal(target).unlink(missing_ok=True)
        if _wal(path).exists():
            try:
                shutil.copyfile(_wal(path), _wal(target))
            except FileNotFoundError:  # a checkpoint folded it in meanwhile: copy again
                continue
        if (_state(path), _state(_wal(path))) == before:
            return
        time.sleep(0.2)
    raise KeptChanging(
        f"{path} kept changing while it was copied ({COPY_ATTEMPTS} tries): another process is "
        "writing it. Try again in a moment."
    )


# --- check ------------------------------------------------------------------------------------


def table_problems(con: duckdb.DuckDBPyConnection) -> list[str]:
    """A sentence per base table that cannot be read to its last value."""
    names = [
        row[0]
        for row in con.execute(
            "select table_name from information_schema.tables "
            "where table_type = 'BASE TABLE' and table_schema = 'main' order by table_name"
        ).fetchall()
    ]
    problems = []
    for name in names:
        # Hashing every row reads every column's every block (a count would read none), in
        # constant memory.
        try:
            con.table(name).aggregate("bit_xor(hash(*columns(*)))").fetchall()
        except duckdb.Error as error:
            if is_interrupt(error):  # the person stopped the check: no table is to blame
                raise
            problems.append(f"The table {name} cannot be read: {first_line(error)}.")
    return problems


def archive_problems(con: duckdb.DuckDBPyConnection, folder: Path) -> list[str]:
    """A sentence per kept upload file that is missing or whose sha256 differs."""
    try:
        kept = load.kept_files(con)
    except duckdb.Error as error:
        if is_interrupt(error):
            raise
        return []  # the uploads table's own problem is said by table_problems
    problems = []
    for name, file_name in sorted(kept.items(), key=lambda item: (item[1], item[0])):
        path = folder / name
        if not path.is_file():
            problems.append(f"The kept copy of {file_name} is missing: {path}.")
        elif file_sha256(path) != Path(name).stem:
            problems.append(
                f"The kept copy of {file_name} ({path}) has changed: its sha256 no longer "
                "matches the one recorded when it was uploaded."
            )
    return problems


def file_sha256(path: Path) -> str:
    """The file's sha256, read a megabyte at a time."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_READ_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def fsync_file(path: Path) -> None:
    """Flush ``path`` to the disk: a backup is complete only once it is there."""
    with path.open("rb") as handle:
        os.fsync(handle.fileno())
