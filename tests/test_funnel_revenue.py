"""The joined view: one row per lead plus one per unmatched deal, deals linked correctly."""

from decimal import Decimal

from revcycle.importer import channels
from tests.conftest import cents, metric


def lead(lead_id, **values):
    return {
        "lead_id": lead_id,
        "created_at": "2026-03-02 09:00:00",
        "channel": "Referral",
        **values,
    }


def deal(deal_id, **values):
    return {"deal_id": deal_id, "created_at": "2026-03-10 10:00:00", **values}


def funnel_rows(con):
    return con.execute(
        "select lead_id, channel, count_deals, count_won_deals, won_revenue, open_pipeline, "
        "stage_reached from funnel_revenue order by lead_id nulls last, won_revenue, open_pipeline"
    ).fetchall()


def test_lead_with_two_deals_counts_once(funnel_db):
    con = funnel_db(
        [lead("L1", mql_at="2026-03-03 09:00:00", sql_at="2026-03-04 09:00:00"), lead("L2")],
        [
            deal(
                "D1",
                lead_id="L1",
                stage="Closed Won",
                amount="1000.10",
                closed_at="2026-04-01 12:00:00",
            ),
            deal(
                "D2",
                lead_id="L1",
                stage="Closed Won",
                amount="250.05",
                closed_at="2026-05-01 12:00:00",
            ),
        ],
    )
    assert funnel_rows(con) == [
        ("L1", "Referral", 2, 2, Decimal("1250.15"), Decimal("0.00"), "won"),
        ("L2", "Referral", 0, 0, Decimal("0.00"), Decimal("0.00"), "lead"),
    ]
    conversion = metric(con, "conversion_by_channel")
    referral = conversion[conversion["channel"] == "Referral"].set_index("stage")
    # Two leads; L1 alone reached MQL, SQL, opportunity and won, whatever its deal count.
    assert referral["count_events"].to_dict() == {
        "lead": 2,
        "mql": 1,
        "sql": 1,
        "opportunity": 1,
        "won": 1,
    }
    revenue = metric(con, "revenue_by_channel").set_index("channel")
    assert cents(revenue.loc["Referral", "won_revenue"]) == 100_010 + 25_005
    assert revenue.loc["Referral", "count_won_deals"] == 2


def test_deal_without_lead_id_matches_lead_by_email_case_insensitively(funnel_db):
    con = funnel_db(
        [lead("L1", email="ada@example.com", channel="Partner")],
        [
            deal(
                "D1",
                email="Ada@EXAMPLE.com",
                stage="Closed Won",
                amount="500",
                closed_at="2026-04-01 00:00:00",
            )
        ],
    )
    assert funnel_rows(con) == [("L1", "Partner", 1, 1, Decimal("500.00"), Decimal("0.00"), "won")]


def test_email_match_picks_the_earliest_lead_with_that_email(funnel_db):
    con = funnel_db(
        [
            lead("L-late", email="a@x.com", created_at="2026-05-01 00:00:00", channel="Email"),
            lead("L-early", email="a@x.com", created_at="2026-01-01 00:00:00", channel="Partner"),
        ],
        [deal("D1", email="a@x.com")],
    )
    rows = {row[0]: row[2] for row in funnel_rows(con)}
    assert rows == {"L-early": 1, "L-late": 0}


def test_deal_matching_no_lead_is_kept_under_no_lead(funnel_db):
    con = funnel_db(
        [lead("L1", email="known@example.com")],
        [
            deal(
                "D-unknown-email",
                email="stranger@example.com",
                stage="Closed Won",
                amount="300.00",
                closed_at="2026-04-01 00:00:00",
            ),
            deal("D-nothing", stage="Proposal", amount="40.00"),
            deal(
                "D-unknown-id",
                lead_id="L404",
                stage="Closed Lost",
                amount="7.00",
                closed_at="2026-04-02 00:00:00",
            ),
        ],
    )
    rows = funnel_rows(con)
    assert rows == [
        ("L1", "Referral", 0, 0, Decimal("0.00"), Decimal("0.00"), "lead"),
        (None, "(no lead)", 1, 0, Decimal("0.00"), Decimal("0.00"), "opportunity"),
        (None, "(no lead)", 1, 0, Decimal("0.00"), Decimal("40.00"), "opportunity"),
        (None, "(no lead)", 1, 1, Decimal("300.00"), Decimal("0.00"), "won"),
    ]
    revenue = metric(con, "revenue_by_channel").set_index("channel")
    assert cents(revenue.loc["(no lead)", "won_revenue"]) == 30_000
    assert cents(revenue.loc["(no lead)", "open_pipeline"]) == 4_000
    assert revenue.loc["(no lead)", "count_closed_deals"] == 2  # the won and the lost one


