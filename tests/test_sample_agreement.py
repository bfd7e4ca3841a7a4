"""The sample's agreement comes and goes with the sample's data: made-up targets and response
times must not judge a person's leads, nor name their owners as late. A team's own agreement,
the sample's changed included, is never removed. A database whose sample went before this rule
(its agreement still in force over a person's data) says so on every page and in the pack."""

import dataclasses
import html

import streamlit as st
from streamlit.testing.v1 import AppTest

from revcycle.agreements import sample as agreement_sample
from revcycle.agreements import store
from revcycle.agreements.sample import SAMPLE_AGREEMENT_LINE
from revcycle.db import connect
from revcycle.paths import REPO_ROOT, SAMPLE_AGREEMENT
from revcycle.ui import data
from tests import test_cli_load
from tests.conftest import copy_database, write_export
from tests.test_sample_apart import TWO_LEADS

revcycle = test_cli_load.revcycle


def saved_versions(db) -> list[int]:
    con = connect(db)
    try:
        return [version.number for version in store.versions(con)]
    finally:
        con.close()


def change_log(db) -> list[str]:
    con = connect(db)
    try:
        return [row[0] for row in con.execute("select what from change_log").fetchall()]
    finally:
        con.close()


def save_a_changed_version(db) -> None:
    """The teams change one word of the agreement in force and save it: theirs from then on."""
    con = connect(db)
    try:
        latest = store.current(con).agreement
        store.save(con, dataclasses.replace(latest, note="Agreed on 4 Nov."), changed_by="test")
    finally:
        con.close()


def lines_above_the_page(db, monkeypatch) -> list[str]:
    monkeypatch.setenv("REVCYCLE_DB", str(db))
    at = AppTest.from_file(str(REPO_ROOT / "dashboard.py"), default_timeout=120)
    at.run()
    assert not at.exception, at.exception
    # The page's cached connection goes, so the command line can open the file next.
    data.connection().close()
    st.cache_resource.clear()
    return [info.value for info in at.info]


def pack_text(db, revcycle, tmp_path) -> str:
    out = tmp_path / "pack.html"
    code, said = revcycle(db, "pack", "--week", "2026-W45", "--out", out)
    assert code == 0, said
    return html.unescape(out.read_text(encoding="utf-8"))


def test_the_first_real_upload_takes_the_samples_agreement_and_a_restore_brings_it_back(
    tmp_path, sample_db_file, revcycle
):
    db = copy_database(sample_db_file, tmp_path / "mine.duckdb")
    assert saved_versions(db) == [1, 2]
    mine = write_export(tmp_path / "mine.csv", "leads", TWO_LEADS)
    code, said = revcycle(db, "load", mine, "--dry-run")
    assert "removes the sample first" in said and "and the sample's agreement" in said
    code, said = revcycle(db, "load", mine)
    assert code == 0, said
    assert saved_versions(db) == []
    assert agreement_sample.REMOVED in change_log(db)
    # Undo: the sample's data and its agreement, as the sample build gives them.
    code, said = revcycle(db, "restore", said.split("restore ")[1].split("`")[0])
    assert code == 0, said
    con = connect(db)
    try:
        assert agreement_sample.is_all_saved(con)
    finally:
        con.close()


def test_a_samples_agreement_the_team_changed_is_theirs_and_stays(
    tmp_path, sample_db_file, revcycle
):
    db = copy_database(sample_db_file, tmp_path / "mine.duckdb")
    save_a_changed_version(db)
    code, said = revcycle(db, "load", write_export(tmp_path / "mine.csv", "leads", TWO_LEADS))
    assert code == 0, said
    assert "sample's agreement" not in said
    assert saved_versions(db) == [1, 2, 3]


def test_data_judged_by_the_samples_agreement_says_so_until_the_team_saves_its_own(
    tmp_path, revcycle, monkeypatch
):
    # A person's data, then the sample's agreement imported over it: as in a database whose
    # sample went before the agreement went with it.
    db = tmp_path / "mine.duckdb"
    code, said = revcycle(db, "load", write_export(tmp_path / "mine.csv", "leads", TWO_LEADS))
    assert code == 0, said
    assert SAMPLE_AGREEMENT_LINE not in lines_above_the_page(db, monkeypatch)
    code, said = revcycle(db, "agreements", "import", SAMPLE_AGREEMENT)
    assert code == 0, said
    assert SAMPLE_AGREEMENT_LINE in lines_above_the_page(db, monkeypatch)
    assert SAMPLE_AGREEMENT_LINE in pack_text(db, revcycle, tmp_path)

    # The teams change one word of it: their own agreement now, and nothing more is said.
    save_a_changed_version(db)
    assert SAMPLE_AGREEMENT_LINE not in lines_above_the_page(db, monkeypatch)
    assert SAMPLE_AGREEMENT_LINE not in pack_text(db, revcycle, tmp_path)
