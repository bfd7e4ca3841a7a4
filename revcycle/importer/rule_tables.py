"""Saving a whole rule table (channel rules, stage rules): the table replaced, the change
logged under who made it and the numbers rebuilt, in one transaction, so a failure leaves the
rules and the numbers as they were."""

from collections.abc import Iterable
from typing import NamedTuple

import duckdb

from revcycle import audit
from revcycle.db import rollback_after, scratch
from revcycle.rebuild import rebuild_in_transaction, seed_rules


class _Table(NamedTuple):
    create: str
    read: str
    insert: str


# The rule tables' statements, written out: table names cannot be bound, and no other name
# reaches the SQL.
TABLES = {
    "raw_channel_rules": _Table(
        "create or replace table raw_channel_rules (source varchar, channel varchar)",
        "select source, channel from raw_channel_rules",
        "insert into raw_channel_rules values (?, ?)",
    ),
    "raw_stage_rules": _Table(
        "create or replace table raw_stage_rules (stage varchar, outcome varchar)",
        "select stage, outcome from raw_stage_rules",
        "insert into raw_stage_rules values (?, ?)",
    ),
}


# How a rule table matches a value to its rule: the macro staging uses (queries/macros.sql).
_KEYS_SQL = {
    "source_key": "select [source_key(value) for value in $values]",
    "stage_key": "select [stage_key(value) for value in $values]",
}


def keys(macro: str, values: Iterable[str]) -> list[str]:
    """Each of ``values``' rule key, in order, by ``macro`` (a key of _KEYS_SQL), as staging
    matches them: one query for all the values."""
    cursor = scratch()
    try:
        return cursor.execute(_KEYS_SQL[macro], {"values": list(values)}).fetchall()[0][0]
    finally:
        cursor.close()


def replace(
    con: duckdb.DuckDBPyConnection,
    table: str,
    rows: Iterable[tuple[str, str]],
    *,
    noun: str,
    changed_by: str,
) -> None:
    """Make ``rows`` the whole of ``table`` (a key of TABLES) and rebuild; the change log
    says "Saved the <noun>: added …; removed …" under ``changed_by``."""
    statements, rows = TABLES[table], list(rows)
    con.begin()
    try:
        seed_rules(con)  # a database from before the table existed
        before = set(con.execute(statements.read).fetchall())
        con.execute(statements.create)
        if rows:
            con.executemany(statements.insert, rows)
        audit.record(con, changed_by, _change_line(noun, before, set(rows)))
        rebuild_in_transaction(con)
        con.commit()
    except BaseException as error:
        rollback_after(con, error)
        raise


def _change_line(noun: str, before: set[tuple[str, str]], after: set[tuple[str, str]]) -> str:
    """The change log's line for a saved rule table: the rules added and removed."""
    parts = [
        f"{verb} {audit.named([f'{key} → {value}' for key, value in sorted(rules)])}"
        for verb, rules in (("added", after - before), ("removed", before - after))
        if rules
    ]
    return f"Saved the {noun}: " + ("; ".join(parts) if parts else "no change")
