"""Stage rules: what a deal stage of the analysts' own naming means, kept in the database
beside the channel rules. "Contract signed" is won, "Disqualified" lost, "Closed - on hold"
still open: a stage's words alone say won only for Won or Closed Won…, and lost only for
Lost or Closed… (is_won_deal and is_closed_deal in queries/macros.sql), and a pipeline's
own names are read as open otherwise. A deal's Won and Closed columns, where the export has
them, still come first."""

from collections.abc import Iterable

import duckdb
import pyarrow as pa

from revcycle.db import has_table
from revcycle.importer import load, rule_tables

OUTCOMES = ("won", "lost", "open")
NOUN = "stage rules"


def all_rules(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str]]:
    """Every rule as (stage, outcome), sorted by outcome (won, lost, open) then stage."""
    if not has_table(con, "raw_stage_rules"):
        return []
    return con.execute(
        "select stage, outcome from raw_stage_rules "
        "order by list_position(['won', 'lost', 'open'], outcome), lower(stage)"
    ).fetchall()


def rule_rows(con: duckdb.DuckDBPyConnection) -> pa.Table:
    """The rules as the importer's checks join them (stage, outcome): none in a database
    that has no rule table yet."""
    rules = all_rules(con)
    return pa.table(
        {
            "stage": pa.array([stage for stage, _ in rules], pa.string()),
            "outcome": pa.array([outcome for _, outcome in rules], pa.string()),
        }
    )


def replace_rules(
    con: duckdb.DuckDBPyConnection, new_rules: Iterable[tuple[str, str]], *, changed_by: str
) -> int:
    """Make ``new_rules`` ((stage, outcome) pairs) the whole stage-rule table and rebuild, in
    one transaction; the change log records it under ``changed_by``. Returns how many rules
    the table holds. A blank stage, or an outcome other than won, lost or open (any case), is
    refused; of two rules for one stage (stage_key: case, spaces and marks aside) the later
    wins."""
    cleaned = _one_per_key(_checked(new_rules))
    load.ensure_storage(con)  # rules may come before the first upload: the rebuild reads it
    rule_tables.replace(con, "raw_stage_rules", cleaned.values(), noun=NOUN, changed_by=changed_by)
    return len(cleaned)


def set_rules(
    con: duckdb.DuckDBPyConnection, changes: dict[str, str | None], *, changed_by: str
) -> int:
    """Add, change (stage -> outcome) or, with None, remove rules, keeping the others; as
    replace_rules. Removing a rule there is none of raises LookupError."""
    to_remove = [stage for stage, outcome in changes.items() if outcome is None]
    removed = set(_stage_keys(to_remove))
    rules = all_rules(con)
    keys = _stage_keys(stage for stage, _ in rules)
    if unknown := [
        stage
        for stage, key in zip(to_remove, _stage_keys(to_remove), strict=True)
        if key not in keys
    ]:
        raise LookupError(f"there is no rule for {', '.join(map(repr, unknown))} to remove")
    kept = [rule for rule, key in zip(rules, keys, strict=True) if key not in removed]
    added = [(stage, outcome) for stage, outcome in changes.items() if outcome is not None]
    return replace_rules(con, [*kept, *added], changed_by=changed_by)


def _checked(rules: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """The rules trimmed, outcomes lower-cased; a ValueError names the first wrong one."""
    return [checked_rule(stage, outcome) for stage, outcome in rules]


def checked_rule(stage: str | None, outcome: str | None) -> tuple[str, str]:
    """One rule trimmed, its outcome lower-cased; a ValueError when it has no stage or an
    outcome other than won, lost or open."""
    stage, outcome = (stage or "").strip(), (outcome or "").strip().lower()
    if not stage:
        raise ValueError("every stage rule needs a stage")
    if outcome not in OUTCOMES:
        raise ValueError(
            f"the rule for the stage {stage!r} says {outcome or 'nothing'!r}: a stage is "
            "won, lost or open"
        )
    return stage, outcome


def _one_per_key(pairs: list[tuple[str, str]]) -> dict[str, tuple[str, str]]:
    """Stage key -> (stage, outcome); of two pairs with one key the later wins."""
    return dict(zip(_stage_keys(stage for stage, _ in pairs), pairs, strict=True))


def _stage_keys(stages: Iterable[str]) -> list[str]:
    """Each stage's key, in order, by the ``stage_key`` macro staging matches rules with."""
    return rule_tables.keys("stage_key", stages)
