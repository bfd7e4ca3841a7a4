"""The meeting's complete weeks when the exports were loaded after a quiet weekend.

A company quiet at weekends exports on Monday morning: its last lead is on Friday 4 December
2026, its last deal closed that afternoon, and the week 2026-W49 (Monday 30 November to Sunday
6 December) is over all the same. The loads' own time stamps (the uploads history, set here as
the loads of a Monday would have been stamped) and the agreement's working days decide it; the
events alone would leave W49 open until an event of Monday arrives.
"""

import functools
import html
from datetime import date

import pytest
from streamlit.testing.v1 import AppTest

from revcycle.agreements.model import ClosingDay
from revcycle.build import build
from revcycle.db import connect, execute
from revcycle.meeting import numbers, pack
from revcycle.meeting.week import Week
from revcycle.meeting.week_view import gather
from revcycle.paths import REPO_ROOT
from tests.conftest import write_export
from tests.support.working_time import agreement, save

W48, W49 = Week(2026, 48), Week(2026, 49)
COMPLETE_BY_LOADS = (
    "The data's last event is on Fri 04 Dec 2026, and the exports were loaded on Mon 07 Dec "
    "2026, after this week, with no working day between: the week counts as complete."
)


def leads_up_to(last_day: int) -> list[dict]:
    """A lead each weekday from Monday 23 November to ``last_day`` December 2026, at 10:00."""
    days = [f"2026-11-{day}" for day in (23, 24, 25, 26, 27, 30)]
    days += [f"2026-12-{day:02d}" for day in range(1, last_day + 1) if day not in (5, 6)]
    return [{"lead_id": f"L{at}", "created_at": f"{day} 10:00:00"} for at, day in enumerate(days)]


WON_ON_FRIDAY = [
    {
        "deal_id": "D1",
        "lead_id": "L0",
        "created_at": "2026-11-24 09:00:00",
        "stage": "Closed Won",
        "amount": "1200.50",
        "currency": "EUR",
        "closed_at": "2026-12-04 15:00:00",
    }
]


@pytest.fixture
def loaded(tmp_path):
    """A query runner on a database built from ``leads`` and ``deals``, each kind's load
    stamped as ``loads`` says ({kind: wall time}); ``agreed`` is saved first. Closed after."""
    connections = []

    def make(leads, deals, loads: dict[str, str], agreed=None):
        con = connect(tmp_path / "meeting.duckdb")
        connections.append(con)
        if agreed is not None:
            save(con, agreed)
        exports = {
            "leads": write_export(tmp_path / "leads.csv", "leads", leads),
            "deals": write_export(tmp_path / "deals.csv", "deals", deals),
        }
        build(con, exports)
        for kind, at in loads.items():
            con.execute(
                "update uploads set uploaded_at = $at where kind = $kind", {"at": at, "kind": kind}
            )
        return functools.partial(execute, con)

    yield make
    for con in connections:
        con.close()


MONDAY_MORNING = {"leads": "2026-12-07 08:03:00", "deals": "2026-12-07 08:04:00"}


def test_a_monday_load_of_a_friday_export_completes_the_week(loaded):
    query = loaded(leads_up_to(4), WON_ON_FRIDAY, MONDAY_MORNING)
    assert numbers.default_week(query) == W49
    assert numbers.is_complete(query, W49)
    tiles = numbers.week_tiles(query, W49, None).set_index("metric")
    # Mon 30 Nov to Fri 4 Dec: five leads; D1's 1,200.50 won on Friday.
    assert tiles.loc["leads", "this_week"] == 5
    assert tiles.loc["won_revenue", "this_week"] == pytest.approx(1200.50)
    assert tiles["is_complete"].all()
    assert numbers.completed_by_loads(query, W49) == COMPLETE_BY_LOADS
    # W48 was complete by its events (Friday's lead came after its Sunday): no sentence.
    assert numbers.completed_by_loads(query, W48) is None


def test_loads_before_the_week_ended_leave_it_open(loaded):
    sunday_evening = {"leads": "2026-12-06 20:00:00", "deals": "2026-12-06 20:01:00"}
    query = loaded(leads_up_to(4), WON_ON_FRIDAY, sunday_evening)
    assert numbers.default_week(query) == W48
    assert not numbers.is_complete(query, W49)
    assert numbers.completed_by_loads(query, W49) is None


def test_a_kind_last_loaded_before_the_week_ended_leaves_it_open(loaded):
    # The leads came on Monday; the deals export was last loaded on Thursday 3 December, so
    # Friday's wins may be missing from it.
    stale_deals = {"leads": "2026-12-07 08:03:00", "deals": "2026-12-03 17:00:00"}
    query = loaded(leads_up_to(4), WON_ON_FRIDAY, stale_deals)
    assert numbers.default_week(query) == W48


def test_an_export_pulled_mid_week_leaves_working_days_unaccounted_for(loaded):
    # The last event is on Wednesday 2 December: Thursday and Friday are working days with no
    # event, so the Monday load does not prove the week over.
    query = loaded(leads_up_to(2), [], {"leads": "2026-12-07 08:03:00"})
    assert numbers.default_week(query) == W48
    assert numbers.completed_by_loads(query, W49) is None


def test_a_closing_day_agreed_counts_as_quiet(loaded):
    # The last event is on Thursday 3 December; Friday 4 December is an agreed closing day,
    # so no working day lies between it and Monday's load.
    closed = agreement(closing_days=(ClosingDay(date(2026, 12, 4), "Sinterklaas"),))
    query = loaded(leads_up_to(3), [], {"leads": "2026-12-07 08:03:00"}, closed)
    assert numbers.default_week(query) == W49
    assert numbers.completed_by_loads(query, W49) == COMPLETE_BY_LOADS.replace(
        "Fri 04 Dec", "Thu 03 Dec"
    )


def test_nothing_loaded_has_no_complete_week(tmp_path):
    con = connect(tmp_path / "empty.duckdb")
    build(con)
    assert numbers.default_week(functools.partial(execute, con)) is None
    con.close()


def test_the_page_and_the_pack_open_on_the_week_and_say_why(loaded, tmp_path, monkeypatch):
    query = loaded(leads_up_to(4), WON_ON_FRIDAY, MONDAY_MORNING)
    con = query.args[0]
    meeting = gather(query, con, W49, {}, date(2026, 12, 7))
    said = html.escape(COMPLETE_BY_LOADS)  # as the pack writes text
    assert said in pack.build_pack(query, con, W49, {}, date(2026, 12, 7))
    assert meeting.completed_by_loads == COMPLETE_BY_LOADS
    con.close()
    monkeypatch.setenv("REVCYCLE_DB", str(tmp_path / "meeting.duckdb"))
    at = AppTest.from_file(str(REPO_ROOT / "pages" / "this_week.py"), default_timeout=120)
    at.run()
    assert not at.exception, at.exception
    assert [title.value for title in at.title] == ["This week — 2026-W49"]
    captions = [caption.value for caption in at.caption]
    assert any(COMPLETE_BY_LOADS in caption for caption in captions), captions
    assert not any("not over in the data yet" in caption for caption in captions)
