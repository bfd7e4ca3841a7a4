"""Period presets and the previous period, on hand-picked calendar days."""

from datetime import date

import pytest

from revcycle.periods import FunnelStart, comparison_line, preset_period, previous_period

FRIDAY = date(2026, 11, 20)


@pytest.mark.parametrize(
    ("preset", "today", "expected"),
    [
        # 28 days ending on the 20th, both ends included: 24 Oct .. 20 Nov.
        ("last_4_weeks", FRIDAY, (date(2026, 10, 24), FRIDAY)),
        ("last_12_weeks", FRIDAY, (date(2026, 8, 29), FRIDAY)),
        ("this_quarter", FRIDAY, (date(2026, 10, 1), FRIDAY)),
        ("last_quarter", FRIDAY, (date(2026, 7, 1), date(2026, 9, 30))),
        ("year_to_date", FRIDAY, (date(2026, 1, 1), FRIDAY)),
        # In the first quarter, last quarter is the previous year's fourth.
        ("last_quarter", date(2026, 2, 14), (date(2025, 10, 1), date(2025, 12, 31))),
        ("this_quarter", date(2026, 3, 31), (date(2026, 1, 1), date(2026, 3, 31))),
    ],
)
def test_presets(preset, today, expected):
    assert preset_period(preset, today) == expected


def test_all_time_runs_from_the_first_day_with_data_to_the_last():
    assert preset_period("all_time", FRIDAY, date(2024, 2, 1)) == (date(2024, 2, 1), FRIDAY)


def test_unknown_preset_is_refused():
    with pytest.raises(ValueError, match="no period preset"):
        preset_period("fortnight", FRIDAY)


def test_previous_period_has_the_same_length_and_ends_the_day_before():
    # 1..31 March is 31 days; the 31 days before end on 28 Feb and start on 29 Jan.
    assert previous_period(date(2026, 3, 1), date(2026, 3, 31)) == (
        date(2026, 1, 29),
        date(2026, 2, 28),
    )


def test_ago_says_the_largest_whole_unit():
    from datetime import UTC, datetime

    from revcycle.ui.format import ago

    now = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
    assert ago(datetime(2026, 11, 25, 11, 0, tzinfo=UTC), now) == "2 days ago"
    assert ago(datetime(2026, 11, 27, 9, 30, tzinfo=UTC), now) == "2 hours ago"
    assert ago(datetime(2026, 11, 27, 11, 59, tzinfo=UTC), now) == "1 minute ago"
    assert ago(datetime(2026, 11, 27, 11, 59, 50, tzinfo=UTC), now) == "just now"


def test_the_overview_compares_only_with_a_period_the_data_covers():
    before = (date(2026, 2, 15), date(2026, 2, 28))
    assert comparison_line(*before, FunnelStart(date(2026, 2, 15), "leads")) == (
        "Changes are against 15 Feb 2026 – 28 Feb 2026."
    )
    assert comparison_line(*before, None) == "Changes are against 15 Feb 2026 – 28 Feb 2026."
    assert comparison_line(*before, FunnelStart(date(2026, 3, 2), "leads")) == (
        "No changes are shown: the leads begin on 02 Mar 2026, after the period before "
        "(15 Feb 2026 – 28 Feb 2026), so that period would compare with days when nothing was "
        "loaded."
    )
    # With spend alone loaded, its first day.
    assert comparison_line(*before, FunnelStart(date(2026, 2, 20), "data")).startswith(
        "No changes are shown: the data begins on 20 Feb 2026, within the period before"
    )
