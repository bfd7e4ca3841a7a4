"""The agreements in DuckDB: one row per version plus its follow-up, working hours, closing days,
targets and budgets. Uploads, replaces and restores never touch these tables; a save or an
import adds versions and rebuilds the marts in one transaction, so every lead is judged by the
agreement in force when it was created."""

import csv
import datetime

import duckdb

# The module, not the function: rebuild may come to read the agreement tables through this
# module, and importing the module object survives that circle.
from revcycle import audit, rebuild, settings
from revcycle.agreements.model import (
    Agreement,
    Budget,
    ClosingDay,
    FollowUp,
    Target,
    Version,
    WorkingHours,
    canonical,
)

# The tables' definitions live in tables.py, which the rebuild's calendar reads without this
# module (it imports the rebuild): store.TABLES and store.ensure_tables stay as they were.
from revcycle.agreements.tables import TABLES, ensure_tables  # noqa: F401 (TABLES)
from revcycle.agreements.validate import AgreementInvalid, Problem, problems

# diff and Change live with the other sentences about an agreement; store.diff is the name
# the shared design gives them.
from revcycle.agreements.words import Change, date_words, diff  # noqa: F401 (Change)
from revcycle.db import has_table, rollback_after
from revcycle.paths import CHANNEL_RULES_CSV

# ---- reading ---------------------------------------------------------------------------------


def versions(con: duckdb.DuckDBPyConnection) -> list[Version]:
    """Every saved version, oldest first."""
    return _read(con, None)


def current(con: duckdb.DuckDBPyConnection) -> Version | None:
    """The latest version, or None when none is saved."""
    if not has_table(con, "agreement_versions"):
        return None
    found = _read(con, [_scalar(con, "select max(version) from agreement_versions")])
    return found[0] if found else None


def in_force_on(con: duckdb.DuckDBPyConnection, day: datetime.date) -> Version | None:
    """The version in force on ``day``: the latest effective on or before it (of two on the
    same date, the later saved). Leads from before the first agreement are measured against
    the first."""
    if not has_table(con, "agreement_versions"):
        return None
    number = _scalar(
        con,
        "select coalesce("
        "(select max(version) from agreement_versions where effective_from <= $day), "
        "(select min(version) from agreement_versions))",
        {"day": day},
    )
    found = _read(con, [number]) if number is not None else []
    return found[0] if found else None


def _scalar(con: duckdb.DuckDBPyConnection, sql: str, params: dict | None = None):
    return con.execute(sql, params or {}).fetchall()[0][0]


def _rows_by_version(con, sql: str, numbers: list[int] | None) -> dict[int, list[tuple]]:
    grouped: dict[int, list[tuple]] = {}
    for row in con.execute(sql, {"all": numbers is None, "numbers": numbers or []}).fetchall():
        grouped.setdefault(row[0], []).append(row[1:])
    return grouped


# Each reads one table for the versions asked for: $all, or those in $numbers.
_READ_VERSIONS = """select version, effective_from, marketing_name, sales_name, note,
    saved_by, saved_at, time_zone, country, subdivision, mql_definition, sql_definition,
    won_definition, rejection_reasons, answer_within_working_days, green_from, amber_from
    from agreement_versions where $all or list_contains($numbers, version) order by version"""
_READ_FOLLOW_UP = """select version, channel, follow_up_kind, response_hours, basis
    from agreement_follow_up where $all or list_contains($numbers, version)"""
_READ_HOURS = """select version, iso_weekday, starts, ends
    from agreement_working_hours where $all or list_contains($numbers, version)"""
_READ_CLOSING = """select version, day, reason
    from agreement_closing_days where $all or list_contains($numbers, version)"""
_READ_TARGETS = """select version, month, channel, metric, target
    from agreement_targets where $all or list_contains($numbers, version)"""
_READ_BUDGETS = """select version, month, channel, cast(amount as double), currency
    from agreement_budgets where $all or list_contains($numbers, version)"""


