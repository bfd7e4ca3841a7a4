"""An analyst's upload in a real browser: a HubSpot contacts export is chosen on the Upload
page, the preview counts the new leads and says the sample goes, the load commits, and the
overview shows the file's leads alone."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.conftest import copy_database
from tests.support import browser

pytestmark = pytest.mark.browser

FIRST_RENDER_MS = 120_000
RENDER_MS = 60_000
# Three contacts created inside the dashboard's default period (the 12 weeks up to 20 Nov 2026),
# with HubSpot's real column names, doubled quotes included.
HUBSPOT_EXPORT = (
    '"Record ID","Create Date","Original Traffic Source","Contact owner","Email",'
    '"Date entered ""Marketing Qualified Lead (Lifecycle Stage Pipeline)"""\n'
    '"HS-1","2026-11-10 09:15","Organic Search","Anna Keller","one@new.example",""\n'
    '"HS-2","2026-11-11 10:00","Referrals","Ben Okafor","two@new.example","2026-11-12 08:00"\n'
    '"HS-3","2026-11-12 11:30","Paid Search","","three@new.example",""\n'
)
NEW_LEADS = 3
expect.set_options(timeout=RENDER_MS)  # wait for the app's state, however busy the machine


@pytest.fixture(scope="module")
def tab(kept_tab: browser.KeptTab, sample_db_file: Path, tmp_path_factory) -> Iterator[Page]:
    """A tab on a dashboard over a copy of the sample database."""
    workdir = tmp_path_factory.mktemp("upload")
    copy_database(sample_db_file, workdir / "revcycle.duckdb")
    with (
        browser.running_dashboard(
            workdir / "revcycle.duckdb", workdir / "streamlit.log", kept_tab.port()
        ) as url,
        kept_tab.opened_on(url, RENDER_MS) as tab,
    ):
        yield tab


def leads_shown(page: Page) -> int:
    return int(browser.tile(page, "Leads").inner_text().replace(",", ""))


def test_uploading_a_hubspot_export_moves_the_overview(tab: Page, tmp_path: Path):
    tab.goto("/")
    expect(browser.tile(tab, "Leads")).to_be_visible(timeout=FIRST_RENDER_MS)
    before = leads_shown(tab)

    export = tmp_path / "hubspot-contacts.csv"
    export.write_text(HUBSPOT_EXPORT, encoding="utf-8")
    tab.get_by_test_id("stSidebar").get_by_role("link", name="Upload exports").click()
    tab.locator('input[type="file"]').set_input_files(export)
    expect(tab.get_by_text("HubSpot contacts export").first).to_be_visible()
    expect(browser.tile(tab, "New")).to_have_text(str(NEW_LEADS))
    expect(tab.get_by_text("removes the sample first").first).to_be_visible()
    expect(
        tab.get_by_text("3 data lines in hubspot-contacts.csv = 3 rows to load + 0 rejected").first
    ).to_be_visible()
    browser.screenshot(tab, "upload-preview")

    tab.get_by_role("button", name="Load 1 file").click()
    # The sample was loaded as uploads 1-4 (leads, deals, touches, spend); 5 removed it.
    expect(tab.get_by_text("Loaded as upload 6").first).to_be_visible()
    assert tab.locator(browser.ERROR_SELECTOR).count() == 0

    tab.get_by_test_id("stSidebar").get_by_role("link", name="Overview").click()
    assert before > NEW_LEADS  # the sample's leads, before
    expect(browser.tile(tab, "Leads")).to_have_text(f"{NEW_LEADS:,}")
    browser.screenshot(tab, "overview-after-upload")
