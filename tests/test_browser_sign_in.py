"""Sign-in in a real browser against a real OpenID Connect provider (oidc-provider on Node,
started here): a viewer cannot see the upload controls, an editor uploads a file through the
page, and signing out returns to read-only.

The browser runs on the server's machine, which grants nothing once sign-in is configured: so
every page before sign-in, and after sign-out, is read-only here too.
"""

import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from revcycle import access
from tests.conftest import copy_database, require_browser, require_node
from tests.support import browser, oidc

pytestmark = pytest.mark.browser

FIRST_RENDER_MS = 120_000
RENDER_MS = 60_000
ACCOUNTS = {"viewer": "vic@example.com", "editor": "eddie@example.com"}
# The editor by email, written in another case; everyone else at example.com views.
ROLES = '[editors]\nemails = ["Eddie@Example.com"]\n\n[viewers]\ndomains = ["example.com"]\n'
# Two new leads, in the generic format.
LEADS_CSV = (
    "lead_id,created_at,channel\nSIGNIN-1,2026-11-10 09:00,Email\nSIGNIN-2,2026-11-11 10:00,Email\n"
)
expect.set_options(timeout=RENDER_MS)


@pytest.fixture
def tab_without_sign_in(
    kept_tab: browser.KeptTab, sample_db_file: Path, tmp_path: Path
) -> Iterator[Page]:
    """The kept tab on a dashboard without sign-in at the tab's port: so the test using it
    comes first, before the module's ``server`` takes the port."""
    copy_database(sample_db_file, tmp_path / "revcycle.duckdb")
    with (
        browser.running_dashboard(
            tmp_path / "revcycle.duckdb",
            tmp_path / "streamlit.log",
            kept_tab.port(),
            options=("--secrets.files", ""),
        ) as url,
        kept_tab.opened_on(url, RENDER_MS) as tab,
    ):
        yield tab


# A browser that reaches the server through a reverse proxy, as the proxy passes it on: how a
# test on one machine arrives from elsewhere without sending traffic anywhere else.
ANOTHER_MACHINE = {"X-Forwarded-For": "203.0.113.7"}


# First in the file: its server takes the kept tab's port before the module's server does.
def test_without_sign_in_only_the_servers_machine_sees_the_controls(
    tab_without_sign_in: Page, timings: dict
):
    tab = tab_without_sign_in
    tab.set_extra_http_headers(ANOTHER_MACHINE)
    open_upload_page(tab)
    expect(tab.get_by_text("This page is read-only from other machines.")).to_be_visible()
    expect_read_only(tab)
    # From the server's machine: a new session without the header or a cookie of the first.
    tab.set_extra_http_headers({})
    tab.context.clear_cookies()
    open_upload_page(tab)
    expect(tab.locator('input[type="file"]')).to_have_count(1)
    expect(tab.get_by_role("button", name="Restore this state")).to_be_visible()


@pytest.fixture(scope="module")
def server(kept_tab: browser.KeptTab, sample_db_file: Path, tmp_path_factory) -> Iterator[str]:
    """The provider on a free port and the dashboard over a copy of the sample database on the
    kept tab's, the one knowing the other's."""
    require_browser()
    require_node()
    workdir = tmp_path_factory.mktemp("sign-in")
    copy_database(sample_db_file, workdir / "revcycle.duckdb")
    dashboard_port = kept_tab.port()
    redirect_uri = f"http://127.0.0.1:{dashboard_port}/oauth2callback"
    roles = workdir / "roles.toml"
    roles.write_text(ROLES, encoding="utf-8")
    with oidc.running_provider(
        browser.free_port(), redirect_uri, ACCOUNTS, workdir / "provider.log"
    ) as issuer:
        secrets = workdir / "secrets.toml"
        secrets.write_text(oidc.secrets_toml(redirect_uri, issuer), encoding="utf-8")
        with browser.running_dashboard(
            workdir / "revcycle.duckdb",
            workdir / "streamlit.log",
            port=dashboard_port,
            options=("--secrets.files", str(secrets)),
            env={"REVCYCLE_ROLES": str(roles)},
        ) as url:
            yield url


@pytest.fixture(scope="module")
def shared_tab(kept_tab: browser.KeptTab, server: str) -> Iterator[Page]:
    """One tab for the module's tests, the process's kept tab, which comes without any cookie
    or stored data of an earlier file: a tab kept open loads a page for about half the CPU of
    a new one (see tests/test_browser.py's sample_dashboard)."""
    with kept_tab.opened_on(server, RENDER_MS) as tab:
        yield tab


@pytest.fixture
def tab(shared_tab: Page) -> Page:
    """The module's tab without cookies, the dashboard's and the provider's, so each test
    starts signed out; its page is the one the last test left, until the test opens one."""
    shared_tab.context.clear_cookies()
    return shared_tab


@pytest.fixture
def timings() -> Iterator[dict]:
    started = time.monotonic()
    yield {}
    print(f"\nsign-in test took {time.monotonic() - started:.1f} s")


def sidebar(page: Page):
    return page.get_by_test_id("stSidebar")


def open_upload_page(page: Page) -> None:
    page.goto("/upload")
    expect(page.get_by_role("heading", name="Upload exports")).to_be_visible(
        timeout=FIRST_RENDER_MS
    )


