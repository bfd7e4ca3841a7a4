"""Issue 11 in a real browser: an editor tightens Paid search's response time on the
Agreements page and saves version 2 from 20 March 2026; the follow-up page then judges a lead
created after that date by the new time and one created before it by the old.

Both leads are Paid search and were called 6 working hours after they came in:
- L-MARCH, created Tuesday 10 March 2026 10:00, called 16:00 the same day;
- L-APRIL, created Wednesday 1 April 2026 10:00, called 16:00 the same day.
Version 1 agrees a call within 8 working hours (Mon-Fri 09:00-17:00): both are in time. Version
2 agrees 4 from 20 March: L-APRIL (6 > 4) is late, L-MARCH still measured against 8, in time.
"""

import datetime
import re
import time
from collections.abc import Iterator
from dataclasses import replace
from urllib.parse import urlencode

import pytest
from playwright.sync_api import Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from revcycle.agreements import document, store
from revcycle.agreements.model import FollowUp, default_agreement, follow_up_for
from revcycle.build import build
from revcycle.db import connect
from tests.conftest import write_export
from tests.support import browser

pytestmark = pytest.mark.browser

FIRST_RENDER_MS = 120_000
RENDER_MS = 60_000
MARCH = ("2026-03-09", "2026-03-15")
APRIL = ("2026-04-01", "2026-04-01")  # the last day with data
expect.set_options(timeout=RENDER_MS)
# The follow-up table's columns, as the accessible grid numbers them: 0 is the row marker.
RESPONSE_HOURS_COLUMN = 3


def database(folder) -> None:
    leads = [
        {
            "lead_id": "L-MARCH",
            "created_at": "2026-03-10 10:00:00",
            "first_contacted_at": "2026-03-10 16:00:00",
            "channel": "Paid search",
        },
        {
            "lead_id": "L-APRIL",
            "created_at": "2026-04-01 10:00:00",
            "first_contacted_at": "2026-04-01 16:00:00",
            "channel": "Paid search",
        },
    ]
    exports = {
        "leads": write_export(folder / "leads.csv", "leads", leads),
        "deals": write_export(folder / "deals.csv", "deals", []),
    }
    con = connect(folder / "revcycle.duckdb")
    build(con, exports)
    first = replace(
        default_agreement("Europe/Amsterdam"),
        effective_from=datetime.date(2026, 1, 1),
        marketing_name="Mia",
        sales_name="Sam",
        follow_up=(
            FollowUp("Paid search", "call", 8.0, "working"),
            FollowUp(None, "call", 24.0, "calendar"),
        ),
    )
    store.save(con, first, changed_by="setup")
    con.close()  # the server opens it read-write; DuckDB allows one process at a time


@pytest.fixture(scope="module")
def tab(kept_tab: browser.KeptTab, tmp_path_factory) -> Iterator[Page]:
    workdir = tmp_path_factory.mktemp("agreements")
    database(workdir)
    with (
        browser.running_dashboard(
            workdir / "revcycle.duckdb", workdir / "streamlit.log", kept_tab.port()
        ) as url,
        kept_tab.opened_on(url, RENDER_MS) as tab,
    ):
        yield tab


def within_sla(page: Page, period: tuple[str, str]):
    query = urlencode({"preset": "Custom", "period": list(period)}, doseq=True)
    page.goto(f"/follow_up?{query}")
    return browser.tile(page, "Within agreed time")


