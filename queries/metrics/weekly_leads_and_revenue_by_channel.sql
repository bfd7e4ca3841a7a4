-- Weekly leads and won revenue by channel: the trend lines of the overview and revenue pages.
-- Grain: one row per week (starting Monday) and channel with a lead created or a deal won in
-- that week, within the period. Deals with no lead are the channel "(no lead)".
-- is_partial_week marks the first and last week when the period cuts them short.
-- Parameters: $start_date, $end_date (dates, both included); $channels, $owners, $segments
-- (lists of values to keep, or null for all).

with

-- The leads created in the period, from their days' counts (funnel_events).
leads_per_week as (
    select
        cast(date_trunc('week', event_date) as date) as week_start,
        channel,
        cast(sum(count_events) as bigint) as count_leads,
    from funnel_events_in_scope($channels, $owners, $segments)
    where stage = 'lead'
        and event_date between $start_date and $end_date
    group by all
),

-- The deals won in the period, one row each (funnel_deals).
won_per_week as (
    select
        cast(date_trunc('week', closed_at) as date) as week_start,
        channel,
        count(*) as count_won_deals,
        sum(amount) as won_revenue,
    from funnel_deals_in_scope($channels, $owners, $segments)
    where is_won
        and is_in_period(closed_at, $start_date, $end_date)
    group by all
),

final as (
    select
        week_start,
        channel,
        coalesce(leads_per_week.count_leads, 0) as count_leads,
        coalesce(won_per_week.count_won_deals, 0) as count_won_deals,
        coalesce(won_per_week.won_revenue, 0) as won_revenue,
        -- A week the period cuts off holds fewer days; charts mark it so it is not read as
        -- a drop.
        week_start < cast($start_date as date)
            or week_start + 6 > cast($end_date as date) as is_partial_week,
    from leads_per_week
    full outer join won_per_week
        using (week_start, channel)
)

select * from final
order by week_start, starts_with(channel, '('), channel
