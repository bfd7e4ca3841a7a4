-- How far the loaded data reaches: the first and the latest funnel event in funnel_revenue.
-- "Now" for the dashboard is the latest event, so an export pulled last Friday is read as of
-- last Friday: cohorts are mature, and leads are overdue, relative to the data, not the clock.
-- Grain: one row. Parameters: none. Materialised as the table funnel_as_of after
-- funnel_revenue.

with

funnel as (
    select * from funnel_revenue
),

final as (
    select
        least(min(created_at), min(first_deal_created_at)) as first_event_at,
        greatest(
            max(created_at),
            max(mql_at),
            max(sql_at),
            max(first_contacted_at),
            max(first_deal_created_at),
            max(first_won_at)
        ) as data_as_of,
        max(created_at) as last_lead_created_at,
    from funnel
)

select * from final
