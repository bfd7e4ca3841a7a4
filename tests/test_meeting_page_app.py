"""This week under AppTest on the sample: the week in the link, previous and next, a link's
week that is no week, presentation mode from the link and its buttons, and an action added in
place by an editor (AppTest runs on this machine, so it may write).

The sample's last event is on a Friday of 2026-W47 (tests/sample_facts.py), so the meeting opens
on 2026-W46; expected counts come from the sample CSVs.
"""

import os
import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from revcycle.db import connect
from revcycle.meeting import log, pack
from revcycle.meeting.week import Week
from revcycle.paths import REPO_ROOT
from tests import sample_facts
from tests.conftest import building, copy_database, inputs_key, made_copy
from tests.test_access_pages import AUTH, roles_file  # noqa: F401 (a fixture)
from tests.test_app import shown_count
from tests.test_meeting_page_browser import LABEL, MONDAY, SUNDAY

PAGE = REPO_ROOT / "pages" / "this_week.py"


@pytest.fixture
def db_env(sample_db_file, tmp_path, monkeypatch):
    """A copy of the sample of its own: a test may write to the meeting log."""
    monkeypatch.setenv("REVCYCLE_DB", str(copy_database(sample_db_file, tmp_path / "s.duckdb")))


def open_page(**query) -> AppTest:
    at = AppTest.from_file(str(PAGE), default_timeout=120)
    at.query_params.update(query)
    at.run()
    assert not at.exception, at.exception
    assert not at.error, [error.value for error in at.error]
    return at


def unescaped(markdown: str) -> str:
    """Text the page wrote as plain text inside Markdown (every sign escaped), as shown."""
    return markdown.replace("\\", "")


def titles(at: AppTest) -> list[str]:
    return [title.value for title in at.title]


def test_the_page_opens_on_the_last_complete_week_with_its_numbers(db_env):
    at = open_page()
    assert titles(at) == [f"This week — {LABEL}"]
    assert at.query_params["week"] == LABEL
    assert shown_count(at, "Leads") == sample_facts.count_leads(period=(MONDAY, SUNDAY))


def test_the_week_in_the_link_is_shown_and_previous_steps_back(db_env):
    at = open_page(week="2026-W40")
    assert titles(at) == ["This week — 2026-W40"]
    # 2026-W40 runs Monday 28 September to Sunday 4 October.
    monday = date(2026, 9, 28)
    assert shown_count(at, "Leads") == sample_facts.count_leads(
        period=(monday, monday + timedelta(days=6))
    )
    at.button(key="meeting_previous_week").click().run()
    assert titles(at) == ["This week — 2026-W39"]
    assert at.query_params["week"] == "2026-W39"


def test_the_weeks_won_revenue_is_shown_to_the_cent_and_money_targets_in_whole_units(db_env):
    at = open_page()
    won = next(metric.value for metric in at.metric if metric.label == "Won revenue")
    # The deals closed as won from Monday to Sunday of the week, to the cent.
    cents = sample_facts.won_revenue_cents(period=(MONDAY, SUNDAY))
    assert unescaped(won) == f"€{cents / 100:,.2f}"
    # A target is prorated from the month's: whole units, never "€135,714.29".
    money_targets = [
        unescaped(caption.value) for caption in at.caption if "target €" in unescaped(caption.value)
    ]
    assert len(money_targets) == 2, money_targets  # the new pipeline's and the won revenue's
    assert all(re.search(r"target €\d{1,3}(,\d{3})*$", line) for line in money_targets)


def test_next_stops_at_the_week_the_data_reaches(db_env):
    # The sample's last event is in 2026-W47: that week is shown (not over), no later one.
    at = open_page(week="2026-W47")
    assert at.button(key="meeting_next_week").disabled
    assert any("not over in the data yet" in caption.value for caption in at.caption)


def test_the_week_the_data_ends_in_shows_no_change_against_a_whole_week(db_env):
    # 2026-W47 holds the sample's days up to its Friday: 5 days of leads against W46's 7 read
    # as a drop of a third. Its tiles say "so far" and show no change; W46's show one.
    partial = open_page(week="2026-W47")
    assert [tile.delta for tile in partial.metric] == [""] * len(partial.metric)
    assert all(tile.help.startswith("So far this week · Last week") for tile in partial.metric)
    whole = open_page(week="2026-W46")
    leads = next(tile for tile in whole.metric if tile.label == "Leads")
    assert leads.delta and leads.help.startswith("Last week")