def _read(con: duckdb.DuckDBPyConnection, numbers: list[int] | None) -> list[Version]:
    if not has_table(con, "agreement_versions"):
        return []
    follow_up = _rows_by_version(con, _READ_FOLLOW_UP, numbers)
    hours = _rows_by_version(con, _READ_HOURS, numbers)
    closing = _rows_by_version(con, _READ_CLOSING, numbers)
    targets = _rows_by_version(con, _READ_TARGETS, numbers)
    # A database saved before budgets existed has no budgets table until its next rebuild.
    budgets = (
        _rows_by_version(con, _READ_BUDGETS, numbers) if has_table(con, "agreement_budgets") else {}
    )
    found = []
    for number, *row in con.execute(
        _READ_VERSIONS, {"all": numbers is None, "numbers": numbers or []}
    ).fetchall():
        (effective_from, marketing, sales, note, saved_by, saved_at, time_zone, country) = row[:8]
        (subdivision, mql, sql, won, reasons, answer_days, green, amber) = row[8:]
        agreement = Agreement(
            effective_from=effective_from,
            marketing_name=marketing or "",
            sales_name=sales or "",
            note=note or "",
            mql_definition=mql or "",
            sql_definition=sql or "",
            won_definition=won or "",
            rejection_reasons=tuple(reasons or ()),
            time_zone=time_zone,
            country=country,
            subdivision=subdivision,
            working_hours=tuple(WorkingHours(*r) for r in hours.get(number, [])),
            closing_days=tuple(ClosingDay(*r) for r in closing.get(number, [])),
            follow_up=tuple(FollowUp(*r) for r in follow_up.get(number, [])),
            targets=tuple(Target(*r) for r in targets.get(number, [])),
            answer_within_working_days=answer_days,
            green_from=green,
            amber_from=amber,
            budgets=tuple(Budget(*r) for r in budgets.get(number, [])),
        )
        found.append(Version(number, saved_by or "", saved_at, canonical(agreement)))
    return found


def known_channels(con: duckdb.DuckDBPyConnection) -> set[str]:
    """The channels the channel rules make: those in the database, or the bundled ones in a
    database that has none yet (the first rebuild seeds them)."""
    if has_table(con, "raw_channel_rules"):
        rows = con.execute("select distinct channel from raw_channel_rules").fetchall()
        return {channel for (channel,) in rows if channel}
    with CHANNEL_RULES_CSV.open(encoding="utf-8", newline="") as handle:
        return {row["channel"] for row in csv.DictReader(handle) if row["channel"]}


# ---- writing ---------------------------------------------------------------------------------


def save(
    con: duckdb.DuckDBPyConnection,
    agreement: Agreement,
    changed_by: str,
    based_on: int | None = None,
) -> int:
    """Validate ``agreement`` and save it as the next version, with its line in the change log
    and the rebuilt marts, in one transaction; returns its number. Raises
    ``AgreementInvalid`` and saves nothing when a check fails, or when ``based_on`` (the
    version a form was opened on, 0 for none) is no longer the latest: saving would undo what
    the versions saved since changed."""

    def write() -> int:
        previous = current(con)
        number = previous.number + 1 if previous else 1
        if based_on is not None and number - 1 != based_on:
            raise AgreementInvalid([_saved_since(previous, based_on)])
        found = problems(
            agreement,
            known_channels=known_channels(con),
            previous=previous.agreement if previous else None,
        )
        if found:
            raise AgreementInvalid([_numbered(problem, number) for problem in found])
        _insert(con, Version(number, changed_by, settings.wall_clock_now(), canonical(agreement)))
        since = date_words(agreement.effective_from)
        audit.record(con, changed_by, f"Saved agreement version {number}, in force from {since}")
        return number

    return _in_transaction(con, write)


