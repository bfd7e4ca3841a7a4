"""The change log: who changed what, and when, for the writes that are not uploads.

Uploads and restores are entries of the upload history, which records ``changed_by`` itself.
Every other write (channel rules today; agreements and the meeting's actions later) adds a line
here in its own transaction, so a change and its record commit, or vanish, together.
"""

import duckdb
import pandas as pd

from revcycle import settings
from revcycle.db import has_table

SHOWN_CHANGES = 20
NAMED_IN_LINE = 5  # a line names at most this many items, then counts the rest


def record(con: duckdb.DuckDBPyConnection, changed_by: str, what: str) -> None:
    """Add ``what`` (a sentence) by ``changed_by`` to the log, in the caller's transaction."""
    con.execute(
        "create table if not exists change_log "
        "(changed_at timestamp, changed_by varchar, what varchar)"
    ).fetchall()
    con.execute(
        "insert into change_log values ($at, $by, $what)",
        {"at": settings.wall_clock_now(), "by": changed_by, "what": what},
    ).fetchall()


def named(items: list[str], limit: int = NAMED_IN_LINE, noun: str = "") -> str:
    """``items`` joined for a line: the first ``limit`` by name, the rest counted ("Email,
    Events and 6 more", with ``noun`` "channel": "… and 6 more channels")."""
    shown = ", ".join(items[:limit])
    rest = len(items) - limit
    counted = f"{noun}{'' if rest == 1 else 's'}" if noun else ""
    return f"{shown} and {rest:,} more {counted}".rstrip() if rest > 0 else shown


def recent(con: duckdb.DuckDBPyConnection, limit: int = SHOWN_CHANGES) -> pd.DataFrame:
    """The latest ``limit`` changes, newest first: changed_at, changed_by, what."""
    if not has_table(con, "change_log"):
        return pd.DataFrame(columns=["changed_at", "changed_by", "what"])
    return con.execute(
        "select changed_at, changed_by, what from change_log "
        "order by changed_at desc, rowid desc limit $limit",
        {"limit": limit},
    ).df()