def test_a_week_after_the_data_says_the_data_ends_before_it(db_env):
    # Only a link reaches 2026-W48: none of its days is loaded, so nothing will "still grow".
    captions = [caption.value for caption in open_page(week="2026-W48").caption]
    assert any("The data ends before this week: none of its days" in said for said in captions)
    assert not any("not over in the data yet" in said for said in captions)


def test_a_filtered_meeting_names_its_filter_on_the_page_and_on_every_slide(db_env):
    # The sidebar is hidden while presenting: Referral's numbers for one owner read as the
    # company's when the title names only the week.
    scoped = "This week — 2026-W46 · channels Referral; owners Greta Novak"
    at = open_page(week="2026-W46", channel="Referral", owner="Greta Novak")
    assert [unescaped(title) for title in titles(at)] == [scoped]
    filtered = {"channel": "Referral", "owner": "Greta Novak", "present": "1", "section": "tiles"}
    at = open_page(week="2026-W46", **filtered)
    assert [unescaped(title) for title in titles(at)] == [
        "The week in numbers — 2026-W46 · channels Referral; owners Greta Novak"
    ]
    assert titles(open_page(week="2026-W46")) == ["This week — 2026-W46"]


def test_a_long_choice_is_named_in_part_in_the_title_and_whole_in_the_sidebar(db_env):
    # Five channels chosen: a title read from across the room names three and counts two.
    chosen = ["Email", "Partner", "Referral", "Trade show", "Paid search"]
    at = open_page(week="2026-W46", channel=chosen)
    assert [unescaped(title) for title in titles(at)] == [
        "This week — 2026-W46 · channels Email, Partner, Referral and 2 more"
    ]
    assert at.sidebar.multiselect(key="channel").value == chosen


def test_a_link_with_two_weeks_shows_the_first_and_says_so(db_env):
    at = open_page(week=["2026-W40", "2026-W41"])
    assert titles(at) == ["This week — 2026-W40"]
    notes = [unescaped(caption.value) for caption in at.sidebar.caption]
    assert any("one week at a time, so 2026-W40 is shown" in note for note in notes)


@pytest.mark.parametrize("week", ["0001-W01", "9999-W52"])
def test_a_week_link_with_a_year_out_of_reach_is_said_and_the_default_shown(db_env, week):
    at = open_page(week=week)
    assert titles(at) == [f"This week — {LABEL}"]
    assert any("is no year the meeting shows" in unescaped(c.value) for c in at.caption)


def test_a_week_before_the_data_s_latest_event_is_over_though_the_leads_end_earlier(
    funnel_db, monkeypatch
):
    # The leads export ends on Monday 2 Feb 2026 (L1); the deals export reaches Wednesday
    # 11 Mar, when D1 was won: 2026-W11 (9-15 Mar). The meeting opens on 2026-W10 (2-8 Mar),
    # which is over, and Next week reaches W11.
    con = funnel_db(
        [{"lead_id": "L1", "created_at": "2026-02-02 09:00:00"}],
        [
            {
                "deal_id": "D1",
                "lead_id": "L1",
                "created_at": "2026-02-10 09:00:00",
                "stage": "Closed Won",
                "amount": "100.00",
                "currency": "EUR",
                "closed_at": "2026-03-11 10:00:00",
            }
        ],
    )
    path = con.execute(
        "select path from duckdb_databases() where database_name = current_database()"
    )
    monkeypatch.setenv("REVCYCLE_DB", path.fetchone()[0])
    at = open_page()
    assert titles(at) == ["This week — 2026-W10"]
    assert not any("not over in the data yet" in caption.value for caption in at.caption)
    assert not at.button(key="meeting_next_week").disabled
    at.button(key="meeting_next_week").click().run()
    assert titles(at) == ["This week — 2026-W11"]
    assert any("not over in the data yet" in caption.value for caption in at.caption)


def test_a_week_in_the_link_that_is_no_week_is_said_and_the_default_shown(db_env):
    at = open_page(week="week 47")
    assert titles(at) == [f"This week — {LABEL}"]
    notes = unescaped(" ".join(caption.value for caption in at.sidebar.caption))
    assert "week 'week 47'" in notes and "is not a week" in notes


