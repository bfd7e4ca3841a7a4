"""The Agreements page and the targets on the other pages, under AppTest, on a database built
from ten hand-written leads.

The leads are all Paid search, created Monday 9 to Friday 13 March 2026 (two a day). The
agreement closes Monday 30 and Tuesday 31 March, so March has 22 weekdays - 2 = 20 working
days, and the week of 9-15 March 5 of them: it owes 5/20 of each March target.
"""

import datetime
from dataclasses import replace

import pytest
from streamlit.testing.v1 import AppTest

from revcycle import access
from revcycle.agreements import store
from revcycle.agreements.model import Budget, ClosingDay, FollowUp, Target, default_agreement
from revcycle.db import connect
from revcycle.paths import REPO_ROOT
from tests.conftest import building, inputs_key, made_copy, write_export
from tests.support.injection import unescaped
from tests.test_access_pages import AUTH, ROLES

PAGE = str(REPO_ROOT / "pages" / "agreements.py")
WEEK = ("2026-03-09", "2026-03-15")


def first_agreement():
    return replace(
        default_agreement("Europe/Amsterdam"),
        effective_from=datetime.date(2026, 1, 1),
        marketing_name="Mia",
        sales_name="Sam",
        note="First agreement",
        mql_definition="Asked for a demo",
        closing_days=(
            ClosingDay(datetime.date(2026, 3, 30), "Move"),
            ClosingDay(datetime.date(2026, 3, 31), "Move"),
        ),
        follow_up=(
            FollowUp("Paid search", "call", 8.0, "working"),
            FollowUp(None, "call", 24.0, "calendar"),
        ),
        targets=(
            Target(datetime.date(2026, 3, 1), None, "leads", 200.0),
            Target(datetime.date(2026, 3, 1), "Paid search", "leads", 40.0),
        ),
        budgets=(Budget(datetime.date(2026, 3, 1), "Paid search", 6000.0, "EUR"),),
    )


@pytest.fixture
def agreed_db(tmp_path, monkeypatch, built_databases):
    leads = [
        {
            "lead_id": f"L{day}{half}",
            "created_at": f"2026-03-{day:02d} {10 + 3 * half}:00:00",
            "channel": "Paid search",
        }
        for day in range(9, 14)
        for half in (0, 1)
    ]
    exports = {
        "leads": write_export(tmp_path / "leads.csv", "leads", leads),
        "deals": write_export(tmp_path / "deals.csv", "deals", []),
    }
    make = building(
        exports, then=lambda con: store.save(con, first_agreement(), changed_by="setup")
    )
    key = "agreed-" + inputs_key(exports)
    path = made_copy(built_databases, key, make, tmp_path / "agreed.duckdb")
    monkeypatch.setenv("REVCYCLE_DB", str(path))
    return path


def open_page(path: str = PAGE, **query) -> AppTest:
    at = AppTest.from_file(path, default_timeout=120)
    at.query_params.update(query)
    at.run()
    assert not at.exception, at.exception
    return at


def texts(elements) -> list[str]:
    return [unescaped(element.value) for element in elements]


def history(at: AppTest):
    return next(frame.value for frame in at.dataframe if "saved_by" in frame.value.columns)


def test_the_editors_show_an_empty_cell_as_a_dash_not_none(agreed_db):
    # A nurture channel's response time is empty on purpose: the grid read "None".
    at = open_page()
    for key in ("follow_up", "targets", "budgets", "closing_days"):
        assert at.data_editor(key=f"agreement_edit_{key}").proto.placeholder == "–", key


def test_an_editor_saves_version_two_from_a_date(agreed_db):
    at = open_page()
    assert history(at)["version"].tolist() == [1]
    at.text_area(key="agreement_edit_mql_definition").input("Asked for a demo twice").run()
    at.date_input(key="agreement_edit_effective_from").set_value(datetime.date(2026, 4, 1))
    at.text_input(key="agreement_edit_note").input("Faster calls")
    shown = at.data_editor(key="agreement_edit_follow_up").value
    row = int(shown.index[shown["channel"] == "Paid search"][0])
    # AppTest cannot type into st.data_editor; its edits arrive through session state.
    at.session_state["agreement_edit_follow_up"] = {
        "edited_rows": {row: {"response_hours": 4.0}},
        "added_rows": [],
        "deleted_rows": [],
    }
    at.button(key="agreement_save").click().run()
    assert not at.exception, at.exception
    assert texts(at.success) == [
        "Saved as version 2. Every page judges the leads created from 1 Apr 2026 on by it; "
        "earlier ones keep the version in force when they came in."
    ]
    assert history(at)["version"].tolist() == [2, 1]
    assert history(at)["note"].tolist() == ["Faster calls", "First agreement"]
    # On the server's own machine, without sign-in, the editor is the server's user.
    assert history(at)["saved_by"].tolist() == [f"{access.os_user()} (on the server)", "setup"]
    changes = next(frame.value for frame in at.dataframe if "What changed" in frame.value.columns)
    changed = dict(zip(changes["What changed"], changes["Version 2"], strict=True))
    assert changed["Paid search: response time"] == "4 working hours"
    assert changed["What counts as an MQL"] == "Asked for a demo twice"
    assert changed["In force from"] == "1 Apr 2026"


