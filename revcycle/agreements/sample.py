"""The bundled sample's agreement, which comes and goes with the sample's data.

A database built on the sample gets the sample's agreement: two versions, the website contact
form tightened from 4 to 1 working hour on 1 June 2026. The first export of a person's own
replaces the sample's data, and the sample's agreement goes with it, unless a team changed it:
made-up targets and response times must not judge real leads, nor name real owners as late.
Restoring the sample brings both back. A team's own versions are never deleted.
"""

import functools

import duckdb

from revcycle import audit
from revcycle.agreements import document, store
from revcycle.agreements.model import Version
from revcycle.agreements.tables import EMPTY_EVERY_TABLE
from revcycle.db import has_table
from revcycle.paths import SAMPLE_AGREEMENT

REMOVED = "Removed the bundled sample's agreement with the sample's data"
# What the pages and the meeting pack say while the sample's agreement judges a person's data
# (build.judged_by_sample_agreement).
SAMPLE_AGREEMENT_LINE = (
    "The targets, response times and working hours judging these numbers are the bundled "
    "sample's agreement, made up for the demo, not one your teams made. Record yours on the "
    "Agreements page."
)


@functools.cache
def versions() -> tuple[Version, ...]:
    """The sample's versions, as its file has them."""
    text = SAMPLE_AGREEMENT.read_text(encoding="utf-8")
    return tuple(document.load(text, SAMPLE_AGREEMENT.name))


def is_all_saved(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether the saved versions are exactly the sample's: imported with it, never changed.
    Counted first, then the latest read, so a database with its own agreement (the meeting
    asks on every run) seldom reads a version at all, and never every one."""
    sample = tuple(version.agreement for version in versions())
    if not has_table(con, "agreement_versions"):
        return False
    count = con.execute("select count(*) from agreement_versions").fetchall()[0][0]
    if count != len(sample):
        return False
    latest = store.current(con)
    if latest is None or latest.agreement != sample[-1]:
        return False
    return tuple(version.agreement for version in store.versions(con)) == sample


def add_if_none_in_transaction(con: duckdb.DuckDBPyConnection, changed_by: str) -> None:
    """The sample's versions, into a database that has none saved, in the caller's transaction
    (which rebuilds after it). A database with an agreement of its own keeps it."""
    if store.current(con) is None:
        store.import_in_transaction(con, list(versions()), changed_by=changed_by)


def remove_in_transaction(con: duckdb.DuckDBPyConnection, changed_by: str) -> bool:
    """Remove the sample's agreement when it is all that is saved, with a line in the change
    log, in the caller's transaction (which rebuilds after it); whether it did."""
    if not is_all_saved(con):
        return False
    for statement in EMPTY_EVERY_TABLE:
        con.execute(statement).fetchall()
    audit.record(con, changed_by, REMOVED)
    return True