def test_present_in_the_link_shows_one_section_and_next_moves_on(db_env):
    at = open_page(present="1", section="quality")
    assert titles(at) == [f"Lead quality — {LABEL}"]
    at.button(key="meeting_slide_next").click().run()
    assert titles(at) == [f"Spend against budget — {LABEL}"]
    at.button(key="meeting_slide_next").click().run()
    assert titles(at) == [f"Decisions and actions — {LABEL}"]
    assert at.query_params["section"] == "actions"
    at.button(key="meeting_present_off").click().run()
    assert titles(at) == [f"This week — {LABEL}"]
    assert "present" not in at.query_params


def test_an_editor_adds_an_action_in_place(db_env):
    at = open_page()
    at.text_input(key="meeting_new_action_what").input("Call back the webinar leads")
    at.text_input(key="meeting_new_action_owner").input("Bram")
    next(button for button in at.button if button.label == "Add action").click().run()
    assert not at.exception
    assert unescaped(at.success[-1].value).startswith(
        "Added the action “Call back the webinar leads” for Bram, due "
    )
    # On the presented actions section the new action is listed, as text.
    at = open_page(present="1", section="actions")
    table = at.table[0].value
    assert table["What"].tolist() == ["Call back the webinar leads"]
    assert table["Owner"].tolist() == ["Bram"]
    # Due a week after the meeting's Sunday: by the next meeting.
    assert table["Due"].tolist() == [f"{SUNDAY + timedelta(days=7):%a %d %b %Y}"]


def test_a_decision_that_led_to_no_agreement_version_shows_a_dash_not_none(db_env):
    at = open_page()
    at.text_input(key="meeting_new_decision_text").input("Keep the webinar series")
    next(button for button in at.button if button.label == "Record decision").click().run()
    at.run()
    [editor] = [frame for frame in at.dataframe if "agreement_version" in frame.value.columns]
    assert editor.value["agreement_version"].isna().tolist() == [True]
    assert editor.proto.placeholder == "–"  # the grid showed "None"


def test_an_empty_action_is_refused_in_a_sentence_and_nothing_is_kept(db_env):
    at = open_page()
    at.text_input(key="meeting_new_action_owner").input("Bram")
    next(button for button in at.button if button.label == "Add action").click().run()
    assert any("What to do is empty" in unescaped(error.value) for error in at.error)
    at = open_page(present="1", section="actions")
    assert not at.table


def signed_in(email: str) -> AppTest:
    """This week with sign-in configured and ``email`` signed in (verified)."""
    at = AppTest.from_file(str(PAGE), default_timeout=120)
    at.secrets["auth"] = AUTH
    at.user = {"is_logged_in": True, "email": email, "email_verified": True}
    at.run()
    assert not at.exception, at.exception
    return at


@pytest.mark.usefixtures("db_env", "roles_file")
def test_a_viewer_reads_the_log_but_is_offered_no_change():
    at = signed_in("vera@example.com")  # example.com may view; only Eddie may edit
    labels = [button.label for button in at.button]
    assert "Add action" not in labels and "Record decision" not in labels
    assert not at.text_input
    assert any("lock" in (info.icon or "") for info in at.info)


@pytest.mark.usefixtures("db_env", "roles_file")
def test_an_editor_s_action_records_who_added_it():
    at = signed_in("Eddie@Example.com")
    at.text_input(key="meeting_new_action_what").input("Fix the contact form")
    at.text_input(key="meeting_new_action_owner").input("Bram")
    next(button for button in at.button if button.label == "Add action").click().run()
    assert not at.exception
    con = connect(Path(os.environ["REVCYCLE_DB"]))
    try:
        added = log.actions(con, Week.parse(LABEL))
    finally:
        con.close()
    assert added[["what", "owner", "status"]].values.tolist() == [
        ["Fix the contact form", "Bram", "open"]
    ]
    assert added["changed_by"].str.lower().tolist() == ["eddie@example.com"]


