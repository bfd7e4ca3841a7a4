"""Settings a person can change without editing code, each read from one environment variable."""

import datetime
import logging
import os
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pycountry

from revcycle.paths import REPO_ROOT

log = logging.getLogger("revcycle")

MB = 1024 * 1024
MAX_UPLOAD_MB_VARIABLE = "REVCYCLE_MAX_UPLOAD_MB"
DEFAULT_MAX_UPLOAD_MB = 200


def max_upload_mb() -> int:
    """The largest export accepted, in MB, by the page, the CLI and ``build`` alike:
    ``$REVCYCLE_MAX_UPLOAD_MB``, or 200."""
    return _whole_number_above_0(MAX_UPLOAD_MB_VARIABLE, "megabytes", DEFAULT_MAX_UPLOAD_MB)


def _whole_number_above_0(variable: str, unit: str, default: int | None) -> int | None:
    """``$variable`` as a whole number above 0, or ``default`` when it is unset or is none."""
    text = os.environ.get(variable, "").strip()
    if not text:
        return default
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value > 0:
        return value
    shown = "the default" if default is None else str(default)
    log.warning("%s=%r is not a whole number of %s above 0; using %s", variable, text, unit, shown)
    return default


def max_upload_bytes() -> int:
    return max_upload_mb() * MB


DUCKDB_THREADS_VARIABLE = "REVCYCLE_DUCKDB_THREADS"


def duckdb_threads() -> int | None:
    """How many threads each DuckDB database the app opens may use: ``$REVCYCLE_DUCKDB_THREADS``,
    or None for DuckDB's own choice, one per core. One suits a machine already busy with as many
    processes as cores (the test suite's workers): small queries then spend less CPU handing work
    between threads."""
    return _whole_number_above_0(DUCKDB_THREADS_VARIABLE, "threads", None)


REBUILD_MEMORY_MB_VARIABLE = "REVCYCLE_REBUILD_MEMORY_MB"


def rebuild_memory_mb() -> int | None:
    """The memory DuckDB may hold while it writes the marts, in MiB:
    ``$REVCYCLE_REBUILD_MEMORY_MB``, or None for DuckDB's own limit (80% of the machine), under
    which it keeps every mart it wrote in memory until the commit. A cap trades time for memory:
    at 1536, a million leads with four million touches built in 1,668 MiB against 2,006, 10%
    slower, but a 10M-lead upload took 46% longer, spilling, for no lower peak (the README's
    *Attribution at 1M leads*)."""
    return _whole_number_above_0(REBUILD_MEMORY_MB_VARIABLE, "megabytes", None)


ROLES_VARIABLE = "REVCYCLE_ROLES"
DEFAULT_ROLES_PATH = REPO_ROOT / ".streamlit" / "roles.toml"


def roles_path() -> Path:
    """The roles file (who may view and who may change, once sign-in is set up):
    ``$REVCYCLE_ROLES``, or ``.streamlit/roles.toml`` beside ``secrets.toml``."""
    return Path(os.environ.get(ROLES_VARIABLE, "").strip() or DEFAULT_ROLES_PATH)


CURRENCY_VARIABLE = "REVCYCLE_CURRENCY"
# How amounts in no known currency are named beside others (the SQL macro currencies_listed
# writes the same words).
NO_CURRENCY = "no currency stated"


@cache
def iso_currency_codes() -> frozenset[str]:
    """The current ISO 4217 currency codes (pycountry's list)."""
    return frozenset(currency.alpha_3 for currency in pycountry.currencies)


def _currency_setting() -> str:
    return os.environ.get(CURRENCY_VARIABLE, "").strip().upper()


def currency_setting_problem() -> str | None:
    """Why ``$REVCYCLE_CURRENCY`` is set and not used: it is no current ISO 4217 code (a typo
    such as EUT, or a word such as euro); None when it is unset or a code."""
    text = _currency_setting()
    if not text or text in iso_currency_codes():
        return None
    return (
        f"{CURRENCY_VARIABLE} is set to '{text}', which is not a current ISO 4217 currency code "
        "such as EUR or USD"
    )


def currency() -> str | None:
    """The currency of amounts whose deal states none: ``$REVCYCLE_CURRENCY`` (an ISO code such
    as ``EUR``), or None when unset or no code (currency_setting_problem says so), and then
    such amounts are in an unknown currency."""
    text = _currency_setting()
    if (problem := currency_setting_problem()) is None:
        return text or None
    log.warning("%s; amounts that state no currency are shown as plain numbers", problem)
    return None


TIMEZONE_VARIABLE = "REVCYCLE_TIMEZONE"
DEFAULT_TIMEZONE = "Europe/Amsterdam"


def timezone() -> str:
    """The time zone timestamps are stored in, as naive local times: ``$REVCYCLE_TIMEZONE`` (an
    IANA name such as ``Europe/London``), or Europe/Amsterdam. A value with a UTC offset
    ("Z", "+02:00") is converted to it; a value without one is taken as already in it."""
    text = os.environ.get(TIMEZONE_VARIABLE, "").strip()
    if not text:
        return DEFAULT_TIMEZONE
    try:
        ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError):
        log.warning(
            "%s=%r is not a time zone name such as Europe/London; using %s",
            TIMEZONE_VARIABLE,
            text,
            DEFAULT_TIMEZONE,
        )
        return DEFAULT_TIMEZONE
    return text


def today() -> datetime.date:
    """Today in timezone(), the data's zone, not the machine's: the day an agreement is in
    force and an action overdue (a server keeping UTC has another date for hours a day)."""
    return wall_clock_now().date()


def wall_clock_now() -> datetime.datetime:
    """Now, as naive wall time in timezone(), to the second: how every moment the app records
    (an upload, a change, an agreement version, a meeting action) is stored, as the loaded
    timestamps are."""
    now = datetime.datetime.now(ZoneInfo(timezone()))
    return now.replace(tzinfo=None, microsecond=0)
