-- Weekly won revenue by channel and currency, for when the deals' amounts are in several
-- (amount_currencies): weekly_leads_and_revenue_by_channel adds every deal's amount up, so
-- the pages draw its won revenue only for one currency, and this query's, a chart per
-- currency, otherwise. The deals and weeks are that query's.
-- A deal's currency is the one it states, else the setting's ($default_currency); null when
-- neither says.
-- Grain: one row per week (starting Monday), channel and currency with a deal won in that
-- week, within the period. Deals with no lead are the channel "(no lead)".
-- count_won_with_amount: the won deals with an amount (the others add nothing to the sum, so
-- their currency does not make the week's won revenue one of several currencies).
-- is_partial_week marks the first and last week when the period cuts them short.
-- Parameters: $start_date, $end_date (dates, both included); $channels, $owners, $segments
-- (lists of values to keep, or null for all); $default_currency (ISO code, or null).

with

won as (
    select
        deals.*,
        coalesce(stated.currency, $default_currency) as currency,
    from funnel_deals_in_scope($channels, $owners, $segments) as deals
    left join stg_deals as stated
        on deals.deal_id = stated.deal_id
    where deals.is_won
        and is_in_period(deals.closed_at, $start_date, $end_date)
),

final as (
    select
        cast(date_trunc('week', closed_at) as date) as week_start,
        channel,
        currency,
        count(*) as count_won_deals,
        count(amount) as count_won_with_amount,
        coalesce(sum(amount), 0) as won_revenue,
        -- A week the period cuts off holds fewer days; charts mark it so it is not read as
        -- a drop.
        week_start < cast($start_date as date)
            or week_start + 6 > cast($end_date as date) as is_partial_week,
    from won
    group by all
)

select * from final
order by currency nulls last, week_start, starts_with(channel, '('), channel
