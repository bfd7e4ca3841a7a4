"""Data access for pages: one cached connection, query results cached by text and version."""

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pandas as pd
import streamlit as st

from revcycle.build import judged_by_sample_agreement, open_database
from revcycle.db import execute, sql_text
from revcycle.health import DatabaseInUse, is_locked
from revcycle.paths import db_path
from revcycle.rebuild import data_version

log = logging.getLogger(__name__)


@st.cache_resource(show_spinner="Preparing the database…")
def _connection(path: str) -> duckdb.DuckDBPyConnection:
    # A failure is not cached: reloading the page tries again.
    try:
        return open_database(Path(path), seed_sample=True)
    except duckdb.IOException as error:
        if is_locked(error):
            raise DatabaseInUse(Path(path), error) from error
        raise


def connection() -> duckdb.DuckDBPyConnection:
    """The app's DuckDB connection for ``$REVCYCLE_DB`` (built from the sample if empty)."""
    return _connection(str(db_path()))


@st.cache_data(show_spinner=False, max_entries=500)
def _cached_result(
    db_file: str, name: str, query_text: str, version: int, params: dict
) -> pd.DataFrame:
    # query_text and version are not used here: they are part of the cache key, so an edited
    # query file or a rebuilt database never serves an old result.
    return execute(_connection(db_file), name, **params)


# Where ``one_data_version`` keeps the version it read for the script run under way.
_VERSION_THIS_RUN = "data_version_this_run"


def version() -> int:
    """The loaded data's version: part of every cache key, so an upload never serves old
    results. Inside ``one_data_version``, the one it read at the run's start."""
    pinned = st.session_state.get(_VERSION_THIS_RUN)
    return _read_version() if pinned is None else pinned


@contextmanager
def one_data_version() -> Iterator[None]:
    """Read the data version once for the script run inside, instead of before each of the
    run's 13 to 22 queries: runs of the sample's Overview, Revenue and Follow-up served from the
    cache took 0.155, 0.175 and 0.222 CPU s against 0.158, 0.195 and 0.244 (medians of three
    interleaved runs of 15). Every write a page makes ends its run with ``st.rerun()``, so the
    next run reads the new version."""
    st.session_state[_VERSION_THIS_RUN] = _read_version()
    try:
        yield
    finally:
        st.session_state.pop(_VERSION_THIS_RUN, None)


def _read_version() -> int:
    cursor = connection().cursor()
    try:
        return data_version(cursor)
    finally:
        cursor.close()


def run(name: str, **params) -> pd.DataFrame:
    """Run ``queries/<name>.sql`` with bound ``params``; cached until the SQL or data change."""
    return _cached_result(str(db_path()), name, sql_text(name), version(), params)


@st.cache_data(show_spinner=False, max_entries=50)
def _judged_by_sample_agreement(db_file: str, version: int) -> bool:
    # A saved agreement and a first real upload both rebuild: the version tells them apart.
    cursor = _connection(db_file).cursor()
    try:
        return judged_by_sample_agreement(cursor)
    finally:
        cursor.close()


def sample_agreement_judges() -> bool:
    """Whether a person's data is judged by the bundled sample's agreement
    (build.judged_by_sample_agreement), for this data version."""
    return _judged_by_sample_agreement(str(db_path()), version())