def test_a_form_opened_before_another_editor_saved_is_not_saved_over_that_version(agreed_db):
    # Two editors open the form on version 1. The other saves version 2, a new MQL
    # definition; this one then changes the note and saves: version 3 held the old MQL
    # definition again, undoing version 2 without a word.
    at = open_page()
    other = replace(first_agreement(), mql_definition="Asked for a demo twice", note="Sven's")
    other = replace(other, effective_from=datetime.date(2026, 4, 1))
    con = connect(agreed_db)
    try:
        store.save(con, other, changed_by="sven")
    finally:
        con.close()
    at.date_input(key="agreement_edit_effective_from").set_value(datetime.date(2026, 5, 1))
    at.text_input(key="agreement_edit_note").input("Mine").run()
    at.button(key="agreement_save").click().run()
    assert not at.exception, at.exception
    assert not at.success
    [said] = [error for error in texts(at.error) if "after this form was opened" in error]
    assert said.startswith("Version 2 was saved (by sven, ")
    assert said.endswith(
        "after this form was opened on version 1: saving the form would undo what changed, so "
        "nothing is saved. Reload the page to start from version 2, then make your changes again."
    )
    con = connect(agreed_db)
    try:
        assert [version.number for version in store.versions(con)] == [1, 2]
    finally:
        con.close()
    # Reloaded, the form starts from version 2 and saves version 3 on top of it.
    at = open_page()
    at.date_input(key="agreement_edit_effective_from").set_value(datetime.date(2026, 5, 1))
    at.text_input(key="agreement_edit_note").input("Mine").run()
    at.button(key="agreement_save").click().run()
    assert texts(at.success) == [
        "Saved as version 3. Every page judges the leads created from 1 May 2026 on by it; "
        "earlier ones keep the version in force when they came in."
    ]


