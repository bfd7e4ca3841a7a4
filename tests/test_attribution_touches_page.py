"""The upload page takes a touches export like any other: recognised, checked with line
numbers, loaded after the leads of the same batch, and in the history (AppTest, real files)."""

import pytest

from tests.test_upload_page import (  # noqa: F401 (own_db is a fixture, used by name)
    open_upload_page,
    own_db,
    table_with,
    texts,
    upload_files,
)

LEADS = (
    "lead_id,created_at,channel,email\n"
    "N1,2026-10-05 09:00:00,Paid Search,n1@x.example\n"
    "N2,2026-10-06 09:00:00,Webinar,n2@x.example\n"
)
# Line 2 by id, line 3 by email in capitals, line 4 belongs to nobody: rejected.
TOUCHES = (
    "touched_at,lead_id,email,source,campaign,touch_type\n"
    "2026-10-01 08:00:00,N1,,Organic Search,,visit\n"
    "2026-10-07 10:00:00,,N2@X.EXAMPLE,Email,Nurture,email click\n"
    "2026-10-08 10:00:00,,,Email,Nurture,email click\n"
)


@pytest.mark.usefixtures("own_db")
def test_a_touches_export_is_recognised_checked_and_loaded_after_its_leads():
    at = open_upload_page()
    upload_files(at, ("touches.csv", TOUCHES), ("leads.csv", LEADS))
    assert "Recognised as a Revcycle generic touches export (touches)." in texts(at.caption)
    assert "**3 data lines in touches.csv = 2 rows to load + 1 rejected.**" in texts(at.markdown)
    problems = table_with(at, "reason")
    assert problems[["severity", "lines"]].values.tolist() == [["error", "4"]]
    at.button(key="upload_commit").click().run()
    assert not at.exception, at.exception
    assert any("Loaded 2 touches from touches.csv" in message for message in texts(at.success))
    history = table_with(at, "Upload")
    # The sample is uploads 1-4 (leads, deals, touches, spend); 5 removed it; leads load first.
    assert history[["Upload", "Kind", "File"]].values.tolist()[:2] == [
        [7, "touches", "touches.csv"],
        [6, "leads", "leads.csv"],
    ]
