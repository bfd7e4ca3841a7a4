"""A row's currency, the code its amounts are shown in and never added across: an ISO 4217
code. A sign that names one currency ("€", "£") is read as its code; anything else that is
no three-letter code ("Euro", "$") rejects the row, as a pound loaded as a euro would be a
wrong number; a three-letter code that no current ISO 4217 list holds loads with a warning
(a typo such as "EUD", or a withdrawn currency such as HRK in old deals)."""

from collections import Counter

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from revcycle import settings
from revcycle.db import relation_type
from revcycle.importer import problems as codes
from revcycle.importer.load import holds_sample
from revcycle.importer.parse import mask
from revcycle.importer.problems import ERROR, WARNING, Problem
from revcycle.importer.text import one_array, stripped
from revcycle.importer.touches import Arriving

ISO_CODES = pa.array(sorted(settings.iso_currency_codes()))
# The signs parse.written_currencies reads in an amount as one currency; "$" and "¥" name
# several.
SIGNS = {"€": "EUR", "£": "GBP"}
_THREE_LETTERS = r"^[A-Za-z]{3}$"
NOT_A_CODE = (
    "not a three-letter currency code such as EUR or USD; write the code instead (of the "
    "signs, only € and £ are read as one currency)"
)
NOT_ISO = (
    "not a current ISO 4217 currency code (a typo?); it loads as a currency of its own, whose "
    "amounts are never added to others'"
)


def signs_as_codes(rows: pa.Table) -> pa.Table:
    """``rows`` with each currency trimmed, and one written as a sign (SIGNS) as its code."""
    position = rows.schema.get_field_index("currency")
    if position < 0:
        return rows
    currency = stripped(one_array(rows.column(position)))
    for sign, code in SIGNS.items():
        currency = pc.if_else(pc.equal(currency, sign), code, currency)
    return rows.set_column(position, "currency", currency)


def checks(rows: pa.Table) -> list[tuple[np.ndarray, str, str, str]]:
    """(rows breaking it, reason, code, severity) per rule above, over the currencies
    signs_as_codes read."""
    currency = pc.utf8_upper(rows.column("currency"))
    three_letters = mask(pc.match_substring_regex(currency, _THREE_LETTERS))
    not_a_code = mask(pc.is_valid(currency)) & ~three_letters
    not_iso = three_letters & ~mask(pc.is_in(currency, value_set=ISO_CODES))
    return [
        (not_a_code, NOT_A_CODE, codes.NOT_A_CURRENCY, ERROR),
        (not_iso, NOT_ISO, codes.UNKNOWN_CURRENCY, WARNING),
    ]


def unstated(
    con: duckdb.DuckDBPyConnection,
    kind: str,
    file: str,
    rows: pa.Table,
    arriving: Arriving | None = None,
) -> list[Problem]:
    """One warning for a deals or spend file whose amounts state no currency (no column, no
    code or sign in them, ``$REVCYCLE_CURRENCY`` unset) while the loaded deals or spend, or
    those ``arriving`` before it in the same batch, state one: such amounts are of no known
    currency, so never added to those, and nothing said so until a page left them out of a
    sum. The sample's, which an upload removes, do not count."""
    if kind not in ("deals", "spend") or settings.currency() is not None:
        return []
    with_amount = mask(pc.is_valid(rows.column("amount")))
    count = int((with_amount & ~mask(pc.is_valid(rows.column("currency")))).sum())
    if not count:
        return []
    stated = Counter(dict(arriving.currencies) if arriving is not None else {})
    if not holds_sample(con):
        stated.update(_loaded_currencies(con))
    if not stated:
        return []
    example = min(stated, key=lambda code: (-stated[code], code))  # most rows, then A-Z
    names = sorted(stated)
    listed = " and ".join([", ".join(names[:-1]), names[-1]] if len(names) > 1 else names)
    amounts = "amount states" if count == 1 else "amounts state"
    reason = (
        f"{count:,} {amounts} no currency (nor does REVCYCLE_CURRENCY), while "
        f"{_whose(arriving)} are in {listed}: they are "
        "of no known currency, so never added to those. Give the file's currency as a fixed "
        f"value (currency={example}; on the command line --set currency={example})"
    )
    return [Problem(file, None, None, None, reason, WARNING, code=codes.MISSING_COLUMN)]


def _whose(arriving: Arriving | None) -> str:
    """Whose currencies the warning names: the loaded deals and spend, and the batch's."""
    if arriving is None or not arriving.currencies:
        return "the loaded deals and spend"
    return "the deals and spend loaded or in this batch"


_COUNT_CURRENCIES_SQL = {
    "stg_deals": "select currency, count(*) from stg_deals group by currency",
    "stg_spend": "select currency, count(*) from stg_spend group by currency",
}


def _loaded_currencies(con: duckdb.DuckDBPyConnection) -> Counter:
    """The currencies the loaded deals and spend state, with their rows."""
    counts = Counter()
    for relation, sql in _COUNT_CURRENCIES_SQL.items():
        if relation_type(con, relation):
            counts.update({code: count for code, count in con.execute(sql).fetchall() if code})
    return counts
