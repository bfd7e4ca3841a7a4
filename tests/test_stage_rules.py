"""Stage rules: what a deal stage of a pipeline's own naming means (won, lost or open), saved
in the database by the upload page or the `stage-rules` command, and read by staging and the
importer's checks alike.

The deals, all of lead L1 (Email), created 2 March 2026 and closed 9 March, in EUR:
- D1 "Contract signed" 1,200.00: no word says won, so open until a rule says won;
- D2 "Disqualified" 300.00: open until a rule says lost;
- D3 "Closed - on hold" 500.00: starts with Closed, so lost until a rule says open;
- D4 "Closed Won" 100.00: won by its words, with or without rules;
- D5 "Contract signed" 700.00 whose export says Won false, Closed true: lost, whatever the rule.
"""

from datetime import datetime

import pytest
from streamlit.testing.v1 import AppTest

from revcycle.agreements.model import FollowUp
from revcycle.db import connect, execute
from revcycle.importer import problems as codes
from revcycle.importer import stages
from revcycle.importer.validate import prepare
from revcycle.rebuild import rebuild_in_transaction
from tests.conftest import cents, metric
from tests.support.working_time import agreement, save
from tests.test_app import APP
from tests.test_import_rules import revcycle  # noqa: F401 (a fixture)
from tests.test_upload_page import go_to, texts

MARCH = {"start_date": "2026-03-01", "end_date": "2026-03-31"}
LEADS = [{"lead_id": "L1", "created_at": "2026-03-01 09:00:00", "channel": "Email"}]
RULES = {"Contract signed": "won", "disqualified": "LOST", "closed on hold": "open"}


def deal(deal_id, stage, amount, **flags):
    return {
        "deal_id": deal_id,
        "lead_id": "L1",
        "created_at": "2026-03-02 09:00:00",
        "stage": stage,
        "amount": amount,
        "currency": "EUR",
        "closed_at": "2026-03-09 09:00:00",
        **flags,
    }


DEALS = [
    deal("D1", "Contract signed", "1200.00"),
    deal("D2", "Disqualified", "300.00"),
    deal("D3", "Closed - on hold", "500.00"),
    deal("D4", "Closed Won", "100.00"),
    deal("D5", "Contract signed", "700.00", is_won="false", is_closed="true"),
]


def march_total(con):
    total = metric(con, "revenue_by_channel", **MARCH).query("is_total").iloc[0]
    return (
        cents(total["won_revenue"]),
        int(total["count_won_deals"]),
        cents(total["open_pipeline"]),
        int(total["count_open_deals"]),
    )


def test_rules_say_what_a_pipeline_s_own_stages_mean(funnel_db):
    con = funnel_db(LEADS, DEALS)
    # No rule: won D4 (100.00); open D1 and D2 (1,200.00 + 300.00); D3 and D5 lost.
    assert march_total(con) == (10000, 1, 150000, 2)
    assert stages.set_rules(con, RULES, changed_by="ann@example.com") == 3
    # Won D1 + D4 = 1,300.00; open D3 (500.00); D2 lost; D5 lost by its own Won and Closed.
    assert march_total(con) == (130000, 2, 50000, 1)
    assert stages.all_rules(con) == [
        ("Contract signed", "won"),
        ("disqualified", "lost"),
        ("closed on hold", "open"),
    ]
    (changed_by, what) = con.execute("select changed_by, what from change_log").fetchall()[-1]
    assert changed_by == "ann@example.com"
    assert what == (
        "Saved the stage rules: added Contract signed → won, closed on hold → open, "
        "disqualified → lost"
    )


def test_removing_a_rule_reads_the_stage_by_its_words_again(funnel_db):
    con = funnel_db(LEADS, DEALS)
    stages.set_rules(con, RULES, changed_by="ann")
    # "contract-SIGNED" is the rule for "Contract signed" (case and marks aside).
    assert stages.set_rules(con, {"contract-SIGNED": None}, changed_by="ann") == 2
    # D1 open again: won D4 only; open D1 (1,200.00) and D3 (500.00).
    assert march_total(con) == (10000, 1, 170000, 2)


