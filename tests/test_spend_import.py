"""The spend kind: spread over its days to the cent, overlapping uploads counted once, channels
from the rules or from a campaign the leads know, replaced and restored; real files and a real
DuckDB database throughout, every expected figure worked out by hand."""

import pytest

from revcycle.importer.load import commit_upload, restore
from revcycle.importer.validate import prepare
from revcycle.paths import REPO_ROOT
from revcycle.rebuild import ALWAYS_REBUILT_MARTS, MART_TABLES, MARTS_MOVED_BY, data_version
from tests.conftest import connect_built, write_export
from tests.support.spend import load_spend, staged_spend

LEADS = [
    {
        "lead_id": "L1",
        "created_at": "2026-01-02 09:00:00",
        "channel": "Webinar",
        "campaign": "Spring Summit",
    },
    {
        "lead_id": "L2",
        "created_at": "2026-01-03 09:00:00",
        "channel": "Webinar",
        "campaign": "spring summit ",
    },
    {
        "lead_id": "L3",
        "created_at": "2026-01-04 09:00:00",
        "channel": "Paid Search",
        "campaign": "Spring Summit",
    },
    # A source no rule knows, until a spend upload brings one.
    {"lead_id": "L4", "created_at": "2026-01-05 09:00:00", "channel": "Fair"},
]


@pytest.fixture
def con(tmp_path, built_databases):
    exports = {"leads": write_export(tmp_path / "leads.csv", "leads", LEADS)}
    connection = connect_built(exports, tmp_path / "spend.duckdb", built_databases)
    yield connection
    connection.close()


def spend_file(tmp_path, name, rows):
    return write_export(tmp_path / name, "spend", rows)


def january(day: int) -> str:
    return f"2026-01-{day:02d}"


def test_with_no_spend_loaded_the_staging_view_exists_and_is_empty(con):
    assert con.execute("select count(*) from stg_spend").fetchall() == [(0,)]


def test_a_row_over_three_days_is_spread_to_the_cent_first_days_taking_the_extra(con, tmp_path):
    export = spend_file(
        tmp_path,
        "s.csv",
        [
            {
                "date_from": january(1),
                "date_to": january(3),
                "source": "Google Ads",
                "campaign": "Brand",
                "amount": "100.00",
                "currency": "EUR",
            }
        ],
    )
    load_spend(con, export)
    # 10,000 cents / 3 days = 3,333 each, 1 cent left over: the first day takes it.
    assert staged_spend(con) == [
        (january(1), "Paid search", "Brand", "33.34", "EUR"),
        (january(2), "Paid search", "Brand", "33.33", "EUR"),
        (january(3), "Paid search", "Brand", "33.33", "EUR"),
    ]


def test_a_blank_date_to_is_one_day(con, tmp_path):
    export = spend_file(
        tmp_path, "s.csv", [{"date_from": january(5), "source": "Google Ads", "amount": "12.5"}]
    )
    load_spend(con, export)
    assert staged_spend(con) == [(january(5), "Paid search", None, "12.50", None)]


MONTH_ROW = {
    "date_from": january(1),
    "date_to": january(31),
    "source": "Google Ads",
    "campaign": "Brand",
    "amount": "100.00",
    "currency": "EUR",
}
# 10,000 cents over 31 days: 322 each and 18 cents left, so 1-18 January 3.23, 19-31 3.22
# (18 x 3.23 + 13 x 3.22 = 58.14 + 41.86 = 100.00).
MONTH_SHARE = {day: "3.23" if day <= 18 else "3.22" for day in range(1, 32)}
DAILY_RE_EXPORT = [
    {
        "date_from": january(day),
        "source": "Google Ads",
        "campaign": "Brand",
        "amount": "5.00",
        "currency": "EUR",
    }
    for day in range(10, 21)
]


def test_a_daily_re_export_of_part_of_a_month_counts_those_days_once(con, tmp_path):
    load_spend(con, spend_file(tmp_path, "month.csv", [MONTH_ROW]))
    load_spend(con, spend_file(tmp_path, "daily.csv", DAILY_RE_EXPORT))
    days = {int(day[-2:]): amount for day, _, _, amount, _ in staged_spend(con)}
    # 10-20 January from the newer upload only (5.00 each); the other days keep the month's
    # spread share, one row per day.
    assert days == {day: "5.00" if 10 <= day <= 20 else MONTH_SHARE[day] for day in range(1, 32)}
    # 1-9: 9 x 3.23 = 29.07; 10-20: 11 x 5.00 = 55.00; 21-31: 11 x 3.22 = 35.42; 119.49.
    assert con.execute("select sum(amount)::varchar from stg_spend").fetchall() == [("119.49",)]
    # Nothing was lost: both uploads' rows are stored, the month row among them.
    assert con.execute("select count(*) from upload_rows_spend").fetchall() == [(12,)]


def test_a_re_export_that_writes_the_campaign_in_another_case_still_replaces_those_days(
    con, tmp_path
):
    # The same re-export with the campaign written "BRAND" (platforms change case between
    # exports): the days 10-20 are Brand's all the same, so 119.49 as above, not the whole
    # month and the re-export both (100.00 + 55.00 = 155.00).
    shouted = [row | {"campaign": "BRAND"} for row in DAILY_RE_EXPORT]
    load_spend(con, spend_file(tmp_path, "month.csv", [MONTH_ROW]))
    load_spend(con, spend_file(tmp_path, "daily.csv", shouted))
    assert con.execute("select sum(amount)::varchar from stg_spend").fetchall() == [("119.49",)]


