"""Ids for the rows of exports that carry none of their own (touches, spend).

A row without an id gets one derived from what makes it this row (a touch's lead, time, source
and campaign; a spend row's days, source and campaign), so loading the same export twice, or
next week's overlapping one, adds nothing. Each kind says what its id is made of, as a query
over the registered ``export_rows``; the filling in and the repeats are the same for all.
"""

from typing import NamedTuple

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from revcycle.db import scratch
from revcycle.importer.parse import mask
from revcycle.importer.problems import ERROR, Problem, per_line
from revcycle.importer.text import one_array


class Derivation(NamedTuple):
    """How a kind derives its ids: the id field, and a query over ``export_rows`` giving one
    id per row, in order, starting with ``$prefix`` (a derived id says so: no system's does)."""

    id_field: str
    sql: str
    prefix: str


def identified(
    rows: pa.Table,
    derivation: Derivation,
    problems: list[Problem],
    lines: np.ndarray,
    file: str,
    repeat_reason: str,
    repeat_code: str,
) -> tuple[pa.Table, list[Problem]]:
    """(rows with every id, the lines repeating an earlier line's derived id) once the shared
    checks found ``problems``: a line they reject repeats nothing, so two lines with unreadable
    dates are not one row."""
    rows, derived = with_ids(rows, derivation)
    rejected = [p.line for p in problems if p.severity == ERROR and p.line is not None]
    counted = derived & ~np.isin(lines, rejected)
    id_field = derivation.id_field
    return rows, repeated(rows, id_field, counted, lines, file, repeat_reason, repeat_code)


def with_ids(rows: pa.Table, derivation: Derivation) -> tuple[pa.Table, np.ndarray]:
    """``rows`` with every blank id derived; and which rows' ids were derived."""
    id_field = derivation.id_field
    given = rows.column(id_field)
    derived = ~mask(pc.is_valid(given))
    if not derived.any():
        return rows, derived
    con = scratch(rows.nbytes)
    try:
        con.register("export_rows", rows)
        ids = con.sql(derivation.sql, params={"prefix": derivation.prefix}).to_arrow_table()
    finally:
        con.close()
    filled = pc.coalesce(given, ids.column(0))
    position = rows.schema.get_field_index(id_field)
    return rows.set_column(position, id_field, filled), derived


def repeated(
    rows: pa.Table,
    id_field: str,
    derived: np.ndarray,
    lines: np.ndarray,
    file: str,
    reason: str,
    code: str,
) -> list[Problem]:
    """The lines whose derived id an earlier line has: rejected, so the row loads once, with
    ``reason`` naming that line at its {earlier}. Only
    derived ids: an export's own repeated id is the shared duplicate-id error, since the export
    itself says they are one row."""
    positions = np.flatnonzero(derived)
    if not len(positions):
        return []
    ids = one_array(rows.column(id_field))
    derived_ids = ids.take(pa.array(positions))
    # The first row of each id keeps it; a later row with an id seen before is a repeat.
    # unique keeps the ids in order of first appearance, so id k's first row is first_rows[k].
    id_of_row = pc.index_in(derived_ids, value_set=pc.unique(derived_ids)).to_numpy()
    _, first_rows = np.unique(id_of_row, return_index=True)
    repeat = np.ones(len(positions), dtype=bool)
    repeat[first_rows] = False
    at = positions[repeat]
    earlier = lines[positions[first_rows]][id_of_row[repeat]]
    # No value: the derived id ("t-963b…") is in no cell of the file, so it would send the
    # reader looking for it; the line, and the reason naming the earlier line, say which row.
    reasons = [reason.format(earlier=f"line {line}") for line in earlier.tolist()]
    shared = reason.format(earlier="an earlier line")  # the lines' group says it once
    return per_line(file, lines[at], None, [None] * len(at), reasons, code, shared_reason=shared)