def test_two_rules_for_one_stage_written_around_the_page_never_count_a_deal_twice(funnel_db):
    con = funnel_db(LEADS, DEALS)
    con.execute(
        "insert into raw_stage_rules values ('Contract signed', 'won'), ('CONTRACT SIGNED', 'won')"
    )
    con.begin()
    rebuild_in_transaction(con)
    con.commit()
    assert con.execute("select count(*), count(distinct deal_id) from stg_deals").fetchall() == [
        (5, 5)
    ]
    assert march_total(con) == (130000, 2, 30000, 1)  # D1 + D4 won; D2 open; D3, D5 lost


def test_two_rules_for_one_stage_keep_the_import_checks_on_their_lines(tmp_path):
    # Line 2 "Proposal" and line 3 "Contract signed" both close on 12 Dec, after the check's
    # now: only line 3, won by its rule, closes in the future (an open deal's date is expected).
    deals = tmp_path / "deals.csv"
    deals.write_text(
        "deal_id,created_at,stage,amount,closed_at\n"
        "D1,2026-03-02,Proposal,300.00,2026-12-12\n"
        "D2,2026-03-02,Contract signed,400.00,2026-12-12\n",
        encoding="utf-8",
    )
    con = connect(tmp_path / "twice.duckdb")
    try:
        stages.set_rules(con, {"Contract signed": "won"}, changed_by="ann")
        con.execute("insert into raw_stage_rules values ('CONTRACT SIGNED', 'won')")
        prepared = prepare(con, deals, kind="deals", now=datetime(2026, 12, 5))
    finally:
        con.close()
    future = [(p.line, p.value) for p in prepared.problems if p.code == codes.FUTURE_DATE]
    assert future == [(3, "2026-12-12")]


@pytest.mark.parametrize(
    ("rules", "reason"),
    [
        ([("Contract signed", "maybe")], "the rule for the stage 'Contract signed' says 'maybe'"),
        ([("  ", "won")], "every stage rule needs a stage"),
        ([("Contract signed", "")], "says 'nothing'"),
    ],
)
def test_a_rule_that_is_not_won_lost_or_open_is_refused_and_nothing_changes(
    funnel_db, rules, reason
):
    con = funnel_db(LEADS, DEALS)
    stages.set_rules(con, {"Disqualified": "lost"}, changed_by="ann")
    with pytest.raises(ValueError, match=reason):
        stages.replace_rules(con, rules, changed_by="ann")
    assert stages.all_rules(con) == [("Disqualified", "lost")]


def test_a_stage_with_a_rule_is_no_longer_warned_of_and_a_future_close_is(tmp_path):
    # D1 "Deal won" says won in words no reading closes: a warning, until a rule says won.
    # D2 "Contract signed" closes on 12 Dec, after the check's now (5 Dec): an open deal's
    # expected close until the rule makes it won, then a close in the future.
    deals = tmp_path / "deals.csv"
    deals.write_text(
        "deal_id,created_at,stage,amount,closed_at\n"
        "D1,2026-03-02,Deal won,300.00,2026-03-09\n"
        "D2,2026-03-02,Contract signed,400.00,2026-12-12\n",
        encoding="utf-8",
    )
    con = connect(tmp_path / "stages.duckdb")

    def flagged():
        prepared = prepare(con, deals, kind="deals", now=datetime(2026, 12, 5))
        return [
            (problem.code, problem.line, problem.value)
            for problem in prepared.problems
            if problem.code in (codes.STAGE_READ_AS_OPEN, codes.FUTURE_DATE)
        ]

    try:
        assert flagged() == [(codes.STAGE_READ_AS_OPEN, 2, "Deal won")]
        stages.set_rules(con, {"Deal won": "won", "Contract signed": "won"}, changed_by="ann")
        assert flagged() == [(codes.FUTURE_DATE, 3, "2026-12-12")]
    finally:
        con.close()