def test_channel_rules_map_spellings_and_name_what_they_cannot(funnel_db):
    con = funnel_db(
        [
            lead("L1", channel="Paid Search"),
            lead("L2", channel="PAID_SEARCH"),
            lead("L3", channel=" paid-search "),
            lead("L4", channel="Carrier pigeon"),
            lead("L5", channel=""),
        ]
    )
    by_lead = dict(con.execute("select lead_id, channel from funnel_revenue").fetchall())
    assert by_lead == {
        "L1": "Paid search",
        "L2": "Paid search",
        "L3": "Paid search",
        "L4": "(unmapped)",
        "L5": "(unknown)",
    }


def test_a_source_key_ignores_case_separators_and_any_space_at_the_ends():
    spellings = ["Paid Search", "PAID__SEARCH", "\tpaid-search\u00a0", "(paid) search!"]
    assert channels.source_keys(spellings) == ["paid_search"] * 4
    assert channels.source_keys(["Paid Social", None]) == ["paid_social", None]


def test_the_importer_and_the_funnel_agree_on_which_rule_covers_a_source(funnel_db):
    con = funnel_db([lead("L1", channel="paid social"), lead("L2", channel="Carrier pigeon")])
    channels.replace_rules(
        con, [*channels.all_rules(con), ("(Paid) Social!", "Paid social")], changed_by="test"
    )
    # The upload's check (Python) and the funnel (SQL) read the rule the same way.
    assert channels.unmapped_sources(con, ["paid social", "Carrier pigeon"]) == ["Carrier pigeon"]
    by_lead = dict(con.execute("select lead_id, channel from funnel_revenue").fetchall())
    assert by_lead == {"L1": "Paid social", "L2": "(unmapped)"}


def test_won_and_closed_are_derived_from_stage_when_blank(funnel_db):
    con = funnel_db(
        [lead("L1")],
        [
            deal("D1", lead_id="L1", stage="Closed Won", amount="10"),
            deal("D2", lead_id="L1", stage="Closed Lost", amount="20"),
            deal("D3", lead_id="L1", stage="Negotiation", amount="30"),
            deal(
                "D4",
                lead_id="L1",
                stage="Negotiation",
                is_won="true",
                is_closed="true",
                amount="40",
            ),
        ],
    )
    flags = con.execute(
        "select deal_id, is_won, is_closed from stg_deals order by deal_id"
    ).fetchall()
    assert flags == [
        ("D1", True, True),
        ("D2", False, True),
        ("D3", False, False),
        ("D4", True, True),
    ]
    # Won: D1 + D4 = 50; open: D3 = 30.
    assert funnel_rows(con) == [("L1", "Referral", 4, 2, Decimal("50.00"), Decimal("30.00"), "won")]


def test_hours_to_first_contact_runs_from_creation(funnel_db):
    con = funnel_db(
        [
            lead("L1", created_at="2026-03-02 09:00:00", first_contacted_at="2026-03-02 10:30:00"),
            lead("L2", created_at="2026-03-02 09:00:00", first_contacted_at="2026-03-04 09:00:00"),
            lead("L3", created_at="2026-03-02 09:00:00"),
        ]
    )
    hours = dict(
        con.execute("select lead_id, hours_to_first_contact from funnel_revenue").fetchall()
    )
    assert hours == {"L1": 1.5, "L2": 48.0, "L3": None}


def test_blank_owner_and_segment_are_named_so_they_can_be_filtered(funnel_db):
    con = funnel_db([lead("L1"), lead("L2", owner="Ann", segment="SMB")])
    rows = con.execute("select lead_id, owner, segment from funnel_revenue order by 1").fetchall()
    assert rows == [("L1", "(unassigned)", "(unknown)"), ("L2", "Ann", "SMB")]


def test_deal_links_to_the_lead_that_names_it_as_converted(funnel_db):
    # Salesforce: the opportunity carries no lead id; the lead names the opportunity.
    con = funnel_db(
        [lead("00Q1", converted_deal_id="006A", channel="Partner"), lead("00Q2")],
        [deal("006A", stage="Closed Won", amount="700", closed_at="2026-04-01 00:00:00")],
    )
    rows = {row[0]: row[1:5] for row in funnel_rows(con)}
    assert rows["00Q1"] == ("Partner", 1, 1, Decimal("700.00"))
    assert rows["00Q2"][1] == 0