def sign_in(page: Page, login: str) -> None:
    """Sign in through the provider's own pages, as a person does."""
    open_upload_page(page)
    sidebar(page).get_by_role("button", name="Sign in").click()
    page.locator('input[name="login"]').fill(login)
    page.locator('input[name="password"]').fill("any password")  # the dev form checks none
    page.get_by_role("button", name="Sign-in").click()
    page.get_by_role("button", name="Continue").click()  # consent to share the email
    expect(sidebar(page).get_by_text(f"Signed in as {ACCOUNTS[login]}")).to_be_visible(
        timeout=FIRST_RENDER_MS
    )
    open_upload_page(page)


def expect_read_only(page: Page) -> None:
    # The page has drawn its history before the controls would come after the guard.
    expect(page.get_by_role("heading", name="History")).to_be_visible()
    expect(page.locator('input[type="file"]')).to_have_count(0)
    expect(page.get_by_role("button", name="Restore this state")).to_have_count(0)
    expect(page.get_by_role("button", name="Save channel rules")).to_have_count(0)


def test_a_viewer_cannot_see_the_upload_controls(tab: Page, timings: dict):
    open_upload_page(tab)
    expect(tab.get_by_text(access.SIGN_IN_TO_CHANGE)).to_be_visible()
    expect_read_only(tab)

    sign_in(tab, "viewer")
    expect(tab.get_by_text(access.VIEWER_ONLY)).to_be_visible()
    # The address shows as text: Markdown would otherwise make it a mailto link.
    expect(sidebar(tab).get_by_role("link", name=ACCOUNTS["viewer"])).to_have_count(0)
    expect_read_only(tab)


def test_an_editor_uploads_and_signing_out_returns_to_read_only(
    tab: Page, tmp_path: Path, timings: dict
):
    sign_in(tab, "editor")
    export = tmp_path / "new-leads.csv"
    export.write_text(LEADS_CSV, encoding="utf-8")
    tab.locator('input[type="file"]').set_input_files(export)
    expect(browser.tile(tab, "New")).to_have_text("2")
    tab.get_by_role("button", name="Load 1 file").click()
    # The sample was loaded as uploads 1-4 (leads, deals, touches, spend); 5 removed it.
    expect(tab.get_by_text("Loaded as upload 6").first).to_be_visible()
    assert tab.locator(browser.ERROR_SELECTOR).count() == 0

    sidebar(tab).get_by_role("button", name="Sign out").click()
    tab.get_by_role("button", name="Yes, sign me out").click()  # the provider asks
    expect(sidebar(tab).get_by_role("button", name="Sign in")).to_be_visible(
        timeout=FIRST_RENDER_MS
    )
    open_upload_page(tab)
    expect(tab.get_by_text(access.SIGN_IN_TO_CHANGE)).to_be_visible()
    expect_read_only(tab)


class AnyPage(BaseHTTPRequestHandler):
    """The same small page at every path, ``/_stcore/health`` included."""

    def do_GET(self):  # noqa: N802 (http.server's name)
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.end_headers()
        self.wfile.write(b"<title>a page</title>")

    def log_message(self, *args):  # quiet: the test says what it saw
        pass


@pytest.fixture
def kept_on_plain_server(chromium: Browser) -> Iterator[tuple[browser.KeptTab, str]]:
    """A kept tab of its own, and a plain server on its port: a browser stores data for any
    server's pages, the dashboard's as well."""
    kept = browser.KeptTab(chromium)
    with ThreadingHTTPServer(("127.0.0.1", kept.port()), AnyPage) as server:
        threading.Thread(target=server.serve_forever, daemon=True).start()
        try:
            yield kept, f"http://127.0.0.1:{server.server_port}"
        finally:
            kept.close()
            server.shutdown()


STORE_EVERYTHING_JS = """async () => {
    localStorage.setItem('who', 'eddie');
    sessionStorage.setItem('who', 'eddie');
    document.cookie = 'who=eddie; max-age=3600';
    await new Promise((done, failed) => {
        const opening = indexedDB.open('who');
        opening.onsuccess = () => { opening.result.close(); done(); };
        opening.onerror = failed;
    });
}"""
STORED_JS = """async () => ({
    local: localStorage.length,
    session: sessionStorage.length,
    cookie: document.cookie,
    databases: (await indexedDB.databases()).length,
})"""


def test_the_next_file_in_the_kept_tab_finds_nothing_an_earlier_one_stored(kept_on_plain_server):
    kept, url = kept_on_plain_server
    with kept.opened_on(url, RENDER_MS) as tab:
        tab.goto("/page.html")
        tab.evaluate(STORE_EVERYTHING_JS)
        # A cookie of another origin too, as the sign-in provider sets its own.
        tab.context.add_cookies([{"name": "session", "value": "x", "url": "http://localhost:9"}])
        assert tab.evaluate(STORED_JS) == {
            "local": 1,
            "session": 1,
            "cookie": "who=eddie",
            "databases": 1,
        }
    with kept.opened_on(url, RENDER_MS) as tab:
        tab.goto("/page.html")
        assert tab.context.cookies() == []
        assert tab.evaluate(STORED_JS) == {"local": 0, "session": 0, "cookie": "", "databases": 0}
