-- How far the loaded data reaches, and the moment it describes.
-- first_event_at and last_event_at: the first and the latest funnel event of any kind — a lead
-- created, became MQL, accepted as SQL or first contacted; a deal created or closed (every
-- deal, not only a lead's first) — so every event falls between them and a period over the
-- whole span ("All time") shows every one. An open deal's close date is no event: Salesforce
-- exports it as the expected close, often months ahead. first_lead_event_at: the first lead
-- event alone, where the leads export reaches back to (data_period: where the funnel begins).
-- data_as_of: "now" for the dashboard, the latest event that could have happened by this
-- build, so an export pulled last Friday is read as of last Friday: cohorts are mature, leads
-- overdue and the period presets end relative to the data, not the clock. An event dated after
-- the build (a day's grace for time zones) is a typo the upload warned about ("2062" for
-- "2026"): it stays in the data's span, but does not move "now" decades ahead, where every
-- lead never contacted would be overdue. When every event is after the build, the latest.
-- data_as_of_second: data_as_of as a real instant, seconds since 1970 UTC (the loaded wall
-- times are in data_time_zone), for durations up to it.
-- last_lead_created_at: the latest lead created by then, the same way, for the freshness banner.
-- Grain: one row. Parameters: none. Reads the staging views (every lead and deal is a row of
-- funnel_revenue too, but a lead's later deals are only inside its `deals` list there), and
-- data_time_zone, the zone the loaded wall times are in.
-- Materialised as the table funnel_as_of first of the marts (the working-time calendar spans
-- its dates).

with

leads as (
    select * from stg_leads
),

deals as (
    select * from stg_deals
),

data_zone as (
    select * from data_time_zone
),

build_clock as (
    select cast(timezone(time_zone, now()) as timestamp) + interval 1 day as latest_possible_at,
    from data_zone
),

lead_events as (
    select
        least(min(created_at), min(mql_at), min(sql_at), min(first_contacted_at))
            as first_event_at,
        greatest(max(created_at), max(mql_at), max(sql_at), max(first_contacted_at))
            as last_event_at,
        greatest(
            max(created_at) filter (where created_at <= latest_possible_at),
            max(mql_at) filter (where mql_at <= latest_possible_at),
            max(sql_at) filter (where sql_at <= latest_possible_at),
            max(first_contacted_at) filter (where first_contacted_at <= latest_possible_at)
        ) as last_possible_event_at,
        coalesce(
            max(created_at) filter (where created_at <= latest_possible_at), max(created_at)
        ) as last_lead_created_at,
    from leads
    cross join build_clock
),

deal_events as (
    select
        least(min(created_at), min(closed_at) filter (where is_closed)) as first_event_at,
        greatest(max(created_at), max(closed_at) filter (where is_closed)) as last_event_at,
        greatest(
            max(created_at) filter (where created_at <= latest_possible_at),
            max(closed_at) filter (where is_closed and closed_at <= latest_possible_at)
        ) as last_possible_event_at,
    from deals
    cross join build_clock
),

final as (
    select
        least(lead_events.first_event_at, deal_events.first_event_at) as first_event_at,
        lead_events.first_event_at as first_lead_event_at,
        greatest(lead_events.last_event_at, deal_events.last_event_at) as last_event_at,
        coalesce(
            greatest(lead_events.last_possible_event_at, deal_events.last_possible_event_at),
            greatest(lead_events.last_event_at, deal_events.last_event_at)
        ) as data_as_of,
        epoch(timezone(data_zone.time_zone, data_as_of)) as data_as_of_second,
        lead_events.last_lead_created_at,
    from lead_events
    cross join deal_events
    cross join data_zone
)

select * from final
