"""Channel rules: which channel a raw lead-source value belongs to, kept in the database."""

import re

import duckdb

from revcycle.db import has_table
from revcycle.rebuild import rebuild_in_transaction


def source_key(value: str) -> str:
    """The rule key of a source value, as staging computes it: "Paid Search" -> "paid_search"."""
    return re.sub(r"[^a-z0-9]+", "_", value.strip().lower())


def rules(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """Source key -> channel, for every rule loaded."""
    if not has_table(con, "raw_channel_rules"):
        return {}
    rows = con.execute("select source, channel from raw_channel_rules").fetchall()
    return {source_key(source): channel for source, channel in rows if source}


def unmapped_sources(con: duckdb.DuckDBPyConnection, sources) -> list[str]:
    """The distinct non-blank source values no rule covers; they would land in (unmapped)."""
    known = rules(con)
    # A million rows hold a few dozen sources: take them distinct before any per-value work.
    distinct = {value.strip() for value in set(sources) if isinstance(value, str) and value.strip()}
    return sorted(value for value in distinct if source_key(value) not in known)


def add_rules(con: duckdb.DuckDBPyConnection, new_rules: dict[str, str]) -> None:
    """Add or change rules (raw value -> channel), in the caller's transaction."""
    for source, channel in new_rules.items():
        con.execute(
            "delete from raw_channel_rules where lower(regexp_replace(trim(source), "
            "'[^A-Za-z0-9]+', '_', 'g')) = $key",
            {"key": source_key(source)},
        ).fetchall()
        con.execute(
            "insert into raw_channel_rules values ($source, $channel)",
            {"source": source.strip(), "channel": channel.strip()},
        ).fetchall()


def all_rules(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str]]:
    """Every rule as (source value, channel), sorted by channel then source."""
    if not has_table(con, "raw_channel_rules"):
        return []
    return con.execute(
        "select source, channel from raw_channel_rules order by channel, source"
    ).fetchall()


def replace_rules(con: duckdb.DuckDBPyConnection, new_rules: list[tuple[str, str]]) -> None:
    """Make ``new_rules`` the whole rule table and rebuild, in one transaction.

    A blank source or channel is refused; when two rules share a source key the later wins.
    """
    cleaned: dict[str, tuple[str, str]] = {}
    for source, channel in new_rules:
        if not (source or "").strip() or not (channel or "").strip():
            raise ValueError("every rule needs a source value and a channel")
        cleaned[source_key(source)] = (source.strip(), channel.strip())
    con.begin()
    try:
        con.execute(
            "create or replace table raw_channel_rules (source varchar, channel varchar)"
        ).fetchall()
        for source, channel in cleaned.values():
            con.execute(
                "insert into raw_channel_rules values ($source, $channel)",
                {"source": source, "channel": channel},
            ).fetchall()
        rebuild_in_transaction(con)
        con.commit()
    except BaseException:
        con.rollback()
        raise
