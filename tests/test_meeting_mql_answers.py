"""The agreement's promise that sales answers an MQL within N working days, measured for the
meeting's week: on the page, in the pack, against the agreed share.

The week is 2026-W47, Monday 16 to Sunday 22 November 2026. The agreement: office hours Monday
to Friday, Wednesday 18 November closed (a team day), MQLs answered within 2 working days, and
80% of them answered so, agreed for November. The data's latest event is a lead created on
Tuesday 24 November: that is "now".
"""

import datetime
import functools

from revcycle.agreements.model import ClosingDay, FollowUp, Target
from revcycle.db import execute
from revcycle.meeting import numbers, pack, week_view
from revcycle.meeting.week import Week
from revcycle.ui import format
from tests.support.working_time import agreement
from tests.test_true_numbers import database_path, open_page

W47 = Week(2026, 47)
AGREED = agreement(
    FollowUp(None, "call", 24, "calendar"),
    closing_days=(ClosingDay(datetime.date(2026, 11, 18), "Team day"),),
    answer_within_working_days=2,
    targets=(Target(datetime.date(2026, 11, 1), None, "share_mqls_answered", 0.8),),
)


def mql(lead_id, mql_at, sql_at="", status="Working", reason=""):
    return {
        "lead_id": lead_id,
        "created_at": "2026-11-16 09:00:00",
        "channel": "Referral",
        "mql_at": mql_at,
        "sql_at": sql_at,
        "status": status,
        "disqualified_reason": reason,
    }


LEADS = [
    # MQL on Monday: its 2 working days are Tuesday and Thursday (Wednesday is closed), so it
    # is due by the end of Thursday 19th. Accepted on Thursday: in time.
    mql("IN_TIME", "2026-11-16 10:00:00", sql_at="2026-11-19 16:00:00"),
    # The same due day, accepted on Friday: late.
    mql("LATE", "2026-11-16 11:00:00", sql_at="2026-11-20 09:00:00"),
    # The same due day, no answer by Tuesday 24th: past due.
    mql("NO_ANSWER", "2026-11-16 12:00:00"),
    # MQL on Friday: due by the end of Tuesday 24th, which is still running: not judged yet.
    mql("NOT_DUE", "2026-11-20 10:00:00"),
    # Rejected: no export dates a rejection, so it is not judged.
    mql("REJECTED", "2026-11-17 10:00:00", status="Disqualified", reason="Not a fit"),
    # Now: the data's latest event.
    {"lead_id": "NOW", "created_at": "2026-11-24 10:00:00", "channel": "Referral", "status": "New"},
]

# 1 of the 3 judged (IN_TIME; LATE and NO_ANSWER are not) is 33%: 0.333 / 0.8 = 42% of the
# agreed share, below the default amber threshold of 90%: "short of".
SAID = (
    "Answered within the agreed 2 working days: 1 of the 3 MQLs that can be judged (33%), short "
    "of the agreed 80%; 1 accepted later, 1 with no answer by their due day. No export dates a "
    "rejection, so the rejected MQL is not judged. 1 not judged: not due yet, accepted on no "
    "known day, or from an upload without a lead status or SQL column."
)


def test_the_week_s_mqls_are_judged_by_their_working_days_and_the_agreed_share(funnel_db):
    con = funnel_db(LEADS, agreements=[AGREED])
    query = functools.partial(execute, con)
    quality = numbers.lead_quality(query, W47, None)
    total = quality.by_channel[quality.by_channel["is_total"]].iloc[0]
    assert (total["count_mqls"], total["count_rejected"], total["count_pending"]) == (5, 1, 2)
    assert quality.answers == SAID
    # The pack says the same, as text.
    everyone = {"channels": None, "owners": None, "segments": None}
    meeting = week_view.gather(query, con, W47, everyone, datetime.date(2026, 11, 25))
    document = pack.render(meeting, datetime.datetime(2026, 11, 25, 9))
    assert f"<p>{SAID}</p>" in document


def test_the_page_says_how_many_mqls_sales_answered_in_time(funnel_db):
    con = funnel_db(LEADS, agreements=[AGREED])
    database = database_path(con)
    con.close()  # the page opens the file itself
    at = open_page(database, "pages/this_week.py", week="2026-W47")
    assert format.plain(SAID) in [block.value for block in at.markdown]
