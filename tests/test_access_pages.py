"""The editor guard on the upload page, under AppTest: who sees the upload, restore and rule
controls, what the others see instead, and whose name the history records.

AppTest runs the page in this process, with no browser connection: that counts as the server's
own machine. Sign-in is configured through ``at.secrets`` and the signed-in person through
``at.user``, the way Streamlit's own tests seed them; the roles file is a real file.
"""

import csv
import getpass

import pytest
from streamlit.testing.v1 import AppTest

from revcycle import access
from revcycle.paths import CHANNEL_RULES_CSV
from revcycle.ui import format
from revcycle.ui.access import INCOMPLETE_SIGN_IN
from tests.test_app import APP
from tests.test_upload_page import (  # noqa: F401 (fixtures)
    HUBSPOT_CONTACTS,
    UPLOAD_PAGE,
    go_to,
    open_app,
    own_db,
    table_with,
    texts,
    upload_files,
)

AUTH = {
    "redirect_uri": "http://127.0.0.1:8501/oauth2callback",
    "cookie_secret": "a-test-secret-of-enough-length",
    "client_id": "revcycle",
    "client_secret": "test",
    "server_metadata_url": "http://127.0.0.1:9/.well-known/openid-configuration",
}
# Each test on its own copy of the sample database.
pytestmark = pytest.mark.usefixtures("own_db")
ROLES = '[editors]\nemails = ["Eddie@Example.com"]\n\n[viewers]\ndomains = ["example.com"]\n'


@pytest.fixture
def roles_file(tmp_path, monkeypatch):
    path = tmp_path / "roles.toml"
    path.write_text(ROLES, encoding="utf-8")
    monkeypatch.setenv("REVCYCLE_ROLES", str(path))
    return path


def upload_page(user: dict | None = None, auth: dict | None = AUTH) -> AppTest:
    """The upload page with sign-in configured (``auth``) and ``user`` signed in."""
    at = AppTest.from_file(APP, default_timeout=120)
    if auth is not None:
        at.secrets["auth"] = auth
    at.user = {"is_logged_in": True, **user} if user else {"is_logged_in": False}
    at.run()
    return go_to(at, UPLOAD_PAGE)


def has_upload_controls(at: AppTest) -> dict[str, bool]:
    return {
        "uploader": bool(at.get("file_uploader")),
        "restore": any(button.key == "upload_restore" for button in at.button),
        "rule editor": any(editor.key == "upload_rules_table" for editor in at.data_editor),
        "stage rule editor": any(
            editor.key == "upload_stage_rules_table" for editor in at.data_editor
        ),
    }


def sidebar_buttons(at: AppTest) -> list[str]:
    return [button.label for button in at.sidebar.button]


NONE_OF_THEM = dict.fromkeys(("uploader", "restore", "rule editor", "stage rule editor"), False)
ALL_OF_THEM = dict.fromkeys(NONE_OF_THEM, True)


def test_a_signed_in_viewer_sees_the_history_but_no_upload_controls(roles_file):
    at = upload_page({"email": "vic@example.com"})
    assert has_upload_controls(at) == NONE_OF_THEM
    assert format.plain(access.VIEWER_ONLY) in [info.value for info in at.info]
    assert "Signed in as `vic@example.com`" in texts(at.sidebar.caption)
    # The sample's four uploads were loaded by the build, as the OS user running it.
    assert table_with(at, "By")["By"].tolist() == [getpass.getuser()] * 4
    # The rules, read-only: the seed file's, ordered by channel then source.
    with CHANNEL_RULES_CSV.open(encoding="utf-8") as handle:
        seeded = sorted(list(csv.reader(handle))[1:], key=lambda rule: (rule[1], rule[0]))
    shown = table_with(at, "Channel")[["Source value", "Channel"]].values.tolist()
    assert shown == seeded
    assert "Sign out" in sidebar_buttons(at)


def test_an_unlisted_person_reads_too(roles_file):
    at = upload_page({"email": "someone@elsewhere.net"})
    assert has_upload_controls(at) == NONE_OF_THEM


def test_with_sign_in_configured_this_machine_alone_grants_nothing(roles_file):
    at = upload_page(None)
    assert has_upload_controls(at) == NONE_OF_THEM
    # Shown as plain text.
    assert format.plain(access.SIGN_IN_TO_CHANGE) in [info.value for info in at.info]
    assert "Sign in" in sidebar_buttons(at)


def test_an_incomplete_sign_in_setup_locks_the_controls(roles_file):
    # Even a signed-in editor (an earlier sign-in's cookie) changes nothing meanwhile.
    at = upload_page({"email": "eddie@example.com"}, auth={"redirect_uri": AUTH["redirect_uri"]})
    assert has_upload_controls(at) == NONE_OF_THEM
    assert "Sign in" not in sidebar_buttons(at)  # a button that could only fail
    assert INCOMPLETE_SIGN_IN in texts(at.sidebar.caption)
    assert format.plain(INCOMPLETE_SIGN_IN) in [info.value for info in at.info]


def test_a_signed_in_editor_uploads_and_the_history_names_them(roles_file):
    at = upload_page({"email": "eddie@example.com"})
    assert has_upload_controls(at) == ALL_OF_THEM
    upload_files(at, ("hubspot-contacts.csv", HUBSPOT_CONTACTS))
    at.button(key="upload_commit").click().run()
    assert not at.exception, at.exception
    history = table_with(at, "By")
    # Newest first: this upload (6), the sample's removal it made (5), then the sample's
    # four (leads, deals, touches, spend).
    assert history[["Upload", "By"]].values.tolist() == [
        [6, "eddie@example.com"],
        [5, "eddie@example.com"],
        [4, getpass.getuser()],
        [3, getpass.getuser()],
        [2, getpass.getuser()],
        [1, getpass.getuser()],
    ]


def test_a_rule_edit_is_listed_with_its_editor(roles_file):
    at = upload_page({"email": "eddie@example.com"})
    at.session_state["upload_rules_table"] = {
        "edited_rows": {},
        "added_rows": [{"Source value": "Carrier pigeon", "Channel": "Other"}],
        "deleted_rows": [],
    }
    at.run()
    at.button(key="upload_rules_save").click().run()
    assert not at.exception, at.exception
    changes = table_with(at, "What")
    # Newest first: the edit, then the sample build's import of the sample's agreement.
    assert changes[["By", "What"]].values.tolist() == [
        ["eddie@example.com", "Saved the channel rules: added Carrier pigeon → Other"],
        [getpass.getuser(), "Imported agreement versions 1, 2"],
    ]


def test_without_sign_in_the_server_machine_changes_as_its_user():
    at = upload_page(None, auth=None)
    assert has_upload_controls(at) == ALL_OF_THEM
    assert "Sign in" not in sidebar_buttons(at)  # nothing to sign in to
    upload_files(at, ("hubspot-contacts.csv", HUBSPOT_CONTACTS))
    at.button(key="upload_commit").click().run()
    assert table_with(at, "By")["By"].tolist()[0] == f"{getpass.getuser()} (on the server)"
