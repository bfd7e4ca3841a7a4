"""Who may change the data: the roles file, the same-machine rule, the decision, and the record
of who made each change. Every expectation below is worked out from the rule in
revcycle/access.py's docstring, not from a run."""

import getpass

import pandas as pd
import pyarrow as pa
import pytest

from revcycle import access, audit
from revcycle.__main__ import main
from revcycle.access import EDITOR, VIEWER, Roles, RolesFileError, Visitor, decide, parse_roles
from revcycle.importer import channels, load
from revcycle.importer.original import Original
from revcycle.ui import upload
from tests.conftest import copy_database
from tests.test_cli_load import HUBSPOT

ROLES = """
[editors]
emails = ["Ana@Example.com"]
domains = ["finance.example.com"]

[viewers]
emails = ["intern@finance.example.com"]
domains = ["@example.com"]
"""


@pytest.mark.parametrize(
    ("email", "role"),
    [
        ("ana@example.com", EDITOR),  # listed by email, written in another case
        ("ANA@EXAMPLE.COM", EDITOR),
        ("bo@finance.example.com", EDITOR),  # by domain
        ("intern@finance.example.com", VIEWER),  # an email beats its domain
        ("cy@example.com", VIEWER),  # "@example.com" means the domain
        ("dee@sales.example.com", None),  # a domain is not its subdomains
        ("ana@example.org", None),
        (" Bo@Finance.Example.com ", EDITOR),  # spaces around a claim do not matter
    ],
)
def test_roles_come_by_email_or_domain_ignoring_case(email, role):
    assert parse_roles(ROLES).role_of(email) == role


def test_a_domain_of_editors_can_hold_a_viewer_and_the_reverse():
    roles = parse_roles(
        '[editors]\nemails = ["boss@example.com"]\ndomains = ["team.example"]\n'
        '[viewers]\nemails = ["guest@team.example"]\ndomains = ["example.com"]\n'
    )
    assert roles.role_of("boss@example.com") == EDITOR
    assert roles.role_of("other@example.com") == VIEWER
    assert roles.role_of("guest@team.example") == VIEWER
    assert roles.role_of("member@team.example") == EDITOR


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ('[editor]\nemails = ["a@b.c"]\n', "'editor'"),  # a misspelt section
        ('[editors]\nemail = ["a@b.c"]\n', "'email'"),
        ('[editors]\nemails = "a@b.c"\n', "must be a list of strings"),
        ('[editors]\nemails = ["not-an-email"]\n', "'not-an-email' is not like"),
        ('[editors]\ndomains = ["a@b.c"]\n', "'a@b.c' is not like 'example.com'"),
        ('[editors]\nemails = ["A@b.c"]\n[viewers]\nemails = ["a@B.c"]\n', "both an editor"),
        ("[editors\n", "not valid TOML"),
        ('editors = ["a@b.c"]\n', "must be a section"),
    ],
)
def test_a_roles_file_not_as_described_is_refused_with_a_sentence(text, said):
    with pytest.raises(RolesFileError, match=said.replace("[", r"\[")):
        parse_roles(text, "roles.toml")


def test_no_roles_file_lists_nobody(tmp_path):
    assert access.read_roles(tmp_path / "absent.toml") == Roles()


def test_an_edited_roles_file_applies_at_once(tmp_path):
    path = tmp_path / "roles.toml"
    path.write_text('[viewers]\nemails = ["ana@example.com"]\n', encoding="utf-8")
    assert access.read_roles(path).role_of("ana@example.com") == VIEWER
    path.write_text('[editors]\nemails = ["ana@example.com"]\n', encoding="utf-8")
    assert access.read_roles(path).role_of("ana@example.com") == EDITOR


@pytest.mark.parametrize(
    ("address", "same"),
    [
        ("127.0.0.1", True),
        ("127.8.9.1", True),  # all of 127.0.0.0/8 is loopback
        ("::1", True),
        ("[::1]", True),
        ("::ffff:127.0.0.1", True),  # IPv4 loopback written as IPv6
        ("10.0.0.5", False),
        ("192.168.1.20", False),
        ("203.0.113.7", False),
        ("::ffff:10.0.0.1", False),
        ("fe80::1", False),
        ("localhost", False),  # a name, not an address: nothing to trust
        ("", False),
        (None, False),
    ],
)
def test_only_a_loopback_address_is_the_same_machine(address, same):
    assert access.is_same_machine(address) is same


