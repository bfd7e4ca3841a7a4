"""Channel rules: which channel a raw lead-source value belongs to, kept in the database."""

from collections.abc import Iterable

import duckdb

from revcycle import audit, contract
from revcycle.db import has_table
from revcycle.importer import rule_tables

# Where the rows of a source value with no rule count ("{}": the values, or "them"): a deal
# linked to a lead counts in the lead's channel, and a spend row in the channel of its campaign
# among the leads and touches (stg_spend).
UNMAPPED_BY_KIND = {
    "leads": "Leads with {} will load under (unmapped).",
    "deals": "Deals with {} and no lead will count under (unmapped).",
    "touches": "Touches with {} will count under (unmapped).",
    "spend": "Spend rows with {} will count under (unmapped), unless their campaign is one the "
    "leads or touches have a channel for.",
}


# More source values with no rule than this in one file, and the column read as the source is
# likely no source at all (an id, free text): a load says so, and names only this many.
MANY_UNMAPPED = 50


def too_many_unmapped(kind: str, mapping: dict[str, str], count: int) -> str:
    """The sentence for ``count`` (over MANY_UNMAPPED) source values with no rule in a file of
    ``kind`` read with ``mapping``, naming the column read as the source; the caller says how
    to read another column."""
    field = contract.SOURCE_FIELD_BY_KIND[kind]
    return (
        f"{count:,} source values with no channel rule, so many that the column "
        f"'{mapping.get(field)}', read as the {field}, may hold something else, such as an id "
        "or free text"
    )


def where_unmapped_count(kind: str, values: list[str]) -> str:
    """Where the rows with ``values`` (source values left without a rule) count, naming them
    when they are few (audit.NAMED_IN_LINE) and counting them when they are more."""
    if len(values) <= audit.NAMED_IN_LINE:
        return UNMAPPED_BY_KIND[kind].format(", ".join(values))
    return UNMAPPED_BY_KIND[kind].format(f"the {len(values):,} source values left without one")


def source_keys(values: Iterable[str]) -> list[str]:
    """The rule key of each source value, in order, by the ``source_key`` macro staging uses:
    "Paid Search" -> "paid_search"."""
    return rule_tables.keys("source_key", values)


def rules(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """Source key -> channel, for every rule loaded."""
    if not has_table(con, "raw_channel_rules"):
        return {}
    rows = con.execute("select source, channel from raw_channel_rules").fetchall()
    rows = [(source, channel) for source, channel in rows if source]
    return dict(zip(source_keys(source for source, _ in rows), (c for _, c in rows), strict=True))


def unmapped_sources(con: duckdb.DuckDBPyConnection, sources) -> list[str]:
    """The distinct non-blank source values no rule covers; they would land in (unmapped)."""
    known = rules(con)
    # A million rows hold a few dozen sources: take them distinct before any per-value work.
    distinct = sorted(
        {value.strip() for value in set(sources) if isinstance(value, str) and value.strip()}
    )
    return uncovered(distinct, known)


def uncovered(sources: list[str], keys: Iterable[str]) -> list[str]:
    """The ``sources`` whose rule key is none of ``keys``, in their order."""
    keys = set(keys)
    return [
        source for source, key in zip(sources, source_keys(sources), strict=True) if key not in keys
    ]


def rules_saved_anyway(new_rules: dict[str, str], *, dry_run: bool = False) -> str:
    """What a load whose rows are all loaded already says of the rules given with it ("" for
    none): they are saved all the same (with ``dry_run``: would be), and the rebuild counts
    their sources' rows under them. A long list names the first few and counts the rest."""
    if not new_rules:
        return ""
    given = [f"{source} → {channel}" for source, channel in new_rules.items()]
    shown = "; ".join(given[: audit.NAMED_IN_LINE])
    if (rest := len(given) - audit.NAMED_IN_LINE) > 0:
        shown += f"; and {rest} more"
    rules = "rule given with it" if len(given) == 1 else "rules given with it"
    verb = ("would be" if dry_run else "is" if len(given) == 1 else "are") + " saved"
    return f"the channel {rules} {verb}: {shown}"


def add_rules(
    con: duckdb.DuckDBPyConnection, new_rules: dict[str, str], *, changed_by: str
) -> None:
    """Add or change rules (raw value -> channel), in the caller's transaction: a new rule
    replaces every rule with its source key; of two new rules with one key, the later wins.
    The change log records them under ``changed_by``."""
    if not new_rules:
        return
    cleaned = _one_per_key(new_rules.items())
    existing = [row[0] for row in con.execute("select source from raw_channel_rules").fetchall()]
    replaced = [
        source
        for source, key in zip(existing, source_keys(existing), strict=True)
        if key in cleaned
    ]
    con.execute(
        "delete from raw_channel_rules where list_contains($replaced, source)",
        {"replaced": replaced},
    ).fetchall()
    for source, channel in cleaned.values():
        con.execute(
            "insert into raw_channel_rules values ($source, $channel)",
            {"source": source, "channel": channel},
        ).fetchall()
    added = [f"{source} → {channel}" for source, channel in cleaned.values()]
    audit.record(con, changed_by, f"Added channel rules with an upload: {audit.named(added)}")


def all_rules(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str]]:
    """Every rule as (source value, channel), sorted by channel then source."""
    if not has_table(con, "raw_channel_rules"):
        return []
    return con.execute(
        "select source, channel from raw_channel_rules order by channel, source"
    ).fetchall()


def replace_rules(
    con: duckdb.DuckDBPyConnection, new_rules: list[tuple[str, str]], *, changed_by: str
) -> int:
    """Make ``new_rules`` the whole rule table and rebuild, in one transaction; the change log
    records it under ``changed_by``. Returns how many rules the table holds.

    A blank source or channel is refused; when two rules share a source key the later wins.
    """
    if any(
        not (source or "").strip() or not (channel or "").strip() for source, channel in new_rules
    ):
        raise ValueError("every rule needs a source value and a channel")
    cleaned = _one_per_key(new_rules)
    rule_tables.replace(
        con, "raw_channel_rules", cleaned.values(), noun="channel rules", changed_by=changed_by
    )
    return len(cleaned)


def _one_per_key(pairs: Iterable[tuple[str, str]]) -> dict[str, tuple[str, str]]:
    """Source key -> (source, channel), both trimmed; of two pairs with one key the later wins."""
    pairs = [(source.strip(), channel.strip()) for source, channel in pairs]
    keys = source_keys(source for source, _ in pairs)
    return dict(zip(keys, pairs, strict=True))
