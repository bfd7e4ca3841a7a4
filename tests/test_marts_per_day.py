"""The marts the period metrics read instead of every funnel row: funnel_events (the funnel's
events counted per day) and funnel_deals (every deal as a row of its own)."""

from datetime import date

from tests import sample_facts
from tests.conftest import cents


def lead(lead_id, created_at, **values):
    return {"lead_id": lead_id, "created_at": created_at, "channel": "Referral", **values}


def events(con):
    return con.execute(
        "select event_date, stage, channel, has_lead, can_tell_mql, can_tell_sql, count_events "
        "from funnel_events order by event_date, stage, channel"
    ).fetchall()


def test_each_event_is_counted_once_on_its_day(funnel_db):
    con = funnel_db(
        [
            # Created and MQL on 2 March, SQL on 4 March; two deals, the first won on 20 March.
            lead(
                "L1",
                "2026-03-02 09:00:00",
                mql_at="2026-03-02 15:00:00",
                sql_at="2026-03-04 10:00:00",
                email="a@x.example",
            ),
            lead("L2", "2026-03-02 11:00:00", mql_at="2026-03-05 10:00:00"),
        ],
        [
            {
                "deal_id": "D1",
                "lead_id": "L1",
                "created_at": "2026-03-10 10:00:00",
                "closed_at": "2026-03-20 10:00:00",
                "stage": "Closed Won",
                "amount": "1000.00",
            },
            {
                "deal_id": "D2",
                "lead_id": "L1",
                "created_at": "2026-03-12 10:00:00",
                "stage": "Proposal",
            },
            # No lead and no source: its opportunity is an event of "(no lead)".
            {"deal_id": "D3", "created_at": "2026-03-10 12:00:00", "stage": "Proposal"},
        ],
    )
    day = date.fromisoformat
    # The leads' file has MQL and SQL columns, so both leads can tell; the lone deal cannot.
    assert events(con) == [
        (day("2026-03-02"), "lead", "Referral", True, True, True, 2),
        (day("2026-03-02"), "mql", "Referral", True, True, True, 1),
        (day("2026-03-04"), "sql", "Referral", True, True, True, 1),
        (day("2026-03-05"), "mql", "Referral", True, True, True, 1),
        # L1's first deal (D1; D2 two days later is no event), and D3 alone.
        (day("2026-03-10"), "opportunity", "(no lead)", False, False, False, 1),
        (day("2026-03-10"), "opportunity", "Referral", True, True, True, 1),
        (day("2026-03-20"), "won", "Referral", True, True, True, 1),
    ]
    deals = con.execute(
        "select deal_id, lead_id, channel, lead_created_at, is_won, amount from funnel_deals "
        "order by deal_id"
    ).fetchall()
    assert [
        (deal_id, lead_id, channel, is_won) for deal_id, lead_id, channel, _, is_won, _ in deals
    ] == [
        ("D1", "L1", "Referral", True),
        ("D2", "L1", "Referral", False),
        ("D3", None, "(no lead)", False),
    ]
    assert [str(created) if created else None for _, _, _, created, _, _ in deals] == [
        "2026-03-02 09:00:00",
        "2026-03-02 09:00:00",
        None,  # a deal with no lead has no lead creation
    ]
    assert [cents(amount) if amount is not None else None for *_, amount in deals] == [
        100000,
        None,
        None,
    ]


def test_the_samples_leads_and_wins_add_up_from_the_csv_files(sample_db):
    start, end = sample_facts.default_period()
    period = {"start": start, "end": end}
    leads_by_channel = dict(
        sample_db.execute(
            "select channel, sum(count_events) from funnel_events "
            "where stage = 'lead' and event_date between $start and $end group by channel",
            period,
        ).fetchall()
    )
    # Every channel with a lead in the period, counted from the leads' file.
    expected = {channel: sample_facts.count_leads(channel) for channel in sample_facts.channels()}
    assert leads_by_channel == {channel: count for channel, count in expected.items() if count}
    assert len(leads_by_channel) > 3
    won = sample_db.execute(
        "select sum(amount) from funnel_deals "
        "where is_won and cast(closed_at as date) between $start and $end",
        period,
    ).fetchall()[0][0]
    assert cents(won) == sample_facts.won_revenue_cents()
    count_deals = sample_db.execute("select count(*) from funnel_deals").fetchall()[0][0]
    assert count_deals == sample_facts.count_deals()