EDITORS = parse_roles('[editors]\nemails = ["ana@example.com"]\n[viewers]\ndomains = ["x.org"]\n')


def signed_in(email, verified=None, same_machine=False) -> Visitor:
    return Visitor(same_machine, True, True, email, verified)


@pytest.mark.parametrize(
    ("visitor", "roles", "may_change", "who"),
    [
        # No sign-in configured: the server's own machine writes as the server's user.
        (Visitor(True, False), EDITORS, True, "ana (on the server)"),
        (Visitor(False, False), EDITORS, False, None),
        # Sign-in configured: the same machine no longer grants anything.
        (Visitor(True, True), EDITORS, False, None),
        (signed_in("Ana@Example.com"), EDITORS, True, "ana@example.com"),
        (signed_in("ana@example.com", verified=True), EDITORS, True, "ana@example.com"),
        (signed_in("ana@example.com", verified=False), EDITORS, False, None),
        (signed_in("vic@x.org", same_machine=True), EDITORS, False, None),
        (signed_in("stranger@elsewhere.net"), EDITORS, False, None),
        (signed_in(None), EDITORS, False, None),
        (signed_in("ana@example.com"), None, False, None),  # the roles file is unreadable
        (signed_in("ana@example.com"), Roles(), False, None),  # there is no roles file
    ],
)
def test_who_may_change_the_data(visitor, roles, may_change, who):
    decision = decide(visitor, roles, "ana")
    assert (decision.may_change, decision.who) == (may_change, who)
    assert bool(decision.why_not) is not may_change  # read-only always says why


def test_read_only_lines_say_what_to_do():
    assert decide(Visitor(False, False), EDITORS, "ana").why_not == access.SIGN_IN_HINT
    assert decide(Visitor(True, True), EDITORS, "ana").why_not == access.SIGN_IN_TO_CHANGE
    assert decide(signed_in("vic@x.org"), EDITORS, "ana").why_not == access.VIEWER_ONLY


def rows(*lead_ids: str) -> pa.Table:
    return pa.table({"lead_id": list(lead_ids), "created_at": ["2026-01-05 09:00:00"] * 2})


def meta(name: str) -> load.UploadMeta:
    return load.UploadMeta(name, Original.of_bytes(name.encode()), "generic", 2, 0)


def test_uploads_and_restores_record_who_made_them(funnel_db):
    con = funnel_db([{"lead_id": "L1", "created_at": "2026-01-01 09:00:00"}])
    # The build loaded leads as upload 1 and deals as upload 2, as the OS user running it.
    load.commit_upload(con, "leads", rows("L2", "L3"), "merge", meta("w1.csv"), changed_by="ana")
    load.restore(con, 2, changed_by="bo@example.com")
    by_entry = dict(load.history(con)[["upload_id", "changed_by"]].values.tolist())
    user = getpass.getuser()
    assert by_entry == {1: user, 2: user, 3: "ana", 4: "bo@example.com"}


def test_a_database_from_before_changed_by_keeps_working(funnel_db):
    con = funnel_db([{"lead_id": "L1", "created_at": "2026-01-01 09:00:00"}])
    con.execute("alter table uploads drop column changed_by")  # as databases were before
    assert load.history(con)["changed_by"].isna().tolist() == [True, True]
    load.commit_upload(con, "leads", rows("L2", "L3"), "merge", meta("w1.csv"), changed_by="ana")
    by_entry = load.history(con)[["upload_id", "changed_by"]].values.tolist()
    assert by_entry[0] == [3, "ana"]
    assert pd.isna(by_entry[1][1]) and pd.isna(by_entry[2][1])