@pytest.mark.usefixtures("db_env", "roles_file")
def test_an_editor_taken_off_the_roles_cannot_save_the_edits_the_page_offered():
    # Eddie adds an action, then the roles file makes him a viewer while his page still shows
    # the editor. "Save changes" at the next click is refused, and the action is as it was.
    at = signed_in("eddie@example.com")
    at.text_input(key="meeting_new_action_what").input("Fix the contact form")
    at.text_input(key="meeting_new_action_owner").input("Bram")
    next(button for button in at.button if button.label == "Add action").click().run()
    roles = Path(os.environ["REVCYCLE_ROLES"])
    roles.write_text('[viewers]\ndomains = ["example.com"]\n', encoding="utf-8")
    at.session_state["meeting_actions_edit"] = {
        "edited_rows": {0: {"what": "Edited after the roles changed"}},
        "added_rows": [],
        "deleted_rows": [],
    }
    at.button(key="meeting_actions_save").click().run()
    assert not at.exception
    assert not any("Saved" in success.value for success in at.success)
    assert any("may view" in unescaped(error.value) for error in at.error)
    con = connect(Path(os.environ["REVCYCLE_DB"]))
    try:
        kept = log.actions(con, Week.parse(LABEL))
    finally:
        con.close()
    assert kept["what"].tolist() == ["Fix the contact form"]


def test_a_headline_sentence_on_the_shared_screen_opens_the_section_behind_it(db_env):
    at = open_page(present="1", section="headline")
    sentences = [button for button in at.button if button.key.startswith("meeting_headline_")]
    assert 3 <= len(sentences) <= 5
    next(button for button in sentences if "waited past" in button.label).click().run()
    assert titles(at) == [f"Follow-up breaches, by owner — {LABEL}"]
    assert at.query_params["section"] == "breaches"


def test_presented_actions_show_typed_markup_as_text(db_env):
    # st.table renders its cells as Markdown: an action typed with stars, a link and an owner
    # in underscores must reach the screen as written (every sign escaped), never bold or live.
    with connect(os.environ["REVCYCLE_DB"]) as con:
        due = date.fromisoformat(str(MONDAY)) + timedelta(days=4)
        log.add_action(con, LABEL, "**Call** every [lead](http://x.example)", "_Ann_", due, "Mia")
    at = open_page(week=LABEL, present="1", section="actions")
    (table,) = at.table
    link = "http\u2060" + r"\:\/\/x\.example"  # a word joiner stops the autolink
    assert table.value["What"].tolist() == [r"\*\*Call\*\* every \[lead\]\(" + link + r"\)"]
    assert table.value["Owner"].tolist() == [r"\_Ann\_"]
    assert table.value["Last changed by"].tolist() == ["Mia"]  # who recorded it, shown


# A first weekly export, Monday 2 to Wednesday 4 March 2026 (2026-W10): the data has no complete
# week yet. The last complete week by the calendar, 2026-W09, is before the first lead.
FIRST_WEEK_LEADS = (
    "lead_id,created_at,channel\n"
    "F1,2026-03-02 09:00:00,Referral\n"
    "F2,2026-03-03 10:00:00,Referral\n"
    "F3,2026-03-04 11:00:00,Email\n"
)


def test_with_no_complete_week_yet_the_page_opens_on_the_data_s_first_week(
    tmp_path, monkeypatch, built_databases
):
    leads = tmp_path / "leads.csv"
    leads.write_text(FIRST_WEEK_LEADS, encoding="utf-8")
    exports = {"leads": leads}
    path = made_copy(
        built_databases, "first-week-" + inputs_key(exports), building(exports), tmp_path / "f.db"
    )
    monkeypatch.setenv("REVCYCLE_DB", str(path))
    at = open_page()
    assert titles(at) == ["This week — 2026-W10"]
    assert at.query_params["week"] == "2026-W10"
    assert shown_count(at, "Leads") == 3  # F1, F2 and F3
    captions = [caption.value for caption in at.caption]
    assert any("This week is not over in the data yet" in caption for caption in captions)
    back = at.button(key="meeting_default_week")
    assert back.label == "The data's first week (2026-W10)" and back.disabled
    assert at.button(key="meeting_next_week").disabled  # no later week holds any data
    at.button(key="meeting_previous_week").click().run()
    assert titles(at) == ["This week — 2026-W09"]
    assert not at.button(key="meeting_default_week").disabled
    # The command line's pack opens on the same week, its tiles the days so far too.
    pack_file = tmp_path / "pack.html"
    with connect(path) as con:
        assert pack.write(con, None, pack_file, {}, date(2026, 12, 7)) == 0
    written = pack_file.read_text(encoding="utf-8")
    assert "Weekly meeting — 2026-W10" in written
    # Leads is the one number the file gives (no MQL, SQL or contact column, no deals).
    assert written.count("<div>So far this week</div>") == 1
