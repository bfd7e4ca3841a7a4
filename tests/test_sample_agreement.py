"""The sample's agreement after the sample: agreements outlive uploads, so the first real upload
removes the sample's leads and deals but leaves its agreement in force. The pages and the
meeting pack say that a person's numbers are judged by the demo's targets and response times,
until the teams save an agreement of their own."""

import dataclasses
import html

import streamlit as st
from streamlit.testing.v1 import AppTest

from revcycle.agreements import store
from revcycle.build import SAMPLE_AGREEMENT_LINE
from revcycle.db import connect
from revcycle.paths import REPO_ROOT
from revcycle.ui import data
from tests import test_cli_load
from tests.conftest import copy_database, write_export
from tests.test_sample_apart import TWO_LEADS

revcycle = test_cli_load.revcycle


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


def test_a_persons_data_judged_by_the_samples_agreement_says_so_until_one_is_saved(
    tmp_path, sample_db_file, revcycle, monkeypatch
):
    db = copy_database(sample_db_file, tmp_path / "mine.duckdb")
    # The sample judged by its own agreement: the sample's line says enough.
    assert SAMPLE_AGREEMENT_LINE not in lines_above_the_page(db, monkeypatch)
    assert SAMPLE_AGREEMENT_LINE not in pack_text(db, revcycle, tmp_path)

    code, said = revcycle(db, "load", write_export(tmp_path / "mine.csv", "leads", TWO_LEADS))
    assert code == 0, said
    assert SAMPLE_AGREEMENT_LINE in lines_above_the_page(db, monkeypatch)
    assert SAMPLE_AGREEMENT_LINE in pack_text(db, revcycle, tmp_path)

    # The teams change one word of it: their own agreement now, and nothing more is said.
    con = connect(db)
    try:
        latest = store.current(con).agreement
        store.save(con, dataclasses.replace(latest, note="Agreed on 4 Nov."), changed_by="test")
    finally:
        con.close()
    assert SAMPLE_AGREEMENT_LINE not in lines_above_the_page(db, monkeypatch)
    assert SAMPLE_AGREEMENT_LINE not in pack_text(db, revcycle, tmp_path)