def _saved_since(latest: Version, based_on: int) -> Problem:
    """Why a form opened on version ``based_on`` is not saved over ``latest``, saved since."""
    by = f"by {latest.saved_by}, {latest.saved_at:%d %b %Y %H:%M}"
    if latest.number == based_on + 1:
        saved = f"Version {latest.number} was saved ({by})"
    else:
        saved = f"Versions {based_on + 1} to {latest.number} were saved (the latest {by})"
    opened_on = f"version {based_on}" if based_on else "no version"
    return Problem(
        "version",
        f"{saved} after this form was opened on {opened_on}: saving the form would undo what "
        f"changed, so nothing is saved. Reload the page to start from version {latest.number}, "
        "then make your changes again.",
    )


def import_versions(
    con: duckdb.DuckDBPyConnection, incoming: list[Version], changed_by: str
) -> list[int]:
    """Add the versions of a file, all or nothing, and rebuild the marts in the same
    transaction; returns the numbers added. A version already saved with the same content is
    skipped; one saved with other content refuses the whole import, since a saved version is
    never changed; new numbers follow on from the last saved. A version that does not say who
    saved it is recorded as ``changed_by``'s, now."""
    return _in_transaction(con, lambda: import_in_transaction(con, incoming, changed_by))


def import_in_transaction(
    con: duckdb.DuckDBPyConnection, incoming: list[Version], changed_by: str
) -> list[int]:
    """``import_versions`` inside the caller's transaction, which rebuilds after it (a build
    loading the sample does)."""
    ensure_tables(con)
    saved = {version.number: version for version in versions(con)}
    new = _new_versions(incoming, saved, known_channels(con))
    for version in new:
        by, at = version.saved_by or changed_by, version.saved_at or settings.wall_clock_now()
        _insert(con, Version(version.number, by, at, version.agreement))
    if new:
        numbers = ", ".join(str(version.number) for version in new)
        audit.record(con, changed_by, f"Imported agreement versions {numbers}")
    return [version.number for version in new]


def _new_versions(
    incoming: list[Version], saved: dict[int, Version], channels: set[str]
) -> list[Version]:
    """The versions of ``incoming`` to add, in order; raises ``AgreementInvalid`` with every
    reason the import is refused."""
    found: list[Problem] = []
    new: list[Version] = []
    last = max(saved, default=0)
    for version in sorted(incoming, key=lambda version: version.number):
        if version.number in saved:
            found += _compare_saved(version, saved[version.number], last)
            continue
        expected = last + len(new) + 1
        if version.number != expected:
            found.append(
                Problem(
                    "version",
                    f"Version {version.number} does not follow on: the next is {expected}.",
                    version=version.number,
                )
            )
            continue
        previous = new[-1] if new else saved.get(last)
        checks = problems(
            version.agreement,
            known_channels=channels,
            previous=previous.agreement if previous else None,
        )
        found += [_numbered(problem, version.number) for problem in checks]
        new.append(version)
    if found:
        raise AgreementInvalid(found)
    return new


def _compare_saved(version: Version, saved: Version, last: int) -> list[Problem]:
    if canonical(version.agreement) == saved.agreement:
        return []
    changes = diff(saved.agreement, version.agreement)
    first = f" ({changes[0].field}: {changes[0].before} → {changes[0].after})" if changes else ""
    return [
        Problem(
            "version",
            f"Version {version.number} differs from the saved version {version.number}{first}. "
            f"A saved version is never changed: give the change the number {last + 1}.",
            version=version.number,
        )
    ]


def _numbered(problem: Problem, number: int) -> Problem:
    return Problem(problem.field, problem.message, problem.line, number)


