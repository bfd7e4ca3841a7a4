"""The leak finder on real databases: each step's matured weeks, a drop planted in hand-written
leads found through DuckDB, and the bundled sample, whose steady funnel has no leak."""

import functools
from datetime import date

import pytest

from revcycle.build import build
from revcycle.db import connect, execute
from revcycle.meeting.leak import STEPS, find_leaks
from revcycle.meeting.week import Week
from tests import sample_facts
from tests.conftest import NO_FILTERS

W46 = Week(2026, 46)  # Monday 9 to Sunday 15 November 2026


def lead(lead_id, created_at, channel="Referral", **values):
    return {"lead_id": lead_id, "created_at": created_at, "channel": channel, **values}


def planted_leads() -> list[dict]:
    """Referral leads: before, 12 of 20 became MQL within 2 days; recently 2 of 21 within the
    7 days (a third only after 8)."""
    baseline = [
        lead(
            f"B{n:02d}",
            "2026-08-03 10:00:00",
            **({"mql_at": "2026-08-05 10:00:00"} if n < 12 else {}),
        )
        for n in range(20)
    ]
    recent = [
        lead(
            f"R{n:02d}",
            "2026-10-20 10:00:00",
            **({"mql_at": "2026-10-21 10:00:00"} if n < 2 else {}),
        )
        for n in range(20)
    ]
    recent.append(lead("R20", "2026-10-20 10:00:00", mql_at="2026-10-28 10:00:00"))  # 8 days
    return [
        *baseline,
        *recent,
        lead("W1", "2026-11-10 10:00:00"),  # the meeting's own week: not matured, not counted
        lead("END", "2026-11-20 17:00:00"),  # the data's latest event
    ]


def run_on(con):
    return functools.partial(execute, con)


def test_each_steps_weeks_lie_back_by_its_maturity(funnel_db):
    con = funnel_db(planted_leads())
    rows = execute(con, "metrics/step_conversion_by_channel", end_date=W46.end, **NO_FILTERS)
    windows = rows.drop_duplicates("step_from").set_index("step_from")
    # The horizon is the end of Sunday 15 November. Lead → MQL needs 7 days: the latest whole
    # week matured by then ends Sunday 8 November; MQL → SQL (14) 1 November; SQL →
    # opportunity (21) 25 October; opportunity → won (91: 16 Nov − 91 days = Monday 17 Aug)
    # 16 August. Each recent window is 4 weeks, its baseline the 12 before.
    expected = {
        "lead": (date(2026, 10, 12), date(2026, 11, 8), date(2026, 7, 20), date(2026, 10, 11)),
        "mql": (date(2026, 10, 5), date(2026, 11, 1), date(2026, 7, 13), date(2026, 10, 4)),
        "sql": (date(2026, 9, 28), date(2026, 10, 25), date(2026, 7, 6), date(2026, 9, 27)),
        "opportunity": (date(2026, 7, 20), date(2026, 8, 16), date(2026, 4, 27), date(2026, 7, 19)),
    }
    columns = ["recent_start_date", "recent_end_date", "baseline_start_date", "baseline_end_date"]
    for step, dates in expected.items():
        assert tuple(windows.loc[step, column].date() for column in columns) == dates, step
    assert windows["maturity_days"].tolist() == [7, 14, 21, 91]


def test_a_week_past_the_data_is_matured_only_up_to_the_latest_event(funnel_db):
    con = funnel_db(planted_leads())
    # Week 47 ends on the 22nd, but the data ends on Friday the 20th at 17:00: 7 days before
    # is the 13th, inside week 46, so lead → MQL still ends with week 45.
    rows = execute(
        con, "metrics/step_conversion_by_channel", end_date=Week(2026, 47).end, **NO_FILTERS
    )
    lead_step = rows[rows["step_from"] == "lead"].iloc[0]
    assert lead_step["recent_end_date"].date() == date(2026, 11, 8)


def test_a_drop_planted_in_the_leads_is_found_through_the_database(funnel_db):
    con = funnel_db(planted_leads())
    report = find_leaks(run_on(con), W46, NO_FILTERS)
    lead_step = report.checked[report.checked["step_from"] == "lead"].iloc[0]
    # W1 (this week) and END are not in either window; R20's MQL came after 7 days.
    assert (lead_step["recent_converted"], lead_step["recent_entered"]) == (2, 21)
    assert (lead_step["baseline_converted"], lead_step["baseline_entered"]) == (12, 20)
    # The MQLs enter the next step by their MQL date: 12 on 5 Aug (baseline), 3 on 21 and 28
    # Oct (recent); none became SQL, so there is nothing to flag there.
    mql_step = report.checked[report.checked["step_from"] == "mql"].iloc[0]
    assert (mql_step["recent_entered"], mql_step["baseline_entered"]) == (3, 12)
    assert [leak.words for leak in report.flagged] == ["Referral lead → MQL fell from 60% to 10%"]
    assert report.recent == (date(2026, 10, 12), date(2026, 11, 8))
    assert report.baseline == (date(2026, 7, 20), date(2026, 10, 11))
    # No deal has an amount: the cost is counted in opportunities, and there are 2 comparisons.
    assert report.flagged[0].cost_unit == "opportunities"
    assert "over all 2 comparisons" in report.method


