"""Data access for pages: one cached connection, query results cached by text and version."""

import logging
from pathlib import Path

import duckdb
import pandas as pd
import streamlit as st

from revcycle.build import open_database
from revcycle.db import execute, sql_text
from revcycle.paths import db_path
from revcycle.rebuild import data_version

log = logging.getLogger(__name__)


@st.cache_resource(show_spinner="Preparing the database…")
def _connection(path: str) -> duckdb.DuckDBPyConnection:
    return open_database(Path(path), seed_sample=True)


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


def version() -> int:
    """The loaded data's version: part of every cache key, so an upload never serves old
    results."""
    cursor = connection().cursor()
    try:
        return data_version(cursor)
    finally:
        cursor.close()


def run(name: str, **params) -> pd.DataFrame:
    """Run ``queries/<name>.sql`` with bound ``params``; cached until the SQL or data change."""
    return _cached_result(str(db_path()), name, sql_text(name), version(), params)
