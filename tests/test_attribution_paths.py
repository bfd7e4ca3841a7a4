"""The typical journeys behind a channel's credit, with a run of touches in one channel said
once with its count. April 2026, every lead created on 6 April and its deal won on 10 April:
- L1 (300.00) and L3 (200.00): Email on 1, 2 and 3 April, Paid Search on 4, Email on 5;
- L2 (100.00): Email on 2 and 3 April, Paid Search on 4, Email on 5;
- L4 (40.00): Partner on 1 April, Email on 2; L5 (30.00): Partner on 1 April.
Listed touch by touch, a journey of dozens of emails read as a wall of repeated names."""

import functools
from datetime import date

import pytest

from revcycle.attribution import report
from revcycle.db import connect, execute
from tests.conftest import building, write_export
from tests.test_attribution_journeys_touches import touch, won
from tests.test_pages import open_page

APRIL = (date(2026, 4, 1), date(2026, 4, 30))
PAGE = "pages/attribution.py"
LEADS = [
    {"lead_id": lead, "created_at": "2026-04-06 09:00:00", "channel": "Referral"}
    for lead in ("L1", "L2", "L3", "L4", "L5")
]
DEALS = [
    won("D1", "L1", "2026-04-07 09:00:00", "2026-04-10 09:00:00", "300.00"),
    won("D2", "L2", "2026-04-07 09:00:00", "2026-04-10 09:00:00", "100.00"),
    won("D3", "L3", "2026-04-07 09:00:00", "2026-04-10 09:00:00", "200.00"),
    won("D4", "L4", "2026-04-07 09:00:00", "2026-04-10 09:00:00", "40.00"),
    won("D5", "L5", "2026-04-07 09:00:00", "2026-04-10 09:00:00", "30.00"),
]
DAYS = {"L1": (1, 2, 3), "L2": (2, 3), "L3": (1, 2, 3)}
TOUCHES = [
    touch(f"{lead}-{day}", lead, f"2026-04-0{day} 09:00:00", source)
    for lead, emails in DAYS.items()
    for day, source in [*((day, "Email") for day in emails), (4, "Paid Search"), (5, "Email")]
] + [
    touch("L4-1", "L4", "2026-04-01 09:00:00", "Partner"),
    touch("L4-2", "L4", "2026-04-02 09:00:00", "Email"),
    touch("L5-1", "L5", "2026-04-01 09:00:00", "Partner"),
]


@pytest.fixture(scope="module")
def db_file(tmp_path_factory):
    folder = tmp_path_factory.mktemp("paths")
    exports = {
        kind: write_export(folder / f"{kind}.csv", kind, rows)
        for kind, rows in (("leads", LEADS), ("deals", DEALS), ("touches", TOUCHES))
    }
    building(exports)(folder / "paths.duckdb")
    return folder / "paths.duckdb"


@pytest.fixture(scope="module")
def query(db_file):
    con = connect(db_file)
    yield functools.partial(execute, con)
    con.close()


def test_a_run_of_touches_in_one_channel_is_said_once_with_its_count(query):
    paths = report.top_paths(query, "Paid search", "revenue", *APRIL)
    assert paths[["path", "count_touches", "count_deals", "amount_cents"]].values.tolist() == [
        ["Email ×3 → Paid search → Email", 5, 2, 50000],  # D1 and D3
        ["Email ×2 → Paid search → Email", 4, 1, 10000],  # D2
    ]


@pytest.mark.parametrize(("channel", "says"), [("Partner", True), ("Paid search", False)])
def test_journeys_no_two_deals_share_are_said_to_be_none_typical(
    db_file, monkeypatch, channel, says
):
    # Partner's two journeys (D4 Partner → Email, D5 Partner) are one deal each; Paid search's
    # first is D1's and D3's.
    monkeypatch.setenv("REVCYCLE_DB", str(db_file))
    at = open_page(PAGE, preset="Custom", period=["2026-04-01", "2026-04-30"], journeys=channel)
    captions = [caption.value for caption in at.caption]
    said = (
        "No two of these deals took the same journey, so none is typical: these are the ones "
        "worth the most."
    )
    assert (said in captions) is says, captions
