-- How far the loaded data reaches: the first and the latest funnel event of any kind — a lead
-- created, became MQL, accepted as SQL or first contacted; a deal created or closed (every
-- deal, not only a lead's first) — so every event falls between them and a period over the
-- whole span ("All time") shows every one. An open deal's close date is no event: Salesforce
-- exports it as the expected close, often months ahead, which made "now" that future day.
-- "Now" for the dashboard is the latest event, so an export pulled last Friday is read as of
-- last Friday: cohorts are mature, and leads are overdue, relative to the data, not the clock.
-- Grain: one row. Parameters: none. Reads the staging views (every lead and deal is a row of
-- funnel_revenue too, but a lead's later deals are only inside its `deals` list there).
-- Materialised as the table funnel_as_of first of the marts (the working-time calendar spans
-- its dates).

with

leads as (
    select * from stg_leads
),

deals as (
    select * from stg_deals
),

lead_events as (
    select
        least(min(created_at), min(mql_at), min(sql_at), min(first_contacted_at))
            as first_event_at,
        greatest(max(created_at), max(mql_at), max(sql_at), max(first_contacted_at))
            as last_event_at,
        max(created_at) as last_lead_created_at,
    from leads
),

deal_events as (
    select
        least(min(created_at), min(closed_at) filter (where is_closed)) as first_event_at,
        greatest(max(created_at), max(closed_at) filter (where is_closed)) as last_event_at,
    from deals
),

final as (
    select
        least(lead_events.first_event_at, deal_events.first_event_at) as first_event_at,
        greatest(lead_events.last_event_at, deal_events.last_event_at) as data_as_of,
        lead_events.last_lead_created_at,
    from lead_events
    cross join deal_events
)

select * from final