def test_rule_edits_are_logged_with_who_and_what_changed(funnel_db):
    con = funnel_db([{"lead_id": "L1", "created_at": "2026-01-01 09:00:00"}])
    channels.replace_rules(con, [("Webinar", "Events"), ("Fax", "Other")], changed_by="ana")
    channels.replace_rules(con, [("Webinar", "Events"), ("Podcast", "Audio")], changed_by="bo")
    logged = audit.recent(con)[["changed_by", "what"]].values.tolist()
    assert logged[0] == [
        "bo",
        "Saved the channel rules: added Podcast → Audio; removed Fax → Other",
    ]
    assert logged[1][0] == "ana"
    assert logged[1][1].startswith("Saved the channel rules: added Fax → Other, Webinar → Events")


def test_rules_added_with_an_upload_are_logged_under_its_editor(funnel_db):
    con = funnel_db([{"lead_id": "L1", "created_at": "2026-01-01 09:00:00"}])
    load.commit_upload(
        con,
        "leads",
        rows("L2", "L3"),
        "merge",
        meta("w1.csv"),
        {"Carrier pigeon": "Other"},
        changed_by="ana",
    )
    assert audit.recent(con)[["changed_by", "what"]].values.tolist() == [
        ["ana", "Added channel rules with an upload: Carrier pigeon → Other"]
    ]


def test_a_log_line_names_five_items_and_counts_the_rest():
    assert audit.named(["a", "b"]) == "a, b"
    assert audit.named(list("abcdefg")) == "a, b, c, d, e and 2 more"
    # A heading names three, and says what the rest are; 1,000 and more with a separator.
    assert audit.named(list("abcd"), 3, "channel") == "a, b, c and 1 more channel"
    assert audit.named(list("abcde"), 3, "owner") == "a, b, c and 2 more owners"
    assert audit.named([str(n) for n in range(1_005)]) == "0, 1, 2, 3, 4 and 1,000 more"


def test_the_command_line_records_the_os_user(sample_db_file, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("REVCYCLE_DB", str(copy_database(sample_db_file, tmp_path / "cli.duckdb")))
    export = tmp_path / "contacts.csv"
    export.write_text(HUBSPOT, encoding="utf-8")
    assert main(["load", str(export)]) == 0
    assert main(["restore", "4"]) == 0
    capsys.readouterr()
    assert main(["history"]) == 0
    newest_first = capsys.readouterr().out.splitlines()
    # Entry 7 is the restore, 6 the load and 5 the sample's removal before it (the sample is
    # 1-4), all run here by this process's user.
    assert [line.split()[0] for line in newest_first[:3]] == ["7", "6", "5"]
    assert newest_first[0].endswith(f"— by {getpass.getuser()}  ← current")
    assert newest_first[1].endswith(f"— by {getpass.getuser()}")
    assert newest_first[2].endswith(f"— by {getpass.getuser()}")


@pytest.mark.parametrize(
    ("headers", "proxied"),
    [
        (["Host", "Origin", "Cookie", "User-Agent"], False),  # what a browser sends itself
        (["Host", "X-Forwarded-For"], True),  # nginx, Caddy, Apache, Traefik
        (["Host", "x-real-ip"], True),
        (["Host", "Forwarded"], True),  # RFC 7239
        (["Host", "X-Forwarded-Host"], True),
    ],
)
def test_a_connection_through_a_reverse_proxy_is_told_apart(headers, proxied):
    assert access.came_through_proxy(headers) is proxied


def test_a_mapping_saved_with_an_upload_is_logged_under_its_editor(funnel_db):
    con = funnel_db([{"lead_id": "L1", "created_at": "2026-01-01 09:00:00"}])
    sheet = "mql_id,when\nM1,2026-10-02 08:00\n"
    mapping = {"lead_id": "mql_id", "created_at": "when"}
    prepared = upload.attempt(con, "mqls.csv", sheet.encode(), "leads", None, mapping).prepared
    item = upload.Ready(prepared, "merge", "MQL sheet", {}, "MQL sheet", ["mql_id", "when"])
    assert upload.commit(con, item, "ana@example.com") == 3
    assert audit.recent(con)[["changed_by", "what"]].values.tolist() == [
        ["ana@example.com", "Saved the column mapping MQL sheet for leads"]
    ]