def test_a_long_definition_and_note_are_read_whole_in_the_history(agreed_db):
    # Their cells were cut at one line: "…that asked for contact, a demo or pricing, or two or…".
    definition = (
        "A lead from a company of 10 or more people that asked for contact, a demo or pricing, "
        "or downloaded two or more whitepapers within 30 days"
    )
    note = "Second agreement: the MQL now needs the company's size, and the numbers follow it"
    con = connect(agreed_db)
    try:
        later = replace(first_agreement(), effective_from=datetime.date(2026, 4, 1))
        store.save(con, replace(later, mql_definition=definition, note=note), changed_by="sven")
    finally:
        con.close()
    at = open_page()
    frames = {
        key: next(f for f in at.dataframe if key in f.value.columns)
        for key in ("note", "What changed")
    }
    assert definition in frames["What changed"].value["Version 2"].tolist()
    # Tall enough rows for the longest text to wrap in its wide column, about 55 a line.
    for frame, text in ((frames["note"], note), (frames["What changed"], definition)):
        assert frame.proto.row_height >= 19 * -(-len(text) // 55), text


def test_an_invalid_entry_is_said_beside_its_field_and_nothing_is_saved(agreed_db):
    at = open_page()
    at.text_input(key="agreement_edit_sales_name").input("").run()
    at.date_input(key="agreement_edit_effective_from").set_value(datetime.date(2025, 12, 1))
    at.button(key="agreement_save").click().run()
    assert not at.exception, at.exception
    errors = texts(at.error)
    assert "Name who agreed for sales." in errors
    assert any("before the previous version" in error for error in errors)
    assert not at.success
    assert history(at)["version"].tolist() == [1]


def test_a_viewer_reads_everything_and_can_change_nothing(agreed_db, tmp_path, monkeypatch):
    roles = tmp_path / "roles.toml"
    roles.write_text(ROLES, encoding="utf-8")
    monkeypatch.setenv("REVCYCLE_ROLES", str(roles))
    at = AppTest.from_file(PAGE, default_timeout=120)
    at.secrets["auth"] = AUTH
    at.user = {"is_logged_in": True, "email": "vic@example.com"}
    at.run()
    assert not at.exception, at.exception
    assert not [button for button in at.button if button.key == "agreement_save"]
    assert at.text_area(key="agreement_edit_mql_definition").disabled
    assert "MQL: Asked for a demo" in " ".join(texts(at.markdown))
    assert history(at)["version"].tolist() == [1]


def test_the_conversion_table_shows_each_target_prorated_with_its_colour(agreed_db):
    at = open_page(str(REPO_ROOT / "pages" / "conversion.py"), preset="Custom", period=WEEK)
    table = next(frame.value for frame in at.dataframe if "Leads vs target" in frame.value.columns)
    rows = table.set_index("Channel")
    # All channels: 200 * 5 / 20 = 50 owed, 10 came: 20%, below amber's 90%: red.
    total = rows.loc[rows.index != "Paid search"].iloc[0]
    assert total["Leads vs target"] == "🔴 20% of 50"
    # Paid search: 40 * 5 / 20 = 10 owed, 10 came: green.
    assert rows.loc["Paid search", "Leads vs target"] == "🟢 100% of 10"
    # No MQL target is agreed: no status, never a made-up one.
    assert rows.loc["Paid search", "MQLs vs target"] == ""


def test_the_overview_tile_shows_the_target_and_the_definition_in_force(agreed_db):
    at = open_page(str(REPO_ROOT / "dashboard.py"), preset="Custom", period=WEEK)
    captions = texts(at.caption)
    assert ":red-badge[20% of target] target 50" in captions
    mqls = next(metric for metric in at.metric if metric.label == "MQLs")
    assert mqls.help.endswith("MQL, as agreed on 1 Jan 2026, version 1: Asked for a demo")


def edit_budgets(at: AppTest, edited_rows: dict, added_rows: list) -> None:
    # AppTest cannot type into st.data_editor; its edits arrive through session state.
    at.session_state["agreement_edit_budgets"] = {
        "edited_rows": edited_rows,
        "added_rows": added_rows,
        "deleted_rows": [],
    }


def test_an_editor_changes_a_budget_and_adds_one_as_version_two(agreed_db):
    at = open_page()
    budgets = at.data_editor(key="agreement_edit_budgets").value
    assert budgets["channel"].tolist() == ["Paid search"]
    assert budgets["amount"].tolist() == [6000.0]
    at.text_input(key="agreement_edit_note").input("More for paid search, a trade show")
    edit_budgets(
        at,
        {0: {"amount": 6500.0}},
        [{"month": "2026-04-01", "channel": "Trade show", "amount": 9000.0, "currency": "EUR"}],
    )
    at.button(key="agreement_save").click().run()
    assert not at.exception, at.exception
    [saved] = texts(at.success)  # from the editor's default date: today
    assert saved.startswith("Saved as version 2. Every page judges the leads created from ")
    assert history(at)["version"].tolist() == [2, 1]
    changes = next(frame.value for frame in at.dataframe if "What changed" in frame.value.columns)
    changed = {
        field: (before, after)
        for field, before, after in zip(
            changes["What changed"], changes["Version 1"], changes["Version 2"], strict=True
        )
    }
    assert changed["Budget Mar 2026, Paid search"] == ("EUR 6,000", "EUR 6,500")
    assert changed["Budget Apr 2026, Trade show"] == ("(none)", "EUR 9,000")
    con = connect(agreed_db)
    try:
        saved = store.current(con).agreement.budgets
    finally:
        con.close()
    assert saved == (
        Budget(datetime.date(2026, 3, 1), "Paid search", 6500.0, "EUR"),
        Budget(datetime.date(2026, 4, 1), "Trade show", 9000.0, "EUR"),
    )


def test_a_budget_refused_is_said_under_the_budgets_and_nothing_is_saved(agreed_db):
    at = open_page()
    edit_budgets(
        at,
        {0: {"amount": -5.0, "currency": "euro"}},
        [],
    )
    at.button(key="agreement_save").click().run()
    assert not at.exception, at.exception
    errors = texts(at.error)
    assert "Mar 2026, Paid search, budget: A budget cannot be negative (-5)." in errors
    assert any(
        error.startswith("Mar 2026, Paid search, budget: 'euro' is not a currency code")
        for error in errors
    )
    assert not at.success
    assert history(at)["version"].tolist() == [1]


def test_the_targets_and_budgets_in_force_today_are_tables(agreed_db):
    at = open_page()
    shown = " ".join(texts(at.markdown))
    assert "Targets per month" in shown and "Marketing budgets per month" in shown
    targets = next(frame.value for frame in at.dataframe if "Leads" in frame.value.columns)
    assert targets.values.tolist() == [
        ["Mar 2026", "(all channels)", 200.0],
        ["Mar 2026", "Paid search", 40.0],
    ]
    budgets = next(frame.value for frame in at.dataframe if "Budget" in frame.value.columns)
    assert budgets.values.tolist() == [["Mar 2026", "Paid search", "EUR 6,000"]]