def test_the_stages_read_as_open_are_named_so_a_pipeline_s_own_won_stage_is_seen(tmp_path):
    # "Contract signed" (3 deals) and "Proposal" (1) load as open by their words; "Deal won"
    # is warned of instead, "Closed Won" is won, "open" (Pipedrive's status) is open as it says,
    # and D7's export says Won and Closed itself.
    deals = tmp_path / "deals.csv"
    stages_by_deal = [
        ("D1", "Contract signed"),
        ("D2", "contract-signed"),
        ("D3", "Contract Signed"),
        ("D4", "Proposal"),
        ("D5", "Deal won"),
        ("D6", "Closed Won"),
        ("D7", "open"),
    ]
    lines = [f"{deal_id},2026-03-02,{stage},100.00,,\n" for deal_id, stage in stages_by_deal]
    lines.append("D8,2026-03-02,Negotiation,100.00,true,true\n")
    deals.write_text("deal_id,created_at,stage,amount,is_won,is_closed\n" + "".join(lines))
    con = connect(tmp_path / "notes.duckdb")

    def notes():
        return prepare(con, deals, kind="deals", now=datetime(2026, 12, 5)).notes

    try:
        assert notes() == [
            # Three spellings of one stage, which one rule covers: counted together.
            "these stages load as open pipeline: Contract Signed (3 deals), Proposal (1 deal). "
            "If one of them means won or lost (a pipeline's own name, such as Contract signed), "
            "say so in a stage rule (the upload page's Stage rules, or the command python3 -m "
            "revcycle stage-rules --set 'STAGE=won')"
        ]
        stages.set_rules(con, {"Contract signed": "won"}, changed_by="ann")
        assert notes() == [
            "these stages load as open pipeline: Proposal (1 deal). If one of them means won or "
            "lost (a pipeline's own name, such as Contract signed), say so in a stage rule (the "
            "upload page's Stage rules, or the command python3 -m revcycle stage-rules --set "
            "'STAGE=won')"
        ]
    finally:
        con.close()


def test_a_deal_the_crm_deleted_counts_nowhere_until_a_rule_says_what_it_is(funnel_db):
    # Pipedrive's statuses, all of L1 in March: D1 open 1,000.00, D2 deleted 2,000.00, D4
    # Closed Won 100.00. Deleted is neither open pipeline nor a loss, as Pipedrive's own
    # reports leave it out: won 100.00 of 1 closed deal, open 1,000.00 in 1 deal, 2
    # opportunities (before, D2 was open: 3,000.00 in 2 deals, 3 opportunities).
    pipedrive = [
        deal("D1", "open", "1000.00"),
        deal("D2", "deleted", "2000.00"),
        deal("D4", "Closed Won", "100.00"),
    ]
    con = funnel_db(LEADS, pipedrive)
    assert march_total(con) == (10000, 1, 100000, 1)
    total = metric(con, "revenue_by_channel", **MARCH).query("is_total").iloc[0]
    assert (int(total["count_opportunities"]), int(total["count_closed_deals"])) == (2, 1)
    # The teams say deleted deals are lost: D2 is a closed deal, won by none.
    stages.set_rules(con, {"Deleted": "lost"}, changed_by="ann@example.com")
    assert march_total(con) == (10000, 1, 100000, 1)
    total = metric(con, "revenue_by_channel", **MARCH).query("is_total").iloc[0]
    assert (int(total["count_opportunities"]), int(total["count_closed_deals"])) == (3, 2)


def test_the_upload_says_how_many_deals_the_crm_deleted(tmp_path):
    deals = tmp_path / "deals.csv"
    lines = ["D1,2026-03-02,open", "D2,2026-03-02,deleted", "D3,2026-03-02,Deleted"]
    deals.write_text("deal_id,created_at,stage\n" + "\n".join(lines) + "\n")
    con = connect(tmp_path / "deleted.duckdb")
    try:
        # Not among the stages read as open pipeline: counted nowhere, and said so.
        assert prepare(con, deals, kind="deals", now=datetime(2026, 12, 5)).notes == [
            "2 deals have the stage deleted: the CRM deleted them, so they load as the file has "
            "them and count nowhere (neither open pipeline nor lost), as the CRM's own reports "
            "leave deleted deals out. A stage rule for deleted counts such deals as it says"
        ]
        stages.set_rules(con, {"deleted": "open"}, changed_by="ann")
        assert prepare(con, deals, kind="deals", now=datetime(2026, 12, 5)).notes == []
    finally:
        con.close()