def test_loading_the_same_spend_export_twice_adds_nothing(con, tmp_path):
    export = spend_file(tmp_path, "daily.csv", DAILY_RE_EXPORT)
    _, first = load_spend(con, export)
    _, second = load_spend(con, export)
    assert first is not None and second is None  # every derived id is loaded already, as is
    # 11 days x 5.00.
    assert con.execute("select sum(amount)::varchar from stg_spend").fetchall() == [("55.00",)]


def test_restoring_the_state_before_a_re_export_brings_back_the_month_spread(con, tmp_path):
    _, month_upload = load_spend(con, spend_file(tmp_path, "month.csv", [MONTH_ROW]))
    load_spend(con, spend_file(tmp_path, "daily.csv", DAILY_RE_EXPORT))
    restore(con, month_upload, changed_by="test")
    days = {int(day[-2:]): amount for day, _, _, amount, _ in staged_spend(con)}
    assert days == MONTH_SHARE
    assert con.execute("select sum(amount)::varchar from stg_spend").fetchall() == [("100.00",)]


def test_a_replace_empties_older_spend(con, tmp_path):
    load_spend(con, spend_file(tmp_path, "month.csv", [MONTH_ROW]))
    other = {
        "date_from": "2026-02-01",
        "source": "Trade Show",
        "campaign": "Expo",
        "amount": "250.00",
        "currency": "EUR",
    }
    load_spend(con, spend_file(tmp_path, "february.csv", [other]), mode="replace")
    assert staged_spend(con) == [("2026-02-01", "Trade show", "Expo", "250.00", "EUR")]


def test_an_unmapped_source_takes_the_channel_most_leads_of_its_campaign_have(con, tmp_path):
    rows = [
        # No rule for "Agency invoice": the campaign decides, in any case and spacing. Two of
        # its three leads are Webinar (Content marketing), one Paid Search.
        {
            "date_from": january(7),
            "source": "Agency invoice",
            "campaign": "SPRING SUMMIT",
            "amount": "40.00",
        },
        # A campaign no lead or touch has, from a source no rule knows: (unmapped), kept.
        {
            "date_from": january(7),
            "source": "Agency invoice",
            "campaign": "Mystery",
            "amount": "9.99",
        },
        # A rule wins over the campaign.
        {
            "date_from": january(8),
            "source": "Trade Show",
            "campaign": "Spring Summit",
            "amount": "1.00",
        },
    ]
    prepared, _ = load_spend(con, spend_file(tmp_path, "s.csv", rows))
    assert prepared.unmapped_sources == ["Agency invoice"]
    assert staged_spend(con) == [
        (january(7), "(unmapped)", "Mystery", "9.99", None),
        (january(7), "Content marketing", "SPRING SUMMIT", "40.00", None),
        (january(8), "Trade show", "Spring Summit", "1.00", None),
    ]


def test_a_campaign_known_from_touches_gives_their_channel(con, tmp_path):
    touches = write_export(
        tmp_path / "t.csv",
        "touches",
        [
            {
                "lead_id": "L1",
                "touched_at": "2026-01-02 08:00:00",
                "source": "Paid Social",
                "campaign": "Retarget Q1",
            }
        ],
    )
    prepared = prepare(con, touches)
    commit_upload(con, "touches", prepared.rows, "merge", prepared.meta(), changed_by="test")
    load_spend(
        con,
        spend_file(
            tmp_path,
            "s.csv",
            [
                {
                    "date_from": january(2),
                    "source": "Unknown DSP",
                    "campaign": "retarget q1",
                    "amount": "3",
                }
            ],
        ),
    )
    assert staged_spend(con) == [(january(2), "Paid social", "retarget q1", "3.00", None)]


def test_only_spend_days_reads_spend_so_a_spend_upload_rebuilds_only_it():
    # rebuild.MARTS_MOVED_BY lets a spend upload skip the funnel's marts: true only while
    # none of them reads spend. spend_days, which does, is rebuilt by every upload.
    marts = sorted((REPO_ROOT / "queries" / "marts").glob("*.sql"))
    reading = [path.stem for path in marts if "spend" in path.read_text()]
    assert reading == ["spend_days"]
    assert MARTS_MOVED_BY["spend"] == ()
    assert set(reading) == set(ALWAYS_REBUILT_MARTS)
    assert not set(reading) & set(MART_TABLES)


def test_a_spend_upload_moves_the_data_version_and_new_rules_reach_the_leads(con, tmp_path):
    before = data_version(con)
    export = spend_file(
        tmp_path, "s.csv", [{"date_from": january(9), "source": "Fair", "amount": "70"}]
    )
    prepared = prepare(con, export)
    commit_upload(
        con, "spend", prepared.rows, "merge", prepared.meta(), {"Fair": "Events"}, changed_by="t"
    )
    assert data_version(con) == before + 1  # pages' caches see the new spend
    assert staged_spend(con) == [(january(9), "Events", None, "70.00", None)]
    # A new rule changes leads' channels too, so with new rules the marts are rebuilt.
    lead_channel = "select channel from funnel_revenue where lead_id = 'L4'"
    assert con.execute(lead_channel).fetchall() == [("Events",)]


def test_a_spend_upload_without_new_rules_leaves_the_funnel_as_it_was(con, tmp_path):
    lead_channel = "select channel from funnel_revenue where lead_id = 'L4'"
    assert con.execute(lead_channel).fetchall() == [("(unmapped)",)]
    load_spend(con, spend_file(tmp_path, "s.csv", [MONTH_ROW]))
    assert con.execute(lead_channel).fetchall() == [("(unmapped)",)]
    assert con.execute("select count(*) from funnel_revenue").fetchall() == [(4,)]