def test_without_any_lead_in_the_windows_nothing_is_compared(funnel_db):
    con = funnel_db([lead("ONLY", "2026-11-20 17:00:00")])
    report = find_leaks(run_on(con), W46, NO_FILTERS)
    assert report.flagged == [] and report.checked.empty
    assert report.recent == (date(2026, 10, 12), date(2026, 11, 8))  # the weeks are still known


@pytest.fixture(scope="module")
def sample_report(sample_db):
    return find_leaks(run_on(sample_db), W46, NO_FILTERS)


def test_on_the_sample_every_channel_has_every_step(sample_report):
    checked = sample_report.checked
    counts = checked.groupby("channel")["step_from"].apply(list)
    assert all(steps == [step for step, _ in STEPS] for steps in counts)
    assert sample_report.currency == "EUR"
    assert set(checked["cost_unit"]) == {"revenue"}


def test_on_the_sample_the_recent_leads_are_the_ones_created_in_those_weeks(sample_report):
    lead_steps = sample_report.checked[sample_report.checked["step_from"] == "lead"]
    for row in lead_steps.itertuples():
        if row.channel == "(no lead)":
            continue  # deals with neither a lead nor a source: no lead to count
        # Every sample lead comes from an upload with an MQL date column.
        assert row.recent_entered == sample_facts.count_leads(
            channel=row.channel, period=(date(2026, 10, 12), date(2026, 11, 8))
        ), row.channel
        assert row.baseline_entered == sample_facts.count_leads(
            channel=row.channel, period=(date(2026, 7, 20), date(2026, 10, 11))
        ), row.channel


def test_the_sample_funnel_is_steady_so_no_leak_is_invented(sample_report):
    # The sample draws every week from the same conversion rates: whatever moved is chance.
    assert sample_report.flagged == []
    assert sample_report.checked["is_tested"].sum() >= 30


def test_a_channel_filter_narrows_the_comparison_to_that_channel(sample_db):
    report = find_leaks(run_on(sample_db), W46, NO_FILTERS | {"channels": ["Email"]})
    assert set(report.checked["channel"]) == {"Email"}
    assert "over all 4 comparisons" in report.method


def test_an_upload_without_stage_dates_cannot_be_measured_and_is_never_a_drop(tmp_path):
    leads = tmp_path / "leads.csv"
    leads.write_text(
        "lead_id,created_at,channel\n"
        "B1,2026-08-03 10:00:00,Referral\n"
        "B2,2026-08-04 10:00:00,Referral\n"
        "R1,2026-10-20 10:00:00,Referral\n"
        "R2,2026-10-20 11:00:00,Referral\n"
        "R3,2026-10-21 10:00:00,Referral\n"
        "END,2026-11-20 17:00:00,Referral\n",
        encoding="utf-8",
    )
    con = connect(tmp_path / "no-dates.duckdb")
    build(con, {"leads": leads})
    report = find_leaks(run_on(con), W46, NO_FILTERS)
    con.close()
    checked = report.checked.set_index("step_from")
    assert report.flagged == [] and not checked["is_tested"].any()
    # B1, B2 were created in every step's baseline weeks, R1..R3 in every recent window.
    for step in ("lead", "mql", "sql"):
        assert checked.loc[step, "recent_entered"] == checked.loc[step, "baseline_entered"] == 0
        assert checked.loc[step, "count_recent_unmeasured"] == 3, step
        assert checked.loc[step, "count_baseline_unmeasured"] == 2, step
    assert checked.loc["lead", "not_tested_reason"] == (
        "cannot be measured: the uploads do not record when these leads became MQLs"
    )
    assert checked.loc["sql", "not_tested_reason"] == (
        "cannot be measured: the uploads do not record when these leads became SQLs"
    )
    assert checked.loc["opportunity", "not_tested_reason"] == (
        "no opportunities in the recent or the baseline weeks"
    )


def test_a_lifecycle_stage_without_dates_is_not_read_as_a_drop(tmp_path):
    # A HubSpot-like export: the stage a lead has reached by now, but no MQL date. The older
    # leads had longer to get there (12 of 20 against 2 of 20): that is time, not a leak.
    rows = [f"B{n},2026-08-03 10:00:00,Referral,{'MQL' if n < 12 else 'Lead'}" for n in range(20)]
    rows += [f"R{n},2026-10-20 10:00:00,Referral,{'MQL' if n < 2 else 'Lead'}" for n in range(20)]
    leads = tmp_path / "leads.csv"
    leads.write_text(
        "lead_id,created_at,channel,lifecycle_stage\n"
        + "\n".join(rows)
        + "\nEND,2026-11-20 17:00:00,Referral,Lead\n",
        encoding="utf-8",
    )
    con = connect(tmp_path / "stages.duckdb")
    build(con, {"leads": leads})
    report = find_leaks(run_on(con), W46, NO_FILTERS)
    con.close()
    lead_step = report.checked[report.checked["step_from"] == "lead"].iloc[0]
    assert report.flagged == []
    assert (lead_step["count_recent_unmeasured"], lead_step["count_baseline_unmeasured"]) == (
        20,
        20,
    )
    assert lead_step["not_tested_reason"] == (
        "cannot be measured: the uploads do not record when these leads became MQLs"
    )
