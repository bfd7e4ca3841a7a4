"""Channel rules: which channel a raw lead-source value belongs to, kept in the database."""

import re

import duckdb

from revcycle.build import _has_table


def source_key(value: str) -> str:
    """The rule key of a source value, as staging computes it: "Paid Search" -> "paid_search"."""
    return re.sub(r"[^a-z0-9]+", "_", value.strip().lower())


def rules(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """Source key -> channel, for every rule loaded."""
    if not _has_table(con, "raw_channel_rules"):
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