def edit_paid_search_hours(page: Page, hours: str) -> None:
    """Type ``hours`` into Paid search's response time. The table editor is a canvas, so a
    person's clicks and keys are the way in; its accessible twin (a table of `glide-cell-<col>-
    <row>` cells, one marked aria-selected) says which cell the keys reached, so each key waits
    for the selection to move instead of trusting coordinates on a page still settling."""
    grid = page.get_by_test_id("stDataFrame").first
    expect(grid).to_be_visible()
    selected = grid.locator("td[aria-selected=true]")
    deadline = time.monotonic() + RENDER_MS / 1000
    while time.monotonic() < deadline:
        browser.settled(page)  # a click on a grid the server is still redrawing is lost
        # A body cell of the first row, below the header (a click on the header would sort).
        # Through the locator, so the grid is scrolled into view and still where it was
        # measured: a page whose upper part was still drawing pushed it out of the window.
        grid.click(position={"x": 150, "y": 35 + 17})
        try:
            selected.wait_for(state="attached", timeout=3_000)
            break
        except PlaywrightTimeoutError:  # the page was still settling: the click missed
            continue
    if selected.count() != 1:
        # Taken whenever the click missed, asked for or not: it shows why the test fails.
        browser.ARTIFACTS_DIR.mkdir(exist_ok=True)
        page.screenshot(
            path=browser.ARTIFACTS_DIR / "agreements-no-cell-selected.png", full_page=True
        )
    expect(selected).to_have_count(1)
    channel_cell = grid.locator("td[role=gridcell]", has_text=re.compile(r"^Paid search$"))
    row = int(channel_cell.get_attribute("id").rsplit("-", 1)[1])
    target = (RESPONSE_HOURS_COLUMN, row)
    for _ in range(20):
        at = selected.get_attribute("id")
        column, current_row = (int(part) for part in at.rsplit("-", 2)[1:])
        if (column, current_row) == target:
            break
        if current_row != row:
            page.keyboard.press("ArrowDown" if current_row < row else "ArrowUp")
        else:
            page.keyboard.press("ArrowRight" if column < target[0] else "ArrowLeft")
        expect(selected).not_to_have_id(at)
    expect(selected).to_have_id(f"glide-cell-{target[0]}-{target[1]}")
    editor = page.locator("#portal input, [data-testid='data-grid-overlay-editor'] input").first
    for _ in range(5):
        page.keyboard.press("Enter")  # opens the cell's editor, holding the old value
        try:
            editor.wait_for(state="visible", timeout=5_000)
            break
        except PlaywrightTimeoutError:  # a key the busy page had not taken yet
            continue
    editor.fill(hours)
    page.keyboard.press("Enter")
    expect(grid.locator(f"#glide-cell-{target[0]}-{target[1]}")).to_have_text(hours)


def set_date(page: Page, label: str, parts: tuple[str, str, str]) -> None:
    """Type a date into a date input's year, month and day fields, as a person does."""
    for segment, value in zip(("year", "month", "day"), parts, strict=True):
        field = page.get_by_role("spinbutton", name=f"{segment}, {label}")
        field.click()
        page.keyboard.type(value)
    page.keyboard.press("Tab")  # leaving the field is when the page reads it
    page.keyboard.press("Escape")  # and the calendar the button beside it opened, closed


def expect_downloaded_agreement_has_both_versions(page: Page, folder) -> None:
    """The History tab's file, written on the click: version 1 as the setup saved it (8
    working hours from 1 January) and version 2 as the editor saved it (4 from 20 March)."""
    with page.expect_download() as download:
        page.get_by_role("button", name="Download the agreement file").click()
    path = folder / download.value.suggested_filename
    download.value.save_as(path)
    assert path.name == "agreement.yaml"
    versions = document.load(path.read_text(encoding="utf-8"), path.name)
    paid_search = [
        (
            version.number,
            version.agreement.effective_from,
            follow_up_for(version.agreement, "Paid search").response_hours,
        )
        for version in versions
    ]
    assert paid_search == [
        (1, datetime.date(2026, 1, 1), 8.0),
        (2, datetime.date(2026, 3, 20), 4.0),
    ]


def test_a_tightened_sla_judges_leads_after_its_date_only(tab: Page, tmp_path):
    # The first visit: the server opens the database and the browser fetches the app's code.
    expect(within_sla(tab, MARCH)).to_have_text("100.0%", timeout=FIRST_RENDER_MS)
    expect(within_sla(tab, APRIL)).to_have_text("100.0%")

    tab.goto("/agreements")
    browser.open_tab(tab, "Edit", "edit")
    edit_paid_search_hours(tab, "4")
    set_date(tab, "In force from", ("2026", "03", "20"))
    tab.get_by_role("button", name="Save as version 2").click()
    expect(tab.get_by_text("Saved as version 2").first).to_be_visible()
    assert tab.locator(browser.ERROR_SELECTOR).count() == 0
    browser.open_tab(tab, "In force today", None)
    expect(tab.get_by_text("Paid search: a call within 4 working hours.").first).to_be_visible()
    expect(
        tab.get_by_text("Version 2, in force from 20 Mar 2026.", exact=False).first
    ).to_be_visible()
    browser.open_tab(tab, "History", "history")
    browser.screenshot(tab, "agreements-saved")
    expect_downloaded_agreement_has_both_versions(tab, tmp_path)

    # L-MARCH, created before 20 March: still 6 of its 8 agreed hours, in time.
    expect(within_sla(tab, MARCH)).to_have_text("100.0%")
    # L-APRIL, created after: 6 of the new 4 hours, late.
    expect(within_sla(tab, APRIL)).to_have_text("0.0%")
    browser.screenshot(tab, "follow-up-after-agreement")