def test_the_command_sets_lists_and_removes_rules(tmp_path, revcycle):  # noqa: F811
    db = tmp_path / "cli.duckdb"
    code, out = revcycle(db, "stage-rules")
    assert (code, out.strip()) == (
        0,
        "No stage rules: a stage counts by its words (Won, Closed Won…, Lost, Closed…).",
    )
    code, out = revcycle(db, "stage-rules", "--set", "Contract signed=won", "--set", "Lost?=LOST")
    assert code == 0
    assert out.splitlines()[1:] == ["Contract signed → won", "Lost? → lost"]
    assert out.startswith("saved 2 stage rules (recorded as done by ")
    # An outcome, a pair or a rule to remove that is not one: usage errors (exit code 2), each
    # said in a sentence (tests/test_cli_usage.py has the whole of them), saving nothing.
    code, out = revcycle(db, "stage-rules", "--set", "Contract signed=signed")
    assert code == 2
    assert "argument --set: the rule for the stage 'Contract signed' says 'signed'" in out
    assert "Traceback" not in out
    code, out = revcycle(db, "stage-rules", "--set", "Contract signed")
    assert code == 2
    assert "argument --set: STAGE=OUTCOME (won, lost or open), not 'Contract signed'" in out
    code, out = revcycle(db, "stage-rules", "--remove", "lost?")
    assert (code, out.splitlines()[1:]) == (0, ["Contract signed → won"])
    # A rule that is not there: it said "saved 1 stage rule" and rebuilt, changing nothing.
    code, out = revcycle(db, "stage-rules", "--remove", "No such stage")
    assert code == 2
    assert "not saved: there is no rule for 'No such stage' to remove" in out
    code, out = revcycle(db, "stage-rules")
    assert out.splitlines() == ["Contract signed → won"]


def test_an_editor_adds_a_rule_on_the_upload_page_and_the_overview_counts_the_win(
    funnel_db, monkeypatch
):
    con = funnel_db(LEADS, DEALS)
    path = con.execute(
        "select path from duckdb_databases() where database_name = current_database()"
    ).fetchone()[0]
    con.close()
    monkeypatch.setenv("REVCYCLE_DB", path)
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params["period"] = ["2026-03-01", "2026-03-31"]
    at.run()
    won = next(tile for tile in at.metric if tile.label == "Won revenue")
    assert won.value.replace("\\", "") == "€100.00"  # D4 alone
    go_to(at, "pages/upload.py")
    # AppTest cannot type into st.data_editor; its edits arrive through session state.
    at.session_state["upload_stage_rules_table"] = {
        "edited_rows": {},
        "added_rows": [{"Stage": "contract signed", "Means": "won"}],
        "deleted_rows": [],
    }
    at.button(key="upload_stage_rules_save").click().run()
    assert not at.exception
    assert "Saved 1 stage rule." in texts(at.success)
    go_to(at, "dashboard.py")
    won = next(tile for tile in at.metric if tile.label == "Won revenue")
    assert won.value.replace("\\", "") == "€1,300.00"  # D1 1,200.00 + D4 100.00


def test_a_rule_or_agreement_save_rebuilds_but_loads_nothing_so_loaded_stays(
    funnel_db, monkeypatch
):
    # UTC+14, far from any server's clock: "loaded" is the upload's time on the data's wall
    # clock, and the banner reads it against that clock, never the server's.
    monkeypatch.setenv("REVCYCLE_TIMEZONE", "Pacific/Kiritimati")
    con = funnel_db(LEADS, DEALS)
    con.execute("update uploads set uploaded_at = uploaded_at - interval 3 day")
    uploaded = con.execute("select max(uploaded_at) from uploads").fetchone()[0]
    version = con.execute("select max(data_version) from build_info").fetchone()[0]
    stages.set_rules(con, RULES, changed_by="ann")
    save(con, agreement(FollowUp(None, "call", 4, "calendar")))
    assert con.execute("select max(data_version) from build_info").fetchone()[0] == version + 2
    assert execute(con, "metrics/data_freshness")["loaded_at"].iloc[0] == uploaded
    path = con.execute(
        "select path from duckdb_databases() where database_name = current_database()"
    ).fetchone()[0]
    con.close()
    monkeypatch.setenv("REVCYCLE_DB", path)
    at = AppTest.from_file(APP, default_timeout=120).run()
    banner = [info.value for info in at.sidebar.info if "Leads up to" in info.value]
    assert banner == ["Leads up to 01 Mar 2026, loaded 3 days ago."]