def _in_transaction(con: duckdb.DuckDBPyConnection, write):
    """Run ``write`` and rebuild the marts it moves in one transaction: the mart carries each
    lead's agreed time, so a version and the numbers measured by it commit, or vanish, together
    (``rebuild.MARTS_MOVED_BY``)."""
    con.begin()
    try:
        ensure_tables(con)
        result = write()
        if has_table(con, rebuild.MART_TABLE):  # with no mart yet, the first build makes it
            rebuild.rebuild_in_transaction(con, moved_by="agreement")
        con.commit()
    except (duckdb.TransactionException, duckdb.ConstraintException) as error:
        # Another save or import committed first (two editors at once): nothing of this one
        # is kept, and the person is told why in a sentence rather than a database error.
        rollback_after(con, error)
        raise AgreementInvalid([Problem("", SAVED_MEANWHILE)]) from error
    except BaseException as error:
        rollback_after(con, error)
        raise
    return result


SAVED_MEANWHILE = (
    "Someone else saved the agreement at the same moment, so this change was not saved. "
    "Look at the latest version, then save again."
)


def _insert(con: duckdb.DuckDBPyConnection, version: Version) -> None:
    agreement, number = version.agreement, version.number
    con.execute(
        "insert into agreement_versions values ($version, $effective_from, $marketing, "
        "$sales, $note, $saved_by, $saved_at, $time_zone, $country, $subdivision, $mql, $sql, "
        "$won, $reasons, $answer_days, $green, $amber)",
        {
            "version": number,
            "effective_from": agreement.effective_from,
            "marketing": agreement.marketing_name,
            "sales": agreement.sales_name,
            "note": agreement.note,
            "saved_by": version.saved_by,
            "saved_at": version.saved_at,
            "time_zone": agreement.time_zone,
            "country": agreement.country,
            "subdivision": agreement.subdivision,
            "mql": agreement.mql_definition,
            "sql": agreement.sql_definition,
            "won": agreement.won_definition,
            "reasons": list(agreement.rejection_reasons),
            "answer_days": agreement.answer_within_working_days,
            "green": agreement.green_from,
            "amber": agreement.amber_from,
        },
    ).fetchall()
    _insert_details(con, agreement, number)


def _insert_details(con: duckdb.DuckDBPyConnection, agreement: Agreement, number: int) -> None:
    rows, hours, budgets = agreement.follow_up, agreement.working_hours, agreement.budgets
    _insert_rows(
        con,
        "agreement_follow_up",
        number,
        {
            "channel": [row.channel for row in rows],
            "kind": [row.kind for row in rows],
            "hours": [row.response_hours for row in rows],
            "basis": [row.basis for row in rows],
        },
    )
    _insert_rows(
        con,
        "agreement_working_hours",
        number,
        {
            "weekday": [span.weekday for span in hours],
            "starts": [span.starts for span in hours],
            "ends": [span.ends for span in hours],
        },
    )
    days, targets = agreement.closing_days, agreement.targets
    _insert_rows(
        con,
        "agreement_closing_days",
        number,
        {
            "day": [closing.day for closing in days],
            "reason": [closing.reason for closing in days],
        },
    )
    _insert_rows(
        con,
        "agreement_targets",
        number,
        {
            "month": [target.month for target in targets],
            "channel": [target.channel for target in targets],
            "metric": [target.metric for target in targets],
            "target": [target.value for target in targets],
        },
    )
    _insert_rows(
        con,
        "agreement_budgets",
        number,
        {
            "month": [budget.month for budget in budgets],
            "channel": [budget.channel for budget in budgets],
            "amount": [budget.amount for budget in budgets],
            "currency": [budget.currency for budget in budgets],
        },
    )


def _insert_rows(
    con: duckdb.DuckDBPyConnection, table: str, number: int, columns: dict[str, list]
) -> None:
    """One version's rows of ``table``, given as one list per column in the table's order
    after ``version``. One statement unnests the lists: executemany costs a round trip per
    row, a quarter of a second for the sample's 1,100 targets. ``table`` and the column keys
    come from the code above, never from a user."""
    unnested = ", ".join(f"unnest(${name})" for name in columns)
    con.execute(
        f"insert into {table} select $version, {unnested}", {"version": number, **columns}
    ).fetchall()
