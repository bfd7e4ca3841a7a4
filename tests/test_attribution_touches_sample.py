"""Contract tests over the sample's touches export: it regenerates to the same bytes, every
touch loads and belongs to a lead, each lead has 1 to 12, and journeys run in plausible order."""

import csv
from collections import Counter

from revcycle import contract, sample
from revcycle.paths import SAMPLE_DIR


def read_rows(name: str) -> list[dict]:
    with (SAMPLE_DIR / name).open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_regenerating_the_sample_gives_the_same_touches(tmp_path):
    sample.write(tmp_path)
    assert (tmp_path / "touches.csv").read_bytes() == (SAMPLE_DIR / "touches.csv").read_bytes()


def test_the_touches_export_has_the_contract_header():
    with (SAMPLE_DIR / "touches.csv").open(encoding="utf-8") as handle:
        assert handle.readline().strip().split(",") == contract.column_names("touches")


def test_every_touch_in_the_export_loads_once_and_belongs_to_a_lead(sample_db):
    touches = read_rows("touches.csv")
    loaded = sample_db.execute(
        "select count(*), count(distinct touch_id), count(lead_id) from stg_touches"
    ).fetchall()
    assert loaded == [(len(touches), len(touches), len(touches))]


def test_touches_by_email_belong_to_the_lead_with_that_email_in_any_case(sample_db):
    leads_by_email = {}
    for lead in read_rows("leads.csv"):  # the earliest lead with an email: the file's order
        if lead["email"]:
            leads_by_email.setdefault(lead["email"].lower(), lead["lead_id"])
    by_email = {
        row["touch_id"]: leads_by_email[row["email"].lower()]
        for row in read_rows("touches.csv")
        if not row["lead_id"]
    }
    assert any(email_id != email_id.lower() for email_id in by_email)  # some in capitals
    staged = dict(
        sample_db.execute(
            "select touch_id, lead_id from stg_touches where touch_id in "
            "(select unnest($ids::varchar[]))",
            {"ids": list(by_email)},
        ).fetchall()
    )
    assert staged == by_email


def test_every_lead_has_one_to_twelve_touches():
    counts = Counter(row["lead_id"] for row in read_rows("touches.csv") if row["lead_id"])
    leads = read_rows("leads.csv")
    by_email = Counter(row["email"].lower() for row in read_rows("touches.csv") if row["email"])
    per_lead = [
        counts[lead["lead_id"]] + (by_email[lead["email"].lower()] if lead["email"] else 0)
        for lead in leads
    ]
    # The whole range is in use: single-touch leads, and long journeys near the cap.
    assert min(per_lead) == 1
    assert 10 <= max(per_lead) <= 12


def test_each_lead_has_its_own_source_as_a_touch_at_its_creation(sample_db):
    # The lead's own touch: same time, same raw source (blank is blank on both).
    missing = sample_db.execute(
        "select count(*) from stg_leads anti join stg_touches "
        "on stg_touches.lead_id = stg_leads.lead_id "
        "and stg_touches.touched_at = stg_leads.created_at "
        "and stg_touches.source is not distinct from stg_leads.source"
    ).fetchall()
    assert missing == [(0,)]


def test_nurture_channels_come_after_the_lead_exists(sample_db):
    # Email and direct visits need a known contact: none before the lead's creation, except
    # an email that created the lead itself (its own touch, at its creation time).
    early = sample_db.execute(
        "select count(*) from stg_touches join stg_leads using (lead_id) "
        "where stg_touches.channel in ('Email', 'Direct') "
        "and stg_touches.touched_at < stg_leads.created_at"
    ).fetchall()
    assert early == [(0,)]
    # And discovery happens before: a good share of journeys start before the lead.
    share_before = sample_db.execute(
        "select avg((touched_at < created_at)::int) from stg_touches join stg_leads using (lead_id)"
    ).fetchall()[0][0]
    assert 0.2 < share_before < 0.5
